"""The funnel's queries: the deals that moved in a period with every stage change they have, and first contacts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from crmtui.store.raw import from_db, to_db


@dataclass
class MovedDeal:
    """A live deal of a live customer with its live stage changes, oldest first."""

    deal_id: str
    customer_id: str
    stage: str
    amount_cents: int | None
    owner_name: str | None
    customer_owner: str | None
    created_at: datetime
    changes: list[tuple[str | None, str, datetime]] = field(default_factory=list)
    """(from stage, to stage, when), oldest first; the first one (from None) is the deal's opening."""


def deals_moved(connection: sqlite3.Connection, start: datetime, end: datetime) -> list[MovedDeal]:
    """Every live deal of a live customer with a live stage change in [start, end), with all its live changes (one
    statement; the changes table is small beside follow-ups)."""
    deals: dict[str, MovedDeal] = {}
    for (deal_id, customer_id, stage, amount, owner_name, owner, created, from_stage, to_stage,
         at) in connection.execute(
            "SELECT d.id, d.customer_id, d.stage, d.amount_cents, d.owner_name, c.owner, d.created_at,"
            " s.from_stage, s.to_stage, s.at FROM deal d JOIN customer c ON c.id = d.customer_id"
            " JOIN deal_stage_change s ON s.deal_id = d.id AND s.deleted_at IS NULL"
            " WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL AND d.id IN"
            " (SELECT deal_id FROM deal_stage_change WHERE deleted_at IS NULL AND at >= ? AND at < ?)"
            " ORDER BY d.id, s.at, s.created_at", (to_db(start), to_db(end))):
        row = deals.get(deal_id)
        if row is None:
            row = deals[deal_id] = MovedDeal(deal_id, customer_id, stage, amount, owner_name, owner,
                                             from_db(created))  # type: ignore[arg-type]
        row.changes.append((from_stage, to_stage, from_db(at)))  # type: ignore[arg-type]
    return list(deals.values())


def first_follow_ups(connection: sqlite3.Connection, customer_ids: Iterable[str]) -> dict[str, datetime]:
    """Each customer's first live follow-up (customers without one are left out); one index seek a customer."""
    found: dict[str, datetime] = {}
    ids = sorted(set(customer_ids))
    for index in range(0, len(ids), 500):
        chunk = ids[index:index + 500]
        marks = ",".join("?" * len(chunk))
        for customer_id, at in connection.execute(
                f"SELECT customer_id, MIN(at) FROM follow_up WHERE deleted_at IS NULL AND customer_id IN ({marks})"
                " GROUP BY customer_id", chunk):
            found[customer_id] = from_db(at)  # type: ignore[assignment]
    return found
