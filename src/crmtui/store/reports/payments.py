"""The payments report's queries: contracts signed, instalments paid, and instalments still unpaid.

Only live records of live customers count: a contract voided (its deal reopened or removed) is a tombstone with
its instalments, and a merged customer's contracts moved to the customer it was merged into.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from crmtui.store.raw import day_from_db

_LIVE = ("k.deleted_at IS NULL AND d.deleted_at IS NULL AND c.deleted_at IS NULL")
_JOINS = "JOIN deal d ON d.id = k.deal_id JOIN customer c ON c.id = k.customer_id"


@dataclass(frozen=True)
class Signed:
    """A live contract: its deal, amount, the day it was signed, and whose it is."""

    contract_id: str
    deal_id: str
    amount_cents: int
    signed_on: date
    owner: str | None
    owner_name: str | None


def signed_between(connection: sqlite3.Connection, first: date, last: date) -> list[Signed]:
    """Live contracts signed from `first` to `last` (both included), in the order they were signed."""
    rows = connection.execute(
        f"SELECT k.id, k.deal_id, k.amount_cents, k.signed_on, c.owner, d.owner_name FROM contract k {_JOINS}"
        f" WHERE {_LIVE} AND k.signed_on >= ? AND k.signed_on <= ? ORDER BY k.signed_on, k.id",
        (first.isoformat(), last.isoformat())).fetchall()
    return [Signed(kid, did, amount, day_from_db(signed), owner, owner_name)  # type: ignore[arg-type]
            for kid, did, amount, signed, owner, owner_name in rows]


@dataclass(frozen=True)
class Instalment:
    """A live instalment of a live contract, with its customer and whose it is."""

    payment_id: str
    amount_cents: int
    due_on: date
    paid_on: date | None
    contract_number: str
    customer_id: str
    customer_name: str
    owner: str | None
    owner_name: str | None


_INSTALMENT = (f"SELECT p.id, p.amount_cents, p.due_on, p.paid_on, k.number, c.id, c.name, c.owner, d.owner_name"
               f" FROM payment p JOIN contract k ON k.id = p.contract_id {_JOINS} WHERE p.deleted_at IS NULL AND {_LIVE}")


def _instalments(rows: list[tuple]) -> list[Instalment]:
    return [Instalment(pid, amount, day_from_db(due), day_from_db(paid), number, cid, name, owner,  # type: ignore[arg-type]
                       owner_name) for pid, amount, due, paid, number, cid, name, owner, owner_name in rows]


def paid_between(connection: sqlite3.Connection, first: date, last: date) -> list[Instalment]:
    """Instalments paid from `first` to `last` (both included), in the order they were paid."""
    return _instalments(connection.execute(
        f"{_INSTALMENT} AND p.paid_on >= ? AND p.paid_on <= ? ORDER BY p.paid_on, p.id",
        (first.isoformat(), last.isoformat())).fetchall())


def unpaid_due_before(connection: sqlite3.Connection, before: date) -> list[Instalment]:
    """Unpaid instalments due before `before`, the earliest due first (overdue ones and those coming); those due
    the same day by contract number, so the list reads the same every time."""
    return _instalments(connection.execute(
        f"{_INSTALMENT} AND p.paid_on IS NULL AND p.due_on < ? ORDER BY p.due_on, k.number, p.id",
        (before.isoformat(),)).fetchall())
