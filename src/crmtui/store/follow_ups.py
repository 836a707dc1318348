"""Queries on follow-ups (append-only)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from crmtui.store.models import FollowUp


def follow_ups_of(session: Session, customer_id: str, limit: int | None = None) -> list[FollowUp]:
    """A customer's follow-ups, newest first."""
    query = (
        select(FollowUp)
        .where(FollowUp.customer_id == customer_id, col(FollowUp.deleted_at).is_(None))
        .order_by(col(FollowUp.at).desc())
    )
    if limit:
        query = query.limit(limit)
    return list(session.exec(query).all())


def latest_next_plan(session: Session, customer_id: str) -> str | None:
    """The next plan of the customer's latest follow-up (read through the (customer_id, at) index)."""
    return session.exec(
        select(FollowUp.next_plan)
        .where(FollowUp.customer_id == customer_id, col(FollowUp.deleted_at).is_(None))
        .order_by(col(FollowUp.at).desc())
        .limit(1)
    ).first()
