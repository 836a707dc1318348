"""`crm history CUSTOMER|DEAL` (what changed, when, by whom, from where) and `crm undo` (revert the last action).

The services are imported inside the commands: no other command pays for them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from crmtui.cli.output import confirm, out, print_json
from crmtui.cli.session import open_session
from crmtui.core.errors import NotAllowed
from crmtui.core.i18n import N_, _

if TYPE_CHECKING:
    from crmtui.services.history import ChangeLine, HistoryEntry


LISTED_CHANGES = 3
"""Changes shown under each action of `crm undo --list` (an import has thousands)."""
SHOWN_CHANGES = 20
"""Changes shown before `crm undo` asks."""


def register(app: typer.Typer) -> None:
    """Adds `crm history` and `crm undo` to the `crm` command."""
    app.command("history")(history)
    app.command("undo")(undo)


def history(
    ref: Annotated[str, typer.Argument(metavar="CUSTOMER|DEAL", help=N_("A customer or a deal: name, part, pinyin or id."),
                                       show_default=False)],
    json_out: Annotated[bool, typer.Option("--json", help=N_("Machine-readable output only."))] = False,
    limit: Annotated[int, typer.Option("--limit", metavar="N", help=N_("Show the N newest actions."))] = 20,
) -> None:
    """What changed on a customer (its contacts, deals, contracts, payments too) or a deal: newest first."""
    # deferred: the history's services and wording load for this command only
    from crmtui.services.history import history_of
    from crmtui.services.lookup import CustomerRef, resolve_customer_or_deal  # deferred

    with open_session() as ctx:
        target = resolve_customer_or_deal(ctx, ref)
        if isinstance(target, CustomerRef):
            found = history_of(ctx, customer_id=target.id, limit=limit)
            title = target.name
        else:
            found = history_of(ctx, deal_id=target.id, limit=limit)
            title = f"{_('deal')} {target.title} @ {target.customer_name}"
        if json_out:
            print_json({"record": title, "id": target.id, "actions": [entry.as_dict() for entry in found]})
            return
        if not found:
            out(_("No history for {record} yet.").format(record=title))
            return
        out(_("History of {record}, newest first:").format(record=title))
        for entry in found:
            print_entry(entry)


def print_entry(entry: HistoryEntry, most: int | None = None) -> None:
    """One action: a heading line (when, who, from where, what), then one line a change (the first `most`)."""
    undone = "  " + _("(undone)") if entry.undone else ""
    out(f"{entry.when}  {entry.who} · {entry.source_label}  {entry.what}{undone}")
    print_changes(entry.changes, most, entry.total)


def print_changes(changes: tuple[ChangeLine, ...], most: int | None, total: int | None = None) -> None:
    """The changes, one a line; past `most`, how many more (of `total` when only some were built)."""
    # deferred, as in the commands: the history services load for `crm history` and `crm undo` only
    from crmtui.services.history import change_text

    count = len(changes) if total is None else total
    for line in changes[:most]:
        out("    " + change_text(line))
    shown = min(len(changes), most) if most is not None else len(changes)
    if count > shown:
        out("    " + _("… and {count} more").format(count=count - shown))


def undo(
    yes: Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))] = False,
    list_: Annotated[bool, typer.Option("--list", help=N_("List what undo would revert, the next first; change "
                                                           "nothing."))] = False,
    json_out: Annotated[bool, typer.Option("--json", help=N_("Machine-readable output only."))] = False,
    limit: Annotated[int | None, typer.Option("--limit", metavar="N", help=N_("With --list: at most N actions."))] = 10,
) -> None:
    """Reverts your last change (a merge, a stage move with its contract, a delete, an import, an edit) as a new
    change; again goes one further back."""
    # deferred: the history's services and wording load for this command only
    from crmtui.services import undo as undoing

    with open_session() as ctx:
        if list_:
            found = undoing.undoable(ctx, limit or 10, None if json_out else LISTED_CHANGES)
            if json_out:
                print_json([entry.as_dict() for entry in found])
            elif not found:
                out(_("Nothing to undo."))
            else:
                for entry in found:
                    print_entry(entry, LISTED_CHANGES)
            return
        plan = undoing.undo_plan(ctx, SHOWN_CHANGES)
        if plan.refusal:
            raise NotAllowed("{reason}", reason=plan.refusal)
        question = _("Undo {what}?").format(what=plan.what)
        if not yes and not sys.stdin.isatty():
            confirm(question, yes)  # refused off a terminal: say only why
        if not json_out:
            out(_("Undo {what} ({when}, {source}):").format(what=plan.what, when=plan.when, source=plan.source_label))
            print_changes(plan.changes, SHOWN_CHANGES, plan.total)
        confirm(question, yes)
        done = undoing.undo(ctx, plan)
        if json_out:
            print_json({"undone": done.action_id, "what": done.what})
        else:
            out(_("Undone: {what}.").format(what=done.what))

