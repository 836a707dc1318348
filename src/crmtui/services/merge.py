"""Merging a duplicate customer into another: the plan (what fills, what becomes a contact, what moves) is built
once, shown to the rep, and applied as is; nothing of the merged record is lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crmtui.core import i18n, labels, normalize
from crmtui.core.dates import format_when
from crmtui.core.errors import InvalidInput, NotAllowed
from crmtui.core.formatting import format_amount
from crmtui.core.i18n import _
from crmtui.services.context import Context
from crmtui.services.customers import _apply_keys, _live_customer, _rescore
from crmtui.services.personal_data import CONSENT_COLUMNS
from crmtui.store import customers as customer_store
from crmtui.store import deals as deal_store
from crmtui.store import follow_ups as follow_up_store
from crmtui.store.models import Contact, Customer, CustomerTag
from crmtui.store.session import StoreSession
from crmtui.store.tombstones import tombstone


MERGE_FILLED = ("company", "industry", "region", "source", "interest", "phone", "email", "wechat", "owner")
"""Fields of the kept record that take the other's value when they are empty."""

MERGE_NOTED = ("company", "industry", "region", "source", "interest")
"""Fields whose differing value on the other record is written on the contact made for it (nothing is lost)."""


@dataclass(frozen=True)
class MergeContact:
    """The contact a merge makes for the other record's name, phone, email, WeChat and differing values."""

    name: str
    phone: str | None
    email: str | None
    wechat: str | None
    title: str | None


@dataclass(frozen=True)
class MergePlan:
    """What merging `other` into `keep` will do, shown to the rep before they confirm and then applied as is."""

    keep_id: str
    keep_name: str
    other_id: str
    other_name: str
    filled: tuple[tuple[str, str], ...]
    """(field, value): the kept record's empty fields that take the other's value."""
    differing: tuple[tuple[str, str, str], ...]
    """(field, kept value, other's value): values that differ; the other's is written on the new contact."""
    new_contact: MergeContact | None
    """The other record's name and details as a contact of the kept one (None when an identical one exists)."""
    status: str | None
    """The kept record's new status when the other is further along (lead → prospect → customer)."""
    next_follow_up_at: datetime | None
    """The kept record's new next follow-up when the other's comes first."""
    contacts: int
    deals: int
    follow_ups: int
    contracts: int
    instalments: int
    """Of those contracts: they follow their contract."""
    tags: int
    voided_contracts: tuple[str, ...]
    """The voided contracts ("HT-001 (120,000)") that move as history, with their instalments and deals."""


def _same(name: str, mine: str | None, theirs: str | None) -> bool:
    """Whether two values of a field say the same thing: phones and emails by key, regions by alias (北京 is
    北京市 is Beijing), a company by its normalised name (Acme Ltd is ACME), anything else folded and casefolded."""
    if name == "company":
        return normalize.name_key(mine or "") == normalize.name_key(theirs or "")
    if name == "phone":
        return normalize.phone_key(mine) == normalize.phone_key(theirs)
    if name == "email":
        return normalize.email_key(mine) == normalize.email_key(theirs)
    if name == "region":
        return normalize.region_key(mine) == normalize.region_key(theirs)
    return normalize.fold(mine or "").casefold().strip() == normalize.fold(theirs or "").casefold().strip()


def _is_identical(contact: Contact, name_key: str, details: dict[str, str | None]) -> bool:
    """Whether the contact already is this person: the same name, and the same phone, email and WeChat where given."""
    return contact.name_key == name_key and all(not value or _same(name, getattr(contact, name), value)
                                                for name, value in details.items())


def _plan(session: StoreSession, keep: Customer, other: Customer, converting: bool = False) -> MergePlan:
    """What merging `other` into `keep` does. `converting`: other is a lead joining keep, the customer its company
    names; the lead is a person whatever its kind, its company is keep itself, and keep gets at least a prospect."""
    # A person's phone, email and WeChat are theirs: they go on the person's contact, not on the company.
    personal = ("phone", "email", "wechat") if other.kind == "person" or converting else ()
    skipped = (*personal, "company") if converting else personal
    filled = tuple((name, str(getattr(other, name))) for name in MERGE_FILLED
                   if name not in skipped and getattr(keep, name) in (None, "") and getattr(other, name) not in (None, ""))

    def kept(name: str) -> str | None:
        # A converting lead's company is compared with the customer it joins, which usually has no company field.
        return (keep.company or keep.name) if converting and name == "company" else getattr(keep, name)

    differing = tuple((name, kept(name), getattr(other, name)) for name in MERGE_NOTED
                      if kept(name) and getattr(other, name) and not _same(name, kept(name), getattr(other, name)))
    details = {name: getattr(other, name) or None for name in ("phone", "email", "wechat")}
    # The other's name and contact details survive as a contact unless the kept record already says the same.
    needed = (
        normalize.name_key(other.name) != keep.name_key
        or any(value and getattr(keep, name) and not _same(name, getattr(keep, name), value) for name, value in details.items())
        or bool(differing)
        or other.kind == "person"
        or converting
    )
    contacts = [*customer_store.contacts_of(session, keep.id), *customer_store.contacts_of(session, other.id)]
    identical = any(_is_identical(contact, normalize.name_key(other.name), details) for contact in contacts)
    new_contact = None
    if needed and not (identical and not differing):
        notes = "; ".join(f"{labels.field(name)} {theirs}" for name, _mine, theirs in differing)
        if converting:  # a converted person's title is left for their job; only values kept from the lead go there
            title = _("from lead {name}").format(name=other.name) + f": {notes}" if notes else None
        else:
            title = _("merged from {name}").format(name=other.name) + (f": {notes}" if notes else "")
        new_contact = MergeContact(other.name, details["phone"], details["email"], details["wechat"], title)
    progress = ("lead", "prospect", "customer")
    status = None
    if keep.status in progress and other.status in progress and progress.index(other.status) > progress.index(keep.status):
        status = other.status
    if converting and keep.status == "lead":
        status = "prospect"  # it gets an open deal
    earlier = None
    if other.next_follow_up_at and (keep.next_follow_up_at is None or other.next_follow_up_at < keep.next_follow_up_at):
        earlier = other.next_follow_up_at
    keep_tags = {t.tag for t in customer_store.tags_of(session, keep.id)}
    contracts = deal_store.contracts_of(session, other.id)
    return MergePlan(
        keep_id=keep.id, keep_name=keep.name, other_id=other.id, other_name=other.name,
        filled=filled, differing=differing, new_contact=new_contact, status=status, next_follow_up_at=earlier,
        contacts=len(customer_store.contacts_of(session, other.id)),
        deals=len(deal_store.deals_of(session, other.id)),
        follow_ups=len(follow_up_store.follow_ups_of(session, other.id)),
        contracts=len(contracts),
        instalments=sum(len(deal_store.payments_of(session, contract.id)) for contract in contracts),
        tags=len([t for t in customer_store.tags_of(session, other.id) if t.tag not in keep_tags]),
        voided_contracts=tuple(f"{contract.number} ({format_amount(contract.amount_cents)})"
                               for contract in deal_store.voided_contracts_of(session, other.id)),
    )


@dataclass(frozen=True)
class LikelyDuplicate:
    """Another customer that is probably the same one: it shares `reason` ("phone", "email" or "name") with the
    customer or one of its contacts."""

    customer_id: str
    name: str
    reason: str


def likely_duplicates(ctx: Context, customer_id: str) -> list[LikelyDuplicate]:
    """The customers the duplicate rule (the same phone, email or normalised name, on a customer or a contact)
    says this one may duplicate, the strongest reason first: the ones a merge most likely wants."""
    with ctx.db.read() as session:
        return [LikelyDuplicate(customer.id, customer.name, reason)
                for reason, customer in customer_store.duplicates_of(session, customer_id)]


def merge_plan(ctx: Context, keep_id: str, other_id: str) -> MergePlan:
    """What merging `other` into `keep` would fill, keep as a contact and move; nothing is written."""
    if keep_id == other_id:
        raise InvalidInput("merge", "two different customers")
    with ctx.db.read() as session:
        return _plan(session, _live_customer(session, keep_id), _live_customer(session, other_id))


def describe_merge(ctx: Context, plan: MergePlan) -> list[str]:
    """The plan in lines a rep reads before saying yes (the CLI and the app show the same)."""
    lines = [_("Merge {other} into {keep}; {other} is then removed.").format(other=plan.other_name, keep=plan.keep_name)]
    if plan.filled:
        lines.append("  " + _("fills empty fields: {values}").format(
            values=", ".join(f"{labels.field(name)} {value}" for name, value in plan.filled)))
    if plan.differing:
        lines.append("  " + _("keeps {keep}'s {values}").format(
            keep=plan.keep_name, values=", ".join(f"{labels.field(name)} {mine}" for name, mine, _theirs in plan.differing)))
    if plan.new_contact:
        contact = plan.new_contact
        details = ", ".join(value for value in (contact.phone, contact.email, contact.wechat) if value)
        lines.append("  " + _("new contact: {name}").format(name=contact.name) + (f" ({details})" if details else "")
                     + (f" · {contact.title}" if contact.title else ""))
    if plan.status:
        lines.append("  " + _("status becomes {status}").format(status=labels.status(plan.status)))
    if plan.next_follow_up_at:
        when = format_when(ctx.clock.to_local(plan.next_follow_up_at), True, i18n.language, ctx.clock.today())
        lines.append("  " + _("next follow-up becomes {when}").format(when=when))
    lines.append("  " + _("moves {contacts} contacts, {deals} deals, {follow_ups} follow-ups, {contracts} contracts "
                          "with {instalments} instalments, {tags} tags").format(
        contacts=plan.contacts, deals=plan.deals, follow_ups=plan.follow_ups, contracts=plan.contracts,
        instalments=plan.instalments, tags=plan.tags))
    if plan.voided_contracts:
        lines.append("  " + _("also moves {other}'s voided contracts, as history: {contracts}").format(
            other=plan.other_name, contracts=", ".join(plan.voided_contracts)))
    return lines


def _absorb(
    session: StoreSession, ctx: Context, keep: Customer, other: Customer, plan: MergePlan, now: datetime
) -> Contact | None:
    """Applies a merge plan inside a write: fills keep's empty fields, makes the contact (returned; None when the plan
    has none), moves every record of `other` to `keep` and tombstones other.

    Every record means tombstones too: a voided contract and the removed deal it names are the kept customer's
    history, and a follow-up may name a removed contact or deal, which must belong to the same customer as it.
    Instalments and stage changes follow their contract and deal. A tag keep already has is not doubled."""
    for name, _value in plan.filled:
        setattr(keep, name, getattr(other, name))
    if keep.kind == "person" and other.kind == "person" and other.do_not_contact and not keep.do_not_contact:
        for name in CONSENT_COLUMNS:  # the same person asked not to be contacted: the kept record says so too
            setattr(keep, name, getattr(other, name))
    if other.last_contact_at and (keep.last_contact_at is None or other.last_contact_at > keep.last_contact_at):
        keep.last_contact_at = other.last_contact_at
    if plan.next_follow_up_at:
        keep.next_follow_up_at = plan.next_follow_up_at
    if plan.status:
        keep.status = plan.status
    if other.notes and other.notes not in (keep.notes or ""):  # the other's notes are kept below the kept one's
        keep.notes = f"{keep.notes}\n{other.notes}" if keep.notes else other.notes
    keep_tags = {t.tag for t in customer_store.tags_of(session, keep.id)}
    for record in customer_store.children_of(session, other.id):
        if isinstance(record, CustomerTag) and record.deleted_at is None and record.tag in keep_tags:
            tombstone(now, record)
        record.customer_id = keep.id
        record.updated_at = now
    contact = None
    if plan.new_contact:
        made = plan.new_contact
        contact = Contact(customer_id=keep.id, name=made.name, title=made.title, phone=made.phone, email=made.email,
                          wechat=made.wechat, created_at=now, updated_at=now)
        if other.kind == "person":  # their consent and do-not-contact go with them (services/personal_data.py)
            for name in CONSENT_COLUMNS:
                setattr(contact, name, getattr(other, name))
        _apply_keys(contact)
        session.add(contact)
    other.merged_into = keep.id
    tombstone(now, other)
    _apply_keys(keep)
    session.flush()
    _rescore(session, ctx, keep)
    keep.updated_at = now
    return contact


def merge_customers(ctx: Context, keep_id: str, other_id: str, expected: MergePlan | None = None) -> Customer:
    """Applies the merge plan: fills keep's empty fields, makes the contact, moves every record of `other` (voided
    contracts and other tombstones too) to `keep`, tombstones other. With `expected` (the plan the rep confirmed),
    refuses when the records changed since, so what is applied is what was shown."""
    if keep_id == other_id:
        raise InvalidInput("merge", "two different customers")
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        keep = _live_customer(session, keep_id)
        other = _live_customer(session, other_id)
        plan = _plan(session, keep, other)
        if expected is not None and plan != expected:
            raise NotAllowed("{other} or {keep} changed since the merge was shown; look at it again",
                             other=other.name, keep=keep.name)
        _absorb(session, ctx, keep, other, plan, now)
    return keep


