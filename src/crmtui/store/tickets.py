"""Queries on service requests (工单) and their history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from crmtui.store.models import Customer, Ticket, TicketEvent


def get_ticket(session: Session, ticket_id: str) -> Ticket | None:
    """The ticket with this id."""
    return session.get(Ticket, ticket_id)


def numbers(session: Session) -> list[str]:
    """Every ticket number in the book (deleted ones too: a number is never given twice), the team's included."""
    return list(session.exec(select(Ticket.number)).all())


def find_by_number(session: Session, number: str) -> list[Ticket]:
    """The live tickets numbered exactly `number`, else those whose number is `number` and a suffix ("T-0007" finds
    "T-0007-wang"); matched without regard to case."""
    return _find(session, number, "-%")


def find_by_code(session: Session, number: str) -> list[Ticket]:
    """The live tickets numbered exactly `number`, else those whose number begins with it ("T-7K3Q" finds
    "T-7K3QX9M"); matched without regard to case."""
    return _find(session, number, "%")


def _find(session: Session, number: str, rest: str) -> list[Ticket]:
    """The live tickets numbered exactly `number`, else those numbered `number` followed by `rest` (a LIKE
    pattern); `number`'s own _ and % match only themselves."""
    wanted = number.upper()
    live = select(Ticket).where(col(Ticket.deleted_at).is_(None))
    exact = list(session.exec(live.where(func.upper(Ticket.number) == wanted)).all())
    if exact:
        return exact
    escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(session.exec(live.where(col(Ticket.number).ilike(escaped + rest, escape="\\"))
                             .order_by(Ticket.number)).all())


def list_tickets(session: Session, statuses: Sequence[str] | None = None,
                 customer_id: str | None = None) -> list[tuple[Ticket, Customer]]:
    """Live tickets of live customers with their customers, optionally in some statuses or of one customer."""
    query = (
        select(Ticket, Customer)
        .join(Customer, col(Customer.id) == Ticket.customer_id)
        .where(col(Ticket.deleted_at).is_(None), col(Customer.deleted_at).is_(None))
    )
    if statuses:
        query = query.where(col(Ticket.status).in_(statuses))
    if customer_id is not None:
        query = query.where(Ticket.customer_id == customer_id)
    rows = session.exec(query.order_by(col(Ticket.resolve_by), col(Ticket.number))).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def events_of(session: Session, ticket_id: str) -> list[TicketEvent]:
    """A ticket's history, oldest first."""
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id, col(TicketEvent.deleted_at).is_(None))
    return list(session.exec(query.order_by(col(TicketEvent.at), col(TicketEvent.created_at))).all())
