"""Queries on deals, their stage history, contracts and payments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from crmtui.store.models import Contract, Customer, Deal, DealStageChange, Payment


def get_deal(session: Session, deal_id: str) -> Deal | None:
    """The deal with this id."""
    return session.get(Deal, deal_id)


def deals_of(session: Session, customer_id: str, include_deleted: bool = False) -> list[Deal]:
    """A customer's deals, newest first."""
    query = select(Deal).where(Deal.customer_id == customer_id)
    if not include_deleted:
        query = query.where(col(Deal.deleted_at).is_(None))
    return list(session.exec(query.order_by(col(Deal.created_at).desc())).all())


def list_deals(session: Session, stages: Sequence[str] | None = None) -> list[tuple[Deal, Customer]]:
    """Live deals with their customers, optionally in some stages."""
    query = (
        select(Deal, Customer)
        .join(Customer, col(Customer.id) == Deal.customer_id)
        .where(col(Deal.deleted_at).is_(None), col(Customer.deleted_at).is_(None))
    )
    if stages:
        query = query.where(col(Deal.stage).in_(stages))
    rows = session.exec(query.order_by(Deal.stage_entered_at)).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def stage_history(session: Session, deal_id: str) -> list[DealStageChange]:
    """A deal's transitions, oldest first."""
    return list(
        session.exec(select(DealStageChange).where(DealStageChange.deal_id == deal_id).order_by(DealStageChange.at)).all()
    )


def contracts_of(session: Session, customer_id: str, include_deleted: bool = False) -> list[Contract]:
    """A customer's contracts, newest first."""
    query = select(Contract).where(Contract.customer_id == customer_id)
    if not include_deleted:
        query = query.where(col(Contract.deleted_at).is_(None))
    return list(session.exec(query.order_by(col(Contract.signed_on).desc())).all())


def payments_of(session: Session, contract_id: str) -> list[Payment]:
    """A contract's instalments by due date."""
    return list(
        session.exec(
            select(Payment).where(Payment.contract_id == contract_id, col(Payment.deleted_at).is_(None)).order_by(Payment.due_on)
        ).all()
    )


def find_contract_number(session: Session, number: str) -> Contract | None:
    """A live contract with this number (numbers are unique per rep)."""
    return session.exec(select(Contract).where(Contract.number == number, col(Contract.deleted_at).is_(None))).first()


def unpaid_payments(session: Session, customer_id: str, contract_no: str | None = None) -> list[Payment]:
    """The customer's unpaid live instalments, earliest due first (optionally of one contract number)."""
    query = (
        select(Payment)
        .join(Contract, col(Contract.id) == Payment.contract_id)
        .where(Contract.customer_id == customer_id, col(Contract.deleted_at).is_(None),
               col(Payment.deleted_at).is_(None), col(Payment.paid_on).is_(None))
    )
    if contract_no:
        query = query.where(Contract.number == contract_no)
    return list(session.exec(query.order_by(Payment.due_on)).all())


def contracts_of_deal(session: Session, deal_id: str) -> list[Contract]:
    """A deal's live contracts (a won deal has one)."""
    return list(session.exec(select(Contract).where(Contract.deal_id == deal_id, col(Contract.deleted_at).is_(None))).all())


def voided_contracts_of(session: Session, customer_id: str) -> list[Contract]:
    """A customer's tombstoned contracts, most recently voided first."""
    query = select(Contract).where(Contract.customer_id == customer_id, col(Contract.deleted_at).is_not(None))
    return list(session.exec(query.order_by(col(Contract.deleted_at).desc())).all())


def all_payments_of(session: Session, contract_id: str) -> list[Payment]:
    """A contract's instalments, tombstoned ones included, by due date (a voided contract's history)."""
    return list(session.exec(select(Payment).where(Payment.contract_id == contract_id).order_by(Payment.due_on)).all())
