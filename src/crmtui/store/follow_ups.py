"""Follow-ups (append-only): the insert of `crm log` on the stdlib sqlite3 path, and the timeline query.

A correction is a new follow-up naming the one it corrects (`corrects_id`); the corrected one is superseded:
kept, but no longer shown nor counted for its customer's dates. `current()` is the condition every query that
reads a customer's follow-ups uses for that.
"""

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
    corrects_id: str | None = None
    imported_from: str | None = None
    external_id: str | None = None
    satisfaction: int | None = None
    """1-5, asked on a revisit (回访); with `nps` (0-10) written only when given, so a follow-up without them
    queues the same mutation as before they existed."""
    nps: int | None = None
    id: str = ""


ROW_FIELDS = tuple(field.name for field in fields(FollowUpRow) if field.name != "id")
"""The columns a follow-up row writes besides its id, in the order of FollowUpRow."""


def current(alias: str = "follow_up") -> str:
    """SQL: the follow-up `alias` is live and no live correction of the same customer supersedes it (a correction
    naming another customer's follow-up corrects nothing, so no laptop can hide a record of someone else's)."""
    return (f"{alias}.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM follow_up fix WHERE fix.corrects_id = {alias}.id"
            f" AND fix.customer_id = {alias}.customer_id AND fix.deleted_at IS NULL)")


@dataclass(frozen=True)
class LastFollowUp:
    """A customer's newest current follow-up, as a correction starts from it."""

    id: str
    at: datetime
    created_at: datetime
    author: str | None
    channel: str
    goal: str
    goal_met: bool
    notes: str
    next_plan: str | None
    next_at: datetime | None
    contact_id: str | None
    deal_id: str | None
    first_logged_at: datetime
    """When the first follow-up of its chain of corrections was logged: the window to correct runs from there."""


def last_follow_up(connection: sqlite3.Connection, customer_id: str) -> LastFollowUp | None:
    """The customer's newest current follow-up (by its moment, then by when it was written), or None."""
    row = connection.execute(
        "SELECT id, at, created_at, author, channel, goal, goal_met, notes, next_plan, next_at, contact_id, deal_id,"
        f" corrects_id FROM follow_up f WHERE f.customer_id = ? AND {current('f')}"
        " ORDER BY f.at DESC, f.created_at DESC, f.id DESC LIMIT 1", (customer_id,)).fetchone()
    if row is None:
        return None
    first_logged = from_db(row[2])
    corrected, seen = row[12], {row[0]}
    while corrected and corrected not in seen:  # a chain of corrections (a cycle cannot come from a laptop)
        seen.add(corrected)
        earlier = connection.execute("SELECT created_at, corrects_id FROM follow_up WHERE id = ? AND customer_id = ?",
                                     (corrected, customer_id)).fetchone()
        if earlier is None:
            break
        first_logged, corrected = min(first_logged, from_db(earlier[0])), earlier[1]  # type: ignore[type-var]
    return LastFollowUp(id=row[0], at=from_db(row[1]), created_at=from_db(row[2]), author=row[3],  # type: ignore[arg-type]
                        channel=row[4], goal=row[5], goal_met=bool(row[6]), notes=row[7], next_plan=row[8],
                        next_at=from_db(row[9]), contact_id=row[10], deal_id=row[11],
                        first_logged_at=first_logged)  # type: ignore[arg-type]


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


@dataclass(frozen=True)
class Reference:
    """A contact or deal a follow-up can name: `detail` is a contact's job title or a deal's stage key."""

    id: str
    name: str
    detail: str
    pinyin: str = ""


def contacts_of(connection: sqlite3.Connection, customer_id: str) -> list[Reference]:
    """The customer's live contacts, decision makers first, then by name."""
    return [Reference(*row) for row in connection.execute(
        "SELECT id, name, coalesce(title, ''), coalesce(pinyin, '') FROM contact"
        " WHERE customer_id = ? AND deleted_at IS NULL ORDER BY decision_maker DESC, name, id", (customer_id,))]


def deals_of(connection: sqlite3.Connection, customer_id: str) -> list[Reference]:
    """The customer's live deals (stage key as detail), newest first."""
    return [Reference(*row) for row in connection.execute(
        "SELECT id, title, stage FROM deal WHERE customer_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id",
        (customer_id,))]


def insert_follow_up(connection: sqlite3.Connection, outbox: OutboxWriter, row: FollowUpRow,
                     keep_plan: bool = False) -> FollowUpRow:
    """Appends the follow-up (a correction supersedes the one it names) and, when it is the customer's newest
    current one, moves the customer's last contact and next
    follow-up to it, with their mutations: the customer's dates are always those of its newest follow-up, as on
    the team server, even when a clock stepped back between two writes. An imported one (keep_plan) leaves the
    customer's planned follow-up as kept_plan says."""
    row.id = row.id or str(uuid.uuid4())
    values = follow_up_values(row, outbox.now)
    columns = ", ".join(["id", *values])
    marks = ", ".join("?" * (len(values) + 1))
    connection.execute(
        f"INSERT INTO follow_up ({columns}) VALUES ({marks})",
        (row.id, *(to_db(v) if isinstance(v, datetime) else v for v in values.values())),
    )
    outbox.record("insert", "follow_up", row.id, values)
    newest = connection.execute(f"SELECT max(at) FROM follow_up f WHERE f.customer_id = ? AND f.id != ? AND {current('f')}",
                                (row.customer_id, row.id)).fetchone()[0]
    changes = customer_changes(row, outbox.now, from_db(newest))
    if changes and keep_plan:
        changes["next_follow_up_at"] = kept_plan(row, from_db(connection.execute(
            "SELECT next_follow_up_at FROM customer WHERE id = ?", (row.customer_id,)).fetchone()[0]))
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
    if row.satisfaction is None and row.nps is None:
        del values["satisfaction"], values["nps"]
    values.update(created_at=now, updated_at=now, deleted_at=None)
    return values


def customer_changes(row: FollowUpRow, now: datetime, newest: datetime | None) -> dict[str, datetime | None]:
    """What a new follow-up changes on its customer, given the moment of the customer's newest other follow-up:
    the last contact becomes its moment and the next follow-up its next date (None for a closed customer's);
    nothing when an earlier-logged follow-up is newer (the clock stepped back in between)."""
    if newest is not None and newest > row.at:
        return {}
    return {"last_contact_at": row.at, "next_follow_up_at": row.next_at, "updated_at": now}


def kept_plan(row: FollowUpRow, plan: datetime | None) -> datetime | None:
    """The next follow-up after an imported follow-up (keep_plan): history from another system leaves a plan the
    customer has when it gives no next date, or happened before the planned day (the plan was made after it)."""
    if plan is not None and (row.next_at is None or row.at < plan):
        return plan
    return row.next_at


def follow_ups_of(session: Session, customer_id: str, limit: int | None = None) -> list[FollowUp]:
    """A customer's current follow-ups (corrected ones left out), newest first (ORM)."""
    # deferred: SQLModel and the tables (~0.6 s) stay off `crm log`, which writes through sqlite3
    from sqlalchemy import text
    from sqlmodel import col, select

    from crmtui.store.models import FollowUp  # deferred

    query = (
        select(FollowUp)
        .where(FollowUp.customer_id == customer_id, text(current()))
        .order_by(col(FollowUp.at).desc(), col(FollowUp.created_at).desc())
    )
    if limit:
        query = query.limit(limit)
    return list(session.exec(query).all())
