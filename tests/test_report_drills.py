"""A report's drills whose ids are read only when opened (base.Drill.lazy): the activity report's follow-ups of a
day, a week, a channel and their goal met, and the team report's follow-ups of a rep, list the same records the
report counted, worked out by hand on the activity report's book (tests/test_report_activity.py)."""

from __future__ import annotations

from datetime import date

import pytest

from crmtui.services.reports import module
from crmtui.services.reports.base import Drill
from crmtui.services.reports.records import records

from .test_report_activity import NOVEMBER, book  # noqa: F401  (the book is a fixture)


def test_a_lazy_drill_finds_its_ids_once_and_equals_the_same_ids_given() -> None:
    asked: list[int] = []

    def find() -> list[str]:
        asked.append(1)
        return ["b", "a"]

    drill = Drill.lazy("customers", "Two", find)
    assert asked == []  # nothing read when the drill is made
    assert drill.ids == ("b", "a") and drill.ids == ("b", "a")
    assert asked == [1]  # asked once, then kept
    assert drill == Drill("customers", ("b", "a"), "Two") and drill != Drill("customers", ("a", "b"), "Two")
    with pytest.raises(ValueError):
        Drill("customers", ("a",), "Both", find=find)
    with pytest.raises(ValueError):
        Drill("customers", None, "Neither")


def test_the_activity_reports_follow_up_drills_list_what_they_count(ctx, book) -> None:  # noqa: F811
    report = module("activity").build(ctx, NOVEMBER)
    # the first two lists opened are read each by its own query, the later ones from the period's follow-ups read
    # once (activity.ASKED_ALONE): both ways are checked against the same hand-worked lists below
    days = {bar.label: bar for bar in next(c for c in report.charts if c.key == "days").bars}
    # 1 Nov: Acme at 00:30 Shanghai (16:30 UTC on 31 Oct), WeChat; Acme's 23:30 on 31 Oct is October's
    [first] = records(ctx, days["2026-11-01"].drill)  # type: ignore[arg-type]
    assert (first.customer, first.state, first.day) == ("Acme Analytics", "WeChat", date(2026, 11, 1))
    assert days["2026-11-02"].drill.ids == ()  # type: ignore[union-attr]
    weeks = {row.key: row for row in report.tables[1].rows}
    # week of 2 Nov, goal met: Beta on the 3rd (visit), Gamma's corrected follow-up on the 7th (phone), oldest first
    met = records(ctx, weeks["2026-11-02"].cell_drills[2])  # type: ignore[arg-type]
    assert [(line.customer, line.state, line.day) for line in met] == [
        ("Beta Foods", "Visit", date(2026, 11, 3)), ("Gamma Tools", "Phone", date(2026, 11, 7))]
    # the week the period cuts (Monday 26 Oct, shown from 1 Nov) lists November's follow-up alone
    assert len(weeks["2026-11-01"].cell_drills[1].ids) == 1  # type: ignore[union-attr]
    channels = {row.key: row for row in report.tables[0].rows}
    # email: Golf's 15 Nov, moved to Acme by the merge (Echo's of 12 Nov left with Echo's deletion)
    [email] = records(ctx, channels["email"].drill)  # type: ignore[arg-type]
    assert (email.customer, email.day) == ("Acme Analytics", date(2026, 11, 15))
    # WeChat: one follow-up, its goal not met
    assert len(channels["wechat"].cell_drills[1].ids) == 1 and channels["wechat"].cell_drills[2].ids == ()  # type: ignore[union-attr]
    # every figure's count is its drill's length: 5 follow-ups, 4 of them met
    figures = {f.key: f for f in report.figures}
    assert len(figures["follow_ups"].drill.ids) == figures["follow_ups"].value == 5  # type: ignore[union-attr]
    assert len(figures["goal_met_rate"].drill.ids) == 4  # type: ignore[union-attr]


def test_the_team_reports_follow_up_drill_lists_what_it_counts(ctx, book) -> None:  # noqa: F811
    report = module("team").build(ctx, NOVEMBER)
    [row] = report.tables[0].rows  # no team: the rep's own row
    drill = row.cell_drills[1]
    assert drill is not None and drill.kind == "follow_ups"
    assert row.values[1] == len(drill.ids) == 5  # the same five as the activity report's November


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe"])
def test_the_customer_value_reports_local_days_match_the_zones_own(zone: str) -> None:
    """rfm's _LocalDays (one offset looked up per half UTC hour) against zoneinfo moment by moment, every 15 minutes
    over two days around a change of offset (New York's and Lord Howe's half-hour one in 2026) and in zones 5:30
    and 5:45 from UTC."""
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from crmtui.services.reports.rfm import _LocalDays

    tz = ZoneInfo(zone)
    local_day = _LocalDays(SimpleNamespace(clock=SimpleNamespace(zone=tz)))  # type: ignore[arg-type]
    for start in (datetime(2026, 3, 7, 12), datetime(2026, 4, 4, 0), datetime(2026, 11, 1, 0)):
        for step in range(0, 2 * 24 * 4):
            moment = start + timedelta(minutes=15 * step, seconds=7)
            stored = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
            assert local_day(stored) == moment.replace(tzinfo=UTC).astimezone(tz).date(), stored
    assert local_day(None) is None


def test_overdue_counted_at_each_weeks_end_is_who_its_drill_lists(ctx, book) -> None:  # noqa: F811
    """The weeks' overdue are counted from each plan's span (overdue_counts) and listed, when a drill is opened,
    one moment at a time (overdue_at): the two agree week by week, on the counts worked out by hand in
    test_report_activity.py (1, 2, 2, 3, 3: the last week's from the agenda's next dates). The first two past
    weeks opened are listed each by itself, the other two from every past week's list worked out at once."""
    report = module("activity").build(ctx, NOVEMBER)
    weeks = report.tables[1].rows
    assert [row.values[5] for row in weeks] == [1, 2, 2, 3, 3]
    assert [len(row.cell_drills[5].ids) for row in weeks] == [1, 2, 2, 3, 3]  # type: ignore[union-attr]
    bars = next(c for c in report.charts if c.key == "overdue").bars
    assert [bar.value for bar in bars] == [1, 2, 2, 3, 3]
    assert [set(bar.drill.ids) for bar in bars] == [set(row.cell_drills[5].ids) for row in weeks]  # type: ignore[union-attr]


def test_the_heatmap_counted_a_day_at_a_time_is_the_same_as_by_hour(ctx, book) -> None:  # noqa: F811
    """The year's heatmap counts the whole book a local day at a time; folding the counts of each part of each
    hour into days gives the same calendar (the book's deleted, corrected and merged follow-ups taken away from
    the days they lie in). By hand (test_report_activity.py's book), 2025-11-25 to 2026-11-24: Acme 25 Nov 2025,
    Hotel 6 and 7 Sep, Acme 31 Oct and 1 Nov, Beta 3 Nov, Gamma 7 Nov (corrected: once), Acme 10 Nov, Golf's
    15 Nov (merged into Acme) = 9; Echo's 12 Nov (customer deleted) and Hotel's 20 Nov (undone) count nowhere."""
    from datetime import timedelta

    from crmtui.services.agenda import ALL_REPS
    from crmtui.services.reports import activity
    from crmtui.store.reports import activity as store

    today = ctx.clock.today()
    first = activity._year_before(today)
    days = activity._Days(ctx, first, today)
    start, end = activity._midnight(ctx, first), activity._midnight(ctx, today + timedelta(days=1))
    starts = [activity._midnight(ctx, day) for day in activity._dates(first, today)]
    with ctx.db.raw_read() as connection:
        who = store.customers_of(None, ALL_REPS)
        by_hour = store.follow_up_counts(connection, start, end, who, days.minutes)
        by_day = store.follow_up_counts(connection, start, end, who, days.minutes, starts)
    hourly, daily = activity._heatmap(by_hour, days, first, today), activity._heatmap(by_day, days, first, today)
    assert daily == hourly
    assert sum(count for _day, count in daily.days) == 9
