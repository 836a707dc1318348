"""What the team sync says to the rep, in the chosen language: the footer's status line, a round's notes
(customers that came or went, edits that lost, records set aside or sent again), the server's reasons, rejected
changes (what the rep did, why it was not accepted, what to do), the kinds of records and changed fields with
their values as the app shows them, and the pool's reasons.

The one presenter of the team's words: crmtui.sync hands over data (counts, rows, reason codes) and this module
words it for both front ends, so the app and `crm sync` / `crm pool` say the same thing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from crmtui.core import i18n, keymap, labels
from crmtui.core.dates import format_when
from crmtui.core.formatting import format_amount
from crmtui.core.i18n import N_, _, names_text, ngettext
from crmtui.sync.client import conflicts, customer_departure, status
from crmtui.sync.notices import POOL_REASONS, fate, hidden_columns, rejected_changes
from crmtui.sync.pool_view import OTHER, RELEASE_CODES, PoolEntry, release_reason
from crmtui.sync.protocol import (
    CLOCK_AHEAD,
    RECEIVED,
    SET_ASIDE_REASONS,
    Conflict,
    Rejection,
    RoundReport,
    reason_code,
)

if TYPE_CHECKING:
    from crmtui.services.context import Context

# The server's reasons -----------------------------------------------------------------------------------------

REASON_WORDS = {
    "not_yours": N_("the customer is no longer yours"),
    "in_pool": N_("the customer is in the pool now"),
    "no_customer": N_("its customer is not on the server"),
    "target_not_yours": N_("the customer it moves to is not yours"),
    "newer_value": N_("a newer value was already on the server"),
    "future_stamp": N_("stamp from the future: the laptop clock is ahead of the server"),
    "foreign_stamp": N_("stamp of another laptop"),
    "bad_stamp": N_("a stamp that is not a stamp"),
    "crossing_reference": N_("it refers to a record of another customer"),
    "crossed_reference": N_("records of another customer refer to it"),
    "future_time": N_("a time in the future: the laptop clock is ahead of the server"),
    "managers_delete": N_("only a manager can delete a customer of the team: release it to the pool instead"),
    "derived_dates": N_("the team server derives these dates from the follow-ups it keeps"),
    "correction_elsewhere": N_("it corrects a follow-up its customer does not have"),
    "correction_of_colleague": N_("only the rep who logged a follow-up can correct it"),
    "correction_too_late": N_("a follow-up can be corrected only within 24 hours of logging it"),
    "aside_missing_reference": N_("received from the server but not stored here: it refers to a record this laptop"
                                  " does not have"),
    "aside_crossing_reference": N_("set aside: it refers to a record of a customer that left you"),
    "aside_not_storable": N_("received from the server but not stored here: this laptop cannot take it"),
}
"""Why the server rejected or superseded a change, or why a row received from it was set aside, by code."""


def reason_text(detail: str) -> str:
    """A server's reason in the chosen language (texts we do not know stay as the server wrote them). A row set
    aside reads "reason (reference)": the reference (a column and an id) stays as it is."""
    code = reason_code(detail)
    if code is None:
        return detail
    words = _(REASON_WORDS[code])
    if code in SET_ASIDE_REASONS and detail != SET_ASIDE_REASONS[code]:
        return f"{words} ({detail.partition(' (')[2]}"
    return words


# The footer --------------------------------------------------------------------------------------------------

def status_line(ctx: Context, *, short: bool = False) -> tuple[str, bool]:
    """The footer's words: synced N min ago / N pending / offline / error; and whether it is a problem.
    `short` is for a narrow terminal: "✓ 3m · 2↑"."""
    state = status(ctx)
    parts: list[str] = []
    problem = False
    if state.last_error:
        parts.append(_("offline") if state.offline else _("sync error"))
        problem = True
    elif state.last_ok:
        minutes = int((ctx.clock.utcnow() - datetime.fromisoformat(state.last_ok)).total_seconds() // 60)
        if short:
            parts.append(f"✓ {minutes}m" if minutes else "✓")
        else:
            parts.append(_("synced just now") if minutes < 1 else _("synced {minutes} min ago").format(minutes=minutes))
    else:
        parts.append("…" if short else _("not synced yet"))
    if state.pending:
        parts.append(f"{state.pending}↑" if short else _("{count} pending").format(count=state.pending))
    if state.rejected:
        parts.append(f"{state.rejected}✗" if short else _("{count} rejected").format(count=state.rejected))
        problem = True
    if state.set_aside:
        parts.append(f"{state.set_aside}⚠" if short else _("{count} set aside").format(count=state.set_aside))
        problem = True
    if state.lost_unseen:
        parts.append(f"{state.lost_unseen}≠" if short else ngettext(
            "{count} edit lost", "{count} edits lost", state.lost_unseen).format(count=state.lost_unseen))
        problem = True
    return " · ".join(parts), problem


# A round's notes ---------------------------------------------------------------------------------------------

def report_notes(report: RoundReport, ctx: Context | None = None) -> list[tuple[str, bool]]:
    """What a round has to tell the rep beyond its counts, in the chosen language: (text, is a warning). Who
    made a change of hands is named when the server says (else "a manager"); `ctx` dates a follow-up the rep sent
    as the app does (else ISO)."""
    notes: list[tuple[str, bool]] = []
    notes += _restored_notes(report)
    restored = report.restored_names
    if report.gained > len(restored):
        names = report.gained_names or []
        count = max(report.gained - len(restored), len(names))
        text = (ngettext("{names} came to you", "{count} customers came to you: {names}", count)
                .format(names=names_text(names), count=count) if names
                else ngettext("{count} customer came to you", "{count} customers came to you", count).format(count=count))
        notes.append((text, False))
    groups: dict[tuple[str, str | None, str | None], list[str]] = {}
    for gone in report.lost_customers:
        if gone.why == "reclaim_claimed" and gone.follow_up_at:
            notes.append((_("{rep} claimed {name} from the pool; your follow-up of {day} is kept in its history")
                          .format(rep=gone.holder, name=gone.name, day=_day(ctx, gone.follow_up_at)), True))
            continue
        groups.setdefault((_departure_how(gone.why, gone.holder), gone.holder, gone.actor), []).append(gone.name)
    for (how, taker, actor), names in groups.items():
        notes.append((_departure_text(how, taker, actor, names), how == "deleted"))
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
    if report.held_back:
        notes.append((ngettext("{count} change waits: the team server is older than this crmtui and cannot keep it"
                               " yet (tickets, revisits, scores); ask the admin to upgrade it (`crm server init`)",
                               "{count} changes wait: the team server is older than this crmtui and cannot keep them"
                               " yet (tickets, revisits, scores); ask the admin to upgrade it (`crm server init`)",
                               report.held_back)
                      .format(count=report.held_back), True))
    if report.restamped:
        notes.append((ngettext("{count} change was made while this computer's clock ran ahead; it now carries the"
                               " server's time",
                               "{count} changes were made while this computer's clock ran ahead; they now carry the"
                               " server's time", report.restamped).format(count=report.restamped), True))
    return notes


def _restored_notes(report: RoundReport) -> list[tuple[str, bool]]:
    """The customers a manager restored to the rep, by who restored them."""
    by_actor: dict[str | None, list[str]] = {}
    for name in report.restored_names:
        by_actor.setdefault(report.restored_by.get(name), []).append(name)
    notes = []
    for actor, names in by_actor.items():
        if actor:
            text = ngettext("{actor} restored {names}: it is yours again",
                            "{actor} restored {count} customers: {names}; they are yours again", len(names))
        else:
            text = ngettext("a manager restored {names}: it is yours again",
                            "a manager restored {count} customers: {names}; they are yours again", len(names))
        notes.append((text.format(names=names_text(names), count=len(names), actor=actor), False))
    return notes


def _departure_how(why: str, taker: str | None) -> str:
    """How a customer left, for the words: deleted, reassign, pool_claimed, managers_pool, reclaim_claimed, pool
    (a release or the pool's reclaim), left."""
    if why in ("deleted", "pool_claimed", "reclaim_claimed"):
        return why
    if why == "pool":  # a manager's reassignment to nobody
        return "managers_pool"
    if taker:
        return "reassign"
    return "pool" if why in POOL_REASONS else "left"


def _departure_text(how: str, taker: str | None, actor: str | None, names: list[str]) -> str:
    """Customers that left the rep the same way, named (the first few, then how many more)."""
    count = len(names)
    if how == "deleted":
        # Not "left your lists": it is gone from the whole team, and the rep should know it can come back.
        text = ngettext("{actor} deleted {names}; a manager can restore it",
                        "{actor} deleted {count} customers: {names}; a manager can restore them", count) if actor \
            else ngettext("{names} was deleted by a manager; a manager can restore it",
                          "{count} customers were deleted by a manager: {names}; a manager can restore them", count)
    elif how == "reassign":
        text = ngettext("{actor} gave {names} to {rep}", "{actor} gave {count} customers to {rep}: {names}", count) \
            if actor else ngettext("{names} went to {rep} (a manager's reassignment)",
                                   "{count} customers went to {rep} (a manager's reassignment): {names}", count)
    elif how == "pool_claimed":
        text = ngettext("{actor} put {names} back in the pool; {rep} has claimed it since",
                        "{actor} put {count} customers back in the pool; {rep} has claimed them since: {names}",
                        count) if actor \
            else ngettext("a manager put {names} back in the pool; {rep} has claimed it since",
                          "a manager put {count} customers back in the pool; {rep} has claimed them since: {names}",
                          count)
    elif how == "managers_pool":
        text = ngettext("{actor} put {names} back in the pool",
                        "{actor} put {count} customers back in the pool: {names}", count) if actor \
            else ngettext("a manager put {names} back in the pool",
                          "a manager put {count} customers back in the pool: {names}", count)
    elif how == "reclaim_claimed":
        text = ngettext("{rep} claimed {names} from the pool", "{rep} claimed {count} customers from the pool: {names}",
                        count)
    elif how == "pool":
        text = ngettext("{names} went back to the pool", "{count} customers went back to the pool: {names}", count)
    else:
        text = ngettext("{names} left your lists", "{count} customers left your lists: {names}", count)
    return text.format(names=names_text(names), count=count, rep=taker, actor=actor)


def _day(ctx: Context | None, moment: str) -> str:
    """A stored time as the app shows its day ("Sat 28 Nov"); ISO without a context."""
    if ctx is None:
        return moment[:10]
    try:
        local = ctx.clock.to_local(datetime.fromisoformat(moment))
    except ValueError:
        return moment[:10]
    return format_when(local.date(), False, i18n.language, ctx.clock.today())


def departure_notice(ctx: Context, customer_id: str) -> str | None:
    """Where a customer that left this laptop in a sync round went, for a screen still open on it: to a colleague
    (a manager's reassignment), back to the pool, deleted by a manager; None when it did not leave by a round."""
    where = customer_departure(ctx, customer_id)
    if where is None:
        return None
    why, taker, actor = where
    if why == "deleted":
        if actor:
            return _("{actor} deleted this customer; a manager can restore it").format(actor=actor)
        return _("A manager deleted this customer; a manager can restore it")
    if why == "pool_claimed":
        if actor:
            return _("{actor} put this customer back in the pool; {rep} has claimed it since").format(
                actor=actor, rep=taker)
        return _("A manager put this customer back in the pool; {rep} has claimed it since").format(rep=taker)
    if why == "reclaim_claimed":
        return _("This customer went back to the pool; {rep} has claimed it since").format(rep=taker)
    if taker:
        if actor:
            return _("{actor} gave this customer to {rep}").format(actor=actor, rep=taker)
        return _("This customer went to {rep} (a manager's reassignment)").format(rep=taker)
    if why == "pool":
        if actor:
            return _("{actor} put this customer back in the pool").format(actor=actor)
        return _("A manager put this customer back in the pool")
    if why in POOL_REASONS:
        return _("This customer went back to the pool")
    return _("This customer left your lists")


def lost_edit_text(lost: Conflict) -> str:
    """One of this rep's edits that lost to a later one: customer, field, kept and lost values, who won."""
    return _("your change lost: {customer} · {field}: {kept} ({winner}) was kept, your {lost} was not").format(
        customer=lost.customer or lost.record_id[:8], field=labels.field(lost.field), kept=shown_value(lost.kept),
        winner=lost.kept_by or "?", lost=shown_value(lost.lost))


def shown_value(value: object) -> str:
    """A conflict's value as the lists quote it: "value", or a dash for none."""
    return "—" if value is None else f'"{value}"'


# Rejected changes ---------------------------------------------------------------------------------------------

def rejected_round_text(ctx: Context, report: RoundReport) -> str:
    """The round's rejected changes by name, as the app's toast says them: up to two (the customer, the change,
    why, as things stand now), then how many more; a follow-up's companion is part of the follow-up."""
    seqs = {seq for seq, _reason in report.rejections}
    _found, rejected = conflicts(ctx)
    changes = [c for c in rejected_changes([r for r in rejected if r.kind != RECEIVED]) if c.seq in seqs]
    count = max(report.rejected, len(changes))
    if not changes:
        return ngettext("{count} change was rejected by the server: press {key} to see why",
                        "{count} changes were rejected by the server: press {key} to see why", count).format(
                            count=count, key=app_key(ctx, "conflicts"))
    named = "; ".join(_("{customer}: {change} was not accepted — {why}").format(
        customer=c.rejection.customer or _("a customer no longer on this laptop"), change=change_words(c.rejection),
        why=rejection_state(c.rejection)) for c in changes[:2])
    more = count - min(2, len(changes))
    if more:
        return ngettext("{named}; and {count} more change · {key} to see",
                        "{named}; and {count} more changes · {key} to see", more).format(
                            named=named, count=more, key=app_key(ctx, "conflicts"))
    return _("{named} · {key} to see").format(named=named, key=app_key(ctx, "conflicts"))


_SHOWN_KEYS = {"slash": "/", "question_mark": "?", "dollar_sign": "$"}
"""Textual's names of keys a message writes as the character the rep types."""


def app_key(ctx: Context | None, binding_id: str) -> str:
    """The key a message tells the rep to press for an app action: the first of its keys, as remapped in the
    config's [keys] table, else the default."""
    remapped = dict(ctx.settings.keys) if ctx is not None else {}
    keys = remapped.get(binding_id) or next(b.keys for b in keymap.BINDINGS if b.id == binding_id)
    first = keymap.key_names(keys)[0]
    return _SHOWN_KEYS.get(first, first)


_CHANGE_WORDS = {
    "customer": N_("your edit"), "contact": N_("your change to a contact"), "deal": N_("your change to a deal"),
    "deal_stage_change": N_("your stage change"), "follow_up": N_("your follow-up"),
    "contract": N_("your change to a contract"), "payment": N_("your payment"), "customer_tag": N_("your tag"),
    "revisit": N_("your change to a revisit"), "ticket": N_("your change to a ticket"),
    "ticket_event": N_("your ticket update"),
}


def change_words(rejection: Rejection) -> str:
    """What the rep did, in a few words: "your follow-up", "your edit", "your delete"."""
    if rejection.table == "customer" and rejection.kind == "delete":
        return _("your delete")
    return _(_CHANGE_WORDS.get(rejection.table, N_("your change")))


def rejection_state(rejection: Rejection) -> str:
    """Why a change was not accepted, as things stand now on this laptop (who holds the customer)."""
    became = fate(rejection)
    holder = rejection.whereabouts[1] if rejection.whereabouts else None
    if became == "deleted":
        return _("a manager deleted this customer")
    if became == "pool":
        return _("this customer is in the pool now")
    if became == "colleague":
        return _("{rep} holds this customer now").format(rep=holder) if holder else _(
            "a colleague holds this customer now")
    return reason_text(rejection.reason)


def advice(rejection: Rejection, ctx: Context | None = None) -> str:
    """What the rep can do about a rejected change: it follows the reason and what became of the customer (claim
    it back from the pool, ask the colleague who holds it or a manager, ask a manager to restore it), with the
    note of a rejected follow-up to copy. For a row set aside: that it is tried again by itself. `ctx` names the
    app's keys as the rep mapped them."""
    if rejection.kind == RECEIVED:
        return _("it is tried again when customers change hands; the admin can put the record right")
    became = fate(rejection)
    holder = rejection.whereabouts[1] if rejection.whereabouts else None
    if became is None:
        if rejection.reason_code in CLOCK_AHEAD:
            return _("set this computer's clock right, make the change again, then dismiss this one")
        return _("make the change again if it is still needed, then dismiss this one")
    if became == "yours":
        words = _("the customer is yours again: make the change again, then dismiss this one")
    elif became == "deleted":
        words = _("a manager deleted this customer and a manager can restore it: ask one, then make the change"
                  " again")
    elif became == "pool":
        words = _("claim it back from the pool ({key} in the app, `crm pool claim` in the shell), then make the"
                  " change again").format(key=app_key(ctx, "pool"))
    elif holder:
        words = _("{rep} holds it now: ask {rep} or a manager to make this change").format(rep=holder)
    else:
        words = _("a colleague holds it now: ask them or a manager to make this change")
    notes = rejection.changes.get("notes") if rejection.table == "follow_up" else None
    if notes:
        return _("{advice}; your note, to copy: {notes}").format(advice=words, notes=notes)
    return words


RECORD_KINDS = {
    "customer": N_("customer"), "contact": N_("contact"), "deal": N_("deal"), "deal_stage_change": N_("stage change"),
    "follow_up": N_("follow-up"), "contract": N_("contract"), "payment": N_("payment"), "customer_tag": N_("tag"),
    "revisit": N_("revisit"), "ticket": N_("ticket"), "ticket_event": N_("ticket update"),
}


def record_kind(table: str) -> str:
    """What kind of record a table holds, in the chosen language."""
    return _(RECORD_KINDS[table]) if table in RECORD_KINDS else table


# Changed fields and their values ------------------------------------------------------------------------------

_MOMENTS = frozenset({"at", "next_at", "next_follow_up_at", "last_contact_at", "stage_entered_at", "deleted_at",
                      "done_at", "opened_at", "respond_by", "resolve_by", "responded_at", "resolved_at", "closed_at"})
_DAYS = frozenset({"birthday", "expected_close", "signed_on", "end_on", "due_on", "paid_on", "service_from",
                   "warranty_until"})
_YES_NO = frozenset({"goal_met", "decision_maker"})
_STAGES = frozenset({"stage", "from_stage", "to_stage"})


def change_value(ctx: Context, name: str, value: object) -> str:
    """A stored value as the app shows it: times in the rep's zone and the app's date format, a channel, a
    status or a stage by its name, yes/no, amounts with separators; anything else as it is."""
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
        return _("yes") if value else _("no")
    if name == "channel":
        return labels.channel(str(value))
    if name == "status":
        return labels.status(str(value))
    if name in _STAGES:
        return labels.stage(ctx.settings, str(value))
    if name == "probability":
        return f"{value}%"
    return str(value)


def change_fields(ctx: Context, table: str, changes: dict, kind: str | None = None) -> list[tuple[str, str]]:
    """The fields of a change a rep made, by their labels, with their values as the app shows them (never the
    hidden columns). A new record's (`kind` insert) empty columns are none of the rep's doing: left out (an
    update's empty value is a field the rep cleared, and stays)."""
    hidden = hidden_columns(table)
    return [(labels.column(table, name), change_value(ctx, name, value))
            for name, value in changes.items()
            if name not in hidden and not (kind == "insert" and value in (None, ""))]


def raw_fields(rejection: Rejection) -> list[dict[str, object]]:
    """The fields of a rejected change or of a row set aside as `crm sync conflicts --json` gives them: each
    column's name, its label in the chosen language and its value as stored (ISO times in UTC, amounts in cents,
    codes), never the hidden columns (the same ones change_fields leaves out)."""
    hidden = hidden_columns(rejection.table)
    return [{"field": name, "label": labels.column(rejection.table, name), "value": value}
            for name, value in rejection.changes.items() if name not in hidden]


# The pool ------------------------------------------------------------------------------------------------------

_RELEASE_LABELS = {
    "not-my-territory": N_("not my territory"),
    "no-budget": N_("no budget"),
    "duplicate": N_("duplicate"),
    "wrong-contact": N_("wrong contact data"),
    OTHER: N_("other"),
}
RELEASE_REASONS = tuple((code, _RELEASE_LABELS[code]) for code in RELEASE_CODES)
"""Why a rep releases a customer: the code (typed in the CLI, kept on the server) and its label (a msgid)."""

WHY_WITH_REASON = {"release": N_("released: {reason}")}
"""Why a customer is in the pool with the reason the releasing rep gave, one message with the reason in it (each
language puts it, and its punctuation, where it goes)."""
WHY_IN_POOL = {
    "release": N_("released"),
    "reclaim": N_("no follow-up in time"),
    "first_contact": N_("not contacted in time after a claim"),
    "reassign": N_("put back by a manager"),
    "removed": N_("its rep left the team"),
}
"""Why a customer is in the pool: the server's name of the change of hands that put it there."""


def parse_reason_option(text: str) -> str:
    """`--reason` of `crm pool release`: a code, `other: words`, or a label in the chosen language."""
    typed = text.strip()
    for code, label in RELEASE_REASONS:
        if code != OTHER and typed.casefold() in (label.casefold(), _(label).casefold()):
            return code
    for colon in (":", "："):
        head, sep, rest = typed.partition(colon)
        if sep and head.strip().casefold() in (OTHER, _("other").casefold()):
            return release_reason(OTHER, rest)
    return release_reason(typed)


def reason_label(stored: str | None) -> str:
    """A kept reason in the chosen language: the label of a code, or the rep's own words."""
    if not stored:
        return ""
    if stored.startswith(OTHER + ":"):
        return stored[len(OTHER) + 1:].strip()
    return _(_RELEASE_LABELS[stored]) if stored in _RELEASE_LABELS else stored


def why_text(entry: PoolEntry) -> str:
    """Why a customer is in the pool: "released: no budget", "no follow-up in time", or "" when the server does
    not say."""
    if not entry.why:
        return ""
    text = _(WHY_IN_POOL[entry.why]) if entry.why in WHY_IN_POOL else entry.why
    if not entry.note:
        return text
    if entry.why in WHY_WITH_REASON:
        return _(WHY_WITH_REASON[entry.why]).format(reason=reason_label(entry.note))
    return _("{why}: {reason}").format(why=text, reason=reason_label(entry.note))


__all__ = [
    "REASON_WORDS", "RECORD_KINDS", "RELEASE_REASONS", "WHY_IN_POOL", "WHY_WITH_REASON", "advice", "change_fields",
    "change_value", "change_words", "lost_edit_text", "parse_reason_option", "raw_fields", "reason_label",
    "reason_text", "record_kind", "rejected_round_text", "rejection_state", "report_notes", "shown_value",
    "status_line", "why_text",
]
