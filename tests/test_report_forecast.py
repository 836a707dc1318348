"""The forecast report: open deals by expected close month (amount, weighted, committed), won against the monthly
target, and the open deals whose close date has passed listed apart; every figure worked out by hand below.

The book (the suite's clock: Tue 2026-11-24 10:00 Asia/Shanghai; amounts in yuan):
- Alpha   A1 100,000 Negotiation (80%), closes 2026-12-15
- Beta    B1  50,000 moved Initial -> Quote -> back to Proposal (40%), closes 2026-12-20
- Gamma   C1  20,000 Needs (20%), closes 2026-11-30 (this month, still ahead)
- Delta   D1  30,000 Quote, closes 2026-11-10: passed 14 days ago -> overdue, in no month
- Lima    L1   8,000 Proposal (40%), closes today 2026-11-24: this month's, not overdue
- Echo    E1  10,000 Initial (10%), close moved from 2026-11-28 to 2027-02-01 -> February only
- Fox     F1  no close date -> in no month
- Golf    G1  40,000 won 2026-11-05
- Hotel   H1  70,000 won 2026-11-10, reopened to Negotiation 2026-11-12, closes 2027-01-10 -> open, not won
- India   I1  15,000 won 2026-10-31 23:30 local (UTC 15:30 the same day) -> October
- Juliet  J1  25,000 won 2026-11-01 00:00:00 local, the first instant of November (UTC still 2026-10-31 16:00)
- Kilo    K1  60,000 Negotiation, closes 2026-12-01, deleted -> nowhere
- Mike-2  M1  10,000 Proposal (40%), closes 2026-12-05, its customer merged into Alpha -> counted once
- Papa    P1  no amount, Proposal, closes 2026-12-28 -> one more December deal, nothing to its amounts
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from crmtui.core.config import Settings, settings_from_dict
from crmtui.core.errors import InvalidInput
from crmtui.core.periods import Period
from crmtui.services.customers import add_customer, edit_customer
from crmtui.services.deals import add_deal, delete_deal, edit_deal, move_stage
from crmtui.services.merge import merge_customers
from crmtui.services.reports import module
from crmtui.services.reports.base import Report
from crmtui.services.reports.forecast import committed_stages

from .conftest import NOW, ZONE


def period(first: date, last: date, label: str) -> Period:
    return Period(datetime.combine(first, datetime.min.time(), ZONE),
                  datetime.combine(last + timedelta(days=1), datetime.min.time(), ZONE), label)


NOVEMBER = period(date(2026, 11, 1), date(2026, 11, 30), "2026-11")
YUAN = 100


def at(frozen, year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> None:
    frozen.move_to(datetime(year, month, day, hour, minute, tzinfo=ZONE))


@pytest.fixture
def book(ctx, frozen):
    ids: dict[str, str] = {}

    def deal(customer: str, key: str, amount: int | None, close: date | None, stage: str | None = None) -> str:
        owner = add_customer(ctx, customer)
        made = add_deal(ctx, owner.id, key, amount=amount, close=close, stage=stage)
        ids[key] = made.id
        ids[customer] = owner.id
        return made.id

    at(frozen, 2026, 10, 20)
    deal("Alpha", "A1", 100_000, date(2026, 12, 15), "negotiation")
    beta = deal("Beta", "B1", 50_000, date(2026, 12, 20))
    move_stage(ctx, beta, "quote", amount=50_000)
    move_stage(ctx, beta, "proposal")  # moved back a stage: weighted at Proposal's 40%
    deal("Gamma", "C1", 20_000, date(2026, 11, 30), "needs")
    deal("Delta", "D1", 30_000, date(2026, 11, 10), "quote")
    deal("Lima", "L1", 8_000, date(2026, 11, 24), "proposal")
    echo = deal("Echo", "E1", 10_000, date(2026, 11, 28))
    deal("Fox", "F1", 5_000, None)
    golf = deal("Golf", "G1", 40_000, date(2026, 11, 30), "negotiation")
    hotel = deal("Hotel", "H1", 70_000, date(2027, 1, 10), "negotiation")
    india = deal("India", "I1", 15_000, date(2026, 10, 31), "negotiation")
    juliet = deal("Juliet", "J1", 25_000, date(2026, 11, 1), "negotiation")
    kilo = deal("Kilo", "K1", 60_000, date(2026, 12, 1), "negotiation")
    deal("Mike-2", "M1", 10_000, date(2026, 12, 5), "proposal")
    deal("Papa", "P1", None, date(2026, 12, 28), "proposal")
    at(frozen, 2026, 10, 31, 23, 30)
    move_stage(ctx, india, "won", contract_no="K-I", signed=date(2026, 10, 31))
    at(frozen, 2026, 11, 1, 0, 0)
    move_stage(ctx, juliet, "won", contract_no="K-J", signed=date(2026, 11, 1))
    at(frozen, 2026, 11, 5)
    move_stage(ctx, golf, "won", contract_no="K-G", signed=date(2026, 11, 5))
    at(frozen, 2026, 11, 10)
    move_stage(ctx, hotel, "won", contract_no="K-H", signed=date(2026, 11, 10))
    at(frozen, 2026, 11, 12)
    move_stage(ctx, hotel, "negotiation", reopen=True)
    frozen.move_to(NOW)
    edit_deal(ctx, echo, {"close": date(2027, 2, 1)})
    delete_deal(ctx, kilo)
    merge_customers(ctx, ids["Alpha"], ids["Mike-2"])
    ctx.settings = replace(ctx.settings, monthly_target_cents=settings_from_dict(
        {"monthly_target": "50万"}).monthly_target_cents)
    return ids


def figures(report: Report) -> dict[str, object]:
    return {figure.key: figure.value for figure in report.figures}


def table(report: Report, key: str):
    return next(t for t in report.tables if t.key == key)


def test_this_month_shows_it_and_the_next_five_with_amount_weighted_committed_and_won(ctx, book) -> None:
    report = module("forecast").build(ctx, NOVEMBER)
    months = table(report, "months")
    assert [row.key for row in months.rows] == ["2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04"]
    by = {row.key: row.values for row in months.rows}
    target = 500_000 * YUAN  # 50万 a month, every month whole
    # Nov: C1 20,000 at 20% = 4,000 and L1 (today) 8,000 at 40% = 3,200: 28,000, weighted 7,200; D1 passed
    # (overdue), E1 moved away; won G1 40,000 + J1 25,000 = 65,000 (J1 at 00:00 on Nov 1 local; I1 at 23:30 on
    # Oct 31 is October's; H1 reopened is not won).
    assert by["2026-11"] == ("2026-11", 2, 28_000 * YUAN, 7_200 * YUAN, 0, 2, 65_000 * YUAN, target,
                             65_000 / 500_000)
    # Dec: A1 100,000 x 80% = 80,000; B1 50,000 x 40% = 20,000; M1 10,000 x 40% = 4,000 (K1 deleted)
    # amount 160,000, weighted 104,000, committed (Negotiation on) A1 100,000; P1 has no amount: 4 deals
    # December has not started: its target is shown, but nothing is measured against it yet
    assert by["2026-12"] == ("2026-12", 4, 160_000 * YUAN, 104_000 * YUAN, 100_000 * YUAN, 0, 0, target, None)
    # Jan: H1 reopened to Negotiation: 70,000 x 80% = 56,000, committed 70,000
    assert by["2027-01"][1:5] == (1, 70_000 * YUAN, 56_000 * YUAN, 70_000 * YUAN)
    # Feb: E1 10,000 x 10% = 1,000
    assert by["2027-02"][1:5] == (1, 10_000 * YUAN, 1_000 * YUAN, 0)
    assert by["2027-03"][1:7] == (0, 0, 0, 0, 0, 0)
    shown = figures(report)
    # 28,000 + 160,000 + 70,000 + 10,000 = 268,000; 7,200 + 104,000 + 56,000 + 1,000 = 168,200
    assert shown["best_case"] == 268_000 * YUAN and shown["weighted"] == 168_200 * YUAN
    assert shown["committed"] == 170_000 * YUAN and shown["won"] == 65_000 * YUAN  # 100,000 + 70,000
    # the headline measures the months that have started (November alone), not six months' target
    assert shown["target"] == target and shown["attained"] == pytest.approx(65_000 / 500_000)
    assert shown["overdue"] == 1 and shown["overdue_amount"] == 30_000 * YUAN and shown["undated"] == 1
    assert not report.empty
    assert "This month and the next 5: open deals by the month they are expected to close." in report.notes


def test_the_records_behind_each_number(ctx, book) -> None:
    report = module("forecast").build(ctx, NOVEMBER)
    rows = {row.key: row for row in table(report, "months").rows}
    december = rows["2026-12"]
    assert december.drill is not None and set(december.drill.ids) == {book["A1"], book["B1"], book["M1"], book["P1"]}
    assert december.cell_drills[4] is not None and december.cell_drills[4].ids == (book["A1"],)  # committed
    assert set(rows["2026-11"].cell_drills[6].ids) == {book["G1"], book["J1"]}  # won
    bars = {bar.label: bar for bar in report.charts[0].bars}
    assert bars["2026-12"].value == 160_000 * YUAN and bars["2026-12"].secondary == 104_000 * YUAN
    late = table(report, "overdue").rows
    assert [row.key for row in late] == [book["D1"]]
    assert late[0].values == ("D1", "Delta", "Quote", 30_000 * YUAN, date(2026, 11, 10), 14)
    drills = {figure.key: figure.drill for figure in report.figures}
    assert drills["undated"].ids == (book["F1"],) and drills["overdue"].ids == (book["D1"],)
    assert drills["won"].kind == "deals" and set(drills["won"].ids) == {book["G1"], book["J1"]}


def test_a_past_month_is_not_extended_and_its_open_deals_are_overdue(ctx, book) -> None:
    october = period(date(2026, 10, 1), date(2026, 10, 31), "2026-10")
    report = module("forecast").build(ctx, october)
    rows = table(report, "months").rows
    assert [row.key for row in rows] == ["2026-10"]
    # I1 won at 23:30 on Oct 31 local is October's, J1 at 00:00 on Nov 1 is not; nothing open can close in a month
    # already gone
    assert rows[0].values[1:7] == (0, 0, 0, 0, 1, 15_000 * YUAN)
    assert figures(report)["overdue"] == 1  # the overdue deals are listed whatever the period


def test_a_week_cuts_the_month_and_its_target(ctx, book) -> None:
    week = period(date(2026, 11, 2), date(2026, 11, 8), "2026-11-02..2026-11-08")
    rows = table(module("forecast").build(ctx, week), "months").rows
    # G1 won on Nov 5 is in; J1 (Nov 1) is not; the target is 7 of November's 30 days: 50,000,000 x 7 // 30 cents
    assert rows[0].values[5:8] == (1, 40_000 * YUAN, 11_666_666)


def test_a_period_across_two_months_has_a_row_for_each_day_of_them(ctx, book) -> None:
    edge = period(date(2026, 10, 31), date(2026, 11, 1), "2026-10-31..2026-11-01")
    rows = {row.key: row.values for row in table(module("forecast").build(ctx, edge), "months").rows}
    # I1 won at 23:30 on Oct 31, J1 at 00:00 on Nov 1: one a month; targets 1/31 and 1/30 of 50万 in cents
    assert rows == {"2026-10": ("2026-10", 0, 0, 0, 0, 1, 15_000 * YUAN, 50_000_000 // 31, pytest.approx(
                        15_000 * YUAN / (50_000_000 // 31))),
                    "2026-11": ("2026-11", 0, 0, 0, 0, 1, 25_000 * YUAN, 50_000_000 // 30, pytest.approx(
                        25_000 * YUAN / (50_000_000 // 30)))}


def test_committed_follows_the_configured_stages() -> None:
    assert committed_stages(Settings()) == ["negotiation"]
    custom = settings_from_dict({"stages": [
        {"key": "lead", "probability": 10}, {"key": "contract", "probability": 70}, {"key": "signing", "probability": 90},
        {"key": "won", "probability": 100}, {"key": "lost", "probability": 0}]})
    assert committed_stages(custom) == ["signing"]  # no Negotiation: the last open stage
    after = settings_from_dict({"stages": [
        {"key": "initial", "probability": 10}, {"key": "negotiation", "probability": 70},
        {"key": "legal", "probability": 90}, {"key": "won", "probability": 100}, {"key": "lost", "probability": 0}]})
    assert committed_stages(after) == ["negotiation", "legal"]


def test_a_reps_forecast_counts_that_reps_deals(ctx, book) -> None:
    edit_customer(ctx, book["Alpha"], {"owner": "wang"})
    rows = {row.key: row.values for row in table(module("forecast").build(ctx, NOVEMBER, rep="wang"), "months").rows}
    # Alpha holds A1 and, since the merge, M1: 100,000 + 10,000 in December
    assert rows["2026-12"][1:3] == (2, 110_000 * YUAN)
    assert rows["2026-11"][5] == 0


def test_an_empty_book_says_so(ctx) -> None:
    report = module("forecast").build(ctx, NOVEMBER)
    assert report.empty and "No open deal is expected to close in 2026-11..2027-04" in report.empty_text
    assert all(row.values[1] == 0 for row in table(report, "months").rows)
    assert any("monthly_target" in note for note in report.notes)  # no target set


def test_the_monthly_target_setting() -> None:
    assert settings_from_dict({"monthly_target": 500000}).monthly_target_cents == 50_000_000
    assert settings_from_dict({"monthly_target": "1.5万"}).monthly_target_cents == 1_500_000
    assert settings_from_dict({"monthly_target": 0}).monthly_target_cents == 0
    assert settings_from_dict({}).monthly_target_cents == 0
    for wrong in (-1, "lots", True, [1]):
        with pytest.raises(InvalidInput, match="config monthly_target"):
            settings_from_dict({"monthly_target": wrong})


@pytest.mark.parametrize("kept", ["ahead", "won", "overdue", "undated"])
def test_one_deal_of_any_kind_is_enough_to_make_a_forecast(ctx, frozen, kept) -> None:
    at(frozen, 2026, 11, 1)
    customer = add_customer(ctx, "Only")
    close = {"ahead": date(2026, 12, 1), "won": None, "overdue": date(2026, 11, 10), "undated": None}[kept]
    deal = add_deal(ctx, customer.id, "Only deal", amount=1_000, close=close, stage="negotiation")
    if kept == "won":
        move_stage(ctx, deal.id, "won", contract_no="K-O", signed=date(2026, 11, 1))
    frozen.move_to(NOW)
    assert not module("forecast").build(ctx, NOVEMBER).empty


def test_with_no_target_the_months_have_no_target_columns(ctx) -> None:
    months = table(module("forecast").build(ctx, NOVEMBER), "months")
    assert [column.key for column in months.columns] == ["month", "deals", "amount", "weighted", "committed",
                                                         "won_deals", "won"]
    assert all(len(row.values) == 7 and len(row.cell_drills) == 7 for row in months.rows)
