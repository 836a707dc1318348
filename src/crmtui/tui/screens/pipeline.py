"""The pipeline board: a column per stage with count, sum and weighted sum; shift+←/→ moves a deal."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin
from crmtui.core import i18n, labels
from crmtui.core.formatting import format_amount, format_short
from crmtui.core.i18n import N_, _
from crmtui.tui.messages import DataChanged
from crmtui.core.labels import stage_name
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.dialogs.stage import choose_stage, move_deal
from crmtui.services.agenda import ALL_REPS, team_reps
from crmtui.services.lookup import owner_note
from crmtui.services.pipeline import Card, Column, board
from crmtui.tui.widgets.cells import fit, wrap_words
from crmtui.tui.widgets.status_footer import StatusFooter


MAX_CARDS = 300
"""Cards drawn per column (the longest in stage first); counts and sums cover every deal. Filling 7,000
cards took ~1 s on the event loop (bench/bench_tui.py), 300 per column keeps a reload well under that."""


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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_rep":
            return self.crm.is_manager
        return True

    def compose(self) -> ComposeResult:
        yield Static(_("Pipeline"), classes="title", id="board-title")
        with Horizontal(id="board"):
            for stage in self.crm.ctx.settings.stages:
                with Vertical(classes="column", id=f"col-{stage.key}"):
                    yield Static("", classes="column-head", id=f"head-{stage.key}")
                    yield OptionList(id=f"list-{stage.key}", classes="column-list")
        yield StatusFooter()

    def on_mount(self) -> None:
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
        self.columns = columns
        self.cards = {}
        total = sum(c.total_cents for c in columns if c.stage.key not in ("won", "lost"))
        weighted = sum(c.weighted_cents for c in columns if c.stage.key not in ("won", "lost"))
        self.query_one("#board-title", Static).update(Text(
            _("Pipeline") + " · " + _("open {total} · weighted {weighted}").format(
                total=format_amount(total) or "0", weighted=format_amount(weighted) or "0")
            + ("" if self.rep is None else "  @" + (_("every rep") if self.rep == ALL_REPS else self.rep))
            + "   " + _("! stalled  ? no next follow-up")))
        for column in columns:
            key = column.stage.key
            listing = self.query_one(f"#list-{key}", OptionList)
            # Leave room for the scrollbar that appears once the cards overflow (set to 1 cell in app.tcss).
            width = max(6, listing.size.width - 2)
            head = Text(no_wrap=True, overflow="ellipsis")
            # A stage name wraps onto a second line rather than losing its end ("Initial cont…").
            name = wrap_words(stage_name(column.stage), width + 1, 2)
            head.append("\n".join(name + [""] * (2 - len(name))) + "\n", style="bold")
            lang = i18n.language
            head.append(fit(f"{len(column.cards)} · Σ {format_short(column.total_cents, lang)}", width + 1) + "\n")
            head.append(fit(f"≈ {format_short(column.weighted_cents, lang)}", width + 1), style="dim")
            self.query_one(f"#head-{key}", Static).update(head)
            options = []
            for card in column.cards[:MAX_CARDS]:
                self.cards[card.deal_id] = card
                # ASCII marks: "⚠"-like symbols are ambiguous-width and misalign beside Chinese text.
                marks = ("!" if card.stalled else "") + ("?" if card.no_next_step else "")
                line1 = Text(fit(card.customer_name, width - len(marks)), style="bold")
                line1.append(marks, style="bold red")
                line2 = Text(fit(card.title, width))
                line3 = Text(fit(f"{format_amount(card.amount_cents) or '-'} · {labels.days(card.days_in_stage)}", width),
                             style="dim")
                lines = [line1, line2, line3]
                whose = owner_note(self.crm.ctx, card.owner, "@") if self.crm.is_manager else ""
                if whose:  # a manager's board: a fourth line says whose deal it is
                    lines.append(Text(fit(whose, width), style="italic dim"))
                card_text = Text("\n", no_wrap=True, overflow="ellipsis").join(lines)
                options.append(Option(card_text, id=card.deal_id))
            if len(column.cards) > MAX_CARDS:
                more = _("… and {count} more").format(count=len(column.cards) - MAX_CARDS)
                options.append(Option(Text(fit(more, width), style="dim"), disabled=True))
            listing.set_options(options)
        if focused is not None and focused.deal_id in self.cards:
            self._focus_card(focused.deal_id)
            return
        listing = self.focused if isinstance(self.focused, OptionList) else None
        if listing is None or not listing.option_count:
            first = next((c for c in columns if c.cards), None)
            listing = self.query_one(f"#list-{first.stage.key}", OptionList) if first else None
        if listing is not None:
            listing.focus()
            if listing.highlighted is None and listing.option_count:
                listing.highlighted = 0

    def _focus_card(self, deal_id: str) -> None:
        for column in self.columns:
            if any(card.deal_id == deal_id for card in column.cards):
                listing = self.query_one(f"#list-{column.stage.key}", OptionList)
                listing.highlighted = listing.get_option_index(deal_id)
                listing.focus()
                return

    def _focused_index(self) -> int:
        for index, column in enumerate(self.columns):
            if self.query_one(f"#list-{column.stage.key}", OptionList).has_focus:
                return index
        return 0

    def current_card(self) -> Card | None:
        """The card under the cursor of the focused column."""
        focused = self.focused
        if isinstance(focused, OptionList) and focused.highlighted_option is not None:
            return self.cards.get(focused.highlighted_option.id or "")
        return None

    def action_column(self, step: int) -> None:
        index = self._focused_index() + step
        if 0 <= index < len(self.columns):
            listing = self.query_one(f"#list-{self.columns[index].stage.key}", OptionList)
            listing.focus()
            if listing.highlighted is None and listing.option_count:
                listing.highlighted = 0

    def action_move(self, step: int) -> None:
        """One stage back or forward; Won, Lost and Quote open their gate first."""
        card = self.current_card()
        if card is None:
            return
        index = self._focused_index() + step
        if not 0 <= index < len(self.columns):
            return
        move_deal(self.crm, card.deal_id, card.title, self.columns[index].stage.key)

    def action_stage(self) -> None:
        card = self.current_card()
        if card is not None:
            choose_stage(self.crm, card.deal_id, card.title, self.columns[self._focused_index()].stage.key)

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
