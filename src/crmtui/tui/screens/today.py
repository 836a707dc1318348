"""Today 今日待办: the home screen, the agenda in sections, each row saying why it is listed."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin
from crmtui.core import i18n, labels
from crmtui.core.dates import format_when
from crmtui.core.formatting import format_amount
from crmtui.core.i18n import N_, _
from crmtui.tui.messages import DataChanged
from crmtui.services.agenda import ALL_REPS, SECTIONS, Agenda, AgendaItem, RepLoad, agenda_for
from crmtui.services.agenda_words import load_text, reason
from crmtui.tui.widgets.cells import row
from crmtui.tui.widgets.status_footer import StatusFooter


class TodayScreen(CrmScreenMixin, Screen[None]):
    """What to do today: overdue, due, stalled deals, new leads, renewals, payments, birthdays. A manager's
    own Today starts with the team: each rep's waiting work; Enter opens that rep's Today (Esc comes back)."""

    BINDINGS = [
        Binding("enter", "open", N_("Open"), id="open", show=False),
        # A priority binding opens the form as the key arrives: the keys typed right after it then go to the
        # form, not to this screen's list (a binding that waits for the key to bubble up comes too late).
        Binding("l", "log", N_("Log follow-up"), id="log", priority=True),
        Binding("n", "new", N_("New"), id="new"),
        Binding("s", "stage", N_("Stage"), id="stage"),
        Binding("j", "down", N_("Down"), id="down", show=False),
        Binding("k", "up", N_("Up"), id="up", show=False),
        Binding("r", "reload", N_("Reload"), id="reload", show=False),
        Binding("escape", "back", N_("Back"), id="back-today"),
    ]
    TEAM_ACTIONS = ("back",)
    """A manager's only: back from a rep's Today to the manager's own."""

    def __init__(self, rep: str | None = None) -> None:
        super().__init__()
        self.rep = rep
        """Whose Today: None for the rep's own, a rep's name or ALL_REPS (opened from a manager's team section)."""
        self.agenda: Agenda | None = None
        self.items: dict[str, AgendaItem] = {}
        self.reps: dict[str, RepLoad] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.rep is not None  # the home screen has nowhere to go back to
        return True

    def compose(self) -> ComposeResult:
        yield Static(_("Today"), id="today-title", classes="title")
        yield OptionList(id="agenda")
        yield StatusFooter()

    def on_mount(self) -> None:
        self.load()

    def on_resize(self) -> None:
        if self.agenda is not None:
            self.show_agenda(self.agenda)

    @on(DataChanged)
    def reload_on_change(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="today", exit_on_error=False)
    def load(self) -> None:
        """Reads the agenda in a thread; the list is rebuilt on the event loop."""
        ctx = self.crm.ctx
        agenda = agenda_for(ctx) if self.rep is None else agenda_for(ctx, rep=self.rep)
        self.app.call_from_thread(self.show_agenda, agenda)

    def show_agenda(self, agenda: Agenda) -> None:
        """Rebuilds the list, keeping the highlighted customer where it still is."""
        self.agenda = agenda
        listing = self.query_one("#agenda", OptionList)
        previous = self.current_item()
        option = listing.highlighted_option
        previous_rep = option.id if option is not None and option.id in self.reps else None
        width = max(40, listing.size.width or self.size.width or 80) - 2
        name_w = max(14, min(30, width * 3 // 10))
        amount_w = 11
        reason_w = max(14, min(26, width // 4))
        options: list[Option] = []
        self.items = {}
        self.reps = {}
        total = sum(agenda.totals.values())
        day = format_when(agenda.day, has_time=False, lang=i18n.language)
        if agenda.rep is not None:
            day += " · " + (_("every rep") if agenda.rep == ALL_REPS else agenda.rep)
        counts = "  ".join(
            f"{labels.section(name)} {agenda.totals[name]}" for name in ("pool", "overdue", "due", "stalled", "new_leads")
            if agenda.totals.get(name)
        )
        self.query_one("#today-title", Static).update(Text(f"{_('Today')} · {day}   {counts}"))
        if agenda.team:
            options.append(Option(Text(f"{_('Team')} ({len(agenda.team)})", style="bold"), disabled=True))
            for load in agenda.team:
                key = f"rep|{load.rep}"
                self.reps[key] = load
                options.append(Option(row(("  " + load.rep, name_w), (load_text(load), width - name_w - 2)), id=key))
        for name in SECTIONS:
            items = agenda.sections.get(name, [])
            if not items:
                continue
            options.append(Option(Text(f"{labels.section(name)} ({agenda.totals[name]})", style="bold"), disabled=True))
            for index, item in enumerate(items):
                key = f"{name}|{index}"
                self.items[key] = item
                plan = ("→ " + item.next_plan) if item.next_plan else ""
                options.append(Option(
                    row(("  " + item.customer_name, name_w), (reason(self.crm.ctx, item), reason_w, "italic" if name == "overdue" else ""),
                        (plan, width - name_w - reason_w - amount_w - 6), (format_amount(item.amount_cents), amount_w, "right")),
                    id=key))
            hidden = agenda.totals[name] - len(items)
            if hidden > 0:
                options.append(Option(Text("  " + _("… and {count} more").format(count=hidden), style="dim"), disabled=True))
        if total == 0:
            quiet = (_("Nothing due today. Press n to add a lead, or run `crm demo` for sample data.")
                     if agenda.book_empty else _("Nothing of your own due today.") if agenda.team
                     else _("Nothing due today."))
            options.append(Option(Text(quiet), disabled=True))
        listing.set_options(options)
        if previous_rep in self.reps:
            listing.highlighted = listing.get_option_index(previous_rep)
            listing.focus()
            return
        self._highlight(listing, previous)

    def _highlight(self, listing: OptionList, previous: AgendaItem | None) -> None:
        """The same customer as before the reload, else the first row."""
        target = None
        if previous is not None:
            for key, item in self.items.items():
                if item.customer_id == previous.customer_id and item.section == previous.section:
                    target = key
                    break
        if target is None and (self.items or self.reps):
            target = next(iter(self.reps or self.items))
        if target is not None:
            listing.highlighted = listing.get_option_index(target)
        listing.focus()

    def current_item(self) -> AgendaItem | None:
        """The agenda item under the cursor."""
        listing = self.query_one("#agenda", OptionList)
        option = listing.highlighted_option
        return self.items.get(option.id) if option is not None and option.id else None

    @on(OptionList.OptionSelected, "#agenda")
    def open_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id or "")

    def action_open(self) -> None:
        option = self.query_one("#agenda", OptionList).highlighted_option
        if option is not None and option.id:
            self._open(option.id)

    def _open(self, key: str) -> None:
        """A customer row opens the customer; a rep's row of the team section opens that rep's Today."""
        load = self.reps.get(key)
        if load is not None:
            self.app.push_screen(TodayScreen(rep=load.rep))
            return
        item = self.items.get(key)
        if item is not None:
            self.crm.open_customer(item.customer_id)

    def action_back(self) -> None:
        if self.rep is not None:
            self.app.pop_screen()

    def action_log(self) -> None:
        item = self.current_item()
        if item is None:
            self.notify(_("Move to a customer first"), severity="warning")
            return
        self.crm.log_follow_up(item.customer_id, item.customer_name)

    def action_new(self) -> None:
        # deferred: the new-record form and what it imports cost about 50 ms (-X importtime, loaded test
        # machine), paid when `n` is first pressed instead of at every launch, Today being the first screen.
        from crmtui.tui.dialogs.new_record import NewRecordScreen

        item = self.current_item()
        self.app.push_screen(NewRecordScreen(suggested=item.customer_name if item else ""))

    def action_stage(self) -> None:
        item = self.current_item()
        if item is None or item.deal_id is None:
            self.notify(_("This row has no open deal"), severity="warning")
            return
        # deferred: the stage dialogs load services.deals and with it SQLModel and SQLAlchemy (about 230 modules,
        # 1.7-3 s measured on the loaded test machine), which Today's agenda does not need.
        from crmtui.tui.dialogs.stage import choose_stage

        choose_stage(self.crm, item.deal_id, item.deal_title or "")

    def action_down(self) -> None:
        self.query_one("#agenda", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#agenda", OptionList).action_cursor_up()

    def action_reload(self) -> None:
        self.load()
