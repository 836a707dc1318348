"""Funnel and conversion: how far the deals that moved in a period got, how long they stayed, how many were won.

- Reached: the deals that entered each stage during the period (a deal's opening enters its first stage; a deal
  that enters a stage twice, moved back and forth, counts once). Won counts the deals won in the period that are
  still won: a deal won and then reopened is not.
- Moved on: of the deals that reached a stage in the period, the share that entered a later stage after it (at
  any time up to now; Lost is not later, a skipped stage's deals count for the stage they came from).
- Median days in a stage: over the stays in it that ended during the period, by days on the calendar of the
  rep's zone.
- Win rate: won / (won + lost) of the deals closed in the period that are still closed that way.
- Average deal size: of the deals won in the period. Sales cycle: from first contact (the customer's first
  follow-up, or the deal's opening when that is earlier or there is none) to the day won, on average.
- Skipped: deals that moved forward past at least one stage during the period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from statistics import median

from crmtui.core import labels
from crmtui.core.i18n import _, ngettext
from crmtui.core.periods import Period
from crmtui.services.context import Context
from crmtui.services.reports.cache import kept
from crmtui.services.reports.base import Bar, BarChart, Column, Drill, Figure, Report, Row, Table
from crmtui.services.reports.scope import counts_for, deal_rep
from crmtui.store.raw import to_db
from crmtui.store.reports import funnel as store
from crmtui.store.reports.funnel import MovedDeal


_HOURS = tuple(f" {hour:02d}" for hour in range(24))


class Moments:
    """The period's edges as stored UTC text, and the rep's local day of a stored moment: the store hands moments
    over as text (see store/reports/funnel.py), and most of them are only compared."""

    def __init__(self, ctx: Context, period: Period) -> None:
        self.start = to_db(period.start) or ""
        self.end = to_db(period.end) or ""
        self.zone = ctx.clock.zone
        self._days: dict[str, date] = {}
        self._filled: set[str] = set()

    def within(self, at: str) -> bool:
        return self.start <= at < self.end

    def day(self, at: str) -> date:
        """The local day of a stored moment. Zone offsets change on the hour, so the offset is looked up once an
        hour, and with a whole-hour offset (most zones) the day is the same for the whole hour; a UTC day under one
        whole-hour offset throughout has the days of its 24 hours kept at once (a year of changes lies in some
        10,000 hours, in 365 days)."""
        hour = at[:13]
        known = self._days.get(hour)
        if known is not None:
            return known
        if at[:10] not in self._filled:
            self._fill(at[:10])
            known = self._days.get(hour)
            if known is not None:
                return known
        naive = datetime.fromisoformat(at)
        offset = naive.replace(minute=0, second=0, microsecond=0, tzinfo=UTC).astimezone(self.zone).utcoffset()
        if offset is None:  # never, for an aware moment: for the type checker
            offset = timedelta(0)
        day = (naive + offset).date()
        if offset.seconds % 3600 == 0:
            self._days[hour] = day
        return day

    def _fill(self, utc_day: str) -> None:
        """Keeps the local day of each hour of a UTC day ('YYYY-MM-DD') when one whole-hour offset holds from its
        first moment to its last (a zone does not change twice in a day)."""
        self._filled.add(utc_day)
        first = datetime.fromisoformat(utc_day).replace(tzinfo=UTC)
        offset = first.astimezone(self.zone).utcoffset()
        if offset is None or offset.seconds % 3600 or offset != (
                first + timedelta(days=1, microseconds=-1)).astimezone(self.zone).utcoffset():
            return
        local = first.replace(tzinfo=None) + offset  # the local time of the UTC day's first moment
        today = local.date()
        tomorrow = today + timedelta(days=1)
        for hour, text in enumerate(_HOURS):
            self._days[utc_day + text] = today if local.hour + hour < 24 else tomorrow

    def days(self, start: str, end: str) -> int:
        """Whole calendar days between two stored moments in the rep's zone."""
        return (self.day(end) - self.day(start)).days


def scoped_deals(ctx: Context, period: Period, rep: str | None) -> list[MovedDeal]:
    """The deals of `rep`'s view with a stage change in the period (see scope.py)."""
    with ctx.db.raw_read() as connection:
        moved = store.deals_moved(connection, period.start, period.end)
    return [deal for deal in moved if counts_for(rep, deal_rep(deal.customer_owner, deal.owner_name))]


def closed_in(deal: MovedDeal, stage: str, moments: Moments) -> str | None:
    """When a deal now at `stage` (won or lost) last moved there, if that was in the period; else None."""
    if deal.stage != stage:
        return None
    at = next((at for _from, to, at in reversed(deal.changes) if to == stage), None)
    return at if at is not None and moments.within(at) else None


def build(ctx: Context, period: Period, rep: str | None = None) -> Report:
    """The funnel report of `period` for `rep`, kept while the book and the day do not change
    (services/reports/cache.py)."""
    key = ("funnel", period, period.words, str(period.start.tzinfo), rep)
    return kept(ctx, key, lambda: _build(ctx, period, rep))


def _build(ctx: Context, period: Period, rep: str | None) -> Report:
    settings = ctx.settings
    order = [stage.key for stage in settings.stages if stage.key != "lost"]
    position = {key: index for index, key in enumerate(order)}
    deals = scoped_deals(ctx, period, rep)
    moments = Moments(ctx, period)
    title = _("Funnel and conversion")
    if not deals:
        return Report("funnel", title, period, rep, empty=True,
                      empty_text=_("No deal moved in {period}.").format(period=period.label))
    reached: dict[str, list[str]] = {key: [] for key in order}
    moved_on: dict[str, int] = dict.fromkeys(order, 0)
    stays: dict[str, list[int]] = {key: [] for key in order}
    skipped: dict[str, None] = {}  # a dict keeps the order deals were met and finds one at once
    won: list[tuple[MovedDeal, str]] = []
    lost: list[str] = []
    reopened: dict[str, None] = {}
    start, end, day = moments.start, moments.end, moments.day  # looked up once: tens of thousands of changes
    for deal in deals:
        entered: dict[str, int] = {}  # each stage reached in the period: the index of its first entry
        changes = deal.changes
        last = len(changes) - 1
        for index, (from_stage, to_stage, at) in enumerate(changes):
            if index < last and to_stage in stays:
                left = changes[index + 1][2]
                if start <= left < end:  # moments.within, written out
                    stays[to_stage].append((day(left) - day(at)).days)
            if not start <= at < end:
                continue
            if to_stage in position and to_stage != "won":
                entered.setdefault(to_stage, index)
            if (from_stage in position and from_stage != "won" and to_stage in position
                    and position[to_stage] > position[from_stage] + 1):
                skipped[deal.deal_id] = None
            if from_stage == "won":
                reopened[deal.deal_id] = None
        won_at = closed_in(deal, "won", moments)
        if won_at is not None:
            won.append((deal, won_at))
            reached["won"].append(deal.deal_id)
        if closed_in(deal, "lost", moments) is not None:
            lost.append(deal.deal_id)
        if entered:
            # furthest[i]: the furthest stage in the order entered after change i (-1: none), from one pass back
            furthest = [-1] * len(changes)
            ahead = -1
            for index in range(last, -1, -1):
                furthest[index] = ahead
                ahead = max(ahead, position.get(changes[index][1], -1))
            for stage, first in entered.items():
                reached[stage].append(deal.deal_id)
                if furthest[first] > position[stage]:
                    moved_on[stage] += 1
    notes: list[str] = []
    if skipped:
        notes.append(ngettext("{count} deal skipped a stage.", "{count} deals skipped a stage.",
                              len(skipped)).format(count=len(skipped)))
    if reopened:
        notes.append(ngettext("{count} won deal was reopened; it no longer counts as won.",
                              "{count} won deals were reopened; they no longer count as won.",
                              len(reopened)).format(count=len(reopened)))
    won_ids = tuple(deal.deal_id for deal, _at in won)
    amounts = [deal.amount_cents for deal, _at in won if deal.amount_cents is not None]
    cycles = _cycles(ctx, won, moments)
    closed = len(won) + len(lost)

    def drill(ids: list[str] | tuple[str, ...] | dict[str, None], text: str) -> Drill:
        return Drill("deals", tuple(ids), text)

    figures = (
        Figure("won", _("Won"), len(won), "count", drill(won_ids, _("Deals won in {period}").format(
            period=period.label))),
        Figure("lost", _("Lost"), len(lost), "count", drill(lost, _("Deals lost in {period}").format(
            period=period.label))),
        Figure("win_rate", _("Win rate"), len(won) / closed if closed else None, "rate"),
        Figure("average_won", _("Average deal size"), round(sum(amounts) / len(amounts)) if amounts else None,
               "money", drill(won_ids, _("Deals won in {period}").format(period=period.label))),
        Figure("sales_cycle", _("Sales cycle"), round(sum(cycles) / len(cycles), 1) if cycles else None, "days"),
        Figure("skipped", _("Skipped a stage"), len(skipped), "count",
               drill(skipped, _("Deals that skipped a stage in {period}").format(period=period.label))),
    )
    rows = []
    bars = []
    for stage in order:
        name = labels.stage(settings, stage)
        ids = reached[stage]
        stage_drill = drill(ids, _("Deals that reached {stage} in {period}").format(stage=name, period=period.label))
        rate = moved_on[stage] / len(ids) if ids and stage != "won" else None
        middle = median(stays[stage]) if stays[stage] and stage != "won" else None
        rows.append(Row(stage, (name, len(ids), rate, middle), stage_drill))
        bars.append(Bar(name, len(ids), stage_drill, key=stage))
    table = Table("stages", _("Stages"), (
        Column("stage", _("Sales stage"), "text"), Column("reached", _("Reached"), "count"),
        Column("moved_on", _("Moved on"), "rate"), Column("median_days", _("Median days in stage"), "days")),
        tuple(rows))
    chart = BarChart("reached", _("Deals that reached each stage"), "count", tuple(bars))
    return Report("funnel", title, period, rep, figures=figures, tables=(table,), charts=(chart,),
                  notes=tuple(notes))


def _cycles(ctx: Context, won: list[tuple[MovedDeal, str]], moments: Moments) -> list[int]:
    """Days from first contact to won, one a won deal."""
    with ctx.db.raw_read() as connection:
        first = store.first_follow_ups(connection, (deal.customer_id for deal, _at in won))
    cycles = []
    for deal, won_at in won:
        opened = deal.changes[0][2] if deal.changes else deal.created_at
        contact = first.get(deal.customer_id)
        cycles.append(moments.days(min(opened, contact) if contact is not None else opened, won_at))
    return cycles
