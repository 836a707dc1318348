"""The records behind a report's number (its Drill): the deals, customers, follow-ups or instalments it counts,
as frozen lines the app lists (Enter opens the customer) and `crm report --records KEY` prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crmtui.core import labels
from crmtui.core.i18n import _
from crmtui.services.context import Context
from crmtui.services.reports.base import Drill, RecordKind
from crmtui.store.raw import day_from_db, from_db
from crmtui.store.reports import records as store


@dataclass(frozen=True)
class RecordLine:
    """One record behind a number, with the fields a list of them shows."""

    kind: RecordKind
    id: str
    name: str
    """A deal's title, a customer's name, a follow-up's goal, an instalment's contract number."""
    customer_id: str
    customer: str
    state: str
    """In the rep's language: a deal's stage, a customer's tier and status, a follow-up's channel, an instalment
    paid or due."""
    amount_cents: int | None
    day: date | None
    """A deal: the day it entered its stage (a won or lost deal's close); a customer: the last contact; a
    follow-up: its day; an instalment: the day paid, else the day due. Local days."""
    deal_id: str | None = None
    """The deal to put the cursor on when the customer is opened."""


def columns(kind: RecordKind) -> tuple[tuple[str, str], ...]:
    """The fields a list of such records shows (RecordLine's names) with their headers in the rep's language: a
    customer's list has no customer or amount column of its own."""
    name = {"deals": _("Deal"), "customers": _("Customer"), "follow_ups": _("Goal"), "payments": _("Contract")}[kind]
    state = {"deals": _("Sales stage"), "customers": _("Tier"), "follow_ups": _("Channel"), "payments": _("Paid")}[kind]
    day = {"deals": _("In stage since"), "customers": _("Last contact"), "follow_ups": _("Day"),
           "payments": _("Day")}[kind]
    if kind == "customers":
        return ("name", name), ("state", state), ("day", day)
    if kind == "follow_ups":
        return ("name", name), ("customer", _("Customer")), ("state", state), ("day", day)
    return ("name", name), ("customer", _("Customer")), ("state", state), ("amount_cents", _("Amount")), ("day", day)


def records(ctx: Context, drill: Drill, limit: int | None = None) -> list[RecordLine]:
    """The drill's records in its order (the first `limit` of them), leaving out those deleted since."""
    ids = list(drill.ids[:limit] if limit is not None else drill.ids)
    with ctx.db.raw_read() as connection:
        reader = {"deals": store.deals, "customers": store.customers, "follow_ups": store.follow_ups,
                  "payments": store.payments}[drill.kind]
        found = reader(connection, ids)
    make = {"deals": _deal, "customers": _customer, "follow_ups": _follow_up, "payments": _payment}[drill.kind]
    return [make(ctx, found[record_id]) for record_id in ids if record_id in found]


def _local_day(ctx: Context, stored: object) -> date | None:
    moment = ctx.clock.to_local(from_db(stored if isinstance(stored, str) else None))
    return moment.date() if moment else None


def _cents(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _deal(ctx: Context, row: tuple[object, ...]) -> RecordLine:
    deal_id, title, customer_id, customer, stage, amount, entered = row
    return RecordLine("deals", str(deal_id), str(title), str(customer_id), str(customer),
                      labels.stage(ctx.settings, str(stage)), _cents(amount), _local_day(ctx, entered), str(deal_id))


def _customer(ctx: Context, row: tuple[object, ...]) -> RecordLine:
    customer_id, name, status, tier, last_contact = row
    return RecordLine("customers", str(customer_id), str(name), str(customer_id), str(name),
                      f"{tier} · {labels.status(str(status))}", None, _local_day(ctx, last_contact))


def _follow_up(ctx: Context, row: tuple[object, ...]) -> RecordLine:
    follow_up_id, goal, customer_id, customer, channel, deal_id, at = row
    return RecordLine("follow_ups", str(follow_up_id), str(goal), str(customer_id), str(customer),
                      labels.channel(str(channel)), None, _local_day(ctx, at), str(deal_id) if deal_id else None)


def _payment(ctx: Context, row: tuple[object, ...]) -> RecordLine:
    payment_id, number, customer_id, customer, deal_id, amount, due_on, paid_on = row
    paid = day_from_db(paid_on if isinstance(paid_on, str) else None)
    due = day_from_db(due_on if isinstance(due_on, str) else None)
    return RecordLine("payments", str(payment_id), str(number), str(customer_id), str(customer),
                      _("paid") if paid else _("due"), _cents(amount), paid or due, str(deal_id))
