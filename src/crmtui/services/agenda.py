"""The agenda 今日待办: computed from the data, never typed; each item says why it is listed."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from crmtui.formatting import amount_number
from crmtui import labels
from crmtui.i18n import _
from crmtui.services.context import Context
from crmtui.store import agenda as store

SECTIONS = ("pool", "overdue", "due", "stalled", "new_leads", "renewals", "payments", "birthdays")
"""In the order a rep works them: what the pool takes back soon first (it is lost for good if missed; an
empty section is not shown)."""


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
            "amount": amount_number(self.amount_cents),
            "days": self.days,
        }


@dataclass
class Agenda:
    """The sections of one day, in the order a rep works them."""

    day: date
    sections: dict[str, list[AgendaItem]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    """How many each section has in all; long sections keep only their most urgent rows (store.agenda.LIMIT)."""
    book_empty: bool = False
    """No customer or lead at all: an empty day then suggests adding one or loading the demo."""

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
    keys = [s.key for s in settings.stages]
    high = [k for k in keys[keys.index("proposal"):] if k not in ("won", "lost")] if "proposal" in keys else []
    with ctx.db.raw_read() as connection:
        overdue, agenda.totals["overdue"] = store.due_before(connection, start)
        due, agenda.totals["due"] = store.due_between(connection, start, end)
        stalled, agenda.totals["stalled"] = store.stalled_deals(
            connection, high, now - timedelta(days=settings.stall_days))
        leads, agenda.totals["new_leads"] = store.uncontacted_leads(
            connection, now - timedelta(hours=settings.speed_to_lead_hours))
        renewals = store.contracts_ending(connection, day, day + timedelta(days=settings.renewal_days))
        payments = store.payments_due(connection, day + timedelta(days=settings.payment_days))
        window = [day + timedelta(days=offset) for offset in range(settings.birthday_days + 1)]
        offsets = {d.strftime("%m-%d"): i for i, d in reversed(list(enumerate(window)))}
        for i, d in enumerate(window):
            if (d.month, d.day) == (2, 28) and not calendar.isleap(d.year):
                offsets.setdefault("02-29", i)  # a 29 February birthday is kept on the 28th in other years
        birthdays = store.birthdays(connection, list(offsets))
        pool = _pool_warnings(ctx, connection, now)
        agenda.book_empty = store.book_is_empty(connection)

    def item(section: str, row: store.AgendaRow, reason: str, **extra: object) -> AgendaItem:
        values: dict[str, object] = dict(
            next_plan=row.next_plan, when=clock.to_local(row.when), deal_id=row.deal_id, deal_title=row.deal_title,
            amount_cents=row.deal_amount,
        )
        values.update(extra)
        return AgendaItem(section, row.customer_id, row.customer_name, reason, **values)  # type: ignore[arg-type]

    for row in overdue:
        days = (day - clock.to_local(row.when).date()).days  # type: ignore[union-attr]
        agenda.sections["overdue"].append(item("overdue", row, _("overdue {days} d").format(days=days), days=days))
    for row in due:
        when = clock.to_local(row.when)
        agenda.sections["due"].append(item("due", row, _("due today {time}").format(time=when.strftime("%H:%M"))))  # type: ignore[union-attr]
    for row in stalled:
        days = (day - clock.to_local(row.last_contact or row.stage_entered).date()).days  # type: ignore[union-attr]
        stage = labels.stage(settings, row.deal_stage or "")
        agenda.sections["stalled"].append(
            item("stalled", row, _("stalled {days} d in {stage}").format(days=days, stage=stage), days=days))
    for row in leads:
        hours = int((local_now - row.when).total_seconds() // 3600)  # type: ignore[operator]
        # Any record nobody has called yet (a converted lead, a customer added directly), not only leads;
        # past two days the wait reads better in days ("667 h" was four weeks).
        reason = (_("added {hours} h ago, not contacted yet").format(hours=hours) if hours < 48
                  else _("added {days} d ago, not contacted yet").format(days=hours // 24))
        agenda.sections["new_leads"].append(item("new_leads", row, reason, days=hours // 24))
    for row in renewals:
        days = (row.contract_end - day).days  # type: ignore[operator]
        reason = _("contract {number} ends in {days} d").format(number=row.contract_number, days=days)
        agenda.sections["renewals"].append(item("renewals", row, reason, days=days))
    for row in payments:
        days = (row.payment_due - day).days  # type: ignore[operator]
        reason = (_("payment overdue {days} d").format(days=-days) if days < 0
                  else _("payment due in {days} d").format(days=days))
        agenda.sections["payments"].append(
            item("payments", row, f"{reason} ({row.contract_number})", amount_cents=row.payment_amount, days=days))
    for row in birthdays:
        offset = offsets[row.birthday.strftime("%m-%d")]  # type: ignore[union-attr]
        reason = (_("{name}'s birthday today") if offset == 0 else _("{name}'s birthday in {days} d")).format(
            name=row.contact_name, days=offset)
        agenda.sections["birthdays"].append(item("birthdays", row, reason, days=offset))
    agenda.sections["birthdays"].sort(key=lambda entry: entry.days)
    agenda.sections["pool"] = pool
    for name in ("pool", "renewals", "payments", "birthdays"):
        agenda.totals[name] = len(agenda.sections[name])
    return agenda


def _pool_warnings(ctx: Context, connection: object, now: datetime) -> list[AgendaItem]:
    """Team mode: the rep's customers the pool rules will take back soon, from the rules of the last pull
    (so it works offline too). A claimed customer not yet contacted shows the hours left."""
    import json

    rules_text = store.sync_setting(connection, "sync_pool_rules")  # type: ignore[arg-type]
    owner = ctx.settings.sync.user
    if not rules_text or not owner:
        return []
    rules = json.loads(rules_text)
    reclaim, warn = timedelta(days=rules["reclaim_days"]), timedelta(days=rules["warn_days"])
    first_contact = timedelta(hours=rules["first_contact_hours"])
    items = []
    for customer_id, name, claimed, last, created in store.pool_candidates(
        connection, owner, now - reclaim + warn  # type: ignore[arg-type]
    ):
        if claimed is not None and (last is None or last < claimed):
            left = claimed + first_contact - now
            hours = max(0, int(left.total_seconds() // 3600))
            reason = _("not contacted: pool in {hours} h").format(hours=hours)
            items.append(AgendaItem("pool", customer_id, name, reason, days=-1 if hours < 24 else hours // 24))
            continue
        line = max(moment for moment in (last, claimed, created) if moment is not None) + reclaim
        days = max(0, (line - now).days)
        items.append(AgendaItem("pool", customer_id, name,
                                _("to the pool in {days} d").format(days=days), days=days))
    items.sort(key=lambda entry: entry.days)
    return items


def due_since(ctx: Context, after: datetime, until: datetime) -> list[str]:
    """Customers whose follow-up came due between two moments (for the app's "due now" notice)."""
    with ctx.db.raw_read() as connection:
        return store.came_due(connection, after, until)
