"""Follow-ups (append-only): the insert of `crm log` on the stdlib sqlite3 path, and the timeline query."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING

from crmtui.store.outbox import OutboxWriter
from crmtui.store.raw import from_db, to_db

if TYPE_CHECKING:
    from sqlmodel import Session

    from crmtui.store.models import FollowUp


@dataclass
class FollowUpRow:
    """A follow-up as written by log_follow_up."""

    customer_id: str
    at: datetime
    channel: str
    goal: str
    goal_met: bool
    notes: str
    next_plan: str | None
    next_at: datetime | None
    contact_id: str | None = None
    deal_id: str | None = None
    id: str = ""


ROW_FIELDS = tuple(field.name for field in fields(FollowUpRow) if field.name != "id")
"""The columns a follow-up row writes besides its id, in the order of FollowUpRow."""


@dataclass
class CustomerState:
    """What logging needs to know about the customer."""

    name: str
    status: str
    deleted: bool


def customer_state(connection: sqlite3.Connection, customer_id: str) -> CustomerState | None:
    """Name, status and whether it is deleted; None when there is no such customer."""
    row = connection.execute("SELECT name, status, deleted_at FROM customer WHERE id = ?", (customer_id,)).fetchone()
    return CustomerState(row[0], row[1], row[2] is not None) if row else None


def belongs_to(connection: sqlite3.Connection, table: str, record_id: str, customer_id: str) -> bool:
    """Whether a live contact or deal belongs to the customer."""
    assert table in ("contact", "deal")
    row = connection.execute(
        f"SELECT 1 FROM {table} WHERE id = ? AND customer_id = ? AND deleted_at IS NULL", (record_id, customer_id)
    ).fetchone()
    return row is not None


def insert_follow_up(connection: sqlite3.Connection, outbox: OutboxWriter, row: FollowUpRow) -> FollowUpRow:
    """Appends the follow-up and, when it is the customer's newest, moves the customer's last contact and next
    follow-up to it, with their mutations: the customer's dates are always those of its newest follow-up, as on
    the team server, even when a clock stepped back between two writes."""
    row.id = row.id or str(uuid.uuid4())
    values = follow_up_values(row, outbox.now)
    columns = ", ".join(["id", *values])
    marks = ", ".join("?" * (len(values) + 1))
    connection.execute(
        f"INSERT INTO follow_up ({columns}) VALUES ({marks})",
        (row.id, *(to_db(v) if isinstance(v, datetime) else v for v in values.values())),
    )
    outbox.record("insert", "follow_up", row.id, values)
    newest = connection.execute("SELECT max(at) FROM follow_up WHERE customer_id = ? AND id != ? AND deleted_at IS NULL",
                                (row.customer_id, row.id)).fetchone()[0]
    changes = customer_changes(row, outbox.now, from_db(newest))
    if not changes:
        return row
    connection.execute(
        "UPDATE customer SET last_contact_at = ?, next_follow_up_at = ?, updated_at = ? WHERE id = ?",
        (*(to_db(changes[name]) for name in ("last_contact_at", "next_follow_up_at", "updated_at")), row.customer_id),
    )
    outbox.record("update", "customer", row.customer_id, changes)
    return row


def follow_up_values(row: FollowUpRow, now: datetime) -> dict[str, object]:
    """The columns of a new follow-up besides its id, as written and as queued for the server."""
    values = {name: getattr(row, name) for name in ROW_FIELDS}  # not asdict: it deep-copies every value
    values.update(created_at=now, updated_at=now, deleted_at=None)
    return values


def customer_changes(row: FollowUpRow, now: datetime, newest: datetime | None) -> dict[str, datetime | None]:
    """What a new follow-up changes on its customer, given the moment of the customer's newest other follow-up:
    the last contact becomes its moment and the next follow-up its next date (None for a closed customer's);
    nothing when an earlier-logged follow-up is newer (the clock stepped back in between)."""
    if newest is not None and newest > row.at:
        return {}
    return {"last_contact_at": row.at, "next_follow_up_at": row.next_at, "updated_at": now}


def follow_ups_of(session: Session, customer_id: str, limit: int | None = None) -> list[FollowUp]:
    """A customer's follow-ups, newest first (ORM)."""
    # deferred: SQLModel and the tables (~0.6 s) stay off `crm log`, which writes through sqlite3
    from sqlmodel import col, select

    from crmtui.store.models import FollowUp  # deferred

    query = (
        select(FollowUp)
        .where(FollowUp.customer_id == customer_id, col(FollowUp.deleted_at).is_(None))
        .order_by(col(FollowUp.at).desc())
    )
    if limit:
        query = query.limit(limit)
    return list(session.exec(query).all())
