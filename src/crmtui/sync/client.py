"""One sync round (push, then pull), its status, conflicts, and the pool: what `crm sync`, `crm pool` and the app call.

The local side goes through crmtui.store.replica; the server side through the team schema's functions
(writes) and plain SELECTs under row-level security (reads).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from crmtui.core import i18n, labels
from crmtui.core.errors import CrmError, NotAllowed, Offline
from crmtui.server.admin import find_customer
from crmtui.server.dsn import hide_password
from crmtui.store import history as local_history
from crmtui.store import personal_data, replica
from crmtui.store.outbox import FORMAT_VERSION, TABLE_ORDER
from crmtui.sync.connection import connect
from crmtui.sync.notices import (
    dismiss_rejected_change,
    fold_round_rejections,
    rejected_count,
)
from crmtui.sync.protocol import (
    RECEIVED,
    Conflict,
    Rejection,
    RoundReport,
    ServerInfo,
    refusal_of,
    xmax,
)
from crmtui.sync.pull import departure, pull_changes

if TYPE_CHECKING:
    import psycopg

    from crmtui.core.config import SyncSettings
    from crmtui.services.context import Context

SUPPORTED_SCHEMA = (1,)
"""Server schema versions this client understands."""
CLOCK_TOLERANCE = timedelta(minutes=5)

Connect = Callable[[], Any]


def _connection(ctx: Context):
    return connect(ctx.settings.sync)


def handshake(ctx: Context, pg: psycopg.Connection) -> ServerInfo:
    """Server versions and clock; refuses an unsupported server or a clock more than 5 minutes off."""
    try:
        now, info, manager, next_txid, columns = pg.execute(
            "SELECT sync.now(), (SELECT json_object_agg(key, value) FROM sync.server_info), sync.is_manager(),"
            " pg_snapshot_xmax(pg_current_snapshot())::text,"
            # the synced tables the server holds, with their columns (one not yet upgraded lacks the newest)
            " (SELECT json_object_agg(c.relname, (SELECT array_agg(a.attname::text) FROM pg_attribute a"
            "   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))"
            "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            "  WHERE n.nspname = 'crm' AND c.relkind = 'r' AND c.relname = ANY(%s))", (list(TABLE_ORDER),)
        ).fetchone()
    except Exception as error:  # any failure here means: not a crmtui server we know
        import psycopg  # deferred: the driver costs about 0.2 s, and the app loads this module at start-up

        if isinstance(error, psycopg.OperationalError):
            raise
        raise NotAllowed("the server has no crmtui team schema we can read ({reason}); ask the admin to run"
                         " `crm server init`", reason=str(error).splitlines()[0]) from None
    schema = int(info.get("schema_version", 0))
    format_min, format_max = int(info.get("format_min", 0)), int(info.get("format_max", 0))
    if schema not in SUPPORTED_SCHEMA or not format_min <= FORMAT_VERSION <= format_max:
        raise NotAllowed(
            "the server's schema version {schema} with mutation formats {fmin}-{fmax} is not supported by this"
            " crmtui (schema {ours}, format {format}); update crmtui or ask the admin",
            schema=schema, fmin=format_min, fmax=format_max,
            ours=", ".join(map(str, SUPPORTED_SCHEMA)), format=FORMAT_VERSION,
        )
    offset = ctx.clock.utcnow() - now
    if abs(offset) > CLOCK_TOLERANCE:
        if offset > timedelta(0):
            raise NotAllowed("this computer's clock is {gap} ahead of the server's; set the clock right, then sync",
                             gap=_gap(offset))
        raise NotAllowed("this computer's clock is {gap} behind the server's; set the clock right, then sync",
                         gap=_gap(offset))
    return ServerInfo(schema, format_min, format_max, info["epoch"], now, bool(manager), offset, int(next_txid),
                      columns={table: frozenset(names) for table, names in (columns or {}).items()})


def _gap(offset: timedelta) -> str:
    """How far the clocks are apart, as Today says a time left ("10 min", "3 h", "9 d"), to the nearest minute: a
    laptop 9 min 59 s ahead reads 10 min."""
    return labels.time_left(timedelta(minutes=round(abs(offset).total_seconds() / 60)))


def sync_round(ctx: Context, connection: Connect | None = None, wait: float = 0) -> RoundReport:
    """Push every pending mutation, then pull; the outcome is recorded for `crm sync status`. `wait`: seconds to
    wait for a round already running on this laptop to end (0: refused at once)."""
    report = RoundReport()
    try:
        # everything the round writes locally is the server's doing: the history says "sync", never the rep's
        with round_lock(ctx, wait), local_history.acting("sync", None, None), (connection or (lambda: _connection(ctx)))() as pg:
            info = handshake(ctx, pg)
            with ctx.db.raw_read() as conn:
                client_id = replica.get_meta(conn, "client_id")
            info.last_seq = pg.execute("SELECT sync.last_seq(%s)", (client_id,)).fetchone()[0]
            full = _prepare_round(ctx, info, report)
            push(ctx, pg, report, info)
            pull(ctx, pg, info, report, full=full)
    except Exception as error:
        failure = error if isinstance(error, CrmError) else _unexpected(error)
        if getattr(error, "why", None) == "disabled":
            failure = _forget_team_copy(ctx, failure)
        _remember(ctx, {"last_error": failure.message(), "last_error_words": _error_words(failure),
                        "last_error_at": ctx.clock.utcnow().isoformat(),
                        "last_error_kind": "offline" if isinstance(failure, Offline) else "error"})
        if failure is error:
            raise
        raise failure from error
    _remember(ctx, {
        "last_ok": ctx.clock.utcnow().isoformat(), "last_error": None, "last_error_words": None, "last_error_at": None,
        "last_error_kind": None,
        "server_versions": json.dumps({"schema": info.schema_version, "format_min": info.format_min,
                                       "format_max": info.format_max}),
        "clock_offset_ms": str(int(info.offset.total_seconds() * 1000)),
        "manager": "1" if info.manager else "0", "rep": ctx.settings.sync.user,
    })
    return report


def _error_words(failure: CrmError) -> str | None:
    """A round's error as its template and values, so that `crm sync status` and the app word it in the language
    they run in, not the one of the round that failed; None for an error worded some other way."""
    if type(failure)._localized is not CrmError._localized:
        return None
    values = {key: value if isinstance(value, str | int | float) else str(value)
              for key, value in failure.template_values.items()}
    return json.dumps([failure.template, values], ensure_ascii=False)


def _last_error(words: str | None, text: str | None) -> str | None:
    """The last round's error in the chosen language (as it was stored when it has no template)."""
    if not words:
        return text
    template, values = json.loads(words)
    return i18n._(template).format(**values) if values else i18n._(template)


def _forget_team_copy(ctx: Context, refusal: CrmError) -> CrmError:
    """The admin removed this rep (the server refuses the login as disabled): the customers that came from the
    team server leave this laptop. Customers with changes the server never took (pending or rejected) stay, so
    no unsent work is lost without a word; the message says how many went and how many stayed."""
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        kept = replica.unsynced_customers(conn) & replica.customer_ids(conn)
        removed = replica.drop_customers(conn, replica.customer_ids(conn) - kept)
        replica.set_meta(conn, "sync_cursor", None)  # let back in, the laptop starts again from the server
        replica.set_meta(conn, "sync_reconciled_at", None)
    if removed and kept:
        return NotAllowed("{refusal}. The team's customers were removed from this laptop ({removed}); those with"
                          " changes the server never took stay ({kept}): copy what you need from them (`crm sync"
                          " conflicts`, `crm list customers`) and give the laptop back to your admin",
                          refusal=refusal.message(), removed=removed, kept=len(kept))
    if removed:
        return NotAllowed("{refusal}. The team's customers were removed from this laptop ({removed})",
                          refusal=refusal.message(), removed=removed)
    if kept:
        # The removal was told by the round that did it: a later round only says what is still here.
        return NotAllowed("{refusal}. Customers with changes the server never took are still on this laptop"
                          " ({kept}): copy what you need from them (`crm sync conflicts`, `crm list customers`) and"
                          " give the laptop back to your admin", refusal=refusal.message(), kept=len(kept))
    return refusal


def _unexpected(error: BaseException) -> CrmError:
    """A driver error we did not foresee: what happened and what to do in our words (so in the rep's language),
    then the driver's first line as the detail for the admin (never a traceback, never a password)."""
    import psycopg  # deferred: the driver costs about 0.2 s, and the app loads this module at start-up

    if not isinstance(error, psycopg.Error):
        raise error
    text = str(error).strip().splitlines()
    detail = hide_password(text[0]) if text else type(error).__name__
    sqlstate = getattr(error, "sqlstate", None) or ""
    if isinstance(error, psycopg.OperationalError) and (not sqlstate or sqlstate.startswith("08")):
        # the client's own (no SQLSTATE) or a connection exception: the link went, not the server's work
        return NotAllowed("the connection to the team server broke off during the sync; nothing was lost: sync"
                          " again in a moment (the server said: {detail})", detail=detail)
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        return NotAllowed("the team server did not let this login do that; ask your admin (the server said:"
                          " {detail})", detail=detail)
    return NotAllowed("the team server could not finish the sync; nothing was lost: sync again, and tell your"
                      " admin if it happens again (the server said: {detail})", detail=detail)


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def round_lock(ctx: Context, wait: float = 0):  # type: ignore[no-untyped-def]
    """One round at a time per laptop (the app's worker, `crm sync`, a claim): a lock file beside the data.
    `wait`: seconds to wait for a round already running to end before refusing."""
    try:
        import fcntl
    except ImportError:  # Windows: rounds are rare enough; the server keeps them consistent anyway
        return _NoLock()
    @contextmanager
    def held():  # type: ignore[no-untyped-def]
        path = ctx.db.path.with_name(ctx.db.path.name + ".sync-lock")
        deadline = time.monotonic() + wait
        with open(path, "a+b") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise NotAllowed("another sync of this database is running; try again in a moment") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    return held()


def _prepare_round(ctx: Context, info: ServerInfo, report: RoundReport) -> bool:
    """Whether this round's pull must be a full one. A server that went back in time (restored from a
    backup, a new epoch, or commits lost in a crash) gets this laptop's whole copy again, with the
    stamps it knows: per-field last-writer-wins keeps whatever is newer, so nothing the server lost is lost."""
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        cursor = replica.get_meta(conn, "sync_cursor")
        epoch = replica.get_meta(conn, "sync_epoch")
        was_manager = replica.get_meta(conn, "sync_manager")
        lost_commits = replica.last_acknowledged(conn) > info.last_seq  # answered, then lost (a crash)
        rewound = lost_commits or (cursor is not None and (epoch != info.epoch or xmax(cursor) > info.xmax))
        if rewound:
            # The whole copy carries every pending change too (with the same stamps), parents first.
            replica.set_outcomes(conn, [(seq, "superseded", "sent again with the whole copy")
                                        for seq in replica.pending_seqs(conn)])
            report.repushed = replica.queue_repush(conn)
        changed_role = was_manager is not None and was_manager != ("1" if info.manager else "0")
    return rewound or changed_role


def _remember(ctx: Context, values: dict[str, str | None]) -> None:
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        for key, value in values.items():
            replica.set_meta(conn, f"sync_{key}", value)


# Push ---------------------------------------------------------------------------------------------

def push(ctx: Context, pg: psycopg.Connection, report: RoundReport, info: ServerInfo) -> None:
    """Sends the outbox in order, ~50 a call, until nothing is pending; each mutation ends with an outcome."""
    # deferred with the driver (about 0.2 s), as every import of psycopg here
    from psycopg.types.json import Jsonb

    server_millis = int(info.now.timestamp() * 1000)
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        report.restamped = replica.restamp_future(
            conn, server_millis + int(CLOCK_TOLERANCE.total_seconds() * 1000), server_millis)
    rotated = False
    while True:
        with ctx.db.raw_read() as conn:
            batch = replica.pending_batch(conn)
            client_id = replica.get_meta(conn, "client_id")
        waiting = next((i for i, mutation in enumerate(batch)
                        if not info.takes(mutation["table"], mutation["changes"])), None)
        if waiting is not None:
            # A server not yet upgraded lacks the table or a column: this change and every later one wait, in
            # order (the server answers a change at or below the last one it saw as done: none may go ahead).
            batch = batch[:waiting]
            if not batch:
                with ctx.db.raw_read() as conn:
                    report.held_back = len(replica.pending_seqs(conn))
                break
        if not batch:
            break
        try:
            results = pg.execute("SELECT sync.push(%s, %s)", (client_id, Jsonb(batch))).fetchone()[0]
        except Exception as error:
            refusal = refusal_of(error)
            if refusal is None:
                raise
            if refusal.key == "sequence_reused" and not rotated:
                # A restored or copied database: it carries on under a new client id.
                rotated = True
                with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
                    replica.set_client_id(conn, str(uuid.uuid4()))
                continue
            raise refusal from None
        _take_results(ctx, results, report)
        _note_follow_ups_sent(batch, results, report)
    fold_round_rejections(ctx, report)  # a rejected follow-up's move of its customer's dates is part of it
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        replica.prune_outbox(conn)


def _note_follow_ups_sent(batch: list[dict], results: list[dict], report: RoundReport) -> None:
    """The follow-ups the server took, by customer: if the customer leaves this rep in the same round, the rep is
    told their follow-up stays in its history."""
    sent = {mutation["seq"]: mutation for mutation in batch}
    for result in results:
        mutation = sent.get(result["seq"])
        if result["outcome"] != "applied" or mutation is None or mutation["table"] != "follow_up" \
                or mutation["kind"] != "insert":
            continue
        customer_id, at = mutation["changes"].get("customer_id"), mutation["changes"].get("at")
        if customer_id and at:
            report.follow_ups_sent[customer_id] = max(at, report.follow_ups_sent.get(customer_id, at))


def _take_results(ctx: Context, results: list[dict], report: RoundReport) -> None:
    by_table: dict[str, list[dict]] = {}
    stamps: list[str] = []
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        replica.set_outcomes(conn, [(r["seq"], r["outcome"], r.get("detail")) for r in results])
        # The customer's name goes with a rejection: the customer may leave this laptop in the same round.
        replica.remember_rejected_customers(conn, [r["seq"] for r in results if r["outcome"] == "rejected"])
        for result in results:
            report.pushed += 1
            setattr(report, result["outcome"], getattr(report, result["outcome"]) + 1)
            if result["outcome"] == "rejected":
                report.rejections.append((result["seq"], result.get("detail") or ""))
            row = result.get("row")
            if row:
                by_table.setdefault(replica.mutation_table(conn, result["seq"]), []).append(row)
                stamps.extend((row.get("stamps") or {}).values())
        pending = replica.pending_fields(conn)
        erasures = personal_data.arriving_erasures(conn, by_table)  # read before the rows write over what they held
        for table in TABLE_ORDER:
            replica.put_rows(conn, table, by_table.get(table, []), pending)
        replica.receive_stamps(conn, stamps)
        personal_data.finish_arrived_erasures(conn, erasures)  # a person erased elsewhere: nothing of them stays here
    if erasures:
        personal_data.vacuum(ctx.db)


def pull(ctx: Context, pg: psycopg.Connection, info: ServerInfo, report: RoundReport, *, full: bool = False) -> None:
    """Everything that changed since the last pull, in one snapshot; access changes; a reconcile when due
    (crmtui.sync.pull)."""
    pull_changes(ctx, pg, info, report, full=full)


# Status and conflicts ----------------------------------------------------------------------------

@dataclass
class SyncStatus:
    configured: bool
    server: str
    user: str
    last_ok: str | None
    last_error: str | None
    last_error_at: str | None
    offline: bool
    pending: int
    rejected: int
    server_versions: dict | None
    clock_offset_ms: int | None
    manager: bool
    set_aside: int = 0
    """Rows received from the server that this laptop could not store."""
    lost_unseen: int = 0
    """This rep's edits that lost to a later one, not yet seen in the conflicts list."""


def status(ctx: Context) -> SyncStatus:
    """What the last rounds left behind; needs no connection."""
    sync = ctx.settings.sync
    with ctx.db.raw_read() as conn:
        def meta(key: str) -> str | None:
            return replica.get_meta(conn, f"sync_{key}")

        versions = meta("server_versions")
        offset = meta("clock_offset_ms")
        return SyncStatus(
            configured=sync.configured, server=sync.server, user=sync.user, last_ok=meta("last_ok"),
            last_error=_last_error(meta("last_error_words"), meta("last_error")), last_error_at=meta("last_error_at"),
            offline=meta("last_error_kind") == "offline",
            pending=replica.count_outbox(conn, "pending"), rejected=rejected_count(conn),
            server_versions=json.loads(versions) if versions else None,
            clock_offset_ms=int(offset) if offset else None, manager=meta("manager") == "1",
            set_aside=replica.count_set_aside(conn),
            lost_unseen=replica.count_lost_edits(conn, sync.user, int(meta("lost_seen") or 0)) if sync.user else 0,
        )


def conflicts(ctx: Context) -> tuple[list[Conflict], list[Rejection]]:
    """Same-field conflicts (newest first); the mutations the server rejected, with their reasons; then the rows
    received from the server that this laptop could not store (kind "received", seq 0), with theirs."""
    with ctx.db.raw_read() as conn:
        found = [Conflict(table, record_id, customer, name, json.loads(kept) if kept else None, kept_by,
                          json.loads(lost) if lost else None, lost_by, at)
                 for _, table, record_id, customer, name, kept, kept_by, lost, lost_by, at
                 in replica.conflicts(conn)]
        names, where = replica.rejected_customers(conn), replica.rejected_whereabouts(conn, ctx.settings.sync.user)
        rejected = [Rejection(seq, table, record_id, kind, json.loads(changes), reason or "", at,
                              # rejected before names were kept: the customer may still be here
                              names.get(seq) or replica.customer_name(conn, replica.customer_of_change(
                                  conn, table, record_id, json.loads(changes))), where.get(seq))
                    for seq, table, record_id, kind, changes, reason, at in replica.rejected_mutations(conn)]
        rejected += [Rejection(0, table, record_id, RECEIVED,
                               {k: v for k, v in row.items() if k not in ("id", "stamps", "txid")},
                               f"{reason} ({reference})" if reference else reason, at,
                               replica.customer_name(conn, row.get("customer_id")))
                     for table, record_id, row, reason, reference, at in replica.set_aside_rows(conn)]
    return found, rejected


def dismiss_rejected(ctx: Context, which: int | None) -> int:
    """Dismisses one rejected change (by its number) with the changes it caused, or all of them (None): the rep
    has read it and given it up. Rows set aside are not dismissed: they are the server's and go in by themselves.
    Returns how many changes of the rep's went."""
    return dismiss_rejected_change(ctx, which)


def customer_departure(ctx: Context, customer_id: str) -> tuple[str, str | None, str | None] | None:
    """Why a customer left this laptop in a sync round, who holds it now and who moved it; None when it did not
    leave by one."""
    with ctx.db.raw_read() as conn:
        return departure(conn, customer_id)


def mark_conflicts_seen(ctx: Context) -> None:
    """The rep has seen the conflicts list: the footer's mark for edits that lost goes away."""
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        replica.set_meta(conn, "sync_lost_seen", str(replica.newest_conflict(conn)))


def rejected_customer_names(ctx: Context) -> dict[int, str]:
    """The customer's name kept with each rejected change, by its number."""
    with ctx.db.raw_read() as conn:
        return replica.rejected_customers(conn)


def pool_rules(ctx: Context) -> dict | None:
    """The pool rules of the last pull (None before the first one)."""
    with ctx.db.raw_read() as conn:
        text = replica.get_meta(conn, "sync_pool_rules")
    return json.loads(text) if text else None


# The pool -----------------------------------------------------------------------------------------

@dataclass
class PoolCustomer:
    id: str
    name: str
    company: str | None
    industry: str | None
    region: str | None
    last_follow_up: datetime | None
    status: str
    claimable_after: datetime | None = None
    """When this rep may claim it again (a release or a reclaim of theirs lately), None when they may now."""


RELOCKING_REASONS = ["release", "reclaim", "first_contact"]
"""The losses after which the server's claim bans the rep for relock_days (a manager's reassignment is not one)."""


def pool(ctx: Context, connection: Connect | None = None) -> list[PoolCustomer]:
    """The customers in the team's pool (needs the server), each with when this rep may claim it again."""
    with (connection or (lambda: _connection(ctx)))() as pg:
        info = handshake(ctx, pg)
        _server_call(pg, "SELECT sync.reclaim_lazily()", ())
        rows = pg.execute(
            "SELECT c.id, c.name, c.company, c.industry, c.region,"
            " (SELECT max(f.at) FROM crm.follow_up f WHERE f.customer_id = c.id AND f.deleted_at IS NULL), c.status,"
            " (SELECT max(a.at) + make_interval(days => r.relock_days) FROM crm.access_change a"
            "   WHERE a.customer_id = c.id AND a.rep = session_user AND a.change = 'lost' AND a.reason = ANY(%s)"
            # a loss a follow-up made in time undid bars nothing (read by name: older servers lack the column)
            "   AND to_jsonb(a)->>'undone_at' IS NULL)"
            " FROM crm.customer c, crm.pool_rule r"
            " WHERE c.owner IS NULL AND c.deleted_at IS NULL ORDER BY c.name, c.id", (RELOCKING_REASONS,)
        ).fetchall()
    return [PoolCustomer(*row[:7], claimable_after=row[7] if row[7] and row[7] > info.now else None)
            for row in rows]


def _server_call(pg: psycopg.Connection, query: str, params: tuple, ctx: Context | None = None) -> Any:
    try:
        return pg.execute(query, params).fetchone()
    except Exception as error:
        refusal = refusal_of(error, ctx)
        if refusal is None:
            raise
        raise refusal from None


CLAIM_ROUND_WAIT = 30.0
"""Seconds a claim's round waits for a round already running on the laptop (a round takes a second or two)."""


def claim(ctx: Context, ref: str, connection: Connect | None = None) -> tuple[str, RoundReport | None]:
    """Claims a pool customer on the server, then pulls it with its whole history. Returns its name and the
    round's report (None when the claim succeeded but the round after it failed: the next sync brings it)."""
    with (connection or (lambda: _connection(ctx)))() as pg:
        handshake(ctx, pg)
        customer_id, name = find_customer(pg, ref, pool_only=True)
        _server_call(pg, "SELECT sync.claim(%s)", (customer_id,), ctx)
    try:
        # A round the app's timer started meanwhile may have begun before the claim: this one waits for it to end
        # and brings the customer, so the rep's screen can open it at once.
        return name, sync_round(ctx, connection, wait=CLAIM_ROUND_WAIT)
    except CrmError:
        return name, None


def release(ctx: Context, customer_id: str, connection: Connect | None = None) -> RoundReport:
    """Gives one of the rep's customers back to the pool; local changes are pushed first."""
    with (connection or (lambda: _connection(ctx)))() as pg:
        info = handshake(ctx, pg)
        report = RoundReport()
        push(ctx, pg, report, info)
        _server_call(pg, "SELECT sync.release(%s)", (customer_id,))
        pull(ctx, pg, info, report)
    return report


def reassign(ctx: Context, customer_id: str, rep: str | None, connection: Connect | None = None) -> RoundReport:
    """A manager gives a customer to a rep (None: to the pool)."""
    with (connection or (lambda: _connection(ctx)))() as pg:
        info = handshake(ctx, pg)
        report = RoundReport()
        push(ctx, pg, report, info)
        _server_call(pg, "SELECT sync.reassign(%s, %s)", (customer_id, rep))
        pull(ctx, pg, info, report)
    return report


def reps(ctx: Context, connection: Connect | None = None) -> list[str]:
    """Active reps' names (a manager picks one to reassign to)."""
    with (connection or (lambda: _connection(ctx)))() as pg:
        return [r[0] for r in pg.execute("SELECT name FROM crm.rep WHERE active ORDER BY name")]


def check_connection(ctx: Context, password: str) -> ServerInfo:
    """Connects with a password before it is stored; checks versions and clock."""
    with connect(ctx.settings.sync, password) as pg:
        return handshake(ctx, pg)


# The team-wide duplicate check ---------------------------------------------------------------------

def server_duplicate(sync: SyncSettings, keys: list[tuple[str, str]]) -> tuple[str, str, str | None] | None:
    """The first of these keys (kind, key) that the team server knows for a customer the rep does not hold: (kind,
    "pool" or "colleague", the holder's name when the asker is a manager). The server answers one key a call,
    within a rate and a daily budget. None when no key is known, when the server cannot be reached (a quick add
    must not wait long on a train) or is too old to have the check; a check refused for the budget raises that
    refusal."""
    try:
        with connect(sync, timeout=2) as pg:
            for kind, key in keys:
                row = pg.execute("SELECT holder, owner FROM sync.check_duplicate(%s, %s)", (kind, key)).fetchone()
                if row is not None and row[0] != "mine":
                    return kind, row[0], row[1]
            return None
    except CrmError:
        return None  # offline: the laptop's own check is all there is
    except Exception as error:
        refused = refusal_of(error)
        if refused is not None and refused.key == "duplicate_check_limit":
            raise refused from None
        if refused is None and not is_driver_error(error):
            raise
        return None


def is_driver_error(error: BaseException) -> bool:
    """Whether an error is PostgreSQL's driver's, raised by it or wrapped by SQLAlchemy or Alembic (`.orig`)."""
    import psycopg  # deferred: the driver costs about 0.2 s, and the app loads this module at start-up

    return isinstance(error, psycopg.Error) or isinstance(getattr(error, "orig", None), psycopg.Error)


DUPLICATE_BATCH = 1500
"""Keys sent in one call of the batched check (the server takes up to 3,000)."""


@dataclass
class TeamMatch:
    """A key the team server knows for a customer: "mine", "pool" or "colleague", the holder's name (managers
    only), and a pool customer's name."""

    holder: str
    owner: str | None
    name: str | None


@contextmanager
def duplicate_checker(sync: SyncSettings):  # type: ignore[no-untyped-def]
    """One connection for checking many keys against the team's customers: yields a function that takes (kind,
    key) pairs (phone, email or name keys) and answers those the server knows, in one call of
    `sync.check_duplicates` a batch. Raises a CrmError (offline, the budget used up, a server too old for the
    batched check) when a check cannot be made."""
    with connect(sync, timeout=5) as pg:
        def check(keys: list[tuple[str, str]]) -> dict[tuple[str, str], TeamMatch]:
            found: dict[tuple[str, str], TeamMatch] = {}
            for start in range(0, len(keys), DUPLICATE_BATCH):
                batch = keys[start:start + DUPLICATE_BATCH]
                try:
                    rows = pg.execute("SELECT kind, key, holder, owner, name FROM sync.check_duplicates(%s, %s)",
                                      ([kind for kind, _ in batch], [key for _, key in batch])).fetchall()
                except Exception as error:  # noqa: BLE001 - our words for the driver's; anything else is re-raised
                    raise _check_failure(error) from None
                found.update({(kind, key): TeamMatch(holder, owner, name) for kind, key, holder, owner, name in rows})
            return found

        yield check


def _check_failure(error: BaseException) -> CrmError:
    """Why a batched duplicate check could not be made, as our error."""
    import psycopg  # deferred: the driver costs about 0.2 s, and the app loads this module at start-up

    refused = refusal_of(error)
    if refused is not None:
        return refused
    if isinstance(error, psycopg.errors.UndefinedFunction):
        return NotAllowed("the team server is too old to check many keys at once; ask your admin to run"
                          " `crm server init` to upgrade it")
    return _unexpected(error)
