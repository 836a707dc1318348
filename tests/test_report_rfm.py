"""The customer value report (services/reports/rfm.py): recency, frequency and money scored by the [rfm]
thresholds, a customer at each segment boundary worked out by hand, the suggested tier beside the current one, and
applying suggestions as ordinary edits (history, outbox), once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from crmtui.core.config import RfmSettings, settings_from_dict
from crmtui.core.errors import InvalidInput
from crmtui.core.periods import Period
from crmtui.services.customers import add_customer, delete_customer
from crmtui.services.deals import add_deal, mark_paid, move_stage, parse_schedule
from crmtui.services.follow_ups import amend_follow_up, log_follow_up
from crmtui.services.history import history_of
from crmtui.services.merge import merge_customers
from crmtui.services.reports import module
from crmtui.services.reports.rfm import apply_suggestions
from crmtui.services.undo import undo

from .conftest import NOW, ZONE

NOVEMBER = Period(datetime(2026, 11, 1, tzinfo=ZONE), datetime(2026, 12, 1, tzinfo=ZONE), "2026-11")


def ago(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """`days` before today (Tue 2026-11-24) at a local time."""
    return (NOW - timedelta(days=days)).replace(hour=hour, minute=minute)


def contact(ctx, frozen, customer_id: str, when: datetime) -> None:
    frozen.move_to(when)
    log_follow_up(ctx, customer_id, channel="phone", goal="talk", goal_met=True, notes="n", next_plan="call",
                  next_at=when + timedelta(days=400))


def customer(ctx, frozen, name: str, tier: str = "C", **kwargs) -> str:
    frozen.move_to(ago(500))
    return add_customer(ctx, name, tier=tier, **kwargs).id


def won(ctx, frozen, customer_id: str, when: datetime, amount: str, payments: str | None = None) -> None:
    frozen.move_to(when)
    deal = add_deal(ctx, customer_id, "Deal", amount=amount)
    move_stage(ctx, deal.id, "won", contract_no=f"HT-{customer_id[:8]}-{when:%Y%m%d}", signed="today",
               payments=parse_schedule(payments) if payments else None)


@pytest.fixture
def book(ctx, frozen) -> dict[str, str]:
    # Thresholds small enough to reach by hand: frequency 1, 2, 3, 4 (a count of c scores 1 + the thresholds it
    # reaches); money 100, 1,000, 10,000, 100,000 yuan; recency the defaults 14, 30, 90, 180 days.
    ctx.settings = replace(ctx.settings, rfm=RfmSettings(frequency=(1, 2, 3, 4), monetary=(100, 1000, 10000, 100000)))
    ids: dict[str, str] = {}
    # Champion: contacts 100, 50 and 14 days ago, a deal won 50 days ago (20,000); 14 days -> R5; 3 contacts
    # + 1 purchase = 4 -> F5; 20,000 yuan reaches 100, 1,000, 10,000 -> M4: champions with M >= 4 -> A
    ids["champion"] = customer(ctx, frozen, "Champion Co")
    for days in (100, 50):
        contact(ctx, frozen, ids["champion"], ago(days))
    won(ctx, frozen, ids["champion"], ago(50, 11), "20000")
    # 14 days ago at 00:30 local is 16:30 UTC the day before: counted by the local day, 14 days
    contact(ctx, frozen, ids["champion"], ago(14, 0, 30))
    # Fifteen: one contact 15 days ago -> R4 (15 > 14), F2 -> new or promising -> B, as it is
    ids["fifteen"] = customer(ctx, frozen, "Fifteen Co", tier="B")
    contact(ctx, frozen, ids["fifteen"], ago(15))
    contact(ctx, frozen, ids["fifteen"], ago(5))
    undo(ctx)  # the contact 5 days ago is deleted: it counts nowhere
    # Loyal: contacts 60, 45 and 31 days ago and a deal of 1,000 won 60 days ago -> R3 (31 > 30), 3 contacts + 1
    # purchase = 4 -> F5; 1,000 reaches 100 and 1,000 -> M3, just enough to have bought -> loyal; M3 < 4 -> B (it
    # is A, and 31 days is not in touch: lowered). The last contact is corrected an hour later: still one.
    ids["loyal"] = customer(ctx, frozen, "Loyal Co", tier="A")
    for days in (60, 45, 31):
        contact(ctx, frozen, ids["loyal"], ago(days))
    won(ctx, frozen, ids["loyal"], ago(60, 11), "1000")
    frozen.move_to(ago(31, 11))
    amend_follow_up(ctx, ids["loyal"], goal_met=False)
    # At risk: contacts 200, 190 and 180 days ago, a deal of 5,000 won 200 days ago -> R2 (180 is not > 180), 3 + 1
    # = 4 -> F5, 5,000 -> M3 -> at risk -> B (it is A)
    ids["at_risk"] = customer(ctx, frozen, "Risky Co", tier="A")
    for days in (200, 190, 180):
        contact(ctx, frozen, ids["at_risk"], ago(days))
    won(ctx, frozen, ids["at_risk"], ago(200, 11), "5000")
    # Chatty: tier A, contacts 10, 8, 6 and 4 days ago, nothing bought -> R5, F5 but M1: not a champion without
    # money -> new or promising, whose tier is B; but a customer in touch (R5 >= 4) keeps its A
    ids["chatty"] = customer(ctx, frozen, "Chatty Co", tier="A")
    for days in (10, 8, 6, 4):
        contact(ctx, frozen, ids["chatty"], ago(days))
    # Hibernating: 365 days ago (24 Nov 2025, before the 12 months that start 25 Nov 2025) and 181 days ago:
    # R1, one contact in the 12 months -> F2 -> hibernating -> C; it is A, quiet for months: lowered to C
    # (counting both contacts would make F3, still hibernating without money)
    ids["hibernating"] = customer(ctx, frozen, "Sleepy Co", tier="A")
    contact(ctx, frozen, ids["hibernating"], ago(365))
    contact(ctx, frozen, ids["hibernating"], ago(181))
    # Lost: one contact 400 days ago -> R1, F1 -> lost -> C (it is B)
    ids["lost"] = customer(ctx, frozen, "Gone Co", tier="B")
    contact(ctx, frozen, ids["lost"], ago(400))
    # Needs attention: one contact 90 days ago at 00:30 local (UTC says 91 days) -> R3, F2 -> C, as it is
    ids["attention"] = customer(ctx, frozen, "Middle Co")
    contact(ctx, frozen, ids["attention"], ago(90, 0, 30))
    # Never: no purchase, no contact -> R1, F1 -> lost -> C, as it is
    ids["never"] = customer(ctx, frozen, "Never Co")
    # Old contract: won 400 days ago (100,000), 70,000 paid 390 days ago, 30,000 paid 30 days ago: last purchase
    # 30 days -> R4; nothing in the 12 months but the payment -> F1; money 30,000 (the contract was signed before
    # the 12 months, so only what it brought in them) -> M4 -> new or promising -> B (it is C)
    ids["old_contract"] = customer(ctx, frozen, "Old Contract Co")
    won(ctx, frozen, ids["old_contract"], ago(400), "100000", "70000@2025-11-10, 30000@2026-11-30")
    frozen.move_to(ago(390))
    mark_paid(ctx, ids["old_contract"])
    frozen.move_to(ago(30))
    mark_paid(ctx, ids["old_contract"])
    # Merged: Kept has a contact 3 days ago, Twin (merged into it) 10 and 5 days ago, and a deal of 99.50 won 3
    # days ago: 3 contacts + 1 purchase -> R5, F5; 99.50 is short of the first threshold (100), M1: not a champion
    # -> new or promising -> B, as it is. Twin is no longer scored.
    ids["kept"] = customer(ctx, frozen, "Kept Co", tier="B")
    ids["twin"] = customer(ctx, frozen, "Twin Co")
    contact(ctx, frozen, ids["twin"], ago(10))
    contact(ctx, frozen, ids["twin"], ago(5))
    contact(ctx, frozen, ids["kept"], ago(3))
    won(ctx, frozen, ids["kept"], ago(3, 11), "99.50")
    # Edge: a contract signed 400 days ago (10,000; 4,000 paid 390 days ago), its other 6,000 paid exactly on the
    # 12 months' first day (25 Nov 2025, 364 days ago), and a deal of 4,000 won that same first day, paid 300 days
    # ago: 1 purchase -> F2; money 6,000 + 4,000 (the contract of the 12 months whole, its payment not again) =
    # 10,000, exactly the third threshold -> M4; last purchase 300 days -> R1 -> hibernating -> C, as it is
    ids["edge"] = customer(ctx, frozen, "Edge Co")
    won(ctx, frozen, ids["edge"], ago(400), "10000", "4000@2025-11-10, 6000@2026-06-30")
    frozen.move_to(ago(390))
    mark_paid(ctx, ids["edge"])
    frozen.move_to(ago(364))
    mark_paid(ctx, ids["edge"])
    won(ctx, frozen, ids["edge"], ago(364, 11), "4000")
    frozen.move_to(ago(300))
    mark_paid(ctx, ids["edge"])
    # Today: one contact this morning -> 0 days, R5; F2 -> new or promising -> B, as it is
    ids["today"] = customer(ctx, frozen, "Today Co", tier="B")
    contact(ctx, frozen, ids["today"], ago(0, 8))
    # Not scored: a lead, a deleted customer
    ids["lead"] = customer(ctx, frozen, "Lead Co", status="lead")
    contact(ctx, frozen, ids["lead"], ago(2))
    ids["deleted"] = customer(ctx, frozen, "Deleted Co")
    contact(ctx, frozen, ids["deleted"], ago(2))
    frozen.move_to(NOW)
    merge_customers(ctx, ids["kept"], ids["twin"])
    delete_customer(ctx, ids["deleted"])
    return ids


EXPECTED = {
    # key: (tier, suggested, segment, days, frequency, money in cents, R-F-M)
    "champion": ("C", "A", "Champions", 14, 4, 2_000_000, "5-5-4"),
    "fifteen": ("B", "B", "New or promising", 15, 1, 0, "4-2-1"),
    "loyal": ("A", "B", "Loyal", 31, 4, 100_000, "3-5-3"),
    "at_risk": ("A", "B", "At risk", 180, 4, 500_000, "2-5-3"),
    "chatty": ("A", "A", "New or promising", 4, 4, 0, "5-5-1"),
    "hibernating": ("A", "C", "Hibernating", 181, 1, 0, "1-2-1"),
    "lost": ("B", "C", "Lost customers", 400, 0, 0, "1-1-1"),
    "attention": ("C", "C", "Needs attention", 90, 1, 0, "3-2-1"),
    "never": ("C", "C", "Lost customers", None, 0, 0, "1-1-1"),
    "old_contract": ("C", "B", "New or promising", 30, 0, 3_000_000, "4-1-4"),
    "kept": ("B", "B", "New or promising", 3, 4, 9_950, "5-5-1"),
    "today": ("B", "B", "New or promising", 0, 1, 0, "5-2-1"),
    "edge": ("C", "C", "Hibernating", 300, 1, 1_000_000, "1-2-4"),
}


def test_each_customer_at_its_segment_boundary(ctx, book) -> None:
    report = module("rfm").build(ctx, NOVEMBER)
    rows = {row.key: row.values for row in report.tables[0].rows}
    assert set(rows) == {book[key] for key in EXPECTED}  # no lead, no deleted customer, Twin merged away
    for key, expected in EXPECTED.items():
        assert rows[book[key]][1:] == expected, key
    # suggestions that differ first (Champion, Loyal, At risk, Sleepy, Gone, Old contract), then the rest
    keys = [row.key for row in report.tables[0].rows]
    assert set(keys[:6]) == {book[k] for k in ("champion", "loyal", "at_risk", "hibernating", "lost", "old_contract")}
    figures = {f.key: f.value for f in report.figures}
    assert figures == {"customers": 13, "differing": 6}
    # promising: Fifteen, Old contract, Kept, Today, Chatty; lost: Gone, Never; hibernating: Sleepy, Edge
    segments = {bar.label: bar.value for bar in report.charts[0].bars}
    assert segments == {"Champions": 1, "Loyal": 1, "New or promising": 5, "At risk": 1, "Lost customers": 2,
                        "Hibernating": 2, "Needs attention": 1}
    assert set(report.charts[0].bars[0].drill.ids) == {book["champion"]}


def _tiers(ctx) -> dict[str, str]:
    with ctx.db.raw_read() as connection:
        return dict(connection.execute("SELECT id, tier FROM customer").fetchall())


def _outbox_tiers(ctx, customer_id: str) -> list[str]:
    with ctx.db.raw_read() as connection:
        return [text for (text,) in connection.execute(
            "SELECT changes FROM outbox WHERE record_table = 'customer' AND record_id = ? AND kind = 'update'"
            " AND changes LIKE '%\"tier\"%' ORDER BY seq", (customer_id,))]


def test_applying_one_suggestion_is_an_ordinary_edit(ctx, book) -> None:
    assert apply_suggestions(ctx, [book["champion"]]) == 1
    assert _tiers(ctx)[book["champion"]] == "A"
    assert _tiers(ctx)[book["loyal"]] == "A"  # the others untouched
    entry = history_of(ctx, customer_id=book["champion"])[0]
    assert [(line.old, line.new) for line in entry.changes if line.table == "customer"] == [("C", "A")]
    assert len(_outbox_tiers(ctx, book["champion"])) == 1 and '"A"' in _outbox_tiers(ctx, book["champion"])[0]
    assert apply_suggestions(ctx, [book["fifteen"]]) == 0  # already its suggested tier: nothing to change
    undo(ctx)  # an ordinary change: undone like any
    assert _tiers(ctx)[book["champion"]] == "C"


def test_applying_all_then_again_changes_nothing_the_second_time(ctx, book) -> None:
    assert apply_suggestions(ctx, None) == 6
    tiers = _tiers(ctx)
    assert [tiers[book[k]] for k in ("champion", "loyal", "at_risk", "hibernating", "lost", "old_contract")] == [
        "A", "B", "B", "C", "C", "B"]
    assert tiers[book["chatty"]] == "A"
    assert apply_suggestions(ctx, None) == 0
    assert {f.key: f.value for f in module("rfm").build(ctx, NOVEMBER).figures}["differing"] == 0
    assert len(_outbox_tiers(ctx, book["lost"])) == 1


def test_a_customer_the_report_does_not_score_is_refused_before_anything_changes(ctx, book) -> None:
    for refused in (book["lead"], book["deleted"], book["twin"], "nonsense"):
        with pytest.raises(InvalidInput) as caught:
            apply_suggestions(ctx, [book["champion"], refused])
        assert caught.value.field == "customer"
    assert _tiers(ctx)[book["champion"]] == "C"


def test_an_empty_book_says_so(ctx) -> None:
    report = module("rfm").build(ctx, NOVEMBER)
    assert report.empty and report.empty_text
    assert [bar.value for bar in report.charts[0].bars] == [0] * 7


def test_a_past_period_scores_as_of_its_end(ctx, book) -> None:
    # As of the end of October 2025 (Gone's contact on 20 Oct 2025, 11 days before): R5 -> promising
    report = module("rfm").build(ctx, Period(datetime(2025, 10, 1, tzinfo=ZONE), datetime(2025, 11, 1, tzinfo=ZONE),
                                             "2025-10"))
    rows = {row.key: row.values for row in report.tables[0].rows}
    assert rows[book["lost"]][3:5] == ("New or promising", 11)


def test_rfm_settings_are_checked() -> None:
    assert settings_from_dict({"rfm": {"recency_days": [7, 14, 60, 120], "tier_a": ["champions"]}}).rfm == RfmSettings(
        recency_days=(7, 14, 60, 120), tier_a=("champions",))
    for wrong in ({"recency_days": [30, 14, 60, 90]}, {"frequency": [1, 2, 3]}, {"tier_b": ["friends"]},
                  {"tier_a_monetary": 6}, {"colour": "red"}):
        with pytest.raises(InvalidInput) as caught:
            settings_from_dict({"rfm": wrong})
        assert caught.value.field.startswith("config rfm")




def test_the_segment_of_every_recency_and_frequency_score() -> None:
    from crmtui.services.reports.rfm import segment

    # the rule table of docs/reports.md, written out by hand: rows R 5..1, columns F 1..5; first for a customer
    # who bought (M 3 to 5), then for one who did not (M 1 or 2): no champion, loyal nor at risk without money
    P, C, L, N, H, A, X = "promising", "champions", "loyal", "needs_attention", "hibernating", "at_risk", "lost"
    bought = {5: (P, P, P, C, C), 4: (P, P, P, C, C), 3: (N, N, N, L, L), 2: (H, H, A, A, A), 1: (X, H, A, A, A)}
    not_bought = {5: (P,) * 5, 4: (P,) * 5, 3: (N,) * 5, 2: (H,) * 5, 1: (X, H, H, H, H)}
    for m in (3, 4, 5):
        for r, row in bought.items():
            assert tuple(segment(r, f, m) for f in range(1, 6)) == row, (r, m)
    for m in (1, 2):
        for r, row in not_bought.items():
            assert tuple(segment(r, f, m) for f in range(1, 6)) == row, (r, m)


def test_scores_and_tiers_at_their_thresholds() -> None:
    from crmtui.services.reports.rfm import count_score, recency_score, suggested_tier

    rfm = RfmSettings()  # recency 14, 30, 90, 180; frequency 2, 5, 10, 20
    assert [recency_score(d, rfm) for d in (0, 14, 15, 30, 31, 90, 91, 180, 181, None)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert [count_score(n, rfm.frequency) for n in (0, 1, 2, 4, 5, 9, 10, 19, 20)] == [1, 1, 2, 2, 3, 3, 4, 4, 5]
    assert [suggested_tier("champions", m, rfm) for m in (3, 4)] == ["B", "A"]
    assert [suggested_tier(s, 5, rfm) for s in ("loyal", "promising", "at_risk", "lost", "needs_attention")] == [
        "A", "B", "B", "C", "C"]
    # an A customer in touch (R 4 or 5) keeps its A whatever its segment; quiet (R 3 or less) it gets the
    # segment's tier; a raise is never held back
    assert [suggested_tier("promising", 1, rfm, tier="A", r=r) for r in (5, 4, 3)] == ["A", "A", "B"]
    assert [suggested_tier("lost", 1, rfm, tier=tier, r=1) for tier in ("A", "B", "C")] == ["C", "C", "C"]
    assert suggested_tier("lost", 1, rfm, tier="B", r=4) == "B"
    assert suggested_tier("champions", 4, rfm, tier="C", r=5) == "A"


def test_the_12_months_before_a_29_february(ctx, frozen) -> None:
    # as of Thu 29 Feb 2024 (the end of a February 2024 period) the 12 months start on 1 Mar 2023 (the day after
    # 28 Feb 2023): a contact on 28 Feb 2023 is older, one on 1 Mar 2023 counts -> frequency 1
    frozen.move_to(datetime(2023, 1, 2, 10, tzinfo=ZONE))
    customer_id = add_customer(ctx, "Leap Co").id
    contact(ctx, frozen, customer_id, datetime(2023, 2, 28, 10, tzinfo=ZONE))
    contact(ctx, frozen, customer_id, datetime(2023, 3, 1, 10, tzinfo=ZONE))
    frozen.move_to(NOW)
    report = module("rfm").build(ctx, Period(datetime(2024, 2, 1, tzinfo=ZONE), datetime(2024, 3, 1, tzinfo=ZONE),
                                             "2024-02"))
    assert report.tables[0].rows[0].values[4:6] == (365, 1)  # 1 Mar 2023 .. 29 Feb 2024 is 365 days
    assert "2023-03-01" in report.notes[0]
