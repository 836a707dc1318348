"""Sources: which channel brings customers who buy. The customers that arrived in a period, by their source
(customer.source, the same text whatever its case), and what became of them since:

- Leads: every customer that arrived in the period, a lead or not (it arrives at the earliest of its creation, its
  first follow-up and its first deal's opening). A lead merged into a customer counts once, as that customer.
- Converted: no longer a lead (a prospect, a customer, dormant) or with a deal: a lead's conversion opens one.
- Won: with a deal that is won now; the won amount is those deals' amounts, whenever they were won.
"""

from __future__ import annotations

from crmtui.core.i18n import _
from crmtui.core.periods import Period
from crmtui.services.context import Context
from crmtui.services.reports.base import Bar, BarChart, Column, Drill, Figure, Report, Row, Table, total_cents
from crmtui.services.reports.scope import counts_for, deal_rep
from crmtui.store.reports import sources as store
from crmtui.store.reports.sources import Arrival, SourceDeal

NONE_KEY = "-"
"""The row of customers with no source: `--records -`."""

CONVERTED_STATUSES = ("prospect", "customer", "dormant")


class _Source:
    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.leads: list[str] = []
        self.converted: list[str] = []
        self.won: list[str] = []
        self.won_cents = 0


def build(ctx: Context, period: Period, rep: str | None = None) -> Report:
    with ctx.db.raw_read() as connection:
        arrived = store.arrivals(connection, period.start, period.end)
        deals: dict[str, list[SourceDeal]] = {}
        for deal in store.deals_of(connection, (customer.customer_id for customer in arrived)):
            deals.setdefault(deal.customer_id, []).append(deal)
    title = _("Sources")
    sources: dict[str, _Source] = {}
    for customer in arrived:
        mine = [deal for deal in deals.get(customer.customer_id, [])
                if counts_for(rep, deal_rep(customer.owner, deal.owner_name))]
        if not (counts_for(rep, customer.owner) or mine):
            continue
        shown = (customer.source or "").strip()
        key = shown.casefold() or NONE_KEY
        source = sources.setdefault(key, _Source(shown or _("(no source)")))
        _count(source, customer, mine)
    if not sources:
        return Report("sources", title, period, rep, empty=True,
                      empty_text=_("No lead or customer arrived in {period}.").format(period=period.label))
    order = sorted(sources, key=lambda k: (-sources[k].won_cents, -len(sources[k].leads), k))

    def drill(ids: list[str], text: str) -> Drill:
        return Drill("customers", tuple(ids), text)

    rows = []
    for key in order:
        source = sources[key]
        arrived_here = len(source.leads)
        rows.append(Row(key, (source.shown, arrived_here, len(source.converted), len(source.converted) / arrived_here,
                              len(source.won), source.won_cents),
                        drill(source.leads, _("Leads from {source} in {period}").format(
                            source=source.shown, period=period.label))))
    table = Table("sources", _("Leads by source"), (
        Column("source", _("Source"), "text"), Column("leads", _("Leads"), "count"),
        Column("converted", _("Converted"), "count"), Column("conversion", _("Conversion rate"), "rate"),
        Column("won", _("Won"), "count"), Column("won_amount", _("Won amount"), "money")), tuple(rows))
    every = [sources[key] for key in order]
    leads = [cid for source in every for cid in source.leads]
    converted = [cid for source in every for cid in source.converted]
    won = [cid for source in every for cid in source.won]
    won_cents = sum(source.won_cents for source in every)
    figures = (
        Figure("leads", _("Leads"), len(leads), "count",
               drill(leads, _("Leads that arrived in {period}").format(period=period.label))),
        Figure("converted", _("Converted"), len(converted), "count",
               drill(converted, _("Leads of {period} converted").format(period=period.label))),
        Figure("conversion", _("Conversion rate"), len(converted) / len(leads), "rate"),
        Figure("won", _("Won"), len(won), "count", drill(won, _("Leads of {period} won").format(period=period.label))),
        Figure("won_amount", _("Won amount"), won_cents, "money"),
    )
    lead_bars = tuple(Bar(sources[key].shown, len(sources[key].leads), row.drill, secondary=len(sources[key].won),
                          key=row.key)
                      for key, row in zip(order, rows, strict=True))
    won_bars = tuple(Bar(sources[key].shown, sources[key].won_cents, drill(
        sources[key].won, _("Leads from {source} won").format(source=sources[key].shown)), key=row.key)
        for key, row in zip(order, rows, strict=True) if sources[key].won)
    charts: tuple[BarChart, ...] = (BarChart("leads", _("Leads by source (won beside)"), "count", lead_bars),)
    if won_bars:
        charts += (BarChart("won_amount", _("Won amount by source"), "money", won_bars),)
    return Report("sources", title, period, rep, figures=figures, tables=(table,), charts=charts)


def _count(source: _Source, customer: Arrival, deals: list[SourceDeal]) -> None:
    source.leads.append(customer.customer_id)
    if deals or customer.status in CONVERTED_STATUSES:
        source.converted.append(customer.customer_id)
    won = [deal for deal in deals if deal.stage == "won"]
    if won:
        source.won.append(customer.customer_id)
        source.won_cents += total_cents(won)
