"""Logging a follow-up 跟进记录: always structured, append-only, and it moves the customer's next date.

A follow-up typed wrong is corrected, not edited: the correction is a new follow-up naming the one it supersedes
(store/follow_ups.py). Only the customer's last follow-up can be corrected, by the rep who logged it, within
CORRECTION_WINDOW of when it was first logged (docs/follow-ups.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crmtui.core.dates import DateParseError, parse_next_date
from crmtui.core.errors import (
    Ambiguous,
    InvalidInput,
    Match,
    MissingFields,
    NotAllowed,
    NotFound,
)
from crmtui.core.i18n import N_
from crmtui.core.labels import DateProblem
from crmtui.core.normalize import fold
from crmtui.services import fields, revisits
from crmtui.services.context import Context
from crmtui.services.personal_data import follow_up_refusal
from crmtui.store import follow_ups as store
from crmtui.store import revisits as revisit_store

CLOSED_STATUSES = ("dormant",)
"""A customer with one of these statuses needs no next plan or next date."""

CORRECTION_WINDOW = timedelta(hours=24)
"""How long after a follow-up was logged it can be corrected: the rest of the working day and the next morning,
whatever the hour it was logged at (a fixed day's end would leave a minute to correct a call logged at 23:59)."""

CLOSED_STAGES = ("won", "lost")
"""Deals in these stages are not offered for a new follow-up (they can still be named)."""


def parse_next(ctx: Context, text: str) -> datetime:
    """A next follow-up date from natural input, refused when it is not in the future."""
    try:
        return parse_next_date(text, ctx.clock.now(), ctx.settings.default_time).when
    except DateParseError as exc:
        raise InvalidInput("next_at", "{problem}", problem=DateProblem(exc)) from None  # it quotes the input


def next_moment(ctx: Context, next_at: str | datetime | None) -> datetime | None:
    """A next follow-up given as text (parsed) or as a moment: in the future, or refused; None when not given.
    A moment already past is refused even today, as typed dates are."""
    if isinstance(next_at, str):
        return parse_next(ctx, next_at) if next_at.strip() else None
    if next_at is not None and next_at <= ctx.clock.now():
        raise InvalidInput("next_at", "a date in the future", next_at.isoformat())
    return next_at


def log_follow_up(
    ctx: Context,
    customer_id: str,
    *,
    channel: str | None,
    goal: str | None,
    goal_met: bool | None,
    notes: str | None,
    next_plan: str | None,
    next_at: str | datetime | None,
    contact_id: str | None = None,
    deal_id: str | None = None,
    satisfaction: str | int | None = None,
    nps: str | int | None = None,
    revisit: str | None = None,
) -> store.FollowUpRow:
    """Records one contact. Every field is required while the customer is open; all missing ones are named at once.
    With a satisfaction score it completes a revisit (see record_follow_up)."""
    return record_follow_up(ctx, customer_id, channel=channel, goal=goal, goal_met=goal_met, notes=notes,
                            next_plan=next_plan, next_at=next_at, contact_id=contact_id, deal_id=deal_id,
                            satisfaction=satisfaction, nps=nps, revisit=revisit).row


@dataclass(frozen=True)
class Logged:
    """A follow-up as logged, the revisit it completed (if any), and the call back its low score asked for (a new
    one, or the one already open)."""

    row: store.FollowUpRow
    revisit: revisit_store.RevisitRow | None = None
    call_back: revisits.CallBack | None = None

    @property
    def low_score(self) -> bool:
        """Whether the score was low (at or below [revisits] low_score)."""
        return self.call_back is not None


def record_follow_up(
    ctx: Context,
    customer_id: str,
    *,
    channel: str | None,
    goal: str | None,
    goal_met: bool | None,
    notes: str | None,
    next_plan: str | None,
    next_at: str | datetime | None,
    contact_id: str | None = None,
    deal_id: str | None = None,
    satisfaction: str | int | None = None,
    nps: str | int | None = None,
    revisit: str | None = None,
) -> Logged:
    """log_follow_up, saying what else it did. A satisfaction score (1-5; `nps` 0-10 is optional beside it) makes
    the follow-up a revisit's: it completes the revisit named (`revisit`), else the one open revisit due by
    today (refused with the candidates when several are), else none. A score at or below the settings' low
    mark plans a call back the next working day, unless one is already open (revisits.plan_call_back); the next
    follow-up stays as the rep typed it (docs/revisits.md)."""
    draft = draft_follow_up(ctx, channel=channel, goal=goal, goal_met=goal_met, notes=notes, next_plan=next_plan,
                            next_at=next_at)
    score = revisits.check_score("satisfaction", satisfaction, 1, 5)
    recommend = revisits.check_score("nps", nps, 0, 10)
    if score is None and (recommend is not None or (revisit is not None and revisit.strip())):
        raise MissingFields(["satisfaction"], "completing a revisit")
    now = ctx.clock.utcnow()
    with ctx.db.raw_write(now) as (connection, outbox):
        customer = store.customer_state(connection, customer_id)
        if customer is None or customer.deleted:
            raise NotFound("customer", customer_id)
        done = None
        if score is not None:
            done = revisits.choose_revisit(revisit_store.open_revisits_of(connection, customer_id), revisit,
                                           ctx.clock.today(), customer.name)
        row = follow_up_row(ctx, draft, now, customer_id, customer, contact_id, deal_id,
                            lambda table, record_id: store.belongs_to(connection, table, record_id, customer_id))
        refusal = follow_up_refusal(connection, customer_id, contact_id)  # they asked not to be contacted
        if refusal is not None:
            raise refusal
        row.satisfaction, row.nps = score, recommend
        store.insert_follow_up(connection, outbox, row)
        if done is not None:
            revisit_store.complete(connection, outbox, done.id, row.id, row.at)
        # after the completion: a call back completed with another low score plans the next one
        call_back = revisits.call_back_in(ctx, connection, outbox, customer_id, score,
                                          "revisit" if done is not None else "follow_up")
    return Logged(row, done, call_back)


@dataclass
class FollowUpDraft:
    """A follow-up's fields as typed, checked before the customer is read (the date parsed outside the write)."""

    channel: str | None
    goal: str | None
    goal_met: bool | None
    notes: str | None
    next_plan: str | None
    when: datetime | None
    missing: list[str]


def draft_follow_up(ctx: Context, *, channel: str | None, goal: str | None, goal_met: bool | None,
                    notes: str | None, next_plan: str | None, next_at: str | datetime | None) -> FollowUpDraft:
    """Each field checked on its own; the missing ones named (the next plan and date only once the customer's
    status says they are needed)."""
    missing = []
    channel_key = fields.channel(channel)
    if channel_key is None:
        missing.append("channel")
    goal_text = fields.single_line("goal", goal, max_len=500)
    if goal_text is None:
        missing.append("goal")
    if goal_met is None:
        missing.append("goal_met")
    notes_text = fields.long_text("notes", notes)
    if notes_text is None:
        missing.append("notes")
    plan_text = fields.long_text("next_plan", next_plan)
    return FollowUpDraft(channel_key, goal_text, goal_met, notes_text, plan_text, next_moment(ctx, next_at), missing)


def follow_up_row(ctx: Context, draft: FollowUpDraft, now: datetime, customer_id: str, customer: store.CustomerState,
                  contact_id: str | None, deal_id: str | None, belongs: Callable[[str, str], bool]) -> store.FollowUpRow:
    """The follow-up to write for this customer at `now`, or the refusal: fields missing, a contact or deal not the
    customer's (`belongs` answers for a table and id), a customer in the pool."""
    missing = list(draft.missing)
    is_open = customer.status not in CLOSED_STATUSES
    if is_open and draft.next_plan is None:
        missing.append("next_plan")
    if is_open and draft.when is None:
        missing.append("next_at")
    if missing:
        raise MissingFields(missing, "a follow-up")
    if contact_id and not belongs("contact", contact_id):
        raise InvalidInput("contact", "a contact of {customer}", contact_id, customer=customer.name)
    if deal_id and not belongs("deal", deal_id):
        raise InvalidInput("deal", "a deal of {customer}", deal_id, customer=customer.name)
    if customer.status == "pool":
        raise NotAllowed('"{name}" is in the public pool; claim it first', name=customer.name)
    return store.FollowUpRow(
        customer_id=customer_id,
        contact_id=contact_id,
        deal_id=deal_id,
        at=now,
        channel=draft.channel or "other",
        goal=draft.goal or "",
        goal_met=bool(draft.goal_met),
        notes=draft.notes or "",
        next_plan=draft.next_plan,
        next_at=ctx.clock.to_utc(draft.when) if draft.when else None,
    )


# Whom the rep spoke to and which deal it was about --------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """A contact or a deal the follow-up form offers: its id and how it is shown."""

    id: str
    label: str


@dataclass(frozen=True)
class FollowUpChoices:
    """The customer's live contacts and open deals, as the form offers them."""

    contacts: tuple[Choice, ...]
    deals: tuple[Choice, ...]


def follow_up_choices(ctx: Context, customer_id: str, keep: tuple[str | None, ...] = ()) -> FollowUpChoices:
    """The contacts (with their job titles) and the open deals (with their stages) of the customer; a won or
    lost deal whose id is in `keep` (the one a corrected follow-up named) is offered too."""
    # deferred: the stage names need the labels (~1 ms), which `crm log` does not word
    from crmtui.core import labels

    with ctx.db.raw_read() as connection:
        contacts = store.contacts_of(connection, customer_id)
        deals = store.deals_of(connection, customer_id)
    return FollowUpChoices(
        contacts=tuple(Choice(k.id, f"{k.name} · {k.detail}" if k.detail else k.name) for k in contacts),
        deals=tuple(Choice(d.id, f"{d.name} · {labels.stage(ctx.settings, d.detail)}") for d in deals
                    if d.detail not in CLOSED_STAGES or d.id in keep),
    )


def _compact(text: str) -> str:
    return "".join(ch for ch in fold(text).casefold() if ch.isalnum())


def resolve_reference(ctx: Context, customer_id: str, kind: str, ref: str) -> str:
    """The id of the one contact or deal (`kind`) of the customer that `ref` names: an id or its first 4+
    characters, the whole name (title) or a whole pinyin word of it, else a part of it. A reference that could
    mean several is refused with the candidates (Ambiguous), never resolved silently; one that means none is
    refused naming what there is."""
    assert kind in ("contact", "deal")
    ref = ref.strip()
    with ctx.db.raw_read() as connection:
        records = (store.contacts_of if kind == "contact" else store.deals_of)(connection, customer_id)
        customer = store.customer_state(connection, customer_id)
    name = customer.name if customer else customer_id
    key = _compact(ref)
    lowered = ref.lower()
    tiers = (
        [r for r in records if r.id == lowered or (len(lowered) >= 4 and r.id.startswith(lowered))],
        [r for r in records if key and (_compact(r.name) == key or key in r.pinyin.split())],
        [r for r in records if key and (key in _compact(r.name) or key in r.pinyin.replace(" ", ""))],
    )
    for found in tiers:
        if len(found) == 1:
            return found[0].id
        if found:
            raise Ambiguous(kind, ref, [Match(r.id, f"{r.name} · {r.detail}" if r.detail else r.name) for r in found])
    if not records:
        raise InvalidInput(kind, _NONE_YET[kind], ref, customer=name)
    listed = ", ".join(r.name for r in records[:10])
    raise InvalidInput(kind, _ONE_OF[kind], ref, customer=name, names=listed)


_NONE_YET = {"contact": N_("{customer} has no contacts yet"), "deal": N_("{customer} has no deals yet")}
_ONE_OF = {"contact": N_("a contact of {customer}: {names}"), "deal": N_("a deal of {customer}: {names}")}
"""What a contact or deal reference must be when it matches none of the customer's (InvalidInput templates)."""


# Correcting the last follow-up ----------------------------------------------------------------------------------

LastFollowUp = store.LastFollowUp
"""What last_follow_up hands the front ends: a frozen copy of the follow-up to correct."""

AMENDABLE = ("channel", "goal", "goal_met", "notes", "next_plan", "next_at", "contact_id", "deal_id")
"""What a correction can change: everything the rep typed. Its moment stays the corrected follow-up's."""


def last_follow_up(ctx: Context, customer_id: str) -> store.LastFollowUp:
    """The follow-up a correction of this customer would supersede, or why there is none to correct."""
    with ctx.db.raw_read() as connection:
        customer = store.customer_state(connection, customer_id)
        if customer is None or customer.deleted:
            raise NotFound("customer", customer_id)
        last = store.last_follow_up(connection, customer_id)
    _check_correctable(ctx, customer.name, last)
    assert last is not None
    return last


def _check_correctable(ctx: Context, name: str, last: store.LastFollowUp | None) -> None:
    if last is None:
        raise NotAllowed("{name} has no follow-up to correct", name=name)
    if last.author and last.author != ctx.settings.sync.user:
        raise NotAllowed("the last follow-up of {name} was logged by {rep}; only they can correct it",
                         name=name, rep=last.author)
    if ctx.clock.utcnow() - last.first_logged_at > CORRECTION_WINDOW:
        # deferred: formatting a date is needed only for this refusal
        from crmtui.core import i18n
        from crmtui.core.dates import format_when

        logged = format_when(ctx.clock.to_local(last.first_logged_at) or last.first_logged_at, True, i18n.language,
                             ctx.clock.today())
        raise NotAllowed("the last follow-up of {name} was logged {when}: a follow-up can be corrected only within"
                         " 24 hours of logging it; log a new one instead", name=name, when=logged)


def amend_follow_up(ctx: Context, customer_id: str, expected_id: str | None = None, **changes: Any) -> store.FollowUpRow:
    """Corrects the customer's last follow-up: a new follow-up with its fields, `changes` applied (only the
    fields given change; see AMENDABLE), at the corrected one's moment, superseding it. `expected_id` is the
    follow-up the rep saw: refused when the last one is another by now (a sync brought a newer one). The
    customer's next follow-up and last contact follow the correction."""
    unknown = set(changes) - set(AMENDABLE)
    if unknown:
        raise TypeError(f"cannot amend {sorted(unknown)}")
    before = last_follow_up(ctx, customer_id)
    values: dict[str, Any] = {name: getattr(before, name) for name in AMENDABLE} | changes
    keep_next = "next_at" not in changes or changes["next_at"] == before.next_at
    draft = draft_follow_up(ctx, channel=values["channel"], goal=values["goal"], goal_met=values["goal_met"],
                            notes=values["notes"], next_plan=values["next_plan"],
                            next_at=None if keep_next else values["next_at"])
    if keep_next:
        # the date it had stays, even once past: the correction is of what was typed, not of the plan's date
        draft.when = before.next_at
    now = ctx.clock.utcnow()
    with ctx.db.raw_write(now) as (connection, outbox):
        customer = store.customer_state(connection, customer_id)
        if customer is None or customer.deleted:
            raise NotFound("customer", customer_id)
        last = store.last_follow_up(connection, customer_id)
        _check_correctable(ctx, customer.name, last)
        assert last is not None
        if last.id != (expected_id or before.id):
            raise NotAllowed("the last follow-up of {name} changed meanwhile; open the correction again",
                             name=customer.name)
        links = {name: values[name] or None for name in ("contact_id", "deal_id")}
        for name, table in (("contact_id", "contact"), ("deal_id", "deal")):
            kept = links[name]
            if name not in changes and kept and not store.belongs_to(connection, table, kept, customer_id):
                links[name] = None  # removed since it was logged: the correction names it no more, as the form does
        row = follow_up_row(ctx, draft, now, customer_id, customer, links["contact_id"], links["deal_id"],
                            lambda table, record_id: store.belongs_to(connection, table, record_id, customer_id))
        row.at, row.corrects_id = last.at, last.id
        # the scores a revisit was given stay with the correction, and so does the revisit it completed
        row.satisfaction, row.nps = revisit_store.scores_of_follow_up(connection, last.id)
        store.insert_follow_up(connection, outbox, row)
        revisit_store.move_completion(connection, outbox, last.id, row.id)
        return row
