"""Why deals are lost: the deals lost in a period by reason, by competitor and by the stage they were lost at,
with their amounts, against the period before (the same kind of span just before it, Period.previous).

A deal counts in the period of its last move to Lost, and only while it is still lost (a reopened deal is not a
loss). Its amount is the deal's amount, else its quoted amount. The stage it was lost at is the one it left for Lost.
"""

from __future__ import annotations

from collections.abc import Callable

from crmtui.core import labels
from crmtui.core.i18n import _
from crmtui.core.periods import Period
from crmtui.services.context import Context
from crmtui.services.reports.base import Bar, BarChart, Column, Drill, Figure, Report, Row, Table, total_cents
from crmtui.services.reports.scope import counts_for, deal_rep
from crmtui.store.reports import lost as store
from crmtui.store.reports.lost import LostDeal

NONE_KEY = "-"
"""The row of deals with no competitor named (or lost from no stage): `--records -`."""


def _lost(ctx: Context, period: Period, rep: str | None) -> list[LostDeal]:
    with ctx.db.raw_read() as connection:
        found = store.lost_deals(connection, period.start, period.end)
    return [deal for deal in found if counts_for(rep, deal_rep(deal.customer_owner, deal.owner_name))]


def _groups(deals: list[LostDeal], key: Callable[[LostDeal], str]) -> dict[str, list[LostDeal]]:
    groups: dict[str, list[LostDeal]] = {}
    for deal in deals:
        groups.setdefault(key(deal), []).append(deal)
    return groups


def _competitor_key(deal: LostDeal) -> str:
    name = (deal.competitor or "").strip()
    return name.casefold() if name else NONE_KEY


def build(ctx: Context, period: Period, rep: str | None = None) -> Report:
    deals = _lost(ctx, period, rep)
    before_period = period.previous()
    before = _lost(ctx, before_period, rep)
    title = _("Why deals are lost")
    if not deals:
        text = _("No deal was lost in {period}.").format(period=period.label)
        if before:
            text += " " + _("{count} in {previous}.").format(count=len(before), previous=before_period.label)
        return Report("lost", title, period, rep, empty=True, empty_text=text)

    def drill(group: list[LostDeal], text: str) -> Drill:
        return Drill("deals", tuple(deal.deal_id for deal in group), text)

    def order(groups: dict[str, list[LostDeal]]) -> list[str]:
        return sorted(groups, key=lambda k: (-len(groups[k]), -total_cents(groups[k]), k))

    everything = drill(deals, _("Deals lost in {period}").format(period=period.label))
    figures = (
        Figure("lost", _("Lost"), len(deals), "count", everything),
        Figure("lost_amount", _("Amount lost"), total_cents(deals), "money", everything),
        Figure("previous_lost", _("Lost in {previous}").format(previous=before_period.label), len(before), "count",
               drill(before, _("Deals lost in {period}").format(period=before_period.label))),
        Figure("previous_amount", _("Amount lost in {previous}").format(previous=before_period.label),
               total_cents(before), "money"),
    )

    from crmtui.services.deals import (  # deferred: services.deals loads SQLModel (~0.4 s)
        lost_reason_key,
        lost_reason_text,
    )

    reasons = _groups(deals, lambda deal: lost_reason_key(deal.reason) if deal.reason else NONE_KEY)
    earlier = _groups(before, lambda deal: lost_reason_key(deal.reason) if deal.reason else NONE_KEY)
    reason_rows = []
    for key in order(reasons) + sorted(set(earlier) - set(reasons)):
        group = reasons.get(key, [])
        shown = lost_reason_text(key) if key != NONE_KEY else _("(no reason)")
        reason_rows.append(Row(key, (shown, len(group), total_cents(group), len(earlier.get(key, []))),
                               drill(group, _("Deals lost for {reason} in {period}").format(
                                   reason=shown, period=period.label))))
    reason_table = Table("reasons", _("Lost reasons"), (
        Column("reason", _("Reason"), "text"), Column("lost", _("Lost"), "count"),
        Column("amount", _("Amount"), "money"), Column("previous", before_period.label, "count")),
        tuple(reason_rows))

    competitors = _groups(deals, _competitor_key)
    competitor_rows = []
    for key in order(competitors):
        group = competitors[key]
        shown = (group[0].competitor or "").strip() if key != NONE_KEY else _("(none named)")
        text = (_("Deals lost to {competitor} in {period}").format(competitor=shown, period=period.label)
                if key != NONE_KEY else _("Deals lost with no competitor named in {period}").format(period=period.label))
        competitor_rows.append(Row(key, (shown, len(group), total_cents(group)), drill(group, text)))
    competitor_table = Table("competitors", _("Competitors"), (
        Column("competitor", _("Competitor"), "text"), Column("lost", _("Lost"), "count"),
        Column("amount", _("Amount"), "money")), tuple(competitor_rows))

    stages = _groups(deals, lambda deal: deal.from_stage or NONE_KEY)
    known = [stage.key for stage in ctx.settings.stages]
    stage_rows = []
    for key in sorted(stages, key=lambda k: (known.index(k) if k in known else len(known), k)):
        group = stages[key]
        shown = labels.stage(ctx.settings, key) if key != NONE_KEY else "-"
        stage_rows.append(Row(key, (shown, len(group), total_cents(group)), drill(
            group, _("Deals lost at {stage} in {period}").format(stage=shown, period=period.label))))
    stage_table = Table("stages", _("Stage lost at"), (
        Column("stage", _("Lost at"), "text"), Column("lost", _("Lost"), "count"),
        Column("amount", _("Amount"), "money")), tuple(stage_rows))

    chart = BarChart("reasons", _("Deals lost by reason"), "count", tuple(
        Bar(str(row.values[0]), len(reasons.get(row.key, [])), row.drill, key=row.key) for row in reason_rows
        if row.key in reasons))
    return Report("lost", title, period, rep, figures=figures,
                  tables=(reason_table, competitor_table, stage_table), charts=(chart,))
