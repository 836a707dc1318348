"""A planned revisit (回访) done without a satisfaction score: the rep did it and did not ask. A follow-up is logged
saying so and completes the revisit (docs/revisits.md). Kept out of services/revisits.py, which
services/follow_ups.py imports: this one uses both."""

from __future__ import annotations

from datetime import datetime

from crmtui.core.i18n import N_, _
from crmtui.services import follow_ups, history, revisits
from crmtui.services.context import Context
from crmtui.core.errors import InvalidInput, NotFound
from crmtui.store import follow_ups as follow_up_store
from crmtui.store import revisits as store


def complete_without_score(ctx: Context, customer_id: str, ref: str, *, notes: str | None = None,
                           next_plan: str | None = None, next_at: str | datetime | None = None) -> revisits.Revisit:
    """Marks the customer's open revisit `ref` names done without a satisfaction score (the rep did it, and did
    not ask): a follow-up is logged by the revisit's channel, its purpose as the goal, met, with `notes` (by
    default words saying it was done without a score). The next follow-up is the one given, else the customer's
    last follow-up's when still ahead (a customer still open needs one, as every follow-up does)."""
    now = ctx.clock.now()
    with ctx.db.raw_read() as connection:
        name = revisits.customer_name_or_refusal(store.customer_name(connection, customer_id), customer_id)
        revisit = revisits.find_open_revisit(store.open_revisits_of(connection, customer_id), ref, now.date(), now, name)
        last = follow_up_store.last_follow_up(connection, customer_id)
    if next_plan is None and next_at is None and last is not None and last.next_at is not None:
        kept = ctx.clock.to_local(last.next_at)
        if kept is not None and kept > now:
            next_plan, next_at = last.next_plan, kept
    draft = follow_ups.draft_follow_up(
        ctx, channel=revisit.channel or "phone", goal=revisit.purpose, goal_met=True,
        notes=notes if notes and notes.strip() else _("Revisit done; no satisfaction score asked"),
        next_plan=next_plan, next_at=next_at)
    utc_now = ctx.clock.utcnow()
    with history.action(ctx, N_("Revisit done without a score ({purpose})"), purpose=revisit.purpose), \
            ctx.db.raw_write(utc_now) as (connection, outbox):
        customer = follow_up_store.customer_state(connection, customer_id)
        if customer is None or customer.deleted:
            raise NotFound("customer", customer_id)
        if not [r for r in store.open_revisits_of(connection, customer_id) if r.id == revisit.id]:
            raise InvalidInput("revisit_ref", "an open revisit of {customer}", ref, customer=name)
        row = follow_ups.follow_up_row(ctx, draft, utc_now, customer_id, customer, None, revisit.deal_id,
                                       lambda table, record_id: follow_up_store.belongs_to(
                                           connection, table, record_id, customer_id))
        follow_up_store.insert_follow_up(connection, outbox, row)
        store.complete(connection, outbox, revisit.id, row.id, row.at)
    return revisit
