"""The pull half of a sync round: what changed on the server since the laptop's last snapshot, written in.

One REPEATABLE READ snapshot; rows of the rep's customers whose transaction became visible since the
previous snapshot; customers gained arrive whole, customers lost are removed; a reconcile when due. A row the
laptop cannot store is set aside (crmtui.store.replica) instead of stopping the pull.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from crmtui.store import personal_data, replica
from crmtui.store.outbox import TABLE_ORDER
from crmtui.sync.protocol import (
    RECONCILE_EVERY,
    Conflict,
    Departure,
    RoundReport,
    ServerInfo,
    refusal_of,
    xmax,
)

if TYPE_CHECKING:
    import sqlite3

    import psycopg

    from crmtui.services.context import Context

DELTA = ("(t.txid >= pg_snapshot_xmin(%(prev)s::text::pg_snapshot)"
         " AND NOT pg_visible_in_snapshot(t.txid, %(prev)s::text::pg_snapshot))")
"""Rows whose writing transaction became visible since the previous snapshot (PgQ's cursor)."""


def _scope(table: str, everyone: bool) -> str:
    if everyone:
        return "true"
    if table == "customer":
        return "t.owner = session_user"
    return "t.customer_id IN (SELECT c.id FROM crm.customer c WHERE c.owner = session_user)"


def _known(pg: psycopg.Connection, table: str, ids: set[str]) -> set[str]:
    """Which of these ids the server has at all (whoever may see them)."""
    if not ids:
        return set()
    return {r[0] for r in pg.execute("SELECT sync.known_rows(%s, %s)", (table, list(ids)))}


def pull_changes(ctx: Context, pg: psycopg.Connection, info: ServerInfo, report: RoundReport, *,
                 full: bool = False) -> None:
    """Everything that changed since the last pull, in one snapshot; access changes; a reconcile when due.
    Rows this laptop cannot store are set aside (the pull goes on, the cursor advances) and tried again when
    customers change hands."""
    with ctx.db.raw_read() as conn:
        cursor = replica.get_meta(conn, "sync_cursor")
        epoch = replica.get_meta(conn, "sync_epoch")
        reconciled = replica.get_meta(conn, "sync_reconciled_at")
        client_id = replica.get_meta(conn, "client_id")
    now = ctx.clock.utcnow()
    if client_id is None:  # a laptop that has made no change yet still tells the server it pulled
        client_id = str(uuid.uuid4())
        with ctx.db.raw_write(now) as (conn, _):
            replica.set_meta(conn, "client_id", client_id)
    _begin(pg, client_id)
    everyone = info.manager
    rows: dict[str, list[dict]] = {}
    visible: set[str] | None = None
    gained: set[str] = set()
    lost: set[str] = set()
    known: set[str] = set()
    unknown_to_server: set[str] = set()
    moved: dict[str, set[str]] = {}
    lost_rows: dict[str, set[str]] = {}
    reasons: dict[str, str] = {}
    actors: dict[str, str | None] = {}
    with pg.transaction():
        pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = pg.execute("SELECT pg_current_snapshot()::text").fetchone()[0]
        prev = cursor if cursor and epoch == info.epoch and not full else None
        if prev is not None and xmax(prev) > xmax(snapshot):
            prev = None  # transaction ids went back: a restored server
        report.full = prev is None
        delta = DELTA if prev is not None else "true"
        for table in TABLE_ORDER:
            rows[table] = [r[0] for r in pg.execute(
                f"SELECT to_jsonb(t) - 'txid' FROM crm.{table} t WHERE {delta} AND {_scope(table, everyone)}",
                {"prev": prev},
            )] if info.holds(table) else []
        if prev is not None and not everyone:
            last: dict[str, str] = {}
            for customer_id, change, why, actor in pg.execute(
                # who made it, read by name: older servers lack the column
                f"SELECT t.customer_id, t.change, t.reason, to_jsonb(t)->>'actor' FROM crm.access_change t"
                f" WHERE t.rep = session_user AND {delta} ORDER BY t.id", {"prev": prev},
            ):
                last[customer_id] = change
                reasons[customer_id] = why
                actors[customer_id] = actor
            gained = {c for c, change in last.items() if change == "gained"}
            lost = {c for c, change in last.items() if change == "lost"}
            if gained:
                # A customer that changed hands arrives whole, whatever its rows' transaction ids.
                for table in (t for t in TABLE_ORDER if info.holds(t)):
                    key = "id" if table == "customer" else "customer_id"
                    rows[table] += [r[0] for r in pg.execute(
                        f"SELECT to_jsonb(t) - 'txid' FROM crm.{table} t WHERE t.{key} = ANY(%(ids)s)"
                        f" AND {_scope(table, everyone)}", {"ids": list(gained)},
                    )]
        conflict_rows = [r[0] for r in pg.execute(
            f"SELECT to_jsonb(t) - 'txid' FROM sync.conflict t WHERE {delta}", {"prev": prev})]
        rules = pg.execute("SELECT to_jsonb(r) - 'txid' - 'id' FROM crm.pool_rule r").fetchone()
        due = reconciled is None or now - datetime.fromisoformat(reconciled) >= RECONCILE_EVERY
        if report.full or due:
            visible = {r[0] for r in pg.execute(f"SELECT t.id FROM crm.customer t WHERE {_scope('customer', everyone)}")}
            with ctx.db.raw_read() as conn:
                missing = replica.customer_ids(conn) - visible - replica.unsynced_customers(conn)
            # Of the customers this laptop has and the rep no longer sees: those the server still has left
            # the rep; those it does not have at all, it lost (a restore): they are sent again, never dropped.
            known = _known(pg, "customer", missing)
            unknown_to_server = missing - known
            # Child records that left the rep's view while their customer stayed (moved by a merge).
            for table in (t for t in TABLE_ORDER[1:] if info.holds(t)):  # a table the server lacks: nothing left
                seen = {r[0] for r in pg.execute(f"SELECT t.id FROM crm.{table} t WHERE {_scope(table, everyone)}")}
                with ctx.db.raw_read() as conn:
                    stale = replica.record_ids(conn, table) - seen - replica.unsynced_records(conn, table)
                moved[table] = _known(pg, table, stale)
                lost_rows[table] = stale - moved[table]  # on this laptop, never on the server: sent again
    owned_now = {r["id"] for r in rows["customer"] if everyone or r.get("owner") == ctx.settings.sync.user}
    taken_by = _taken_by(pg, lost - owned_now)
    with ctx.db.raw_write(now) as (conn, _):
        pending = replica.pending_fields(conn)
        erasures = personal_data.arriving_erasures(conn, rows)  # read before the rows write over what they held
        stamps: list[str] = []
        for table in TABLE_ORDER:
            report.pulled += replica.put_rows(conn, table, rows[table], pending)
            for row in rows[table]:
                stamps.extend((row.get("stamps") or {}).values())
        replica.follow_up_dates(conn, (row["customer_id"] for row in rows["follow_up"] if row.get("customer_id")),
                                pending)
        if gained or lost or report.full:
            # What a row set aside named may have come with a customer that changed hands.
            replica.retry_set_aside(conn, pending)
        report.gained = len(gained & owned_now)
        came = {r["id"]: r["name"] for r in rows["customer"] if r["id"] in gained & owned_now}
        report.restored_names = sorted(name for customer_id, name in came.items() if reasons.get(customer_id) == "undeleted")
        report.restored_by = {name: actor for customer_id, name in came.items()
                              if reasons.get(customer_id) == "undeleted" and (actor := actors.get(customer_id))}
        report.gained_names = sorted(name for customer_id, name in came.items()
                                     if reasons.get(customer_id) != "undeleted")
        gone = lost - owned_now
        if visible is not None:
            gone |= known
            if unknown_to_server:
                report.repushed += replica.queue_repush(conn, unknown_to_server)
            replica.set_meta(conn, "sync_reconciled_at", now.isoformat())
        whys = {customer_id: _why_lost(reasons.get(customer_id, ""), taken_by, customer_id) for customer_id in gone}
        departures = {customer_id: (why, _holder(why, taken_by, customer_id), actors.get(customer_id))
                      for customer_id, why in whys.items()}
        report.lost_customers = sorted(
            Departure(name, *departures[customer_id], report.follow_ups_sent.get(customer_id))
            for customer_id in gone if (name := replica.customer_name(conn, customer_id)) is not None)
        # Before the customers go: their conflicts keep their names, their rejected changes what became of them.
        replica.put_conflicts(conn, conflict_rows)
        replica.remember_whereabouts(conn, {customer_id: (why, holder)
                                            for customer_id, (why, holder, _actor) in departures.items()})
        _remember_departures(conn, departures, back=set(came))
        report.lost = replica.drop_customers(conn, gone)
        for table in reversed(TABLE_ORDER[1:]):
            replica.drop_rows(conn, table, moved.get(table, set()))
        if any(lost_rows.values()):
            report.repushed += replica.queue_repush(conn, records=lost_rows)
        if report.full and replica.get_meta(conn, "sync_lost_seen") is None:
            # A first full pull brings the team's old conflicts: history, not news for this laptop.
            replica.set_meta(conn, "sync_lost_seen", str(replica.newest_conflict(conn)))
        elif ctx.settings.sync.user and not report.full:
            report.lost_edits = [
                Conflict(table, record_id, customer, name, json.loads(kept) if kept else None, kept_by,
                         json.loads(lost_value) if lost_value else None, lost_by, at)
                for _, table, record_id, customer, name, kept, kept_by, lost_value, lost_by, at
                in replica.lost_edits(conn, ctx.settings.sync.user, (r["id"] for r in conflict_rows))]
        replica.receive_stamps(conn, stamps)
        report.set_aside = replica.count_set_aside(conn)
        replica.set_meta(conn, "sync_cursor", snapshot)
        replica.set_meta(conn, "sync_epoch", info.epoch)
        replica.set_meta(conn, "sync_manager", "1" if info.manager else "0")
        if rules:
            replica.set_meta(conn, "sync_pool_rules", json.dumps(rules[0]))
        personal_data.finish_arrived_erasures(conn, erasures)  # a person erased elsewhere: nothing of them stays here
    if erasures:
        personal_data.vacuum(ctx.db)


RECLAIMS = ("reclaim", "first_contact")
"""The pool's own takings back (no follow-up in time, no first contact after a claim)."""
DEPARTURES_KEPT = 200
"""How many customers that left this rep are remembered with why (a screen open on one says where it went)."""


def _remember_departures(conn: sqlite3.Connection, departures: dict[str, tuple[str, str | None, str | None]],
                         back: set[str]) -> None:
    """Why customers left this laptop, who holds them and who moved them, the newest kept, so that a screen still
    open on one can say it went to a colleague or the pool (not that it no longer exists); those that came `back` are
    forgotten (a later delete or merge here is no departure)."""
    if not departures and not back:
        return
    known = json.loads(replica.get_meta(conn, "sync_departed") or "{}")
    for customer_id in set(departures) | back:
        known.pop(customer_id, None)
    known.update({customer_id: list(where) for customer_id, where in departures.items()})
    replica.set_meta(conn, "sync_departed", json.dumps(dict(list(known.items())[-DEPARTURES_KEPT:])))


def departure(conn: sqlite3.Connection, customer_id: str) -> tuple[str, str | None, str | None] | None:
    """Why a customer left this laptop in a sync round (release, reassign, pool, deleted...), who holds it now
    (when a manager gave it to a rep) and who moved it (None: unknown, or the pool's rules); None when it did not
    leave by a round."""
    where = json.loads(replica.get_meta(conn, "sync_departed") or "{}").get(customer_id)
    # kept before the actor was: two items
    return (where[0], where[1], where[2] if len(where) > 2 else None) if where else None


def _why_lost(reason: str, taken: dict[str, Taken] | None, customer_id: str) -> str:
    """The access change's reason; a manager's reassignment to nobody is one to the pool ("pool"), and
    "pool_claimed" when a colleague has claimed it from the pool since; a reclaim (no follow-up in time, no first
    contact) that a colleague has claimed since is "reclaim_claimed"."""
    if taken is None:
        return reason
    entry = taken.get(customer_id)
    if reason in RECLAIMS:
        claimed = entry is not None and entry.owner and entry.gained_by == "claim"
        return "reclaim_claimed" if claimed else reason
    if reason != "reassign":
        return reason
    if entry is None or entry.given_to is None:
        return "pool_claimed" if entry is not None and entry.owner and entry.gained_by == "claim" else "pool"
    return reason


def _holder(why: str, taken: dict[str, Taken] | None, customer_id: str) -> str | None:
    """Who holds a customer the rep lost, when the rep is told: the rep a manager gave it to, or the colleague
    who claimed it from the pool since."""
    entry = (taken or {}).get(customer_id)
    return entry.owner if entry is not None and why in ("reassign", "pool_claimed", "reclaim_claimed") else None


@dataclass
class Taken:
    """A customer a manager took from this rep: who holds it now, whom the manager gave it to (None: the pool),
    and how its holder got it (their last gain's reason)."""

    owner: str | None
    given_to: str | None
    gained_by: str | None


def _taken_by(pg: psycopg.Connection, customer_ids: set[str]) -> dict[str, Taken] | None:
    """What became of these customers (just lost) that a manager or the pool's reclaim took from this rep; None
    from a server without the question. A server before `sync.lost_how` answers for a manager's reassignments
    only; one before `sync.taken_how` tells only who holds them (as if the manager gave them)."""
    import psycopg  # deferred: the driver costs about 0.2 s, and the app loads this module at start-up

    if not customer_ids:
        return {}
    for function in ("lost_how", "taken_how"):
        try:
            with pg.transaction():
                return {customer_id: Taken(owner, given_to, gained_by) for customer_id, owner, given_to, gained_by
                        in pg.execute(f"SELECT customer_id, owner, given_to, gained_by FROM sync.{function}(%s)",
                                      (list(customer_ids),)).fetchall()}
        except psycopg.errors.UndefinedFunction:
            continue
    try:
        with pg.transaction():
            return {customer_id: Taken(owner, owner, "reassign") for customer_id, owner
                    in pg.execute("SELECT customer_id, owner FROM sync.taken_by(%s)", (list(customer_ids),)).fetchall()}
    except psycopg.errors.UndefinedFunction:
        return None


def _begin(pg: psycopg.Connection, client_id: str) -> None:
    """The server's lazy reclaim, and its note of when this laptop last pulled (a server before that note
    has only the reclaim)."""
    import psycopg  # deferred: the driver costs about 0.2 s, and the app loads this module at start-up

    try:
        pg.execute("SELECT sync.begin_pull(%s)", (client_id,))
    except psycopg.errors.UndefinedFunction:
        _call(pg, "SELECT sync.reclaim_lazily()")
    except Exception as error:
        refusal = refusal_of(error)
        if refusal is None:
            raise
        raise refusal from None


def _call(pg: psycopg.Connection, query: str) -> None:
    try:
        pg.execute(query)
    except Exception as error:
        refusal = refusal_of(error)
        if refusal is None:
            raise
        raise refusal from None
