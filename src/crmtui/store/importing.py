"""What an import reads of the book as it goes: the record that already holds a duplicate key (phone, email or
normalised name), looked up by the store's own indexes, so that a row is checked against the book and every record
the run has written without holding their keys in memory; and whether a customer already has a note.

A dry run writes nothing: the keys of the records it would have added are kept in a temporary table of its own
connection (import_key), dropped with it, which the same look-ups read after the book."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import NamedTuple


class KeyRow(NamedTuple):
    """The record holding a key: a live customer (contact None) or one of its live contacts."""

    customer_id: str
    customer_name: str
    contact_id: str | None
    contact_name: str | None


REASONS = ("phone", "email", "name")
"""The duplicate reasons, in the order `crm add` checks them; each is looked up in the column `<reason>_key`."""

_OWNER = {reason: (
    # the oldest live customer with the key, else the oldest live contact of a live customer (find_duplicate's order)
    f"SELECT * FROM (SELECT id, name, NULL, NULL FROM customer WHERE {reason}_key = ?1 AND deleted_at IS NULL"
    f" ORDER BY created_at, rowid LIMIT 1) UNION ALL SELECT * FROM (SELECT c.id, c.name, t.id, t.name FROM contact t"
    f" JOIN customer c ON c.id = t.customer_id WHERE t.{reason}_key = ?1 AND t.deleted_at IS NULL"
    f" AND c.deleted_at IS NULL ORDER BY t.created_at, t.rowid LIMIT 1) LIMIT 1") for reason in REASONS}
_CONTACT = {reason: (
    f"SELECT t.customer_id, c.name, t.id, t.name FROM contact t JOIN customer c ON c.id = t.customer_id"
    f" WHERE t.customer_id = ? AND t.{reason}_key = ? AND t.deleted_at IS NULL AND c.deleted_at IS NULL"
    f" ORDER BY t.created_at, t.rowid LIMIT 1") for reason in REASONS}


def key_owner(connection: sqlite3.Connection, reason: str, key: str) -> KeyRow | None:
    """The record of the book that holds this key first: a customer before a contact, the oldest first."""
    row = connection.execute(_OWNER[reason], (key,)).fetchone()
    return KeyRow(*row) if row else None


def contact_key_owner(connection: sqlite3.Connection, customer_id: str, reason: str, key: str) -> KeyRow | None:
    """The oldest live contact of this customer holding this key."""
    row = connection.execute(_CONTACT[reason], (customer_id, key)).fetchone()
    return KeyRow(*row) if row else None


def held_keys(connection: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """(reason, key) of every key a customer or contact of the book holds, deleted or not, read as a stream."""
    for table in ("customer", "contact"):
        for row in connection.execute(f"SELECT phone_key, email_key, name_key FROM {table}"):  # noqa: S608
            for reason, key in zip(REASONS, row, strict=True):
                if key:
                    yield reason, key


def customer_named(connection: sqlite3.Connection, name_key: str) -> tuple[str, str] | None:
    """The oldest live customer with this normalised name: (id, name)."""
    row = connection.execute("SELECT id, name FROM customer WHERE name_key = ? AND deleted_at IS NULL"
                             " ORDER BY created_at, rowid LIMIT 1", (name_key,)).fetchone()
    return (row[0], row[1]) if row else None


class HeldKey(NamedTuple):
    """A key of a record a dry run would add, kept in its temporary table: what a look-up returns for it."""

    reason: str
    key: str
    customer_id: str
    label: str
    contact_id: str | None
    """None: the customer's own key."""


def keep_keys(connection: sqlite3.Connection, keys: Iterable[HeldKey]) -> None:
    """Adds keys to the connection's temporary table (made on first use), after those kept before."""
    connection.execute("CREATE TEMP TABLE IF NOT EXISTS import_key (seq INTEGER PRIMARY KEY, reason TEXT NOT NULL,"
                       " key TEXT NOT NULL, customer_id TEXT NOT NULL, label TEXT NOT NULL, contact_id TEXT)")
    connection.execute("CREATE INDEX IF NOT EXISTS temp.ix_import_key ON import_key (reason, key)")
    connection.executemany("INSERT INTO temp.import_key (reason, key, customer_id, label, contact_id)"
                           " VALUES (?, ?, ?, ?, ?)", keys)


def kept_owner(connection: sqlite3.Connection, reason: str, key: str, customer_id: str | None = None,
               customer_only: bool = False) -> HeldKey | None:
    """The first kept key of this reason and text: of any record; of a contact of `customer_id` when given; of a
    customer itself with customer_only. Only after keep_keys (the table is made there)."""
    where = "reason = ? AND key = ?"
    args: tuple[str, ...] = (reason, key)
    if customer_id is not None:
        where += " AND customer_id = ? AND contact_id IS NOT NULL"
        args += (customer_id,)
    elif customer_only:
        where += " AND contact_id IS NULL"
    row = connection.execute(f"SELECT reason, key, customer_id, label, contact_id FROM temp.import_key"  # noqa: S608
                             f" WHERE {where} ORDER BY seq LIMIT 1", args).fetchone()
    return HeldKey(*row) if row else None


def keep_customers(connection: sqlite3.Connection, customers: Iterable[tuple[str, str]]) -> None:
    """Keeps (id, what a merge looks at, as JSON) of customers a dry run would add, in a temporary table of the
    connection (made on first use); a customer kept again replaces what was kept."""
    connection.execute("CREATE TEMP TABLE IF NOT EXISTS import_customer (id TEXT PRIMARY KEY, fields TEXT NOT NULL)")
    connection.executemany("INSERT OR REPLACE INTO temp.import_customer (id, fields) VALUES (?, ?)", customers)


def kept_customer(connection: sqlite3.Connection, customer_id: str) -> str | None:
    """What keep_customers kept of a customer (None: not one the dry run kept; only after a keep_keys)."""
    try:
        row = connection.execute("SELECT fields FROM temp.import_customer WHERE id = ?", (customer_id,)).fetchone()
    except sqlite3.OperationalError:  # no customer kept yet (a batch of contacts only)
        return None
    return row[0] if row else None


def has_note(connection: sqlite3.Connection, customer_id: str, notes: str) -> bool:
    """Whether the customer's notes hold this text (an imported note already brought in), or a live follow-up has
    exactly these notes (where imports before customers had notes put it)."""
    return connection.execute(
        "SELECT 1 FROM customer WHERE id = ? AND instr(coalesce(notes, ''), ?) > 0 UNION ALL"
        " SELECT 1 FROM follow_up WHERE customer_id = ? AND notes = ? AND deleted_at IS NULL LIMIT 1",
        (customer_id, notes, customer_id, notes)).fetchone() is not None


def notes_length(connection: sqlite3.Connection, customer_id: str) -> int:
    """How many characters the customer's notes hold (0 for none): what an import may still add to them."""
    row = connection.execute("SELECT length(coalesce(notes, '')) FROM customer WHERE id = ?", (customer_id,)).fetchone()
    return int(row[0]) if row else 0
