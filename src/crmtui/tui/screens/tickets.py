"""Service requests (工单) in the app: the list of tickets (the overdue first, then by deadline; `T` from any
screen or the palette), one ticket with its history, and the keys to add a note, change the status, close it
(asking the resolution, then offering the satisfaction question) and open a new one for a customer.

Every read and write goes through services/tickets.py in a thread worker; the screens hold views only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from crmtui.core import i18n
from crmtui.core.dates import format_when
from crmtui.core.errors import Ambiguous, CrmError, NotFound
from crmtui.core.i18n import N_, _
from crmtui.services import fields as field_rules
from crmtui.services.lookup import resolve_customer
from crmtui.services.revisits import CallBack
from crmtui.services.tickets import (
    ACTIVE,
    KINDS,
    NOT_CLOSED,
    PRIORITIES,
    STATUSES,
    EventView,
    TicketView,
    add_ticket,
    close_and_call_back,
    deadline_text,
    deadlines_with,
    kind_text,
    list_tickets,
    mark,
    moves_from,
    priority_text,
    promised_day,
    short_when,
    status_text,
    ticket_detail,
    update_ticket,
)
from crmtui.tui.base import CrmScreenMixin, ReloadsOnChange, run_on_screen
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.widgets.cells import fit, literal, row
from crmtui.tui.widgets.status_footer import StatusFooter

FILTERS = ("not_closed", *STATUSES, "all")
"""What the list can show: the tickets not closed (the default), one status, or all."""


def _filter_text(key: str) -> str:
    if key == "not_closed":
        return _("Not closed")
    return _("All") if key == "all" else status_text(key)


def _when(screen: Screen[Any], moment: datetime | None) -> str:
    ctx = screen.app.ctx  # type: ignore[attr-defined]
    local = ctx.clock.to_local(moment)
    return format_when(local, True, i18n.language, ctx.clock.today()) if local else ""


STYLES = {"overdue": "bold red", "late_answer": "bold yellow", "soon": "yellow", "": ""}
"""How a ticket's mark against its deadlines is drawn."""


SHORT_ENGLISH = {"Waiting for customer": "Waiting", "Not answered in time": "Unanswered"}
"""English words the list's columns shorten (the ticket's own screen says them whole); Chinese ones are short."""


def _short(text: str) -> str:
    return SHORT_ENGLISH.get(text, text)


def _state(view: TicketView) -> tuple[str, str]:
    """The ticket's mark against its deadlines and its style."""
    text, kind = mark(view)
    return text, STYLES[kind]


HEADERS = {"number": N_("Ticket"), "customer": N_("Customer"), "owner": N_("Owner"), "title": N_("Title"),
           "kind": N_("Type"), "priority": N_("Priority"), "status": N_("Status"), "deadline": N_("Resolve by"),
           "mark": ""}
"""The list's column headers (the mark says itself: Overdue, Due soon...)."""

FLEXIBLE = ("customer", "title")
"""The columns that give way on a narrow terminal (cut with …); every other one is shown whole."""


def cells(screen: Screen[Any], view: TicketView) -> dict[str, tuple[str, str]]:
    """A ticket's value and style in each column of the list."""
    ctx = screen.app.ctx  # type: ignore[attr-defined]
    text, style = _state(view)
    deadline = deadline_text(view, ctx.clock.zone, i18n.language, long=False) if view.status in ACTIVE else ""
    return {"number": (view.number, ""), "customer": (view.customer_name, ""), "owner": (view.owner or "", ""),
            "title": (view.title, ""), "kind": (kind_text(view.kind), ""),
            "priority": (priority_text(view.priority), "bold" if view.priority in ("high", "urgent") else ""),
            "status": (_short(status_text(view.status)), ""), "deadline": (deadline, ""),
            "mark": (_short(text), style)}


def layout(rows: list[dict[str, tuple[str, str]]], width: int, owners: bool) -> tuple[list[tuple[str, int]], int]:
    """The columns of the list in `width` cells and the gap between them: each column as wide as its header and
    its widest value, except the customer and the title, which share what is left (the customer up to 24 cells,
    the title the rest). The type only from 120 columns; below 90 the columns stand one cell apart."""
    gap = 2 if width >= 90 else 1
    keys = ["number", "customer", *(["owner"] if owners else []), "title", *(["kind"] if width >= 120 else []),
            "priority", "status", "deadline", "mark"]
    natural = {key: max([cell_len(_(HEADERS[key])) if HEADERS[key] else 0]
                        + [cell_len(row[key][0]) for row in rows]) for key in keys}
    if owners:
        natural["owner"] = min(natural["owner"], 10)
    fixed = sum(natural[key] for key in keys if key not in FLEXIBLE)
    room = max(16, width - fixed - gap * (len(keys) - 1))
    customer = min(natural["customer"], 24, max(8, room // 2 if natural["title"] > room // 2 else room - natural["title"]))
    customer = min(customer, room - 8)
    widths = {**natural, "customer": customer, "title": room - customer}
    return [(key, widths[key]) for key in keys], gap


def _list_width(screen: Screen[Any]) -> int:
    listing = screen.query_one("#ticket-list", OptionList)
    return max(60, listing.size.width or screen.size.width or 80) - 4


class TicketsScreen(CrmScreenMixin, ReloadsOnChange, Screen[None]):
    """The tickets of the book, one line each: number, customer, title, priority, status, deadline, mark."""

    BINDINGS = [  # noqa: RUF012 (Textual reads a list)
        Binding("enter", "open_ticket", N_("Open"), id="open-ticket", show=False),
        Binding("n", "new_ticket", N_("New ticket"), id="new-ticket"),
        Binding("a", "note", N_("Note"), id="note-ticket"),
        Binding("s", "status", N_("Status"), id="status-ticket"),
        Binding("c", "close_ticket", N_("Close ticket"), id="close-ticket"),
        Binding("P", "priority", N_("Priority"), id="priority-ticket"),
        Binding("d", "promise", N_("Promised day"), id="promise-ticket"),
        Binding("f", "filter", N_("Filter"), id="filter-tickets"),
        Binding("j", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="up", show=False),
        Binding("r", "reload", N_("Reload"), id="reload", show=False),
        Binding("escape", "back", N_("Back"), id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shown = "not_closed"
        """The filter: a key of FILTERS."""
        self.views: list[TicketView] = []
        """The tickets on screen, in order."""
        self.loaded = False
        self.owners = False
        """Some ticket's customer has an owner (a team): the list shows whose each ticket is."""
        self.offered: bool | None = None
        """Whether the footer offers the keys of a ticket (None: not yet known)."""

    def compose(self) -> ComposeResult:
        yield Static(_("Tickets"), id="tickets-title", classes="title")
        yield Static("", id="ticket-header", classes="hint")
        yield OptionList(id="ticket-list", classes="column-list")
        yield Static(_("n new · a note · s status · c close · P priority · d day · f filter"), classes="hint")
        yield StatusFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys of a ticket only where they apply: none without a ticket, none but Enter on a closed one."""
        if action in TICKET_ACTIONS:
            view = self.chosen() if self.is_mounted else None
            return view is not None and applies(action, view)
        return True

    @on(OptionList.OptionHighlighted, "#ticket-list")
    def moved(self) -> None:
        """The footer again only when the keys that apply change (a closed ticket reached or left): not on every
        move of the cursor."""
        view = self.chosen()
        offered = view is not None and applies("note", view)
        if offered != self.offered:
            self.offered = offered
            self.refresh_bindings()

    def statuses(self) -> tuple[str, ...] | None:
        if self.shown == "not_closed":
            return NOT_CLOSED
        return None if self.shown == "all" else (self.shown,)

    @work(thread=True, exclusive=True, group="tickets", exit_on_error=False)
    def load(self) -> None:
        views = list_tickets(self.crm.ctx, self.statuses())
        self.app.call_from_thread(self.show, views)

    def show(self, views: list[TicketView]) -> None:
        listing = self.query_one("#ticket-list", OptionList)
        chosen = self.chosen()
        self.views = views
        self.owners = any(view.owner for view in views)
        self.query_one("#tickets-title", Static).update(
            f"{_('Tickets')} · {_filter_text(self.shown)} ({len(views)})")
        rows = [cells(self, view) for view in views]
        columns, gap = layout(rows, _list_width(self), self.owners)
        self.query_one("#ticket-header", Static).update(
            row(*((_(HEADERS[key]) if HEADERS[key] else "", width, "bold") for key, width in columns), gap=gap))
        options = [Option(self.line(cells_of, columns, gap), id=view.id) for view, cells_of in zip(views, rows,
                                                                                                    strict=True)]
        if not options:
            options = [Option(Text(_("No tickets here. n opens one for a customer."), style="dim"), disabled=True)]
        listing.set_options(options)
        listing.focus()
        ids = [view.id for view in views]
        if ids:
            listing.highlighted = ids.index(chosen.id) if chosen is not None and chosen.id in ids else 0
        self.loaded = True
        self.offered = None
        self.moved()

    def line(self, values: dict[str, tuple[str, str]], columns: list[tuple[str, int]], gap: int) -> Text:
        """One ticket in the list's columns, cut to the list's width, never wrapped (only the customer and the
        title are ever cut short: see layout)."""
        line = row(*((values[key][0], width, values[key][1]) for key, width in columns), gap=gap)
        line.truncate(_list_width(self), overflow="ellipsis")
        return line

    def on_resize(self) -> None:
        if self.loaded:
            self.show(self.views)

    def chosen(self) -> TicketView | None:
        listing = self.query_one("#ticket-list", OptionList)
        if listing.highlighted is None or not self.views:
            return None
        option_id = listing.get_option_at_index(listing.highlighted).id
        return next((view for view in self.views if view.id == option_id), None)

    def _need_ticket(self) -> TicketView | None:
        view = self.chosen()
        if view is None:
            self.crm.notify(_("Move the cursor to a ticket first"), severity="warning")
        return view

    @on(OptionList.OptionSelected, "#ticket-list")
    def selected(self) -> None:
        self.action_open_ticket()

    def action_open_ticket(self) -> None:
        view = self._need_ticket()
        if view is not None:
            self.app.push_screen(TicketScreen(view.id))

    def action_new_ticket(self) -> None:
        def saved(number: str | None) -> None:
            if number:
                self.crm.notify(_("Opened {number}").format(number=number), title=_("Tickets"))
                self.crm.refresh_data()

        self.app.push_screen(NewTicketForm(), saved)

    def action_note(self) -> None:
        view = self._need_ticket()
        if view is not None:
            ask_note(self, view)

    def action_status(self) -> None:
        view = self._need_ticket()
        if view is not None:
            ask_status(self, view)

    def action_close_ticket(self) -> None:
        view = self._need_ticket()
        if view is not None:
            ask_close(self, view)

    def action_priority(self) -> None:
        view = self._need_ticket()
        if view is not None:
            ask_priority(self, view)

    def action_promise(self) -> None:
        view = self._need_ticket()
        if view is not None:
            ask_promise(self, view)

    def action_filter(self) -> None:
        def picked(key: str | None) -> None:
            if key:
                self.shown = key
                self.load()

        choices = [(key, _filter_text(key)) for key in FILTERS]
        self.app.push_screen(PickScreen(_("Show which tickets?"), choices, FILTERS.index(self.shown)), picked)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor_down(self) -> None:
        self.query_one("#ticket-list", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#ticket-list", OptionList).action_cursor_up()


class TicketScreen(CrmScreenMixin, ReloadsOnChange, Screen[None]):
    """One ticket: its fields and deadlines, then its history, oldest step first."""

    BINDINGS = [  # noqa: RUF012 (Textual reads a list)
        Binding("a", "note", N_("Note"), id="note-ticket"),
        Binding("s", "status", N_("Status"), id="status-ticket"),
        Binding("c", "close_ticket", N_("Close ticket"), id="close-ticket"),
        Binding("P", "priority", N_("Priority"), id="priority-ticket"),
        Binding("d", "promise", N_("Promised day"), id="promise-ticket"),
        Binding("j", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="up", show=False),
        Binding("escape", "back", N_("Back"), id="back"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys that apply to the ticket as it stands (a closed ticket: none but Esc)."""
        if action in TICKET_ACTIONS:
            return self.view is not None and applies(action, self.view)
        return True

    def __init__(self, ticket_id: str) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.view: TicketView | None = None
        self.history: list[EventView] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="ticket-title", classes="title")
        yield Static("", id="ticket-fields")
        yield Static(_("History"), id="ticket-history-title", classes="title")
        yield OptionList(id="ticket-history", classes="column-list")
        yield Static(_("a note · s status · c close · P priority · d day · Esc back"), id="ticket-keys",
                     classes="hint")
        yield StatusFooter()

    @work(thread=True, exclusive=True, group="ticket", exit_on_error=False)
    def load(self) -> None:
        view, history = ticket_detail(self.crm.ctx, self.ticket_id)
        self.app.call_from_thread(self.show, view, history)

    def show(self, view: TicketView, history: list[EventView]) -> None:
        self.view, self.history = view, history
        state, style = _state(view)
        title = Text(f"{view.number}  ")
        title.append(literal(view.title))
        title.append(f"  [{status_text(view.status)}]")
        if state:
            title.append(f"  {state}", style=style)
        self.query_one("#ticket-title", Static).update(title)
        pairs = [(_("Customer"), view.customer_name), (_("Owner"), view.owner or ""), (_("Type"), kind_text(view.kind)),
                 (_("Priority"), priority_text(view.priority)), (_("Opened"), _when(self, view.opened_at)),
                 (_("Respond by"), _when(self, view.respond_by)), (_("Resolve by"), _when(self, view.resolve_by)),
                 (_("Promised for"), view.due_on.isoformat() if view.due_on else ""),
                 (_("Answered"), _when(self, view.responded_at)), (_("Resolved"), _when(self, view.resolved_at)),
                 (_("Closed"), _when(self, view.closed_at)), (_("Resolution"), view.resolution or ""),
                 (_("Satisfaction"), f"{view.satisfaction}/5" if view.satisfaction else "")]
        lines = Text("\n").join(row((label, 14, "bold"), (value, 0)) for label, value in pairs if value)
        self.query_one("#ticket-fields", Static).update(lines)
        self.query_one("#ticket-history-title", Static).update(f"{_('History')} ({len(history)})")
        listing = self.query_one("#ticket-history", OptionList)
        listing.set_options([Option(self.step_text(step)) for step in reversed(history)])
        listing.focus()
        self.query_one("#ticket-keys", Static).display = view.status != "closed"  # a closed ticket takes none
        self.refresh_bindings()

    def step_text(self, step: EventView) -> Text:
        """A step, newest first on screen: when, the move or "opened", the note under it."""
        if step.from_status and step.to_status:
            what = f"{status_text(step.from_status)} → {status_text(step.to_status)}"
        elif step.to_status:
            what = _("Opened")
        else:
            what = _("Note")
        text = row((_when(self, step.at), 20), (what, 0, "bold"))
        if step.author:
            text.append("  " + _("by {rep}").format(rep=step.author), style="dim")
        if step.note:
            text.append("\n")
            text.append_text(literal("    " + step.note.replace("\n", "\n    ")))
        return text

    def action_note(self) -> None:
        if self.view is not None:
            ask_note(self, self.view)

    def action_status(self) -> None:
        if self.view is not None:
            ask_status(self, self.view)

    def action_close_ticket(self) -> None:
        if self.view is not None:
            ask_close(self, self.view)

    def action_priority(self) -> None:
        if self.view is not None:
            ask_priority(self, self.view)

    def action_promise(self) -> None:
        if self.view is not None:
            ask_promise(self, self.view)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor_down(self) -> None:
        self.query_one("#ticket-history", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#ticket-history", OptionList).action_cursor_up()


# ---------------------------------------------------------------- the questions of the keys


TICKET_ACTIONS = ("note", "status", "close_ticket", "priority", "promise")
"""The keys that act on one ticket: offered only where they apply (check_action)."""


def applies(action: str, view: TicketView) -> bool:
    """Whether a key of TICKET_ACTIONS applies to the ticket: nothing changes a closed ticket (a new problem is
    a new ticket); every status before closed takes a note, a move (a resolved one is reopened), the close, a
    new priority and a promised day."""
    return action in TICKET_ACTIONS and view.status != "closed"


def _write(screen: Screen[Any], call: Callable[[], object], said: str | Callable[[Any], str]) -> None:
    """Runs a write in a worker of `screen`; says `said` (or what it makes of the write's result) and reloads
    the screens once it is saved."""
    app = screen.app

    def done(result: object) -> None:
        app.notify(said(result) if callable(said) else said, title=_("Tickets"))
        app.refresh_data()  # type: ignore[attr-defined]

    run_on_screen(screen, call, done, group="ticket-write", refused_title=_("Not saved"))


def ask_note(screen: Screen[Any], view: TicketView) -> None:
    """Asks for a note and adds it to the ticket's history."""
    ctx = screen.app.ctx  # type: ignore[attr-defined]

    def given(text: str | None) -> None:
        if text:
            _write(screen, partial(update_ticket, ctx, view.id, note=text),
                   _("Note added to {number}").format(number=view.number))

    check = partial(field_rules.long_text, "ticket_note", required=True)
    screen.app.push_screen(TextForm(_("Note on {number}").format(number=view.number), _("what was done or said"),
                                    check), given)


def ask_status(screen: Screen[Any], view: TicketView) -> None:
    """Offers the statuses the ticket may move to (closing asks for the resolution)."""
    ctx = screen.app.ctx  # type: ignore[attr-defined]
    moves = list(moves_from(view.status))
    if view.status != "closed":
        moves.append("closed")
    if not moves:
        screen.app.notify(_("{number} is closed; open a new ticket for a new problem").format(number=view.number),
                          severity="warning")
        return

    def picked(status: str | None) -> None:
        if status == "closed":
            ask_close(screen, view)
        elif status:
            _write(screen, partial(update_ticket, ctx, view.id, status=status),
                   _("{number} is {status}").format(number=view.number, status=status_text(status)))

    choices = [(status, status_text(status)) for status in moves]
    screen.app.push_screen(PickScreen(_("Move {number} to").format(number=view.number), choices), picked)


def _changed(ctx: Any, ticket_id: str, **change: str) -> TicketView:
    """Changes a ticket (update_ticket) and reads it back, with its deadlines as they now stand."""
    update_ticket(ctx, ticket_id, **change)
    return ticket_detail(ctx, ticket_id)[0]


def ask_priority(screen: Screen[Any], view: TicketView) -> None:
    """Offers the priorities, each with the deadlines it would give, the current one under the cursor; a new one
    computes the deadlines again (kept in the history by the service) and says them."""
    ctx = screen.app.ctx  # type: ignore[attr-defined]

    def said(changed: TicketView) -> str:
        return _("{number}: {priority} · respond by {respond}, resolve by {resolve}").format(
            number=changed.number, priority=priority_text(changed.priority), respond=_when(screen, changed.respond_by),
            resolve=_when(screen, changed.resolve_by))

    def picked(priority: str | None) -> None:
        if priority and priority != view.priority:
            _write(screen, partial(_changed, ctx, view.id, priority=priority), said)

    def choice(priority: str) -> tuple[str, str]:
        respond, resolve = deadlines_with(ctx, view, priority)
        return priority, f"{fit(priority_text(priority), 8)}  " + _("respond by {respond}, resolve by {resolve}").format(
            respond=short_when(respond.astimezone(ctx.clock.zone), i18n.language),
            resolve=short_when(resolve.astimezone(ctx.clock.zone), i18n.language))

    choices = [choice(priority) for priority in PRIORITIES]
    screen.app.push_screen(PickScreen(_("Priority of {number}").format(number=view.number), choices,
                                      PRIORITIES.index(view.priority)), picked)


def _day_text(screen: Screen[Any], day: date) -> str:
    ctx = screen.app.ctx  # type: ignore[attr-defined]
    return format_when(day, False, i18n.language, ctx.clock.today())


def ask_promise(screen: Screen[Any], view: TicketView) -> None:
    """Asks the day promised to the customer (typed in either language, the day read shown under it; a past day
    refused naming the field); an empty one takes the promise back."""
    ctx = screen.app.ctx  # type: ignore[attr-defined]

    def said(changed: TicketView) -> str:
        if changed.due_on is None:
            return _("{number}: no day promised").format(number=changed.number)
        return _("{number} promised for {day}").format(number=changed.number, day=_day_text(screen, changed.due_on))

    def given(text: str | None) -> None:
        if text is None or (not text and view.due_on is None):
            return
        _write(screen, partial(_changed, ctx, view.id, due=text), said)

    week = ctx.clock.today() + timedelta(days=7)
    screen.app.push_screen(DayForm(_("Promised day of {number}").format(number=view.number),
                                   _("a day from today, e.g. fri, 下周一 or {day}").format(day=week.isoformat()),
                                   partial(promised_day, ctx), typed=view.due_on.isoformat() if view.due_on else "",
                                   discard=_("Discard this day? What you typed will be lost.")), given)


SATISFACTION = ((5, N_("5 Very satisfied")), (4, N_("4 Satisfied")), (3, N_("3 Neutral")),
                (2, N_("2 Dissatisfied")), (1, N_("1 Very dissatisfied")))


def ask_close(screen: Screen[Any], view: TicketView) -> None:
    """Asks for the resolution, then the customer's satisfaction (which may be skipped), then closes. Esc on the
    satisfaction question goes back to the resolution, still typed; Esc there asks before dropping it."""
    ctx = screen.app.ctx  # type: ignore[attr-defined]
    if view.status == "closed":
        screen.app.notify(_("{number} is closed already").format(number=view.number), severity="warning")
        return

    def resolved(text: str | None) -> None:
        if not text:
            return
        choices = [(str(score), _(label)) for score, label in SATISFACTION] + [("", _("Not asked"))]
        screen.app.push_screen(SatisfactionPick(_("How satisfied is the customer?"), choices), partial(scored, text))

    def scored(text: str, score: str | None) -> None:
        if score is None:  # Esc: back to the resolution as typed; nothing is closed
            ask_resolution(text)
            return
        def said(result: tuple[object, CallBack | None]) -> str:
            closed = _("Closed {number}").format(number=view.number)
            call_back = result[1]
            if call_back is None:
                return closed
            day = format_when(call_back.due_on, False, i18n.language, ctx.clock.today())
            return closed + "\n" + (_("a low score: call back planned on {day}") if call_back.new
                                     else _("a low score: a call back is already planned on {day}")).format(day=day)

        _write(screen, partial(close_and_call_back, ctx, view.id, text, score or None), said)

    def ask_resolution(typed: str) -> None:
        check = partial(field_rules.long_text, "resolution", required=True)
        screen.app.push_screen(TextForm(_("Close {number}: how was it resolved?").format(number=view.number),
                                        _("the resolution"), check, typed=typed,
                                        discard=_("Discard this resolution? What you typed will be lost.")),
                               resolved)

    ask_resolution("")


class SatisfactionPick(PickScreen):
    """The satisfaction question; its hint says that Esc goes back to the resolution."""

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(".hint", Static).update(_("Enter picks · Esc back to the resolution"))


class TextForm(CrmScreenMixin, ModalScreen[str | None]):
    """One line of text (a note, a resolution): Enter gives it, once `check` takes it; Esc cancels, asking the
    `discard` question first when something is typed."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel-text")]  # noqa: RUF012

    def __init__(self, title: str, placeholder: str, check: Callable[[str], object], *, typed: str = "",
                 discard: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.check = check
        self.typed = typed
        self.discard = discard or _("Discard this note? What you typed will be lost.")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.title_text), classes="title")
            yield Input(self.typed, placeholder=self.placeholder, id="text", compact=True)
            yield Static(_("Enter saves · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    @on(Input.Submitted, "#text")
    def submitted(self) -> None:
        field = self.query_one("#text", Input)
        try:
            self.check(field.value)
        except CrmError as error:
            field.add_class("missing")
            self.refused(error)
            return
        self.dismiss(field.value.strip())

    def refused(self, error: CrmError) -> None:
        """Says why the text was refused."""
        self.notify(error.labelled(), severity="error")

    def action_cancel(self) -> None:
        _ask_before_dropping(self, bool(self.query_one("#text", Input).value.strip()), self.discard)


class DayForm(TextForm):
    """A day (the one promised to the customer): under the field, the day it is read as while the rep types;
    Enter gives the text once `check` takes it (an empty one too: no day)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.title_text), classes="title")
            yield Input(self.typed, placeholder=self.placeholder, id="text", compact=True)
            yield Static("", id="day-read", classes="hint")
            yield Static(_("Enter saves (empty: no day promised) · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.read(self.typed)

    @on(Input.Changed, "#text")
    def typed_changed(self, event: Input.Changed) -> None:
        self.query_one("#text", Input).remove_class("missing")
        self.read(event.value)

    def read(self, text: str) -> None:
        """Shows the day `text` is read as (nothing while it is not a day yet)."""
        try:
            day = self.check(text)
        except CrmError:
            day = None
        shown = (f"→ {_day_text(self, day)}" if isinstance(day, date) else "") if text.strip() else \
            _("no day promised")
        self.query_one("#day-read", Static).update(shown)

    def refused(self, error: CrmError) -> None:
        self.query_one("#day-read", Static).update(literal(error.labelled()))
        super().refused(error)

    def action_cancel(self) -> None:
        """Esc: asks first only when the day typed is not the one the form opened with."""
        typed = self.query_one("#text", Input).value.strip() != self.typed.strip()
        _ask_before_dropping(self, typed, self.discard)


def _ask_before_dropping(form: ModalScreen[str | None], typed: bool, question: str) -> None:
    """Esc on a form: closes it at once when nothing is typed, else only once the rep says to discard it (the
    question the other forms ask)."""
    if not typed:
        form.dismiss(None)
        return

    def answered(discard: bool | None) -> None:
        if discard:
            form.dismiss(None)

    form.app.push_screen(ConfirmScreen(question), answered)


SHOWN_MATCHES = 4
"""The customers a name meaning several lists under the new-ticket form (the rest are counted)."""


class NewTicketForm(CrmScreenMixin, ModalScreen[str | None]):
    """A new ticket: the customer (as the rep types a reference; a name that means several is listed, never
    guessed), the title, the type, the priority and the day promised. Returns the new number, or None."""

    BINDINGS = [  # noqa: RUF012
        Binding("ctrl+s", "save", N_("Save"), id="save-ticket"),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-ticket"),
    ]

    def __init__(self, customer: str = "") -> None:
        super().__init__()
        self.customer = customer

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="new-ticket"):
            yield Static(_("New ticket"), classes="title")
            yield Static(_("Customer"), classes="label")
            yield Input(self.customer, placeholder=_("name, pinyin initials or id"), id="customer", compact=True)
            yield Static(_("Title"), classes="label")
            yield Input(placeholder=_("what the customer needs"), id="ticket_title", compact=True)
            yield Static(_("Type"), classes="label")
            yield Select([(kind_text(k), k) for k in KINDS], value="repair", allow_blank=False, id="ticket_kind",
                         compact=True)
            yield Static(_("Priority"), classes="label")
            yield Select([(priority_text(p), p) for p in PRIORITIES], value="normal", allow_blank=False,
                         id="priority", compact=True)
            yield Static(_("Promised for"), classes="label")
            week = self.crm.ctx.clock.today() + timedelta(days=7)
            yield Input(placeholder=_("optional: a day ahead, e.g. fri, 下周一 or {day}").format(day=week.isoformat()),
                        id="due", compact=True)
            yield Static("", id="ticket-problem", classes="hint")
            yield Static(_("Ctrl+S saves · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#ticket_title" if self.customer else "#customer", Input).focus()

    @on(Input.Submitted)
    def next_field(self) -> None:
        self.focus_next()

    def action_save(self) -> None:
        values = {
            "customer": self.query_one("#customer", Input).value,
            "title": self.query_one("#ticket_title", Input).value,
            "kind": str(self.query_one("#ticket_kind", Select).value),
            "priority": str(self.query_one("#priority", Select).value),
            "due": self.query_one("#due", Input).value or None,
        }
        self.save(values)

    @work(thread=True, exclusive=True, group="new-ticket", exit_on_error=False)
    def save(self, values: dict[str, str | None]) -> None:
        ctx = self.crm.ctx
        try:
            customer = resolve_customer(ctx, values["customer"] or "")
            ticket = add_ticket(ctx, customer.id, values["title"] or "", kind=values["kind"],
                                priority=values["priority"], due=values["due"])
        except Ambiguous as error:
            names = ", ".join(match.label for match in error.matches[:SHOWN_MATCHES])
            if len(error.matches) > SHOWN_MATCHES:
                names += " " + _("… and {count} more").format(count=len(error.matches) - SHOWN_MATCHES)
            self.app.call_from_thread(self.refuse, "customer", f"{error.message()}: {names}")
            return
        except NotFound as error:
            self.app.call_from_thread(self.refuse, "customer", error.message())
            return
        except CrmError as error:
            problems = getattr(error, "problems", [error])  # InvalidValues: every wrong field at once
            named = [str(getattr(problem, "field", "")) for problem in problems]
            self.app.call_from_thread(self.refuse, named, error.labelled())
            return
        self.app.call_from_thread(self.dismiss, ticket.number)

    def refuse(self, fields: str | list[str], message: str) -> None:
        """Marks the fields the service named (the focus on the first) and says why under the form."""
        for widget in self.query(".missing"):
            widget.remove_class("missing")
        widgets = {"ticket_title": "ticket_title", "due": "due", "customer": "customer"}
        ids = [widgets[field] for field in ([fields] if isinstance(fields, str) else fields) if field in widgets]
        for widget_id in ids:
            self.query_one(f"#{widget_id}").add_class("missing")
        if ids:
            self.query_one(f"#{ids[0]}").focus()
        self.query_one("#ticket-problem", Static).update(literal(message))

    def action_cancel(self) -> None:
        typed = (self.query_one("#customer", Input).value.strip() != self.customer.strip()
                 or any(self.query_one(f"#{name}", Input).value.strip() for name in ("ticket_title", "due"))
                 or self.query_one("#ticket_kind", Select).value != "repair"
                 or self.query_one("#priority", Select).value != "normal")
        _ask_before_dropping(self, typed, _("Discard this new ticket? What you typed will be lost."))
