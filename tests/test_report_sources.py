"""The sources report against a small book whose answers are worked out by hand below (times in Asia/Shanghai;
the period is October 2026):

- Old (web) added in September, won in October: arrived before the period, not counted.
- Ann (lead, web) added 10-02, converted 10-05, its deal won 10-20 for 5,000 yuan.
- Bob (lead, "Web " - the same source) added 10-03, still a lead.
- Cat (lead, referral) added 10-31 23:30 (15:30 UTC: October), converted 11-02, its deal lost.
- Dan (lead, referral) added 11-01 00:30 (10-31 16:30 UTC): November's.
- Eve (prospect, no source) added 10-10: two deals won, 2,000 in October and 1,000 in November.
- Fay (lead, web) added 10-12, then deleted.
- Gus Co (prospect, fair) added 10-14; the lead Gus (fair, company Gus Co) added 10-16 and converted into it: one
  customer, counted once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine

from crmtui.core.periods import month_period
from crmtui.services.context import Context
from crmtui.services.convert import convert_lead
from crmtui.services.customers import add_customer, delete_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.reports import module
from tests.conftest import ZONE
from tests.test_report_funnel import at, win

OCTOBER = month_period(date(2026, 10, 1), ZONE)


@pytest.fixture
def book(ctx: Context, frozen: time_machine.Coordinates) -> dict[str, str]:
    ids: dict[str, str] = {}
    at(frozen, 9, 10)
    ids["Old"] = add_customer(ctx, "Old", source="web").id
    old_deal = add_deal(ctx, ids["Old"], "Old deal", amount=9000).id
    at(frozen, 10, 2)
    ids["Ann"] = add_customer(ctx, "Ann", status="lead", kind="person", source="web").id
    at(frozen, 10, 3)
    ids["Bob"] = add_customer(ctx, "Bob", status="lead", kind="person", source="Web ").id
    at(frozen, 10, 5)
    ann_deal = convert_lead(ctx, ids["Ann"], deal_title="Ann deal", amount_cents=500_000)[2].id
    at(frozen, 10, 10)
    ids["Eve"] = add_customer(ctx, "Eve").id
    eve_deals = [add_deal(ctx, ids["Eve"], title, amount=amount).id for title, amount in (("E1", 2000), ("E2", 1000))]
    at(frozen, 10, 12)
    ids["Fay"] = add_customer(ctx, "Fay", status="lead", kind="person", source="web").id
    at(frozen, 10, 14)
    ids["Gus Co"] = add_customer(ctx, "Gus Co", source="fair").id
    at(frozen, 10, 15)
    win(ctx, eve_deals[0], "E-1")
    win(ctx, old_deal, "O-1")
    at(frozen, 10, 16)
    ids["Gus"] = add_customer(ctx, "Gus", status="lead", kind="person", company="Gus Co", source="fair",
                             force=True).id
    convert_lead(ctx, ids["Gus"])
    at(frozen, 10, 20)
    win(ctx, ann_deal, "A-1")
    at(frozen, 10, 31, 23, 30)
    ids["Cat"] = add_customer(ctx, "Cat", status="lead", kind="person", source="referral").id
    at(frozen, 11, 1, 0, 30)
    ids["Dan"] = add_customer(ctx, "Dan", status="lead", kind="person", source="referral").id
    at(frozen, 11, 2)
    cat_deal = convert_lead(ctx, ids["Cat"])[2].id
    move_stage(ctx, cat_deal, "lost", reason="price")
    at(frozen, 11, 5)
    win(ctx, eve_deals[1], "E-2")
    delete_customer(ctx, ids["Fay"])
    at(frozen, 11, 24)
    return ids


def test_leads_converted_and_won_by_source(ctx: Context, book: dict[str, str]) -> None:
    report = module("sources").build(ctx, OCTOBER)
    rows = {row.key: row.values for row in report.tables[0].rows}
    # web: Ann and Bob (Fay deleted, Old arrived in September) -> 2 leads, Ann converted and won 5,000;
    # no source: Eve, a prospect (converted), won E1 2,000 + E2 1,000 = 3,000 (the cohort's deals, whenever won);
    # fair: Gus Co once (Gus merged into it), converted (a deal from the conversion), none won;
    # referral: Cat (23:30 on 10-31 local), converted, its deal lost; Dan is November's.
    # Order: won amount, then leads, then the key.
    assert rows == {
        "web": ("web", 2, 1, 0.5, 1, 500_000),
        "-": ("(no source)", 1, 1, 1.0, 1, 300_000),
        "fair": ("fair", 1, 1, 1.0, 0, 0),
        "referral": ("referral", 1, 1, 1.0, 0, 0),
    }
    assert list(rows) == ["web", "-", "fair", "referral"]
    web = report.tables[0].rows[0]
    assert web.drill is not None and web.drill.kind == "customers" and set(web.drill.ids) == {book["Ann"], book["Bob"]}
    fair = report.tables[0].rows[2]
    assert fair.drill is not None and fair.drill.ids == (book["Gus Co"],)
    figures = {figure.key: figure.value for figure in report.figures}
    # 2 + 1 + 1 + 1 = 5 leads; 1 + 1 + 1 + 1 = 4 converted; Ann and Eve won 5,000 + 3,000 = 8,000
    assert figures == {"leads": 5, "converted": 4, "conversion": 4 / 5, "won": 2, "won_amount": 800_000}
    assert [(bar.label, bar.value) for bar in report.charts[1].bars] == [("web", 500_000), ("(no source)", 300_000)]


def test_november_starts_at_local_midnight(ctx: Context, book: dict[str, str]) -> None:
    report = module("sources").build(ctx, month_period(date(2026, 11, 1), ZONE))
    rows = {row.key: row.values for row in report.tables[0].rows}
    # only Dan (11-01 00:30 local, still October in UTC), a lead not converted
    assert rows == {"referral": ("referral", 1, 0, 0.0, 0, 0)}


def test_a_rep_sees_only_their_customers_and_an_empty_period_says_so(ctx: Context, book: dict[str, str]) -> None:
    # nobody owns these customers: a rep named in a team view has none of them
    assert module("sources").build(ctx, OCTOBER, "Ann Lee").empty
    report = module("sources").build(ctx, month_period(date(2017, 4, 1), ZONE))
    assert report.empty and report.empty_text == "No lead or customer arrived in 2017-04."


def test_a_customer_arrives_with_its_oldest_imported_deal(tmp_path: Path, ctx: Context) -> None:
    from crmtui.core.periods import quarter_period
    from tests.test_report_funnel import imported_pipeline

    imported_pipeline(tmp_path)
    report = module("sources").build(ctx, quarter_period(date(2017, 4, 1), ZONE))
    # The accounts were added today, but each arrived with its first deal: Acme D01 01-10, Globex D03 03-15 and
    # Hooli D18 01-05 in 2017Q1; Initech D05 04-02 in Q2. Initech has no source; of its deals D05 is won (550),
    # D06 and D08 lost, D14 and D15 open.
    assert {row.key: row.values for row in report.tables[0].rows} == {"-": ("(no source)", 1, 1, 1.0, 1, 55_000)}
