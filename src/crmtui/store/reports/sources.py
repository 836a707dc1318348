"""The sources report's queries: the customers that arrived in a span with their source, and their deals."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from crmtui.store.raw import to_db


@dataclass
class Arrival:
    """A live customer (a lead or any other) that arrived in the span."""

    customer_id: str
    source: str | None
    status: str
    owner: str | None


@dataclass
class SourceDeal:
    deal_id: str
    customer_id: str
    stage: str
    amount_cents: int | None
    owner_name: str | None


def arrivals(connection: sqlite3.Connection, start: datetime, end: datetime) -> list[Arrival]:
    """Live customers whose arrival is in [start, end), oldest first. A customer arrives at the earliest of its
    creation, its first follow-up and its first deal's opening (imported history brings records older than the
    customer row). As the arrival is never after the creation, only customers created since `start` are read; the
    first follow-up is the oldest live one of the (customer, time) index, usually one row read a customer."""
    rows = connection.execute(
        "SELECT id, source, status, owner FROM (SELECT c.id, c.source, c.status, c.owner, min(c.created_at,"
        " COALESCE((SELECT f.at FROM follow_up f WHERE f.customer_id = c.id AND f.deleted_at IS NULL ORDER BY f.at"
        " LIMIT 1),"
        " c.created_at),"
        " COALESCE((SELECT MIN(s.at) FROM deal d JOIN deal_stage_change s ON s.deal_id = d.id"
        " AND s.deleted_at IS NULL WHERE d.customer_id = c.id AND d.deleted_at IS NULL), c.created_at)) AS arrived"
        " FROM customer c WHERE c.deleted_at IS NULL AND c.created_at >= ?)"
        " WHERE arrived >= ? AND arrived < ? ORDER BY arrived, id",
        (to_db(start), to_db(start), to_db(end))).fetchall()
    return [Arrival(*row) for row in rows]


def deals_of(connection: sqlite3.Connection, customer_ids: Iterable[str]) -> list[SourceDeal]:
    """The live deals of these customers (amount: the deal's, else its quoted one)."""
    found: list[SourceDeal] = []
    ids = sorted(set(customer_ids))
    for index in range(0, len(ids), 500):
        chunk = ids[index:index + 500]
        marks = ",".join("?" * len(chunk))
        found += [SourceDeal(*row) for row in connection.execute(
            "SELECT id, customer_id, stage, COALESCE(amount_cents, quoted_cents), owner_name FROM deal"
            f" WHERE deleted_at IS NULL AND customer_id IN ({marks}) ORDER BY created_at, id", chunk)]
    return found
