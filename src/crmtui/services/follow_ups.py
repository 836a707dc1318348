"""Logging a follow-up 跟进记录: always structured, append-only, and it moves the customer's next date."""

from __future__ import annotations

from datetime import datetime

from crmtui.errors import InvalidInput, MissingFields, NotAllowed, NotFound
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.store import follow_ups as store

CLOSED_STATUSES = ("dormant",)
"""A customer with one of these statuses needs no next plan or next date."""


def parse_next(ctx: Context, text: str) -> datetime:
    """A next follow-up date from natural input, refused when it is not in the future."""
    from crmtui.dates import DateParseError, parse_next_date  # deferred: the CLI imports this module

    try:
        return parse_next_date(text, ctx.clock.now(), ctx.settings.default_time).when
    except DateParseError as exc:
        from crmtui.labels import DateProblem

        raise InvalidInput("next", "{problem}", problem=DateProblem(exc)) from None  # it quotes the input


def next_moment(ctx: Context, next_at: str | datetime | None) -> datetime | None:
    """A next follow-up given as text (parsed) or as a moment: in the future, or refused; None when not given.
    A moment already past is refused even today, as typed dates are."""
    if isinstance(next_at, str):
        return parse_next(ctx, next_at) if next_at.strip() else None
    if next_at is not None and next_at <= ctx.clock.now():
        raise InvalidInput("next", "a date in the future", next_at.isoformat())
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
    missing = []
    channel_key = fields.channel(channel)
    if channel_key is None:
        missing.append("channel")
    goal_text = fields.single_line("goal", goal, max_len=500)
    if goal_text is None:
        missing.append("goal")
    if goal_met is None:
        missing.append("goal met (yes/no)")
    notes_text = fields.long_text("notes", notes)
    if notes_text is None:
        missing.append("notes")
    plan_text = fields.long_text("next plan", next_plan)
    now = ctx.clock.utcnow()
    when = next_moment(ctx, next_at)
    with ctx.db.raw_write(now) as (connection, outbox):
        customer = store.customer_state(connection, customer_id)
        if customer is None or customer.deleted:
            raise NotFound("customer", customer_id)
        is_open = customer.status not in CLOSED_STATUSES
        if is_open and plan_text is None:
            missing.append("next plan")
        if is_open and when is None:
            missing.append("next date")
        if missing:
            raise MissingFields(missing, "a follow-up")
        if contact_id and not store.belongs_to(connection, "contact", contact_id, customer_id):
            raise InvalidInput("contact", "a contact of {customer}", contact_id, customer=customer.name)
        if deal_id and not store.belongs_to(connection, "deal", deal_id, customer_id):
            raise InvalidInput("deal", "a deal of {customer}", deal_id, customer=customer.name)
        if customer.status == "pool":
            raise NotAllowed('"{name}" is in the public pool; claim it first', name=customer.name)
        return store.insert_follow_up(
            connection,
            outbox,
            store.FollowUpRow(
                customer_id=customer_id,
                contact_id=contact_id,
                deal_id=deal_id,
                at=now,
                channel=channel_key or "other",
                goal=goal_text or "",
                goal_met=bool(goal_met),
                notes=notes_text or "",
                next_plan=plan_text,
                next_at=ctx.clock.to_utc(when) if when else None,
            ),
        )
