"""The outbox: every local change, as a mutation with per-field hybrid logical clock stamps (docs/sync.md).

OutboxWriter works on any DB-API style `execute`, so the ORM session (store/session.py) and the
stdlib sqlite3 path (store/raw.py) write the same rows in the same transaction as their change.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from crmtui.store.history import claim
from crmtui.store.raw import to_db

FORMAT_VERSION = 1
"""Version of the mutation format the server must understand (docs/sync.md)."""

DERIVED_FIELDS: dict[str, frozenset[str]] = {
    "customer": frozenset({"name_key", "pinyin", "phone_key", "email_key", "score", "last_contact_at"}),
    "contact": frozenset({"name_key", "pinyin", "phone_key", "email_key"}),
}
"""Columns computed from others (search keys, the lead score, the last contact): they sync like any column but
two laptops computing them differently is no conflict the rep could settle. The next follow-up is not one of
them: converting a lead and merging set it directly, so two reps can really disagree on it."""


TABLE_ORDER = ("customer", "contact", "deal", "deal_stage_change", "follow_up", "contract", "payment", "customer_tag",
               "revisit", "ticket", "ticket_event")
"""Parents before children: a replay of the outbox in order never breaks a foreign key (a revisit names its deal
and the follow-up that completed it, a ticket its contract, a ticket's event its ticket)."""

Execute = Callable[..., Any]


def json_value(value: object) -> object:
    """A column value as JSON: datetimes as ISO text in UTC, dates as ISO text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def stamps_of(stamps: str, changes: str | dict[str, object]) -> dict[str, str]:
    """A mutation's stamps by field, from its outbox row. A new record's mutation that record_inserts queued holds
    one stamp for all its fields (a JSON string, not an object: ~2 KB less a record, on ~30,000 records an import
    writes); it is the same mutation, each of its fields carrying that stamp, and goes to the server as such."""
    value = json.loads(stamps)
    if isinstance(value, str):
        return dict.fromkeys(json.loads(changes) if isinstance(changes, str) else changes, value)
    return value  # type: ignore[no-any-return]


def format_stamp(millis: int, counter: int, node: str) -> str:
    """A hybrid logical clock stamp that sorts as text: wall millis, counter, node."""
    return f"{millis:015d}-{counter:05d}-{node}"


def parse_stamp(stamp: str) -> tuple[int, int, str]:
    """The parts of a stamp made by format_stamp."""
    millis, counter, node = stamp.split("-", 2)
    return int(millis), int(counter), node


def next_stamp(last: str | None, wall_millis: int, node: str) -> str:
    """The HLC send step: later than both the wall clock and the last stamp issued."""
    if last is None:
        return format_stamp(wall_millis, 0, node)
    last_millis, last_counter, _ = parse_stamp(last)
    if wall_millis > last_millis:
        return format_stamp(wall_millis, 0, node)
    return format_stamp(last_millis, last_counter + 1, node)


class _Queued:
    """A mutation of this transaction: its outbox row, and what it holds once the transaction is done."""

    __slots__ = ("seq", "kind", "values", "stamps")

    def __init__(self, seq: int, kind: str, values: dict[str, object], stamps: dict[str, str]) -> None:
        self.seq = seq
        self.kind = kind
        self.values = values
        self.stamps = stamps


Recorded = tuple[str, str, tuple[str, ...]]
"""(table, record id, changed fields) of one recorded change."""


class OutboxWriter:
    """Appends mutations inside the caller's transaction; one mutation per record per transaction.

    A record changed again later in the same transaction (added, then scored; a customer logged six times) has
    its outbox row brought up to date once, by save_clock before the commit, instead of being rewritten on every
    change: nothing reads the outbox inside the transaction that writes it, and a rollback drops both. The sync
    stamps are written at once, for they are read inside a transaction (a field's last write decides things).
    """

    def __init__(self, execute: Execute, now: datetime) -> None:
        self.execute = execute
        self.now = now
        self._node: str | None = None
        self._last: str | None = None
        self._clock_moved = False
        self._queued: dict[tuple[str, str], _Queued] = {}
        self._unsaved: dict[tuple[str, str], _Queued] = {}
        self.recorded: list[Recorded] = []
        """Every change recorded so far, in order: a raw write joined to an ORM session reloads just these. The new
        records of record_inserts are only counted (in `inserted`): no session can hold a record before it exists,
        and an import of 50,000 rows would keep 150,000 of them here."""
        self.inserted = 0
        """How many new records record_inserts queued."""

    def client_id(self) -> str:
        """This database's client id, created on first use."""
        if self._node is None:
            row = self.execute("SELECT value FROM meta WHERE key = 'client_id'").fetchone()
            if row is None:
                self._node = str(uuid.uuid4())
                self.execute("INSERT INTO meta (key, value) VALUES ('client_id', ?)", (self._node,))
            else:
                self._node = row[0]
            row = self.execute("SELECT value FROM meta WHERE key = 'hlc'").fetchone()
            self._last = row[0] if row else None
        return self._node

    def record(self, kind: str, table: str, record_id: str, changes: dict[str, object]) -> None:
        """Queues one change of one record: kind insert/update/delete, changed fields and their values."""
        node = self.client_id()
        self.recorded.append((table, record_id, tuple(changes)))
        self._last = next_stamp(self._last, int(self.now.timestamp() * 1000), node)
        values = {name: json_value(value) for name, value in changes.items()}
        stamps = dict.fromkeys(values, self._last)
        key = (table, record_id)
        queued = self._queued.get(key)
        if queued is not None:
            # A record written twice in one transaction stays one mutation; its row is rewritten before the commit.
            queued.values.update(values)
            queued.stamps.update(stamps)
            if kind == "delete":
                queued.kind = kind
            self._unsaved[key] = queued
        else:
            # The stamps this client last saw for these fields: the server tells a real conflict by them.
            # A new record has none (its id was just made), so it needs no look-up.
            row = None if kind == "insert" else self.execute(
                "SELECT stamps FROM sync_stamp WHERE record_table = ? AND record_id = ?", (table, record_id)).fetchone()
            seen = json.loads(row[0]) if row else {}
            base = {name: seen[name] for name in values if name in seen}
            cursor = self.execute(
                "INSERT INTO outbox (mutation_id, client_id, kind, record_table, record_id, changes, stamps,"
                " format_version, created_at, state, base) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                (str(uuid.uuid4()), node, kind, table, record_id, json.dumps(values, ensure_ascii=False),
                 json.dumps(stamps), FORMAT_VERSION, to_db(self.now), json.dumps(base)),
            )
            self._queued[key] = _Queued(cursor.lastrowid, kind, values, stamps)
        self.execute(
            "INSERT INTO sync_stamp (record_table, record_id, stamps) VALUES (?, ?, ?) ON CONFLICT DO UPDATE"
            " SET stamps = json_patch(sync_stamp.stamps, excluded.stamps)",
            (table, record_id, json.dumps(stamps)),
        )
        self._clock_moved = True

    def record_inserts(self, records: list[tuple[str, str, dict[str, object], datetime]], executemany: Execute) -> None:
        """Queues the inserts of many new records at once, as record() would one by one: (table, id, values, the
        moment it was made) each, one mutation a record stamped at that moment (its outbox row holding the stamp
        once, see stamps_of). These mutations are final for the
        transaction: a later change of one of these records in it queues a mutation of its own."""
        node = self.client_id()
        # What repeats is made once: the moments (an import stages all its records at one), the stamps' text of a
        # table's fields (all of a new record's fields carry one stamp) and the fields' names, kept once for all.
        moments: dict[datetime, tuple[int, str | None]] = {}
        templates: dict[tuple[str, ...], tuple[tuple[str, ...], list[str]]] = {}
        texts: dict[object, object] = {}

        def json_text(value: object) -> object:
            text = texts.get(value)
            if text is None:
                text = texts[value] = json_value(value)
            return text

        # what json.dumps(values) gives (a record's values are flat: nothing to check for circles)
        encode = json.JSONEncoder(ensure_ascii=False, check_circular=False, default=json_text).encode
        quote = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
        marker = quote("\0stamp\0")
        last_millis, last_counter = parse_stamp(self._last)[:2] if self._last else (None, 0)
        randomness = os.urandom(16 * len(records)).hex()  # the mutation ids, as uuid4 makes them
        mutations: list[tuple[object, ...]] = []
        stamp_rows: list[tuple[str, str, str]] = []
        for index, (table, record_id, changes, at) in enumerate(records):
            names = tuple(changes)
            template = templates.get(names)
            if template is None:
                template = templates[names] = (names, json.dumps(dict.fromkeys(names, "\0stamp\0")).split(marker))
            moment = moments.get(at)
            if moment is None:
                moment = moments[at] = (int(at.timestamp() * 1000), to_db(at))
            if last_millis is None or moment[0] > last_millis:  # next_stamp: later than the clock and the last stamp
                last_millis, last_counter = moment[0], 0
            else:
                last_counter += 1
            stamp = quote(format_stamp(last_millis, last_counter, node))
            stamps = stamp.join(template[1])
            h = randomness[32 * index:32 * index + 32]
            mutation_id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
            # the outbox holds the one stamp of all the fields (stamps_of); the sync stamps, read field by field,
            # every field's
            mutations.append((mutation_id, node, "insert", table, record_id, encode(changes), stamp, FORMAT_VERSION,
                              moment[1], "{}"))
            stamp_rows.append((table, record_id, stamps))
        self.inserted += len(records)
        if records and last_millis is not None:
            self._last = format_stamp(last_millis, last_counter, node)
        executemany(
            "INSERT INTO outbox (mutation_id, client_id, kind, record_table, record_id, changes, stamps,"
            " format_version, created_at, state, base) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)", mutations)
        executemany(
            "INSERT INTO sync_stamp (record_table, record_id, stamps) VALUES (?, ?, ?) ON CONFLICT DO UPDATE"
            " SET stamps = json_patch(sync_stamp.stamps, excluded.stamps)", stamp_rows)
        self._clock_moved = self._clock_moved or bool(records)

    def save_clock(self) -> None:
        """Brings the rows of mutations changed again up to date and writes the clock's last stamp; the
        transaction calls it once, before it commits (not once a record)."""
        claim(self.execute, to_db(self.now))  # the history rows the triggers wrote get this transaction's action
        for queued in self._unsaved.values():
            self.execute(
                "UPDATE outbox SET kind = ?, changes = ?, stamps = ? WHERE seq = ?",
                (queued.kind, json.dumps(queued.values, ensure_ascii=False), json.dumps(queued.stamps), queued.seq),
            )
        self._unsaved.clear()
        if self._clock_moved:
            self.execute(
                "INSERT INTO meta (key, value) VALUES ('hlc', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (self._last,),
            )
            self._clock_moved = False
