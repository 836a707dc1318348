"""Customers, leads, contacts and tags: add, edit, delete, find (converting a lead: services/convert.py; merging
duplicates: services/merge.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import SimpleNamespace

from crmtui.core import normalize
from crmtui.core.errors import (
    Ambiguous,
    DuplicateFound,
    InvalidInput,
    InvalidValues,
    Match,
    NotAllowed,
    NotFound,
    TeamDuplicate,
)
from crmtui.core.i18n import sentences
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.services.deals import contract_removal_sentence, delete_deal
from crmtui.services.scoring import lead_score, tier_for
from crmtui.services.views import (
    ContactView,
    ContractView,
    CustomerView,
    DealView,
    FollowUpView,
    PaymentView,
    contact_view,
    contract_view,
    customer_view,
    deal_view,
    follow_up_view,
    payment_view,
)
from crmtui.store import customers as customer_store
from crmtui.store import deals as deal_store
from crmtui.store import follow_ups as follow_up_store
from crmtui.store.drafts import draft_records, drop_draft
from crmtui.store.models import Contact, Customer, CustomerTag
from crmtui.store.session import StoreSession
from crmtui.store.tombstones import tombstone

STATUSES = ("lead", "prospect", "customer", "dormant", "pool")
SETTABLE_STATUSES = ("lead", "prospect", "customer", "dormant")
"""What a rep may set; `pool` is set only by the team server (release, reclaim, a removed rep)."""


@lru_cache(maxsize=4096)
def _name_keys(name: str, person: bool) -> tuple[str, str]:
    """(name key, pinyin search keys) computed when a name is written, so search never loads pypinyin. Cached: an
    import of thousands of rows meets the same people's names again and again."""
    pinyin = ""
    if normalize.has_cjk(name):
        from crmtui.core.pinyin import record_keys  # deferred: pypinyin costs 0.24 s

        pinyin = record_keys(name, person)
    return normalize.name_key(name), pinyin


def _apply_keys(record: Customer | Contact) -> None:
    person = not isinstance(record, Customer) or record.kind == "person"
    record.name_key, record.pinyin = _name_keys(record.name, person)
    record.phone_key = normalize.phone_key(record.phone)
    record.email_key = normalize.email_key(record.email)


def _check_duplicate(session: StoreSession, record: Customer, force: bool) -> None:
    if force:
        return
    found = customer_store.find_duplicate(session, record.name_key, record.phone_key, record.email_key, exclude_id=record.id)
    if found:
        raise _duplicate_found(*found)


def _duplicate_found(reason: str, customer: Customer, contact: Contact | None) -> DuplicateFound:
    """The duplicate as the rep should see it: a contact is named with its customer, whose id it carries."""
    if contact is None:
        return DuplicateFound(reason, customer.id, customer.name)
    return DuplicateFound(reason, customer.id, f"{contact.name} @ {customer.name}", "contact")


def _rescore(session: StoreSession, ctx: Context, customer: Customer) -> None:
    """The score follows the data; the tier is set from it at creation and is the rep's call afterwards."""
    contacts = customer_store.contacts_of(session, customer.id)
    customer.score = lead_score(customer, contacts, ctx.settings.score)


def clean_tags(tags: list[str]) -> list[str]:
    """The tags as stored: each one line of at most 40 characters, blanks and repeats dropped."""
    wanted: list[str] = []
    for tag in tags:
        cleaned = fields.single_line("tag", tag, max_len=40)
        if cleaned and cleaned not in wanted:
            wanted.append(cleaned)
    return wanted


def _set_tags(session: StoreSession, ctx: Context, customer: Customer, tags: list[str]) -> None:
    now = ctx.clock.utcnow()
    wanted = clean_tags(tags)
    existing = {t.tag: t for t in customer_store.tags_of(session, customer.id)}
    tombstone(now, *(row for name, row in existing.items() if name not in wanted))
    for name in wanted:
        if name not in existing:
            session.add(CustomerTag(customer_id=customer.id, tag=name, created_at=now, updated_at=now))


def add_customer(
    ctx: Context,
    name: str,
    *,
    status: str = "prospect",
    kind: str = "company",
    company: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    wechat: str | None = None,
    source: str | None = None,
    interest: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
    tags: list[str] | None = None,
    force: bool = False,
) -> Customer:
    """Adds a customer (or a lead with status="lead"); refuses a duplicate unless forced: one in this book, or in
    a team one the server knows that another rep holds or the pool does (team_duplicate)."""
    customer = new_customer(ctx, name, status=status, kind=kind, company=company, phone=phone, email=email,
                            wechat=wechat, source=source, interest=interest, industry=industry, region=region, tier=tier)
    if not force:
        # Asked before the write starts: the server may take a moment, and the file stays free meanwhile.
        team = team_duplicate(ctx, name=customer.name, phone=customer.phone, email=customer.email)
        if team is not None:
            raise team
    with ctx.db.write(customer.created_at) as session:
        _check_duplicate(session, customer, force)
        session.add(customer)
        _set_tags(session, ctx, customer, tags or [])
    return customer


def new_customer(
    ctx: Context,
    name: str,
    *,
    status: str = "prospect",
    kind: str = "company",
    company: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    wechat: str | None = None,
    source: str | None = None,
    interest: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
) -> Customer:
    """A customer as add_customer writes it, not yet written: every field checked, its search keys, score and tier
    set. Also for writers of many new records at once (the demo's sample book)."""
    return Customer(**customer_fields(ctx, name, status=status, kind=kind, company=company, phone=phone, email=email,
                                      wechat=wechat, source=source, interest=interest, industry=industry,
                                      region=region, tier=tier))


def customer_fields(
    ctx: Context,
    name: str,
    *,
    status: str = "prospect",
    kind: str = "company",
    company: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    wechat: str | None = None,
    source: str | None = None,
    interest: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
) -> dict[str, object]:
    """The columns new_customer sets, as plain values (every field checked, search keys, score and tier): for
    writers of thousands of records (an import), where an ORM object a record costs more than all the checks."""
    if status not in SETTABLE_STATUSES:
        raise InvalidInput("status", "one of {choices}", status, choices=", ".join(SETTABLE_STATUSES))
    if kind not in ("company", "person"):
        raise InvalidInput("kind", "company or person", kind)
    now = ctx.clock.utcnow()
    values: dict[str, object] = {
        "name": fields.single_line("name", name, required=True),
        "kind": kind,
        "company": fields.single_line("company", company),
        "phone": fields.phone(phone),
        "email": fields.email(email),
        "wechat": fields.single_line("wechat", wechat, max_len=64),
        "source": fields.single_line("source", source),
        "interest": fields.single_line("interest", interest),
        "industry": fields.single_line("industry", industry),
        "region": fields.single_line("region", region),
        "status": status,
        "created_at": now,
        "updated_at": now,
    }
    if not normalize.name_key(str(values["name"])):
        raise InvalidInput("name", "some letters or characters (not only punctuation)", name)
    values["name_key"], values["pinyin"] = _name_keys(str(values["name"]), kind == "person")
    values["phone_key"] = normalize.phone_key(values["phone"])  # type: ignore[arg-type]
    values["email_key"] = normalize.email_key(values["email"])  # type: ignore[arg-type]
    # A new customer has no contacts yet: scored before it is written, it goes out in one insert, score and tier set.
    score = lead_score(SimpleNamespace(**values), [], ctx.settings.score)  # type: ignore[arg-type]
    values["score"] = score
    values["tier"] = fields.tier(tier) or tier_for(score, ctx.settings.score)
    return values


def add_lead(ctx: Context, name: str, **kwargs: object) -> Customer:
    """A new lead: a person (often with a company) not yet qualified."""
    kwargs.setdefault("kind", "person")
    return add_customer(ctx, name, status="lead", **kwargs)  # type: ignore[arg-type]


def add_contact(
    ctx: Context,
    customer_id: str,
    name: str,
    *,
    title: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    wechat: str | None = None,
    decision_maker: bool = False,
    birthday: str | date | None = None,
    force: bool = False,
) -> Contact:
    """Adds a person at a customer; refuses a duplicate phone/email (or same name there) unless forced."""
    contact = new_contact(ctx, customer_id, name, title=title, phone=phone, email=email, wechat=wechat,
                          decision_maker=decision_maker, birthday=birthday)
    with ctx.db.write(contact.created_at) as session:
        customer = _live_customer(session, customer_id)
        if not force:
            _check_contact_duplicate(session, customer, contact)
        # Scored with the new contact beside those already written: the contact and the customer's new score then
        # go out in one flush, with no read-back of the contact just added.
        contact_added(ctx, customer, customer_store.contacts_of(session, customer.id), contact)
        session.add(contact)
    return contact


def new_contact(
    ctx: Context,
    customer_id: str,
    name: str,
    *,
    title: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    wechat: str | None = None,
    decision_maker: bool = False,
    birthday: str | date | None = None,
) -> Contact:
    """A contact as add_contact writes it, not yet written: every field checked, its search keys set."""
    return Contact(**contact_fields(ctx, customer_id, name, title=title, phone=phone, email=email, wechat=wechat,
                                    decision_maker=decision_maker, birthday=birthday))


def contact_fields(
    ctx: Context,
    customer_id: str,
    name: str,
    *,
    title: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    wechat: str | None = None,
    decision_maker: bool = False,
    birthday: str | date | None = None,
) -> dict[str, object]:
    """The columns new_contact sets, as plain values (see customer_fields)."""
    now = ctx.clock.utcnow()
    values: dict[str, object] = {
        "customer_id": customer_id,
        "name": fields.single_line("name", name, required=True),
        "title": fields.single_line("job_title", title),
        "phone": fields.phone(phone),
        "email": fields.email(email),
        "wechat": fields.single_line("wechat", wechat, max_len=64),
        "decision_maker": decision_maker,
        "birthday": fields.birthday(birthday, ctx.clock.now()),
        "created_at": now,
        "updated_at": now,
    }
    values["name_key"], values["pinyin"] = _name_keys(str(values["name"]), True)
    values["phone_key"] = normalize.phone_key(values["phone"])  # type: ignore[arg-type]
    values["email_key"] = normalize.email_key(values["email"])  # type: ignore[arg-type]
    return values


def contact_added(ctx: Context, customer: Customer, others: list[Contact], contact: Contact) -> None:
    """What a new contact changes on its customer: the score, counted with the contacts it already has."""
    customer.score = lead_score(customer, [*others, contact], ctx.settings.score)
    customer.updated_at = contact.created_at


def _check_contact_duplicate(session: StoreSession, customer: Customer, contact: Contact) -> None:
    """Another customer (or one of its contacts) with this phone or email, then this customer's other contacts."""
    other = customer_store.find_duplicate(session, None, contact.phone_key, contact.email_key, exclude_id=customer.id)
    if other:
        reason, existing, _contact = other
        raise DuplicateFound(reason, existing.id, existing.name)
    found = customer_store.find_contact_duplicate(
        session, customer.id, contact.name_key, contact.phone_key, contact.email_key, exclude_id=contact.id
    )
    if found:
        reason, existing_contact = found
        raise DuplicateFound(reason, existing_contact.id, f"{existing_contact.name} @ {customer.name}", "contact")


CONTACT_EDITABLE = {
    "name": lambda v, now: fields.single_line("name", v, required=True),
    "title": lambda v, now: fields.single_line("job_title", v),
    "phone": lambda v, now: fields.phone(v),
    "email": lambda v, now: fields.email(v),
    "wechat": lambda v, now: fields.single_line("wechat", v, max_len=64),
    "decision_maker": lambda v, now: fields.yes_no("decision_maker", v),
    "birthday": lambda v, now: fields.birthday(v, now),
}


def edit_contact(ctx: Context, contact_id: str, changes: dict[str, object], *, force: bool = False) -> ContactView:
    """Changes fields of a contact; its keys, the duplicate check and its customer's score follow the new values.
    Returns the contact as saved."""
    now = ctx.clock.utcnow()
    cleaned: dict[str, object] = {}
    for name, value in changes.items():
        if name not in CONTACT_EDITABLE:
            raise InvalidInput(name, "a contact field: {names}", names=", ".join(CONTACT_EDITABLE))
        cleaned[name] = CONTACT_EDITABLE[name](value, ctx.clock.now())  # type: ignore[no-untyped-call]
        if name == "name" and not normalize.name_key(str(cleaned[name])):
            raise InvalidInput("name", "some letters or characters (not only punctuation)", value)
    with ctx.db.write(now) as session:
        contact = _live_contact(session, contact_id)
        customer = _live_customer(session, contact.customer_id)
        if contact.erased_at is not None:  # an erased person's fields stay empty (services/personal_data.py)
            raise NotAllowed("{name} was erased; nothing of them can be set again", name=contact.name)
        for name, value in cleaned.items():
            setattr(contact, name, value)
        _apply_keys(contact)
        if not force and any(k in cleaned for k in ("name", "phone", "email")):
            _check_contact_duplicate(session, customer, contact)
        contact.updated_at = now
        session.flush()
        _rescore(session, ctx, customer)
        customer.updated_at = now
    return contact_view(contact)


def delete_contact(ctx: Context, contact_id: str) -> Contact:
    """Soft-deletes a contact (a tombstone, so the delete can sync); the customer's score follows."""
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        contact = _live_contact(session, contact_id)
        tombstone(now, contact)
        session.flush()
        customer = _live_customer(session, contact.customer_id)
        _rescore(session, ctx, customer)
        customer.updated_at = now
    return contact


def _live_contact(session: StoreSession, contact_id: str) -> Contact:
    contact = customer_store.get_contact(session, contact_id)
    if contact is None or contact.deleted_at is not None:
        raise NotFound("contact", contact_id)
    return contact


def _live_customer(session: StoreSession, customer_id: str) -> Customer:
    customer = customer_store.get_customer(session, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFound("customer", customer_id)
    return customer


CUSTOMER_EDITABLE = {
    "name": lambda v: fields.single_line("name", v, required=True),
    "company": lambda v: fields.single_line("company", v),
    "phone": fields.phone,
    "email": fields.email,
    "wechat": lambda v: fields.single_line("wechat", v, max_len=64),
    "source": lambda v: fields.single_line("source", v),
    "interest": lambda v: fields.single_line("interest", v),
    "industry": lambda v: fields.single_line("industry", v),
    "region": lambda v: fields.single_line("region", v),
    "owner": lambda v: fields.single_line("owner", v),
    "tier": fields.tier,
    "notes": lambda v: fields.long_text("notes", v),
}

SERVICE_FIELDS = ("service_months", "service_from", "warranty_until")
"""A customer's or a contract's after-sales care: a service visit every N months from a day, a warranty's end."""


def service_changes(ctx: Context, changes: Mapping[str, object]) -> dict[str, object]:
    """The care fields of an edit checked: months a whole number 1-120, days in any form dates.py reads (a day
    without its year: the service start the most recent one, the warranty's end the coming one); "" clears one."""
    cleaned: dict[str, object] = {}
    refused: list[InvalidInput] = []  # every wrong value is said at once (InvalidValues)
    for name, value in changes.items():
        try:
            if name == "service_months":
                cleaned[name] = fields.service_months(value)  # type: ignore[arg-type]
            elif name in ("service_from", "warranty_until"):
                cleaned[name] = fields.day(name, value, ctx.clock.now(), past=name == "service_from")  # type: ignore[arg-type]
            else:
                raise InvalidInput(name, "a service field: {names}", names=", ".join(SERVICE_FIELDS))
        except InvalidInput as problem:
            refused.append(problem)
    InvalidValues.settle(refused)
    return cleaned


def _check_service_start(months: int | None, start: date | None, signed: list[date], name: str) -> None:
    """A service cycle needs a day to count from: its own start, else a signed contract."""
    if months and start is None and not signed:
        raise InvalidInput("service_from", "the day the service cycle of {name} starts (it has no signed contract to"
                                           " count from)", name=name)


@dataclass(frozen=True)
class ContractCare:
    """A contract's after-sales care as saved."""

    number: str
    customer_name: str
    service_months: int | None
    service_from: date | None
    warranty_until: date | None
    end_on: date | None


def edit_contract_service(ctx: Context, number: str, changes: dict[str, object]) -> ContractCare:
    """Sets a live contract's service cycle and warranty end (SERVICE_FIELDS; "" clears one). A cycle without its
    own start counts from the day the contract was signed. `number` is the contract's number, or the start of its
    id when two contracts share the number (Ambiguous lists them)."""
    if not changes:
        raise InvalidInput("service_months", "at least one of {names}", names=", ".join(SERVICE_FIELDS))
    cleaned = service_changes(ctx, changes)
    now = ctx.clock.utcnow()
    ref = number.strip()
    with ctx.db.write(now) as session:
        found = customer_store.live_contracts_named(session, ref)
        if not found:
            raise NotFound("contract", number)
        if len(found) > 1:  # two reps' contracts of the same number, seen by a manager
            raise Ambiguous("contract", ref, [Match(c.id, f"{c.number} · {k.name} · {c.signed_on.isoformat()}")
                                              for c, k in found])
        contract, customer = found[0]
        for name, value in cleaned.items():
            setattr(contract, name, value)
        contract.updated_at = now
        return ContractCare(contract.number, customer.name, contract.service_months, contract.service_from,
                            contract.warranty_until, contract.end_on)


def team_role(ctx: Context) -> str | None:
    """"manager" or "rep" when this laptop syncs with a team server, None when the rep works alone. The role
    is the one the last sync saw; before the first sync it is "rep" (the server has the last word anyway)."""
    if not ctx.settings.sync.configured:
        return None
    from crmtui.store import replica  # deferred: ~20 ms (replica and outbox), read in a team only

    with ctx.db.raw_read() as conn:
        return "manager" if replica.get_meta(conn, "sync_manager") == "1" else "rep"


SERVER_OWNED_FIELDS = ("owner",)
"""Customer fields the team server sets (claim, release, reassignment); the laptop never changes them in a team."""


def read_only_field(ctx: Context, name: str) -> InvalidInput | None:
    """Why a customer field cannot be edited here (None when it can): in a team, who holds a customer is the
    server's to say, and an edit of it would be undone at the next sync."""
    role = team_role(ctx) if name in SERVER_OWNED_FIELDS else None
    if role == "manager":
        return InvalidInput(name, "set by the team server: reassign the customer with R on its screen")
    if role == "rep":
        return InvalidInput(name, "set by the team server: claim customers from the pool, give one back with"
                                  " `crm pool release`, or ask a manager to reassign it")
    return None


def edit_customer(ctx: Context, customer_id: str, changes: dict[str, object], *, force: bool = False) -> CustomerView:
    """Changes fields of a customer; keys, score and the duplicate check follow the new values. In a team the
    owner is refused (read_only_field). Returns the customer as saved."""
    now = ctx.clock.utcnow()
    tags = changes.pop("tags", None)
    cleaned = customer_changes(ctx, changes)
    with ctx.db.write(now) as session:
        customer = _live_customer(session, customer_id)
        if customer.erased_at is not None:  # an erased person's fields stay empty (services/personal_data.py)
            raise NotAllowed("{name} was erased; nothing of them can be set again", name=customer.name)
        apply_customer_changes(customer, cleaned)
        if cleaned.get("service_months") or "service_from" in cleaned:
            _check_service_start(customer.service_months, customer.service_from,
                                 [c.signed_on for c in deal_store.contracts_of(session, customer.id)], customer.name)
        if any(k in cleaned for k in ("name", "phone", "email")):
            _check_duplicate(session, customer, force)
        customer_edited(ctx, customer, customer_store.contacts_of(session, customer.id))
        if tags is not None:
            _set_tags(session, ctx, customer, list(tags))  # type: ignore[arg-type]
    return customer_view(customer)


def customer_changes(ctx: Context, changes: dict[str, object]) -> dict[str, object]:
    """The changes of an edit checked and cleaned, field by field (tags aside); a field the rep may not edit here
    is refused."""
    cleaned: dict[str, object] = {}
    for name in changes:
        refusal = read_only_field(ctx, name)
        if refusal is not None:
            raise refusal
    for name, value in changes.items():
        if name == "status":
            if value not in SETTABLE_STATUSES:
                raise InvalidInput("status", "one of {choices}", value, choices=", ".join(SETTABLE_STATUSES))
            cleaned[name] = value
        elif name in SERVICE_FIELDS:
            cleaned.update(service_changes(ctx, {name: value}))
        elif name in CUSTOMER_EDITABLE:
            cleaned[name] = CUSTOMER_EDITABLE[name](value)  # type: ignore[operator]
            if name == "name" and not normalize.name_key(str(cleaned[name])):
                raise InvalidInput("name", "some letters or characters (not only punctuation)", value)
        else:
            raise InvalidInput(name, "a customer field: {names}",
                               names=", ".join([*CUSTOMER_EDITABLE, *SERVICE_FIELDS, "status", "tags"]))
    return cleaned


def apply_customer_changes(customer: Customer, cleaned: dict[str, object]) -> None:
    """Sets changes cleaned by customer_changes, and the search keys that follow from them."""
    for name, value in cleaned.items():
        setattr(customer, name, value)
    _apply_keys(customer)


def customer_edited(ctx: Context, customer: Customer, contacts: list[Contact]) -> None:
    """What follows an edit of a customer's fields: its score (with its contacts), the time of the change."""
    customer.score = lead_score(customer, contacts, ctx.settings.score)
    customer.updated_at = ctx.clock.utcnow()


def delete_refusal(ctx: Context, name: str, customer_id: str | None = None) -> NotAllowed | None:
    """Why this laptop may not delete a customer (None when it may): in a team, deleting a customer takes it
    from everyone, so it is a manager's action (the server refuses a rep's too); a rep gives it back to the
    pool instead, or merges a duplicate. A rep's own draft (added here, never sent: is_draft) is no team
    customer yet, and the rep deletes it outright."""
    if team_role(ctx) != "rep" or (customer_id is not None and is_draft(ctx, customer_id)):
        return None
    return _delete_refused(name)


def is_draft(ctx: Context, customer_id: str) -> bool:
    """Whether the customer was added on this laptop and nothing of it has been sent to the team server yet."""
    with ctx.db.raw_read() as conn:
        return draft_records(conn, customer_id) is not None


def _delete_refused(name: str) -> NotAllowed:
    return NotAllowed("{name} belongs to the team: only a manager can delete it; give it back to the pool with"
                      " `crm pool release`, or merge a duplicate with `crm merge`", name=name)


def delete_customer(ctx: Context, customer_id: str) -> Customer:
    """Soft-deletes a customer and what hangs off it: contacts, tags, its deals as removing a deal removes
    them, with their contracts and instalments, its revisits (done ones too), its tickets and their events. All
    tombstones of one moment, so every delete syncs and an undo or a manager's restore brings them back together;
    follow-ups stay as history.
    In a team only a manager deletes a customer (delete_refusal), but a rep deletes their own draft outright."""
    now = ctx.clock.utcnow()
    if team_role(ctx) == "rep":  # read before the write transaction starts
        return _delete_draft(ctx, customer_id)
    with ctx.db.write(now) as session:
        customer = _live_customer(session, customer_id)
        for deal in deal_store.deals_of(session, customer_id):
            delete_deal(ctx, deal.id)  # joins this transaction: all of it is removed, or nothing
        # A contract whose deal was removed before removing a deal took its contract along is still live here.
        leftovers = deal_store.contracts_of(session, customer_id)
        tombstone(
            now,
            *customer_store.after_sales_of(session, customer_id),
            *customer_store.contacts_of(session, customer_id),
            *customer_store.tags_of(session, customer_id),
            *[payment for contract in leftovers for payment in deal_store.payments_of(session, contract.id)],
            *leftovers,
            customer,
        )
    return customer


def _delete_draft(ctx: Context, customer_id: str) -> Customer:
    """A rep's delete in a team: only a draft may go, and it goes with its outbox entries, leaving no tombstone
    (the server never saw it, and would refuse a rep's tombstone anyway). Not while a sync round of this laptop
    runs: it may be sending the draft at this very moment."""
    from crmtui.sync.client import round_lock  # deferred: the sync modules (~90 ms) load in a team only

    now = ctx.clock.utcnow()
    with ctx.db.read() as session:
        customer = _live_customer(session, customer_id)
    with round_lock(ctx), ctx.db.raw_write(now) as (conn, _writer):
        records = draft_records(conn, customer_id)
        if records is None:
            raise _delete_refused(customer.name)
        drop_draft(conn, records)
    customer.deleted_at = now
    customer.updated_at = now
    return customer


def removal_note(ctx: Context, customer_id: str) -> str:
    """What removing the customer takes with it besides its contacts and deals, for the confirmation ("" when
    nothing): every live contract with its instalments, its deals' and any a removed deal left behind."""
    with ctx.db.read() as session:
        live_deals = {deal.id for deal in deal_store.deals_of(session, customer_id)}
        contracts = sorted(deal_store.contracts_of(session, customer_id), key=lambda c: (c.signed_on, c.number))
        return sentences(*(contract_removal_sentence(contract, len(deal_store.payments_of(session, contract.id)),
                                                     left_behind=contract.deal_id not in live_deals)
                           for contract in contracts))


def list_customers(ctx: Context, statuses: tuple[str, ...] | None = None) -> list[Customer]:
    """Live customers by name, optionally of some statuses."""
    with ctx.db.read() as session:
        return customer_store.list_customers(session, statuses)


@dataclass
class CustomerDetail:
    """Everything the 360 view and `crm show` need about one customer, every record as a frozen view (no database
    row: the app's screens keep the detail and hand the customer and its contacts to the edit dialogs)."""

    customer: CustomerView
    contacts: list[ContactView]
    deals: list[DealView]
    follow_ups: list[FollowUpView]
    """Newest first."""
    tags: list[str]
    contracts: list[ContractView]
    payments: dict[str, list[PaymentView]] = field(default_factory=dict)
    """Each contract's instalments in due order, by the contract's id."""


def customer_detail(ctx: Context, customer_id: str) -> CustomerDetail:
    """The customer with contacts, deals, follow-ups (newest first), tags, contracts and payments."""
    with ctx.db.read() as session:
        customer = _live_customer(session, customer_id)
        contracts = deal_store.contracts_of(session, customer_id)
        return CustomerDetail(
            customer=customer_view(customer),
            contacts=[contact_view(c) for c in customer_store.contacts_of(session, customer_id)],
            deals=[deal_view(d) for d in deal_store.deals_of(session, customer_id)],
            follow_ups=[follow_up_view(f) for f in follow_up_store.follow_ups_of(session, customer_id)],
            tags=[t.tag for t in customer_store.tags_of(session, customer_id)],
            contracts=[contract_view(c) for c in contracts],
            payments={c.id: [payment_view(p) for p in deal_store.payments_of(session, c.id)] for c in contracts},
        )


def team_duplicate(ctx: Context, *, name: str | None, phone: str | None, email: str | None) -> NotAllowed | None:
    """In a team, a customer on the server with this phone, email or name that another rep holds or the pool does
    (TeamDuplicate: a rep hears only "a colleague" or "the pool", a manager the holder's name), or the server's
    refusal when the rep's checks are used up; None when there is none, offline, or alone. One key a call: the
    phone first, then the email, then the name."""
    if not ctx.settings.sync.configured:
        return None
    keys = [(kind, key) for kind, key in (("phone", normalize.phone_key(phone)), ("email", normalize.email_key(email)),
                                          ("name", normalize.name_key(name) if name and name.strip() else None)) if key]
    if not keys:
        return None
    from crmtui.sync.client import server_duplicate  # deferred: the sync modules (~90 ms) and psycopg load in a team only

    try:
        found = server_duplicate(ctx.settings.sync, keys)
    except NotAllowed as refused:  # the rep's checks are used up for now
        return refused
    return None if found is None else TeamDuplicate(*found)


def duplicate_of(
    ctx: Context, *, name: str | None = None, phone: str | None = None, email: str | None = None
) -> DuplicateFound | None:
    """The existing customer or contact a new record would duplicate (same phone, email or normalised name),
    for live warnings."""
    name_key = normalize.name_key(name) if name and name.strip() else None
    with ctx.db.read() as session:
        found = customer_store.find_duplicate(session, name_key, normalize.phone_key(phone), normalize.email_key(email))
    return None if found is None else _duplicate_found(*found)
