"""The local copy's side of team sync: the outbox read in order, server rows written in, sync state.

Rows coming from the server are written without an outbox entry (they are the server's truth, not a
local change); fields the rep changed since the last push keep the local value until it is pushed.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from crmtui.core.normalize import phone_key
from crmtui.store import history
from crmtui.store.follow_ups import current
from crmtui.store.outbox import DERIVED_FIELDS, FORMAT_VERSION, TABLE_ORDER, format_stamp, parse_stamp, stamps_of
from crmtui.store.raw import to_db

PUSH_BATCH = 50
"""Mutations sent in one call (docs/sync.md: batches of at most ~50)."""

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
         "changes": json.loads(changes), "stamps": stamps_of(stamps, changes), "base": json.loads(base or "{}"),
         "format": version}
        for seq, mutation_id, kind, table, record_id, changes, stamps, base, version in rows
    ]


def mutation_table(conn: sqlite3.Connection, seq: int) -> str:
    return conn.execute("SELECT record_table FROM outbox WHERE seq = ?", (seq,)).fetchone()[0]


def pending_seqs(conn: sqlite3.Connection) -> list[int]:
    return [row[0] for row in conn.execute("SELECT seq FROM outbox WHERE state = 'pending' ORDER BY seq")]


def last_acknowledged(conn: sqlite3.Connection) -> int:
    """The highest change the server answered (the outbox always keeps its newest row)."""
    return conn.execute("SELECT coalesce(max(seq), 0) FROM outbox WHERE state <> 'pending'").fetchone()[0]


def count_outbox(conn: sqlite3.Connection, state: str) -> int:
    return conn.execute("SELECT count(*) FROM outbox WHERE state = ?", (state,)).fetchone()[0]


def set_outcomes(conn: sqlite3.Connection, outcomes: Iterable[tuple[int, str, str | None]]) -> None:
    """Marks pushed mutations applied / superseded / rejected (with the server's reason)."""
    conn.executemany("UPDATE outbox SET state = ?, detail = ? WHERE seq = ?",
                     [(state, detail, seq) for seq, state, detail in outcomes])


def prune_outbox(conn: sqlite3.Connection) -> None:
    """Forgets acknowledged (and dismissed) mutations, but never the newest row: its seq keeps the sequence
    rising."""
    conn.execute("DELETE FROM outbox WHERE state IN ('applied', 'superseded', 'dismissed')"
                 " AND seq < (SELECT max(seq) FROM outbox)")
    conn.execute("DELETE FROM meta WHERE key LIKE 'rejected_customer.%' AND CAST(substr(key, 19) AS INTEGER)"
                 " NOT IN (SELECT seq FROM outbox WHERE state = 'rejected')")
    conn.execute("DELETE FROM meta WHERE key LIKE 'rejected_whereabouts.%' AND CAST(substr(key, 22) AS INTEGER)"
                 " NOT IN (SELECT seq FROM outbox WHERE state = 'rejected')")
    # A conflict's customer name is kept while a conflict names that customer and the customer is not here.
    conn.execute("DELETE FROM meta WHERE key LIKE 'conflict_customer.%' AND (substr(key, 19) NOT IN"
                 " (SELECT customer_id FROM sync_conflict WHERE customer_id IS NOT NULL)"
                 " OR substr(key, 19) IN (SELECT id FROM customer))")


_CUSTOMER_OF = {
    "deal_stage_change": ("deal", "deal_id"), "payment": ("contract", "contract_id"),
    "ticket_event": ("ticket", "ticket_id"),
}


def customer_of_change(conn: sqlite3.Connection, table: str, record_id: str, changes: dict) -> str | None:
    if table == "customer":
        return record_id
    if changes.get("customer_id"):
        return str(changes["customer_id"])
    if table in _CUSTOMER_OF:
        parent, column = _CUSTOMER_OF[table]
        parent_id = changes.get(column) or next(iter(conn.execute(
            f"SELECT {column} FROM {table} WHERE id = ?", (record_id,)).fetchone() or ()), None)
        found = conn.execute(f"SELECT customer_id FROM {parent} WHERE id = ?", (parent_id,)).fetchone()
        return found[0] if found else None
    found = conn.execute(f"SELECT customer_id FROM {table} WHERE id = ?", (record_id,)).fetchone()
    return found[0] if found else None


def customer_name(conn: sqlite3.Connection, customer_id: str | None) -> str | None:
    if not customer_id:
        return None
    found = conn.execute("SELECT name FROM customer WHERE id = ?", (customer_id,)).fetchone()
    return found[0] if found else None


def remember_rejected_customers(conn: sqlite3.Connection, seqs: Iterable[int]) -> None:
    """Keeps the name of each rejected change's customer with it, while this laptop still has the customer."""
    for seq in seqs:
        found = conn.execute("SELECT record_table, record_id, changes FROM outbox WHERE seq = ?", (seq,)).fetchone()
        if found is None:
            continue
        name = customer_name(conn, customer_of_change(conn, found[0], found[1], json.loads(found[2])))
        if name is not None:
            set_meta(conn, f"rejected_customer.{seq}", name)


def rejected_customers(conn: sqlite3.Connection) -> dict[int, str]:
    """The customer's name kept with each rejected change."""
    return {int(key.split(".", 1)[1]): value for key, value in conn.execute(
        "SELECT key, value FROM meta WHERE key LIKE 'rejected_customer.%'")}


def remember_whereabouts(conn: sqlite3.Connection, departures: dict[str, tuple[str, str | None]]) -> None:
    """Keeps with each rejected change of a customer that is leaving this laptop what became of it: why it left
    (release, reclaim, reassign, deleted...) and who holds it now when a manager gave it to a rep. Called before
    the customers are dropped (a change of a contact or a deal finds its customer through them)."""
    for seq, table, record_id, _kind, changes, _reason, _at in rejected_mutations(conn):
        customer = customer_of_change(conn, table, record_id, json.loads(changes))
        if customer in departures:
            set_meta(conn, f"rejected_whereabouts.{seq}", json.dumps(list(departures[customer])))


def rejected_whereabouts(conn: sqlite3.Connection, rep: str | None) -> dict[int, tuple[str, str | None]]:
    """What became of each rejected change's customer: ("yours", None) when `rep` holds it on this laptop again
    (claimed back), else (why it left, who holds it) as kept when it left; changes with nothing known are left
    out. A customer kept here only for its unsent changes is not the rep's."""
    kept = {int(key.split(".", 1)[1]): json.loads(value) for key, value in conn.execute(
        "SELECT key, value FROM meta WHERE key LIKE 'rejected_whereabouts.%'")}
    found: dict[int, tuple[str, str | None]] = {}
    for seq, table, record_id, _kind, changes, _reason, _at in rejected_mutations(conn):
        customer = customer_of_change(conn, table, record_id, json.loads(changes))
        owner = conn.execute("SELECT owner FROM customer WHERE id = ?", (customer,)).fetchone()
        if rep and owner is not None and owner[0] == rep:
            found[seq] = ("yours", None)
        elif seq in kept:
            found[seq] = (kept[seq][0], kept[seq][1])
    return found


def dismiss_rejected(conn: sqlite3.Connection, seq: int | None) -> int:
    """Marks one rejected change (or all) dismissed: no longer listed or counted. Returns how many."""
    if seq is None:
        count = conn.execute("UPDATE outbox SET state = 'dismissed' WHERE state = 'rejected'").rowcount
    else:
        count = conn.execute("UPDATE outbox SET state = 'dismissed' WHERE state = 'rejected' AND seq = ?",
                             (seq,)).rowcount
    prune_outbox(conn)
    return count


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
        text = str(value)
        if text.endswith("+00:00") and len(text) >= 25:
            # The server speaks UTC (the sync connection sets it): reshape without parsing (50k rows a pull).
            base = text[:-6].replace("T", " ")
            return base + ".000000" if len(base) == 19 else base.ljust(26, "0")
        return to_db(datetime.fromisoformat(text))
    if kind == "BOOLEAN":
        return 1 if value else 0
    return value


UNSTORABLE = (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError, ValueError, TypeError)
"""What one bad row received from the server raises here (a reference this laptop does not have, a value it
cannot take); anything else (a full disk, a lock) fails the whole round as before."""


def put_rows(conn: sqlite3.Connection, table: str, rows: list[dict],
             pending: dict[tuple[str, str], set[str]]) -> int:
    """Writes the server's rows of one table; fields with unpushed local changes keep the local value.

    A row this laptop cannot store (one naming a record it does not have) is set aside with the reason and
    the others go in: one bad row never stops a pull. A row set aside earlier that now goes in leaves the list.
    """
    written = 0
    waiting = {row[0] for row in conn.execute("SELECT record_id FROM sync_set_aside WHERE record_table = ?", (table,))}
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        conn.execute("SAVEPOINT put_rows")
        try:
            written += _write_rows(conn, table, chunk, pending)
            stored = [row["id"] for row in chunk]
        except UNSTORABLE:
            conn.execute("ROLLBACK TO put_rows")
            stored = []
            for row in chunk:  # one at a time, to find the rows that cannot go in
                conn.execute("SAVEPOINT put_row")
                try:
                    written += _write_rows(conn, table, [row], pending)
                    stored.append(row["id"])
                except UNSTORABLE as error:
                    conn.execute("ROLLBACK TO put_row")
                    _set_aside(conn, table, row, error)
                conn.execute("RELEASE put_row")
        conn.execute("RELEASE put_rows")
        done = [(table, record_id) for record_id in stored if record_id in waiting]
        conn.executemany("DELETE FROM sync_set_aside WHERE record_table = ? AND record_id = ?", done)
    history.attribute_pulled(conn.execute, rows)  # the history names the colleague a row says made it
    return written


def _write_rows(conn: sqlite3.Connection, table: str, rows: list[dict],
                pending: dict[tuple[str, str], set[str]]) -> int:
    """put_rows without the safety net. Only what differs is written: a row the laptop already has as the
    server does (its own pushed change coming back) costs one read, and the search index is touched only when
    an indexed field changed."""
    known = columns(conn, table)
    names = list(known)
    written = 0
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        ids = [row["id"] for row in chunk]
        marks = ", ".join("?" * len(ids))
        local = {r[0]: r for r in conn.execute(f"SELECT {', '.join(names)} FROM {table} WHERE id IN ({marks})", ids)}
        seen = dict(conn.execute(
            f"SELECT record_id, stamps FROM sync_stamp WHERE record_table = ? AND record_id IN ({marks})",
            [table, *ids]))
        fresh: dict[str, dict[str, object]] = {}  # rows new to this laptop, inserted together at the end
        stamp_rows: list[tuple[str, str, str]] = []
        for row in chunk:
            keep = pending.get((table, row["id"]), set())
            values = {name: _local_value(row[name], known[name]) for name in names if name in row}
            current = local.get(row["id"])
            if "phone_key" in known and "phone" in values:
                # The key is derived here from the number as typed (E.164 in this laptop's phone_region):
                # a key pushed by an older client or made under another region never decides a match.
                if current is not None and "phone" in keep:
                    values.pop("phone_key", None)  # the local, unpushed number keeps its own key
                else:
                    values["phone_key"] = phone_key(values["phone"])  # type: ignore[arg-type]
            if row["id"] in fresh:
                fresh[row["id"]].update(values)  # the same record twice in one pull: the later row wins
            elif current is None:
                fresh[row["id"]] = values
                written += 1
            else:
                old = dict(zip(names, current, strict=True))
                changed = {name: value for name, value in values.items()
                           if name not in keep and name != "id" and old[name] != value}
                if changed:
                    conn.execute(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in changed)} WHERE id = ?",
                                 [*changed.values(), row["id"]])
                    local[row["id"]] = tuple({**old, **changed}[name] for name in names)
                    written += 1
            stamps = dict(row.get("stamps") or {})
            local_stamps = json.loads(seen[row["id"]]) if row["id"] in seen else {}
            stamps.update({name: local_stamps[name] for name in keep if name in local_stamps})
            if stamps != local_stamps:
                seen[row["id"]] = json.dumps(stamps)
                stamp_rows.append((table, row["id"], seen[row["id"]]))
        inserts: dict[tuple[str, ...], list[tuple]] = {}
        for values in fresh.values():
            inserts.setdefault(tuple(values), []).append(tuple(values.values()))
        for cols, batch in inserts.items():
            conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", batch)
        conn.executemany("INSERT INTO sync_stamp (record_table, record_id, stamps) VALUES (?, ?, ?)"
                         " ON CONFLICT DO UPDATE SET stamps = excluded.stamps", stamp_rows)
    return written


def follow_up_dates(conn: sqlite3.Connection, customer_ids: Iterable[str],
                    pending: dict[tuple[str, str], set[str]]) -> int:
    """The customers' last contact and next follow-up as their newest live follow-up says, where the last
    contact lags behind it (a follow-up arrived after, or without, its customer's row); as the team server
    does. Fields with unpushed local changes are left alone; no outbox entry (the server derives the same).
    Returns how many customers changed."""
    changed = 0
    for customer_id in set(customer_ids):
        newest = conn.execute(
            f"SELECT f.at, f.next_at, f.corrects_id IS NOT NULL FROM follow_up f WHERE f.customer_id = ? AND {current('f')}"
            " ORDER BY f.at DESC, f.created_at DESC, f.id DESC LIMIT 1", (customer_id,)).fetchone()
        if newest is None or pending.get(("customer", customer_id), set()) & {"last_contact_at", "next_follow_up_at"}:
            continue
        # A correction keeps the moment of the follow-up it corrects, so the last contact does not lag behind
        # it: its next date is taken where it differs.
        changed += conn.execute(
            "UPDATE customer SET last_contact_at = ?, next_follow_up_at = ?"
            " WHERE id = ? AND (last_contact_at IS NULL OR last_contact_at < ?"
            "  OR (? AND last_contact_at = ? AND next_follow_up_at IS NOT ?))",
            (newest[0], newest[1], customer_id, newest[0], newest[2], newest[0], newest[1])).rowcount
    return changed


def drop_customers(conn: sqlite3.Connection, ids: Iterable[str]) -> int:
    """Removes customers that left this rep, with everything hanging off them (no outbox entry)."""
    ids = list(ids)
    if not ids:
        return 0
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS gone (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM gone")
    conn.executemany("INSERT OR IGNORE INTO gone VALUES (?)", [(i,) for i in ids])
    # A conflict stays listed after its customer left: it keeps the customer's name, not an id the rep never saw.
    conn.execute("INSERT OR REPLACE INTO meta (key, value) SELECT 'conflict_customer.' || c.id, c.name FROM customer c"
                 " WHERE c.id IN gone AND c.id IN (SELECT customer_id FROM sync_conflict)")
    _set_aside_crossing(conn)
    conn.execute("DELETE FROM sync_set_aside WHERE coalesce(json_extract(row, '$.customer_id'),"
                 " CASE WHEN record_table = 'customer' THEN record_id END) IN gone")
    statements = [
        "DELETE FROM ticket_event WHERE ticket_id IN (SELECT id FROM ticket WHERE customer_id IN gone)",
        "DELETE FROM ticket WHERE customer_id IN gone",
        "DELETE FROM revisit WHERE customer_id IN gone",
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
    for table in TABLE_ORDER:  # the stamps of what went
        conn.execute(f"DELETE FROM sync_stamp WHERE record_table = ? AND NOT EXISTS"
                     f" (SELECT 1 FROM {table} t WHERE t.id = sync_stamp.record_id)", (table,))
    return removed


def customer_ids(conn: sqlite3.Connection) -> set[str]:
    return record_ids(conn, "customer")


def record_ids(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[0] for row in conn.execute(f"SELECT id FROM {table}")}


def unsynced_records(conn: sqlite3.Connection, table: str) -> set[str]:
    """Records of one table with changes the server has not taken (pending or rejected)."""
    return {row[0] for row in conn.execute(
        "SELECT record_id FROM outbox WHERE state IN ('pending', 'rejected') AND record_table = ?", (table,))}


def drop_rows(conn: sqlite3.Connection, table: str, ids: Iterable[str]) -> int:
    """Removes records that moved out of this rep's view (no outbox entry). One still referenced by a record
    that stays (a follow-up naming a contact) is kept: a foreign key must never break."""
    removed = 0
    for record_id in ids:
        conn.execute("SAVEPOINT drop_row")
        try:
            removed += conn.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,)).rowcount
            conn.execute("DELETE FROM sync_stamp WHERE record_table = ? AND record_id = ?", (table, record_id))
            conn.execute("RELEASE drop_row")
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK TO drop_row")
            conn.execute("RELEASE drop_row")
    return removed


# Rows set aside ----------------------------------------------------------------------------------

REFERENCES: dict[str, dict[str, str]] = {
    "contact": {"customer_id": "customer"}, "deal": {"customer_id": "customer"},
    "deal_stage_change": {"deal_id": "deal"},
    "follow_up": {"customer_id": "customer", "contact_id": "contact", "deal_id": "deal"},
    "contract": {"customer_id": "customer", "deal_id": "deal"}, "payment": {"contract_id": "contract"},
    "customer_tag": {"customer_id": "customer"},
    "revisit": {"customer_id": "customer", "deal_id": "deal"},
    "ticket": {"customer_id": "customer", "contract_id": "contract"}, "ticket_event": {"ticket_id": "ticket"},
}
"""The local foreign keys: column -> the table it names."""

MISSING_REFERENCE = "received from the server but not stored here: it refers to a record this laptop does not have"
CROSSING_REFERENCE = "set aside: it refers to a record of a customer that left you"
NOT_STORABLE = "received from the server but not stored here: this laptop cannot take it"
SET_ASIDE_REASONS = (MISSING_REFERENCE, CROSSING_REFERENCE, NOT_STORABLE)
"""Why a row was set aside (English; sync.client translates them when shown)."""


def _set_aside(conn: sqlite3.Connection, table: str, row: dict, error: BaseException) -> None:
    reference = None
    reason = NOT_STORABLE
    if isinstance(error, sqlite3.IntegrityError) and "FOREIGN KEY" in str(error):
        reason = MISSING_REFERENCE
        for name, parent in REFERENCES.get(table, {}).items():
            value = row.get(name)
            if value and conn.execute(f"SELECT 1 FROM {parent} WHERE id = ?", (value,)).fetchone() is None:
                reference = f"{name} {value}"
                break
    else:
        reference = str(error).splitlines()[0] if str(error) else type(error).__name__
    _keep_aside(conn, table, row, reason, reference)


def _keep_aside(conn: sqlite3.Connection, table: str, row: dict, reason: str, reference: str | None) -> None:
    conn.execute(
        "INSERT INTO sync_set_aside (record_table, record_id, row, reason, reference, at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET row = excluded.row, reason = excluded.reason, reference = excluded.reference",
        (table, str(row.get("id")), json.dumps(row, ensure_ascii=False, default=str), reason, reference,
         to_db(datetime.now(UTC))))


def _set_aside_crossing(conn: sqlite3.Connection) -> None:
    """Before customers in `gone` are removed: records of customers that stay which name a record of a gone
    one (a reference the server let cross customers before it refused them) are set aside and removed too,
    or the removal would break a foreign key."""
    crossing = {
        "follow_up": "customer_id NOT IN gone AND (deal_id IN (SELECT id FROM deal WHERE customer_id IN gone)"
                     " OR contact_id IN (SELECT id FROM contact WHERE customer_id IN gone))",
        "contract": "customer_id NOT IN gone AND deal_id IN (SELECT id FROM deal WHERE customer_id IN gone)",
        "revisit": "customer_id NOT IN gone AND deal_id IN (SELECT id FROM deal WHERE customer_id IN gone)",
        "ticket": "customer_id NOT IN gone AND (contract_id IN (SELECT id FROM contract WHERE customer_id IN gone)"
                  " OR contract_id IN (SELECT id FROM contract WHERE deal_id IN (SELECT id FROM deal"
                  " WHERE customer_id IN gone)))",
    }
    children = {"contract": ("payment", "contract_id"), "ticket": ("ticket_event", "ticket_id")}
    for table, where in crossing.items():
        for row in _local_rows(conn, table, where):
            if table in children:  # its instalments, its events go with it
                child, column = children[table]
                for kept in _local_rows(conn, child, f"{column} = ?", (row["id"],)):
                    kept["customer_id"] = row["customer_id"]
                    _keep_aside(conn, child, kept, CROSSING_REFERENCE, f"{column} {row['id']}")
                conn.execute(f"DELETE FROM {child} WHERE {column} = ?", (row["id"],))
            reference = next((f"{name} {row[name]}" for name in ("deal_id", "contact_id", "contract_id")
                              if row.get(name)), None)
            _keep_aside(conn, table, row, CROSSING_REFERENCE, reference)
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))


def _local_rows(conn: sqlite3.Connection, table: str, where: str, params: tuple = ()) -> list[dict]:
    """Local records as the server sends them (ISO times in UTC, JSON booleans)."""
    known = columns(conn, table)
    return [{name: _json_value(value, known[name]) for name, value in zip(known, row, strict=True)}
            for row in conn.execute(f"SELECT {', '.join(known)} FROM {table} WHERE {where}", params)]


def set_aside_rows(conn: sqlite3.Connection) -> list[tuple[str, str, dict, str, str | None, str]]:
    """Rows set aside, oldest first: table, record id, the row, reason, reference, when."""
    return [(table, record_id, json.loads(row), reason, reference, at) for table, record_id, row, reason, reference, at
            in conn.execute("SELECT record_table, record_id, row, reason, reference, at FROM sync_set_aside"
                            " ORDER BY at, record_table, record_id")]


def count_set_aside(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM sync_set_aside").fetchone()[0]


def retry_set_aside(conn: sqlite3.Connection, pending: dict[tuple[str, str], set[str]]) -> int:
    """Tries the rows set aside again, parents first (customers changed hands: what they named may be here
    now). Returns how many went in."""
    by_table: dict[str, list[dict]] = {}
    for table, _record_id, row, *_rest in set_aside_rows(conn):
        by_table.setdefault(table, []).append(row)
    before = count_set_aside(conn)
    for table in TABLE_ORDER:
        if by_table.get(table):
            put_rows(conn, table, by_table[table], pending)
    return before - count_set_aside(conn)


def put_conflicts(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """Same-field conflicts the server recorded, as pulled, but for derived fields (never the rep's to settle)."""
    rows = [r for r in rows if r["field"] not in DERIVED_FIELDS.get(r["record_table"], ())]
    conn.executemany(
        "INSERT OR REPLACE INTO sync_conflict (id, record_table, record_id, customer_id, field, kept_value,"
        " kept_by, lost_value, lost_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(r["id"], r["record_table"], r["record_id"], r.get("customer_id"), r["field"],
          json.dumps(r.get("kept_value"), ensure_ascii=False), r.get("kept_by"),
          json.dumps(r.get("lost_value"), ensure_ascii=False), r.get("lost_by"),
          to_db(datetime.fromisoformat(r["at"]))) for r in rows],
    )


def newest_conflict(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM sync_conflict").fetchone()[0]


def lost_edits(conn: sqlite3.Connection, rep: str, ids: Iterable[int]) -> list[tuple]:
    """Of these conflicts, the ones this rep's edit lost (as `conflicts` gives them)."""
    wanted = set(ids)
    return [row for row in conflicts(conn) if row[0] in wanted and row[8] == rep]


def count_lost_edits(conn: sqlite3.Connection, rep: str, seen: int) -> int:
    """This rep's edits that lost, recorded after the newest conflict the rep has seen."""
    found = conn.execute("SELECT record_table, field FROM sync_conflict WHERE lost_by = ? AND id > ?",
                         (rep, seen)).fetchall()
    return sum(1 for table, name in found if name not in DERIVED_FIELDS.get(table, ()))


def conflicts(conn: sqlite3.Connection) -> list[tuple]:
    """Conflicts newest first: id, table, record id, customer name, field, kept, kept by, lost, lost by, at."""
    found = conn.execute(
        "SELECT k.id, k.record_table, k.record_id, coalesce(c.name, m.value), k.field, k.kept_value, k.kept_by,"
        " k.lost_value, k.lost_by, k.at FROM sync_conflict k LEFT JOIN customer c ON c.id = k.customer_id"
        " LEFT JOIN meta m ON m.key = 'conflict_customer.' || k.customer_id ORDER BY k.id DESC"
    ).fetchall()
    # rows pulled before derived fields were left out
    return [row for row in found if row[4] not in DERIVED_FIELDS.get(row[1], ())]


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


CLOCK_FIELDS = ("at", "created_at", "updated_at", "stage_entered_at")
"""Moments a change takes from the clock when it is made (next dates are the rep's plan: never touched)."""


def restamp_future(conn: sqlite3.Connection, limit_millis: int, now_millis: int) -> int:
    """Pending changes stamped after `limit_millis` (made while this computer's clock ran ahead) get fresh
    stamps from `now_millis`, in order, and the clock state is brought back: the server would refuse them,
    and an HLC stuck in the future would make every later change lose. Returns how many were restamped."""
    node = get_meta(conn, "client_id") or "0"
    counter = 0
    restamped = 0
    renamed: dict[str, str] = {}  # old stamp -> new: a later change's "last seen" follows its predecessor
    for seq, table, record_id, stamps, base, changed in conn.execute(
        "SELECT seq, record_table, record_id, stamps, base, changes FROM outbox WHERE state = 'pending' ORDER BY seq"
    ).fetchall():
        values = stamps_of(stamps, changed)
        seen = json.loads(base or "{}")
        if any(stamp in renamed for stamp in seen.values()):
            conn.execute("UPDATE outbox SET base = ? WHERE seq = ?",
                         (json.dumps({k: renamed.get(v, v) for k, v in seen.items()}), seq))
        if not values or max(parse_stamp(stamp)[0] for stamp in values.values()) <= limit_millis:
            continue
        stamp = format_stamp(now_millis, counter, node)
        counter += 1
        fresh = {name: stamp for name in values}
        renamed.update({old: stamp for old in values.values()})
        # When it happened was read off the wrong clock too: moments past the server's now become now.
        changes = json.loads(conn.execute("SELECT changes FROM outbox WHERE seq = ?", (seq,)).fetchone()[0])
        now_text = datetime.fromtimestamp(now_millis / 1000, UTC).isoformat()
        for name in CLOCK_FIELDS:
            if isinstance(changes.get(name), str) and datetime.fromisoformat(changes[name]).timestamp() * 1000 > limit_millis:
                changes[name] = now_text
        conn.execute("UPDATE outbox SET stamps = ?, changes = ? WHERE seq = ?",
                     (json.dumps(fresh), json.dumps(changes, ensure_ascii=False), seq))
        conn.execute("UPDATE sync_stamp SET stamps = json_patch(stamps, ?) WHERE record_table = ? AND record_id = ?",
                     (json.dumps(fresh), table, record_id))
        restamped += 1
    current = get_meta(conn, "hlc")
    if current is not None and parse_stamp(current)[0] > limit_millis:
        set_meta(conn, "hlc", format_stamp(now_millis, counter, node))
    return restamped


_OWNED_BY = {
    "customer": "id IN gone",
    "contact": "customer_id IN gone", "deal": "customer_id IN gone", "follow_up": "customer_id IN gone",
    "contract": "customer_id IN gone", "customer_tag": "customer_id IN gone",
    "deal_stage_change": "deal_id IN (SELECT id FROM deal WHERE customer_id IN gone)",
    "payment": "contract_id IN (SELECT id FROM contract WHERE customer_id IN gone)",
    "revisit": "customer_id IN gone", "ticket": "customer_id IN gone",
    "ticket_event": "ticket_id IN (SELECT id FROM ticket WHERE customer_id IN gone)",
}


def _json_value(value: object, kind: str) -> object:
    """A stored value as the server takes it: DATETIME text as ISO in UTC, booleans as JSON booleans."""
    if value is None:
        return None
    if kind == "DATETIME":
        return str(value).replace(" ", "T") + "+00:00"
    if kind == "BOOLEAN":
        return bool(value)
    return value


def queue_repush(conn: sqlite3.Connection, customer_ids: Iterable[str] | None = None,
                 records: dict[str, set[str]] | None = None) -> int:
    """Queues this laptop's copy (of these customers, of these records by table, or all of it) to be sent
    again, each field with the stamp this laptop knows for it (the server keeps whichever is newer).
    Returns how many records."""
    node = get_meta(conn, "client_id") or "0"
    unknown = format_stamp(0, 0, node)  # a value whose time this laptop never knew loses to any known one
    now = to_db(datetime.now(UTC))
    where = "1"
    if customer_ids is not None:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS gone (id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM gone")
        conn.executemany("INSERT OR IGNORE INTO gone VALUES (?)", [(i,) for i in customer_ids])
    queued = 0
    for table in TABLE_ORDER:
        known = columns(conn, table)
        if customer_ids is not None:
            where = _OWNED_BY[table]
        if records is not None:
            wanted = list(records.get(table, ()))
            if not wanted:
                continue
            rows = [row for start in range(0, len(wanted), 500) for row in conn.execute(
                f"SELECT {', '.join(known)} FROM {table} WHERE id IN ({', '.join('?' * len(wanted[start:start + 500]))})",
                wanted[start:start + 500])]
        else:
            rows = conn.execute(f"SELECT {', '.join(known)} FROM {table} WHERE {where}").fetchall()
        stamps_of: dict[str, str] = {}
        for start in range(0, len(rows), 500):
            ids = [row[0] for row in rows[start:start + 500]]
            stamps_of.update(conn.execute(
                f"SELECT record_id, stamps FROM sync_stamp WHERE record_table = ? AND record_id IN"
                f" ({', '.join('?' * len(ids))})", [table, *ids]))
        batch = []
        for row in rows:
            values = dict(zip(known, row, strict=True))
            record_id = values.pop("id")
            changes = {name: _json_value(value, known[name]) for name, value in values.items()}
            seen = json.loads(stamps_of.get(record_id, "{}"))
            # Each field keeps the moment of its stamp but carries this laptop's name: the server takes a
            # re-push only with stamps of the pushing rep's laptops (no rep can pose as another).
            stamps = {name: _own_stamp(seen.get(name, unknown), node) for name in changes}
            batch.append((str(uuid.uuid4()), node, "repush", table, record_id,
                          json.dumps(changes, ensure_ascii=False), json.dumps(stamps), FORMAT_VERSION, now, "{}"))
        conn.executemany(
            "INSERT INTO outbox (mutation_id, client_id, kind, record_table, record_id, changes, stamps,"
            " format_version, created_at, state, base) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)", batch)
        queued += len(batch)
    return queued


def _own_stamp(stamp: str, node: str) -> str:
    millis, counter, _ = parse_stamp(stamp)
    return format_stamp(millis, counter, node)


def tables() -> tuple[str, ...]:
    """Synced tables, parents before children."""
    return TABLE_ORDER
