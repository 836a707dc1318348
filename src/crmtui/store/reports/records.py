"""The records behind a report's number, read by their ids (the Drill of a row, a bar or a figure)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

CHUNK = 500
"""Ids asked in one statement (SQLite limits the parameters of one statement)."""


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _rows(connection: sqlite3.Connection, sql: str, ids: Sequence[str]) -> dict[str, tuple[object, ...]]:
    """Rows by their first column (the record's id), read in chunks of ids."""
    found: dict[str, tuple[object, ...]] = {}
    for part in _chunks(ids):
        marks = ",".join("?" * len(part))
        for row in connection.execute(sql.format(marks=marks), tuple(part)):
            found[row[0]] = tuple(row)
    return found


def deals(connection: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[object, ...]]:
    """(id, title, customer id, customer name, stage, amount cents, stage entered at) of the deals not deleted."""
    return _rows(connection, (
        "SELECT d.id, d.title, c.id, c.name, d.stage, d.amount_cents, d.stage_entered_at FROM deal d"
        " JOIN customer c ON c.id = d.customer_id WHERE d.deleted_at IS NULL AND d.id IN ({marks})"), ids)


def customers(connection: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[object, ...]]:
    """(id, name, status, tier, last contact at) of the customers not deleted."""
    return _rows(connection, (
        "SELECT id, name, status, tier, last_contact_at FROM customer"
        " WHERE deleted_at IS NULL AND id IN ({marks})"), ids)


def follow_ups(connection: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[object, ...]]:
    """(id, goal, customer id, customer name, channel, deal id, at) of the follow-ups not deleted."""
    return _rows(connection, (
        "SELECT f.id, f.goal, c.id, c.name, f.channel, f.deal_id, f.at FROM follow_up f"
        " JOIN customer c ON c.id = f.customer_id WHERE f.deleted_at IS NULL AND f.id IN ({marks})"), ids)


def payments(connection: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[object, ...]]:
    """(id, contract number, customer id, customer name, deal id, amount cents, due on, paid on) of the
    instalments not deleted."""
    return _rows(connection, (
        "SELECT p.id, k.number, c.id, c.name, k.deal_id, p.amount_cents, p.due_on, p.paid_on FROM payment p"
        " JOIN contract k ON k.id = p.contract_id JOIN customer c ON c.id = k.customer_id"
        " WHERE p.deleted_at IS NULL AND p.id IN ({marks})"), ids)
