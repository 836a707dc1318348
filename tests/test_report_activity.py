"""The activity report (services/reports/activity.py) on a small book whose figures are worked out by hand below:
follow-ups a day and a week, by channel, the goal-met rate, new leads and their first contact, overdue at each
week's end, the 12-month heatmap at the Shanghai midnight edge, the key customers × weeks grid."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from crmtui.core.periods import Period
from crmtui.services.customers import add_customer, delete_customer, edit_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import amend_follow_up, log_follow_up
from crmtui.services.merge import merge_customers
from crmtui.services.reports import module
from crmtui.services.reports.base import Grid, Heatmap
from crmtui.services.undo import undo

from .conftest import NOW, ZONE

NOVEMBER = Period(datetime(2026, 11, 1, tzinfo=ZONE), datetime(2026, 12, 1, tzinfo=ZONE), "2026-11")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZONE)  # type: ignore[misc]


def log(ctx, frozen, customer_id: str, when: datetime, channel: str, met: bool, next_at: datetime) -> str:
    frozen.move_to(when)
    return log_follow_up(ctx, customer_id, channel=channel, goal="talk", goal_met=met, notes="n", next_plan="call",
                         next_at=next_at).id


@pytest.fixture
def book(ctx, frozen) -> dict[str, str]:
    """The book of every test here (Shanghai times; the frozen clock moved to each moment)."""
    frozen.move_to(at(2025, 11, 20, 10))
    acme = add_customer(ctx, "Acme Analytics", tier="A").id
    # a year back from Tue 2026-11-24 the heatmap starts 2025-11-25: the 24th is left out, 00:00 on the 25th is in
    log(ctx, frozen, acme, at(2025, 11, 24, 12), "phone", True, at(2025, 12, 1, 10))
    log(ctx, frozen, acme, at(2025, 11, 25), "phone", True, at(2025, 12, 1, 10))

    frozen.move_to(at(2026, 9, 1, 10))
    hotel = add_customer(ctx, "Hotel Supplies").id
    add_deal(ctx, hotel, "Linen", amount="50000")
    india = add_customer(ctx, "India Textiles").id
    lost = add_deal(ctx, india, "Cotton", amount="80000")
    move_stage(ctx, lost.id, "lost", reason="price")
    add_deal(ctx, add_customer(ctx, "Juliet Paper").id, "Samples")  # a deal with no amount: not a key customer
    # Sunday 6 Sep 23:30 is before the grid's first week (Monday 7 Sep); 00:00 on the 7th is its first cell
    log(ctx, frozen, hotel, at(2026, 9, 6, 23, 30), "phone", True, at(2026, 9, 7, 10))
    log(ctx, frozen, hotel, at(2026, 9, 7), "phone", True, at(2026, 12, 15, 10))

    frozen.move_to(at(2026, 10, 25, 10))
    golf = add_customer(ctx, "Golf Trading").id

    # 23:30 on 31 Oct is October (15:30 UTC); 00:30 on 1 Nov is November though UTC still says 31 Oct 16:30
    log(ctx, frozen, acme, at(2026, 10, 31, 23, 30), "phone", True, at(2026, 11, 1, 9))
    log(ctx, frozen, acme, at(2026, 11, 1, 0, 30), "wechat", False, at(2026, 11, 1, 18))

    frozen.move_to(at(2026, 11, 2, 9))
    beta = add_customer(ctx, "Beta Foods", status="lead").id
    log(ctx, frozen, beta, at(2026, 11, 3, 9), "visit", True, at(2026, 11, 20, 10))  # exactly 24 h after

    frozen.move_to(at(2026, 11, 3, 9))
    echo = add_customer(ctx, "Echo Media").id
    frozen.move_to(at(2026, 11, 5, 9))
    gamma = add_customer(ctx, "Gamma Tools", status="lead").id
    log(ctx, frozen, gamma, at(2026, 11, 7, 9, 30), "phone", False, at(2026, 11, 8, 10))  # 48.5 h after
    frozen.move_to(at(2026, 11, 7, 10))
    amend_follow_up(ctx, gamma, goal_met=True)  # a correction: one follow-up, its goal met

    log(ctx, frozen, acme, at(2026, 11, 10, 15), "phone", True, at(2026, 11, 30, 10))
    log(ctx, frozen, echo, at(2026, 11, 12, 10), "email", True, at(2026, 11, 30, 10))
    log(ctx, frozen, golf, at(2026, 11, 15, 10), "email", True, at(2026, 11, 15, 18))

    frozen.move_to(at(2026, 11, 20, 9))
    delta = add_customer(ctx, "Delta Parts", status="lead").id  # never contacted
    log(ctx, frozen, hotel, at(2026, 11, 20, 12), "visit", True, at(2026, 12, 20, 10))
    undo(ctx)  # that follow-up is deleted: it counts nowhere

    frozen.move_to(NOW)
    delete_customer(ctx, echo)  # its follow-up and its being new leave every figure
    merge_customers(ctx, acme, golf)  # Golf's follow-up moves to Acme, counted once there
    return {"acme": acme, "beta": beta, "gamma": gamma, "delta": delta, "hotel": hotel, "india": india,
            "golf": golf, "echo": echo}


def test_follow_ups_of_the_period_by_channel_and_goal_met(ctx, book) -> None:
    report = module("activity").build(ctx, NOVEMBER)
    figures = {f.key: f for f in report.figures}
    # November: Acme 1 Nov 00:30 (wechat, not met), Beta 3 Nov (visit, met), Gamma 7 Nov (phone, corrected to
    # met: one follow-up), Acme 10 Nov (phone, met), Golf's 15 Nov moved to Acme (email, met) = 5;
    # Acme's 31 Oct 23:30 is October's; Echo's (deleted) does not count
    assert figures["follow_ups"].value == 5
    assert len(figures["follow_ups"].drill.ids) == 5
    assert figures["goal_met_rate"].value == pytest.approx(4 / 5)  # met 4 of 5 answered
    channels = {row.key: row.values for row in report.tables[0].rows}
    assert channels == {"phone": ("Phone", 2, 2, 1.0), "wechat": ("WeChat", 1, 0, 0.0),
                        "visit": ("Visit", 1, 1, 1.0), "email": ("Email", 1, 1, 1.0)}
    assert [row.key for row in report.tables[0].rows][0] == "phone"  # the most used first
    assert not report.empty


def test_new_leads_and_first_contact_speed(ctx, book) -> None:
    figures = {f.key: f for f in module("activity").build(ctx, NOVEMBER).figures}
    # added in November: Beta (2 Nov), Gamma (5 Nov), Delta (20 Nov); Echo was deleted
    assert set(figures["new_leads"].drill.ids) == {book["beta"], book["gamma"], book["delta"]}
    assert figures["new_leads"].value == 3
    # Beta first contacted after exactly 24 h, Gamma after 48.5 h: median (24 + 48.5) / 2 = 36.25 h, shown to a
    # tenth (36.25 rounds to the even 36.2)
    assert figures["first_contact_hours"].value == 36.2
    assert figures["first_contact_hours"].kind == "hours"
    assert figures["within_window"].drill.ids == (book["beta"],)  # the 24 h window, its last moment included
    assert figures["not_contacted"].drill.ids == (book["delta"],)


def test_days_weeks_and_overdue_at_each_weeks_end(ctx, book) -> None:
    report = module("activity").build(ctx, NOVEMBER)
    days = {bar.label: bar.value for bar in report.charts[0].bars}
    assert len(days) == 24 and days["2026-11-01"] == 1  # 1 to 24 Nov: the days to come have nothing to show  # the 00:30 follow-up is November's first day's
    assert days["2026-11-07"] == 1 and days["2026-11-15"] == 1 and days["2026-11-16"] == 0
    weeks = {row.key: row.values for row in report.tables[1].rows}
    # weeks Monday to Sunday; 1 Nov is a Sunday, so the first week is Mon 26 Oct cut to 1 Nov
    # weeks begun, each keyed by the first day it shows (the first week's row shows 1 Nov)
    assert list(weeks) == ["2026-11-01", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    assert weeks["2026-11-01"][:2] == (date(2026, 11, 1), 1)
    # week of 2 Nov: Beta 3 Nov, Gamma 7 Nov (both met); new leads Beta and Gamma
    assert weeks["2026-11-02"][1:5] == (2, 2, 1.0, 2)
    # week of 9 Nov: Acme 10 Nov and Golf's (now Acme's) Sunday 15 Nov, both met; no new lead
    assert weeks["2026-11-09"][1:5] == (2, 2, 1.0, 0)
    # overdue at each week's end, from the next date of each customer's latest follow-up before it:
    # 2 Nov 00:00: Acme (1 Nov 18:00 planned) = 1; 9 Nov: Acme, Gamma (8 Nov) = 2; 16 Nov: Acme (Golf's
    # 15 Nov 18:00), Gamma = 2; 23 Nov: Acme, Beta (20 Nov), Gamma = 3 (Delta was never given a date).
    # This week: the agenda's overdue, next dates before today's start: Acme (merge kept Golf's earlier
    # 15 Nov), Beta, Gamma = 3.
    assert [weeks[key][5] for key in weeks] == [1, 2, 2, 3, 3]
    overdue = report.charts[1]
    assert [(bar.label, bar.value) for bar in overdue.bars] == [
        ("2026-11-01", 1), ("2026-11-02", 2), ("2026-11-09", 2), ("2026-11-16", 3), ("2026-11-23", 3)]
    assert set(overdue.bars[3].drill.ids) == {book["acme"], book["beta"], book["gamma"]}
    assert weeks["2026-11-23"][5] == 3 and report.notes  # past weeks are reconstructed: the note says how


def test_heatmap_of_the_last_12_months_at_the_midnight_edge(ctx, book) -> None:
    heatmap = next(c for c in module("activity").build(ctx, NOVEMBER).charts if isinstance(c, Heatmap))
    days = dict(heatmap.days)
    assert heatmap.days[0][0] == date(2025, 11, 25) and heatmap.days[-1][0] == date(2026, 11, 24)
    assert len(heatmap.days) == 365  # 25 Nov 2025 .. 24 Nov 2026, zero days included
    assert days[date(2025, 11, 25)] == 1  # 00:00 local, 16:00 UTC the day before
    assert days[date(2026, 10, 31)] == 1 and days[date(2026, 11, 1)] == 1  # not 2 and 0 as UTC days would say
    assert days[date(2026, 9, 6)] == 1 and days[date(2026, 9, 7)] == 1
    # 25 Nov 2025, 6 and 7 Sep, 31 Oct, 1, 3, 7 (corrected: once), 10 and 15 Nov = 9 (the 24 Nov 2025 one is
    # older; Echo's customer and Hotel's 20 Nov follow-up were deleted)
    assert sum(days.values()) == 9


def test_key_customers_by_weeks(ctx, book) -> None:
    grid = next(c for c in module("activity").build(ctx, NOVEMBER).charts if isinstance(c, Grid))
    # tier A first (Acme), then the others with deals not lost (Hotel 50,000); India's only deal was lost,
    # Juliet's has no amount
    assert grid.row_labels == ("Acme Analytics (A)", "Hotel Supplies (C)")
    assert grid.row_drills[0].ids == (book["acme"],)
    # 12 weeks: Monday 7 Sep .. the week of Monday 23 Nov
    assert grid.column_labels[0] == "09-07" and grid.column_labels[-1] == "11-23" and len(grid.column_labels) == 12
    # Acme: 31 Oct and Sun 1 Nov in the week of 26 Oct (7 weeks after 7 Sep); 10 and 15 Nov in that of 9 Nov (9)
    assert grid.cells[0] == (0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0)
    assert grid.cells[1] == (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)  # 7 Sep 00:00 only; 6 Sep is the week before


def test_an_empty_period_says_so_and_still_shows_the_year(ctx, book) -> None:
    report = module("activity").build(ctx, Period(at(2025, 6, 1), at(2025, 7, 1), "2025-06"))
    # nothing in June 2025, but the year's heatmap (ending today) and the key customers still have follow-ups
    assert not report.empty and report.notes[0] == "No follow-ups and no new leads in 2025-06"
    heatmap = next(c for c in report.charts if isinstance(c, Heatmap))
    assert sum(n for _, n in heatmap.days) > 0
    assert [bar.value for bar in report.charts[0].bars] == [0] * 30  # every day of June, none with a follow-up
    assert {f.key: f.value for f in report.figures}["goal_met_rate"] is None  # no answer: no rate, not 0


def test_a_reps_view_counts_only_their_customers(ctx, frozen, book) -> None:
    edit_customer(ctx, book["hotel"], {"owner": "Zoe"})  # the only customer with an owner
    log(ctx, frozen, book["hotel"], at(2026, 11, 24, 8), "phone", True, at(2026, 12, 24, 10))  # today, 08:00
    frozen.move_to(NOW)
    for rep in ("all", "Zoe"):
        report = module("activity").build(ctx, NOVEMBER, rep=rep)
        assert not report.empty  # a follow-up and no new lead: something to show
        assert {f.key: f.value for f in report.figures}["follow_ups"] == 1
        heatmap = next(c for c in report.charts if isinstance(c, Heatmap))
        assert sum(n for _, n in heatmap.days) == 3 and heatmap.days[-1] == (date(2026, 11, 24), 1)  # 6, 7 Sep, today
        grid = next(c for c in report.charts if isinstance(c, Grid))
        assert grid.row_labels == ("Hotel Supplies (C)",) and grid.cells[0][-1] == 1  # this week's column
    assert sum(n for _, n in next(c for c in module("activity").build(ctx, NOVEMBER, rep="Yan").charts
                                  if isinstance(c, Heatmap)).days) == 0


def test_a_period_includes_its_first_moment_and_not_its_end(ctx, book) -> None:
    # from 00:30 on 1 Nov (Acme's follow-up at that very moment counts) to 15:00 on 10 Nov (Acme's at that moment
    # does not): Acme 1 Nov, Beta 3 Nov, Gamma 7 Nov = 3
    report = module("activity").build(ctx, Period(at(2026, 11, 1, 0, 30), at(2026, 11, 10, 15), "edge"))
    assert {f.key: f.value for f in report.figures}["follow_ups"] == 3
    # from 09:00 on 2 Nov (Beta added then) to 09:00 on 20 Nov (Delta added then): Beta and Gamma
    report = module("activity").build(ctx, Period(at(2026, 11, 2, 9), at(2026, 11, 20, 9), "leads"))
    assert next(f for f in report.figures if f.key == "new_leads").drill.ids == (book["beta"], book["gamma"])
    # a period whose last day is a Monday (1 to 23 Nov) has that week's row
    report = module("activity").build(ctx, Period(at(2026, 11, 1), at(2026, 11, 24), "to Monday"))
    assert report.tables[1].rows[-1].key == "2026-11-23"


def test_the_heatmap_of_the_year_to_a_29_february(ctx, frozen) -> None:
    frozen.move_to(datetime(2028, 2, 29, 12, tzinfo=ZONE))
    heatmap = next(c for c in module("activity").build(ctx, Period(at(2028, 2, 1), at(2028, 3, 1), "2028-02")).charts
                   if isinstance(c, Heatmap))
    # the day after 28 Feb 2027 (there is no 29 Feb 2027) to 29 Feb 2028: 366 days
    assert heatmap.days[0] == (date(2027, 3, 1), 0) and heatmap.days[-1][0] == date(2028, 2, 29)
    assert len(heatmap.days) == 366


def test_overdue_at_a_weeks_end_and_today_at_their_exact_edges(ctx, frozen) -> None:
    frozen.move_to(at(2026, 10, 1, 10))
    w, v, x, y = (add_customer(ctx, name).id for name in ("Whiskey Co", "Victor Co", "Xray Co", "Yankee Co"))
    log(ctx, frozen, w, at(2026, 11, 2, 10), "phone", True, at(2026, 11, 5, 10))
    log(ctx, frozen, v, at(2026, 11, 3, 10), "phone", True, at(2026, 11, 9))  # planned for exactly 9 Nov 00:00
    log(ctx, frozen, w, at(2026, 11, 9), "phone", True, at(2026, 12, 1, 10))  # logged exactly at 9 Nov 00:00
    log(ctx, frozen, x, at(2026, 11, 23, 10), "phone", True, at(2026, 11, 24))  # exactly today's start
    log(ctx, frozen, y, at(2026, 11, 23, 11), "phone", True, at(2026, 11, 23, 23, 59))
    frozen.move_to(NOW)
    weeks = {row.key: row for row in module("activity").build(ctx, NOVEMBER).tables[1].rows}
    # 9 Nov 00:00 (end of the week of 2 Nov): Whiskey's latest before it planned 5 Nov (the one logged at that
    # very moment is not before it); Victor's date is not before it = 1
    assert weeks["2026-11-02"].cell_drills[5].ids == (w,)
    # 16 Nov and 23 Nov: Victor (9 Nov); Whiskey now plans 1 Dec; Xray and Yankee had no follow-up yet
    assert weeks["2026-11-09"].cell_drills[5].ids == (v,) and weeks["2026-11-16"].cell_drills[5].ids == (v,)
    # today: next dates before today's start (00:00 on 24 Nov): Victor, Yankee; Xray's is that very moment
    assert set(weeks["2026-11-23"].cell_drills[5].ids) == {v, y}
    assert weeks["2026-11-01"].values[5] == 0  # the week cut to 1 Nov


@pytest.mark.parametrize(("zone_name", "moments", "expected"), [
    # New York enters daylight saving time on Sunday 8 March 2026: its days begin at 05:00 UTC before, 04:00 after
    ("America/New_York", [(2026, 3, 7, 23, 30), (2026, 3, 8, 0, 30), (2026, 3, 8, 23, 30), (2026, 3, 9, 0, 30)],
     {date(2026, 3, 7): 1, date(2026, 3, 8): 2, date(2026, 3, 9): 1}),
    # Kolkata is 5:30 ahead of UTC: 23:50 and 00:10 local are 18:20 and 18:40 UTC, one UTC hour, two local days
    ("Asia/Kolkata", [(2026, 11, 10, 23, 50), (2026, 11, 11, 0, 10)], {date(2026, 11, 10): 1, date(2026, 11, 11): 1}),
])
def test_heatmap_days_in_zones_with_daylight_saving_or_half_hours(home, frozen, zone_name, moments, expected) -> None:
    from zoneinfo import ZoneInfo

    from crmtui.core.clock import Clock
    from crmtui.core.config import Settings
    from crmtui.services.context import open_context

    zone = ZoneInfo(zone_name)
    ctx = open_context(home / "data" / "zone.db", settings=Settings(timezone=zone_name, language="en"), clock=Clock(zone))
    try:
        frozen.move_to(datetime(2026, 1, 5, 10, tzinfo=zone))
        customer_id = add_customer(ctx, "Zulu Co").id
        for parts in moments:
            when = datetime(*parts, tzinfo=zone)
            frozen.move_to(when)
            log_follow_up(ctx, customer_id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p",
                          next_at=when + timedelta(days=30))
        frozen.move_to(NOW)
        period = Period(datetime(2026, 11, 1, tzinfo=zone), datetime(2026, 12, 1, tzinfo=zone), "2026-11")
        heatmap = next(c for c in module("activity").build(ctx, period).charts if isinstance(c, Heatmap))
        assert {day: n for day, n in heatmap.days if n} == expected
    finally:
        ctx.close()


def test_this_weeks_overdue_is_todays_and_needs_no_note(ctx, book) -> None:
    report = module("activity").build(ctx, Period(at(2026, 11, 23), at(2026, 11, 30), "this week"))
    assert [row.values[5] for row in report.tables[1].rows] == [3]  # Acme, Beta, Gamma, as Today shows them
    assert not any("read from the follow-ups" in note for note in report.notes)


def test_a_book_with_nothing_in_the_period_nor_the_year_is_empty(ctx) -> None:
    report = module("activity").build(ctx, NOVEMBER)
    assert report.empty and "No follow-ups and no new leads in" in report.empty_text
