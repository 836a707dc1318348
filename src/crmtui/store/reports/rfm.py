"""The queries of the customer value report (RFM): the customers scored, and their purchases and contacts up to a
moment. Follow-ups are counted per customer from the index of (customer_id, at), never read row by row."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from crmtui.store.raw import day_from_db, from_db, to_db
from crmtui.store.follow_ups import current
from crmtui.store.reports.activity import NOT_COUNTED, Who


def customers(connection: sqlite3.Connection, who: Who, since: datetime,
              before: datetime) -> list[tuple[str, str, str, str | None, int]]:
    """(id, name, tier, its last follow-up before `before` as stored (UTC text) or None, its follow-ups in
    [since, before)) of the live customers of `who` added before `before` that are not leads and not in the pool,
    by name: one pass over the customers, each one's follow-ups read from the index of (customer_id, at) (the last
    one step back in it, the count over the 12 months only; a GROUP BY of every follow-up reads the older ones too).
    The customers with a deleted or superseded follow-up are then counted again one by one."""
    condition, params = who
    rows = connection.execute(
        "SELECT c.id, c.name, c.tier, (SELECT max(f.at) FROM follow_up f WHERE f.customer_id = c.id AND f.at < ?),"
        " (SELECT count(*) FROM follow_up f WHERE f.customer_id = c.id AND f.at >= ? AND f.at < ?)"
        " FROM customer c WHERE c.deleted_at IS NULL AND c.status NOT IN ('lead', 'pool') AND c.created_at < ?"
        f" AND {condition} ORDER BY c.name, c.id",
        (to_db(before), to_db(since), to_db(before), to_db(before), *params)).fetchall()
    # The follow-ups that never count are few (their own indexes): looked up first, their customers after, so a
    # book with none reads no customer for it.
    again = [cid for (cid,) in connection.execute(
        f"SELECT DISTINCT f.customer_id FROM follow_up f WHERE f.rowid IN ({NOT_COUNTED})")]
    if not again:
        return rows
    fixed = {cid: (last, count) for cid, last, count in connection.execute(
        "SELECT f.customer_id, max(f.at), sum(f.at >= ?) FROM follow_up f WHERE f.customer_id IN"
        f" (SELECT value FROM json_each(?)) AND f.at < ? AND {current('f')} GROUP BY f.customer_id",
        (to_db(since), json.dumps(again), to_db(before)))}
    recount = set(again)
    return [(cid, name, tier, *fixed.get(cid, (None, 0))) if cid in recount else (cid, name, tier, last, count)
            for cid, name, tier, last, count in rows]


@dataclass(frozen=True)
class Won:
    deal_id: str
    customer_id: str
    amount_cents: int
    won_at: datetime
    """Its last move to Won."""
    has_contract: bool


def won_deals(connection: sqlite3.Connection, before: datetime) -> list[Won]:
    """Live deals that are won now and were won before `before` (their last move to Won)."""
    rows = connection.execute(
        "SELECT d.id, d.customer_id, coalesce(d.amount_cents, 0), (SELECT max(s.at) FROM deal_stage_change s"
        " WHERE s.deal_id = d.id AND s.to_stage = 'won' AND s.deleted_at IS NULL) AS won_at, EXISTS (SELECT 1"
        " FROM contract k WHERE k.deal_id = d.id AND k.deleted_at IS NULL) FROM deal d WHERE d.stage = 'won'"
        " AND d.deleted_at IS NULL AND won_at < ?", (to_db(before),)).fetchall()
    return [Won(did, cid, amount, from_db(at), bool(contract)) for did, cid, amount, at, contract in rows]  # type: ignore[arg-type]


def contracts(connection: sqlite3.Connection, through: date) -> list[tuple[str, int, date]]:
    """(customer id, amount in cents, day signed) of the live contracts signed by `through`."""
    rows = connection.execute(
        "SELECT k.customer_id, k.amount_cents, k.signed_on FROM contract k WHERE k.deleted_at IS NULL"
        " AND k.signed_on <= ?", (through.isoformat(),)).fetchall()
    return [(cid, amount, day_from_db(signed)) for cid, amount, signed in rows]  # type: ignore[misc]


def payments(connection: sqlite3.Connection, through: date) -> list[tuple[str, int, date, date]]:
    """(customer id, amount in cents, day paid, day its contract was signed) of the live instalments paid by
    `through`, of live contracts."""
    rows = connection.execute(
        "SELECT k.customer_id, p.amount_cents, p.paid_on, k.signed_on FROM payment p JOIN contract k"
        " ON k.id = p.contract_id WHERE p.deleted_at IS NULL AND k.deleted_at IS NULL AND p.paid_on IS NOT NULL"
        " AND p.paid_on <= ?", (through.isoformat(),)).fetchall()
    return [(cid, amount, day_from_db(paid), day_from_db(signed))  # type: ignore[misc]
            for cid, amount, paid, signed in rows]


def stamped_between(connection: sqlite3.Connection, low: datetime, high: datetime) -> bool:
    """Whether a record the report compares with its moment is stamped in [low, high): a customer added, a live
    follow-up, a live stage change (a deal won). Each is one look into an index (customers: their table, a few
    milliseconds)."""
    span = (to_db(low), to_db(high))
    return any(connection.execute(query, span).fetchone() for query in (
        "SELECT 1 FROM follow_up INDEXED BY ix_follow_up_live_at WHERE deleted_at IS NULL AND at >= ? AND at < ?"
        " LIMIT 1",
        "SELECT 1 FROM deal_stage_change WHERE deleted_at IS NULL AND at >= ? AND at < ? LIMIT 1",
        "SELECT 1 FROM customer WHERE created_at >= ? AND created_at < ? LIMIT 1"))
