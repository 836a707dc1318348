"""The activity report (我的活动): whether the rhythm of follow-ups holds.

In the period: follow-ups a day and a week, by channel, the goal-met rate, new leads and how fast they were first
contacted, and how many customers were overdue at the end of each week. Whatever the period: the revisit heatmap
(follow-ups a day over the last 12 months) and the key customers × the last 12 weeks. See docs/reports.md.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from crmtui.core import labels
from crmtui.core.i18n import _
from crmtui.core.periods import Period
from crmtui.services.agenda import ALL_REPS
from crmtui.services.context import Context
from crmtui.services.reports.base import (
    Bar,
    BarChart,
    Column,
    Drill,
    Figure,
    Grid,
    Heatmap,
    Report,
    Row,
    Table,
)
from crmtui.services.reports.cache import kept
from crmtui.store.raw import to_db
from crmtui.store.reports import activity as store

KEY_CUSTOMERS = 15
"""Rows of the customers × weeks grid."""
GRID_WEEKS = 12
"""Columns of the customers × weeks grid: this week and the 11 before it."""


def build(ctx: Context, period: Period, rep: str | None = None) -> Report:
    """The activity report of `period` for `rep` (None: the whole book; see services/reports/scope.py), kept while
    the book and the day do not change (services/reports/cache.py)."""
    key = ("activity", period, period.words, str(period.start.tzinfo), rep, ctx.settings.speed_to_lead_hours)
    return kept(ctx, key, lambda: _build(ctx, period, rep))


def _build(ctx: Context, period: Period, rep: str | None) -> Report:
    clock, zone = ctx.clock, ctx.clock.zone
    who = store.customers_of(rep, ALL_REPS)
    first, last = _days_of(period, zone)
    today = clock.today()
    shown = min(last, today)  # days and weeks still to come have nothing to show
    heat_first = _year_before(today)
    grid_first = _monday(today) - timedelta(weeks=GRID_WEEKS - 1)
    days = _Days(ctx, min(first, heat_first), max(last, today))
    start, end = clock.to_utc(period.start), clock.to_utc(period.end)
    with ctx.db.raw_read() as connection:
        buckets = store.follow_up_buckets(connection, start, end, who, days.minutes)
        leads = store.new_leads(connection, start, end, who)
        overdue = _overdue_by_week(ctx, connection, period, first, shown, who)
        heat = store.follow_up_counts(connection, _midnight(ctx, heat_first), _midnight(ctx, today + timedelta(days=1)),
                                      who, days.minutes, [_midnight(ctx, day) for day in _dates(heat_first, today)])
        keys = store.key_customers(connection, who, KEY_CUSTOMERS)
        touched = store.touches(connection, [k.id for k in keys], _midnight(ctx, grid_first),
                                _midnight(ctx, _monday(today) + timedelta(weeks=1)))
    folded = _Folded.of(buckets, days, _FollowUps(ctx, start, end, who))
    speed = _Speed.of(leads, ctx.settings.speed_to_lead_hours)
    quiet = not folded.total.count and not leads  # nothing of the period's own; the year and the overdue may still show
    empty = quiet and not any(count for _hour, _part, count in heat) and not any(point.count for point in overdue)
    notes = _notes(folded, speed, overdue)
    if quiet and not empty:
        notes = (_("No follow-ups and no new leads in {period}").format(period=period.label), *notes)
    return Report(
        key="activity", title=_("Activity"), period=period, rep=rep,
        figures=_figures(folded, speed, ctx.settings.speed_to_lead_hours),
        tables=(_channels(folded), _weeks(folded, leads, overdue, first, ctx)),
        charts=(_days_chart(folded, first, shown, ctx), _overdue_chart(overdue, first),
                _heatmap(heat, days, heat_first, today), _grid(keys, touched, ctx, grid_first)),
        empty=empty,
        empty_text=_("No follow-ups and no new leads in {period}").format(period=period.label) if empty else "",
        notes=notes,
    )


# Days in the rep's zone ------------------------------------------------------------------------------------------

def _days_of(period: Period, zone: object) -> tuple[date, date]:
    """The first and last local days of the period (its end is excluded)."""
    start = period.start.astimezone(zone)  # type: ignore[arg-type]
    end = (period.end - timedelta(microseconds=1)).astimezone(zone)  # type: ignore[arg-type]
    return start.date(), end.date()


def _midnight(ctx: Context, day: date) -> datetime:
    """The start of a local day, in UTC."""
    return datetime.combine(day, time(0), ctx.clock.zone).astimezone(UTC)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _year_before(today: date) -> date:
    """The first day of the 12 months ending today: the day after the same date a year before."""
    try:
        same = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        same = date(today.year - 1, 2, 28)
    return same + timedelta(days=1)


def _dates(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


class _Days:
    """Which local day a part of a UTC hour falls in, for the days from `first` to `last`.

    Follow-ups are counted by UTC hour, each hour cut at the minutes past it at which the rep's days begin (none
    for a zone a whole number of hours from UTC, 30 for India, 45 for Nepal), so every part lies in one local day,
    daylight saving time or not; a part is then found among the days' starts by its text."""

    def __init__(self, ctx: Context, first: date, last: date) -> None:
        self.days = list(_dates(first, last))
        starts = [_midnight(ctx, day) for day in self.days]
        self.minutes = tuple(sorted({start.minute for start in starts} - {0}))
        """The minutes past an hour at which days begin, 0 left out (the parts' cuts, store/reports/activity.py)."""
        self.starts = [start.strftime("%Y-%m-%d %H:%M") for start in starts]

    def day(self, hour: str, part: int) -> date:
        """The local day of the follow-ups of one part ('YYYY-MM-DD HH' and its number) of a UTC hour."""
        text = f"{hour}:{(0, *self.minutes)[part]:02d}"
        return self.days[bisect.bisect_right(self.starts, text) - 1]


# Follow-ups of the period ---------------------------------------------------------------------------------------

ASKED_ALONE = 2
"""Lists of one report read each by its own query; from the next one on, the period's follow-ups (or overdue
customers) are read once and every list taken from them: `--json` reads all of a report's lists (some 770 for a
year, 17 s one by one on the bench's book), the app one or two."""


class _FollowUps:
    """How to find the ids of the period's follow-ups counted in a tally, when a drill is opened (a lazy Drill:
    the report counts them by hour without reading their ids)."""

    def __init__(self, ctx: Context, start: datetime, end: datetime, who: store.Who) -> None:
        self.ctx, self.start, self.end, self.who = ctx, start, end, who
        self.asked = 0
        self.lists: dict[tuple[str | None, bool], tuple[list[str], list[str]]] | None = None
        """The period's follow-ups (their times as stored, their ids), oldest first, for each channel (None: every
        one) and goal met or not (True: only those whose goal was met), once read: each drill is a range of one."""

    def drill(self, title: str, first: datetime | None = None, last: datetime | None = None,
              channel: str | None = None, met: bool = False) -> Drill:
        """The follow-ups in [first, last) (the period's bounds when not given), of one channel or every one, all
        or only those whose goal was met, oldest first."""
        start, end = max(first or self.start, self.start), min(last or self.end, self.end)
        return Drill.lazy("follow_ups", title, lambda: self.find(start, end, channel, met))

    def find(self, start: datetime, end: datetime, channel: str | None, met: bool) -> list[str]:
        self.asked += 1
        if self.lists is None:
            whole = start <= self.start and end >= self.end  # a list of the whole period: as dear as all of them
            with self.ctx.db.raw_read() as connection:
                if self.asked <= ASKED_ALONE and not whole:
                    return store.follow_up_ids(connection, start, end, self.who, channel, met)
                self.lists = _sorted_out(store.follow_up_rows(connection, self.start, self.end, self.who))
        moments, ids = self.lists.get((channel, met), ([], []))
        low = bisect.bisect_left(moments, to_db(start) or "")
        high = bisect.bisect_left(moments, to_db(end) or "")
        return ids[low:high]


def _sorted_out(rows: list[tuple[str, str, str, bool]]) -> dict[tuple[str | None, bool], tuple[list[str], list[str]]]:
    """The period's follow-ups (at, id, channel, met), oldest first, put in the lists _FollowUps reads: every one,
    each channel's, and of each of those the ones whose goal was met, in one pass (`--json` lists them all: some
    400,000 follow-ups for a year of the bench's book, scanned once instead of once for each list)."""
    lists: dict[tuple[str | None, bool], tuple[list[str], list[str]]] = {}
    every = lists[(None, False)] = ([], [])
    met_any = lists[(None, True)] = ([], [])
    for at, follow_up_id, kind, done in rows:
        every[0].append(at)
        every[1].append(follow_up_id)
        own = lists.get((kind, False))
        if own is None:
            own = lists[(kind, False)] = ([], [])
            lists[(kind, True)] = ([], [])
        own[0].append(at)
        own[1].append(follow_up_id)
        if done:
            met_any[0].append(at)
            met_any[1].append(follow_up_id)
            own_met = lists[(kind, True)]
            own_met[0].append(at)
            own_met[1].append(follow_up_id)
    return lists


@dataclass
class _Tally:
    """Follow-ups of a day, a week or a channel: how many, those whose goal was met, those answered."""

    count: int = 0
    met: int = 0
    answered: int = 0

    def add(self, count: int, met: bool, answered: bool) -> None:
        self.count += count
        if answered:
            self.answered += count
            if met:
                self.met += count

    @property
    def rate(self) -> float | None:
        """Goal met / answered (None when nothing was answered)."""
        return self.met / self.answered if self.answered else None


@dataclass
class _Folded:
    """The period's follow-ups folded into local days, weeks (by their Monday) and channels."""

    total: _Tally
    days: dict[date, _Tally]
    weeks: dict[date, _Tally]
    channels: dict[str, _Tally]
    find: _FollowUps
    """Their ids, for a drill that is opened."""

    @staticmethod
    def of(buckets: list[store.Bucket], days: _Days, find: _FollowUps) -> _Folded:
        folded = _Folded(_Tally(), defaultdict(_Tally), defaultdict(_Tally), defaultdict(_Tally), find)
        # A year of a big book is some 100,000 buckets (hours by channel and answer): each part of an hour is put
        # in its day once, and the buckets are summed by day, channel and answer before the tallies are.
        day_of: dict[tuple[str, int], date] = {}
        summed: dict[tuple[date, str, bool, bool], int] = defaultdict(int)
        for bucket in buckets:
            part = (bucket.hour, bucket.part)
            day = day_of.get(part)
            if day is None:
                day = day_of[part] = days.day(bucket.hour, bucket.part)
            summed[(day, bucket.channel, bucket.met, bucket.answered)] += bucket.count
        for (day, channel, met, answered), count in sorted(summed.items()):
            for tally in (folded.total, folded.days[day], folded.weeks[_monday(day)], folded.channels[channel]):
                tally.add(count, met, answered)
        return folded


@dataclass
class _Speed:
    """How fast the period's new leads were first contacted."""

    hours: dict[str, float]
    """Hours from being added to the first follow-up, of the leads contacted after they were added."""
    within: list[str]
    late: list[str]
    never: list[str]
    before: list[str]
    """Leads whose first follow-up is older than the record (history imported with them): no speed to measure."""

    @staticmethod
    def of(leads: list[store.NewLead], window_hours: int) -> _Speed:
        speed = _Speed({}, [], [], [], [])
        for lead in leads:
            if lead.first_contact is None:
                speed.never.append(lead.id)
                continue
            if lead.first_contact < lead.created_at:
                speed.before.append(lead.id)
                continue
            hours = (lead.first_contact - lead.created_at).total_seconds() / 3600
            speed.hours[lead.id] = hours
            (speed.within if hours <= window_hours else speed.late).append(lead.id)
        return speed

    @property
    def median(self) -> float | None:
        return round(statistics.median(self.hours.values()), 1) if self.hours else None


def _figures(folded: _Folded, speed: _Speed, window: int) -> tuple[Figure, ...]:
    leads = [*speed.hours, *speed.never, *speed.before]
    return (
        Figure("follow_ups", _("Follow-ups"), folded.total.count, "count", folded.find.drill(_("Follow-ups"))),
        Figure("goal_met_rate", _("Goal met"), folded.total.rate, "rate",
               folded.find.drill(_("Follow-ups whose goal was met"), met=True)),
        Figure("new_leads", _("New leads"), len(leads), "count", Drill("customers", tuple(leads), _("New leads"))),
        Figure("first_contact_hours", _("First contact, median"), speed.median, "hours",
               Drill("customers", tuple(speed.hours), _("New leads contacted"))),
        Figure("within_window", _("Contacted within {hours} h").format(hours=window), len(speed.within), "count",
               Drill("customers", tuple(speed.within),
                     _("New leads contacted within {hours} h").format(hours=window))),
        Figure("not_contacted", _("Not contacted yet"), len(speed.never), "count",
               Drill("customers", tuple(speed.never), _("New leads not contacted yet"))),
    )


def _channels(folded: _Folded) -> Table:
    """One row per channel used, the most used first."""
    rows = []
    for key, tally in sorted(folded.channels.items(), key=lambda item: (-item[1].count, item[0])):
        name = labels.channel(key)
        every = folded.find.drill(_("Follow-ups by {channel}").format(channel=name), channel=key)
        met = folded.find.drill(_("Follow-ups by {channel} whose goal was met").format(channel=name), channel=key,
                                met=True)
        rows.append(Row(key, (name, tally.count, tally.met, tally.rate), every, (None, every, met, met)))
    return Table("channels", _("By channel"), (
        Column("channel", _("Channel"), "text"), Column("follow_ups", _("Follow-ups"), "count"),
        Column("met", _("Goal met"), "count"), Column("rate", _("Goal-met rate"), "rate"),
    ), tuple(rows))


# Weeks: follow-ups, new leads, overdue ----------------------------------------------------------------------------

class _Overdue:
    """The customers overdue at a week's end (today's start for this week): how many, and who when asked (a past
    week's are listed only when a drill is opened: counting them is cheaper than listing them, see
    store/reports/activity.py's overdue_counts)."""

    def __init__(self, monday: date, count: int, find: Callable[[], Sequence[str]], reconstructed: bool) -> None:
        self.monday = monday
        self.count = count
        self.reconstructed = reconstructed
        """Counted from the follow-ups (a past week), not from the next dates the agenda reads (this week)."""
        self._find: Callable[[], Sequence[str]] | None = find
        self._ids: tuple[str, ...] | None = None

    def ids(self) -> tuple[str, ...]:
        """The customers, read once for the row's and the bar's drills alike."""
        if self._ids is None:
            assert self._find is not None
            self._ids, self._find = tuple(self._find()), None
        return self._ids

    def drill(self, title: str) -> Drill:
        return Drill.lazy("customers", title, self.ids)


def _overdue_by_week(ctx: Context, connection: object, period: Period, first: date, last: date,
                     who: store.Who) -> list[_Overdue]:
    """Customers overdue at the end of each week of the period begun by `last` (the period's end when it ends
    first); this week's are those overdue now."""
    today = ctx.clock.today()
    line = _midnight(ctx, today)
    weeks: list[tuple[date, datetime]] = []
    monday = _monday(first)
    while monday <= last:
        weeks.append((monday, min(_midnight(ctx, monday + timedelta(weeks=1)), ctx.clock.to_utc(period.end))))
        monday += timedelta(weeks=1)
    past = [end for monday, end in weeks if monday <= today and end <= line]
    counts = iter(store.overdue_counts(connection, past, who))  # type: ignore[arg-type]
    then = _OverdueThen(ctx, past, who)
    found = []
    for monday, end in weeks:
        if end > line:
            now = tuple(store.overdue_now(connection, line, who))  # type: ignore[arg-type]
            found.append(_Overdue(monday, len(now), lambda now=now: now, False))  # type: ignore[misc]
        else:
            found.append(_Overdue(monday, next(counts), lambda end=end: then.find(end), True))  # type: ignore[misc]
    return found


class _OverdueThen:
    """How to list the customers overdue at the past weeks' ends, when drills are opened: one week by itself, or
    every week at once from the next after ASKED_ALONE on."""

    def __init__(self, ctx: Context, moments: list[datetime], who: store.Who) -> None:
        self.ctx, self.moments, self.who = ctx, moments, who
        self.asked = 0
        self.every: dict[datetime, list[str]] | None = None

    def find(self, moment: datetime) -> list[str]:
        self.asked += 1
        if self.every is None:
            with self.ctx.db.raw_read() as connection:
                if self.asked <= ASKED_ALONE:
                    return store.overdue_at(connection, [moment], self.who)[0]
                self.every = dict(zip(self.moments, store.overdue_at(connection, self.moments, self.who),
                                      strict=True))
        return self.every[moment]


def _weeks(folded: _Folded, leads: list[store.NewLead], overdue: list[_Overdue], first: date, ctx: Context) -> Table:
    """One row per week begun (Monday to Sunday, cut to the period), keyed by its first day shown (the Monday, or
    the period's first day for a week it cuts), so `--records` takes the day the row shows."""
    added: dict[date, list[str]] = defaultdict(list)
    for lead in leads:
        local = ctx.clock.to_local(lead.created_at)
        assert local is not None
        added[_monday(local.date())].append(lead.id)
    rows = []
    for point in overdue:
        tally = folded.weeks.get(point.monday, _Tally())
        week = _("Week of {day}").format(day=max(point.monday, first).isoformat())
        span = _midnight(ctx, point.monday), _midnight(ctx, point.monday + timedelta(weeks=1))
        every = folded.find.drill(_("Follow-ups, {week}").format(week=week), *span)
        met = folded.find.drill(_("Follow-ups whose goal was met, {week}").format(week=week), *span, met=True)
        new = Drill("customers", tuple(added[point.monday]), _("New leads, {week}").format(week=week))
        late = point.drill(_("Overdue at the end of the week, {week}").format(week=week))
        rows.append(Row(max(point.monday, first).isoformat(), (
            max(point.monday, first), tally.count, tally.met, tally.rate, len(added[point.monday]),
            point.count), every, (None, every, met, met, new, late)))
    return Table("weeks", _("By week"), (
        Column("week", _("Week from"), "date"), Column("follow_ups", _("Follow-ups"), "count"),
        Column("met", _("Goal met"), "count"), Column("rate", _("Goal-met rate"), "rate"),
        Column("new_leads", _("New leads"), "count"), Column("overdue", _("Overdue at week's end"), "count"),
    ), tuple(rows))


def _days_chart(folded: _Folded, first: date, last: date, ctx: Context) -> BarChart:
    """Follow-ups a day, every day of the period up to today (zero days too)."""
    bars = []
    for day in _dates(first, last):
        tally = folded.days.get(day, _Tally())
        bars.append(Bar(day.isoformat(), tally.count, folded.find.drill(
            _("Follow-ups on {day}").format(day=day.isoformat()), _midnight(ctx, day),
            _midnight(ctx, day + timedelta(days=1)))))
    return BarChart("days", _("Follow-ups a day"), "count", tuple(bars))


def _overdue_chart(overdue: list[_Overdue], first: date) -> BarChart:
    """Customers overdue at the end of each week begun (this week: today's overdue, as Today shows it)."""
    return BarChart("overdue", _("Overdue customers at each week's end"), "count", tuple(
        Bar(max(point.monday, first).isoformat(), point.count, point.drill(
            _("Overdue at the end of the week of {day}").format(day=point.monday.isoformat())))
        for point in overdue))


# Whatever the period: the year's heatmap and the key customers' weeks -------------------------------------------

def _heatmap(counts: list[tuple[str, int, int]], days: _Days, first: date, today: date) -> Heatmap:
    """Follow-ups a local day over the 12 months ending today, every day present."""
    per_day: dict[date, int] = defaultdict(int)
    for hour, part, count in counts:
        per_day[days.day(hour, part)] += count
    return Heatmap("heatmap", _("Follow-ups a day, last 12 months"),
                   tuple((day, per_day.get(day, 0)) for day in _dates(first, today)))


def _grid(keys: list[store.KeyCustomer], touched: list[tuple[str, datetime]], ctx: Context,
          first_monday: date) -> Grid:
    """The key customers (tier A, then the largest deals) × this week and the 11 before: follow-ups a week."""
    mondays = [first_monday + timedelta(weeks=n) for n in range(GRID_WEEKS)]
    cells: dict[str, list[int]] = {k.id: [0] * GRID_WEEKS for k in keys}
    for customer_id, at in touched:
        local = ctx.clock.to_local(at)
        assert local is not None
        cells[customer_id][(_monday(local.date()) - first_monday).days // 7] += 1
    return Grid("customers_weeks", _("Key customers, follow-ups a week"),
                tuple(f"{k.name} ({k.tier})" for k in keys), tuple(m.strftime("%m-%d") for m in mondays),
                tuple(tuple(cells[k.id]) for k in keys),
                tuple(Drill("customers", (k.id,), k.name) for k in keys))


def _notes(folded: _Folded, speed: _Speed, overdue: list[_Overdue]) -> tuple[str, ...]:
    notes = []
    unanswered = folded.total.count - folded.total.answered
    if unanswered:
        notes.append(_("{count} imported follow-ups have no goal: left out of the goal-met rate").format(
            count=unanswered))
    if speed.before:
        notes.append(_("{count} new leads came with older follow-ups (imported history): left out of the"
                       " first-contact speed").format(count=len(speed.before)))
    if any(point.reconstructed for point in overdue):
        notes.append(_("Overdue in past weeks is read from the follow-ups: the next date each customer's latest"
                       " follow-up planned; next dates set another way are not seen"))
    return tuple(notes)
