"""The lost report against a small book whose answers are worked out by hand below (times in Asia/Shanghai).

September (the period before October): S1 lost from Initial contact for price to Rival, 1,000 yuan; S2 lost from
Needs confirmed for timing, no amount.
October:
- L1 lost from Proposal on 10-05, price, competitor "Rival", 4,000.
- L2 lost from Quote on 10-12, "No Budget" (stored as the usual reason "no budget"), competitor "rival " (the same
  competitor), 6,000.
- L3 lost from Initial contact on 10-31 23:30 (15:30 UTC: October), price, no competitor, 2,000.
- L4 lost for timing on 10-08 and reopened on 10-10: not a loss.
- L5 lost on 10-03, reopened on 10-04, lost again from Initial contact on 10-20 for no decision: one loss, 500.
- L6 lost on 11-01 00:30 (10-31 16:30 UTC): November's.
- L7 lost on 10-15 and then deleted: not counted.
- L8 lost on 10-18 for price, 1,500, its customer then merged into another: counted once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine

from crmtui.core.periods import month_period
from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, delete_deal, move_stage
from crmtui.services.merge import merge_customers
from crmtui.services.reports import module
from crmtui.services.reports.base import Report
from tests.conftest import ZONE
from tests.test_report_funnel import at

OCTOBER = month_period(date(2026, 10, 1), ZONE)


@pytest.fixture
def book(ctx: Context, frozen: time_machine.Coordinates) -> dict[str, str]:
    ids: dict[str, str] = {}
    at(frozen, 9, 1)
    customers = {name: add_customer(ctx, name).id for name in ("Sun", "Lake", "Mist", "Moor")}
    deals = {"S1": ("Sun", 1000, "Rival"), "S2": ("Sun", None, None), "L1": ("Lake", 4000, "Rival"),
             "L2": ("Lake", 6000, "rival "), "L3": ("Lake", 2000, None), "L4": ("Lake", 800, None),
             "L5": ("Lake", 500, None), "L6": ("Lake", 700, None), "L7": ("Lake", 900, None),
             "L8": ("Mist", 1500, None)}
    for name, (customer, amount, competitor) in deals.items():
        ids[name] = add_deal(ctx, customers[customer], name, amount=amount, competitor=competitor).id
    at(frozen, 9, 2)
    for name in ("S2", "L1", "L4"):
        move_stage(ctx, ids[name], "needs")
    at(frozen, 9, 3)
    move_stage(ctx, ids["L1"], "proposal")
    move_stage(ctx, ids["L2"], "quote", amount=6000)
    at(frozen, 9, 10)
    move_stage(ctx, ids["S1"], "lost", reason="price")
    move_stage(ctx, ids["S2"], "lost", reason="timing")
    at(frozen, 10, 3)
    move_stage(ctx, ids["L5"], "lost", reason="other")
    at(frozen, 10, 4)
    move_stage(ctx, ids["L5"], "initial")
    at(frozen, 10, 5)
    move_stage(ctx, ids["L1"], "lost", reason="price")
    at(frozen, 10, 8)
    move_stage(ctx, ids["L4"], "lost", reason="timing")
    at(frozen, 10, 10)
    move_stage(ctx, ids["L4"], "needs")
    at(frozen, 10, 12)
    move_stage(ctx, ids["L2"], "lost", reason="No Budget")
    at(frozen, 10, 15)
    move_stage(ctx, ids["L7"], "lost", reason="price")
    at(frozen, 10, 18)
    move_stage(ctx, ids["L8"], "lost", reason="price")
    at(frozen, 10, 20)
    move_stage(ctx, ids["L5"], "lost", reason="no decision")
    at(frozen, 10, 31, 23, 30)
    move_stage(ctx, ids["L3"], "lost", reason="price")
    at(frozen, 11, 1, 0, 30)
    move_stage(ctx, ids["L6"], "lost", reason="price")
    at(frozen, 11, 20)
    delete_deal(ctx, ids["L7"])
    merge_customers(ctx, customers["Moor"], customers["Mist"])
    at(frozen, 11, 24)
    return ids


def table(report: Report, key: str) -> dict[str, tuple[object, ...]]:
    found = next(t for t in report.tables if t.key == key)
    return {row.key: row.values for row in found.rows}


def test_lost_by_reason_against_the_month_before(ctx: Context, book: dict[str, str]) -> None:
    report = module("lost").build(ctx, OCTOBER)
    figures = {figure.key: figure.value for figure in report.figures}
    # October: L1 L2 L3 L5 L8 = 5 deals, 4,000 + 6,000 + 2,000 + 500 + 1,500 = 14,000 yuan;
    # September: S1 S2 = 2 deals, 1,000 + nothing = 1,000 yuan
    assert figures == {"lost": 5, "lost_amount": 1_400_000, "previous_lost": 2, "previous_amount": 100_000}
    # price: L1 L3 L8 = 3, 4,000 + 2,000 + 1,500 = 7,500 (S1 in September); no budget: L2 6,000; no decision: L5
    # 500 (its first loss's "other" no longer counts); timing: none now (L4 was reopened), S2 in September
    assert table(report, "reasons") == {
        "price": ("price", 3, 750_000, 1),
        "no budget": ("no budget", 1, 600_000, 0),
        "no decision": ("no decision", 1, 50_000, 0),
        "timing": ("timing", 0, 0, 1),
    }
    assert list(table(report, "reasons")) == ["price", "no budget", "no decision", "timing"]
    price = next(row for row in report.tables[0].rows if row.key == "price")
    assert price.drill is not None and set(price.drill.ids) == {book["L1"], book["L3"], book["L8"]}
    assert report.tables[0].columns[3].label == "2026-09"


def test_competitors_and_the_stage_lost_at(ctx: Context, book: dict[str, str]) -> None:
    report = module("lost").build(ctx, OCTOBER)
    # none named: L3 L5 L8 = 2,000 + 500 + 1,500; Rival and "rival ": L1 L2 = 4,000 + 6,000
    assert table(report, "competitors") == {"-": ("(none named)", 3, 400_000), "rival": ("Rival", 2, 1_000_000)}
    # lost from Initial contact: L3, L5 (at its last loss) and L8 = 2,000 + 500 + 1,500; Proposal L1; Quote L2
    assert table(report, "stages") == {"initial": ("Initial contact", 3, 400_000), "proposal": ("Proposal", 1, 400_000),
                                       "quote": ("Quote", 1, 600_000)}
    assert [bar.value for bar in report.charts[0].bars] == [3, 1, 1]
    # competitors by count (3 before 2); stages in pipeline order
    assert list(table(report, "competitors")) == ["-", "rival"]
    assert list(table(report, "stages")) == ["initial", "proposal", "quote"]


def test_the_edge_of_the_month_in_the_reps_zone(ctx: Context, book: dict[str, str]) -> None:
    november = module("lost").build(ctx, month_period(date(2026, 11, 1), ZONE))
    figures = {figure.key: figure.value for figure in november.figures}
    # L6 at 11-01 00:30 local is November's only loss; L3 at 10-31 23:30 local stayed in October (5 there)
    assert figures["lost"] == 1 and figures["previous_lost"] == 5
    assert next(f for f in november.figures if f.key == "lost").drill.ids == (book["L6"],)  # type: ignore[union-attr]


def test_an_empty_period_says_so_and_names_the_one_before(ctx: Context, book: dict[str, str]) -> None:
    report = module("lost").build(ctx, month_period(date(2026, 8, 1), ZONE))
    assert report.empty and report.empty_text == "No deal was lost in 2026-08."
    december = module("lost").build(ctx, month_period(date(2026, 12, 1), ZONE))
    assert december.empty and december.empty_text == "No deal was lost in 2026-12. 1 in 2026-11."


def test_imported_losses_count_in_the_quarter_of_their_close_date(tmp_path: Path, ctx: Context) -> None:
    from crmtui.core.periods import quarter_period
    from tests.test_report_funnel import imported_pipeline

    imported_pipeline(tmp_path)
    report = module("lost").build(ctx, quarter_period(date(2017, 4, 1), ZONE))
    figures = {figure.key: figure.value for figure in report.figures}
    # lost in 2017Q2: D04 (04-20) and D06 (05-05); in 2017Q1: D19 (02-06). The export gives no reasons: the
    # import records "other"; their close value is 0.
    assert (figures["lost"], figures["previous_lost"]) == (2, 1)
    assert table(report, "reasons") == {"other": ("other", 2, 0, 1)}
    assert table(report, "stages") == {"initial": ("Initial contact", 2, 0)}


def test_a_reason_stored_in_other_words_counts_with_its_usual_reason(ctx: Context, book: dict[str, str]) -> None:
    # Say an older version kept L1's reason as typed, 价格太高: it still counts as price, as in the first test above
    with ctx.db.raw_write(ctx.clock.utcnow()) as (connection, _):
        connection.execute("UPDATE deal SET lost_reason = '价格太高' WHERE id = ?", (book["L1"],))
    reasons = table(module("lost").build(ctx, OCTOBER), "reasons")
    assert "价格太高" not in reasons
    assert reasons["price"] == ("price", 3, 750_000, 1)  # L1 L3 L8: 4,000 + 2,000 + 1,500; S1 in September
