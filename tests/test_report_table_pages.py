"""A report's table in the app is drawn a page at a time (TABLE_PAGE rows, the next page when the cursor reaches
the last row drawn), so the customer value report's 18,000 customers of a big book do not hold the screen; every
row is still reached, in order, and Enter on a later page opens that row's records."""

from __future__ import annotations

from textual.app import App, ComposeResult

from crmtui.services.reports.base import Column, Drill, Row, Table
from crmtui.tui.screens.reports import TABLE_PAGE, ReportTable

from .pilot import until

ROWS = 2 * TABLE_PAGE + 50  # two whole pages and 50 rows of a third


def _table() -> Table:
    rows = tuple(Row(f"c{n}", (f"Customer {n}", n), Drill("customers", (f"c{n}",), f"Customer {n}"))
                 for n in range(ROWS))
    return Table("customers", "Customers", (Column("customer", "Customer", "text"), Column("n", "N", "count")), rows)


class _Holder(App[None]):
    def compose(self) -> ComposeResult:
        yield ReportTable(_table())


async def test_a_long_table_is_drawn_a_page_at_a_time_as_the_cursor_goes_down() -> None:
    app = _Holder()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ReportTable)
        table.focus()
        await pilot.pause()
        assert table.row_count == TABLE_PAGE  # the first page only
        table.move_cursor(row=TABLE_PAGE - 1)  # the last row drawn: the next page comes
        await until(pilot, lambda: table.row_count == 2 * TABLE_PAGE)
        await pilot.press("ctrl+end")
        await until(pilot, lambda: table.row_count == ROWS)  # the third page holds the last 50
        await pilot.press("ctrl+end")
        assert table.cursor_row == ROWS - 1
        assert table.coordinate_to_cell_key((ROWS - 1, 0)).row_key.value == f"c{ROWS - 1}"  # in order
        drill = table.drill_at(table.cursor_row)
        assert drill is not None and drill.ids == (f"c{ROWS - 1}",)
