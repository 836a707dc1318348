"""Reverting one action of the history: each reverted record is a new change like any (in the outbox, so it syncs,
and in the history, as the undo's). The records the action created are tombstoned in bulk, one statement a table
on the raw write path (an import creates thousands: through the ORM, each cost a load and a flush); the fields it
changed on records that were there before go back through the ORM session (a handful, or an import's merges)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime

from crmtui.store.history import DERIVED, LoggedChange, current_values, json_value
from crmtui.store.outbox import TABLE_ORDER, OutboxWriter
from crmtui.store.raw import from_db, to_db
from crmtui.store.session import SYNCED_MODELS, StoreSession


def revert(session: StoreSession, changes: list[LoggedChange], now: datetime,
           tombstone_created: Callable[[dict[str, list[str]]], int]) -> int:
    """Puts back what these changes (one action's, oldest first) changed: a record they created is deleted (by
    `tombstone_created`, given the ids by table: see `tombstone_all`), every field they changed gets the value it
    had before, through the ORM session. Derived columns changed since are left as they are. Returns how many
    records were changed."""
    created = {(change.table, change.record_id) for change in changes if change.kind == "insert"}
    before: dict[tuple[str, str], dict[str, str | None]] = {}
    after: dict[tuple[str, str], dict[str, str | None]] = {}
    for change in changes:
        key = (change.table, change.record_id)
        if key in created or change.kind == "insert":
            continue
        column = change.field or "deleted_at"
        before.setdefault(key, {}).setdefault(column, change.old_value)
        after.setdefault(key, {})[column] = change.new_value
    by_table: dict[str, list[str]] = {}
    for table, record_id in created:
        by_table.setdefault(table, []).append(record_id)
    touched = tombstone_created(by_table)
    for (table, record_id), columns in before.items():
        model = SYNCED_MODELS[table]
        record = session.get(model, record_id)
        if record is None:
            continue
        stored = current_values(session.connection().connection.driver_connection.execute, table, record_id,
                                list(columns)) or {}
        for column, old in columns.items():
            if column in DERIVED and stored.get(column) != json_value(after[(table, record_id)][column]):
                continue
            setattr(record, column, _model_value(model, column, json_value(old)))
        record.updated_at = now
        touched += 1
    return touched


def tombstone_all(connection: sqlite3.Connection, outbox: OutboxWriter, ids: dict[str, list[str]],
                  now: datetime) -> int:
    """Marks these records deleted at `now` (those not deleted already), one UPDATE a table, and queues one
    `delete` mutation each, parents first as the outbox replays; returns how many were deleted."""
    moment = to_db(now)
    deleted = 0
    connection.execute("CREATE TEMP TABLE IF NOT EXISTS undo_ids (id TEXT PRIMARY KEY)")
    try:
        for table in TABLE_ORDER:
            if not ids.get(table):
                continue
            connection.execute("DELETE FROM temp.undo_ids")
            connection.executemany("INSERT OR IGNORE INTO temp.undo_ids (id) VALUES (?)",
                                   [(record_id,) for record_id in ids[table]])
            gone = [row[0] for row in connection.execute(
                f"UPDATE main.{table} SET deleted_at = ?, updated_at = ? WHERE deleted_at IS NULL"
                " AND id IN (SELECT id FROM temp.undo_ids) RETURNING id", (moment, moment)).fetchall()]
            for record_id in sorted(gone):
                outbox.record("delete", table, record_id, {"deleted_at": now, "updated_at": now})
            deleted += len(gone)
    finally:
        connection.execute("DROP TABLE IF EXISTS temp.undo_ids")
    return deleted


def _model_value(model: type, column: str, value: object) -> object:
    """A value as SQLite held it, as the model's attribute takes it (times aware, days as dates, booleans)."""
    if value is None:
        return None
    kind = model.__table__.columns[column].type  # type: ignore[attr-defined]
    kind = getattr(kind, "impl_instance", kind)  # the aware UTC time type wraps SQL's DATETIME
    try:
        python_type = kind.python_type
    except NotImplementedError:
        return value
    if python_type is datetime:
        return from_db(str(value))
    if python_type is date:
        return date.fromisoformat(str(value)[:10])
    if python_type is bool:
        return bool(value)
    return value
