"""The queries of the customer value report (RFM): the customers scored, and their purchases and contacts up to a
moment. Follow-ups are counted per customer with GROUP BY (one pass), never read row by row."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from crmtui.store.raw import day_from_db, from_db, to_db
from crmtui.store.follow_ups import current
from crmtui.store.reports.activity import NOT_COUNTED, Who, live_customers


@dataclass(frozen=True)
class Scored:
    """A customer the report scores."""

    id: str
    name: str
    tier: str


def customers(connection: sqlite3.Connection, who: Who, before: datetime) -> list[Scored]:
    """Live customers of `who` added before `before` that are not leads and not in the pool, by name."""
    condition, params = who
    rows = connection.execute(
        "SELECT c.id, c.name, c.tier FROM customer c WHERE c.deleted_at IS NULL"
        f" AND c.status NOT IN ('lead', 'pool') AND c.created_at < ? AND {condition} ORDER BY c.name, c.id",
        (to_db(before), *params)).fetchall()
    return [Scored(*row) for row in rows]


def contacts(connection: sqlite3.Connection, who: Who, since: datetime,
             before: datetime) -> dict[str, tuple[str, int]]:
    """customer id -> (its last follow-up before `before`, as stored: UTC text; its follow-ups in [since, before)). Read from the index
    of (customer_id, at); the customers with a deleted or superseded follow-up are then counted again one by one."""
    live, params = live_customers(who)
    condition, _ = who
    # Customer by customer: the last one is one step back in the index, the count reads only the 12 months (a
    # GROUP BY of every follow-up before the moment reads the older ones too).
    found = {cid: (last, count) for cid, last, count in connection.execute(
        f"WITH k AS (SELECT c.id FROM customer c WHERE c.deleted_at IS NULL AND {condition})"
        " SELECT k.id, (SELECT max(f.at) FROM follow_up f WHERE f.customer_id = k.id AND f.at < ?),"
        " (SELECT count(*) FROM follow_up f WHERE f.customer_id = k.id AND f.at >= ? AND f.at < ?) FROM k",
        (*params, to_db(before), to_db(since), to_db(before))) if last is not None}
    again = [cid for (cid,) in connection.execute(
        f"SELECT DISTINCT f.customer_id FROM follow_up f WHERE f.rowid IN ({NOT_COUNTED}) AND {live}", params)]
    if again:
        for cid in again:
            found.pop(cid, None)
        found.update({cid: (last, count) for cid, last, count in connection.execute(
            "SELECT f.customer_id, max(f.at), sum(f.at >= ?) FROM follow_up f WHERE f.customer_id IN"
            f" (SELECT value FROM json_each(?)) AND f.at < ? AND {current('f')} GROUP BY f.customer_id",
            (to_db(since), json.dumps(again), to_db(before)))})
    return found


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
        "SELECT d.id, d.customer_id, coalesce(d.amount_cents, 0), w.at, EXISTS (SELECT 1 FROM contract k"
        " WHERE k.deal_id = d.id AND k.deleted_at IS NULL) FROM deal d JOIN (SELECT s.deal_id, max(s.at) AS at"
        " FROM deal_stage_change s WHERE s.to_stage = 'won' AND s.deleted_at IS NULL GROUP BY s.deal_id) w"
        " ON w.deal_id = d.id WHERE d.stage = 'won' AND d.deleted_at IS NULL AND w.at < ?",
        (to_db(before),)).fetchall()
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
