"""The Reports screen (复盘): a tab per report, each computed in a thread for the chosen period (and rep, for a
manager) and drawn generically from its Report: headline figures, charts, tables and notes. Enter on a figure,
a bar, a grid row or a table row lists the records behind it; Enter there opens the customer.

Also the period picker (the words of `crm report --period`) and the list of a number's records."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static, TabbedContent, TabPane, Tabs
from textual.widgets.option_list import Option

from crmtui.core.errors import CrmError
from crmtui.core.i18n import N_, _, ngettext
from crmtui.core.periods import PRESETS, WORDS, Period, heading, parse_period
from crmtui.services.reports import REPORTS, module
from crmtui.services.reports.base import BarChart, Drill, Heatmap, Report, Table
from crmtui.services.reports.records import RecordLine, columns, records
from crmtui.services.reports.scope import reps
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.messages import DataChanged
from crmtui.tui.widgets.cells import fit, literal
from crmtui.tui.widgets.charts import BarChartView, FigureCard, GridView, HeatmapView, format_value
from crmtui.tui.widgets.status_footer import StatusFooter

NAMES = {"funnel": N_("Funnel"), "lost": N_("Lost"), "sources": N_("Sources"), "forecast": N_("Forecast"),
         "activity": N_("Activity"), "rfm": N_("Customer value"), "payments": N_("Payments"), "team": N_("Team")}
"""Each report's tab, short enough for the eight tabs to fit 80 columns."""

MAX_RECORDS = 500
"""Records a number's list shows (the title says how many there are in all): a DataTable fills 1k rows in
~0.2 s, more would hold the screen."""

ROOM_AROUND = 4
"""Cells of the screen's width a report's table does not get (the tab's padding and its scroll bar)."""

TABLE_PAGE = 200
"""Rows of a report's table drawn at first, the next as many each time the cursor reaches the last one drawn: the
customer value report lists every customer (18,445 on the bench's book), and drawing them all held the screen
for seconds (the report itself takes a fraction of that)."""

SIDEWAYS = 10
"""Cells a table scrolls sideways at shift+←/→."""

FIGURE_WIDTH = 30
"""Cells a headline figure takes: three side by side at 100 columns, two at 80, six at 200."""

PRESET_WORDS = {"this week": N_("this week"), "last week": N_("last week"), "this month": N_("this month"),
                "last month": N_("last month"), "this quarter": N_("this quarter"),
                "last quarter": N_("last quarter"), "this year": N_("this year"), "last 30 days": N_("last 30 days"),
                "last 90 days": N_("last 90 days")}
"""The usual periods as the picker lists them (the parser reads the English words in either language)."""

Built = Report | str
"""A computed report, or the sentence that says why there is none."""


def period_words(period: Period) -> str:
    """The period as the title names it, as `crm report` does (core.periods.heading)."""
    return heading(period)


def build_report(ctx: Any, name: str, period: Period, rep: str | None) -> Built:
    """The report, or what to say instead: a report not there yet, a refusal, a failure (never a traceback)."""
    try:
        found = module(name)
    except ModuleNotFoundError:
        return _("This report is not available yet.")
    try:
        report: Report = found.build(ctx, period, rep)
    except CrmError as error:
        return error.message()
    except Exception as error:  # noqa: BLE001 - a report's bug is shown on its tab, the app stays up
        return _("This report failed: {error}").format(error=str(error) or type(error).__name__)
    return report


def header_lines(label: str, widest: int) -> str:
    """A column's header on two lines (for a table wider than the screen) when it is wider than its values and
    has a space to break at ("Won against target" over 7-cell percentages: "Won against\ntarget"), the break
    that makes the longer line shortest; a Chinese header breaks between characters ("赢单占目标": "赢单\n占目标")."""
    wide = cell_len(label) > len(label)
    if cell_len(label) <= widest or (" " not in label and not (wide and len(label) >= 4)):
        return label
    if " " in label:
        words = label.split(" ")
        splits = [(" ".join(words[:n]), " ".join(words[n:])) for n in range(1, len(words))]
    else:  # Chinese of four characters or more: between two of them, two at least on each line
        splits = [(label[:n], label[n:]) for n in range(2, len(label) - 1)]
    first, second = min(splits, key=lambda pair: max(cell_len(pair[0]), cell_len(pair[1])))
    return f"{first}\n{second}"


class ReportTable(DataTable[Any]):
    """A report's table, a row a Row; Enter on a row lists its records."""

    def __init__(self, table: Table) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, classes="report-table")
        self.table = table
        self.drawn = 0
        """Rows of the table added so far (TABLE_PAGE at a time)."""

    def _cells(self, start: int, stop: int) -> list[list[Text]]:
        return [[Text(fit(format_value(value, column.kind), 40).rstrip(),
                      justify="left" if column.kind in ("text", "date") else "right")
                 for value, column in zip(row.values, self.table.columns, strict=False)]
                for row in self.table.rows[start:stop]]

    def on_mount(self) -> None:
        rows = self._cells(0, TABLE_PAGE)  # the columns' widths from the first page: later values are alike
        widest = [max((cell_len(line[index].plain) for line in rows if index < len(line)), default=0)
                  for index in range(len(self.table.columns))]
        labels = [column.label for column in self.table.columns]
        room = self.app.size.width - ROOM_AROUND

        def width(label: str, index: int) -> int:
            return max(widest[index], *(cell_len(line) for line in label.split("\n"))) + 2  # a cell's padding

        # only a table wider than the screen breaks its headers: the one that gains the most first, until it fits
        while sum(width(label, index) for index, label in enumerate(labels)) > room:
            gains = [(width(label, index) - width(header_lines(label, widest[index]), index), index)
                     for index, label in enumerate(labels) if "\n" not in label]
            gain, index = max(gains, default=(0, -1))
            if gain <= 0:
                break
            labels[index] = header_lines(labels[index], widest[index])
        self.header_height = max((label.count("\n") + 1 for label in labels), default=1)
        # a one-line header sits on the lower line, beside the second line of its neighbours, over its values
        labels = [label if "\n" in label else "\n" * (self.header_height - 1) + label for label in labels]
        for label, column in zip(labels, self.table.columns, strict=True):
            right = column.kind not in ("text", "date")
            self.add_column(Text(label, justify="right" if right else "left"), key=column.key)
        self._add(rows)

    def _add(self, rows: list[list[Text]]) -> None:
        for cells, row in zip(rows, self.table.rows[self.drawn:self.drawn + len(rows)], strict=True):
            self.add_row(*cells, key=row.key)
        self.drawn += len(rows)

    def more(self) -> None:
        """The next page of rows, if any are left."""
        if self.drawn < len(self.table.rows):
            self._add(self._cells(self.drawn, self.drawn + TABLE_PAGE))

    @on(DataTable.RowHighlighted)
    def _reached(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.drawn - 1:
            self.more()

    def drill_at(self, index: int) -> Drill | None:
        return self.table.rows[index].drill if 0 <= index < len(self.table.rows) else None


class ReportsScreen(CrmScreenMixin, Screen[None]):
    """A tab per report; digits jump, ←/→ step, shift+←/→ scroll a wide table sideways; P changes the period, @ the
    rep (a manager's key)."""

    BINDINGS = [
        Binding("right", "step(1)", N_("Next report"), id="next-report", show=False, priority=True),
        Binding("left", "step(-1)", N_("Previous report"), id="previous-report", show=False, priority=True),
        Binding("shift+right", "sideways(1)", N_("Scroll right"), id="report-table-right", show=False),
        Binding("shift+left", "sideways(-1)", N_("Scroll left"), id="report-table-left", show=False),
        *(Binding(str(n), f"jump({n - 1})", show=False, id=f"report-{n}") for n in range(1, 9)),
        Binding("P", "period", N_("Period"), id="period"),
        Binding("at", "pick_rep", N_("Rep"), id="rep-reports", key_display="@"),
        Binding("enter", "open_records", N_("Records"), id="report-records", show=False),
        Binding("a", "apply_tier", N_("Apply tier"), id="apply-tier"),
        Binding("A", "apply_all_tiers", N_("Apply all"), id="apply-all-tiers"),
        Binding("r", "reload", N_("Reload"), id="reload-report", show=False),
        Binding("escape", "back", N_("Back"), id="back"),
    ]

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.start = name
        self.period: Period | None = None
        self.rep: str | None = None
        self.reps: list[str] = []
        """The reps the picker offers (empty: no picker)."""
        self.built: dict[str, Built] = {}
        """The shown period's reports by name, dropped when the period, the rep or the data change."""
        self.names = list(REPORTS)
        self.computing: tuple[str, Period | None, str | None] | None = None
        """The report being computed (name, period, rep): asked again meanwhile, it is not started twice."""

    def compose(self) -> ComposeResult:
        yield Static(_("Reports"), id="reports-title", classes="title")
        with TabbedContent(id="reports-tabs", initial=f"report-{self.start or self.names[0]}"):
            for name in self.names:
                with TabPane(_(NAMES[name]), id=f"report-{name}"):
                    yield VerticalScroll(id=f"body-{name}", classes="report-body")
        yield StatusFooter()

    def on_mount(self) -> None:
        ctx = self.crm.ctx
        self.period = parse_period(None, ctx.clock.today(), ctx.clock.zone)
        self._show_title()
        self._find_reps()
        self.load()

    @work(thread=True, exclusive=True, group="report-reps", exit_on_error=False)
    def _find_reps(self) -> None:
        ctx = self.crm.ctx
        found = reps(ctx)  # none for a rep in a team: their reports are their own figures
        self.app.call_from_thread(self._set_reps, found)

    def _set_reps(self, found: list[str]) -> None:
        self.reps = found
        self.refresh_bindings()

    def active(self) -> str:
        pane = self.query_one(TabbedContent).active
        return pane.removeprefix("report-") if pane else self.names[0]

    def _show_title(self) -> None:
        assert self.period is not None
        parts = [_("Reports"), period_words(self.period)]
        if self.rep:
            parts.append(_("everyone") if self.rep == "all" else self.rep)
        self.query_one("#reports-title", Static).update(literal(" · ".join(parts)))

    # ------------------------------------------------------------------ computing

    def load(self) -> None:
        """Computes the active report unless it is on screen already for this period and rep."""
        name = self.active()
        if name in self.built or self.computing == (name, self.period, self.rep):
            return
        self.computing = (name, self.period, self.rep)
        body = self.query_one(f"#body-{name}", VerticalScroll)
        body.remove_children()
        body.mount(Static(_("Computing the report…"), classes="report-loading"))
        assert self.period is not None
        self._compute(name, self.period, self.rep)

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def _compute(self, name: str, period: Period, rep: str | None) -> None:
        built = build_report(self.crm.ctx, name, period, rep)
        self.app.call_from_thread(self._show, name, period, rep, built)

    def _show(self, name: str, period: Period, rep: str | None, built: Built) -> None:
        if self.computing == (name, period, rep):
            self.computing = None
        if (period, rep) != (self.period, self.rep):
            return  # the rep changed the period while it was computed: the new one is on its way
        self.built[name] = built
        body = self.query_one(f"#body-{name}", VerticalScroll)
        body.remove_children()
        body.mount_all(list(self._widgets(built)))
        if name == self.active():
            self.refresh_bindings()
            self.call_after_refresh(self._focus_first, name)

    def _focus_first(self, name: str) -> None:
        """The first figure, chart or table of the tab, still the active one (focusing a widget of a hidden tab
        would bring its tab back)."""
        if name != self.active():
            return
        for widget in self.query_one(f"#body-{name}").query("FigureCard, OptionList, DataTable"):
            if widget.focusable:
                widget.focus()
                return

    def _widgets(self, built: Built) -> list[Widget]:
        """What a report is drawn with: figures, charts, tables, notes; its empty text alone when empty."""
        if isinstance(built, str):
            return [Static(literal(built), classes="report-problem")]
        if built.empty:
            return [Static(literal(built.empty_text or _("Nothing in this period.")), classes="report-empty")]
        widgets: list[Widget] = []
        if built.figures:
            figures = Grid(*(FigureCard(figure) for figure in built.figures), classes="figures")
            figures.styles.grid_size_columns = self.figure_columns()
            widgets.append(figures)
        for chart in built.charts:
            widgets.append(Static(literal(chart.title), classes="panel-title"))
            if isinstance(chart, BarChart):
                widgets.append(BarChartView(chart))
            elif isinstance(chart, Heatmap):
                widgets.append(HeatmapView(chart))
            else:
                widgets.append(GridView(chart))
        for table in built.tables:
            widgets.append(Static(literal(table.title), classes="panel-title"))
            widgets.append(ReportTable(table) if table.rows else Static(_("No rows."), classes="hint"))
        widgets += [Static(literal(note), classes="hint report-note") for note in built.notes]
        return widgets

    def figure_columns(self) -> int:
        return max(1, (self.size.width - 2) // FIGURE_WIDTH)

    def on_resize(self) -> None:
        for grid in self.query(".figures").results(Grid):
            grid.styles.grid_size_columns = self.figure_columns()

    @on(DataChanged)
    def data_changed(self) -> None:
        self.built.clear()
        self.computing = None
        self.load()

    @on(TabbedContent.TabActivated)
    def tab_activated(self) -> None:
        self.refresh_bindings()
        self.load()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("apply_tier", "apply_all_tiers"):
            return self.active() == "rfm" and isinstance(self.built.get("rfm"), Report)
        if action == "pick_rep":
            return bool(self.reps)
        return True

    def action_step(self, step: int) -> None:
        names = self.names
        self._activate(names[(names.index(self.active()) + step) % len(names)])

    def action_sideways(self, step: int) -> None:
        """Scrolls the focused table (one wider than the screen) sideways by a few columns of text."""
        focused = self.focused
        if isinstance(focused, DataTable):
            focused.scroll_relative(x=step * SIDEWAYS, animate=False)

    def action_jump(self, index: int) -> None:
        if index < len(self.names):
            self._activate(self.names[index])

    def _activate(self, name: str) -> None:
        """Shows a report's tab. The focus leaves the old tab first: a focused widget in a hidden tab would
        bring that tab back."""
        tabs = self.query_one(TabbedContent)
        tabs.query_one(Tabs).focus()
        tabs.active = f"report-{name}"
        if name in self.built:
            self.call_after_refresh(self._focus_first, name)

    def action_reload(self) -> None:
        self.built.pop(self.active(), None)
        self.computing = None
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_period(self) -> None:
        def chosen(period: Period | None) -> None:
            if period is not None and period != self.period:
                self.period = period
                self._changed()

        assert self.period is not None
        # the words the period was chosen by, in the rep's language (the parser reads both), else its label
        words = self.period.words
        self.app.push_screen(PeriodDialog(_(WORDS[words]) if words in WORDS else words or self.period.label), chosen)

    def action_pick_rep(self) -> None:
        choices = [("", _("Everyone in this book")), *((name, name) for name in self.reps)]
        current = next((index for index, (value, _label) in enumerate(choices) if value == (self.rep or "")), 0)

        def picked(value: str | None) -> None:
            if value is not None and (value or None) != self.rep:
                self.rep = value or None
                self._changed()

        self.app.push_screen(PickScreen(_("Whose figures"), choices, current), picked)

    def _changed(self) -> None:
        self.built.clear()
        self.computing = None
        self._show_title()
        self.load()

    def action_open_records(self) -> None:
        focused = self.focused
        if isinstance(focused, FigureCard):
            self.open_drill(focused.drill)

    @on(DataTable.RowSelected, ".report-table")
    def table_row(self, event: DataTable.RowSelected) -> None:
        table = event.data_table
        if isinstance(table, ReportTable):
            self.open_drill(table.drill_at(event.cursor_row))

    @on(OptionList.OptionSelected, ".chart")
    def chart_row(self, event: OptionList.OptionSelected) -> None:
        chart = event.option_list
        if isinstance(chart, BarChartView | GridView):
            self.open_drill(chart.drill_at(event.option_index))

    def open_drill(self, drill: Drill | None) -> None:
        if drill is None:
            self.notify(_("No records behind this number"), severity="warning")
            return
        self.app.push_screen(ReportRecordsScreen(drill))

    # ------------------------------------------------------------------ customer value: apply suggested tiers

    def _highlighted_customer(self) -> str | None:
        focused = self.focused
        if not isinstance(focused, ReportTable) or focused.cursor_row < 0:
            return None
        row = focused.table.rows[focused.cursor_row] if focused.cursor_row < len(focused.table.rows) else None
        if row is None:
            return None
        if row.drill is not None and row.drill.kind == "customers" and len(row.drill.ids) == 1:
            return row.drill.ids[0]
        return row.key

    def action_apply_tier(self) -> None:
        customer_id = self._highlighted_customer()
        if customer_id is None:
            self.notify(_("Move to a customer's row first"), severity="warning")
            return
        self._apply([customer_id])

    def action_apply_all_tiers(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._apply(None)

        self.app.push_screen(ConfirmScreen(_("Give every customer listed its suggested tier?")), answered)

    def _apply(self, customer_ids: list[str] | None) -> None:
        rfm = module("rfm")  # loaded by its tab already
        ctx, period, rep = self.crm.ctx, self.period, self.rep

        def run() -> None:
            try:
                changed = rfm.apply_suggestions(ctx, customer_ids, period=period, rep=rep)
            except CrmError as error:
                self.app.call_from_thread(self.notify, error.message(), severity="warning")
                return
            self.app.call_from_thread(self._applied, changed)

        self.run_worker(run, thread=True, group="apply-tiers", exit_on_error=False)

    def _applied(self, changed: int) -> None:
        self.notify(ngettext("{count} customer has its suggested tier now", "{count} customers have their suggested "
                             "tier now", changed).format(count=changed), title=_("Customer value"))
        self.crm.refresh_data()


class PeriodDialog(CrmScreenMixin, ModalScreen[Period | None]):
    """Types a period (the words of `crm report --period`, in English or Chinese) or picks one of the usual ones;
    a period it cannot read is explained under the field, the text kept."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel-period")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="period-dialog"):
            yield Static(_("Period"), classes="title")
            yield Input(self.current, id="period-input", placeholder=_("this month, 2026Q3, 2026-04, 3月1日..今天"))
            yield Static("", id="period-error")
            yield OptionList(*(Option(_(PRESET_WORDS.get(preset, preset)), id=preset) for preset in PRESETS), id="period-presets")
            yield Static(_("Enter takes it · ↓ the usual ones · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#period-input", Input).focus()

    @on(Input.Submitted, "#period-input")
    def typed(self, event: Input.Submitted) -> None:
        self._take(event.value)

    @on(OptionList.OptionSelected, "#period-presets")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self._take(event.option.id or "")

    def _take(self, text: str) -> None:
        clock = self.crm.ctx.clock
        try:
            period = parse_period(text, clock.today(), clock.zone)
        except CrmError as error:
            error_line = self.query_one("#period-error", Static)
            error_line.update(literal(error.message()))
            error_line.add_class("error")
            return
        self.dismiss(period)

    def on_key(self, event: Any) -> None:
        if event.key == "down" and self.focused is self.query_one("#period-input", Input):
            self.query_one("#period-presets", OptionList).focus()
            event.stop()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReportRecordsScreen(CrmScreenMixin, Screen[None]):
    """The records behind a number: one row each (name, customer, stage or tier, amount, day); Enter opens the
    customer (on the deal, for a deal)."""

    BINDINGS = [
        Binding("j", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="up", show=False),
        Binding("escape", "back", N_("Back"), id="back"),
    ]

    def __init__(self, drill: Drill) -> None:
        super().__init__()
        self.drill = drill
        self.lines: list[RecordLine] = []
        self.fields: list[str] = []
        """The RecordLine fields shown, one a column."""

    def compose(self) -> ComposeResult:
        yield Static(literal(self.drill.title), id="records-title", classes="title")
        yield DataTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Static(_("Enter opens the customer · Esc back"), classes="hint")
        yield StatusFooter()

    def on_mount(self) -> None:
        table = self.query_one("#records", DataTable)
        self.fields = [field for field, _label in columns(self.drill.kind)]
        for field, label in columns(self.drill.kind):
            table.add_column(Text(label, justify="right") if field == "amount_cents" else label, key=field)
        self.load()

    @work(thread=True, exclusive=True, group="records", exit_on_error=False)
    def load(self) -> None:
        lines = records(self.crm.ctx, self.drill, MAX_RECORDS)
        self.app.call_from_thread(self._show, lines)

    def _show(self, lines: list[RecordLine]) -> None:
        self.lines = lines
        table = self.query_one("#records", DataTable)
        table.clear()
        for line in lines:
            table.add_row(*(self._cell(line, field) for field in self.fields), key=line.id)
        total = len(self.drill.ids)
        more = _(" (the first {shown} of {total})").format(shown=len(lines), total=total) if total > len(lines) \
            and len(lines) == MAX_RECORDS else ""
        self.query_one("#records-title", Static).update(literal(f"{self.drill.title} · {len(lines)}{more}"))
        table.focus()

    @staticmethod
    def _cell(line: RecordLine, field: str) -> Text:
        if field == "amount_cents":
            amount = line.amount_cents
            return Text(format_value(amount, "money") if amount is not None else "", justify="right")
        if field == "day":
            return Text(line.day.isoformat() if line.day else "")
        return literal(getattr(line, field))

    @on(DataTable.RowSelected, "#records")
    def opened(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.lines):
            line = self.lines[event.cursor_row]
            self.crm.open_customer(line.customer_id, line.deal_id if line.kind == "deals" else None)

    def action_cursor_down(self) -> None:
        self.query_one("#records", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#records", DataTable).action_cursor_up()

    def action_back(self) -> None:
        self.app.pop_screen()
