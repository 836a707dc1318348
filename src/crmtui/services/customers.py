"""Customers, leads, contacts and tags: add, edit, delete, convert, merge, find."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from crmtui import labels, normalize
from crmtui.errors import Ambiguous, CrmError, DuplicateFound, InvalidInput, Match, NotAllowed, NotFound
from crmtui.i18n import N_, _, sentences
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.services.scoring import lead_score, tier_for
from crmtui.store import customers as customer_store
from crmtui.store import deals as deal_store
from crmtui.store import follow_ups as follow_up_store
from crmtui.store.models import Contact, Contract, Customer, CustomerTag, Deal, DealStageChange, FollowUp, Payment
from crmtui.store.session import StoreSession

STATUSES = ("lead", "prospect", "customer", "dormant", "pool")
SETTABLE_STATUSES = ("lead", "prospect", "customer", "dormant")
"""What a rep may set; `pool` is set only by the team server (release, reclaim, a removed rep)."""


def _name_keys(name: str, person: bool) -> tuple[str, str]:
    """(name key, pinyin search keys) computed when a name is written, so search never loads pypinyin."""
    pinyin = ""
    if normalize.has_cjk(name):
        from crmtui.pinyin import record_keys  # deferred: pypinyin costs 0.24 s

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


def _set_tags(session: StoreSession, ctx: Context, customer: Customer, tags: list[str]) -> None:
    now = ctx.clock.utcnow()
    wanted = []
    for tag in tags:
        cleaned = fields.single_line("tag", tag, max_len=40)
        if cleaned and cleaned not in wanted:
            wanted.append(cleaned)
    existing = {t.tag: t for t in customer_store.tags_of(session, customer.id)}
    for name, row in existing.items():
        if name not in wanted:
            row.deleted_at = now
            row.updated_at = now
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
    """Adds a customer (or a lead with status="lead"); refuses a duplicate unless forced."""
    if status not in SETTABLE_STATUSES:
        raise InvalidInput("status", "one of {choices}", status, choices=", ".join(SETTABLE_STATUSES))
    if kind not in ("company", "person"):
        raise InvalidInput("kind", "company or person", kind)
    now = ctx.clock.utcnow()
    customer = Customer(
        name=fields.single_line("name", name, required=True),
        kind=kind,
        company=fields.single_line("company", company),
        phone=fields.phone(phone),
        email=fields.email(email),
        wechat=fields.single_line("wechat", wechat, max_len=64),
        source=fields.single_line("source", source),
        interest=fields.single_line("interest", interest),
        industry=fields.single_line("industry", industry),
        region=fields.single_line("region", region),
        status=status,
        created_at=now,
        updated_at=now,
        name_key="",
    )
    if not normalize.name_key(customer.name):
        raise InvalidInput("name", "some letters or characters (not only punctuation)", name)
    _apply_keys(customer)
    with ctx.db.write(now) as session:
        _check_duplicate(session, customer, force)
        session.add(customer)
        session.flush()
        _rescore(session, ctx, customer)
        customer.tier = fields.tier(tier) or tier_for(customer.score, ctx.settings.score)
        _set_tags(session, ctx, customer, tags or [])
    return customer


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
    now = ctx.clock.utcnow()
    contact = Contact(
        customer_id=customer_id,
        name=fields.single_line("name", name, required=True),
        title=fields.single_line("title", title),
        phone=fields.phone(phone),
        email=fields.email(email),
        wechat=fields.single_line("wechat", wechat, max_len=64),
        decision_maker=decision_maker,
        birthday=fields.birthday(birthday, ctx.clock.now()),
        created_at=now,
        updated_at=now,
    )
    _apply_keys(contact)
    with ctx.db.write(now) as session:
        customer = _live_customer(session, customer_id)
        if not force:
            _check_contact_duplicate(session, customer, contact)
        session.add(contact)
        session.flush()
        _rescore(session, ctx, customer)
        customer.updated_at = now
    return contact


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
    "title": lambda v, now: fields.single_line("title", v),
    "phone": lambda v, now: fields.phone(v),
    "email": lambda v, now: fields.email(v),
    "wechat": lambda v, now: fields.single_line("wechat", v, max_len=64),
    "decision_maker": lambda v, now: fields.yes_no("decision maker", v),
    "birthday": lambda v, now: fields.birthday(v, now),
}


def edit_contact(ctx: Context, contact_id: str, changes: dict[str, object], *, force: bool = False) -> Contact:
    """Changes fields of a contact; its keys, the duplicate check and its customer's score follow the new values."""
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
        for name, value in cleaned.items():
            setattr(contact, name, value)
        _apply_keys(contact)
        if not force and any(k in cleaned for k in ("name", "phone", "email")):
            _check_contact_duplicate(session, customer, contact)
        contact.updated_at = now
        session.flush()
        _rescore(session, ctx, customer)
        customer.updated_at = now
    return contact


def delete_contact(ctx: Context, contact_id: str) -> Contact:
    """Soft-deletes a contact (a tombstone, so the delete can sync); the customer's score follows."""
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        contact = _live_contact(session, contact_id)
        contact.deleted_at = now
        contact.updated_at = now
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
}


def edit_customer(ctx: Context, customer_id: str, changes: dict[str, object], *, force: bool = False) -> Customer:
    """Changes fields of a customer; keys, score and the duplicate check follow the new values."""
    now = ctx.clock.utcnow()
    cleaned: dict[str, object] = {}
    tags = changes.pop("tags", None)
    for name, value in changes.items():
        if name == "status":
            if value not in SETTABLE_STATUSES:
                raise InvalidInput("status", "one of {choices}", value, choices=", ".join(SETTABLE_STATUSES))
            cleaned[name] = value
        elif name in CUSTOMER_EDITABLE:
            cleaned[name] = CUSTOMER_EDITABLE[name](value)  # type: ignore[operator]
            if name == "name" and not normalize.name_key(str(cleaned[name])):
                raise InvalidInput("name", "some letters or characters (not only punctuation)", value)
        else:
            raise InvalidInput(name, "a customer field: {names}", names=", ".join([*CUSTOMER_EDITABLE, "status", "tags"]))
    with ctx.db.write(now) as session:
        customer = _live_customer(session, customer_id)
        for name, value in cleaned.items():
            setattr(customer, name, value)
        _apply_keys(customer)
        if any(k in cleaned for k in ("name", "phone", "email")):
            _check_duplicate(session, customer, force)
        _rescore(session, ctx, customer)
        if tags is not None:
            _set_tags(session, ctx, customer, list(tags))  # type: ignore[arg-type]
        customer.updated_at = now
    return customer


def delete_customer(ctx: Context, customer_id: str) -> Customer:
    """Soft-deletes a customer and what hangs off it: contacts, tags, and its deals as removing a deal removes
    them, with their contracts and instalments. All tombstones, so every delete syncs; follow-ups stay as history."""
    from crmtui.services.deals import delete_deal

    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        customer = _live_customer(session, customer_id)
        for deal in deal_store.deals_of(session, customer_id):
            delete_deal(ctx, deal.id)  # joins this transaction: all of it is removed, or nothing
        # A contract whose deal was removed before removing a deal took its contract along is still live here.
        leftovers = deal_store.contracts_of(session, customer_id)
        for record in [
            *customer_store.contacts_of(session, customer_id),
            *customer_store.tags_of(session, customer_id),
            *[payment for contract in leftovers for payment in deal_store.payments_of(session, contract.id)],
            *leftovers,
        ]:
            record.deleted_at = now
            record.updated_at = now
        customer.deleted_at = now
        customer.updated_at = now
    return customer


def removal_note(ctx: Context, customer_id: str) -> str:
    """What removing the customer takes with it besides its contacts and deals (their contracts and instalments),
    in the words of a deal's removal, for the confirmation ("" when nothing)."""
    from crmtui.services import deals

    with ctx.db.read() as session:
        deal_ids = [deal.id for deal in deal_store.deals_of(session, customer_id)]
    return sentences(*(deals.removal_note(ctx, deal_id) for deal_id in deal_ids))


def list_customers(ctx: Context, statuses: tuple[str, ...] | None = None) -> list[Customer]:
    """Live customers by name, optionally of some statuses."""
    with ctx.db.read() as session:
        return customer_store.list_customers(session, statuses)


@dataclass
class CustomerDetail:
    """Everything the 360 view and `crm show` need about one customer."""

    customer: Customer
    contacts: list[Contact]
    deals: list[Deal]
    follow_ups: list[FollowUp]
    tags: list[str]
    contracts: list[Contract]
    payments: dict[str, list[Payment]] = field(default_factory=dict)


def customer_detail(ctx: Context, customer_id: str) -> CustomerDetail:
    """The customer with contacts, deals, follow-ups (newest first), tags, contracts and payments."""
    with ctx.db.read() as session:
        customer = _live_customer(session, customer_id)
        contracts = deal_store.contracts_of(session, customer_id)
        return CustomerDetail(
            customer=customer,
            contacts=customer_store.contacts_of(session, customer_id),
            deals=deal_store.deals_of(session, customer_id),
            follow_ups=follow_up_store.follow_ups_of(session, customer_id),
            tags=[t.tag for t in customer_store.tags_of(session, customer_id)],
            contracts=contracts,
            payments={c.id: deal_store.payments_of(session, c.id) for c in contracts},
        )


def proposed_next_follow_up(ctx: Context) -> datetime:
    """What the convert dialog proposes as the first follow-up of a converted lead: tomorrow at 10:00."""
    tomorrow = ctx.clock.today() + timedelta(days=1)
    return datetime.combine(tomorrow, time(10, 0), ctx.clock.zone)


SEVERAL_NAMED = N_('{count} customers are named "{company}": say which one {lead} joins (crm convert --into ID, '
                   "or --new-company), or merge them first")


class SeveralCustomersNamed(Ambiguous):
    """The lead's company names more than one customer: which one the lead joins is the rep's to say."""

    def __init__(self, lead: str, company: str, matches: list[Match]) -> None:
        self.kind = "customer"
        self.ref = company
        self.matches = matches
        # Ambiguous's own message asks for more of the name; here the rep picks the customer the lead joins.
        CrmError.__init__(self, SEVERAL_NAMED, count=len(matches), company=company, lead=lead)

    def _localized(self) -> str:
        return CrmError._localized(self)


def _company_customer(session: StoreSession, lead: Customer) -> Customer | None:
    """The existing customer the lead's company names (the duplicate rule: the same normalised name), if any."""
    key = normalize.name_key(lead.company or "")
    found = customer_store.customers_named(session, key, exclude_id=lead.id) if key else []
    # A pool customer is claimed on the server first, never taken over by a conversion here.
    found = [c for c in found if c.status != "pool"]
    if len(found) > 1:
        raise SeveralCustomersNamed(lead.name, lead.company or "", [
            Match(c.id, f"{c.name} ({labels.status(c.status)})") for c in found])
    return found[0] if found else None


def conversion_target(ctx: Context, lead_id: str) -> Customer | None:
    """The existing customer converting this lead joins (its company is already one), None when the
    conversion makes a new customer; SeveralCustomersNamed when the company names more than one."""
    with ctx.db.read() as session:
        return _company_customer(session, _live_customer(session, lead_id))


def convert_lead(
    ctx: Context, lead_id: str, *, deal_title: str | None = None, amount_cents: int | None = None,
    next_at: str | datetime | None = None, into_id: str | None = None, new_company: bool = False,
) -> tuple[Customer, Contact, Deal]:
    """Turns a lead into a prospect customer, its person into a contact, and opens a deal, in one transaction.

    When the lead's company is already a customer (or `into_id` names one), the lead joins that customer
    instead of making a second one: its person becomes a contact there, the deal is opened there, and the
    lead is merged into it (nothing is lost). `new_company` makes a new customer all the same.

    `next_at` schedules the first follow-up (natural text or a moment, in the future). Without it the
    customer keeps its created time and no contact, so the speed-to-lead rule keeps it on Today."""
    if into_id and new_company:
        raise InvalidInput("into", "either a customer to join or a new company, not both")
    title = fields.single_line("deal title", deal_title)
    now = ctx.clock.utcnow()
    when: datetime | None
    if isinstance(next_at, str):
        from crmtui.services.follow_ups import parse_next

        when = parse_next(ctx, next_at) if next_at.strip() else None
    else:
        when = next_at
        if when is not None and when <= ctx.clock.now():
            raise InvalidInput("next", "a date in the future", when.isoformat())
    with ctx.db.write(now) as session:
        lead = _live_customer(session, lead_id)
        if lead.status != "lead":
            raise NotAllowed('"{name}" is not a lead (status {status})', name=lead.name,
                             status=labels.Shown(labels.status, lead.status))
        target = None
        if into_id:
            target = _live_customer(session, into_id)
            if target.id == lead.id:
                raise InvalidInput("into", "a customer other than the lead itself", lead.name)
        elif not new_company:
            target = _company_customer(session, lead)
        if target is not None and target.status == "pool":
            raise NotAllowed('"{name}" is in the public pool; claim it first', name=target.name)
        if target is None:
            customer, contact = _lead_becomes_customer(session, lead, now)
        else:
            customer, contact = target, _lead_joins(session, ctx, target, lead, now)
        if when is not None:
            # One next date per customer: whatever is due first stays first, as in a merge.
            moment = ctx.clock.to_utc(when)
            if customer.next_follow_up_at is None or moment < customer.next_follow_up_at:
                customer.next_follow_up_at = moment
        deal = _open_deal(session, ctx, customer, title or lead.interest or customer.name, amount_cents, now)
        _rescore(session, ctx, customer)
    return customer, contact, deal


def _lead_becomes_customer(session: StoreSession, lead: Customer, now: datetime) -> tuple[Customer, Contact]:
    """The lead itself becomes the prospect customer (named after its company), its person a contact of it."""
    contact = Contact(customer_id=lead.id, name=lead.name, phone=lead.phone, email=lead.email, wechat=lead.wechat,
                      created_at=now, updated_at=now)
    _apply_keys(contact)
    session.add(contact)
    if lead.company:
        lead.name = lead.company
        lead.kind = "company"
        _apply_keys(lead)
    lead.status = "prospect"
    lead.updated_at = now
    return lead, contact


def _lead_joins(session: StoreSession, ctx: Context, target: Customer, lead: Customer, now: datetime) -> Contact:
    """The lead merged into the existing customer as a person: a contact (or the identical one it has already)."""
    plan = _plan(session, target, lead, converting=True)
    made = _absorb(session, ctx, target, lead, plan, now)
    if made is not None:
        return made
    details = {name: getattr(lead, name) or None for name in ("phone", "email", "wechat")}
    name_key = normalize.name_key(lead.name)
    return next(c for c in customer_store.contacts_of(session, target.id) if _is_identical(c, name_key, details))


def _open_deal(session: StoreSession, ctx: Context, customer: Customer, title: str, amount_cents: int | None,
               now: datetime) -> Deal:
    first_stage = ctx.settings.stages[0]
    deal = Deal(
        customer_id=customer.id,
        title=title,
        amount_cents=amount_cents,
        stage=first_stage.key,
        probability=first_stage.probability,
        stage_entered_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(deal)
    session.flush()
    session.add(
        DealStageChange(deal_id=deal.id, from_stage=None, to_stage=first_stage.key, at=now, created_at=now, updated_at=now)
    )
    return deal


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
    tags: int


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
    return MergePlan(
        keep_id=keep.id, keep_name=keep.name, other_id=other.id, other_name=other.name,
        filled=filled, differing=differing, new_contact=new_contact, status=status, next_follow_up_at=earlier,
        contacts=len(customer_store.contacts_of(session, other.id)),
        deals=len(deal_store.deals_of(session, other.id)),
        follow_ups=len(follow_up_store.follow_ups_of(session, other.id)),
        contracts=len(deal_store.contracts_of(session, other.id)),
        tags=len([t for t in customer_store.tags_of(session, other.id) if t.tag not in keep_tags]),
    )


def merge_plan(ctx: Context, keep_id: str, other_id: str) -> MergePlan:
    """What merging `other` into `keep` would fill, keep as a contact and move; nothing is written."""
    if keep_id == other_id:
        raise InvalidInput("merge", "two different customers")
    with ctx.db.read() as session:
        return _plan(session, _live_customer(session, keep_id), _live_customer(session, other_id))


def describe_merge(ctx: Context, plan: MergePlan) -> list[str]:
    """The plan in lines a rep reads before saying yes (the CLI and the app show the same)."""
    from crmtui.dates import format_when
    from crmtui.i18n import language

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
        when = format_when(ctx.clock.to_local(plan.next_follow_up_at), True, language, ctx.clock.today())
        lines.append("  " + _("next follow-up becomes {when}").format(when=when))
    lines.append("  " + _("moves {contacts} contacts, {deals} deals, {follow_ups} follow-ups, {contracts} contracts, "
                   "{tags} tags").format(contacts=plan.contacts, deals=plan.deals, follow_ups=plan.follow_ups,
                                         contracts=plan.contracts, tags=plan.tags))
    return lines


def _absorb(
    session: StoreSession, ctx: Context, keep: Customer, other: Customer, plan: MergePlan, now: datetime
) -> Contact | None:
    """Applies a merge plan inside a write: fills keep's empty fields, makes the contact (returned; None when the plan
    has none), moves contacts, deals, contracts, follow-ups and tags of `other` to `keep`, tombstones other."""
    for name, _value in plan.filled:
        setattr(keep, name, getattr(other, name))
    if other.last_contact_at and (keep.last_contact_at is None or other.last_contact_at > keep.last_contact_at):
        keep.last_contact_at = other.last_contact_at
    if plan.next_follow_up_at:
        keep.next_follow_up_at = plan.next_follow_up_at
    if plan.status:
        keep.status = plan.status
    moved = [
        *customer_store.contacts_of(session, other.id),
        *deal_store.deals_of(session, other.id),
        *deal_store.contracts_of(session, other.id),
        *follow_up_store.follow_ups_of(session, other.id),
    ]
    for record in moved:
        record.customer_id = keep.id
        record.updated_at = now
    keep_tags = {t.tag for t in customer_store.tags_of(session, keep.id)}
    for tag in customer_store.tags_of(session, other.id):
        if tag.tag in keep_tags:
            tag.deleted_at = now
        else:
            tag.customer_id = keep.id
        tag.updated_at = now
    contact = None
    if plan.new_contact:
        made = plan.new_contact
        contact = Contact(customer_id=keep.id, name=made.name, title=made.title, phone=made.phone, email=made.email,
                          wechat=made.wechat, created_at=now, updated_at=now)
        _apply_keys(contact)
        session.add(contact)
    other.merged_into = keep.id
    other.deleted_at = now
    other.updated_at = now
    _apply_keys(keep)
    session.flush()
    _rescore(session, ctx, keep)
    keep.updated_at = now
    return contact


def merge_customers(ctx: Context, keep_id: str, other_id: str, expected: MergePlan | None = None) -> Customer:
    """Applies the merge plan: fills keep's empty fields, makes the contact, moves contacts, deals, contracts,
    follow-ups and tags of `other` to `keep`, tombstones other. With `expected` (the plan the rep confirmed),
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


def duplicate_of(
    ctx: Context, *, name: str | None = None, phone: str | None = None, email: str | None = None
) -> DuplicateFound | None:
    """The existing customer or contact a new record would duplicate (same phone, email or normalised name),
    for live warnings."""
    name_key = normalize.name_key(name) if name and name.strip() else None
    with ctx.db.read() as session:
        found = customer_store.find_duplicate(session, name_key, normalize.phone_key(phone), normalize.email_key(email))
    return None if found is None else _duplicate_found(*found)
