"""Converting a lead: it becomes a prospect customer with a contact and an open deal, or, when its company is
already a customer, it joins that customer by a merge (nothing of the lead is lost)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from crmtui.core import labels, normalize
from crmtui.core.errors import Ambiguous, CrmError, InvalidInput, Match, NotAllowed
from crmtui.core.i18n import N_
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.services.customers import _apply_keys, _live_customer, _rescore
from crmtui.services.follow_ups import next_moment
from crmtui.services.merge import _absorb, _is_identical, _plan
from crmtui.services.personal_data import CONSENT_COLUMNS
from crmtui.store import customers as customer_store
from crmtui.store.models import Contact, Customer, Deal, DealStageChange
from crmtui.store.session import StoreSession


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
    title = fields.single_line("deal_title", deal_title)
    now = ctx.clock.utcnow()
    when = next_moment(ctx, next_at)
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
    for name in CONSENT_COLUMNS:  # the person's consent and do-not-contact go with them (services/personal_data.py)
        setattr(contact, name, getattr(lead, name))
    _apply_keys(contact)
    session.add(contact)
    if lead.company:
        lead.name = lead.company
        lead.kind = "company"
        for name in CONSENT_COLUMNS:  # a company has none: its contacts do
            setattr(lead, name, False if name == "do_not_contact" else None)
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

