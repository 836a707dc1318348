"""The queries behind `crm remind` and the app's due-now notice: what came due in a window of time, and the moment
up to which the rep has been told (a row of `meta`, never synced: each laptop tells its own rep).

On the stdlib sqlite3 path, as `crm today`: `crm remind` runs every few minutes and must start fast.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from crmtui.store.agenda import NOT_DO_NOT_CONTACT, Scope
from crmtui.store.follow_ups import current
from crmtui.store.raw import day_from_db, from_db, to_db

TOLD_KEY = "remind_told_until"
"""The `meta` key of the moment up to which the rep's own reminders were told; another rep's view (`--rep`) has
its own key (told_key)."""

LIMIT = 200
"""Rows kept per kind: a window that long (a laptop closed for a week) is worked from Today, not from a list."""

_LIVE = "c.deleted_at IS NULL AND {scope}"
_OPEN = "c.deleted_at IS NULL AND c.status IN ('lead', 'prospect', 'customer') AND {scope} AND " + NOT_DO_NOT_CONTACT


def told_key(rep: str | None) -> str:
    """The `meta` key of a view's watermark: the rep's own (None), another rep's name, or "all"."""
    return TOLD_KEY if rep is None else f"{TOLD_KEY}:{rep}"


def told_until(connection: sqlite3.Connection, key: str) -> datetime | None:
    """The moment up to which the view's reminders were told (None: never)."""
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return from_db(row[0]) if row else None


def record_told(connection: sqlite3.Connection, key: str, until: datetime) -> None:
    """Moves the watermark to `until`, never back (two runs that overlap both end at the later one), in one
    transaction of its own (BEGIN IMMEDIATE: another writer waits, as for any write)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        # The stored text sorts as the moments do ('YYYY-MM-DD HH:MM:SS.ffffff', UTC).
        connection.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
            (key, to_db(until)),
        )
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@dataclass
class DueRow:
    """One thing that came due, with what its query knows."""

    kind: str
    customer_id: str
    customer_name: str
    at: datetime | None = None
    """The moment it came due (UTC): a follow-up's next date, a ticket's deadline."""
    day: date | None = None
    """The day it is due on: a revisit, an instalment, a renewal's end, a birthday."""
    detail: str | None = None
    """The follow-up's plan, the revisit's purpose, the ticket's title, whose birthday."""
    number: str | None = None
    """The ticket's or the contract's number."""
    amount_cents: int | None = None
    record_id: str | None = None


def follow_ups(connection: sqlite3.Connection, after: datetime, until: datetime, scope: Scope) -> list[DueRow]:
    """Open customers whose next follow-up falls in (after, until], the earliest first."""
    plan = (f"(SELECT f.next_plan FROM follow_up f WHERE f.customer_id = c.id AND {current('f')}"
            " ORDER BY f.at DESC, f.created_at DESC LIMIT 1)")
    rows = connection.execute(
        f"SELECT c.id, c.name, c.next_follow_up_at, {plan} FROM customer c WHERE {_OPEN.format(scope=scope.sql)}"
        f" AND c.next_follow_up_at > ? AND c.next_follow_up_at <= ? ORDER BY c.next_follow_up_at LIMIT {LIMIT}",
        (*scope.params, to_db(after), to_db(until)),
    ).fetchall()
    return [DueRow("follow_up", cid, name, at=from_db(when), detail=plan_text, record_id=cid)
            for cid, name, when, plan_text in rows]


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _on_days(connection: sqlite3.Connection, sql: str, days: Sequence[date], scope: Scope) -> list[tuple]:
    """The rows of a query about records due on one of `days`: `sql` takes the days where it says {days} (the
    first parameters), then the scope's."""
    if not days:
        return []
    return connection.execute(sql.format(days=_marks(days)),
                              (*[d.isoformat() for d in days], *scope.params)).fetchall()


def revisits(connection: sqlite3.Connection, days: Sequence[date], scope: Scope) -> list[DueRow]:
    """Revisits not done yet, due on one of `days`."""
    rows = _on_days(connection, (
        "SELECT c.id, c.name, r.id, r.due_on, r.purpose FROM revisit r JOIN customer c ON c.id = r.customer_id"
        f" WHERE r.deleted_at IS NULL AND r.follow_up_id IS NULL AND r.done_at IS NULL AND r.due_on IN ({{days}})"
        f" AND {_LIVE.format(scope=scope.sql)} AND {NOT_DO_NOT_CONTACT} ORDER BY r.due_on, c.name LIMIT {LIMIT}"), days, scope)
    return [DueRow("revisit", cid, name, day=day_from_db(due), detail=purpose, record_id=rid)
            for cid, name, rid, due, purpose in rows]


def tickets(connection: sqlite3.Connection, after: datetime, until: datetime, scope: Scope) -> list[DueRow]:
    """Tickets whose deadline to answer (not answered yet) or to resolve (not resolved yet) falls in (after, until].
    A ticket resolved or closed is past both."""
    found: list[DueRow] = []
    for kind, deadline, done in (("ticket_response", "respond_by", "responded_at"),
                                 ("ticket_resolution", "resolve_by", "resolved_at")):
        rows = connection.execute(
            f"SELECT c.id, c.name, t.id, t.number, t.title, t.{deadline} FROM ticket t"
            " JOIN customer c ON c.id = t.customer_id"
            f" WHERE t.deleted_at IS NULL AND t.closed_at IS NULL AND t.{done} IS NULL"
            " AND t.status NOT IN ('resolved', 'closed')"
            f" AND t.{deadline} > ? AND t.{deadline} <= ? AND {_LIVE.format(scope=scope.sql)}"
            f" ORDER BY t.{deadline} LIMIT {LIMIT}",
            (to_db(after), to_db(until), *scope.params),
        ).fetchall()
        found += [DueRow(kind, cid, name, at=from_db(when), detail=title, number=number, record_id=tid)
                  for cid, name, tid, number, title, when in rows]
    return found


def tickets_promised(connection: sqlite3.Connection, days: Sequence[date], scope: Scope) -> list[DueRow]:
    """Tickets not resolved yet whose promised day (due_on) is one of `days`: the day has ended without it."""
    rows = _on_days(connection, (
        "SELECT c.id, c.name, t.id, t.number, t.title, t.due_on FROM ticket t JOIN customer c ON c.id = t.customer_id"
        " WHERE t.deleted_at IS NULL AND t.closed_at IS NULL AND t.resolved_at IS NULL"
        f" AND t.status NOT IN ('resolved', 'closed') AND t.due_on IN ({{days}})"
        f" AND {_LIVE.format(scope=scope.sql)} ORDER BY t.due_on, c.name LIMIT {LIMIT}"), days, scope)
    return [DueRow("ticket_promised", cid, name, day=day_from_db(due), detail=title, number=number, record_id=tid)
            for cid, name, tid, number, title, due in rows]


def payments(connection: sqlite3.Connection, days: Sequence[date], scope: Scope) -> list[DueRow]:
    """Unpaid instalments due on one of `days`."""
    rows = _on_days(connection, (
        "SELECT c.id, c.name, p.id, k.number, p.amount_cents, p.due_on"
        " FROM payment p JOIN contract k ON k.id = p.contract_id JOIN customer c ON c.id = k.customer_id"
        f" WHERE p.deleted_at IS NULL AND p.paid_on IS NULL AND p.due_on IN ({{days}})"
        f" AND k.deleted_at IS NULL AND {_LIVE.format(scope=scope.sql)} AND {NOT_DO_NOT_CONTACT}"
        f" ORDER BY p.due_on, c.name LIMIT {LIMIT}"), days, scope)
    return [DueRow("payment", cid, name, day=day_from_db(due), number=number, amount_cents=amount, record_id=pid)
            for cid, name, pid, number, amount, due in rows]


def contracts_ending_on(connection: sqlite3.Connection, days: Sequence[date], scope: Scope) -> list[DueRow]:
    """Live contracts whose end date is one of `days` (the renewal window opens a set number of days before)."""
    rows = _on_days(connection, (
        "SELECT c.id, c.name, k.id, k.number, k.amount_cents, k.end_on FROM contract k JOIN customer c ON c.id = k.customer_id"
        f" WHERE k.deleted_at IS NULL AND k.end_on IN ({{days}}) AND {_LIVE.format(scope=scope.sql)}"
        f" AND {NOT_DO_NOT_CONTACT} ORDER BY k.end_on, c.name LIMIT {LIMIT}"), days, scope)
    return [DueRow("renewal", cid, name, day=day_from_db(end), number=number, amount_cents=amount, record_id=kid)
            for cid, name, kid, number, amount, end in rows]


def birthdays(connection: sqlite3.Connection, month_days: Sequence[str], scope: Scope) -> list[DueRow]:
    """Live contacts whose birthday's "MM-DD" is one of `month_days` (`day` holds the birthday as stored)."""
    if not month_days:
        return []
    rows = connection.execute(
        "SELECT c.id, c.name, p.id, p.name, p.birthday FROM contact p JOIN customer c ON c.id = p.customer_id"
        f" WHERE p.deleted_at IS NULL AND p.birthday IS NOT NULL AND {_LIVE.format(scope=scope.sql)}"
        f" AND NOT p.do_not_contact AND {NOT_DO_NOT_CONTACT}"
        f" AND strftime('%m-%d', p.birthday) IN ({_marks(month_days)}) ORDER BY c.name LIMIT {LIMIT}",
        (*scope.params, *month_days),
    ).fetchall()
    return [DueRow("birthday", cid, name, day=day_from_db(day), detail=person, record_id=pid)
            for cid, name, pid, person, day in rows]
