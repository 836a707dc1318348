"""What an import reads of the book before it writes: every live customer's and contact's duplicate keys, read
once (a look-up a row would cost 10,000 queries on a large file), and whether a customer already has a note."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import NamedTuple


class KeyRow(NamedTuple):
    """The keys `crm add` checks for a duplicate, of one live customer (contact None) or one of its live contacts."""

    customer_id: str
    customer_name: str
    contact_id: str | None
    contact_name: str | None
    name_key: str | None
    phone_key: str | None
    email_key: str | None


def duplicate_keys(connection: sqlite3.Connection) -> Iterator[KeyRow]:
    """Every live customer's keys, then every live contact's of a live customer, each oldest first (the first match
    is the one find_duplicate names)."""
    yield from (KeyRow(*row) for row in connection.execute(
        "SELECT id, name, NULL, NULL, name_key, phone_key, email_key FROM customer"
        " WHERE deleted_at IS NULL ORDER BY created_at"))
    yield from (KeyRow(*row) for row in connection.execute(
        "SELECT c.id, c.name, t.id, t.name, t.name_key, t.phone_key, t.email_key FROM contact t"
        " JOIN customer c ON c.id = t.customer_id WHERE t.deleted_at IS NULL AND c.deleted_at IS NULL"
        " ORDER BY t.created_at"))


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
