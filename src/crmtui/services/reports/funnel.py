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

from datetime import datetime
from statistics import median

from crmtui.core import labels
from crmtui.core.i18n import _, ngettext
from crmtui.core.periods import Period
from crmtui.services.context import Context
from crmtui.services.reports.base import Bar, BarChart, Column, Drill, Figure, Report, Row, Table
from crmtui.services.reports.scope import counts_for, deal_rep
from crmtui.store.reports import funnel as store
from crmtui.store.reports.funnel import MovedDeal


def _in(period: Period, moment: datetime) -> bool:
    return period.start <= moment < period.end


def scoped_deals(ctx: Context, period: Period, rep: str | None) -> list[MovedDeal]:
    """The deals of `rep`'s view with a stage change in the period (see scope.py)."""
    with ctx.db.raw_read() as connection:
        moved = store.deals_moved(connection, period.start, period.end)
    return [deal for deal in moved if counts_for(rep, deal_rep(deal.customer_owner, deal.owner_name))]


def closed_in(deal: MovedDeal, stage: str, period: Period) -> datetime | None:
    """When a deal now at `stage` (won or lost) last moved there, if that was in the period; else None."""
    if deal.stage != stage:
        return None
    at = next((at for _from, to, at in reversed(deal.changes) if to == stage), None)
    return at if at is not None and _in(period, at) else None


def _days(ctx: Context, start: datetime, end: datetime) -> int:
    """Whole calendar days between two moments in the rep's zone."""
    return (ctx.clock.to_local(end).date() - ctx.clock.to_local(start).date()).days  # type: ignore[union-attr]


def build(ctx: Context, period: Period, rep: str | None = None) -> Report:
    settings = ctx.settings
    order = [stage.key for stage in settings.stages if stage.key != "lost"]
    position = {key: index for index, key in enumerate(order)}
    deals = scoped_deals(ctx, period, rep)
    title = _("Funnel and conversion")
    if not deals:
        return Report("funnel", title, period, rep, empty=True,
                      empty_text=_("No deal moved in {period}.").format(period=period.label))
    reached: dict[str, list[str]] = {key: [] for key in order}
    moved_on: dict[str, int] = dict.fromkeys(order, 0)
    stays: dict[str, list[int]] = {key: [] for key in order}
    skipped: list[str] = []
    won: list[tuple[MovedDeal, datetime]] = []
    lost: list[str] = []
    reopened: list[str] = []
    for deal in deals:
        entered: dict[str, int] = {}  # each stage reached in the period: the index of its first entry
        for index, (from_stage, to_stage, at) in enumerate(deal.changes):
            if index + 1 < len(deal.changes) and to_stage in stays:
                left = deal.changes[index + 1][2]
                if _in(period, left):
                    stays[to_stage].append(_days(ctx, at, left))
            if not _in(period, at):
                continue
            if to_stage in position and to_stage != "won":
                entered.setdefault(to_stage, index)
            if (from_stage in position and from_stage != "won" and to_stage in position
                    and position[to_stage] > position[from_stage] + 1 and deal.deal_id not in skipped):
                skipped.append(deal.deal_id)
            if from_stage == "won" and deal.deal_id not in reopened:
                reopened.append(deal.deal_id)
        won_at = closed_in(deal, "won", period)
        if won_at is not None:
            won.append((deal, won_at))
            reached["won"].append(deal.deal_id)
        if closed_in(deal, "lost", period) is not None:
            lost.append(deal.deal_id)
        for stage, first in entered.items():
            reached[stage].append(deal.deal_id)
            later = {to for _from, to, _at in deal.changes[first + 1:]}
            if any(position.get(to, -1) > position[stage] for to in later):
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
    cycles = _cycles(ctx, won)
    closed = len(won) + len(lost)

    def drill(ids: list[str] | tuple[str, ...], text: str) -> Drill:
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
        bars.append(Bar(name, len(ids), stage_drill))
    table = Table("stages", _("Stages"), (
        Column("stage", _("Stage"), "text"), Column("reached", _("Reached"), "count"),
        Column("moved_on", _("Moved on"), "rate"), Column("median_days", _("Median days in stage"), "days")),
        tuple(rows))
    chart = BarChart("reached", _("Deals that reached each stage"), "count", tuple(bars))
    return Report("funnel", title, period, rep, figures=figures, tables=(table,), charts=(chart,),
                  notes=tuple(notes))


def _cycles(ctx: Context, won: list[tuple[MovedDeal, datetime]]) -> list[int]:
    """Days from first contact to won, one a won deal."""
    with ctx.db.raw_read() as connection:
        first = store.first_follow_ups(connection, (deal.customer_id for deal, _at in won))
    cycles = []
    for deal, won_at in won:
        opened = deal.changes[0][2] if deal.changes else deal.created_at
        contact = first.get(deal.customer_id)
        start = min(opened, contact) if contact is not None else opened
        cycles.append(_days(ctx, start, won_at))
    return cycles
