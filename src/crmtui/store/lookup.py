"""Finding the records a rep may mean by an id, a name, a fragment or pinyin (stdlib sqlite3 path).

The tiers of the reference rule (services/lookup.py) are computed here in one pass: an exact id
is looked up alone; otherwise every name that matches (a customer's own, its contacts', a deal's
title) gets its tier, and the records of the strongest tier come back, each once, at most `limit`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from crmtui.core import normalize
from crmtui.store.raw import like_pattern


@dataclass(frozen=True)
class CustomerRef:
    """Just enough of a customer to name it and act on it; `via_contact` names the contact it was found by."""

    id: str
    name: str
    status: str
    via_contact: str | None = None
    tier: int = 1
    """How strongly ref named it (see services/lookup.py): 1 an exact id, 2 an exact name, 3 a whole word, 4 a fragment."""


@dataclass(frozen=True)
class DealRef:
    """Just enough of a deal (and its customer) to name it and act on it."""

    id: str
    title: str
    stage: str
    customer_id: str
    customer_name: str
    via_contact: str | None = None


def id_prefix(ref: str) -> str | None:
    """A LIKE prefix for ids when ref could be one (4+ hex digits or dashes)."""
    lowered = ref.lower()
    if len(lowered) >= 4 and all(ch in "0123456789abcdef-" for ch in lowered):
        return lowered + "%"
    return None


def compact(text: str) -> str:
    """Case-folded letters and digits only: how a whole word or pinyin key is compared ("Zhang San" -> "zhangsan")."""
    return "".join(ch for ch in normalize.fold(text).casefold() if ch.isalnum())


def _has_word(name: str | None, word: str) -> bool:
    """Whether `word` (compact, case-folded) is a whole word of `name`: what is around it is not a letter or
    digit of the same script ("acme" in "Acme Tools", "Acme, Inc." and "Acme咖啡"; not in "Acmes")."""
    if not name:
        return False
    text = name.casefold() if name.isascii() else normalize.fold(name).casefold()
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        if _boundary(text, start - 1, start) and _boundary(text, end, end - 1):
            return True
        start = text.find(word, start + 1)
    return False


def _boundary(text: str, outside: int, inside: int) -> bool:
    """Whether the character at `outside` (next to the word's character at `inside`) ends the word."""
    if outside < 0 or outside >= len(text) or not text[outside].isalnum():
        return True
    return normalize.is_cjk_char(text[outside]) != normalize.is_cjk_char(text[inside])


def _connect_functions(connection: sqlite3.Connection) -> None:
    connection.create_function("crm_has_word", 2, _has_word, deterministic=True)


class _Query:
    """The SQL pieces of one reference: which names match it, and at which tier (see services/lookup.py):
    2 an exact name, 3 a whole word or pinyin key, 4 a fragment (or an id prefix)."""

    def __init__(self, ref: str, limit: int) -> None:
        word = compact(ref)
        # ESCAPE only when the reference holds a LIKE wildcard: it doubles the cost of every comparison.
        self.escape = " ESCAPE '\\'" if any(ch in ref for ch in "%_\\") else ""
        self.values: dict[str, object] = {
            "key": normalize.name_key(ref) or None,
            "word": word,
            "word_key": like_pattern(f" {word} ") if word else None,
            "word_like": like_pattern(word) if word else None,
            "fragment": like_pattern(ref),
            "id_prefix": id_prefix(ref),
            "ref": ref,
            "limit": limit,
        }
        self.other_word = bool(word) and word != ref.casefold()

    def _like(self, column: str, param: str) -> str:
        return f"{column} LIKE :{param}{self.escape}"

    def branch(self, rid: str, own: int, name: str, key: str, pinyin: str, source: str) -> str:
        """One SELECT of matching names with their tier, from `source` (FROM ... WHERE live ...)."""
        tier = (f"CASE WHEN {key} = :key THEN 2"
                f" WHEN ' ' || {pinyin} || ' ' LIKE :word_key{self.escape}"
                f" OR ({self._like(name, 'word_like')} AND (' ' || {name} || ' ' LIKE :word_key{self.escape}"
                f" OR crm_has_word({name}, :word))) THEN 3 ELSE 4 END")
        matches = [f"{key} = :key", self._like(name, "fragment"), self._like(pinyin, "fragment")]
        if self.other_word:
            matches.append(self._like(pinyin, "word_like"))  # "zhang san" is the key "zhangsan"
        if own and self.values["id_prefix"]:
            matches.append(f"{rid} LIKE :id_prefix")
        # score: the tier, strongest highest, with whether the record's own name matched in the low bit;
        # via: a contact's name behind its tier digit, so the smallest is a contact of the strongest tier.
        via = "NULL" if own else f"({tier}) || ':' || {name}"
        return (f"SELECT {rid} AS rid, (5 - ({tier})) * 2 + {own} AS score, {via} AS via"
                f" FROM {source} AND ({' OR '.join(matches)})")

    def best(self, branches: list[str], select: str, order: str) -> str:
        """The records of the strongest tier among the matching names, one row each: `own` true when the
        record's own name (not only a contact's) matched at that tier, `via` a contact's name that did."""
        return (
            f"WITH grouped AS (SELECT rid, max(score) AS score, min(via) AS via FROM ({' UNION ALL '.join(branches)})"
            " GROUP BY rid),"
            " best AS (SELECT rid, score % 2 AS own, substr(via, 3) AS via, 5 - score / 2 AS tier FROM grouped"
            " WHERE score / 2 = (SELECT max(score) / 2 FROM grouped))"
            f" {select} ORDER BY {order} LIMIT :limit"
        )


def find_customer_by_id(connection: sqlite3.Connection, ref: str,
                        statuses: tuple[str, ...] | None = None) -> list[CustomerRef]:
    """The live customer (of `statuses`) whose whole id is ref."""
    status_sql = f" AND status IN ({', '.join('?' * len(statuses))})" if statuses else ""
    rows = connection.execute(f"SELECT id, name, status FROM customer WHERE id = ? AND deleted_at IS NULL{status_sql}",
                              (ref, *(statuses or ()))).fetchall()
    return [CustomerRef(*row) for row in rows]


def find_customers(connection: sqlite3.Connection, ref: str, statuses: tuple[str, ...] | None = None,
                   limit: int = 20) -> list[CustomerRef]:
    """Live customers (of `statuses`) of the strongest tier below the exact id that ref matches, by name."""
    _connect_functions(connection)
    query = _Query(ref, limit)
    status_sql = ""
    if statuses:
        status_sql = " AND c.status IN (" + ", ".join(f":status{i}" for i in range(len(statuses))) + ")"
        query.values.update({f"status{i}": status for i, status in enumerate(statuses)})
    branches = [
        query.branch("c.id", 1, "c.name", "c.name_key", "c.pinyin", f"customer c WHERE c.deleted_at IS NULL{status_sql}"),
        query.branch("c.id", 0, "k.name", "k.name_key", "k.pinyin", "contact k JOIN customer c ON c.id = k.customer_id"
                     f" WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL{status_sql}"),
    ]
    select = "SELECT c.id, c.name, c.status, b.own, b.via, b.tier FROM best b JOIN customer c ON c.id = b.rid"
    rows = connection.execute(query.best(branches, select, "c.name, c.id"), query.values).fetchall()
    return [CustomerRef(cid, name, status, None if own else via, tier) for cid, name, status, own, via, tier in rows]


def find_deal_by_id(connection: sqlite3.Connection, ref: str) -> list[DealRef]:
    """The live deal whose whole id is ref."""
    rows = connection.execute(
        "SELECT d.id, d.title, d.stage, c.id, c.name FROM deal d JOIN customer c ON c.id = d.customer_id"
        " WHERE d.id = ? AND d.deleted_at IS NULL AND c.deleted_at IS NULL", (ref,)).fetchall()
    return [DealRef(*row) for row in rows]


def find_deals_titled(connection: sqlite3.Connection, ref: str, limit: int = 20, *,
                      part: bool = False) -> list[DealRef]:
    """Live deals whose whole title is ref in any case (or, with part, whose title holds it)."""
    condition = "lower(d.title) LIKE lower(?) ESCAPE '\\'" if part else "lower(d.title) = lower(?)"
    rows = connection.execute(
        "SELECT d.id, d.title, d.stage, c.id, c.name FROM deal d JOIN customer c ON c.id = d.customer_id"
        f" WHERE {condition} AND d.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY c.name LIMIT ?",
        (like_pattern(ref) if part else ref, limit)).fetchall()
    return [DealRef(*row) for row in rows]


def find_deals(connection: sqlite3.Connection, ref: str, limit: int = 20) -> list[DealRef]:
    """Live deals of the strongest tier below the exact id that ref matches: by title or id prefix, or by
    their customer's or its contacts' names and pinyin."""
    _connect_functions(connection)
    query = _Query(ref, limit)
    deals = "deal d JOIN customer c ON c.id = d.customer_id"
    live = "WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL"
    branches = [
        # A title has no stored key: one that equals the reference but for case is an exact name.
        query.branch("d.id", 1, "d.title", "(CASE WHEN lower(d.title) = lower(:ref) THEN :key END)", "''",
                     f"{deals} {live}"),
        query.branch("d.id", 1, "c.name", "c.name_key", "c.pinyin", f"{deals} {live}"),
        query.branch("d.id", 0, "k.name", "k.name_key", "k.pinyin",
                     f"{deals} JOIN contact k ON k.customer_id = c.id {live} AND k.deleted_at IS NULL"),
    ]
    select = ("SELECT d.id, d.title, d.stage, c.id, c.name, b.own, b.via FROM best b JOIN deal d ON d.id = b.rid"
              " JOIN customer c ON c.id = d.customer_id")
    rows = connection.execute(query.best(branches, select, "c.name, d.title, d.id"), query.values).fetchall()
    return [DealRef(did, title, stage, cid, cname, None if own else via)
            for did, title, stage, cid, cname, own, via in rows]


def owners(connection: sqlite3.Connection, customer_ids: list[str]) -> dict[str, str | None]:
    """Whose each customer is (team mode)."""
    found: dict[str, str | None] = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start:start + 500]
        found.update(connection.execute(
            f"SELECT id, owner FROM customer WHERE id IN ({', '.join('?' * len(chunk))})", chunk).fetchall())
    return found
