"""The local copy's side of team sync: the outbox read in order, server rows written in, sync state.

Rows coming from the server are written without an outbox entry (they are the server's truth, not a
local change); fields the rep changed since the last push keep the local value until it is pushed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from crmtui.store.outbox import TABLE_ORDER, format_stamp, parse_stamp
from crmtui.store.raw import to_db

PUSH_BATCH = 50
"""Mutations sent in one call (DESIGN section 3: batches of at most ~50)."""

_columns: dict[str, dict[str, str]] = {}


def columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    """The local table's columns and declared types."""
    if table not in _columns:
        _columns[table] = {row[1]: row[2].upper() for row in conn.execute(f"PRAGMA table_info({table})")}
    return _columns[table]


# Outbox -------------------------------------------------------------------------------------------

def pending_batch(conn: sqlite3.Connection, limit: int = PUSH_BATCH) -> list[dict]:
    """The oldest pending mutations, in order, as the server's push function takes them."""
    rows = conn.execute(
        "SELECT seq, mutation_id, kind, record_table, record_id, changes, stamps, base, format_version"
        " FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        {"seq": seq, "mutation_id": mutation_id, "kind": kind, "table": table, "id": record_id,
         "changes": json.loads(changes), "stamps": json.loads(stamps), "base": json.loads(base or "{}"),
         "format": version}
        for seq, mutation_id, kind, table, record_id, changes, stamps, base, version in rows
    ]


def count_outbox(conn: sqlite3.Connection, state: str) -> int:
    return conn.execute("SELECT count(*) FROM outbox WHERE state = ?", (state,)).fetchone()[0]


def set_outcomes(conn: sqlite3.Connection, outcomes: Iterable[tuple[int, str, str | None]]) -> None:
    """Marks pushed mutations applied / superseded / rejected (with the server's reason)."""
    conn.executemany("UPDATE outbox SET state = ?, detail = ? WHERE seq = ?",
                     [(state, detail, seq) for seq, state, detail in outcomes])


def prune_outbox(conn: sqlite3.Connection) -> None:
    """Forgets acknowledged mutations, but never the newest row: its seq keeps the sequence rising."""
    conn.execute("DELETE FROM outbox WHERE state IN ('applied', 'superseded')"
                 " AND seq < (SELECT max(seq) FROM outbox)")


def pending_fields(conn: sqlite3.Connection) -> dict[tuple[str, str], set[str]]:
    """Fields changed here and not pushed yet, by record."""
    fields: dict[tuple[str, str], set[str]] = {}
    for table, record_id, changes in conn.execute(
        "SELECT record_table, record_id, changes FROM outbox WHERE state = 'pending'"
    ):
        fields.setdefault((table, record_id), set()).update(json.loads(changes))
    return fields


def rejected_mutations(conn: sqlite3.Connection) -> list[tuple[int, str, str, str, str, str | None, str]]:
    """Rejected mutations: seq, table, record id, kind, changes (JSON), reason, when."""
    return conn.execute(
        "SELECT seq, record_table, record_id, kind, changes, detail, created_at FROM outbox"
        " WHERE state = 'rejected' ORDER BY seq"
    ).fetchall()


def unsynced_customers(conn: sqlite3.Connection) -> set[str]:
    """Customers with changes the server has not taken (pending or rejected): a reconcile keeps them."""
    ids = {row[0] for row in conn.execute(
        "SELECT record_id FROM outbox WHERE state IN ('pending', 'rejected') AND record_table = 'customer'")}
    for (changes,) in conn.execute(
        "SELECT changes FROM outbox WHERE state IN ('pending', 'rejected') AND record_table <> 'customer'"
    ):
        customer = json.loads(changes).get("customer_id")
        if customer:
            ids.add(customer)
    return ids


# Rows from the server -----------------------------------------------------------------------------

def _local_value(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind == "DATETIME":
        return to_db(datetime.fromisoformat(str(value)))
    if kind == "BOOLEAN":
        return 1 if value else 0
    return value


def put_rows(conn: sqlite3.Connection, table: str, rows: list[dict],
             pending: dict[tuple[str, str], set[str]]) -> int:
    """Writes the server's rows of one table; fields with unpushed local changes keep the local value."""
    known = columns(conn, table)
    written = 0
    for row in rows:
        keep = pending.get((table, row["id"]), set())
        values = {name: _local_value(row[name], known[name]) for name in known if name in row}
        names = list(values)
        updates = [name for name in names if name != "id" and name not in keep]
        conn.execute(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            + (f" ON CONFLICT (id) DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in updates)}"
               if updates else " ON CONFLICT (id) DO NOTHING"),
            [values[name] for name in names],
        )
        stamps = dict(row.get("stamps") or {})
        if keep:
            old = conn.execute("SELECT stamps FROM sync_stamp WHERE record_table = ? AND record_id = ?",
                               (table, row["id"])).fetchone()
            local = json.loads(old[0]) if old else {}
            stamps.update({name: local[name] for name in keep if name in local})
        conn.execute(
            "INSERT INTO sync_stamp (record_table, record_id, stamps) VALUES (?, ?, ?)"
            " ON CONFLICT DO UPDATE SET stamps = excluded.stamps",
            (table, row["id"], json.dumps(stamps)),
        )
        written += 1
    return written


def drop_customers(conn: sqlite3.Connection, ids: Iterable[str]) -> int:
    """Removes customers that left this rep, with everything hanging off them (no outbox entry)."""
    ids = list(ids)
    if not ids:
        return 0
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS gone (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM gone")
    conn.executemany("INSERT OR IGNORE INTO gone VALUES (?)", [(i,) for i in ids])
    statements = [
        "DELETE FROM payment WHERE contract_id IN (SELECT id FROM contract WHERE customer_id IN gone)",
        "DELETE FROM contract WHERE customer_id IN gone",
        "DELETE FROM follow_up WHERE customer_id IN gone",
        "DELETE FROM deal_stage_change WHERE deal_id IN (SELECT id FROM deal WHERE customer_id IN gone)",
        "DELETE FROM deal WHERE customer_id IN gone",
        "DELETE FROM contact WHERE customer_id IN gone",
        "DELETE FROM customer_tag WHERE customer_id IN gone",
    ]
    for statement in statements:
        conn.execute(statement)
    removed = conn.execute("DELETE FROM customer WHERE id IN gone").rowcount
    conn.execute("DELETE FROM gone")
    return removed


def customer_ids(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT id FROM customer")}


def put_conflicts(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """Same-field conflicts the server recorded, as pulled."""
    conn.executemany(
        "INSERT OR REPLACE INTO sync_conflict (id, record_table, record_id, customer_id, field, kept_value,"
        " kept_by, lost_value, lost_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(r["id"], r["record_table"], r["record_id"], r.get("customer_id"), r["field"],
          json.dumps(r.get("kept_value"), ensure_ascii=False), r.get("kept_by"),
          json.dumps(r.get("lost_value"), ensure_ascii=False), r.get("lost_by"),
          to_db(datetime.fromisoformat(r["at"]))) for r in rows],
    )


def conflicts(conn: sqlite3.Connection) -> list[tuple]:
    """Conflicts newest first: id, table, record id, customer name, field, kept, kept by, lost, lost by, at."""
    return conn.execute(
        "SELECT k.id, k.record_table, k.record_id, c.name, k.field, k.kept_value, k.kept_by, k.lost_value,"
        " k.lost_by, k.at FROM sync_conflict k LEFT JOIN customer c ON c.id = k.customer_id ORDER BY k.id DESC"
    ).fetchall()


# Sync state ---------------------------------------------------------------------------------------

def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (key,))
    else:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (key, value))


def set_client_id(conn: sqlite3.Connection, client_id: str) -> None:
    """A new client id (a copied or restored file must not reuse the old one's sequence numbers)."""
    set_meta(conn, "client_id", client_id)
    conn.execute("UPDATE outbox SET client_id = ? WHERE state = 'pending'", (client_id,))


def receive_stamps(conn: sqlite3.Connection, stamps: Iterable[str]) -> None:
    """The HLC receive step: later local stamps sort after every stamp seen from the server."""
    newest = max(stamps, default=None)
    if newest is None:
        return
    current = get_meta(conn, "hlc")
    millis, counter, _ = parse_stamp(newest)
    if current is None or (millis, counter) > parse_stamp(current)[:2]:
        node = get_meta(conn, "client_id") or "0"
        set_meta(conn, "hlc", format_stamp(millis, counter, node))


def tables() -> tuple[str, ...]:
    """Synced tables, parents before children."""
    return TABLE_ORDER
