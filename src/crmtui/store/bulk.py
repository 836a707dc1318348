"""Many new records written in one go (the demo's sample book, an import): one statement a table for all its rows,
and one outbox mutation a record holding its final values, as a transaction that added and then changed them queues.

Records are staged as they are made, changed in memory as the rules that follow change them (a customer's score
after a contact, its next follow-up after each follow-up), and written by write(): nothing is read back, so the
caller holds everything the rules need. The values are stored exactly as the ORM stores them.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from crmtui.store.follow_ups import FollowUpRow, follow_up_values
from crmtui.store.models import FollowUp, Synced
from crmtui.store.outbox import TABLE_ORDER, OutboxWriter
from crmtui.store.raw import to_db

_COLUMNS: dict[type[Synced], tuple[str, ...]] = {}
_TABLES: dict[type[Synced], str] = {}
_GETTERS: dict[type[Synced], itemgetter[Any]] = {}


SMALL_BATCH = 64
"""Up to this many rows a table, a write inserts them directly: the temp table of a large batch costs more."""


def _columns(model: type[Synced]) -> tuple[str, ...]:
    """The model's columns besides its id, in table order."""
    names = _COLUMNS.get(model)
    if names is None:
        names = _COLUMNS[model] = tuple(column.key for column in model.__table__.columns if column.key != "id")  # type: ignore[attr-defined]
    return names


def _table(model: type[Synced]) -> str:
    """The model's table name, one string for all its records (SQLModel makes a new one at every look-up, and a
    staged record keeps it until the transaction ends)."""
    name = _TABLES.get(model)
    if name is None:
        name = _TABLES[model] = str(model.__tablename__)
    return name


def _converted(model: type[Synced], names: tuple[str, ...]) -> list[int]:
    """The places among `names` of the columns whose values SQLite does not take as they are: times, days and
    yes/no (every other column holds text or whole numbers)."""
    places = []
    for place, name in enumerate(names):
        column_type = model.__table__.columns[name].type  # type: ignore[attr-defined]
        try:  # a decorated type (UTCDateTime, SQLModel's AutoString) says what its stored type takes
            python_type = getattr(column_type, "impl_instance", column_type).python_type
        except NotImplementedError:
            python_type = object  # a type that does not say: its values are looked at
        if python_type in (datetime, date, bool, object):
            places.append(place)
    return places


def new_ids(count: int) -> list[str]:
    """`count` random version-4 UUIDs as text, as str(uuid.uuid4()) makes them, from one read of the system's
    randomness (uuid4 makes a UUID object a call: three times the cost, on ~30,000 records an import)."""
    randomness = os.urandom(16 * count)
    ids = []
    for start in range(0, 16 * count, 16):
        h = randomness[start:start + 16].hex()
        # the version (4) and the RFC 4122 variant bits (10xx), exactly where uuid4 sets them
        ids.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}")
    return ids


class _Ids:
    """New record ids, made a few hundred at a time."""

    def __init__(self) -> None:
        self._ready: list[str] = []

    def __call__(self) -> str:
        if not self._ready:
            self._ready = new_ids(256)
        return self._ready.pop()


new_id = _Ids()
"""A new record id (what models.new_id makes, made faster)."""
os.register_at_fork(after_in_child=lambda: new_id._ready.clear())  # a forked child must not hand out its parent's ids


def _utc_text(moment: datetime) -> str:
    """What to_db writes for a moment, made without strftime (four times slower, and a sample has ~11,000)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    if moment.year < 1000:  # strftime does not pad such a year; keep its text
        return to_db(moment)  # type: ignore[return-value]
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (the fastest way here)
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, moment.microsecond)


class _Stored:
    """Values as SQLAlchemy writes them to SQLite: times as UTC text, days as ISO text, booleans as 0/1. A write's
    moments repeat (every tag an import adds is made at the run's moment), so each one's text is made once."""

    def __init__(self) -> None:
        self._texts: dict[object, object] = {}

    def __call__(self, value: object) -> object:
        if isinstance(value, bool):
            return int(value)
        if not isinstance(value, date):  # a datetime is a date too
            return value
        text = self._texts.get(value)
        if text is None:
            text = _utc_text(value) if isinstance(value, datetime) else value.isoformat()
            if len(self._texts) > 4096:  # a file of distinct moments: keep memory flat
                self._texts.clear()
            self._texts[value] = text
        return text


def has_customers(connection: sqlite3.Connection) -> bool:
    """Whether the book has any customer row, live or deleted (a bulk write of a sample is for an empty book)."""
    return connection.execute("SELECT 1 FROM customer LIMIT 1").fetchone() is not None


class BulkWriter:
    """New records staged in the order they were made, each with the moment it was made."""

    def __init__(self) -> None:
        self._staged: list[tuple[str, str, Synced | dict[str, object], datetime]] = []
        self._stored = _Stored()
        self._triggered: set[str] | None = None
        self._models: dict[str, type[Synced]] = {"follow_up": FollowUp}

    def add(self, record: Synced, at: datetime) -> None:
        """Stages a new record made at `at`; changes made to it before write() are part of it."""
        table = _table(type(record))
        self._staged.append((table, record.id, record, at))
        self._models[table] = type(record)

    def add_values(self, model: type[Synced], values: dict[str, object], at: datetime) -> str:
        """Stages a new record of `model` given as its column values (every column but the id), made at `at`, and
        returns its new id: for records no rule changes afterwards (a tag), which need no ORM object."""
        record_id = new_id()
        table = _table(model)
        getter = _GETTERS.get(model)
        if getter is None:
            getter = _GETTERS[model] = itemgetter(*_columns(model))
        self._staged.append((table, record_id, dict(zip(_columns(model), getter(values))), at))
        self._models[table] = model
        return record_id

    def add_follow_up(self, row: FollowUpRow, at: datetime) -> None:
        """Stages a follow-up as logging writes it (its customer's changes are the caller's to make)."""
        self._staged.append(("follow_up", row.id, follow_up_values(row, at), at))

    def __len__(self) -> int:
        return len(self._staged)

    def write(self, connection: sqlite3.Connection, outbox: OutboxWriter) -> int:
        """Inserts every staged record, a table at a time, parents first, and queues each one's mutation in the
        order they were made; returns how many records."""
        # A table's rows by the columns they give: a follow-up without scores writes none (its mutation is the same
        # as before they existed), so one table may come with two sets of columns, each inserted with its own.
        rows: dict[str, dict[tuple[str, ...], list[list[object]]]] = {table: {} for table in TABLE_ORDER}
        layouts: dict[tuple[str, tuple[str, ...]], tuple[itemgetter[Any], list[int]]] = {}
        mutations: list[tuple[str, str, dict[str, object], datetime]] = []
        stored = self._stored
        for staged in self._staged:
            table, record_id, record, at = staged
            if record.__class__ is dict:
                values: dict[str, Any] = record  # type: ignore[assignment]
            else:
                # read from the instance's own dict: the ORM's attribute descriptors cost more than the rest
                held = record.__dict__
                values = {name: held[name] if name in held else getattr(record, name)
                          for name in _columns(type(record))}  # type: ignore[arg-type]
                staged = (table, record_id, values, at)
            names = tuple(values)
            layout = layouts.get((table, names))
            if layout is None:
                # the values fetched in one call, and only the times, days and yes/no looked at
                converted = [place + 1 for place in _converted(self._models[table], names)]  # the id is first
                layout = layouts[table, names] = (itemgetter(*names), converted)
            row: list[object] = [record_id, *layout[0](values)]
            for place in layout[1]:
                value = row[place]
                if value is not None:
                    row[place] = stored(value)
            rows[table].setdefault(names, []).append(row)
            mutations.append(staged)  # type: ignore[arg-type]
        if self._triggered is None:
            self._triggered = {table for (table,) in connection.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")}
        for table, batches in rows.items():
            for names, batch in batches.items():
                _insert(connection, table, ("id", *names), batch, table in self._triggered)
        outbox.record_inserts(mutations, connection.executemany)
        self._staged.clear()
        return len(mutations)


def _insert(connection: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[list[object]],
            triggered: bool) -> None:
    """Inserts rows in their order. A table with triggers (its search index) gets them in one statement, through
    a temp table: an FTS5 index writes out what it holds at the end of every statement, so one insert a row makes
    one index segment a row (~0.1 ms each; four times the cost of the whole insert)."""
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    if not triggered or len(rows) <= SMALL_BATCH:
        connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608 (fixed names)
        return
    # columns without a type: values go through untouched, and the table's own types apply once, as to an insert
    connection.execute(f"CREATE TEMP TABLE bulk_{table} ({names})")
    try:
        connection.executemany(f"INSERT INTO temp.bulk_{table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        connection.execute(
            f"INSERT INTO main.{table} ({names}) SELECT {names} FROM temp.bulk_{table} ORDER BY rowid")  # noqa: S608
    finally:
        connection.execute(f"DROP TABLE temp.bulk_{table}")
