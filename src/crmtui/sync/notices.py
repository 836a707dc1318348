"""What a sync round tells the rep, in the chosen language: customers that came or went (named, with who took
them), edits of theirs that lost, records set aside or sent again; the words for kinds of records; and the
rejected changes as the rep reads them: each field by its label with its value as the app shows it, and one
change per thing the rep did (a follow-up's move of its customer's dates goes with the follow-up)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from crmtui.core.i18n import N_

if TYPE_CHECKING:
    import sqlite3

    from crmtui.services.context import Context
    from crmtui.sync.client import Conflict, Rejection, RoundReport

POOL_REASONS = ("release", "reclaim", "first_contact", "pool")
"""Why a customer goes to the pool (crm.access_change.reason)."""


def report_notes(report: RoundReport) -> list[tuple[str, bool]]:
    """What a round has to tell the rep beyond its counts, in the chosen language: (text, is a warning)."""
    from crmtui.core.i18n import names_text, ngettext

    notes: list[tuple[str, bool]] = []
    if report.gained:
        names = report.gained_names or []
        count = max(report.gained, len(names))
        text = (ngettext("{names} came to you", "{count} customers came to you: {names}", count)
                .format(names=names_text(names), count=count) if names
                else ngettext("{count} customer came to you", "{count} customers came to you", count).format(count=count))
        notes.append((text, False))
    by_taker: dict[str | None, list[str]] = {}
    deleted: list[str] = []
    for name, reason, taker in report.lost_customers:
        if reason == "deleted":
            deleted.append(name)
            continue
        by_taker.setdefault(taker or ("" if reason in POOL_REASONS else None), []).append(name)
    if deleted:
        # Not "left your lists": it is gone from the whole team, and the rep should know it can come back.
        notes.append((ngettext("{names} was deleted by a manager; a manager can restore it",
                               "{count} customers were deleted by a manager: {names}; a manager can restore them",
                               len(deleted)).format(names=names_text(deleted), count=len(deleted)), True))
    for taker, names in by_taker.items():
        if taker:
            text = ngettext("{names} went to {rep} (a manager's reassignment)",
                            "{count} customers went to {rep} (a manager's reassignment): {names}", len(names))
        elif taker == "":
            text = ngettext("{names} went back to the pool", "{count} customers went back to the pool: {names}",
                            len(names))
        else:
            text = ngettext("{names} left your lists", "{count} customers left your lists: {names}", len(names))
        notes.append((text.format(names=names_text(names), count=len(names), rep=taker), False))
    if report.lost and not report.lost_customers:
        notes.append((ngettext("{count} customer left your lists", "{count} customers left your lists",
                               report.lost).format(count=report.lost), False))
    for lost in report.lost_edits:
        notes.append((lost_edit_text(lost), True))
    if report.repushed:
        notes.append((ngettext("the server had gone back in time (a restore, or commits lost in a crash): {count}"
                               " record was sent again",
                               "the server had gone back in time (a restore, or commits lost in a crash): {count}"
                               " records were sent again", report.repushed).format(count=report.repushed), True))
    if report.set_aside:
        notes.append((ngettext("{count} record received from the server could not be stored here and is set aside;"
                               " see `crm sync conflicts`",
                               "{count} records received from the server could not be stored here and are set aside;"
                               " see `crm sync conflicts`", report.set_aside).format(count=report.set_aside), True))
    if report.restamped:
        notes.append((ngettext("{count} change was made while this computer's clock ran ahead; it now carries the"
                               " server's time",
                               "{count} changes were made while this computer's clock ran ahead; they now carry the"
                               " server's time", report.restamped).format(count=report.restamped), True))
    return notes


def rejected_round_text(ctx: Context, report: RoundReport) -> str:
    """The round's rejected changes by name, as the app's toast says them: up to two (the customer, the change,
    why, as things stand now), then how many more; a follow-up's companion is part of the follow-up."""
    from crmtui.core.i18n import _, ngettext
    from crmtui.sync.client import RECEIVED, conflicts

    seqs = {seq for seq, _reason in report.rejections}
    _found, rejected = conflicts(ctx)
    changes = [c for c in rejected_changes([r for r in rejected if r.kind != RECEIVED]) if c.seq in seqs]
    count = max(report.rejected, len(changes))
    if not changes:
        return ngettext("{count} change was rejected by the server: press C to see why",
                        "{count} changes were rejected by the server: press C to see why", count).format(count=count)
    named = "; ".join(_("{customer}: {change} was not accepted — {why}").format(
        customer=c.rejection.customer or _("a customer no longer on this laptop"), change=change_words(c.rejection),
        why=rejection_state(c.rejection)) for c in changes[:2])
    more = count - min(2, len(changes))
    if more:
        return ngettext("{named}; and {count} more change · C to see", "{named}; and {count} more changes · C to see",
                        more).format(named=named, count=more)
    return _("{named} · C to see").format(named=named)


_CHANGE_WORDS = {
    "customer": N_("your edit"), "contact": N_("your change to a contact"), "deal": N_("your change to a deal"),
    "deal_stage_change": N_("your stage change"), "follow_up": N_("your follow-up"),
    "contract": N_("your change to a contract"), "payment": N_("your payment"), "customer_tag": N_("your tag"),
}


def change_words(rejection: Rejection) -> str:
    """What the rep did, in a few words: "your follow-up", "your edit", "your delete"."""
    from crmtui.core.i18n import _

    if rejection.table == "customer" and rejection.kind == "delete":
        return _("your delete")
    return _(_CHANGE_WORDS.get(rejection.table, N_("your change")))


_CUSTOMER_REASONS = ("no longer yours", "is in the pool", "moves to is not yours")
"""The server's reasons that mean: the customer is not the rep's any more."""


def _fate(rejection: Rejection) -> str | None:
    """What became of a rejected change's customer: "yours" (here again), "deleted", "pool", "colleague", or None
    (the reason is not about the customer's holder)."""
    if not any(words in rejection.reason for words in _CUSTOMER_REASONS):
        return None
    why = rejection.whereabouts[0] if rejection.whereabouts else None
    if why == "yours":
        return "yours"
    if why == "deleted":
        return "deleted"
    if why in POOL_REASONS or why == "removed" or (why is None and "is in the pool" in rejection.reason):
        return "pool"
    return "colleague"


def rejection_state(rejection: Rejection) -> str:
    """Why a change was not accepted, as things stand now on this laptop (who holds the customer)."""
    from crmtui.core.i18n import _
    from crmtui.sync.client import reason_text

    fate = _fate(rejection)
    holder = rejection.whereabouts[1] if rejection.whereabouts else None
    if fate == "deleted":
        return _("a manager deleted this customer")
    if fate == "pool":
        return _("this customer is in the pool now")
    if fate == "colleague":
        return _("{rep} holds this customer now").format(rep=holder) if holder else _(
            "a colleague holds this customer now")
    return reason_text(rejection.reason)


def rejection_advice(rejection: Rejection) -> str:
    """What the rep can do about a rejected change: it follows the reason and what became of the customer (claim
    it back from the pool, ask the colleague who holds it or a manager, ask a manager to restore it), with the
    note of a rejected follow-up to copy."""
    from crmtui.core.i18n import _
    from crmtui.sync.client import RECEIVED

    if rejection.kind == RECEIVED:
        return _("it is tried again when customers change hands; the admin can put the record right")
    fate = _fate(rejection)
    holder = rejection.whereabouts[1] if rejection.whereabouts else None
    if fate is None:
        if "clock" in rejection.reason:
            return _("set this computer's clock right, make the change again, then dismiss this one")
        return _("make the change again if it is still needed, then dismiss this one")
    if fate == "yours":
        advice = _("the customer is yours again: make the change again, then dismiss this one")
    elif fate == "deleted":
        advice = _("a manager deleted this customer and a manager can restore it: ask one, then make the change"
                   " again")
    elif fate == "pool":
        advice = _("claim it back from the pool (o in the app, `crm pool claim` in the shell), then make the change"
                   " again")
    elif holder:
        advice = _("{rep} holds it now: ask {rep} or a manager to make this change").format(rep=holder)
    else:
        advice = _("a colleague holds it now: ask them or a manager to make this change")
    notes = rejection.changes.get("notes") if rejection.table == "follow_up" else None
    if notes:
        return _("{advice}; your note, to copy: {notes}").format(advice=advice, notes=notes)
    return advice


def lost_edit_text(lost: Conflict) -> str:
    """One of this rep's edits that lost to a later one: customer, field, kept and lost values, who won."""
    from crmtui.core import labels
    from crmtui.core.i18n import _

    return _("your change lost: {customer} · {field}: {kept} ({winner}) was kept, your {lost} was not").format(
        customer=lost.customer or lost.record_id[:8], field=labels.field(lost.field), kept=shown_value(lost.kept),
        winner=lost.kept_by or "?", lost=shown_value(lost.lost))


def shown_value(value: object) -> str:
    return "—" if value is None else f'"{value}"'


RECORD_KINDS = {
    "customer": N_("customer"), "contact": N_("contact"), "deal": N_("deal"), "deal_stage_change": N_("stage change"),
    "follow_up": N_("follow-up"), "contract": N_("contract"), "payment": N_("payment"), "customer_tag": N_("tag"),
}


def record_kind(table: str) -> str:
    """What kind of record a table holds, in the chosen language."""
    from crmtui.core.i18n import _

    return _(RECORD_KINDS[table]) if table in RECORD_KINDS else table


# Rejected changes as the rep reads them -----------------------------------------------------------------

_NEVER_SHOWN = frozenset({"author", "stage_entered_at"})
"""Columns set by the server or by another change (who logged a follow-up, when a deal entered its stage)."""
_MOMENTS = frozenset({"at", "next_at", "next_follow_up_at", "last_contact_at", "stage_entered_at", "deleted_at"})
_DAYS = frozenset({"birthday", "expected_close", "signed_on", "end_on", "due_on", "paid_on"})
_YES_NO = frozenset({"goal_met", "decision_maker"})
_STAGES = frozenset({"stage", "from_stage", "to_stage"})


def hidden_columns(table: str) -> frozenset[str]:
    """Columns never shown as something the rep changed: ids and references, bookkeeping, and the ones computed
    from others (search keys, pinyin, score, last contact)."""
    from crmtui.store.outbox import DERIVED_FIELDS
    from crmtui.sync.client import INTERNAL_FIELDS

    return INTERNAL_FIELDS | DERIVED_FIELDS.get(table, frozenset()) | _NEVER_SHOWN


def change_value(ctx: Context, name: str, value: object) -> str:
    """A stored value as the app shows it: times in the rep's zone and the app's date format, a channel, a
    status or a stage by its name, yes/no, amounts with separators; anything else as it is."""
    from datetime import date, datetime

    from crmtui.core import i18n, labels
    from crmtui.core.dates import format_when
    from crmtui.core.formatting import format_amount

    if value is None or value == "":
        return "—"
    today = ctx.clock.today()
    try:
        if name in _MOMENTS:
            moment = ctx.clock.to_local(datetime.fromisoformat(str(value)))
            return format_when(moment, True, i18n.language, today)  # type: ignore[arg-type]
        if name in _DAYS:
            return format_when(date.fromisoformat(str(value)[:10]), False, i18n.language, today)
        if name.endswith("_cents"):
            return format_amount(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)  # a value this laptop cannot read is shown as it came
    if name in _YES_NO:
        return i18n._("yes") if value else i18n._("no")
    if name == "channel":
        return labels.channel(str(value))
    if name == "status":
        return labels.status(str(value))
    if name in _STAGES:
        return labels.stage(ctx.settings, str(value))
    if name == "probability":
        return f"{value}%"
    return str(value)


def change_fields(ctx: Context, table: str, changes: dict) -> list[tuple[str, str]]:
    """The fields of a change a rep made, by their labels, with their values as the app shows them (never the
    hidden columns)."""
    from crmtui.core import labels

    hidden = hidden_columns(table)
    return [(labels.column(table, name), change_value(ctx, name, value))
            for name, value in changes.items() if name not in hidden]


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
    from crmtui.store.outbox import DERIVED_FIELDS

    return frozenset(_CUSTOMER_DATES_OF_A_FOLLOW_UP) | {"updated_at"} | DERIVED_FIELDS["customer"]


def companions(rejected: list[_Mutation]) -> dict[int, int]:
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
    caused = companions(rejected)  # type: ignore[arg-type]
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
    import json

    from crmtui.store import replica

    return [_Row(seq, table, record_id, kind, json.loads(changes), at)
            for seq, table, record_id, kind, changes, _reason, at in replica.rejected_mutations(conn)]


def rejected_count(conn: sqlite3.Connection) -> int:
    """How many changes of the rep's the server rejected (the footer's ✗): their companions not counted."""
    rows = _rejected_rows(conn)
    return len(rows) - len(companions(rows))  # type: ignore[arg-type]


def fold_round_rejections(ctx: Context, report: RoundReport) -> None:
    """A round's rejections as changes of the rep's: the companions of a rejected follow-up leave the round's
    list and its counts of sent and rejected changes (they stay in the outbox with the follow-up)."""
    with ctx.db.raw_read() as conn:
        caused = companions(_rejected_rows(conn))  # type: ignore[arg-type]
    folded = [(seq, reason) for seq, reason in report.rejections if seq not in caused]
    dropped = len(report.rejections) - len(folded)
    report.rejections = folded
    report.rejected -= dropped
    report.pushed -= dropped


def dismiss_rejected_change(ctx: Context, which: int | None) -> int:
    """Dismisses one rejected change with its companions (by its number), or all of them (None): the rep has
    read it and given it up. Returns how many changes of the rep's went (companions not counted)."""
    from crmtui.core.errors import NotFound
    from crmtui.store import replica

    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        rows = _rejected_rows(conn)
        caused = companions(rows)  # type: ignore[arg-type]
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
