"""Logging a follow-up 跟进记录: always structured, append-only, and it moves the customer's next date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from crmtui.core.dates import DateParseError, parse_next_date
from crmtui.core.errors import InvalidInput, MissingFields, NotAllowed, NotFound
from crmtui.core.labels import DateProblem
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.store import follow_ups as store

CLOSED_STATUSES = ("dormant",)
"""A customer with one of these statuses needs no next plan or next date."""


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
) -> store.FollowUpRow:
    """Records one contact. Every field is required while the customer is open; all missing ones are named at once."""
    draft = draft_follow_up(ctx, channel=channel, goal=goal, goal_met=goal_met, notes=notes, next_plan=next_plan,
                            next_at=next_at)
    now = ctx.clock.utcnow()
    with ctx.db.raw_write(now) as (connection, outbox):
        customer = store.customer_state(connection, customer_id)
        if customer is None or customer.deleted:
            raise NotFound("customer", customer_id)
        row = follow_up_row(ctx, draft, now, customer_id, customer, contact_id, deal_id,
                            lambda table, record_id: store.belongs_to(connection, table, record_id, customer_id))
        return store.insert_follow_up(connection, outbox, row)


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
