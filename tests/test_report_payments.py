"""The payments report: contracted against collected by month, the instalments overdue now, and the collections
expected in the next 90 days; every figure worked out by hand below.

The book (the suite's clock: Tue 2026-11-24 10:00 Asia/Shanghai; today + 90 days = 2027-02-22; amounts in yuan):
- Acme    won 2026-10-31 23:30 local (UTC 15:30), signed 10-31: 100,000 = 30,000 due 11-15 (paid 11-01)
          + 70,000 due 2027-02-21 (the last day of the 90)
- Oscar   signed 10-10: 12,000 due 10-20, paid 10-31 (October's last day)
- Beta    won 2026-11-01 00:30 local (UTC still 10-31), signed 11-01: 50,000 = 20,000 due 11-10 (unpaid: 14 days
          overdue) + 30,000 due 12-10
- Gamma   signed 11-05: 80,000 due 11-20, paid 11-22 (paid late: not overdue any more)
- Hotel   signed 11-06: 40,000, then reopened (its contract voided) -> nowhere
- Kilo    signed 11-07: 60,000 due 11-08, then the deal deleted -> nowhere
- Mike-2  signed 11-09: 10,000 due 11-12 (unpaid: 12 days overdue), merged into Acme -> counted once, as Acme's
- Zeta    signed 11-20: 5,000 due today 11-24 -> expected, not overdue
- Yank    signed 11-21: 7,000 due 2027-02-22 -> day 90, outside the look-ahead
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crmtui.services.customers import add_customer, edit_customer
from crmtui.services.deals import add_deal, delete_deal, mark_paid, move_stage, parse_schedule
from crmtui.services.merge import merge_customers
from crmtui.services.reports import module
from crmtui.services.reports.base import Report

from .conftest import NOW, ZONE
from .test_report_forecast import NOVEMBER, YUAN, at, period


@pytest.fixture
def book(ctx, frozen):
    ids: dict[str, str] = {}

    def won(customer: str, amount: int, when: tuple[int, ...], schedule: str) -> str:
        at(frozen, *when)
        owner = add_customer(ctx, customer)
        deal = add_deal(ctx, owner.id, f"{customer} deal", amount=amount, stage="negotiation")
        signed = date(*when[:3])
        move_stage(ctx, deal.id, "won", contract_no=f"K-{customer}", signed=signed, payments=parse_schedule(schedule))
        ids[customer], ids[f"{customer} deal"] = owner.id, deal.id
        return deal.id

    won("Oscar", 12_000, (2026, 10, 10), "12000@2026-10-20")
    at(frozen, 2026, 10, 31, 12)
    mark_paid(ctx, ids["Oscar"], paid_on=date(2026, 10, 31))
    won("Acme", 100_000, (2026, 10, 31, 23, 30), "30000@2026-11-15, 70000@2027-02-21")
    at(frozen, 2026, 11, 1, 9)
    mark_paid(ctx, ids["Acme"], paid_on=date(2026, 11, 1))
    won("Beta", 50_000, (2026, 11, 1, 0, 30), "20000@2026-11-10, 30000@2026-12-10")
    won("Gamma", 80_000, (2026, 11, 5), "80000@2026-11-20")
    hotel = won("Hotel", 40_000, (2026, 11, 6), "40000@2026-12-01")
    kilo = won("Kilo", 60_000, (2026, 11, 7), "60000@2026-11-08")
    won("Mike-2", 10_000, (2026, 11, 9), "10000@2026-11-12")
    won("Zeta", 5_000, (2026, 11, 20), "5000@2026-11-24")
    won("Yank", 7_000, (2026, 11, 21), "7000@2027-02-22")
    at(frozen, 2026, 11, 22)
    mark_paid(ctx, ids["Gamma"], paid_on=date(2026, 11, 22))
    frozen.move_to(NOW)
    move_stage(ctx, hotel, "negotiation", reopen=True)
    delete_deal(ctx, kilo)
    merge_customers(ctx, ids["Acme"], ids["Mike-2"])
    return ids


def figures(report: Report) -> dict[str, object]:
    return {figure.key: figure.value for figure in report.figures}


def table(report: Report, key: str):
    return next(t for t in report.tables if t.key == key)


def test_contracted_collected_overdue_and_expected(ctx, book) -> None:
    report = module("payments").build(ctx, NOVEMBER)
    months = table(report, "months").rows
    # Signed in November: Beta 50,000 + Gamma 80,000 + Mike-2 10,000 + Zeta 5,000 + Yank 7,000 = 152,000 (5);
    # Acme's is October's (23:30 on Oct 31), Hotel's voided, Kilo's deleted.
    # Paid in November: Acme 30,000 + Gamma 80,000 = 110,000 (2).
    assert [row.values for row in months] == [("2026-11", 5, 152_000 * YUAN, 2, 110_000 * YUAN)]
    late = table(report, "overdue").rows
    # Beta's 20,000 due Nov 10 (24 - 10 = 14 days), Mike-2's 10,000 due Nov 12 (12 days) now Acme's
    assert [row.values for row in late] == [
        ("Beta", "K-Beta", 20_000 * YUAN, date(2026, 11, 10), 14),
        ("Acme", "K-Mike-2", 10_000 * YUAN, date(2026, 11, 12), 12),
    ]
    ahead = table(report, "expected").rows
    # From today (Nov 24) to Feb 21: Zeta 5,000 today, Beta 30,000 on Dec 10, Acme 70,000 on Feb 21 (Yank's
    # Feb 22 is day 90, outside)
    assert [row.values for row in ahead] == [("2026-11", 1, 5_000 * YUAN), ("2026-12", 1, 30_000 * YUAN),
                                             ("2027-01", 0, 0), ("2027-02", 1, 70_000 * YUAN)]
    shown = figures(report)
    assert shown == {"contracted": 152_000 * YUAN, "collected": 110_000 * YUAN, "overdue": 2,
                     "overdue_amount": 30_000 * YUAN, "expected": 105_000 * YUAN}  # 5,000 + 30,000 + 70,000
    assert not report.empty and "2 instalments are overdue: the oldest was due 14 days ago." in report.notes


def test_the_records_behind_each_number(ctx, book) -> None:
    report = module("payments").build(ctx, NOVEMBER)
    row = table(report, "months").rows[0]
    assert row.drill is not None and row.drill.kind == "deals"
    assert set(row.drill.ids) == {book[f"{name} deal"] for name in ("Beta", "Gamma", "Mike-2", "Zeta", "Yank")}
    assert row.cell_drills[4] is not None and row.cell_drills[4].kind == "payments" and len(row.cell_drills[4].ids) == 2
    bar = report.charts[0].bars[0]
    assert (bar.value, bar.secondary) == (152_000 * YUAN, 110_000 * YUAN)
    drills = {figure.key: figure.drill for figure in report.figures}
    assert drills["overdue"].kind == "payments" and len(drills["overdue"].ids) == 2
    assert [r.drill.ids for r in table(report, "overdue").rows] == [(r.key,) for r in table(report, "overdue").rows]


def test_october_holds_the_contract_signed_at_its_last_minute(ctx, book) -> None:
    october = period(date(2026, 10, 1), date(2026, 10, 31), "2026-10")
    report = module("payments").build(ctx, october)
    # Oscar 12,000 (Oct 10) + Acme 100,000 (23:30 on Oct 31) signed; Oscar's 12,000 paid on Oct 31
    assert [row.values for row in table(report, "months").rows] == [("2026-10", 2, 112_000 * YUAN, 1, 12_000 * YUAN)]
    assert (figures(report)["contracted"], figures(report)["collected"]) == (112_000 * YUAN, 12_000 * YUAN)
    assert figures(report)["overdue"] == 2  # what is overdue is counted from today, whatever the period


def test_a_reps_payments(ctx, book) -> None:
    edit_customer(ctx, book["Acme"], {"owner": "wang"})
    report = module("payments").build(ctx, NOVEMBER, rep="wang")
    # wang holds Acme, and Mike-2's contract with it: signed Nov 9 10,000; Acme's Nov 1 payment 30,000
    assert [row.values for row in table(report, "months").rows] == [("2026-11", 1, 10_000 * YUAN, 1, 30_000 * YUAN)]
    assert [row.values[1] for row in table(report, "overdue").rows] == ["K-Mike-2"]


def test_an_empty_period_says_so(ctx) -> None:
    report = module("payments").build(ctx, period(date(2017, 4, 1), date(2017, 6, 30), "2017Q2"))
    assert report.empty and report.empty_text.startswith("No contract was signed and no instalment paid in 2017Q2")
    assert [row.values for row in table(report, "months").rows] == [
        ("2017-04", 0, 0, 0, 0), ("2017-05", 0, 0, 0, 0), ("2017-06", 0, 0, 0, 0)]
    assert datetime.now(ZONE) == NOW


def test_a_period_with_only_a_signing_or_only_money_owed_is_not_empty(ctx, frozen, book) -> None:
    # 2017Q2 holds nothing of the book, but instalments are overdue now: the report is not empty
    assert not module("payments").build(ctx, period(date(2017, 4, 1), date(2017, 6, 30), "2017Q2")).empty


def test_a_month_with_only_a_contract_signed_is_not_empty(ctx, frozen) -> None:
    at(frozen, 2026, 10, 10)
    customer = add_customer(ctx, "Solo")
    deal = add_deal(ctx, customer.id, "Solo deal", amount=12_000, stage="negotiation")
    move_stage(ctx, deal.id, "won", contract_no="K-S", signed=date(2026, 10, 10),
               payments=parse_schedule("12000@2026-10-20"))
    at(frozen, 2026, 11, 2)
    mark_paid(ctx, customer.id, paid_on=date(2026, 11, 2))
    frozen.move_to(NOW)
    october = module("payments").build(ctx, period(date(2026, 10, 1), date(2026, 10, 31), "2026-10"))
    # signed in October, paid in November, nothing owed: October has the signing and nothing else
    assert not october.empty and figures(october)["collected"] == 0 and figures(october)["contracted"] == 12_000 * YUAN
