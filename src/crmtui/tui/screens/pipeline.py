"""The pipeline board: a column per stage with count, sum and weighted sum; shift+←/→ moves a deal.

As many stages as fit at a readable width stand side by side; ←/→ walk the stages and the window of columns
follows, the line under the title naming the stages out of sight on either side. Each deal is a card edged in
its stage's colour, its urgency (stalled, no next follow-up, close date passed) in the theme's warning colours."""

from __future__ import annotations

from rich.cells import cell_len, chop_cells
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.core import i18n, labels
from crmtui.core.config import Stage
from crmtui.core.formatting import format_amount, format_short
from crmtui.core.i18n import N_, _, ngettext
from crmtui.core.labels import stage_name
from crmtui.core.normalize import visible
from crmtui.services.agenda import ALL_REPS, team_reps
from crmtui.services.lookup import owner_note
from crmtui.services.pipeline import CARDS_PER_COLUMN, CLOSED_DAYS, Card, Column, board
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.dialogs.stage import choose_stage, move_deal
from crmtui.tui.messages import DataChanged
from crmtui.tui.widgets.cells import fit
from crmtui.tui.widgets.status_footer import StatusFooter

MAX_CARDS = CARDS_PER_COLUMN
"""Cards drawn per column (the longest in stage first; the board reads no more); counts and sums cover every
deal. Filling 7,000 cards took ~1 s on the event loop (bench/bench_tui.py), 300 per column keeps a reload well
under that."""

MIN_COLUMN = 25
"""Cells a stage column needs so that a card holds a customer name of ten Chinese characters (20 cells) on one
line: 80 columns show three stages, 100 four, 175 and more all seven of the default pipeline."""

CARD_CHROME = 5
"""Cells of a column that are not card text: its right border, the list's scrollbar, the card's coloured edge
and a space either side of the text."""

HEAD_CHROME = 3
"""Cells of a column that are not header text: its right border and the header's padding."""

EDGES = {"early": "on $secondary", "late": "on $primary", "won": "on $success", "lost": "on $foreground 35%"}
"""The card edge of each kind of stage, in the theme's colours (the header's are in app.tcss)."""


def stage_tone(stage: Stage) -> str:
    """What colours a stage: won, lost, or an open stage early (under 40%) or late in the pipeline."""
    if stage.key in ("won", "lost"):
        return stage.key
    return "late" if stage.probability >= 40 else "early"


def visible_count(width: int, stages: int) -> int:
    """How many stage columns stand side by side in `width` cells (at least one)."""
    return max(1, min(stages, width // MIN_COLUMN))


COMPANY_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
"""Where a Chinese company name that needs two lines breaks best: 合肥宏图医疗器械 / 有限公司."""


def line_break(text: str, width: int) -> int:
    """Where a name longer than `width` cells breaks: before its company form when both parts fit, at the last
    space that leaves the first line within `width`, else (Chinese has no spaces) near the middle by cells,
    never a lone character on the second line."""
    for form in COMPANY_FORMS:
        head = text.removesuffix(form)
        if head != text and head and cell_len(head) <= width and cell_len(form) <= width:
            return len(head)
    spaces = [index for index, character in enumerate(text) if character == " " and 0 < cell_len(text[:index]) <= width]
    if spaces:
        return spaces[-1]
    total = cell_len(text)
    first = min(width, max((total + 1) // 2, total - width))
    return max(1, len(chop_cells(text, first)[0]))


def wrap_cells(value: str, width: int, lines: int) -> list[str]:
    """`value` on at most `lines` lines of `width` display cells (see line_break); only the last is cut with …."""
    rest = visible(value).replace("\n", " ").strip()
    out: list[str] = []
    while len(out) < lines - 1 and cell_len(rest) > width:
        cut = line_break(rest, width)
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    out.append(rest)
    return [fit(line, width) for line in out]


def card_content(card: Card, width: int, tone: str, whose: str = "") -> Content:
    """A deal's card, `width` cells of text between its coloured edge and a space: the customer's name whole
    (on two lines if need be), the deal, the amount with the marks and days in stage, and the close date when
    it has passed."""
    lines: list[list[tuple[str, str]]] = [[(name, "bold")] for name in wrap_cells(card.customer_name, width, 2)]
    lines.append([(fit(card.title, width), "")])
    # ASCII marks: "⚠"-like symbols are ambiguous-width and misalign beside Chinese text.
    marks = ("!" if card.stalled else "") + ("?" if card.no_next_step else "")
    amount = format_amount(card.amount_cents) or "-"
    days = labels.days(card.days_in_stage)
    right = cell_len(days) + (len(marks) + 1 if marks else 0)
    amount = fit(amount, max(1, width - right - 1))
    lines.append([(amount, "bold"), (" ", ""), (marks + " " if marks else "", "bold $text-warning"),
                  (days, "$text-warning" if card.stalled else "$text-muted")])
    if card.days_past_close:
        overdue = _("close overdue {days} d").format(days=card.days_past_close)
        lines.append([(fit(overdue, width), "$text-error")])
    if whose:  # a manager's board: one more line says whose deal it is
        lines.append([(fit(whose, width), "italic $text-muted")])
    edge = (" ", EDGES[tone])
    return Content("\n").join(Content.assemble(edge, " ", *parts, " ") for parts in lines)


def head_content(column: Column, width: int, name_lines: int) -> Content:
    """A column's header: the stage's whole name, count and sum, then the weighted sum (open stages) or the
    period that Won and Lost cover."""
    lang = i18n.language
    names = wrap_cells(stage_name(column.stage), width, 2)
    names += [fit("", width)] * (name_lines - len(names))
    totals = f"{column.count} · Σ {format_short(column.total_cents, lang)}"
    if column.stage.key in ("won", "lost"):
        last = _("last {days} days").format(days=CLOSED_DAYS)
    else:
        last = f"≈ {format_short(column.weighted_cents, lang)}"
    return Content("\n").join([Content.styled(name, "bold") for name in names]
                              + [Content(fit(totals, width)), Content.styled(fit(last, width), "$text-muted")])


def first_that_fits(candidates: list[str], width: int) -> str:
    """The first candidate that is at most `width` cells; the last one cut to fit when none is."""
    for candidate in candidates:
        if cell_len(candidate) <= width:
            return candidate
    return fit(candidates[-1], width).rstrip()


class PipelineScreen(CrmScreenMixin, Screen[None]):
    """Deals by stage. Each column is an OptionList, which renders only the visible lines (2,000 deals stay fast)."""

    BINDINGS = [
        Binding("left,h", "column(-1)", N_("Previous stage"), id="column-left", show=False),
        Binding("right", "column(1)", N_("Next stage"), id="column-right", show=False),
        Binding("shift+left", "move(-1)", N_("Move back"), id="move-left", key_display="⇧←"),
        Binding("shift+right", "move(1)", N_("Move forward"), id="move-right", key_display="⇧→"),
        Binding("s", "stage", N_("Stage"), id="stage-board"),
        Binding("l", "log", N_("Log follow-up"), id="log-board"),
        Binding("enter", "open", N_("Open"), id="open-board", show=False),
        Binding("j", "down", N_("Down"), show=False),
        Binding("k", "up", N_("Up"), show=False),
        Binding("escape", "back", N_("Back"), id="back-board"),
        Binding("at", "pick_rep", N_("Rep"), id="rep-board", key_display="@"),
    ]
    TEAM_ACTIONS = ("pick_rep",)
    """A manager's only: whose deals the board shows."""

    def __init__(self) -> None:
        super().__init__()
        self.columns: list[Column] = []
        self.cards: dict[str, Card] = {}
        self.rep: str | None = None
        """A manager's filter: one rep's deals, every rep's (ALL_REPS), or everything on the laptop (None)."""
        self.first = 0
        """The index of the leftmost stage on screen."""
        self.shown = 1
        """How many stages stand side by side at the current width (set when the board is drawn)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_rep":
            return self.crm.is_manager
        return True

    def compose(self) -> ComposeResult:
        yield Static(_("Pipeline"), classes="title", id="board-title")
        yield Static("", id="board-nav")
        with Horizontal(id="board"):
            for stage in self.crm.ctx.settings.stages:
                tone = f"tone-{stage_tone(stage)}"
                with Vertical(classes="column", id=f"col-{stage.key}"):
                    yield Static("", classes=f"column-head {tone}", id=f"head-{stage.key}")
                    yield OptionList(id=f"list-{stage.key}", classes=f"column-list board-list {tone}")
        yield StatusFooter()

    def on_mount(self) -> None:
        # The window of stages is set before the deals arrive, so the columns never flash at a seventh of the width.
        self.shown = visible_count(self.app.size.width, len(self.crm.ctx.settings.stages))
        self._show_window(0)
        self.load()

    def on_resize(self) -> None:
        if self.columns:
            self.call_after_refresh(self.show_board, self.columns)

    @on(DataChanged)
    def reload_on_change(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def load(self) -> None:
        columns = board(self.crm.ctx, self.rep)
        self.app.call_from_thread(self.show_board, columns)

    def show_board(self, columns: list[Column]) -> None:
        """Fills every column, keeping the focused card where it is."""
        focused = self.current_card()
        focused_index = self._focused_index()
        self.columns = columns
        self.cards = {}
        screen_width = self.app.size.width
        self.shown = visible_count(screen_width, len(columns))
        column_width = screen_width // self.shown
        self._show_title(screen_width - 2)
        head_width = max(4, column_width - HEAD_CHROME)
        name_lines = max(len(wrap_cells(stage_name(c.stage), head_width, 2)) for c in columns)
        width = max(4, column_width - CARD_CHROME)
        for column in columns:
            key = column.stage.key
            head = self.query_one(f"#head-{key}", Static)
            head.styles.height = name_lines + 2
            head.update(head_content(column, head_width, name_lines))
            tone = stage_tone(column.stage)
            options: list[Option | None] = []
            for card in column.cards[:MAX_CARDS]:
                self.cards[card.deal_id] = card
                whose = owner_note(self.crm.ctx, card.owner, "@") if self.crm.is_manager else ""
                options += [Option(card_content(card, width, tone, whose), id=card.deal_id), None]
            drawn = min(len(column.cards), MAX_CARDS)
            if column.count > drawn:
                more = _("… and {count} more").format(count=column.count - drawn)
                options.append(Option(Content.styled(fit(more, width + 2), "$text-muted"), disabled=True))
            self.query_one(f"#list-{key}", OptionList).set_options(options)
        if focused is not None and focused.deal_id in self.cards:
            self._focus_card(focused.deal_id)
            return
        if focused_index is None or not columns[focused_index].cards:
            focused_index = next((i for i, c in enumerate(columns) if c.cards), focused_index or 0)
        self._focus_column(focused_index)

    def _show_title(self, width: int) -> None:
        """The title with the open and weighted totals in full, else short, and the legend of the marks when
        there is room for it."""
        total = sum(c.total_cents for c in self.columns if c.stage.key not in ("won", "lost"))
        weighted = sum(c.weighted_cents for c in self.columns if c.stage.key not in ("won", "lost"))
        rep = "" if self.rep is None else "  @" + (_("every rep") if self.rep == ALL_REPS else self.rep)
        legend = "   " + _("! stalled  ? no next follow-up")
        lang = i18n.language
        full = _("Pipeline") + " · " + _("open {total} · weighted {weighted}").format(
            total=format_amount(total) or "0", weighted=format_amount(weighted) or "0") + rep
        short = _("Pipeline") + " · " + _("open {total} · weighted {weighted}").format(
            total=format_short(total, lang), weighted=format_short(weighted, lang)) + rep
        title = first_that_fits([full + legend, short + legend, full, short], width)
        self.query_one("#board-title", Static).update(Content(title))

    def _show_window(self, index: int) -> None:
        """Slides the window of columns just enough that the stage at `index` is on screen."""
        stages = self.crm.ctx.settings.stages
        if index < self.first:
            self.first = index
        elif index >= self.first + self.shown:
            self.first = index - self.shown + 1
        self.first = max(0, min(self.first, len(stages) - self.shown))
        for position, stage in enumerate(stages):
            self.query_one(f"#col-{stage.key}").display = self.first <= position < self.first + self.shown
        self._show_nav()

    def _show_nav(self) -> None:
        """Names the stages out of sight on either side with their counts ("‹ Initial contact 60", "Won 1 ›"),
        or only how many there are when the names do not fit."""
        nav = self.query_one("#board-nav", Static)
        stages = self.crm.ctx.settings.stages
        nav.display = self.shown < len(stages)
        if not nav.display:
            return
        counts = {column.stage.key: column.count for column in self.columns}
        before, after = stages[:self.first], stages[self.first + self.shown:]

        def names(hidden: tuple[Stage, ...]) -> str:
            return " · ".join(f"{stage_name(stage)} {counts.get(stage.key, '')}".rstrip() for stage in hidden)

        def count(hidden: tuple[Stage, ...]) -> str:
            return ngettext("{count} stage", "{count} stages", len(hidden)).format(count=len(hidden))

        width = self.app.size.width - 2
        for left, right in ((names(before), names(after)), (count(before), count(after))):
            left = "‹ " + left if before else ""
            right = right + " ›" if after else ""
            if cell_len(left) + cell_len(right) + 2 <= width:
                break
        gap = " " * max(1, width - cell_len(left) - cell_len(right))
        nav.update(Content.assemble((left, "$text-accent"), gap, (right, "$text-accent")))

    def _focus_column(self, index: int) -> None:
        """Shows the stage at `index` and puts the cursor in its column (on its first card if none was)."""
        if not self.columns:
            return
        self._show_window(index)
        listing = self.query_one(f"#list-{self.columns[index].stage.key}", OptionList)
        listing.focus()
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0

    def _focus_card(self, deal_id: str) -> None:
        for index, column in enumerate(self.columns):
            if any(card.deal_id == deal_id for card in column.cards):
                self._show_window(index)
                listing = self.query_one(f"#list-{column.stage.key}", OptionList)
                listing.highlighted = listing.get_option_index(deal_id)
                listing.focus()
                return

    def _focused_index(self) -> int | None:
        for index, column in enumerate(self.columns):
            if self.query_one(f"#list-{column.stage.key}", OptionList).has_focus:
                return index
        return None

    def current_card(self) -> Card | None:
        """The card under the cursor of the focused column."""
        focused = self.focused
        if isinstance(focused, OptionList) and focused.highlighted_option is not None:
            return self.cards.get(focused.highlighted_option.id or "")
        return None

    def action_column(self, step: int) -> None:
        index = (self._focused_index() or 0) + step
        if 0 <= index < len(self.columns):
            self._focus_column(index)

    def action_move(self, step: int) -> None:
        """One stage back or forward; Won, Lost and Quote open their gate first."""
        card = self.current_card()
        if card is None:
            return
        index = (self._focused_index() or 0) + step
        if not 0 <= index < len(self.columns):
            return
        move_deal(self.crm, card.deal_id, card.title, self.columns[index].stage.key)

    def action_stage(self) -> None:
        card = self.current_card()
        if card is not None:
            choose_stage(self.crm, card.deal_id, card.title, self.columns[self._focused_index() or 0].stage.key)

    def action_log(self) -> None:
        card = self.current_card()
        if card is not None:
            self.crm.log_follow_up(card.customer_id, card.customer_name)

    def action_open(self) -> None:
        card = self.current_card()
        if card is not None:
            self.crm.open_customer(card.customer_id)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        card = self.cards.get(event.option.id or "")
        if card is not None:
            self.crm.open_customer(card.customer_id)

    def action_down(self) -> None:
        if isinstance(self.focused, OptionList):
            self.focused.action_cursor_down()

    def action_up(self) -> None:
        if isinstance(self.focused, OptionList):
            self.focused.action_cursor_up()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_pick_rep(self) -> None:
        """Shows one rep's deals (a manager's board holds every rep's), or everyone's again."""
        choices = [("", _("Everyone"))] + [(name, name) for name in team_reps(self.crm.ctx)]

        def picked(value: str | None) -> None:
            if value is not None:
                self.rep = value or None
                self.load()

        self.app.push_screen(PickScreen(_("Whose deals"), choices), picked)
