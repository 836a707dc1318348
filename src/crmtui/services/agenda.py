"""The agenda 今日待办: computed from the data, never typed; each item says why it is listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from crmtui.formatting import format_amount
from crmtui.i18n import _
from crmtui.services.context import Context
from crmtui.store import agenda as agenda_store

SECTIONS = ("overdue", "due", "stalled", "new_leads", "renewals", "payments", "birthdays")


@dataclass
class AgendaItem:
    """One row of the agenda: who, why, what is planned, and the money at stake."""

    section: str
    customer_id: str
    customer_name: str
    reason: str
    next_plan: str | None = None
    when: datetime | None = None
    deal_id: str | None = None
    deal_title: str | None = None
    amount_cents: int | None = None
    days: int = 0

    def as_dict(self) -> dict[str, object]:
        """Plain values for --json."""
        return {
            "section": self.section,
            "customer_id": self.customer_id,
            "customer": self.customer_name,
            "reason": self.reason,
            "next_plan": self.next_plan,
            "when": self.when.isoformat() if self.when else None,
            "deal_id": self.deal_id,
            "deal": self.deal_title,
            "amount": format_amount(self.amount_cents) or None,
            "days": self.days,
        }


@dataclass
class Agenda:
    """The sections of one day, in the order a rep works them."""

    day: date
    sections: dict[str, list[AgendaItem]] = field(default_factory=dict)

    def items(self) -> list[AgendaItem]:
        """Every item, section by section."""
        return [item for name in SECTIONS for item in self.sections.get(name, [])]


def agenda_for(ctx: Context, day: date | None = None) -> Agenda:
    """What the rep must do on `day` (default today)."""
    settings, clock = ctx.settings, ctx.clock
    day = day or clock.today()
    start, end = clock.day_bounds(day)
    local_now = clock.now()
    now = clock.utcnow()
    agenda = Agenda(day=day, sections={name: [] for name in SECTIONS})
    stage_names = {s.key: s.name for s in settings.stages}
    with ctx.db.read() as session:
        plans = _next_plans(session)
        for customer, deal in agenda_store.due_before(session, start):
            due_local = clock.to_local(customer.next_follow_up_at)
            days = (day - due_local.date()).days if due_local else 0
            agenda.sections["overdue"].append(
                AgendaItem("overdue", customer.id, customer.name, _("overdue {days} d").format(days=days),
                           plans(customer.id), due_local, deal.id if deal else None, deal.title if deal else None,
                           deal.amount_cents if deal else None, days)
            )
        for customer, deal in agenda_store.due_between(session, start, end):
            due_local = clock.to_local(customer.next_follow_up_at)
            agenda.sections["due"].append(
                AgendaItem("due", customer.id, customer.name,
                           _("due today {time}").format(time=due_local.strftime("%H:%M")) if due_local else _("due today"),
                           plans(customer.id), due_local, deal.id if deal else None, deal.title if deal else None,
                           deal.amount_cents if deal else None)
            )
        keys = [s.key for s in settings.stages]
        high = [k for k in keys[keys.index("proposal"):] if k not in ("won", "lost")] if "proposal" in keys else []
        cutoff = now - timedelta(days=settings.stall_days)
        for deal, customer in agenda_store.stalled_deals(session, high, cutoff):
            last = clock.to_local(customer.last_contact_at or deal.stage_entered_at)
            days = (day - last.date()).days if last else 0
            agenda.sections["stalled"].append(
                AgendaItem("stalled", customer.id, customer.name,
                           _("stalled {days} d in {stage}").format(days=days, stage=stage_names.get(deal.stage, deal.stage)),
                           plans(customer.id), clock.to_local(customer.next_follow_up_at), deal.id, deal.title,
                           deal.amount_cents, days)
            )
        lead_cutoff = now - timedelta(hours=settings.speed_to_lead_hours)
        for lead in agenda_store.uncontacted_leads(session, lead_cutoff):
            created = clock.to_local(lead.created_at)
            hours = int((local_now - created).total_seconds() // 3600) if created else 0
            agenda.sections["new_leads"].append(
                AgendaItem("new_leads", lead.id, lead.name,
                           _("new lead, not contacted for {hours} h").format(hours=hours), None, created, days=hours // 24)
            )
        for contract, customer in agenda_store.contracts_ending(session, day, day + timedelta(days=settings.renewal_days)):
            days = (contract.end_on - day).days
            agenda.sections["renewals"].append(
                AgendaItem("renewals", customer.id, customer.name,
                           _("contract {number} ends in {days} d").format(number=contract.number, days=days),
                           plans(customer.id), None, contract.deal_id, None, contract.amount_cents, days)
            )
        for payment, contract, customer in agenda_store.payments_due(session, day + timedelta(days=settings.payment_days)):
            days = (payment.due_on - day).days
            reason = (_("payment overdue {days} d").format(days=-days) if days < 0
                      else _("payment due in {days} d").format(days=days))
            agenda.sections["payments"].append(
                AgendaItem("payments", customer.id, customer.name, f"{reason} ({contract.number})",
                           None, None, contract.deal_id, None, payment.amount_cents, days)
            )
        window = [day + timedelta(days=offset) for offset in range(settings.birthday_days + 1)]
        for contact, customer in agenda_store.birthdays(session, [d.strftime("%m-%d") for d in window]):
            assert contact.birthday is not None
            offset = next(i for i, d in enumerate(window) if d.strftime("%m-%d") == contact.birthday.strftime("%m-%d"))
            reason = (_("{name}'s birthday today") if offset == 0 else _("{name}'s birthday in {days} d")).format(
                name=contact.name, days=offset)
            agenda.sections["birthdays"].append(
                AgendaItem("birthdays", customer.id, customer.name, reason, days=offset)
            )
        agenda.sections["birthdays"].sort(key=lambda item: item.days)
    return agenda


def _next_plans(session):  # type: ignore[no-untyped-def]
    """A lookup of each customer's latest next plan, read lazily per customer."""
    from crmtui.store.follow_ups import latest_next_plan

    cache: dict[str, str | None] = {}

    def plan(customer_id: str) -> str | None:
        if customer_id not in cache:
            cache[customer_id] = latest_next_plan(session, customer_id)
        return cache[customer_id]

    return plan
