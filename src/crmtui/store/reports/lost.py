"""The lost report's query: the deals lost in a span, with why, to whom and from which stage."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from crmtui.store.raw import from_db, to_db


@dataclass
class LostDeal:
    deal_id: str
    amount_cents: int | None
    """The deal's amount, else its quoted amount."""
    reason: str | None
    competitor: str | None
    owner_name: str | None
    customer_owner: str | None
    from_stage: str | None
    lost_at: datetime


def lost_deals(connection: sqlite3.Connection, start: datetime, end: datetime) -> list[LostDeal]:
    """Live deals of live customers that are lost now and whose last move to Lost was in [start, end), oldest
    first (a deal lost, reopened and lost again counts at its last loss)."""
    rows = connection.execute(
        "SELECT d.id, COALESCE(d.amount_cents, d.quoted_cents), d.lost_reason, d.competitor, d.owner_name, c.owner,"
        " s.from_stage, s.at FROM deal d JOIN customer c ON c.id = d.customer_id"
        " JOIN deal_stage_change s ON s.deal_id = d.id AND s.deleted_at IS NULL AND s.to_stage = 'lost'"
        " WHERE d.stage = 'lost' AND d.deleted_at IS NULL AND c.deleted_at IS NULL AND s.at >= ? AND s.at < ?"
        " AND NOT EXISTS (SELECT 1 FROM deal_stage_change t WHERE t.deal_id = d.id AND t.deleted_at IS NULL"
        " AND t.to_stage = 'lost' AND t.at > s.at)"
        " ORDER BY s.at, d.id", (to_db(start), to_db(end))).fetchall()
    return [LostDeal(did, amount, reason, competitor, owner_name, owner, from_stage, from_db(at))  # type: ignore[arg-type]
            for did, amount, reason, competitor, owner_name, owner, from_stage, at in rows]
