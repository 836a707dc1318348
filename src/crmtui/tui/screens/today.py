"""Today 今日待办: the home screen, the agenda in sections, each row saying why it is listed."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin
from crmtui.core import i18n
from crmtui.core.dates import format_when
from crmtui.core.formatting import format_amount
from crmtui.core.i18n import N_, _
from crmtui.core.normalize import visible
from crmtui.tui.messages import DataChanged
from crmtui.services.agenda import ALL_REPS, COMING, COMING_DAYS, SHOWN, Agenda, AgendaItem, RepLoad, agenda_for
from crmtui.services.agenda_words import header_counts, load_text, reason, section_title
from crmtui.tui.widgets.line_list import LazyOption, LineList
from crmtui.tui.widgets.status_footer import StatusFooter

INDENT = 1
"""Cells before a row's name: the rows sit under their section's header."""
GAP = 2
"""Cells between two columns."""
NAME_COMFORT = 20
"""A name cut to this many cells still says who it is (a Chinese company loses 有限公司 first): the name gives up
its tail down to this before the plan is cut."""
REASON_MIN = 12
"""What a reason keeps on a very narrow screen before the name is cut below NAME_COMFORT."""
PLAN_MIN = 10
"""A plan narrower than this says nothing ("→ Se…"): left out, its room given to the reason."""
SECTION_ROWS = 60
"""The rows a section shows at first, its most urgent (two screens of a tall terminal): its header counts them all,
and its last line, "… and 1,234 more", shows this many more on Enter. Today then costs the same whatever the size
of the book: the rows are laid out from these alone, and each is drawn only when it scrolls into view."""


def cells(text: str) -> int:
    """The cells `text` takes once shown (control characters made visible, as clip shows them)."""
    return cell_len(visible(text).replace("\n", " "))


@dataclass(frozen=True)
class Columns:
    """The widths, in terminal cells, of one section's columns (every section shares the name and amount)."""

    name: int
    reason: int
    plan: int
    """0: no room for the plan, the reason takes the rest of the row."""
    amount: int


def lay_out(width: int, names: Iterable[str], amounts: Iterable[str],
            sections: dict[str, tuple[int, int]]) -> dict[str, Columns]:
    """Each section's columns on a row of `width` cells, by priority: the name, the reason, the next plan, the
    amount. `sections` holds each section's widest reason and plan. The name and the amount line up across the
    sections. When the row is short, the name gives up its tail down to NAME_COMFORT, then the plan is cut (or
    left out), then the reason; the name is cut further last."""
    amount = max((cells(text) for text in amounts), default=0)
    room = width - INDENT - (amount + GAP if amount else 0)
    name = max((cells(text) for text in names), default=0)
    needs = max((GAP + reason_w + (GAP + plan_w if plan_w else 0) for reason_w, plan_w in sections.values()),
                default=0)
    if name > room - needs:
        name = max(room - needs, min(name, NAME_COMFORT))
    name = max(0, min(name, room - GAP - REASON_MIN))
    columns = {}
    for section, (reason_w, plan_w) in sections.items():
        rest = max(0, room - name - GAP)
        reason = min(reason_w, rest)
        plan_room = rest - reason - GAP
        if plan_w and plan_room >= min(plan_w, PLAN_MIN):
            columns[section] = Columns(name, reason, plan_room, amount)
        else:
            columns[section] = Columns(name, rest, 0, amount)
    return columns


def clip(value: str, width: int) -> str:
    """The value in exactly `width` cells, cut with … right after its last word or character (a wide character
    that does not fit leaves its cell after the …, not before it)."""
    text = visible(value).replace("\n", " ")
    if width <= 0:
        return ""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1).rstrip(" ") + "…"
    return text + " " * (width - cell_len(text))


class AgendaList(LineList):
    """Today's list, a line a row: its component classes carry the urgency colours and the section headers' look,
    from the theme's variables (app.tcss, "Today")."""

    COMPONENT_CLASSES: ClassVar[set[str]] = OptionList.COMPONENT_CLASSES | {
        "agenda--header", "agenda--muted", "agenda--plan", "agenda--name", "agenda--amount",
        "agenda--overdue", "agenda--due", "agenda--stalled", "agenda--new", "agenda--pool", "agenda--soon",
    }

    URGENCY: ClassVar[dict[str, str]] = {
        "pool": "agenda--pool", "overdue": "agenda--overdue", "due": "agenda--due", "stalled": "agenda--stalled",
        "new_leads": "agenda--new", "renewals": "agenda--soon", "payments": "agenda--soon",
        "birthdays": "agenda--soon", COMING: "agenda--muted", "team": "agenda--soon",
        "escalated": "agenda--overdue", "tickets": "agenda--overdue", "revisits": "agenda--due",
        "touch": "agenda--stalled", "service": "agenda--soon", "holidays": "agenda--soon",
    }
    """The component class that colours a section's reasons, its header and its count in the title."""

    def urgency(self, section: str, item: AgendaItem | None = None) -> Style:
        """The colour of a section's reasons; an instalment already past due is overdue, whatever its section."""
        if item is not None and item.section == "payments" and item.days < 0:
            section = "overdue"
        elif item is not None and item.section == "revisits" and item.days > 0:
            section = "overdue"  # a revisit already late
        elif item is not None and item.section == "tickets" and item.kind == "soon":
            section = "due"  # a ticket not late yet
        return self.get_visual_style(self.URGENCY.get(section, "agenda--muted"), partial=True)

    def part(self, name: str) -> Style:
        """The style of one of the row's parts (agenda--name, agenda--plan, agenda--muted)."""
        return self.get_visual_style(name, partial=True)


class TodayScreen(CrmScreenMixin, Screen[None]):
    """What to do today: overdue, due, revisits, stalled deals, new leads, service requests, customers due for a
    touch, service dates, renewals, payments, birthdays, holidays. A manager's own Today starts with the team:
    each rep's waiting work, then the team's late work (escalated); Enter opens that rep's Today (Esc comes
    back)."""

    BINDINGS = [
        Binding("enter", "open", N_("Open"), id="open", show=False),
        # A priority binding opens the form as the key arrives: the keys typed right after it then go to the
        # form, not to this screen's list (a binding that waits for the key to bubble up comes too late).
        Binding("l", "log", N_("Log follow-up"), id="log", priority=True),
        Binding("n", "new", N_("New"), id="new"),
        Binding("s", "stage", N_("Stage"), id="stage"),
        Binding("tab", "next_section", N_("Next section"), id="next-section", show=False, key_display="tab"),
        Binding("shift+tab", "previous_section", N_("Previous section"), id="previous-section", show=False,
                key_display="⇧tab"),
        Binding("j", "down", N_("Down"), id="down", show=False),
        Binding("k", "up", N_("Up"), id="up", show=False),
        Binding("r", "reload", N_("Reload"), id="reload", show=False),
        Binding("escape", "back", N_("Back"), id="back-today"),
        Binding("i", "import_file", N_("Import…"), id="import", show=False),
        Binding("u", "undo", N_("Undo"), id="undo", show=False),
    ]
    TEAM_ACTIONS = ("back",)
    """A manager's only: back from a rep's Today to the manager's own."""

    def __init__(self, rep: str | None = None, first: Future[Agenda] | None = None) -> None:
        super().__init__()
        self.rep = rep
        """Whose Today: None for the rep's own, a rep's name or ALL_REPS (opened from a manager's team section)."""
        self.first = first
        """The agenda already being read when the screen was made (the app's start-up reads it while Textual
        starts): the first load waits for it instead of reading it again."""
        self.agenda: Agenda | None = None
        self.items: dict[str, AgendaItem] = {}
        self.reps: dict[str, RepLoad] = {}
        self.shown: dict[str, int] = {}
        self._laid_out: tuple[object, ...] = ()
        """The rows each section shows, where the rep asked for more than SECTION_ROWS (kept through reloads)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.rep is not None  # the home screen has nowhere to go back to
        return True

    def compose(self) -> ComposeResult:
        yield Static(_("Today"), id="today-title", classes="title")
        yield AgendaList(id="agenda")
        yield StatusFooter()

    def on_mount(self) -> None:
        # The rows carry the theme's colours: a new theme paints them again.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.call_after_refresh(self.relayout))
        self.load()

    def on_resize(self) -> None:
        # After the layout: the list's new width is known only then.
        self.call_after_refresh(self.relayout)

    def relayout(self) -> None:
        """Lays the agenda out again for the list's current width and colours (not when they are those it was
        laid out for: the start-up sends several resizes of the same size)."""
        if self.agenda is not None and self._laid_out != self._layout_for():
            self.show_agenda(self.agenda)

    def _layout_for(self) -> tuple[object, ...]:
        """What the rows' layout and colours depend on, besides the agenda: the screen's and the list's sizes, the
        theme."""
        return self.size, self.query_one("#agenda", AgendaList).content_region.size, self.app.theme

    @on(DataChanged)
    def reload_on_change(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="today", exit_on_error=False)
    def load(self) -> None:
        """Reads the agenda in a thread; the list is rebuilt on the event loop."""
        ctx = self.crm.ctx
        first, self.first = self.first, None
        if first is not None:
            agenda = first.result()
        else:
            agenda = agenda_for(ctx) if self.rep is None else agenda_for(ctx, rep=self.rep)
        self.app.call_from_thread(self.show_agenda, agenda)

    def _row_width(self, listing: AgendaList, lines: int) -> int:
        """The cells a row of the list has: its width inside the padding, less the scrollbar when the rows
        overflow (the list fills the screen's width, which stands in for it before the first layout)."""
        region = listing.content_region
        width = region.width or max(0, self.size.width - 2)
        height = region.height or max(0, self.size.height - 2)
        if lines > height:
            width -= listing.styles.scrollbar_size_vertical
        return max(20, width)

    def show_agenda(self, agenda: Agenda, cursor: str | None = None) -> None:
        """Rebuilds the list for the current width, keeping the highlighted row where it still is (`cursor`: on
        that row instead, the list scrolled as it was). Each section
        lists its first rows (SECTION_ROWS, or more where the rep asked): the columns are laid out from those, and
        a row's line is made only when it is drawn."""
        self.agenda = agenda
        listing = self.query_one("#agenda", AgendaList)
        previous = self.current_item()
        option = listing.highlighted_option
        previous_rep = option.id if option is not None and option.id in self.reps else None
        scroll_y = listing.scroll_y
        self.items, self.reps = {}, {}
        sections = [name for name in SHOWN if agenda.sections.get(name)]
        listed = {name: agenda.sections[name][:self.shown.get(name, SECTION_ROWS)] for name in sections}
        quiet = self._quiet_lines(agenda)
        lines = len(quiet) + (1 + len(agenda.team) if agenda.team else 0) + sum(
            1 + len(listed[name]) + (agenda.totals[name] > len(listed[name])) for name in sections)
        width = self._row_width(listing, lines)
        self._laid_out = self._layout_for()
        self._show_title(agenda)
        muted = listing.part("agenda--muted")
        options = self._team_options(listing, agenda.team, width)
        first_quiet = [Option(Content.styled(text, muted), disabled=True) for text in quiet[:1]]
        rows = {name: [(item, reason(self.crm.ctx, item), ("→ " + item.next_plan) if item.next_plan else "",
                        format_amount(item.amount_cents)) for item in listed[name]] for name in sections}
        columns = lay_out(
            width, (item.customer_name for name in sections for item in listed[name]),
            (amount for name in sections for *_rest, amount in rows[name]),
            {name: (max(cells(why) for _item, why, _plan, _amount in rows[name]),
                    max(cells(plan) for _item, _why, plan, _amount in rows[name])) for name in sections})
        for name in sections:
            if name != "escalated":  # what an empty day says comes after the team's late work, before the rest
                options += first_quiet
                first_quiet = []
            options.append(self._header(name, f"{section_title(name)} ({agenda.totals[name]:,})", width))
            for index, (item, why, plan, amount) in enumerate(rows[name]):
                key = f"{name}|{index}"
                self.items[key] = item
                options.append(LazyOption(partial(self._row, listing, columns[name], item, why, plan, amount), id=key))
            options += self._more(name, agenda, len(listed[name]), muted)
        options += first_quiet + [Option(Content.styled(text, muted), disabled=True) for text in quiet[1:]]
        listing.set_options(options)
        if cursor is not None:  # more rows of a section: the rows above stay where they were
            listing.scroll_to(y=scroll_y, animate=False, immediate=True)
            listing.highlighted = listing.get_option_index(cursor)
            listing.focus()
            return
        if previous_rep in self.reps:
            listing.highlighted = listing.get_option_index(previous_rep)
            listing.focus()
            return
        self._highlight(listing, previous)

    def _more(self, section: str, agenda: Agenda, listed: int, muted: Style) -> list[Option]:
        """A section's last line when it has more rows than it lists: how many more, and, where the agenda holds
        some of them, Enter to list the next SECTION_ROWS of them."""
        hidden = agenda.totals[section] - listed
        if hidden <= 0:
            return []
        more = " " * INDENT + _("… and {count} more").format(count=f"{hidden:,}")
        if len(agenda.sections[section]) > listed:
            page = min(SECTION_ROWS, len(agenda.sections[section]) - listed)
            more += " · " + _("Enter shows {count} more").format(count=page)
            return [Option(Content.styled(more, muted), id=f"more|{section}")]
        return [Option(Content.styled(more, muted), disabled=True)]

    def show_more(self, section: str) -> None:
        """The section's next SECTION_ROWS rows, the cursor on the first of them."""
        listed = self.shown.get(section, SECTION_ROWS)
        if self.agenda is None or len(self.agenda.sections.get(section, [])) <= listed:
            return  # the agenda holds no more of them
        self.shown[section] = listed + SECTION_ROWS
        self.show_agenda(self.agenda, cursor=f"{section}|{listed}")

    def _team_options(self, listing: AgendaList, team: list[RepLoad], width: int) -> list[Option]:
        """A manager's team section: each rep's waiting work (none for a rep)."""
        if not team:
            return []
        options = [self._header("team", f"{_('Team')} ({len(team)})", width)]
        rep_w = min(max(cells(load.rep) for load in team), NAME_COMFORT)
        for load in team:
            key = f"rep|{load.rep}"
            self.reps[key] = load
            options.append(Option(Content.assemble(
                " " * INDENT, (clip(load.rep, rep_w), listing.part("agenda--name")), " " * GAP,
                (clip(load_text(load), width - INDENT - rep_w - GAP), listing.urgency("team"))), id=key))
        return options

    def _quiet_lines(self, agenda: Agenda) -> list[str]:
        """What an empty day says: first above the look-ahead, then (when the week is empty too) below it."""
        if agenda.own_items():
            return []
        if agenda.book_empty:
            return [_("Nothing due today. Press n to add a lead, or run `crm demo` for sample data.")]
        first = _("Nothing of your own due today.") if agenda.team else _("Nothing due today.")
        if agenda.sections.get(COMING):
            return [first]
        return [first, _("Nothing planned in the next {days} days either.").format(days=COMING_DAYS)]

    def _show_title(self, agenda: Agenda) -> None:
        """The day and the counts that cannot wait, each in its section's colour: the sections' short words when
        the long ones do not fit, then without the date (the counts matter more than the date)."""
        listing = self.query_one("#agenda", AgendaList)
        day = format_when(agenda.day, has_time=False, lang=i18n.language)
        whose = "" if agenda.rep is None else " · " + (_("every rep") if agenda.rep == ALL_REPS else agenda.rep)
        room = max(0, self.size.width - 2)  # the title's padding
        forms = ((f"{_('Today')} · {day}{whose}", False, "  "), (f"{_('Today')} · {day}{whose}", True, " · "),
                 (f"{_('Today')}{whose}", True, " · "))
        for lead, short, separator in forms:
            counts = header_counts(agenda, short=short)
            if cell_len(lead + "   " + separator.join(words for _name, words in counts)) <= room:
                break
        parts: list[str | tuple[str, Style]] = [lead + ("   " if counts else "")]
        for index, (name, words) in enumerate(counts):
            parts += ([separator] if index else []) + [(words, listing.urgency(name))]
        self.query_one("#today-title", Static).update(Content.assemble(*parts))

    def _header(self, section: str, text: str, width: int) -> Option:
        """A section's header: a band across the list in the section's colour, never highlighted."""
        listing = self.query_one("#agenda", AgendaList)
        band = Content.styled(clip(text, width), listing.part("agenda--header")).stylize(listing.urgency(section))
        return Option(band, id=f"section|{section}", disabled=True)

    def _row(self, listing: AgendaList, widths: Columns, item: AgendaItem, why: str, plan: str,
             amount: str) -> Content:
        """One customer's row: each column its own style, so every column starts on its own cell in any
        picture of the screen, whatever the script of the column before it."""
        parts: list[str | tuple[str, Style]] = [
            " " * INDENT, (clip(item.customer_name, widths.name), listing.part("agenda--name")), " " * GAP,
            (clip(why, widths.reason), listing.urgency(item.section, item))]
        if widths.plan:
            parts += [" " * GAP, (clip(plan, widths.plan), listing.part("agenda--plan"))]
        if widths.amount:  # the padding apart: the amount's own segment starts where its digits do
            parts += [" " * (GAP + widths.amount - cells(amount)), (amount, listing.part("agenda--amount"))]
        return Content.assemble(*parts)

    def _highlight(self, listing: AgendaList, previous: AgendaItem | None) -> None:
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
        listing = self.query_one("#agenda", AgendaList)
        option = listing.highlighted_option
        return self.items.get(option.id) if option is not None and option.id else None

    @on(OptionList.OptionSelected, "#agenda")
    def open_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id or "")

    def action_open(self) -> None:
        option = self.query_one("#agenda", AgendaList).highlighted_option
        if option is not None and option.id:
            self._open(option.id)

    def _open(self, key: str) -> None:
        """A customer row opens the customer; a rep's row of the team section opens that rep's Today."""
        if key.startswith("more|"):
            self.show_more(key.removeprefix("more|"))
            return
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

    def _section_starts(self) -> list[tuple[int, int]]:
        """Each section's header and first row, as indexes in the list, top to bottom."""
        options = self.query_one("#agenda", AgendaList).options
        starts: list[tuple[int, int]] = []
        for index, option in enumerate(options):
            if option.id and option.id.startswith("section|"):
                first = next((i for i in range(index + 1, len(options)) if not options[i].disabled), None)
                if first is not None and (not starts or starts[-1][1] != first):
                    starts.append((index, first))
        return starts

    def _jump(self, step: int) -> None:
        """To the first row of the next (step 1) or previous (-1) section, round the ends; its header in view."""
        listing = self.query_one("#agenda", AgendaList)
        starts = self._section_starts()
        if not starts:
            return
        current = listing.highlighted if listing.highlighted is not None else -1
        here = max((n for n, (_head, first) in enumerate(starts) if first <= current), default=-1)
        header, first = starts[(here + step) % len(starts)] if here >= 0 or step > 0 else starts[-1]
        listing.highlighted = first
        listing.scroll_to(y=header, animate=False, immediate=True)

    def action_next_section(self) -> None:
        self._jump(1)

    def action_previous_section(self) -> None:
        self._jump(-1)

    def action_down(self) -> None:
        self.query_one("#agenda", AgendaList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#agenda", AgendaList).action_cursor_up()

    def action_reload(self) -> None:
        self.load()

    def action_undo(self) -> None:
        """Undoes the rep's last change, after naming it."""
        # deferred: the history's services (its wording loads the sync's), paid when `u` is first pressed
        from crmtui.tui.screens.history import ask_undo

        ask_undo(self.crm)

    def action_import_file(self) -> None:
        # deferred: the import dialog, paid when `i` is first pressed, not at every launch
        from crmtui.tui.dialogs.import_file import open_import

        open_import(self.app)
