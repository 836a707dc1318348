"""Snapshots of the Reports screen on the demo data (a year of history) at the frozen moment, in English and in
Chinese: every report's tab at 100x30, the funnel and the activity heatmap at 80x24 too, the heatmap at 100x30,
the records behind a bar (the sources' first), and the period picker explaining words it cannot read.

Review a changed snapshot before accepting it: `pytest tests/test_snapshots_reports.py --snapshot-update`.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from crmtui.services.reports import REPORTS
from crmtui.tui.screens.reports import PeriodDialog, ReportRecordsScreen, ReportsScreen
from crmtui.tui.widgets.charts import HeatmapView

from .pilot import until
from .test_snapshots import _settle, demo_app, demo_file, language  # noqa: F401  (fixtures)


def _report(name: str, *, heatmap: bool = False):
    async def run(pilot) -> None:
        await _settle(pilot)
        await pilot.press("g", str(REPORTS.index(name) + 1))
        await _settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReportsScreen) and screen.active() == name and name in screen.built
        if heatmap:
            body = screen.query_one(f"#body-{name}")
            parts = list(body.children)
            title = parts[parts.index(screen.query_one(HeatmapView)) - 1]  # the chart's title above it
            body.scroll_to_widget(title, animate=False, top=True)
            await _settle(pilot)

    return run


def _records_of_the_first_bar():
    async def run(pilot) -> None:
        await _settle(pilot)
        await pilot.press("g", "3")  # sources: its customers listed in the order they arrived (the demo's ids
        await _settle(pilot)  # are new each run, so a list in the order of ids would differ from run to run)
        pilot.app.screen.query_one("#body-sources BarChartView").focus()
        await pilot.press("enter")
        await _settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReportRecordsScreen) and screen.lines
        # Drawn whole before the picture: every row in the table, the title counting them, the table focused.
        table = screen.query_one("#records", DataTable)
        await until(pilot, lambda: table.row_count == len(screen.lines) and table.has_focus
                    and str(screen.query_one("#records-title", Static).render()).endswith(f"· {len(screen.lines)}"))
        await pilot.wait_for_scheduled_animations()
        await _settle(pilot)

    return run


def _period_refused():
    async def run(pilot) -> None:
        await _settle(pilot)
        await pilot.press("g")
        await _settle(pilot)
        await pilot.press("P")
        await _settle(pilot)
        assert isinstance(pilot.app.screen, PeriodDialog)
        pilot.app.screen.query_one("#period-input", Input).value = "next decade"
        await pilot.press("enter")
        await _settle(pilot)

    return run


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_at_100x30(snap_compare, demo_app, name):  # noqa: F811
    assert snap_compare(demo_app, terminal_size=(100, 30), run_before=_report(name))


def test_the_funnel_at_80x24(snap_compare, demo_app):  # noqa: F811
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=_report("funnel"))


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
def test_the_activity_heatmap(snap_compare, demo_app, size):  # noqa: F811
    assert snap_compare(demo_app, terminal_size=size, run_before=_report("activity", heatmap=True))


def test_the_records_behind_a_bar(snap_compare, demo_app):  # noqa: F811
    assert snap_compare(demo_app, terminal_size=(100, 30), run_before=_records_of_the_first_bar())


def test_the_period_picker_explains_words_it_cannot_read(snap_compare, demo_app):  # noqa: F811
    assert snap_compare(demo_app, terminal_size=(100, 30), run_before=_period_refused())
