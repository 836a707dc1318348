"""The rejected changes of a round as the rep's own changes (one per thing the rep did: a follow-up's move of its
customer's dates goes with the follow-up), their count, their dismissal, and what became of a rejected change's
customer. Data only: crmtui.services.team_words words them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from crmtui.core.errors import NotFound
from crmtui.store import replica
from crmtui.store.outbox import DERIVED_FIELDS
from crmtui.sync.protocol import CUSTOMER_LEFT, INTERNAL_FIELDS, Rejection, RoundReport

if TYPE_CHECKING:
    import sqlite3

    from crmtui.services.context import Context

POOL_REASONS = ("release", "reclaim", "first_contact", "pool")
"""Why a customer goes to the pool (crm.access_change.reason)."""


def fate(rejection: Rejection) -> str | None:
    """What became of a rejected change's customer: "yours" (here again), "deleted", "pool", "colleague", or None
    (the reason is not about the customer's holder)."""
    code = rejection.reason_code
    if code not in CUSTOMER_LEFT:
        return None
    why = rejection.whereabouts[0] if rejection.whereabouts else None
    if why == "yours":
        return "yours"
    if why == "deleted":
        return "deleted"
    if why in POOL_REASONS or why == "removed" or (why is None and code == "in_pool"):
        return "pool"
    return "colleague"


_NEVER_SHOWN = frozenset({"author", "stage_entered_at"})
"""Columns set by the server or by another change (who logged a follow-up, when a deal entered its stage)."""


def hidden_columns(table: str) -> frozenset[str]:
    """Columns never shown as something the rep changed: ids and references, bookkeeping, and the ones computed
    from others (search keys, pinyin, score, last contact)."""
    return INTERNAL_FIELDS | DERIVED_FIELDS.get(table, frozenset()) | _NEVER_SHOWN


class _Mutation(Protocol):
    seq: int
    table: str
    record_id: str
    kind: str
    changes: dict
    at: str


_CUSTOMER_DATES_OF_A_FOLLOW_UP = {"last_contact_at": "at", "next_follow_up_at": "next_at"}
"""The customer's columns that logging a follow-up sets, and the follow-up's column each one takes."""


def _follow_up_companion_fields() -> frozenset[str]:
    return frozenset(_CUSTOMER_DATES_OF_A_FOLLOW_UP) | {"updated_at"} | DERIVED_FIELDS["customer"]


def companions(rejected: Sequence[_Mutation]) -> dict[int, int]:
    """The rejected changes that are no change of the rep's own: a customer update made only of the dates (and
    other derived columns) that a rejected follow-up of the same write gave its customer. By number, the number
    of the follow-up each one goes with."""
    allowed = _follow_up_companion_fields()
    follow_ups = [r for r in rejected if r.table == "follow_up" and r.kind == "insert"]
    found: dict[int, int] = {}
    for change in rejected:
        if change.table != "customer" or change.kind != "update" or not set(change.changes) <= allowed:
            continue
        causes = [f for f in follow_ups if f.at == change.at and f.changes.get("customer_id") == change.record_id
                  and all(change.changes[column] == f.changes.get(source)
                          for column, source in _CUSTOMER_DATES_OF_A_FOLLOW_UP.items() if column in change.changes)]
        if causes:
            found[change.seq] = max(causes, key=lambda f: f.seq).seq
    return found


@dataclass
class RejectedChange:
    """One thing the rep did that the server rejected: its mutation, and the ones it caused that were rejected
    with it (kept in the outbox, listed and dismissed with it, never counted on their own)."""

    rejection: Rejection
    companions: list[Rejection] = field(default_factory=list)

    @property
    def seq(self) -> int:
        return self.rejection.seq


def rejected_changes(rejected: list[Rejection]) -> list[RejectedChange]:
    """The rejected mutations (the laptop's own, not rows set aside) as the rep's changes, in order."""
    caused = companions(rejected)
    changes = {r.seq: RejectedChange(r) for r in rejected if r.seq not in caused}
    for r in rejected:
        if r.seq in caused:
            changes[caused[r.seq]].companions.append(r)
    return list(changes.values())


@dataclass
class _Row:
    seq: int
    table: str
    record_id: str
    kind: str
    changes: dict
    at: str


def _rejected_rows(conn: sqlite3.Connection) -> list[_Row]:
    return [_Row(seq, table, record_id, kind, json.loads(changes), at)
            for seq, table, record_id, kind, changes, _reason, at in replica.rejected_mutations(conn)]


def rejected_count(conn: sqlite3.Connection) -> int:
    """How many changes of the rep's the server rejected (the footer's ✗): their companions not counted."""
    rows = _rejected_rows(conn)
    return len(rows) - len(companions(rows))


def fold_round_rejections(ctx: Context, report: RoundReport) -> None:
    """A round's rejections as changes of the rep's: the companions of a rejected follow-up leave the round's
    list and its counts of sent and rejected changes (they stay in the outbox with the follow-up)."""
    with ctx.db.raw_read() as conn:
        caused = companions(_rejected_rows(conn))
    folded = [(seq, reason) for seq, reason in report.rejections if seq not in caused]
    dropped = len(report.rejections) - len(folded)
    report.rejections = folded
    report.rejected -= dropped
    report.pushed -= dropped


def dismiss_rejected_change(ctx: Context, which: int | None) -> int:
    """Dismisses one rejected change with its companions (by its number), or all of them (None): the rep has
    read it and given it up. Returns how many changes of the rep's went (companions not counted)."""
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        rows = _rejected_rows(conn)
        caused = companions(rows)
        if which is None:
            count = replica.dismiss_rejected(conn, None) - len(caused)
        else:
            count = replica.dismiss_rejected(conn, which)
            for seq, cause in caused.items():
                if count and cause == which:
                    replica.dismiss_rejected(conn, seq)
    if which is not None and count == 0:
        raise NotFound("rejected change", f"#{which}")
    return count
