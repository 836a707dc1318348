"""A rep's draft customer in a team: added on this laptop and never sent to the team server.

Such a customer, with everything hanging off it, exists only here: its insert and every later change of it
are still pending in the outbox. Deleting it drops the records and their outbox entries together, so the
outbox still replays to exactly the records stored (nothing to send, nothing the server must refuse).
"""

from __future__ import annotations

import sqlite3

CHILDREN = {
    "contact": "SELECT id FROM contact WHERE customer_id = :c",
    "deal": "SELECT id FROM deal WHERE customer_id = :c",
    "deal_stage_change": "SELECT id FROM deal_stage_change WHERE deal_id IN (SELECT id FROM deal WHERE customer_id = :c)",
    "follow_up": "SELECT id FROM follow_up WHERE customer_id = :c",
    "contract": "SELECT id FROM contract WHERE customer_id = :c",
    "payment": "SELECT id FROM payment WHERE contract_id IN (SELECT id FROM contract WHERE customer_id = :c)",
    "customer_tag": "SELECT id FROM customer_tag WHERE customer_id = :c",
    "revisit": "SELECT id FROM revisit WHERE customer_id = :c",
    "ticket": "SELECT id FROM ticket WHERE customer_id = :c",
    "ticket_event": "SELECT id FROM ticket_event WHERE ticket_id IN (SELECT id FROM ticket WHERE customer_id = :c)",
}
"""The records hanging off a customer, by table (deleted ones included: their tombstones are pending too)."""

DROP_ORDER = ("ticket_event", "ticket", "revisit", "payment", "contract", "follow_up", "deal_stage_change", "deal",
              "contact", "customer_tag")
"""Children before the records they name, so no foreign key breaks on the way."""

_REFERRED_FROM_OUTSIDE = (
    "SELECT 1 FROM follow_up WHERE customer_id <> :c AND (contact_id IN (SELECT id FROM contact WHERE customer_id = :c)"
    " OR deal_id IN (SELECT id FROM deal WHERE customer_id = :c))"
    " UNION ALL SELECT 1 FROM contract WHERE customer_id <> :c AND deal_id IN (SELECT id FROM deal WHERE customer_id = :c)"
    " UNION ALL SELECT 1 FROM revisit WHERE customer_id <> :c AND deal_id IN (SELECT id FROM deal WHERE customer_id = :c)"
    " UNION ALL SELECT 1 FROM ticket WHERE customer_id <> :c"
    " AND contract_id IN (SELECT id FROM contract WHERE customer_id = :c)"
    " UNION ALL SELECT 1 FROM customer WHERE merged_into = :c"
)


def draft_records(conn: sqlite3.Connection, customer_id: str) -> dict[str, list[str]] | None:
    """The records of a customer that never left this laptop, by table (the customer itself included), or None
    when it is not such a draft: its insert, and the insert of every record hanging off it, must still be
    pending (never pushed, not rejected, not sent again with a whole copy), and nothing of another customer
    may name one of them (a merge into it, a follow-up naming its contact)."""
    records = {"customer": [customer_id]}
    for table, query in CHILDREN.items():
        records[table] = [row[0] for row in conn.execute(query, {"c": customer_id})]
    for table, ids in records.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            inserted = conn.execute(
                f"SELECT count(DISTINCT record_id) FROM outbox WHERE record_table = ? AND record_id IN ({marks})"
                " AND kind = 'insert' AND state = 'pending'", (table, *chunk)).fetchone()[0]
            sent = conn.execute(
                f"SELECT 1 FROM outbox WHERE record_table = ? AND record_id IN ({marks})"
                " AND (state <> 'pending' OR kind NOT IN ('insert', 'update', 'delete')) LIMIT 1",
                (table, *chunk)).fetchone()
            if inserted != len(chunk) or sent:
                return None
    if conn.execute(_REFERRED_FROM_OUTSIDE, {"c": customer_id}).fetchone():
        return None
    return records


def drop_draft(conn: sqlite3.Connection, records: dict[str, list[str]]) -> None:
    """Removes a draft's records (from draft_records) with their outbox entries and stamps, in the caller's
    write transaction."""
    for table in (*DROP_ORDER, "customer"):
        ids = records.get(table, [])
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            conn.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)  # table from DROP_ORDER
            conn.execute(f"DELETE FROM outbox WHERE record_table = ? AND record_id IN ({marks})", (table, *chunk))
            conn.execute(f"DELETE FROM sync_stamp WHERE record_table = ? AND record_id IN ({marks})", (table, *chunk))
