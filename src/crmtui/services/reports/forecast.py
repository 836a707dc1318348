"""Forecast by month: the open deals by the month they are expected to close, their amount, weighted amount
(amount × the stage's probability) and committed amount (Negotiation and later), the amount won in each month
against the monthly target, and apart from them the open deals whose expected close day has passed.

The months shown are those of the period. The default period, this month, would show only one, so the
current month exactly (this month, or its name such as 2026-11) shows it and the next five. A past period or one
shorter than a month is still cut into the months it touches. Open deals count from today on: a deal whose close
day has passed is "overdue", listed apart whatever the period (it needs a new date or a close, not a forecast).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from crmtui.core import labels
from crmtui.core.config import Settings
from crmtui.core.i18n import _, ngettext
from crmtui.core.periods import Period
from crmtui.services.context import Context
from crmtui.services.reports.base import Bar, BarChart, Column, Drill, Figure, Report, Row, Table, total_cents
from crmtui.services.reports.scope import counts_for, deal_rep
from crmtui.store.reports import forecast as store

FORWARD_MONTHS = 6
"""Months the current month's forecast shows: it and the next five."""


@dataclass(frozen=True)
class Month:
    """One month of a report, cut to the days of the period it covers."""

    key: str
    """"2026-11": the row's key and label."""
    first: date
    last: date
    """The first and last day of the month inside the period (both included)."""

    @property
    def share(self) -> tuple[int, int]:
        """(days covered, days in the month): what part of a monthly figure this month's row stands for."""
        return (self.last - self.first).days + 1, calendar.monthrange(self.first.year, self.first.month)[1]


def local_days(ctx: Context, period: Period) -> tuple[date, date]:
    """The period's first and last day in the rep's zone (its end is excluded)."""
    zone = ctx.clock.zone
    return period.start.astimezone(zone).date(), (period.end.astimezone(zone) - timedelta(microseconds=1)).date()


def months(first: date, last: date) -> list[Month]:
    """The months from `first` to `last` (both included), each cut to those days."""
    found = []
    day = first
    while day <= last:
        month_last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        found.append(Month(f"{day:%Y-%m}", day, min(month_last, last)))
        day = month_last + timedelta(days=1)
    return found


def day_span(ctx: Context, first: date, last: date) -> tuple[datetime, datetime]:
    """The local days first..last as an aware half-open span [start, end) for the store."""
    zone = ctx.clock.zone
    return datetime.combine(first, time(0), zone), datetime.combine(last + timedelta(days=1), time(0), zone)


def committed_stages(settings: Settings) -> list[str]:
    """The open stages counted as committed: Negotiation and those after it in the configured order; a pipeline
    without a `negotiation` stage commits its last open stage only."""
    keys = [stage.key for stage in settings.stages if stage.key not in ("won", "lost")]
    if "negotiation" in keys:
        return keys[keys.index("negotiation"):]
    return keys[-1:]


def _weighted(deals: Iterable[store.OpenDeal], settings: Settings) -> int:
    """Amount × the stage's configured probability, summed, in cents (a stage no longer configured keeps the
    probability the deal was given)."""
    chances = {stage.key: stage.probability for stage in settings.stages}
    return sum((deal.amount_cents or 0) * chances.get(deal.stage, deal.probability) for deal in deals) // 100


def _drill(title: str, deals: Iterable[store.OpenDeal | store.ClosedDeal]) -> Drill:
    return Drill("deals", tuple(deal.deal_id for deal in deals), title)


def build(ctx: Context, period: Period, rep: str | None = None) -> Report:
    settings, today = ctx.settings, ctx.clock.today()
    first, last = local_days(ctx, period)
    extended = first == today.replace(day=1) and last == months(first, first + timedelta(days=31))[0].last
    if extended:
        last = months(first, first + timedelta(days=31 * FORWARD_MONTHS))[FORWARD_MONTHS - 1].last
    shown = months(first, last)
    named = f"{shown[0].key}..{shown[-1].key}" if extended else period.label
    start, end = day_span(ctx, first, last)
    with ctx.db.raw_read() as connection:
        open_deals = [deal for deal in store.open_deals(connection)
                      if counts_for(rep, deal_rep(deal.owner, deal.owner_name))]
        won = [deal for deal in store.closed_between(connection, start, end)
               if counts_for(rep, deal_rep(deal.owner, deal.owner_name))]
    committed = set(committed_stages(settings))
    overdue = [deal for deal in open_deals if deal.expected_close is not None and deal.expected_close < today]
    undated = [deal for deal in open_deals if deal.expected_close is None]
    target = settings.monthly_target_cents

    rows, bars = [], []
    counted: list[store.OpenDeal] = []
    won_shown: list[store.ClosedDeal] = []
    total_target = 0
    for month in shown:
        ahead = [deal for deal in open_deals if deal.expected_close is not None
                 and max(month.first, today) <= deal.expected_close <= month.last]
        sure = [deal for deal in ahead if deal.stage in committed]
        won_here = [deal for deal in won
                    if month.first <= ctx.clock.to_local(deal.closed_at).date() <= month.last]  # type: ignore[union-attr]
        covered, days = month.share
        month_target = target * covered // days
        started = month.first <= today  # a month to come has a target but nothing to measure against it yet
        if started:
            total_target += month_target
        counted += ahead
        won_shown += won_here
        amount, weighted = total_cents(ahead), _weighted(ahead, settings)
        open_drill = _drill(_("Open deals expected to close in {month}").format(month=month.key), ahead)
        won_drill = _drill(_("Deals won in {month}").format(month=month.key), won_here)
        committed_drill = _drill(_("Committed deals expected to close in {month}").format(month=month.key), sure)
        values: tuple[object, ...] = (month.key, len(ahead), amount, weighted, total_cents(sure), len(won_here),
                                      total_cents(won_here))
        drills: tuple[Drill | None, ...] = (None, open_drill, open_drill, open_drill, committed_drill, won_drill,
                                            won_drill)
        if target:
            values += (month_target, total_cents(won_here) / month_target if month_target and started else None)
            drills += (None, None)
        rows.append(Row(month.key, values, open_drill, drills))
        bars.append(Bar(month.key, amount, open_drill, secondary=weighted))

    figures = [
        Figure("best_case", _("Best case (every open deal)"), total_cents(counted), "money",
               _drill(_("Open deals expected to close in {period}").format(period=named), counted)),
        Figure("weighted", _("Weighted by stage probability"), _weighted(counted, settings), "money",
               _drill(_("Open deals expected to close in {period}").format(period=named), counted)),
        Figure("committed", _("Committed ({stages})").format(
            stages=", ".join(labels.stage(settings, key) for key in committed_stages(settings))),
            total_cents(deal for deal in counted if deal.stage in committed), "money",
            _drill(_("Committed deals expected to close in {period}").format(period=named),
                   [deal for deal in counted if deal.stage in committed])),
        Figure("won", _("Won"), total_cents(won_shown), "money",
               _drill(_("Deals won in {period}").format(period=named), won_shown)),
    ]
    notes = []
    if target:
        figures += [Figure("target", _("Target"), total_target, "money"),
                    Figure("attained", _("Won against target"), total_cents(won_shown) / total_target if total_target
                           else None, "rate")]
    else:
        notes.append(_("No monthly target is set: set monthly_target in config.toml to see won against it."))
    overdue_drill = _drill(_("Open deals whose expected close date has passed"), overdue)
    figures += [Figure("overdue", _("Close date passed"), len(overdue), "count", overdue_drill),
                Figure("overdue_amount", _("Close date passed, amount"), total_cents(overdue), "money", overdue_drill)]
    if undated:
        figures.append(Figure("undated", _("Open deals with no close date"), len(undated), "count",
                              _drill(_("Open deals with no expected close date"), undated)))
        notes.append(ngettext("{count} open deal has no expected close date: it is in no month.",
                              "{count} open deals have no expected close date: they are in no month.",
                              len(undated)).format(count=len(undated)))
    if extended:
        notes.append(_("This month and the next {count}: open deals by the month they are expected to close.")
                     .format(count=FORWARD_MONTHS - 1))
    if overdue:
        notes.append(ngettext(
            "{count} open deal's close date has passed: it is listed apart, not in a month's forecast.",
            "{count} open deals' close dates have passed: they are listed apart, not in a month's forecast.",
            len(overdue)).format(count=len(overdue)))
    columns = (
        Column("month", _("Month"), "text"), Column("deals", _("Open deals"), "count"),
        Column("amount", _("Amount"), "money"), Column("weighted", _("Weighted"), "money"),
        Column("committed", _("Committed"), "money"), Column("won_deals", _("Won deals"), "count"),
        Column("won", _("Won"), "money"),
    ) + ((Column("target", _("Target"), "money"), Column("attained", _("Won against target"), "rate"))
         if target else ())
    late_columns = (
        Column("deal", _("Deal"), "text"), Column("customer", _("Customer"), "text"),
        Column("stage", _("Sales stage"), "text"), Column("amount", _("Amount"), "money"),
        Column("close", _("Expected close"), "date"), Column("days", _("Days late"), "days"),
    )
    late_rows = tuple(
        Row(deal.deal_id, (deal.title, deal.customer_name, labels.stage(settings, deal.stage), deal.amount_cents,
                           deal.expected_close, (today - deal.expected_close).days),  # type: ignore[operator]
            _drill(deal.title, [deal]))
        for deal in overdue)
    return Report(
        key="forecast",
        title=_("Forecast by month"),
        period=period,
        rep=rep,
        figures=tuple(figures),
        tables=(Table("months", _("By expected close month"), columns, tuple(rows)),
                Table("overdue", _("Open deals whose close date has passed"), late_columns, late_rows)),
        charts=(BarChart("months", _("Open deals by expected close month (weighted beside)"), "money",
                         tuple(bars)),),
        empty=not (counted or won_shown or overdue or undated),
        empty_text=_("No open deal is expected to close in {period}, none was won in it, and no open deal's"
                     " close date has passed.").format(period=named),
        notes=tuple(notes),
    )
