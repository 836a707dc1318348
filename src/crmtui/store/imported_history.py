"""What an import of another system's history reads of the book before it writes: the deals it already brought in
(by their customer and foreign id, or by customer, title and opening day), read once, and one deal's stored
fields. A foreign id is another system's, and two files (or two systems) may use the same one for different
customers' deals: it only recognises a deal of the same customer."""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from crmtui.core import normalize


class DealKey(NamedTuple):
    """A deal of the book an imported row may be: its id, customer and stage."""

    id: str
    customer_id: str
    stage: str


def deal_keys(connection: sqlite3.Connection) -> dict[tuple[str, ...], list[DealKey]]:
    """Every live deal by ("id", customer, external id) when it has one, and by ("row", customer, normalised title,
    the moment it was opened, or "" for a row that gives none) for a file without ids: what recognises a row
    imported before. Several deals may share a key (two deals of one title, no opening day given), oldest first."""
    keys: dict[tuple[str, ...], list[DealKey]] = {}
    for deal_id, customer_id, title, stage, external_id, opened in connection.execute(
            "SELECT d.id, d.customer_id, d.title, d.stage, d.external_id,"
            " (SELECT min(s.at) FROM deal_stage_change s WHERE s.deal_id = d.id AND s.deleted_at IS NULL)"
            " FROM deal d WHERE d.deleted_at IS NULL ORDER BY d.created_at, d.id"):
        found = DealKey(deal_id, customer_id, stage)
        if external_id:
            keys.setdefault(("id", customer_id, external_id), []).append(found)
        title_key = normalize.name_key(title) or title
        keys.setdefault(("row", customer_id, title_key, opened or ""), []).append(found)
        if opened:
            keys.setdefault(("row", customer_id, title_key, ""), []).append(found)  # a row that gives no opening day
    return keys


def deal_values(connection: sqlite3.Connection, deal_id: str) -> dict[str, Any] | None:
    """A deal's stored columns by name (None when it is not in the book)."""
    cursor = connection.execute("SELECT * FROM deal WHERE id = ?", (deal_id,))
    row = cursor.fetchone()
    return None if row is None else dict(zip([c[0] for c in cursor.description], row, strict=True))


def follow_up_seen(connection: sqlite3.Connection, customer_id: str, at: str, notes: str,
                   external_id: str | None) -> bool:
    """Whether the book holds this follow-up already: the customer's live follow-up with the same foreign id (or
    whose own id it is: crmtui's export read back into its book), or at that moment with the same notes."""
    if external_id is not None:
        return connection.execute(
            "SELECT 1 FROM follow_up WHERE customer_id = ? AND (external_id = ? OR id = ?) AND deleted_at IS NULL"
            " LIMIT 1", (customer_id, external_id, external_id)).fetchone() is not None
    return connection.execute(
        "SELECT 1 FROM follow_up WHERE customer_id = ? AND at = ? AND notes = ? AND deleted_at IS NULL LIMIT 1",
        (customer_id, at, notes)).fetchone() is not None
