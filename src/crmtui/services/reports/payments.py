"""Payments (回款): contracted (contracts signed) against collected (instalments paid) in each month of the period,
the instalments overdue now with their days overdue, and the collections expected in the next 90 days.

Contracted and collected follow the period; what is overdue and what is coming are counted from today, whatever
the period (they are the work of chasing money, not a history).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from crmtui.core.i18n import _, ngettext
from crmtui.core.periods import Period
from crmtui.services.context import Context
from crmtui.services.reports.base import Bar, BarChart, Column, Drill, Figure, Report, Row, Table, total_cents
from crmtui.services.reports.forecast import local_days, months
from crmtui.services.reports.scope import counts_for, deal_rep
from crmtui.store.reports import payments as store

EXPECTED_DAYS = 90
"""The look-ahead of expected collections: instalments due from today to 89 days after it."""


def _deals(title: str, contracts: Iterable[store.Signed]) -> Drill:
    return Drill("deals", tuple(dict.fromkeys(contract.deal_id for contract in contracts)), title)


def _payments(title: str, instalments: Iterable[store.Instalment]) -> Drill:
    return Drill("payments", tuple(instalment.payment_id for instalment in instalments), title)


def build(ctx: Context, period: Period, rep: str | None = None) -> Report:
    today = ctx.clock.today()
    first, last = local_days(ctx, period)
    horizon = today + timedelta(days=EXPECTED_DAYS)
    with ctx.db.raw_read() as connection:
        signed = [k for k in store.signed_between(connection, first, last)
                  if counts_for(rep, deal_rep(k.owner, k.owner_name))]
        paid = [p for p in store.paid_between(connection, first, last)
                if counts_for(rep, deal_rep(p.owner, p.owner_name))]
        unpaid = [p for p in store.unpaid_due_before(connection, horizon)
                  if counts_for(rep, deal_rep(p.owner, p.owner_name))]
    overdue = [p for p in unpaid if p.due_on < today]
    coming = [p for p in unpaid if p.due_on >= today]

    rows, bars = [], []
    for month in months(first, last):
        contracts = [k for k in signed if month.first <= k.signed_on <= month.last]
        collected = [p for p in paid if month.first <= p.paid_on <= month.last]  # type: ignore[operator]
        deals = _deals(_("Deals whose contracts were signed in {month}").format(month=month.key), contracts)
        money = _payments(_("Instalments paid in {month}").format(month=month.key), collected)
        rows.append(Row(month.key, (month.key, len(contracts), total_cents(contracts), len(collected),
                                    total_cents(collected)),
                        deals, (None, deals, deals, money, money)))
        bars.append(Bar(month.key, total_cents(contracts), deals, secondary=total_cents(collected)))
    late_rows = tuple(
        Row(p.payment_id, (p.customer_name, p.contract_number, p.amount_cents, p.due_on, (today - p.due_on).days),
            _payments(_("Instalment of {number} due {day}").format(number=p.contract_number, day=p.due_on.isoformat()),
                      [p]))
        for p in overdue)
    ahead_rows = []
    for month in months(today, horizon - timedelta(days=1)):
        due = [p for p in coming if month.first <= p.due_on <= month.last]
        ahead_rows.append(Row(month.key, (month.key, len(due), total_cents(due)),
                              _payments(_("Instalments due in {month}").format(month=month.key), due)))
    overdue_drill = _payments(_("Instalments overdue"), overdue)
    coming_drill = _payments(_("Instalments due in the next {days} days").format(days=EXPECTED_DAYS), coming)
    figures = (
        Figure("contracted", _("Contracted"), total_cents(signed), "money",
               _deals(_("Deals whose contracts were signed in {period}").format(period=period.label), signed)),
        Figure("collected", _("Collected"), total_cents(paid), "money",
               _payments(_("Instalments paid in {period}").format(period=period.label), paid)),
        Figure("overdue", _("Instalments overdue"), len(overdue), "count", overdue_drill),
        Figure("overdue_amount", _("Overdue amount"), total_cents(overdue), "money", overdue_drill),
        Figure("expected", _("Expected in the next {days} days").format(days=EXPECTED_DAYS), total_cents(coming),
               "money", coming_drill),
    )
    notes = []
    if overdue:
        notes.append(ngettext("{count} instalment is overdue: the oldest was due {days} days ago.",
                              "{count} instalments are overdue: the oldest was due {days} days ago.",
                              len(overdue)).format(count=len(overdue), days=(today - overdue[0].due_on).days))
    return Report(
        key="payments",
        title=_("Payments"),
        period=period,
        rep=rep,
        figures=figures,
        tables=(
            Table("months", _("Contracted and collected by month"), (
                Column("month", _("Month"), "text"), Column("contracts", _("Contracts"), "count"),
                Column("contracted", _("Contracted"), "money"), Column("payments", _("Instalments paid"), "count"),
                Column("collected", _("Collected"), "money")), tuple(rows)),
            Table("overdue", _("Overdue instalments"), (
                Column("customer", _("Customer"), "text"), Column("contract", _("Contract"), "text"),
                Column("amount", _("Amount"), "money"), Column("due", _("Due on"), "date"),
                Column("days", _("Days overdue"), "days")), late_rows),
            Table("expected", _("Expected collections, next {days} days").format(days=EXPECTED_DAYS), (
                Column("month", _("Month"), "text"), Column("instalments", _("Instalments"), "count"),
                Column("amount", _("Amount"), "money")), tuple(ahead_rows)),
        ),
        charts=(BarChart("months", _("Contracted by month (collected beside)"), "money", tuple(bars)),),
        empty=not (signed or paid or unpaid),
        empty_text=_("No contract was signed and no instalment paid in {period}, and no instalment is overdue or"
                     " due in the next {days} days.").format(period=period.label, days=EXPECTED_DAYS),
        notes=tuple(notes),
    )
