"""The Reports screen as a rep uses it: `g` or the palette opens it, digits and ←/→ switch the tabs, P changes
the period (a period it cannot read is explained under the field, the text kept), Enter on a row, a bar or a
figure lists the records behind it and Enter there opens the customer, the customer-value tab applies suggested
tiers, and an empty period, a missing report or a failing one each say so in words.

The screen is tested on its own: the reports are stand-ins that return a Report over real records (the reports'
own numbers are tested in tests/test_report_<name>.py)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from textual.widgets import DataTable, Input, OptionList, Static, TabbedContent

from crmtui.core.periods import Period
from crmtui.services.context import Context
from crmtui.services.customers import add_customer, edit_customer
from crmtui.services.deals import add_deal
from crmtui.services.reports.base import Bar, BarChart, Column, Drill, Figure, Report, Row, Table
from crmtui.services.reports.records import records
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.screens import reports as screen_module
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.screens.reports import PeriodDialog, ReportRecordsScreen, ReportsScreen, ReportTable
from crmtui.tui.screens.today import TodayScreen
from crmtui.tui.widgets.charts import BarChartView, FigureCard
from tests.pilot import until


SIZE = (100, 30)


def shown(screen: ReportsScreen, label: str) -> bool:
    """Whether the funnel on screen is the one of this period (a period's change clears it in a callback after the
    dialog closes, so the old one may still be there for a moment)."""
    report = screen.built.get("funnel")
    return isinstance(report, Report) and report.period.label == label


def tier(ctx: Context, customer_id: str) -> str:
    """The customer's tier as the services read it now."""
    return records(ctx, Drill("customers", (customer_id,), ""))[0].state.split(" · ")[0]


def _text(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(widget.render()) for widget in screen.query(selector).results(Static))


class Book:
    """Two customers with a deal each; the stand-in reports count them and remember what they were asked."""

    def __init__(self, ctx: Context) -> None:
        self.acme = add_customer(ctx, "Acme Analytics")
        self.globex = add_customer(ctx, "Globex Logistics")
        self.seats = add_deal(ctx, self.acme.id, "CRM seats", amount="80000")
        self.support = add_deal(ctx, self.globex.id, "Support", amount="12000")
        self.asked: list[tuple[str, Period, str | None]] = []
        self.applied: list[list[str] | None] = []
        self.ctx = ctx

    def funnel(self, ctx: Context, period: Period, rep: str | None = None) -> Report:
        self.asked.append(("funnel", period, rep))
        if period.label == "2017Q2":
            return Report("funnel", "Funnel", period, rep, empty=True, empty_text="No deals moved in 2017Q2.")
        both = Drill("deals", (self.support.id, self.seats.id), "Deals opened")
        one = Drill("deals", (self.seats.id,), "Deals at Initial contact")
        return Report(
            "funnel", "Funnel", period, rep,
            figures=(Figure("opened", "Opened", 2, "count", both), Figure("rate", "Win rate", 0.25, "rate")),
            tables=(Table("stages", "Stages", (Column("stage", "Stage", "text"), Column("n", "Reached", "count")),
                          (Row("initial", ("Initial contact", 1), one), Row("needs", ("Needs confirmed", 0)))),),
            charts=(BarChart("reached", "Reached", "count", (Bar("Initial contact", 1, one),)),))

    def rfm(self, ctx: Context, period: Period, rep: str | None = None) -> Report:
        def row(customer, suggested: str) -> Row:  # type: ignore[no-untyped-def]
            return Row(customer.id, (customer.name, customer.tier, suggested),
                       Drill("customers", (customer.id,), customer.name))

        table = Table("customers", "Customers", (Column("name", "Customer", "text"), Column("tier", "Tier", "text"),
                                                 Column("suggested", "Suggested", "text")),
                      (row(self.acme, "A"), row(self.globex, "B")))
        return Report("rfm", "Customer value", period, rep, tables=(table,))

    def apply_suggestions(self, ctx: Context, customer_ids: list[str] | None, *, period: Period | None = None,
                          rep: str | None = None) -> int:
        assert period is not None and period.label == "2026-11" and rep is None  # the screen's period and rep
        self.applied.append(customer_ids)
        wanted = {self.acme.id: "A", self.globex.id: "B"}
        changed = [customer for customer in (customer_ids or list(wanted))]
        for customer_id in changed:
            edit_customer(ctx, customer_id, {"tier": wanted[customer_id]})
        return len(changed)


@pytest.fixture
def book(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Book:
    made = Book(ctx)

    def failing(ctx: Context, period: Period, rep: str | None = None) -> Report:
        raise ValueError("division by zero in the forecast")

    builders = {"funnel": made.funnel, "rfm": made.rfm, "forecast": failing}

    def module(name: str) -> SimpleNamespace:
        if name not in builders:
            raise ModuleNotFoundError(name)
        return SimpleNamespace(build=builders[name], apply_suggestions=made.apply_suggestions)

    monkeypatch.setattr(screen_module, "module", module)
    return made


async def _open(pilot) -> ReportsScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, TodayScreen))
    await pilot.press("g")
    await until(pilot, lambda: isinstance(app.screen, ReportsScreen) and "funnel" in app.screen.built)
    return app.screen


async def test_g_opens_the_reports_on_the_funnel_of_this_month(ctx: Context, book: Book) -> None:
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        # this month on the frozen clock (Tue 2026-11-24): November, its first and last day in the title
        assert "Reports · 2026-11 (2026-11-01 .. 2026-11-30)" in _text(screen, "#reports-title")
        (name, period, rep), = book.asked
        assert (name, period.label, period.first_day, period.last_day, rep) == (
            "funnel", "2026-11", date(2026, 11, 1), date(2026, 11, 30), None)
        cards = list(screen.query(FigureCard))
        assert [str(card.render()).split() for card in cards] == [["Opened", "2"], ["Win", "rate", "25%"]]
        assert len(list(screen.query(BarChartView))) == 1
        # a solo book with no imported owners: no rep picker
        assert not screen.check_action("pick_rep", ())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, ReportsScreen))
        await pilot.press("t")  # Today from the reports, as from any screen
        await until(pilot, lambda: isinstance(app.screen, TodayScreen) and len(app.screen_stack) == 1)


async def test_the_palette_opens_the_reports(ctx: Context, book: Book) -> None:
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("ctrl+p")
        for character in "Reports":
            await pilot.press(character)
        await until(pilot, lambda: any(str(option.prompt).startswith("Reports") for option in
                                        app.screen.query_one("CommandList", OptionList).options))
        options = app.screen.query_one("CommandList", OptionList)
        options.highlighted = next(index for index, option in enumerate(options.options)
                                   if str(option.prompt).startswith("Reports"))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportsScreen))


async def test_tabs_switch_by_digit_and_arrow_and_say_what_is_missing_or_failed(ctx: Context, book: Book) -> None:
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        tabs = screen.query_one(TabbedContent)
        # the eight tabs' names fit 80 columns
        assert sum(tab.size.width for tab in screen.query("ContentTab")) <= 80
        await pilot.press("right")  # funnel → lost, which this stand-in book has not
        await until(pilot, lambda: "lost" in screen.built)
        assert tabs.active == "report-lost"
        assert "This report is not available yet." in _text(screen, "#body-lost .report-problem")
        await pilot.press("4")  # the fourth tab: the forecast, whose stand-in raises
        await until(pilot, lambda: "forecast" in screen.built)
        assert tabs.active == "report-forecast"
        assert _text(screen, "#body-forecast .report-problem") == (
            "This report failed: division by zero in the forecast")
        await pilot.press("left")
        assert tabs.active == "report-sources"
        await pilot.press("1")
        assert tabs.active == "report-funnel"
        await pilot.press("left")  # from the first tab back round to the last, the team's
        assert tabs.active == "report-team"
        assert "This report is not available yet." in _text(screen, "#body-team .report-problem")


async def test_the_period_picker_takes_good_words_and_explains_bad_ones(ctx: Context, book: Book) -> None:
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PeriodDialog))
        field = app.screen.query_one("#period-input", Input)
        field.value = "next decade"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PeriodDialog)  # still open, the text kept, the error under it
        assert field.value == "next decade"
        error = str(app.screen.query_one("#period-error", Static).render())
        assert "period" in error and "2017Q2" in error

        field.value = "2026年第三季度"  # Chinese words for 2026Q3
        await pilot.press("enter")
        await until(pilot, lambda: shown(screen, "2026Q3"))
        assert "2026Q3 (2026-07-01 .. 2026-09-30)" in _text(screen, "#reports-title")
        assert book.asked[-1][1].label == "2026Q3"

        # a usual period from the list under the field
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PeriodDialog))
        await pilot.press("down")  # from the field into the list: this week
        await pilot.press("down", "enter")  # last week: Mon 16 to Sun 22 November
        await until(pilot, lambda: isinstance(app.screen, ReportsScreen) and not shown(screen, "2026Q3")
                     and "funnel" in screen.built)
        assert (book.asked[-1][1].first_day, book.asked[-1][1].last_day) == (date(2026, 11, 16), date(2026, 11, 22))
        # named by its words, its days once; the picker opens on those words again
        assert "Reports · last week (2026-11-16 .. 2026-11-22)" in _text(screen, "#reports-title")
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PeriodDialog))
        assert app.screen.query_one("#period-input", Input).value == "last week"


async def test_an_empty_period_shows_its_text_and_no_chart(ctx: Context, book: Book) -> None:
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PeriodDialog))
        app.screen.query_one("#period-input", Input).value = "2017Q2"
        await pilot.press("enter")
        await until(pilot, lambda: shown(screen, "2017Q2"))
        assert _text(screen, "#body-funnel .report-empty") == "No deals moved in 2017Q2."
        assert not list(screen.query("#body-funnel BarChartView, #body-funnel DataTable, #body-funnel FigureCard"))


async def test_enter_on_a_row_a_bar_or_a_figure_lists_its_records_and_enter_opens_the_customer(
        ctx: Context, book: Book) -> None:
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        table = screen.query_one("#body-funnel DataTable", DataTable)
        table.focus()
        await pilot.press("enter")  # the Initial contact row: one deal, CRM seats
        await until(pilot, lambda: isinstance(app.screen, ReportRecordsScreen) and app.screen.lines)
        records = app.screen
        assert [(line.name, line.customer) for line in records.lines] == [("CRM seats", "Acme Analytics")]
        assert "Deals at Initial contact · 1" in _text(records, "#records-title")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        assert app.screen.customer_id == book.acme.id
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ReportRecordsScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)

        # the second row counts nothing: no list, a warning instead
        table.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is screen

        screen.query_one(BarChartView).focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportRecordsScreen) and app.screen.lines)
        assert [line.name for line in app.screen.lines] == ["CRM seats"]
        await pilot.press("escape")

        screen.query(FigureCard).first().focus()  # Opened: both deals, in the report's order
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportRecordsScreen) and app.screen.lines)
        assert [line.name for line in app.screen.lines] == ["Support", "CRM seats"]


async def test_the_customer_value_tab_applies_one_suggested_tier_or_all_after_a_yes(ctx: Context, book: Book) -> None:
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert not screen.check_action("apply_tier", ())  # only on the customer-value tab
        await pilot.press("6")
        await until(pilot, lambda: "rfm" in screen.built)
        table = screen.query_one("#body-rfm DataTable", DataTable)
        table.focus()
        await pilot.press("down")  # Globex, suggested B
        await pilot.press("a")
        await until(pilot, lambda: book.applied)
        await app.workers.wait_for_complete()
        assert book.applied == [[book.globex.id]]
        assert (tier(ctx, book.globex.id), tier(ctx, book.acme.id)) == ("B", "C")

        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # no: nothing applied
        await pilot.pause()
        assert book.applied == [[book.globex.id]]
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: len(book.applied) == 2)
        await app.workers.wait_for_complete()
        assert book.applied[-1] is None  # every customer listed
        assert tier(ctx, book.acme.id) == "A"


async def test_the_rep_picker_asks_the_reports_for_one_reps_figures(ctx: Context, book: Book,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # a book whose imported deals name their owners (another CRM's sales agents): the picker offers them
    monkeypatch.setattr(screen_module, "reps", lambda ctx: ["Alice Wang", "Bob Li"])
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await until(pilot, lambda: screen.check_action("pick_rep", ()))
        await pilot.press("at")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("down", "down", "enter")  # everyone, Alice Wang, Bob Li
        await until(pilot, lambda: isinstance(screen.built.get("funnel"), Report)
                     and screen.built["funnel"].rep == "Bob Li")
        assert _text(screen, "#reports-title").endswith("· Bob Li")


async def test_a_suggested_tier_applied_on_the_demo_data_changes_the_customer(home, settings) -> None:
    from crmtui.core.clock import Clock
    from crmtui.services.context import open_context
    from crmtui.services.demo import load_demo

    from .conftest import ZONE

    ctx = open_context(home / "data" / "crm.db", settings=settings, clock=Clock(ZONE))
    load_demo(ctx)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("6")
        await until(pilot, lambda: "rfm" in screen.built)
        report = screen.built["rfm"]
        assert isinstance(report, Report)
        table = screen.query_one("#body-rfm DataTable", ReportTable)
        columns = [column.key for column in table.table.columns]
        # the first customer whose suggested tier differs from the one it has
        index, row = next((index, row) for index, row in enumerate(table.table.rows)
                          if row.values[columns.index("tier")] != row.values[columns.index("suggested")])
        suggested = row.values[columns.index("suggested")]
        table.focus()
        table.move_cursor(row=index)
        await pilot.press("a")
        await until(pilot, lambda: tier(ctx, row.key) == suggested)
    ctx.close()


def test_the_apps_launch_does_not_load_the_reports() -> None:
    # the screen, its charts and the reports' services are imported when the screen first opens
    import subprocess
    import sys

    code = ("import sys, crmtui.tui.app; print(sorted(m for m in sys.modules if 'reports' in m or 'charts' in m))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_the_screen_and_crm_report_show_every_kind_of_value_alike() -> None:
    from datetime import date

    from crmtui.cli.report import shown
    from crmtui.services.reports.base import Kind
    from crmtui.tui.widgets.charts import format_value

    cases: list[tuple[object, Kind, str]] = [
        (26.94, "hours", "26.9 h"),  # a median first contact: a tenth of an hour, with its unit
        (0.148, "rate", "14.8%"), (0.15, "rate", "15%"), (2 / 3, "rate", "66.7%"),
        (35_600_000, "money", "356,000"),  # cents: 356,000.00 yuan
        (4.5, "days", "4.5 d"), (64, "days", "64 d"), (1234, "count", "1,234"),
        (date(2026, 11, 24), "date", "2026-11-24"), ("Champions", "text", "Champions"),
    ]
    for value, kind, expected in cases:
        assert shown(value, kind) == expected, kind
        assert format_value(value, kind) == expected, kind
    assert format_value(None, "money") == "—" and shown(None, "money") == "-"


def _wide(period: Period, rep: str | None, columns: int) -> Report:
    """The forecast's table by month: its nine columns, the 100-column screen's widest (one more column each past
    nine, to make a table no screen fits)."""
    labels = ["Month", "Open deals", "Amount", "Weighted", "Committed", "Won deals", "Won", "Target",
              "Won against target"] + [f"Extra column {n}" for n in range(columns - 9)]
    kinds = ["text", "count", "money", "money", "money", "count", "money", "money", "rate"] + ["money"] * (columns - 9)
    row = ["2026-12", 32, 641_500_000, 193_350_000, 21_500_000, 0, 0, None, None] + [99_999_999_00] * (columns - 9)
    table = Table("months", "By expected close month", tuple(
        Column(f"c{n}", label, kind) for n, (label, kind) in enumerate(zip(labels, kinds, strict=True))),  # type: ignore[arg-type]
        (Row("2026-12", tuple(row)),))
    return Report("funnel", "Forecast", period, rep, tables=(table,))


@pytest.mark.parametrize("columns", [9, 14])
async def test_a_wide_table_fits_by_its_headers_or_scrolls_sideways(ctx: Context, monkeypatch: pytest.MonkeyPatch,
                                                                   columns: int) -> None:
    monkeypatch.setattr(screen_module, "module", lambda name: SimpleNamespace(
        build=lambda ctx, period, rep=None: _wide(period, rep, columns)))
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        table = screen.query_one(ReportTable)
        await until(pilot, lambda: table.row_count == 1 and table.size.width > 0)
        table.focus()
        await pilot.pause()
        if columns == 9:
            # 7 + 10 + 9 + 9 + 9 + 9 + 3 + 6 + 18 cells, and 2 of padding each: 98, more than the 96 the screen
            # gives. "Won against target" gains the most (18 -> 11) and goes onto two lines: 91 fits; the other
            # headers stay on one line, on the lower of the two
            assert table.header_height == 2
            labels = [column.label.plain for column in table.columns.values()]
            assert labels[8] == "Won against\ntarget" and labels[1] == "\nOpen deals"
            assert table.virtual_size.width <= table.size.width
            return
        assert table.virtual_size.width > table.size.width  # five money columns more: no screen of 100 fits it
        await pilot.press("shift+right")
        await until(pilot, lambda: table.scroll_x > 0)
        assert screen.active() == "funnel"  # the tab did not change
        await pilot.press("shift+left")
        await until(pilot, lambda: table.scroll_x == 0)
        await pilot.press("right")
        await until(pilot, lambda: screen.active() == "lost")  # ← and → still step through the reports


def test_a_header_wider_than_its_values_breaks_where_its_longer_line_is_shortest() -> None:
    from crmtui.tui.screens.reports import header_lines

    assert header_lines("Won against target", 5) == "Won against\ntarget"  # 11 and 6, not 3 and 14
    assert header_lines("Open deals", 2) == "Open\ndeals"
    assert header_lines("Amount", 2) == "Amount"  # one word: kept
    assert header_lines("Expected close", 14) == "Expected close"  # as wide as its values: kept
    assert header_lines("赢单占目标", 2) == "赢单\n占目标"  # 4 and 6 cells, not 6 and 4: the first shortest wins
    assert header_lines("目标", 1) == "目标"  # two characters: not broken into one a line
    assert header_lines("Amount-total", 2) == "Amount-total"  # no space and no Chinese: kept
