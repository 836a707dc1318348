"""Finding the record a rep means by an id prefix, a name fragment or pinyin initials (stdlib sqlite3 path)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from crmtui.store.raw import like_pattern


@dataclass(frozen=True)
class CustomerRef:
    """Just enough of a customer to name it and act on it."""

    id: str
    name: str
    status: str


@dataclass(frozen=True)
class DealRef:
    """Just enough of a deal (and its customer) to name it and act on it."""

    id: str
    title: str
    stage: str
    customer_id: str
    customer_name: str


def _id_prefix(ref: str) -> str | None:
    """A LIKE prefix for ids when ref could be one (4+ hex digits or dashes)."""
    lowered = ref.lower()
    if len(lowered) >= 4 and all(ch in "0123456789abcdef-" for ch in lowered):
        return lowered + "%"
    return None


def find_customers(connection: sqlite3.Connection, ref: str, limit: int = 20) -> list[CustomerRef]:
    """Live customers that ref names. An exact id or an exact name wins alone ("Acme" beats "Acme East")."""
    live = "deleted_at IS NULL"
    for condition, params in (
        ("id = ?", (ref,)),
        ("lower(name) = lower(?)", (ref,)),
        # A whole pinyin key ("zs", "zhangsan") beats a fragment of one ("zs" inside "hzss").
        ("' ' || pinyin || ' ' LIKE ? ESCAPE '\\'", (like_pattern(f" {ref.lower()} "),)),
    ):
        rows = connection.execute(
            f"SELECT id, name, status FROM customer WHERE {live} AND {condition} ORDER BY name LIMIT ?", (*params, limit)
        ).fetchall()
        if rows:
            return [CustomerRef(*row) for row in rows]
    pattern = like_pattern(ref)
    conditions = ["name LIKE ? ESCAPE '\\'", "pinyin LIKE ? ESCAPE '\\'"]
    params: list[object] = [pattern, pattern]
    prefix = _id_prefix(ref)
    if prefix:
        conditions.append("id LIKE ?")
        params.append(prefix)
    rows = connection.execute(
        f"SELECT id, name, status FROM customer WHERE {live} AND ({' OR '.join(conditions)}) ORDER BY name LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [CustomerRef(*row) for row in rows]


def find_deals(connection: sqlite3.Connection, ref: str, limit: int = 20) -> list[DealRef]:
    """Live deals that ref names by id, title, or their customer's name or pinyin."""
    base = (
        "SELECT d.id, d.title, d.stage, c.id, c.name FROM deal d JOIN customer c ON c.id = d.customer_id"
        " WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL AND "
    )
    for condition, params in (("d.id = ?", (ref,)), ("lower(d.title) = lower(?)", (ref,))):
        rows = connection.execute(base + condition + " ORDER BY c.name LIMIT ?", (*params, limit)).fetchall()
        if rows:
            return [DealRef(*row) for row in rows]
    pattern = like_pattern(ref)
    conditions = ["d.title LIKE ? ESCAPE '\\'", "c.name LIKE ? ESCAPE '\\'", "c.pinyin LIKE ? ESCAPE '\\'"]
    params = [pattern, pattern, pattern]
    prefix = _id_prefix(ref)
    if prefix:
        conditions.append("d.id LIKE ?")
        params.append(prefix)
    rows = connection.execute(
        base + f"({' OR '.join(conditions)}) ORDER BY c.name, d.title LIMIT ?", (*params, limit)
    ).fetchall()
    return [DealRef(*row) for row in rows]


def owners(connection: sqlite3.Connection, customer_ids: list[str]) -> dict[str, str | None]:
    """Whose each customer is (team mode)."""
    found: dict[str, str | None] = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start:start + 500]
        found.update(connection.execute(
            f"SELECT id, owner FROM customer WHERE id IN ({', '.join('?' * len(chunk))})", chunk).fetchall())
    return found
