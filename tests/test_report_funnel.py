"""The funnel report against a small book whose answers are worked out by hand below.

The book (times in Asia/Shanghai; the period is October 2026):
- A1 (customer Apex, first follow-up 09-20): opened 09-25, needs 10-02, proposal 10-05, quote 10-10,
  negotiation 10-15, won 10-31 23:30 (15:30 UTC, still October). 10,000 yuan.
- B1 (Birch, no follow-up): opened 10-01 00:30 (09-30 16:30 UTC, October all the same), skips needs to
  proposal 10-03, lost from proposal 10-20.
- C1 (Cedar): opened 10-05, needs 10-06, proposal 10-08, back to needs 10-09, proposal 10-12, quote 10-14,
  won 10-20 (skipping negotiation), reopened to negotiation 10-25.
- D1 (Dune): opened 11-01 00:30 (10-31 16:30 UTC): November, not counted.
- E1 (Elm): opened 10-02, then deleted: not counted.
- F1 (Fir) opened 10-03; G1 (Gale) opened 10-04; then Fir merged into Gale: both deals count, once.
- H1 (Hazel, first follow-up 07-15): opened 08-01, won 10-10 straight from Initial contact. 20,000 yuan.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from crmtui.core.periods import Period, month_period, quarter_period
from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, delete_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.merge import merge_customers
from crmtui.services.reports import module
from crmtui.services.reports.base import Report
from tests.conftest import ZONE
from tests.test_cli import ok

OCTOBER = month_period(date(2026, 10, 1), ZONE)


def at(frozen: time_machine.Coordinates, month: int, day: int, hour: int = 10, minute: int = 0) -> None:
    frozen.move_to(datetime(2026, month, day, hour, minute, tzinfo=ZONE))


def follow_up(ctx: Context, customer_id: str) -> None:
    log_follow_up(ctx, customer_id, channel="phone", goal="intro", goal_met=True, notes="spoke",
                  next_plan="call again", next_at=ctx.clock.now() + timedelta(days=30))


def win(ctx: Context, deal_id: str, number: str) -> None:
    move_stage(ctx, deal_id, "won", contract_no=number, signed=ctx.clock.today())


@pytest.fixture
def book(ctx: Context, frozen: time_machine.Coordinates) -> dict[str, str]:
    ids: dict[str, str] = {}
    at(frozen, 7, 15)
    hazel = add_customer(ctx, "Hazel", source="referral")
    follow_up(ctx, hazel.id)
    at(frozen, 8, 1)
    ids["H1"] = add_deal(ctx, hazel.id, "H1", amount=20000).id
    at(frozen, 9, 20)
    apex = add_customer(ctx, "Apex", source="web")
    follow_up(ctx, apex.id)
    at(frozen, 9, 25)
    ids["A1"] = add_deal(ctx, apex.id, "A1", amount=10000).id
    birch, cedar, dune, elm, fir, gale = (add_customer(ctx, name) for name in ("Birch", "Cedar", "Dune", "Elm", "Fir",
                                                                               "Gale"))
    at(frozen, 10, 1, 0, 30)
    ids["B1"] = add_deal(ctx, birch.id, "B1", amount=5000).id
    at(frozen, 10, 2)
    move_stage(ctx, ids["A1"], "needs")
    ids["E1"] = add_deal(ctx, elm.id, "E1").id
    at(frozen, 10, 3)
    move_stage(ctx, ids["B1"], "proposal")
    ids["F1"] = add_deal(ctx, fir.id, "F1").id
    at(frozen, 10, 4)
    ids["G1"] = add_deal(ctx, gale.id, "G1").id
    at(frozen, 10, 5)
    move_stage(ctx, ids["A1"], "proposal")
    ids["C1"] = add_deal(ctx, cedar.id, "C1", amount=3000).id
    for day, stage in ((6, "needs"), (8, "proposal"), (9, "needs"), (12, "proposal")):
        at(frozen, 10, day)
        move_stage(ctx, ids["C1"], stage)
    at(frozen, 10, 14)
    move_stage(ctx, ids["C1"], "quote", amount=3000)
    at(frozen, 10, 10)
    move_stage(ctx, ids["A1"], "quote", amount=10000)
    win(ctx, ids["H1"], "H-1")
    at(frozen, 10, 15)
    move_stage(ctx, ids["A1"], "negotiation")
    at(frozen, 10, 20)
    win(ctx, ids["C1"], "C-1")
    move_stage(ctx, ids["B1"], "lost", reason="price")
    at(frozen, 10, 25)
    move_stage(ctx, ids["C1"], "negotiation", reopen=True)
    at(frozen, 10, 31, 23, 30)
    win(ctx, ids["A1"], "A-1")
    at(frozen, 11, 1, 0, 30)
    ids["D1"] = add_deal(ctx, dune.id, "D1").id
    at(frozen, 11, 20)
    delete_deal(ctx, ids["E1"])
    merge_customers(ctx, gale.id, fir.id)
    at(frozen, 11, 24)
    return ids


def rows(report: Report) -> dict[str, tuple[object, ...]]:
    return {row.key: row.values[1:] for row in report.tables[0].rows}


def figures(report: Report) -> dict[str, object]:
    return {figure.key: figure.value for figure in report.figures}


def test_reached_moved_on_and_median_days_by_stage(ctx: Context, book: dict[str, str]) -> None:
    report = module("funnel").build(ctx, OCTOBER)
    assert not report.empty
    # reached (entered in October): initial B1 C1 F1 G1 (A1 and H1 opened before; D1 in November; E1 deleted);
    # needs A1 C1 (C1 twice, once counted; B1 skipped it); proposal A1 B1 C1; quote A1 C1; negotiation A1 C1 (C1
    # reopened into it); won A1 H1 (C1 was won and reopened).
    # moved on: initial B1 C1 of 4; needs 2 of 2; proposal A1 C1 of 3 (B1 lost); quote 2 of 2; negotiation A1 of 2.
    # median days, stays that ended in October: initial A1 7 (09-25..10-02), B1 2, C1 1, H1 70 (08-01..10-10:
    # 31+30+9) -> (2+7)/2 = 4.5; needs A1 3, C1 2 and 3 -> 3; proposal A1 5, B1 17, C1 1 and 2 -> (2+5)/2 = 3.5;
    # quote A1 5, C1 6 -> 5.5; negotiation A1 16 (10-15..10-31), C1's stay has not ended -> 16.
    assert rows(report) == {
        "initial": (4, 2 / 4, 4.5),
        "needs": (2, 1.0, 3),
        "proposal": (3, 2 / 3, 3.5),
        "quote": (2, 1.0, 5.5),
        "negotiation": (2, 1 / 2, 16),
        "won": (2, None, None),
    }
    drills = {row.key: set(row.drill.ids) for row in report.tables[0].rows if row.drill}
    assert drills["initial"] == {book["B1"], book["C1"], book["F1"], book["G1"]}
    assert drills["won"] == {book["A1"], book["H1"]}
    assert [bar.value for bar in report.charts[0].bars] == [4, 2, 3, 2, 2, 2]


def test_win_rate_deal_size_cycle_and_skips(ctx: Context, book: dict[str, str]) -> None:
    report = module("funnel").build(ctx, OCTOBER)
    found = figures(report)
    # won A1 and H1; lost B1; C1 reopened counts as neither -> 2 / 3
    assert found["won"] == 2 and found["lost"] == 1
    assert found["win_rate"] == pytest.approx(2 / 3)
    # (10,000 + 20,000) / 2 yuan = 15,000 yuan
    assert found["average_won"] == 1_500_000
    # A1: first contact 09-20 -> won 10-31: 10 + 31 = 41 days; H1: first contact 07-15 -> won 10-10:
    # 16 + 31 + 30 + 10 = 87 days; (41 + 87) / 2 = 64
    assert found["sales_cycle"] == 64.0
    # B1 initial -> proposal, C1 quote -> won, H1 initial -> won
    assert found["skipped"] == 3
    skipped = next(f for f in report.figures if f.key == "skipped")
    assert skipped.drill is not None and set(skipped.drill.ids) == {book["B1"], book["C1"], book["H1"]}
    assert "3 deals skipped a stage." in report.notes
    assert "1 won deal was reopened; it no longer counts as won." in report.notes  # C1 only


def test_a_move_just_after_midnight_local_belongs_to_the_new_month(ctx: Context, book: dict[str, str]) -> None:
    november = module("funnel").build(ctx, month_period(date(2026, 11, 1), ZONE))
    # D1 opened 11-01 00:30 local (10-31 16:30 UTC): November's only new deal; A1's win at 10-31 23:30 is not here
    assert rows(november)["initial"][0] == 1
    assert rows(november)["won"][0] == 0
    initial = next(row for row in november.tables[0].rows if row.key == "initial")
    assert initial.drill is not None and initial.drill.ids == (book["D1"],)


def test_an_empty_period_says_so(ctx: Context, book: dict[str, str]) -> None:
    report = module("funnel").build(ctx, month_period(date(2017, 4, 1), ZONE))
    assert report.empty
    assert report.empty_text == "No deal moved in 2017-04."
    assert report.tables == () and report.charts == ()


# ---------------------------------------------------------------- imported history (another CRM's pipeline export)


def imported_pipeline(tmp_path: Path) -> None:
    """The public dataset's shape, as tests/test_import_deals.py imports it (its ROWS are the figures below)."""
    from tests.test_import_deals import _book, imported

    pipeline, mapping = _book(tmp_path)
    imported(str(pipeline), "--mapping", str(mapping))


def test_imported_deals_count_by_the_days_their_history_carries(tmp_path: Path, ctx: Context) -> None:
    imported_pipeline(tmp_path)
    q2 = quarter_period(date(2017, 4, 1), ZONE)
    report = module("funnel").build(ctx, q2)
    found = figures(report)
    # closed in 2017Q2: D03 won 04-01 (55), D05 won 06-30 (550); D04 lost 04-20, D06 lost 05-05 -> 2 / 4
    assert (found["won"], found["lost"], found["win_rate"]) == (2, 2, 0.5)
    # (55 + 550) / 2 = 302.5 yuan
    assert found["average_won"] == 30_250
    # no follow-ups: from the day opened. D03 03-15 -> 04-01 = 17 days, D05 04-02 -> 06-30 = 28 + 31 + 30 = 89
    assert found["sales_cycle"] == (17 + 89) / 2
    # an imported won deal goes from the first stage straight to Won: D03 and D05 skip the stages between
    assert found["skipped"] == 2
    # opened in 2017Q2: D05 04-02, D06 04-05, D07 05-01, D08 06-01; of those D05 and D07 were won since (D07 in
    # July), D06 and D08 lost. Stays in the first stage that ended in Q2: D03 17, D04 31 (03-20 -> 04-20),
    # D05 89, D06 30 (04-05 -> 05-05) -> (30 + 31) / 2
    assert rows(report)["initial"] == (4, 0.5, 30.5)
    assert rows(report)["won"] == (2, None, None)


def test_a_rep_sees_the_deals_their_import_named_them_owner_of(tmp_path: Path, ctx: Context) -> None:
    imported_pipeline(tmp_path)
    q2 = quarter_period(date(2017, 4, 1), ZONE)
    # Bob Ma's deals closed in Q2: D03 won, D04 lost; none of his deals was opened in Q2 (D09, D10 in July)
    bob = module("funnel").build(ctx, q2, "Bob Ma")
    assert (figures(bob)["won"], figures(bob)["lost"]) == (1, 1)
    assert rows(bob)["initial"][0] == 0
    # on the command line, by the start of the name
    data = json.loads(ok("report", "funnel", "--period", "2017Q2", "--rep", "bob", "--json").stdout)
    assert data["rep"] == "Bob Ma"
    assert {f["key"]: f["value"] for f in data["figures"]}["win_rate"] == 0.5


def test_a_move_at_midnight_exactly_belongs_to_the_day_it_starts(ctx: Context, frozen: time_machine.Coordinates) -> None:
    at(frozen, 9, 1)
    kite = add_customer(ctx, "Kite")
    at(frozen, 10, 1, 0, 0)  # October's first moment (09-30 16:00 UTC)
    first = add_deal(ctx, kite.id, "K1").id
    at(frozen, 11, 1, 0, 0)  # November's first moment: not October's
    second = add_deal(ctx, kite.id, "K2").id
    move_stage(ctx, first, "needs")
    at(frozen, 11, 24)

    def reached(period: Period) -> dict[str, tuple[str, ...]]:
        return {row.key: row.drill.ids for row in module("funnel").build(ctx, period).tables[0].rows if row.drill}

    # K1 opened in October, moved to Needs at November's first moment; K2 opened then
    october, november = reached(OCTOBER), reached(month_period(date(2026, 11, 1), ZONE))
    assert (october["initial"], october["needs"]) == ((first,), ())
    assert (november["initial"], november["needs"]) == ((second,), (first,))


def test_the_local_day_of_a_stored_moment_changes_at_local_midnight(ctx: Context) -> None:
    from crmtui.services.reports.funnel import Moments

    moments = Moments(ctx, OCTOBER)
    # 15:30 UTC is 23:30 in Shanghai, 16:30 UTC is 00:30 the next day; asked in this order and the other
    assert moments.day("2026-10-01 15:30:00.000000") == date(2026, 10, 1)
    assert moments.day("2026-10-01 16:30:00.000000") == date(2026, 10, 2)
    assert moments.day("2026-10-01 12:00:00.000000") == date(2026, 10, 1)
    assert moments.days("2026-10-01 15:59:59.000000", "2026-10-01 16:00:00.000000") == 1


def test_a_deal_moved_back_has_not_moved_on_and_the_cycle_is_to_a_tenth(ctx: Context,
                                                                        frozen: time_machine.Coordinates) -> None:
    at(frozen, 9, 1)
    pine = add_customer(ctx, "Pine")
    at(frozen, 10, 2)
    back = add_deal(ctx, pine.id, "M1").id
    for day, stage in ((3, "proposal"), (4, "needs"), (5, "proposal")):
        at(frozen, 10, day)
        move_stage(ctx, back, stage)
    at(frozen, 10, 10)
    won = [add_deal(ctx, pine.id, f"W{index}", amount=100).id for index in (1, 2, 3)]
    at(frozen, 10, 11)
    win(ctx, won[0], "W-1")
    win(ctx, won[1], "W-2")
    at(frozen, 10, 12)
    win(ctx, won[2], "W-3")
    at(frozen, 11, 24)
    report = module("funnel").build(ctx, OCTOBER)
    # initial: M1 W1 W2 W3, all moved on; needs: M1 (10-04), on to Proposal after; proposal: M1 (10-03), then back
    # to Needs and to Proposal again, never past it: 0 of 1
    assert {key: values[:2] for key, values in rows(report).items()} == {
        "initial": (4, 1.0), "needs": (1, 1.0), "proposal": (1, 0.0), "quote": (0, None), "negotiation": (0, None),
        "won": (3, None)}
    # no follow-ups: from the day opened, 10-10 -> 10-11, 10-11, 10-12: (1 + 1 + 2) / 3 = 1.33 -> 1.3
    assert figures(report)["sales_cycle"] == 1.3
    assert report.notes == ("4 deals skipped a stage.",)  # W1-W3 past four stages, M1 past Needs: 3 + 1


def test_the_local_day_in_a_zone_half_an_hour_off_the_hour(ctx: Context) -> None:
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from crmtui.core.clock import Clock
    from crmtui.services.reports.funnel import Moments

    kolkata = SimpleNamespace(clock=Clock(ZoneInfo("Asia/Kolkata")))
    moments = Moments(kolkata, OCTOBER)  # type: ignore[arg-type]
    # UTC+5:30: 18:20 UTC is 23:50 on 10-01, 18:40 UTC is 00:10 on 10-02 (the same UTC hour, two local days)
    assert moments.day("2026-10-01 18:20:00.000000") == date(2026, 10, 1)
    assert moments.day("2026-10-01 18:40:00.000000") == date(2026, 10, 2)
