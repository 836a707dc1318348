"""What the services hand the front ends about records: frozen copies of the fields of a customer, a contact, a
deal, a follow-up, a contract and an instalment (so a screen or a dialog never holds a database row), and plain
dictionaries for `--json` (local times, amounts as numbers of yuan)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from crmtui.core import labels
from crmtui.core.formatting import amount_number, birthday_iso
from crmtui.services.context import Context
from crmtui.services.deals import VoidedContract, days_in_stage
from crmtui.store.models import Contact, Contract, Customer, Deal, FollowUp, Payment

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    # Only the annotation of detail_dict: services.customers builds its detail from the views below.
    from crmtui.services.customers import CustomerDetail


@dataclass(frozen=True)
class CustomerView:
    """A customer's fields as they were read (the columns of its row, times in UTC); changing one goes through
    services.customers.edit_customer, which returns the new view."""

    id: str
    name: str
    name_key: str
    pinyin: str
    kind: str
    company: str | None
    industry: str | None
    region: str | None
    source: str | None
    interest: str | None
    phone: str | None
    phone_key: str | None
    email: str | None
    email_key: str | None
    wechat: str | None
    status: str
    tier: str
    score: int
    owner: str | None
    next_follow_up_at: datetime | None
    last_contact_at: datetime | None
    merged_into: str | None
    claimed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    # a person's consent and do-not-contact (services/personal_data.py)
    consent_source: str | None = None
    consent_on: date | None = None
    do_not_contact: bool = False
    do_not_contact_on: date | None = None
    do_not_contact_reason: str | None = None
    erased_at: datetime | None = None
    notes: str | None = None
    """Free text about the customer (an imported sheet's 备注), shown with its details."""
    # after-sales care: a service visit every N months from a day, a warranty's end (services/customers.py)
    service_months: int | None = None
    service_from: date | None = None
    warranty_until: date | None = None


@dataclass(frozen=True)
class ContactView:
    """A contact's fields as they were read (the columns of its row); services.customers.edit_contact changes
    them and returns the new view."""

    id: str
    customer_id: str
    name: str
    name_key: str
    pinyin: str
    title: str | None
    phone: str | None
    phone_key: str | None
    email: str | None
    email_key: str | None
    wechat: str | None
    decision_maker: bool
    birthday: date | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    # a person's consent and do-not-contact (services/personal_data.py)
    consent_source: str | None = None
    consent_on: date | None = None
    do_not_contact: bool = False
    do_not_contact_on: date | None = None
    do_not_contact_reason: str | None = None
    erased_at: datetime | None = None


@dataclass(frozen=True)
class DealView:
    """A live deal's fields as they were read; its stage is the stage's id in the settings."""

    id: str
    customer_id: str
    title: str
    amount_cents: int | None
    quoted_cents: int | None
    expected_close: date | None
    stage: str
    probability: int
    competitor: str | None
    lost_reason: str | None
    stage_entered_at: datetime
    imported_from: str | None = None
    """The file an imported deal came from (history), else None."""


@dataclass(frozen=True)
class FollowUpView:
    """A follow-up's fields as they were read (times in UTC); `author` is set by the team server."""

    id: str
    customer_id: str
    contact_id: str | None
    deal_id: str | None
    at: datetime
    channel: str
    goal: str
    goal_met: bool
    notes: str
    next_plan: str | None
    next_at: datetime | None
    author: str | None
    corrects_id: str | None = None
    """The follow-up this one corrects (a correction), else None."""
    imported_from: str | None = None
    """The file an imported follow-up came from (history: its goal may be unknown), else None."""


@dataclass(frozen=True)
class ContractView:
    """A live contract's fields as they were read."""

    id: str
    deal_id: str
    customer_id: str
    number: str
    amount_cents: int
    signed_on: date
    end_on: date | None
    # after-sales care of this contract alone: a service visit every N months from a day, a warranty's end
    service_months: int | None = None
    service_from: date | None = None
    warranty_until: date | None = None


@dataclass(frozen=True)
class PaymentView:
    """One instalment of a contract as it was read; `paid_on` is None while it is unpaid."""

    id: str
    contract_id: str
    amount_cents: int
    due_on: date
    paid_on: date | None


View = TypeVar("View", bound="DataclassInstance")


def _copied(view: type[View], row: Any) -> View:
    """The view's fields copied off a row: a field added to a view is read from the row's column of that name."""
    return view(**{f.name: getattr(row, f.name) for f in fields(view)})


def customer_view(customer: Customer) -> CustomerView:
    """The customer's fields, copied off its row."""
    return _copied(CustomerView, customer)


def contact_view(contact: Contact) -> ContactView:
    """The contact's fields, copied off its row."""
    return _copied(ContactView, contact)


def deal_view(deal: Deal) -> DealView:
    """The deal's fields, copied off its row."""
    return _copied(DealView, deal)


def follow_up_view(follow_up: FollowUp) -> FollowUpView:
    """The follow-up's fields, copied off its row."""
    return _copied(FollowUpView, follow_up)


def contract_view(contract: Contract) -> ContractView:
    """The contract's fields, copied off its row."""
    return _copied(ContractView, contract)


def payment_view(payment: Payment) -> PaymentView:
    """The instalment's fields, copied off its row."""
    return _copied(PaymentView, payment)


def _when(ctx: Context, value: datetime | None) -> str | None:
    local = ctx.clock.to_local(value)
    return local.isoformat(timespec="minutes") if local else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def customer_dict(ctx: Context, c: Customer | CustomerView) -> dict[str, object]:
    """A customer as JSON-ready values."""
    return {
        "id": c.id, "name": c.name, "status": c.status, "kind": c.kind, "company": c.company,
        "industry": c.industry, "region": c.region, "source": c.source, "interest": c.interest,
        "phone": c.phone, "email": c.email, "wechat": c.wechat, "tier": c.tier, "score": c.score,
        "owner": c.owner, "next_follow_up": _when(ctx, c.next_follow_up_at),
        "last_contact": _when(ctx, c.last_contact_at), "created": _when(ctx, c.created_at), "notes": c.notes,
    }


def contact_dict(c: Contact | ContactView) -> dict[str, object]:
    """A contact as JSON-ready values."""
    return {
        "id": c.id, "name": c.name, "title": c.title, "phone": c.phone, "email": c.email,
        "wechat": c.wechat, "decision_maker": c.decision_maker, "birthday": birthday_iso(c.birthday),
        **personal_dict(c),
    }


def personal_dict(c: Customer | CustomerView | Contact | ContactView) -> dict[str, object]:
    """A person's consent and do-not-contact as JSON-ready values."""
    return {"consent_source": c.consent_source, "consent_on": _day(c.consent_on),
            "do_not_contact": bool(c.do_not_contact), "do_not_contact_on": _day(c.do_not_contact_on),
            "do_not_contact_reason": c.do_not_contact_reason, "erased": c.erased_at is not None}


def deal_dict(ctx: Context, d: Deal | DealView, customer: Customer | None = None) -> dict[str, object]:
    """A deal as JSON-ready values, with its days in stage."""
    result: dict[str, object] = {
        "id": d.id, "title": d.title, "stage": d.stage, "stage_name": labels.stage(ctx.settings, d.stage),
        "probability": d.probability, "amount": amount_number(d.amount_cents),
        "quoted": amount_number(d.quoted_cents), "expected_close": _day(d.expected_close),
        "competitor": d.competitor, "lost_reason": d.lost_reason, "days_in_stage": days_in_stage(ctx, d),
        "imported_from": d.imported_from,
    }
    if customer is not None:
        result["customer_id"] = customer.id
        result["customer"] = customer.name
    return result


def follow_up_dict(ctx: Context, f: FollowUp | FollowUpView) -> dict[str, object]:
    """A follow-up as JSON-ready values."""
    return {
        "id": f.id, "at": _when(ctx, f.at), "channel": f.channel, "goal": f.goal, "goal_met": f.goal_met,
        "notes": f.notes, "next_plan": f.next_plan, "next": _when(ctx, f.next_at), "author": f.author,
        "contact_id": f.contact_id, "deal_id": f.deal_id, "corrects_id": f.corrects_id,
        "imported_from": f.imported_from,
    }


def other_author(ctx: Context, author: str | None) -> str | None:
    """The rep to name beside a follow-up ("by wang"): its author when that is not the rep reading it. The
    team server sets the author; a follow-up not yet synced (or in a book without a team) has none."""
    if not author or author == ctx.settings.sync.user:
        return None
    return author


def contract_dict(c: Contract | ContractView, payments: Sequence[Payment | PaymentView]) -> dict[str, object]:
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
        **(personal_dict(detail.customer) if detail.customer.kind == "person" else {}),
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
