"""Finding the records a rep may mean by an id, a name, a fragment or pinyin (stdlib sqlite3 path).

The queries here only gather candidates, each with the name that matched (the customer's own
name, one of its contacts, or a deal's title); deciding which candidate wins is the service's rule.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from crmtui.store.raw import like_pattern


@dataclass(frozen=True)
class CustomerRef:
    """Just enough of a customer to name it and act on it; `via_contact` names the contact it was found by."""

    id: str
    name: str
    status: str
    via_contact: str | None = None


@dataclass(frozen=True)
class DealRef:
    """Just enough of a deal (and its customer) to name it and act on it."""

    id: str
    title: str
    stage: str
    customer_id: str
    customer_name: str
    via_contact: str | None = None


@dataclass(frozen=True)
class NameHit:
    """One name that a reference may have meant, and the record it leads to.

    `source` is "customer" (the customer's own name), "contact" (one of its contacts) or "title"
    (a deal's title); `key` is the stored normalised name (None for titles), `pinyin` the stored
    search keys ("zhangsan zs zhang san")."""

    record_id: str
    source: str
    name: str
    key: str | None
    pinyin: str


def id_prefix(ref: str) -> str | None:
    """A LIKE prefix for ids when ref could be one (4+ hex digits or dashes)."""
    lowered = ref.lower()
    if len(lowered) >= 4 and all(ch in "0123456789abcdef-" for ch in lowered):
        return lowered + "%"
    return None


def customer_hits(
    connection: sqlite3.Connection, ref: str, key: str | None
) -> tuple[dict[str, CustomerRef], list[NameHit]]:
    """Live customers whose id, name, pinyin or normalised name (`key`), or a live contact's, contain ref.

    Returns the customers by id and every name that matched."""
    pattern = like_pattern(ref)
    prefix = id_prefix(ref)
    rows = connection.execute(
        "SELECT id, name, status, 'customer', name, name_key, pinyin FROM customer"
        " WHERE deleted_at IS NULL AND (id = ? OR id LIKE ? OR name LIKE ? ESCAPE '\\'"
        " OR pinyin LIKE ? ESCAPE '\\' OR name_key = ?)"
        " UNION ALL"
        " SELECT c.id, c.name, c.status, 'contact', k.name, k.name_key, k.pinyin FROM contact k"
        " JOIN customer c ON c.id = k.customer_id WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL"
        " AND (k.name LIKE ? ESCAPE '\\' OR k.pinyin LIKE ? ESCAPE '\\' OR k.name_key = ?)",
        (ref, prefix, pattern, pattern, key, pattern, pattern, key),
    ).fetchall()
    customers: dict[str, CustomerRef] = {}
    hits: list[NameHit] = []
    for customer_id, name, status, source, hit_name, hit_key, pinyin in rows:
        customers[customer_id] = CustomerRef(customer_id, name, status)
        hits.append(NameHit(customer_id, source, hit_name, hit_key, pinyin or ""))
    return customers, hits


def deal_hits(connection: sqlite3.Connection, ref: str, key: str | None) -> tuple[dict[str, DealRef], list[NameHit]]:
    """Live deals whose id or title contain ref, or whose customer (or one of its contacts) does by name or pinyin.

    Returns the deals by id and every name that matched."""
    pattern = like_pattern(ref)
    prefix = id_prefix(ref)
    select = "SELECT d.id, d.title, d.stage, c.id, c.name, "
    live = " WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL AND "
    rows = connection.execute(
        select + "'title', d.title, NULL, '' FROM deal d JOIN customer c ON c.id = d.customer_id"
        + live + "(d.id = ? OR d.id LIKE ? OR d.title LIKE ? ESCAPE '\\')"
        " UNION ALL "
        + select + "'customer', c.name, c.name_key, c.pinyin FROM deal d JOIN customer c ON c.id = d.customer_id"
        + live + "(c.name LIKE ? ESCAPE '\\' OR c.pinyin LIKE ? ESCAPE '\\' OR c.name_key = ?)"
        " UNION ALL "
        + select + "'contact', k.name, k.name_key, k.pinyin FROM deal d JOIN customer c ON c.id = d.customer_id"
        " JOIN contact k ON k.customer_id = c.id"
        + live + "k.deleted_at IS NULL AND (k.name LIKE ? ESCAPE '\\' OR k.pinyin LIKE ? ESCAPE '\\' OR k.name_key = ?)",
        (ref, prefix, pattern, pattern, pattern, key, pattern, pattern, key),
    ).fetchall()
    deals: dict[str, DealRef] = {}
    hits: list[NameHit] = []
    for deal_id, title, stage, customer_id, customer_name, source, hit_name, hit_key, pinyin in rows:
        deals[deal_id] = DealRef(deal_id, title, stage, customer_id, customer_name)
        hits.append(NameHit(deal_id, source, hit_name, hit_key, pinyin or ""))
    return deals, hits


def owners(connection: sqlite3.Connection, customer_ids: list[str]) -> dict[str, str | None]:
    """Whose each customer is (team mode)."""
    found: dict[str, str | None] = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start:start + 500]
        found.update(connection.execute(
            f"SELECT id, owner FROM customer WHERE id IN ({', '.join('?' * len(chunk))})", chunk).fetchall())
    return found
