"""The pipeline board's query (stdlib sqlite3 path: one statement for every card)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from crmtui.store.raw import day_from_db, from_db, to_db


@dataclass
class CardRow:
    """One deal on the board with what its card shows."""

    deal_id: str
    title: str
    amount_cents: int | None
    stage: str
    stage_entered: datetime
    customer_id: str
    customer_name: str
    last_contact: datetime | None
    next_follow_up: datetime | None
    owner: str | None = None
    expected_close: date | None = None


def board_rows(connection: sqlite3.Connection, closed_since: datetime) -> list[CardRow]:
    """Live open deals, and won/lost ones that closed since `closed_since`, oldest in stage first."""
    rows = connection.execute(
        "SELECT d.id, d.title, d.amount_cents, d.stage, d.stage_entered_at, c.id, c.name, c.last_contact_at,"
        " c.next_follow_up_at, c.owner, d.expected_close FROM deal d JOIN customer c ON c.id = d.customer_id"
        " WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL"
        " AND (d.stage NOT IN ('won', 'lost') OR d.stage_entered_at >= ?)"
        " ORDER BY d.stage_entered_at",
        (to_db(closed_since),),
    ).fetchall()
    return [
        CardRow(did, title, amount, stage, from_db(entered), cid, name, from_db(last), from_db(nxt), owner,  # type: ignore[arg-type]
                day_from_db(close))
        for did, title, amount, stage, entered, cid, name, last, nxt, owner, close in rows
    ]


@dataclass
class StageHistoryRow:
    """One live deal with its stage changes, oldest first: what the funnel and the win figures count."""

    deal_id: str
    stage: str
    amount_cents: int | None
    owner_name: str | None
    changes: list[tuple[str, datetime]]
    """(the stage it moved to, when), oldest first."""


def stage_history(connection: sqlite3.Connection) -> list[StageHistoryRow]:
    """Every live deal of a live customer with its live stage changes (one statement)."""
    deals: dict[str, StageHistoryRow] = {}
    for deal_id, stage, amount, owner_name, to_stage, at in connection.execute(
            "SELECT d.id, d.stage, d.amount_cents, d.owner_name, s.to_stage, s.at FROM deal d"
            " JOIN customer c ON c.id = d.customer_id"
            " LEFT JOIN deal_stage_change s ON s.deal_id = d.id AND s.deleted_at IS NULL"
            " WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY d.id, s.at, s.created_at"):
        row = deals.get(deal_id)
        if row is None:
            row = deals[deal_id] = StageHistoryRow(deal_id, stage, amount, owner_name, [])
        if to_stage is not None:
            row.changes.append((to_stage, from_db(at)))  # type: ignore[arg-type]
    return list(deals.values())
