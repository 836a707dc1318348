"""Plain dictionaries of records for `--json` and for screens: local times, amounts as numbers of yuan."""

from __future__ import annotations

from datetime import date, datetime

from crmtui.core import labels
from crmtui.core.formatting import amount_number, birthday_iso
from crmtui.services.context import Context
from crmtui.services.customers import CustomerDetail
from crmtui.services.deals import VoidedContract, days_in_stage
from crmtui.store.models import Contact, Contract, Customer, Deal, FollowUp, Payment


def _when(ctx: Context, value: datetime | None) -> str | None:
    local = ctx.clock.to_local(value)
    return local.isoformat(timespec="minutes") if local else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def customer_dict(ctx: Context, c: Customer) -> dict[str, object]:
    """A customer as JSON-ready values."""
    return {
        "id": c.id, "name": c.name, "status": c.status, "kind": c.kind, "company": c.company,
        "industry": c.industry, "region": c.region, "source": c.source, "interest": c.interest,
        "phone": c.phone, "email": c.email, "wechat": c.wechat, "tier": c.tier, "score": c.score,
        "owner": c.owner, "next_follow_up": _when(ctx, c.next_follow_up_at),
        "last_contact": _when(ctx, c.last_contact_at), "created": _when(ctx, c.created_at),
    }


def contact_dict(c: Contact) -> dict[str, object]:
    """A contact as JSON-ready values."""
    return {
        "id": c.id, "name": c.name, "title": c.title, "phone": c.phone, "email": c.email,
        "wechat": c.wechat, "decision_maker": c.decision_maker, "birthday": birthday_iso(c.birthday),
    }


def deal_dict(ctx: Context, d: Deal, customer: Customer | None = None) -> dict[str, object]:
    """A deal as JSON-ready values, with its days in stage."""
    result: dict[str, object] = {
        "id": d.id, "title": d.title, "stage": d.stage, "stage_name": labels.stage(ctx.settings, d.stage),
        "probability": d.probability, "amount": amount_number(d.amount_cents),
        "quoted": amount_number(d.quoted_cents), "expected_close": _day(d.expected_close),
        "competitor": d.competitor, "lost_reason": d.lost_reason, "days_in_stage": days_in_stage(ctx, d),
    }
    if customer is not None:
        result["customer_id"] = customer.id
        result["customer"] = customer.name
    return result


def follow_up_dict(ctx: Context, f: FollowUp) -> dict[str, object]:
    """A follow-up as JSON-ready values."""
    return {
        "id": f.id, "at": _when(ctx, f.at), "channel": f.channel, "goal": f.goal, "goal_met": f.goal_met,
        "notes": f.notes, "next_plan": f.next_plan, "next": _when(ctx, f.next_at), "author": f.author,
    }


def other_author(ctx: Context, author: str | None) -> str | None:
    """The rep to name beside a follow-up ("by wang"): its author when that is not the rep reading it. The
    team server sets the author; a follow-up not yet synced (or in a book without a team) has none."""
    if not author or author == ctx.settings.sync.user:
        return None
    return author


def contract_dict(c: Contract, payments: list[Payment]) -> dict[str, object]:
    """A contract and its instalments as JSON-ready values."""
    return {
        "id": c.id, "number": c.number, "amount": amount_number(c.amount_cents), "signed": _day(c.signed_on),
        "end": _day(c.end_on),
        "payments": [
            {"amount": amount_number(p.amount_cents), "due": _day(p.due_on), "paid": _day(p.paid_on)} for p in payments
        ],
    }


def detail_dict(ctx: Context, detail: CustomerDetail) -> dict[str, object]:
    """Everything about one customer, for `crm show --json`."""
    return {
        **customer_dict(ctx, detail.customer),
        "tags": detail.tags,
        "contacts": [contact_dict(c) for c in detail.contacts],
        "deals": [deal_dict(ctx, d) for d in detail.deals],
        "contracts": [contract_dict(c, detail.payments.get(c.id, [])) for c in detail.contracts],
        "follow_ups": [follow_up_dict(ctx, f) for f in detail.follow_ups],
    }


def voided_contract_dict(ctx: Context, v: VoidedContract) -> dict[str, object]:
    """A contract voided by reopening or removing its deal, as JSON-ready values."""
    return {"number": v.number, "amount": amount_number(v.amount_cents), "paid": amount_number(v.paid_cents),
            "voided_at": _when(ctx, v.at), "deal": v.deal_title, "moved_to": v.to_stage, "deal_removed": v.deal_removed}
