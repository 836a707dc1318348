"""`crm revisit`: the planned revisits (回访) after a Won, from the shell: list them, move one to another day, drop
one (with a reason kept in the history), or mark one done without a satisfaction score.

A revisit done with a score is a follow-up: `crm log ... --satisfaction`. The revisit service is imported inside
each command (`# deferred`): `crm --help` and the other commands never load it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from crmtui.cli.output import out, print_json
from crmtui.cli.session import find_customer, open_session
from crmtui.core.i18n import N_, _

if TYPE_CHECKING:
    from crmtui.services.context import Context
    from crmtui.services.revisits import Revisit

revisit_app = typer.Typer(help=N_("Planned revisits 回访: list, move, drop, or mark done without a score."),
                          no_args_is_help=True)

_CUSTOMER_HELP = N_("The customer (name, pinyin initials or id prefix).")
_REF_HELP = N_('Which revisit: its day (2026-12-03, 12-03, 明天), words of its purpose, or its id from '
              '`crm revisit list` (after the customer: crm revisit move Acme f9c5e4b4 --to fri).')
_REF = "DAY|WORDS|ID"


def register(app: typer.Typer) -> None:
    """Adds `crm revisit` to the `crm` command."""
    app.add_typer(revisit_app, name="revisit")


def _line(revisit: Revisit, today: date, with_customer: bool) -> str:
    """✓ done (with its score) or ○ open (late marked), its day, channel and purpose."""
    from crmtui.services.revisits import revisit_label  # deferred

    text = revisit_label(revisit, today)
    if revisit.done:
        mark = "✓"
        if revisit.satisfaction is not None:
            text += "  " + _("satisfaction {score}/5").format(score=revisit.satisfaction)
        else:
            text += "  " + _("(done, no score)")
    else:
        mark = "○"
        if revisit.due_on < today:
            text += "  " + _("(late)")
    prefix = f"{revisit.customer_name}  ·  " if with_customer else ""
    return f"{mark} {revisit.id[:8]}  {prefix}{text}"


def _customer_of(ctx: Context, customer: str, command: str):  # type: ignore[no-untyped-def]
    """The customer a revisit command names first; the id of a revisit typed in its place (as `crm revisit list`
    shows it) is refused with the order to type them in."""
    from crmtui.core.errors import NotAllowed, NotFound  # deferred: only a refusal needs them
    from crmtui.services.revisits import list_revisits  # deferred

    try:
        return find_customer(ctx, customer)
    except NotFound:
        ref = customer.strip().lower()
        if len(ref) < 4 or any(char not in "0123456789abcdef-" for char in ref):
            raise
        found = [revisit for revisit in list_revisits(ctx) if revisit.id.lower().startswith(ref)]
        if len(found) != 1:
            raise
        raise NotAllowed('"{ref}" is a revisit of {customer}: the customer goes first, then the revisit, e.g. '
                         'crm revisit {command} "{customer}" {ref}', ref=customer.strip(),
                         customer=found[0].customer_name, command=command) from None


def _dict(revisit: Revisit) -> dict[str, object]:
    return {"id": revisit.id, "customer_id": revisit.customer_id, "customer": revisit.customer_name,
            "deal_id": revisit.deal_id, "due_on": revisit.due_on.isoformat(), "channel": revisit.channel,
            "purpose": revisit.purpose, "done": revisit.done,
            "done_at": revisit.done_at.isoformat() if revisit.done_at else None,
            "satisfaction": revisit.satisfaction, "nps": revisit.nps}


@revisit_app.command("list")
def list_(
    customer: Annotated[Optional[str], typer.Argument(help=N_(
        "The customer (name, pinyin initials or id prefix); without one, every open revisit."))] = None,
    json_out: Annotated[bool, typer.Option("--json", help=N_("Machine-readable output only."))] = False,
) -> None:
    """A customer's revisits, done and open, by day; without a customer every open revisit, earliest first."""
    from crmtui.services.revisits import list_revisits  # deferred

    with open_session() as ctx:
        customer_id = find_customer(ctx, customer).id if customer is not None else None
        revisits = list_revisits(ctx, customer_id)
        if json_out:
            print_json([_dict(r) for r in revisits])
            return
        today = ctx.clock.today()
        for revisit in revisits:
            out(_line(revisit, today, customer_id is None))
        if not revisits:
            out(_("(none)"))


@revisit_app.command("move")
def move(
    customer: Annotated[str, typer.Argument(help=_CUSTOMER_HELP)],
    ref: Annotated[str, typer.Argument(metavar=_REF, help=_REF_HELP)],
    to: Annotated[str, typer.Option("--to", help=N_('The new day, e.g. 2026-12-15, "fri", 下周一.'))],
) -> None:
    """Moves an open revisit to another day (today or later)."""
    from crmtui.services.revisits import move_revisit, revisit_label  # deferred

    with open_session() as ctx:
        target = _customer_of(ctx, customer, "move")
        moved = move_revisit(ctx, target.id, ref, to)
        out(_("{customer}: revisit moved to {revisit}").format(
            customer=target.name, revisit=revisit_label(moved, ctx.clock.today())))


@revisit_app.command("drop")
def drop(
    customer: Annotated[str, typer.Argument(help=_CUSTOMER_HELP)],
    ref: Annotated[str, typer.Argument(metavar=_REF, help=_REF_HELP)],
    reason: Annotated[Optional[str], typer.Option("--reason", help=N_(
        "Why it is dropped (optional, kept in the history)."))] = None,
) -> None:
    """Drops an open revisit, with the reason if given; `crm undo` brings it back."""
    from crmtui.services.revisits import drop_revisit, revisit_label  # deferred

    with open_session() as ctx:
        target = _customer_of(ctx, customer, "drop")
        dropped = drop_revisit(ctx, target.id, ref, reason)
        out(_("{customer}: revisit dropped: {revisit}").format(
            customer=target.name, revisit=revisit_label(dropped, ctx.clock.today())))


@revisit_app.command("done")
def done(
    customer: Annotated[str, typer.Argument(help=_CUSTOMER_HELP)],
    ref: Annotated[str, typer.Argument(metavar=_REF, help=_REF_HELP)],
    notes: Annotated[Optional[str], typer.Option("--notes", help=N_(
        "What was done (default: that it was done without a score)."))] = None,
    next_plan: Annotated[Optional[str], typer.Option("--next-plan", help=N_(
        "The next step (default: the last follow-up's, when its day is still ahead)."))] = None,
    next_at: Annotated[Optional[str], typer.Option("--next", help=N_(
        "The next follow-up's day (default: the last follow-up's, when still ahead)."))] = None,
) -> None:
    """Marks an open revisit done without a satisfaction score (not asked): a follow-up is logged saying so. With a
    score, log it instead: crm log CUSTOMER ... --satisfaction 1-5 --revisit DAY."""
    from crmtui.services.revisit_done import complete_without_score  # deferred
    from crmtui.services.revisits import revisit_label  # deferred

    with open_session() as ctx:
        target = _customer_of(ctx, customer, "done")
        finished = complete_without_score(ctx, target.id, ref, notes=notes, next_plan=next_plan, next_at=next_at)
        out(_("{customer}: revisit done (no score): {revisit}").format(
            customer=target.name, revisit=revisit_label(finished, ctx.clock.today())))
