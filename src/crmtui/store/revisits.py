"""Revisits (回访) on the stdlib sqlite3 path: a won deal's plan written, a customer's timeline, the open ones due
by a day, and one completed by the follow-up that did it. Every write is recorded in the outbox, so it syncs."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from crmtui.store.follow_ups import current
from crmtui.store.outbox import OutboxWriter
from crmtui.store.raw import day_from_db, from_db, to_db

if TYPE_CHECKING:
    from sqlmodel import Session

    from crmtui.store.models import Revisit


@dataclass(frozen=True)
class NewRevisit:
    """One revisit of a plan being written."""

    customer_id: str
    deal_id: str | None
    due_on: date
    purpose: str
    channel: str | None


@dataclass(frozen=True)
class RevisitRow:
    """A revisit as the timeline and the agenda read it, with the follow-up that did it (when done)."""

    id: str
    customer_id: str
    deal_id: str | None
    due_on: date
    purpose: str
    channel: str | None
    follow_up_id: str | None
    done_at: datetime | None
    satisfaction: int | None
    nps: int | None
    customer_name: str = ""

    @property
    def done(self) -> bool:
        return self.follow_up_id is not None


def insert_revisits(connection: sqlite3.Connection, outbox: OutboxWriter, plan: list[NewRevisit]) -> list[str]:
    """Writes the revisits of a plan; returns their ids."""
    ids = []
    for revisit in plan:
        record_id = str(uuid.uuid4())
        values: dict[str, object] = {
            "customer_id": revisit.customer_id, "deal_id": revisit.deal_id, "due_on": revisit.due_on,
            "purpose": revisit.purpose, "channel": revisit.channel, "follow_up_id": None, "done_at": None,
            "created_at": outbox.now, "updated_at": outbox.now, "deleted_at": None,
        }
        connection.execute(
            f"INSERT INTO revisit (id, {', '.join(values)}) VALUES (?{', ?' * len(values)})",
            (record_id, *(_stored(value) for value in values.values())))
        outbox.record("insert", "revisit", record_id, values)
        ids.append(record_id)
    return ids


def _stored(value: object) -> object:
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


_SELECT = (
    "SELECT r.id, r.customer_id, r.deal_id, r.due_on, r.purpose, r.channel, r.follow_up_id, r.done_at,"
    " f.satisfaction, f.nps, c.name FROM revisit r JOIN customer c ON c.id = r.customer_id"
    " LEFT JOIN follow_up f ON f.id = r.follow_up_id"
)


def _row(row: tuple) -> RevisitRow:  # type: ignore[type-arg]
    return RevisitRow(id=row[0], customer_id=row[1], deal_id=row[2], due_on=day_from_db(row[3]),  # type: ignore[arg-type]
                      purpose=row[4], channel=row[5], follow_up_id=row[6], done_at=from_db(row[7]),
                      satisfaction=row[8], nps=row[9], customer_name=row[10])


def revisits_of(connection: sqlite3.Connection, customer_id: str) -> list[RevisitRow]:
    """The customer's live revisits, done and open, by due day."""
    return [_row(row) for row in connection.execute(
        f"{_SELECT} WHERE r.customer_id = ? AND r.deleted_at IS NULL ORDER BY r.due_on, r.created_at, r.id",
        (customer_id,))]


def open_revisits_of(connection: sqlite3.Connection, customer_id: str) -> list[RevisitRow]:
    """The customer's open revisits, earliest due first."""
    return [_row(row) for row in connection.execute(
        f"{_SELECT} WHERE r.customer_id = ? AND r.follow_up_id IS NULL AND r.deleted_at IS NULL"
        " ORDER BY r.due_on, r.created_at, r.id", (customer_id,))]


def open_revisits_due(connection: sqlite3.Connection, day: date) -> list[RevisitRow]:
    """Every live customer's open revisits due on or before `day`, earliest first (the agenda's section)."""
    return [_row(row) for row in connection.execute(
        f"{_SELECT} WHERE r.follow_up_id IS NULL AND r.deleted_at IS NULL AND r.due_on <= ?"
        " AND c.deleted_at IS NULL ORDER BY r.due_on, c.name, r.id", (day.isoformat(),))]


def complete(connection: sqlite3.Connection, outbox: OutboxWriter, revisit_id: str, follow_up_id: str,
             at: datetime) -> None:
    """Marks the revisit done by the follow-up, at its moment."""
    changes: dict[str, object] = {"follow_up_id": follow_up_id, "done_at": at, "updated_at": outbox.now}
    connection.execute("UPDATE revisit SET follow_up_id = ?, done_at = ?, updated_at = ? WHERE id = ?",
                       (follow_up_id, to_db(at), to_db(outbox.now), revisit_id))
    outbox.record("update", "revisit", revisit_id, changes)


@dataclass(frozen=True)
class Score:
    """A satisfaction score given on a follow-up or when a ticket was closed (`ticket`: its number), with its
    moment."""

    at: datetime
    satisfaction: int
    nps: int | None
    ticket: str | None = None


def scores_of(connection: sqlite3.Connection, customer_id: str) -> list[Score]:
    """The customer's satisfaction scores, oldest first: those of its current follow-ups (a corrected one's score
    is replaced by its correction's) and those given when one of its live tickets was closed."""
    rows = connection.execute(
        f"SELECT f.at, f.satisfaction, f.nps, NULL, f.created_at FROM follow_up f WHERE f.customer_id = ?"
        f" AND f.satisfaction IS NOT NULL AND {current('f')}"
        " UNION ALL SELECT t.closed_at, t.satisfaction, NULL, t.number, t.created_at FROM ticket t"
        " WHERE t.customer_id = ? AND t.satisfaction IS NOT NULL AND t.closed_at IS NOT NULL"
        " AND t.deleted_at IS NULL ORDER BY 1, 5", (customer_id, customer_id)).fetchall()
    return [Score(from_db(row[0]), row[1], row[2], row[3]) for row in rows]  # type: ignore[arg-type]


def open_call_back(connection: sqlite3.Connection, customer_id: str) -> RevisitRow | None:
    """The customer's open call back, if any: a live open revisit of no deal (a won deal's plan always names its
    deal; a low score's call back names none)."""
    row = connection.execute(
        f"{_SELECT} WHERE r.customer_id = ? AND r.deal_id IS NULL AND r.follow_up_id IS NULL"
        " AND r.deleted_at IS NULL ORDER BY r.due_on, r.created_at, r.id LIMIT 1", (customer_id,)).fetchone()
    return _row(row) if row else None


def deal_title(connection: sqlite3.Connection, deal_id: str) -> str | None:
    """The title of a live deal (None: no such deal, or removed)."""
    row = connection.execute("SELECT title FROM deal WHERE id = ? AND deleted_at IS NULL", (deal_id,)).fetchone()
    return row[0] if row else None


def deal_signed_on(connection: sqlite3.Connection, deal_id: str) -> date | None:
    """The signing day of the deal's newest live contract (None: it has none)."""
    row = connection.execute("SELECT signed_on FROM contract WHERE deal_id = ? AND deleted_at IS NULL"
                             " ORDER BY created_at DESC LIMIT 1", (deal_id,)).fetchone()
    return day_from_db(row[0]) if row and row[0] else None


def scores_of_follow_up(connection: sqlite3.Connection, follow_up_id: str) -> tuple[int | None, int | None]:
    """The satisfaction and recommendation scores a follow-up was logged with."""
    row = connection.execute("SELECT satisfaction, nps FROM follow_up WHERE id = ?", (follow_up_id,)).fetchone()
    return (row[0], row[1]) if row else (None, None)


def move_completion(connection: sqlite3.Connection, outbox: OutboxWriter, old_id: str, new_id: str) -> None:
    """The revisits a corrected follow-up completed are completed by its correction."""
    for (revisit_id,) in connection.execute(
            "SELECT id FROM revisit WHERE follow_up_id = ? AND deleted_at IS NULL", (old_id,)).fetchall():
        connection.execute("UPDATE revisit SET follow_up_id = ?, updated_at = ? WHERE id = ?",
                           (new_id, to_db(outbox.now), revisit_id))
        outbox.record("update", "revisit", revisit_id, {"follow_up_id": new_id, "updated_at": outbox.now})


def open_revisits_of_deal(session: Session, deal_id: str) -> list[Revisit]:
    """The deal's live revisits not done yet (ORM): leaving Won drops them."""
    # deferred: SQLModel (~0.4 s) stays off `crm log`, which uses the sqlite3 functions above
    from sqlmodel import col, select

    from crmtui.store.models import Revisit

    return list(session.exec(select(Revisit).where(
        Revisit.deal_id == deal_id, col(Revisit.follow_up_id).is_(None), col(Revisit.deleted_at).is_(None))).all())


# A planned revisit moved to another day, or dropped ------------------------------------------------------------

def move(connection: sqlite3.Connection, outbox: OutboxWriter, revisit_id: str, due_on: date) -> None:
    """Moves an open revisit to another day."""
    changes: dict[str, object] = {"due_on": due_on, "updated_at": outbox.now}
    connection.execute("UPDATE revisit SET due_on = ?, updated_at = ? WHERE id = ?",
                       (due_on.isoformat(), to_db(outbox.now), revisit_id))
    outbox.record("update", "revisit", revisit_id, changes)


def drop(connection: sqlite3.Connection, outbox: OutboxWriter, revisit_id: str) -> None:
    """Removes a revisit (soft: undo and the history bring it back)."""
    changes: dict[str, object] = {"deleted_at": outbox.now, "updated_at": outbox.now}
    connection.execute("UPDATE revisit SET deleted_at = ?, updated_at = ? WHERE id = ?",
                       (to_db(outbox.now), to_db(outbox.now), revisit_id))
    outbox.record("delete", "revisit", revisit_id, changes)


def customer_name(connection: sqlite3.Connection, customer_id: str) -> str | None:
    """A live customer's name (None: no such customer, or removed)."""
    row = connection.execute("SELECT name FROM customer WHERE id = ? AND deleted_at IS NULL",
                             (customer_id,)).fetchone()
    return row[0] if row else None
