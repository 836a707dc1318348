"""The queries behind the agenda; each reads one index (see bench/bench_core.py for timings)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from crmtui.store.models import Contact, Contract, Customer, Deal, Payment

OPEN_STATUSES = ("lead", "prospect", "customer")
"""Customers whose follow-ups the agenda watches (not dormant, not in the pool)."""


def _live_open():
    return col(Customer.deleted_at).is_(None), col(Customer.status).in_(OPEN_STATUSES)


def due_between(session: Session, start: datetime, end: datetime) -> list[tuple[Customer, Deal | None]]:
    """Customers whose next follow-up falls in [start, end), with their most advanced open deal."""
    rows = session.exec(
        select(Customer)
        .where(*_live_open(), col(Customer.next_follow_up_at) >= start, col(Customer.next_follow_up_at) < end)
        .order_by(Customer.next_follow_up_at)
    ).all()
    return _with_deals(session, rows)


def due_before(session: Session, end: datetime) -> list[tuple[Customer, Deal | None]]:
    """Customers whose next follow-up is before `end` (overdue), most overdue first."""
    rows = session.exec(
        select(Customer)
        .where(*_live_open(), col(Customer.next_follow_up_at) < end)
        .order_by(Customer.next_follow_up_at)
    ).all()
    return _with_deals(session, rows)


def stalled_deals(
    session: Session, stages: Sequence[str], contact_before: datetime
) -> list[tuple[Deal, Customer]]:
    """Open deals in `stages` whose customer has had no follow-up since `contact_before`."""
    last_contact = func.coalesce(Customer.last_contact_at, Deal.stage_entered_at)
    rows = session.exec(
        select(Deal, Customer)
        .join(Customer, col(Customer.id) == Deal.customer_id)
        .where(
            col(Deal.deleted_at).is_(None),
            col(Deal.stage).in_(stages),
            *_live_open(),
            last_contact < contact_before,
        )
        .order_by(last_contact)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def uncontacted_leads(session: Session, created_before: datetime) -> list[Customer]:
    """Leads created before `created_before` that nobody has contacted yet."""
    return list(
        session.exec(
            select(Customer)
            .where(
                col(Customer.deleted_at).is_(None),
                Customer.status == "lead",
                col(Customer.last_contact_at).is_(None),
                col(Customer.created_at) < created_before,
            )
            .order_by(Customer.created_at)
        ).all()
    )


def contracts_ending(session: Session, first: date, last: date) -> list[tuple[Contract, Customer]]:
    """Live contracts whose end date is in [first, last]."""
    rows = session.exec(
        select(Contract, Customer)
        .join(Customer, col(Customer.id) == Contract.customer_id)
        .where(
            col(Contract.deleted_at).is_(None),
            col(Customer.deleted_at).is_(None),
            col(Contract.end_on) >= first,
            col(Contract.end_on) <= last,
        )
        .order_by(Contract.end_on)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def payments_due(session: Session, last: date) -> list[tuple[Payment, Contract, Customer]]:
    """Unpaid instalments due on or before `last` (overdue ones included)."""
    rows = session.exec(
        select(Payment, Contract, Customer)
        .join(Contract, col(Contract.id) == Payment.contract_id)
        .join(Customer, col(Customer.id) == Contract.customer_id)
        .where(
            col(Payment.deleted_at).is_(None),
            col(Payment.paid_on).is_(None),
            col(Payment.due_on) <= last,
            col(Contract.deleted_at).is_(None),
            col(Customer.deleted_at).is_(None),
        )
        .order_by(Payment.due_on)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def birthdays(session: Session, month_days: Sequence[str]) -> list[tuple[Contact, Customer]]:
    """Live contacts whose birthday's "MM-DD" is one of `month_days`."""
    rows = session.exec(
        select(Contact, Customer)
        .join(Customer, col(Customer.id) == Contact.customer_id)
        .where(
            col(Contact.deleted_at).is_(None),
            col(Customer.deleted_at).is_(None),
            func.strftime("%m-%d", Contact.birthday).in_(month_days),
        )
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _with_deals(session: Session, customers: Sequence[Customer]) -> list[tuple[Customer, Deal | None]]:
    """Pairs each customer with its open deal in the latest stage (one query for all)."""
    if not customers:
        return []
    ids = [c.id for c in customers]
    deals: dict[str, Deal] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for deal in session.exec(
            select(Deal)
            .where(col(Deal.customer_id).in_(chunk), col(Deal.deleted_at).is_(None), col(Deal.stage).not_in(("won", "lost")))
            .order_by(Deal.probability, col(Deal.amount_cents).is_(None), Deal.amount_cents)
        ).all():
            deals[deal.customer_id] = deal  # the last one, i.e. the most probable and largest, wins
    return [(c, deals.get(c.id)) for c in customers]
