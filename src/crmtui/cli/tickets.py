"""`crm ticket`: service requests (工单) from the shell: add, list, show, update and close.

The ticket service (and SQLModel with it, ~0.4 s) is imported inside each command (`# deferred`): `crm --help`
and the other commands never load it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from crmtui.cli.output import fail, lang, out, print_json
from crmtui.cli.session import find_customer, open_session
from crmtui.core import fields, i18n
from crmtui.core.errors import CrmError, InvalidInput
from crmtui.core.i18n import N_, _

if TYPE_CHECKING:
    from crmtui.services.context import Context
    from crmtui.services.tickets import EventView, TicketView

ticket_app = typer.Typer(help=N_("Service requests 工单: add, list, show, update, close."), no_args_is_help=True)

_TICKET_HELP = N_("The ticket's number or its first 4 characters, e.g. T-7K3QX9M or 7k3q.")
_JSON_HELP = N_("Machine-readable output only.")


def register(app: typer.Typer) -> None:
    """Adds `crm ticket` to the `crm` command."""
    app.add_typer(ticket_app, name="ticket")


class _Refused(CrmError):
    """Wrong values of options, each on a line naming its option; raised inside the command's session, which
    says it and exits with status 1 as every refused input of `crm` does."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def message(self) -> str:
        return self.text


def _named(exc: InvalidInput) -> str:
    """A refusal as the shell says it: the English message names the option; another language adds it."""
    text = exc.message()
    flag = fields.get(exc.field).flag
    return text + (f" ({flag})" if i18n.language != "en" and flag else "")


@contextmanager
def refusing_bad_input() -> Iterator[None]:
    """Wrong values of options: every one named, with its option, in one message (used inside open_session)."""
    try:
        yield
    except InvalidInput as exc:
        problems = getattr(exc, "problems", [exc])  # services.tickets.InvalidValues: several at once
        raise _Refused(("\n" + _("error: ")).join(_named(problem) for problem in problems)) from None


def _when(ctx: Context, moment: datetime | None) -> str:
    from crmtui.core.dates import format_when  # deferred: ~20 ms, with the command

    local = ctx.clock.to_local(moment)
    return format_when(local, True, lang(), ctx.clock.today()) if local else ""


def _day(ctx: Context, day: date) -> str:
    from crmtui.core.dates import format_when  # deferred: ~20 ms, with the command

    return format_when(day, False, lang(), ctx.clock.today())


def _state(view: TicketView) -> str:
    """Overdue, late to answer or due soon, or ""."""
    from crmtui.services.tickets import mark  # deferred

    return mark(view)[0]


def _line(ctx: Context, view: TicketView) -> str:
    from crmtui.services.tickets import ACTIVE, deadline_text, kind_text, priority_text, status_text  # deferred

    parts = [view.customer_name] + ([view.owner] if view.owner else []) + [view.title, kind_text(view.kind), priority_text(view.priority),
             status_text(view.status)]
    if view.status in ACTIVE:
        parts.append(_("resolve by {when}").format(when=deadline_text(view, ctx.clock.zone, lang())))
    state = _state(view)
    return f"{view.number}  " + "  ·  ".join(parts) + (f"  ·  {state}" if state else "")


@ticket_app.command("add")
def add(
    customer: Annotated[str, typer.Argument(help=N_("The customer (name, pinyin initials or id prefix)."))],
    title: Annotated[str, typer.Argument(help=N_("What the customer needs, in a line."))],
    kind: Annotated[Optional[str], typer.Option("--type", help=N_("Required: repair, maintenance, complaint or consultation."))] = None,
    priority: Annotated[str, typer.Option("--priority", help=N_("low, normal, high or urgent."))] = "normal",
    due: Annotated[Optional[str], typer.Option("--due", help=N_('The day you promised, e.g. "fri", "2026-12-01", 下周一.'))] = None,
) -> None:
    """Opens a service request for a customer; its deadlines follow from the priority."""
    from crmtui.services.tickets import add_ticket, check_new_ticket, ticket_detail  # deferred

    with open_session() as ctx:
        with refusing_bad_input():  # every wrong option said at once, before the customer is looked up
            check_new_ticket(ctx, title, kind, priority, due)
        target = find_customer(ctx, customer)
        with refusing_bad_input():
            ticket = add_ticket(ctx, target.id, title, kind=kind, priority=priority, due=due)
        view, _history = ticket_detail(ctx, ticket.id)
        out(_("opened {number} for {customer}: respond by {respond}, resolve by {resolve}").format(
            number=view.number, customer=target.name, respond=_when(ctx, view.respond_by),
            resolve=_when(ctx, view.resolve_by)))


@ticket_app.command("list")
def list_(
    status: Annotated[Optional[list[str]], typer.Option("--status", help=N_(
        "open, in_progress, waiting, resolved, closed, or all (repeatable; default: all but closed)."))] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help=N_("Only this customer's tickets."))] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help=N_("Only the overdue tickets."))] = False,
    rep: Annotated[Optional[str], typer.Option("--rep", help=N_(
        "In a team: only this rep's customers' tickets (a name or its beginning), or all."))] = None,
    json_out: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
) -> None:
    """Lists tickets, the overdue first, then by deadline, with whose customer each is in a team."""
    from crmtui.services.agenda import resolve_rep  # deferred
    from crmtui.services.tickets import NOT_CLOSED, list_tickets, parse_status, ticket_dict  # deferred

    statuses: tuple[str, ...] | None = NOT_CLOSED
    with open_session() as ctx:
        if status:
            with refusing_bad_input():
                statuses = None if "all" in status else tuple(parse_status(s, also=("all",)) for s in status)
        customer_id = find_customer(ctx, customer).id if customer is not None else None
        with refusing_bad_input():
            chosen_rep = resolve_rep(ctx, rep) if rep is not None else None
        views = list_tickets(ctx, statuses, customer_id, overdue_only=overdue, rep=chosen_rep)
        if json_out:
            print_json([ticket_dict(v) for v in views])
            return
        for view in views:
            out(_line(ctx, view))
        if not views:
            out(_("(none)"))


@ticket_app.command("show")
def show(
    ticket: Annotated[str, typer.Argument(help=_TICKET_HELP)],
    json_out: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
) -> None:
    """One ticket with its deadlines and its history."""
    from crmtui.services.tickets import find_ticket, ticket_detail, ticket_dict  # deferred

    with open_session() as ctx:
        view, history = ticket_detail(ctx, find_ticket(ctx, ticket))
        if json_out:
            print_json(ticket_dict(view, history))
            return
        _print_detail(ctx, view, history)


def _print_detail(ctx: Context, view: TicketView, history: list[EventView]) -> None:
    from crmtui.services.tickets import kind_text, priority_text, status_text  # deferred

    state = _state(view)
    out(f"{view.number}  {view.title}  [{status_text(view.status)}]" + (f"  {state}" if state else ""))
    rows = [(_("customer"), view.customer_name), (_("owner"), view.owner or ""), (_("type"), kind_text(view.kind)),
            (_("priority"), priority_text(view.priority)), (_("opened"), _when(ctx, view.opened_at)),
            (_("respond by"), _when(ctx, view.respond_by)), (_("resolve by"), _when(ctx, view.resolve_by)),
            (_("promised for"), _day(ctx, view.due_on) if view.due_on else ""),
            (_("answered"), _when(ctx, view.responded_at)), (_("resolved"), _when(ctx, view.resolved_at)),
            (_("closed"), _when(ctx, view.closed_at)), (_("resolution"), view.resolution or ""),
            (_("satisfaction"), f"{view.satisfaction}/5" if view.satisfaction else ""), (_("by"), view.author or "")]
    for label, value in rows:
        if value:
            out(f"  {label}: {value}")
    out("")
    out(f"{_('History')} ({len(history)})")
    for step in history:
        out("  " + event_text(ctx, step))


def event_text(ctx: Context, step: EventView) -> str:
    """One step of the history: when, the move, the note."""
    from crmtui.services.tickets import status_text  # deferred

    parts = [_when(ctx, step.at)]
    if step.to_status and step.from_status:
        parts.append(f"{status_text(step.from_status)} → {status_text(step.to_status)}")
    elif step.to_status:
        parts.append(_("opened"))
    if step.note:
        parts.append(step.note.replace("\n", "\n      "))
    if step.author:
        parts.append(_("by {rep}").format(rep=step.author))
    return "  ".join(parts)


@ticket_app.command("update")
def update(
    ticket: Annotated[str, typer.Argument(help=_TICKET_HELP)],
    status: Annotated[Optional[str], typer.Option("--status", help=N_("in_progress, waiting or resolved (in_progress again reopens a resolved one)."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", help=N_("What was done or said, kept in the history."))] = None,
    priority: Annotated[Optional[str], typer.Option("--priority", help=N_("low, normal, high or urgent (the deadlines follow)."))] = None,
    due: Annotated[Optional[str], typer.Option("--due", help=N_('The day you promised now, e.g. "fri" or 2026-12-01 ("" takes it back).'))] = None,
    json_out: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
) -> None:
    """Moves a ticket on, adds a note to its history, changes its priority or the day promised."""
    from crmtui.services.tickets import (  # deferred
        find_ticket,
        priority_text,
        status_text,
        ticket_detail,
        ticket_dict,
        update_ticket,
    )

    if status is None and note is None and priority is None and due is None:
        fail(_("give what changes: --status, --note, --priority or --due"))
    with open_session() as ctx:
        ticket_id = find_ticket(ctx, ticket)
        with refusing_bad_input():
            changed = update_ticket(ctx, ticket_id, status=status, note=note, priority=priority, due=due)
        if json_out:
            print_json(ticket_dict(*ticket_detail(ctx, changed.id)))
            return
        view, _history = ticket_detail(ctx, changed.id)
        out(_("{number} is {status}").format(number=view.number, status=status_text(view.status)))
        if priority is not None:
            out(_("priority {priority}: respond by {respond}, resolve by {resolve}").format(
                priority=priority_text(view.priority), respond=_when(ctx, view.respond_by),
                resolve=_when(ctx, view.resolve_by)))
        if due is not None:
            out(_("promised for {day}").format(day=_day(ctx, view.due_on)) if view.due_on else _("no day promised"))


@ticket_app.command("close")
def close(
    ticket: Annotated[str, typer.Argument(help=_TICKET_HELP)],
    resolution: Annotated[Optional[str], typer.Option("--resolution", help=N_("How it was resolved (required)."))] = None,
    satisfaction: Annotated[Optional[str], typer.Option("--satisfaction", help=N_("The customer's satisfaction, 1 to 5."))] = None,
    json_out: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
) -> None:
    """Closes a ticket with its resolution and, when asked, the customer's satisfaction."""
    from crmtui.services.tickets import close_and_call_back, find_ticket, ticket_detail, ticket_dict  # deferred

    with open_session() as ctx:
        ticket_id = find_ticket(ctx, ticket)
        with refusing_bad_input():
            closed, call_back = close_and_call_back(ctx, ticket_id, resolution, satisfaction)
        if json_out:
            print_json(ticket_dict(*ticket_detail(ctx, closed.id)))
            return
        out(_("closed {number}").format(number=closed.number))
        if call_back is not None:  # as `crm log` says it
            day = _day(ctx, call_back.due_on)
            out("  " + (_("a low score: call back planned on {day}") if call_back.new
                        else _("a low score: a call back is already planned on {day}")).format(day=day))
