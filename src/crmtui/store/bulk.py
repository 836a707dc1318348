"""Many new records written in one go (the demo's sample book): one statement a table for all its rows, and
one outbox mutation a record holding its final values, as a transaction that added and then changed them queues.

Records are staged as they are made, changed in memory as the rules that follow change them (a customer's score
after a contact, its next follow-up after each follow-up), and written by write(): nothing is read back, so the
caller holds everything the rules need. The values are stored exactly as the ORM stores them.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from crmtui.store.follow_ups import FollowUpRow, follow_up_values
from crmtui.store.models import Synced
from crmtui.store.outbox import TABLE_ORDER, OutboxWriter
from crmtui.store.raw import to_db

_COLUMNS: dict[type[Synced], tuple[str, ...]] = {}


def _columns(model: type[Synced]) -> tuple[str, ...]:
    """The model's columns besides its id, in table order."""
    names = _COLUMNS.get(model)
    if names is None:
        names = _COLUMNS[model] = tuple(column.key for column in model.__table__.columns if column.key != "id")  # type: ignore[attr-defined]
    return names


def _stored(value: object) -> object:
    """A value as SQLAlchemy writes it to SQLite: times as UTC text, days as ISO text, booleans as 0/1."""
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class BulkWriter:
    """New records staged in the order they were made, each with the moment it was made."""

    def __init__(self) -> None:
        self._staged: list[tuple[str, str, Synced | dict[str, object], datetime]] = []

    def add(self, record: Synced, at: datetime) -> None:
        """Stages a new record made at `at`; changes made to it before write() are part of it."""
        self._staged.append((record.__tablename__, record.id, record, at))  # type: ignore[arg-type]

    def add_follow_up(self, row: FollowUpRow, at: datetime) -> None:
        """Stages a follow-up as logging writes it (its customer's changes are the caller's to make)."""
        self._staged.append(("follow_up", row.id, follow_up_values(row, at), at))

    def write(self, connection: sqlite3.Connection, outbox: OutboxWriter) -> int:
        """Inserts every staged record, a table at a time, parents first, and queues each one's mutation in the
        order they were made; returns how many records."""
        rows: dict[str, list[tuple[object, ...]]] = {table: [] for table in TABLE_ORDER}
        columns: dict[str, tuple[str, ...]] = {}
        mutations: list[tuple[str, str, dict[str, object], datetime]] = []
        for table, record_id, record, at in self._staged:
            if isinstance(record, dict):
                values = record
            else:
                values = {name: getattr(record, name) for name in _columns(type(record))}
            columns.setdefault(table, tuple(values))
            rows[table].append((record_id, *(_stored(values[name]) for name in columns[table])))
            mutations.append((table, record_id, values, at))
        for table, batch in rows.items():
            if batch:
                names = ", ".join(["id", *columns[table]])
                marks = ", ".join("?" * (len(columns[table]) + 1))
                connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)  # noqa: S608 (fixed names)
        outbox.record_inserts(mutations, connection.executemany)
        self._staged.clear()
        return len(mutations)
