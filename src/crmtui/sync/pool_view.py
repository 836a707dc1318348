"""The pool as a rep judges it: why each customer is there, a pool customer's history read from the server before
claiming it, and a release that says why (what `crm pool` and the app's pool call). Data only: the reasons'
words are crmtui.services.team_words'.

A rep's role may read the pool's customers with everything hanging off them (row-level security allows it);
those rows are read here and never written to the laptop: the customer arrives on the laptop only when
claimed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crmtui.core.errors import CrmError, InvalidInput, NotFound
from crmtui.core.normalize import visible
from crmtui.server.admin import DELETED_CUSTOMERS
from crmtui.sync.client import (
    Connect,
    PoolCustomer,
    _connection,
    _server_call,
    handshake,
    pool,
    pull,
    push,
    sync_round,
)
from crmtui.sync.protocol import RoundReport, refusal_of

if TYPE_CHECKING:
    from crmtui.services.context import Context

RELEASE_CODES = ("not-my-territory", "no-budget", "duplicate", "wrong-contact", "other")
"""Why a rep releases a customer, as typed in the CLI and kept on the server (the last one takes the rep's words:
`other: <words>`)."""
OTHER = "other"
NOTE_MAX = 200
"""The longest own words an "other" reason keeps."""


def release_reason(code: str, note: str = "") -> str:
    """The reason as the server keeps it: a listed code, or `other: <words>` (words required)."""
    codes = list(RELEASE_CODES)
    typed = code
    head, colon, words = _split_other(code)
    if colon:  # one string "other: <words>": the words are the rep's, never folded like a code
        note = note or words
    code = head.strip().lower().replace("_", "-").replace(" ", "-")
    if code not in codes:
        raise InvalidInput("reason", "one of {choices}, or other: followed by your words", typed.strip(),
                           choices=", ".join(codes[:-1]))
    if code != OTHER:
        return code
    words = " ".join(visible(note).split())
    if not words:
        raise InvalidInput("reason", "other: followed by your words (why it goes back to the pool)")
    if len(words) > NOTE_MAX:
        raise InvalidInput("reason", "at most {count} characters", count=NOTE_MAX)
    return f"{OTHER}: {words}"


def _split_other(text: str) -> tuple[str, str, str]:
    """"other: words" (an ASCII or a Chinese colon) as ("other", ":", "words"); anything else as (text, "", "")."""
    for colon in (":", "："):
        head, sep, rest = text.partition(colon)
        if sep and head.strip().casefold() == OTHER:
            return head, sep, rest
    return text, "", ""


@dataclass
class PoolEntry(PoolCustomer):
    """A pool customer with why it is there and since when."""

    why: str | None = None
    """The change of hands that put it in the pool (release, reclaim, reassign, removed...)."""
    note: str | None = None
    """The releasing rep's reason, as kept."""
    since: datetime | None = None


def pool_list(ctx: Context, connection: Connect | None = None) -> list[PoolEntry]:
    """The team's pool with why each customer is there (a server before release reasons: without)."""
    customers = pool(ctx, connection)
    reasons: dict[str, tuple[str, str | None, datetime]] = {}
    with (connection or (lambda: _connection(ctx)))() as pg:
        if _has_function(pg, "sync.pool_reasons()"):
            reasons = {row[0]: row[1:] for row in pg.execute(
                "SELECT customer_id, reason, note, at FROM sync.pool_reasons()")}
    return [PoolEntry(**vars(c), **dict(zip(("why", "note", "since"), reasons.get(c.id, (None, None, None)))))
            for c in customers]


def _has_function(pg: Any, signature: str) -> bool:
    return pg.execute("SELECT to_regprocedure(%s) IS NOT NULL", (signature,)).fetchone()[0]


@dataclass
class PoolRecords:
    """A pool customer's rows as the server has them (plain dicts, times in UTC without zone)."""

    customer: dict
    contacts: list[dict] = field(default_factory=list)
    deals: list[dict] = field(default_factory=list)
    follow_ups: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    contracts: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)


def read_pool_customer(ctx: Context, customer_id: str, connection: Connect | None = None) -> PoolRecords:
    """One customer of the pool with its contacts, deals, follow-ups (newest first), tags, contracts and
    instalments, read from the server under the rep's own rights. A customer claimed meanwhile is not found."""
    live = " AND deleted_at IS NULL"
    with (connection or (lambda: _connection(ctx)))() as pg:
        handshake(ctx, pg)

        def rows(query: str) -> list[dict]:
            cursor = pg.execute(query, (customer_id,))
            names = [column.name for column in cursor.description]
            return [{name: _naive(value) for name, value in zip(names, row, strict=True)} for row in cursor]

        found = rows("SELECT * FROM crm.customer WHERE id = %s AND owner IS NULL" + live)
        if not found:
            raise NotFound("customer", customer_id)
        follow_ups = rows("SELECT * FROM crm.follow_up WHERE customer_id = %s" + live + " ORDER BY at DESC, id")
        # A follow-up superseded by a correction is not shown, as on the laptop (an older server has no
        # corrects_id: nothing is superseded there).
        corrected = {row["corrects_id"] for row in follow_ups if row.get("corrects_id")}
        return PoolRecords(
            customer=found[0],
            contacts=rows("SELECT * FROM crm.contact WHERE customer_id = %s" + live + " ORDER BY name, id"),
            deals=rows("SELECT * FROM crm.deal WHERE customer_id = %s" + live + " ORDER BY created_at, id"),
            follow_ups=[row for row in follow_ups if row["id"] not in corrected],
            tags=[row["tag"] for row in rows("SELECT * FROM crm.customer_tag WHERE customer_id = %s" + live
                                             + " ORDER BY tag")],
            contracts=rows("SELECT * FROM crm.contract WHERE customer_id = %s" + live + " ORDER BY created_at, id"),
            payments=rows("SELECT * FROM crm.payment WHERE customer_id = %s" + live + " ORDER BY due_on, id"),
        )


def _naive(value: object) -> object:
    """Times as the laptop keeps them: UTC without a zone."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def release(ctx: Context, customer_id: str, reason: str, connection: Connect | None = None) -> RoundReport:
    """Gives one of the rep's customers back to the pool with a reason (see release_reason); local changes are
    pushed first, and the pull after it takes the customer off this laptop."""
    with (connection or (lambda: _connection(ctx)))() as pg:
        info = handshake(ctx, pg)
        report = RoundReport()
        push(ctx, pg, report, info)
        _server_call(pg, "SELECT sync.release(%s, %s)", (customer_id, reason), ctx)
        pull(ctx, pg, info, report)
    return report


@dataclass
class DeletedCustomer:
    """A team customer someone deleted, as a manager sees it before restoring it."""

    id: str
    name: str
    deleted_at: datetime
    holder: str | None
    """The rep it goes back to when restored (who held it when deleted and is still on the team); None: the pool."""


def deleted_customers(ctx: Context, connection: Connect | None = None) -> list[DeletedCustomer]:
    """The team's deleted customers, newest deletion first, each with the rep a restore gives it back to
    (the server's rule: its last change of hands was that rep losing it to the deletion). Managers only."""
    with (connection or (lambda: _connection(ctx)))() as pg:
        handshake(ctx, pg)
        try:
            rows = pg.execute(DELETED_CUSTOMERS).fetchall()
        except Exception as error:
            refusal = refusal_of(error, ctx)
            if refusal is None:
                raise
            raise refusal from None
    return [DeletedCustomer(row[0], row[1], _naive(row[2]), row[3]) for row in rows]  # type: ignore[arg-type]


def restore_deleted(ctx: Context, customer_id: str, connection: Connect | None = None) -> RoundReport | None:
    """Restores a deleted customer on the server (with the records deleted with it), then runs a sync round so
    that this laptop has it again if it is the manager's own; None when the restore worked but the round failed
    (the next sync brings it)."""
    with (connection or (lambda: _connection(ctx)))() as pg:
        handshake(ctx, pg)
        _server_call(pg, "SELECT sync.restore(%s)", (customer_id,), ctx)
    try:
        return sync_round(ctx, connection)
    except CrmError:
        return None
