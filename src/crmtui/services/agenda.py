"""The agenda 今日待办: computed from the data, never typed; each item carries why it is listed (its section and
numbers: crmtui.services.agenda_words words them)."""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from crmtui.core.errors import Ambiguous, InvalidInput, Match, NotAllowed
from crmtui.core.formatting import amount_number
from crmtui.services.context import Context
from crmtui.store import agenda as store

ALL_REPS = "all"
"""`--rep all`: every rep's customers on this laptop (a manager's holds the whole team's)."""

SECTIONS = ("escalated", "pool", "tickets", "overdue", "due", "revisits", "stalled", "new_leads", "touch", "service",
            "renewals", "payments", "birthdays", "holidays")
"""In the order a rep works them (an empty section is not shown):
- escalated: a manager's own agenda only, the team's work gone wrong (it is the manager's first job of the day);
- pool: what the pool takes back soon (it is lost for good if missed);
- tickets: a customer waiting on a service request past (or near) its deadline, a promise already made;
- overdue, due: the follow-ups the rep planned, then revisits: planned dated calls after a sale, of the same kind;
- stalled, new_leads: money at risk and leads cooling;
- touch: customers past their tier's cadence (care the rep chooses when to give, nothing is late by the hour);
- service, renewals, payments, birthdays, holidays: days ahead, to prepare (a holiday's greetings are the
  furthest ahead and the least urgent)."""

COMING = "coming"
"""The look-ahead of a quiet day: the follow-ups planned for the next COMING_DAYS days."""

COMING_DAYS = 7

SHOWN = (*SECTIONS, COMING)
"""Every section the front ends list, the look-ahead last (it is not work for today: Agenda.items leaves it out)."""


@dataclass
class AgendaItem:
    """One row of the agenda: who, why (the section and its numbers), what is planned, and the money at stake."""

    section: str
    customer_id: str
    customer_name: str
    next_plan: str | None = None
    when: datetime | None = None
    """The follow-up's moment, in the rep's zone."""
    deal_id: str | None = None
    deal_title: str | None = None
    amount_cents: int | None = None
    days: int = 0
    """Days overdue, stalled, waiting, or until the date (the section says which; negative: a payment past due)."""
    hours: int = 0
    """A record nobody has called yet: hours since it was added."""
    stage: str | None = None
    """A stalled deal's stage (its key)."""
    contract_number: str | None = None
    contact_name: str | None = None
    """Whose birthday it is."""
    left: timedelta | None = None
    """Going back to the pool: the time left before it goes. A ticket: how long it is late, or has left."""
    first_contact: bool = False
    """Going back to the pool because a claimed customer has not been contacted yet (else: no follow-up in time)."""
    kind: str | None = None
    """What the row is about, where a section holds several kinds: service (a service date) or warranty; a ticket
    overdue or soon (due); escalated: follow_up or ticket."""
    due_on: date | None = None
    """A revisit's, service date's, warranty's, holiday's or ticket's day."""
    owner: str | None = None
    """Escalated: the rep whose customer it is."""
    tier: str | None = None
    cadence: int = 0
    """Due for a touch: the days of the tier's cadence (days: since the last contact)."""
    ticket_number: str | None = None
    priority: str | None = None
    """A ticket's priority key."""
    holiday: str | None = None
    """The holiday's name as configured (a name of core.config.HOLIDAYS, or the rep's own)."""
    channel: str | None = None
    """A revisit's channel key."""

    def as_dict(self, reason: str) -> dict[str, object]:
        """Plain values for --json, with the reason as the front end words it."""
        return {
            "section": self.section,
            "customer_id": self.customer_id,
            "customer": self.customer_name,
            "reason": reason,
            "next_plan": self.next_plan,
            "when": self.when.isoformat() if self.when else None,
            "deal_id": self.deal_id,
            "deal": self.deal_title,
            "amount": amount_number(self.amount_cents),
            "days": self.days,
            "hours": self.hours,
            "kind": self.kind,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "owner": self.owner,
            "tier": self.tier,
            "cadence_days": self.cadence or None,
            "ticket": self.ticket_number,
            "priority": self.priority,
            "holiday": self.holiday,
            "channel": self.channel,
        }


@dataclass
class Agenda:
    """The sections of one day, in the order a rep works them."""

    day: date
    sections: dict[str, list[AgendaItem]] = field(default_factory=dict)
    """The items of each section of SHOWN, the look-ahead (COMING) empty unless the day is quiet."""
    totals: dict[str, int] = field(default_factory=dict)
    """How many each section has in all; long sections keep only their most urgent rows (store.agenda.LIMIT)."""
    book_empty: bool = False
    """No customer or lead at all: an empty day then suggests adding one or loading the demo."""
    rep: str | None = None
    """Whose agenda: None for the rep's own, a rep's name, or ALL_REPS."""
    team: list[RepLoad] = field(default_factory=list)
    """A manager's own agenda: what each other rep has waiting (empty for a rep)."""

    @property
    def quiet(self) -> bool:
        """Nothing overdue and nothing due today: the sections then end with what is coming (COMING)."""
        return not self.totals.get("overdue") and not self.totals.get("due")

    def items(self) -> list[AgendaItem]:
        """Every item of today's work, section by section (the look-ahead of a quiet day left out)."""
        return [item for name in SECTIONS for item in self.sections.get(name, [])]

    def own_items(self) -> list[AgendaItem]:
        """The items of the rep's own customers: a manager's escalations (the team's work) left out."""
        return [item for name in SECTIONS if name != "escalated" for item in self.sections.get(name, [])]


@dataclass
class RepLoad:
    """One rep's waiting work, as a manager's Today lists it: counted exactly as the rep's own agenda counts."""

    rep: str
    overdue: int = 0
    due: int = 0
    stalled: int = 0
    stalled_cents: int = 0
    """What the stalled high-intent deals are worth."""
    new_leads: int = 0
    escalated: int = 0
    """Follow-ups overdue by more than escalate_days and high or urgent tickets past their deadline: the rep's
    rows of the manager's escalated section."""

    def as_dict(self) -> dict[str, object]:
        """Plain values for --json."""
        return {"rep": self.rep, "overdue": self.overdue, "due": self.due, "stalled": self.stalled,
                "stalled_amount": amount_number(self.stalled_cents), "new_leads": self.new_leads,
                "escalated": self.escalated}


def _high_intent(ctx: Context) -> list[str]:
    """The open stages from the proposal on: a deal stalled there is money at risk."""
    keys = [s.key for s in ctx.settings.stages]
    return [k for k in keys[keys.index("proposal"):] if k not in ("won", "lost")] if "proposal" in keys else []


def is_manager(ctx: Context) -> bool:
    """Whether this laptop is a team manager's (it holds every rep's customers), as the last sync said."""
    if not ctx.settings.sync.configured:
        return False
    with ctx.db.raw_read() as connection:
        return store.sync_setting(connection, "sync_manager") == "1"


def team_reps(ctx: Context) -> list[str]:
    """The reps whose customers this laptop holds, by name (the rep's own name always among them in a team)."""
    with ctx.db.raw_read() as connection:
        names = set(store.owners(connection))
    if ctx.settings.sync.configured and ctx.settings.sync.user:
        names.add(ctx.settings.sync.user)
    return sorted(names)


def resolve_rep(ctx: Context, text: str) -> str:
    """`--rep`: ALL_REPS, or the rep it names among those whose customers this laptop holds: the whole
    name (any case), else the one name it begins; two such names are listed, never one picked."""
    wanted = text.strip()
    if not ctx.settings.sync.configured:
        raise NotAllowed("--rep works in a team (crm sync setup): this book holds only your own customers")
    if wanted.casefold() == ALL_REPS:
        return ALL_REPS
    reps = team_reps(ctx)
    found = matching_reps(wanted, reps)
    if len(found) > 1:
        raise Ambiguous("rep", wanted, [Match(name, name) for name in found])
    if not found:
        raise InvalidInput("rep", "a rep whose customers this laptop holds ({reps}) or all", wanted,
                           reps=", ".join(reps))
    return found[0]


def matching_reps(wanted: str, names: list[str]) -> list[str]:
    """The reps `wanted` names among `names`: the one whole name (any case), else every name it begins."""
    exact = [name for name in names if name.casefold() == wanted.casefold()]
    return exact or [name for name in names if wanted and name.casefold().startswith(wanted.casefold())]


def owned_by(rep: str | None, owner: str | None) -> bool:
    """Whether a customer of `owner` is in the view of `rep` (None: everything this laptop lists)."""
    if rep is None:
        return True
    if rep == ALL_REPS:
        return owner is not None
    return owner == rep


def _scope(rep: str | None) -> store.Scope:
    if rep is None:
        return store.MINE
    return store.TEAM if rep == ALL_REPS else store.Scope.rep(rep)


def _team_lines(ctx: Context, day: date) -> tuple:
    """The moments the agenda's sections are cut at, for counting per rep."""
    settings, now = ctx.settings, ctx.clock.utcnow()
    start, end = ctx.clock.day_bounds(day)
    return (start, end, _high_intent(ctx), now - timedelta(days=settings.stall_days),
            now - timedelta(hours=settings.speed_to_lead_hours))


def team_load(ctx: Context, day: date | None = None) -> list[RepLoad]:
    """What every other rep has waiting on `day`, the most overdue first (a manager's Today)."""
    day = day or ctx.clock.today()
    me = ctx.settings.sync.user
    line = ctx.clock.day_bounds(day - timedelta(days=ctx.settings.agenda.escalate_days))[0]
    with ctx.db.raw_read() as connection:
        counts = store.counts_by_owner(connection, *_team_lines(ctx, day))
        escalated = store.escalated_by_owner(connection, line, ctx.clock.utcnow(), day, ESCALATED_PRIORITIES)
    loads = [RepLoad(c.owner, c.overdue, c.due, c.stalled, c.stalled_cents, c.new_leads, escalated.get(c.owner, 0))
             for c in counts if c.owner != me]
    loads.sort(key=lambda load: (-load.escalated, -load.overdue, -load.due, load.rep))
    return loads


def agenda_for(ctx: Context, day: date | None = None, rep: str | None = None) -> Agenda:
    """What the rep must do on `day` (default today). `rep`: another rep's agenda (a name from resolve_rep)
    or ALL_REPS, on a laptop that holds them; a manager's own agenda also counts each rep's waiting work."""
    settings, clock = ctx.settings, ctx.clock
    day = day or clock.today()
    start, end = clock.day_bounds(day)
    local_now = clock.now()
    now = clock.utcnow()
    agenda = Agenda(day=day, sections={name: [] for name in SHOWN}, rep=rep)
    high = _high_intent(ctx)
    scope = _scope(rep)
    with ctx.db.raw_read() as connection:
        overdue, agenda.totals["overdue"] = store.due_before(connection, start, scope)
        due, agenda.totals["due"] = store.due_between(connection, start, end, scope)
        coming: list[store.AgendaRow] = []
        agenda.totals[COMING] = 0
        if agenda.quiet:  # a busy day's list is long enough: the week ahead would only push it down
            coming, agenda.totals[COMING] = store.due_between(
                connection, end, clock.day_bounds(day + timedelta(days=COMING_DAYS))[1], scope)
        stalled, agenda.totals["stalled"] = store.stalled_deals(
            connection, high, now - timedelta(days=settings.stall_days), scope)
        leads, agenda.totals["new_leads"] = store.uncontacted_leads(
            connection, now - timedelta(hours=settings.speed_to_lead_hours), scope)
        renewals, agenda.totals["renewals"] = store.contracts_ending(
            connection, day, day + timedelta(days=settings.renewal_days), scope)
        payments, agenda.totals["payments"] = store.payments_due(
            connection, day + timedelta(days=settings.payment_days), scope)
        window = [day + timedelta(days=offset) for offset in range(settings.birthday_days + 1)]
        offsets = {d.strftime("%m-%d"): i for i, d in reversed(list(enumerate(window)))}
        for i, d in enumerate(window):
            if (d.month, d.day) == (2, 28) and not calendar.isleap(d.year):
                offsets.setdefault("02-29", i)  # a 29 February birthday is kept on the 28th in other years
        birthdays = store.birthdays(connection, list(offsets), scope)
        pool = [] if rep == ALL_REPS else _pool_warnings(ctx, connection, now, rep or ctx.settings.sync.user)
        revisits, agenda.totals["revisits"] = store.open_revisits(connection, day, scope)
        care = settings.agenda.care_days
        touch, agenda.totals["touch"] = store.touch_due(
            connection, [(tier, clock.day_bounds(day - timedelta(days=days))[0]) for tier, days in care], end, scope)
        service = _service_items(ctx, connection, day, scope)
        tickets = _ticket_items(ctx, connection, now, scope)
        agenda.sections["holidays"], agenda.totals["holidays"] = _holiday_items(ctx, connection, day, scope)
        # Not in a team: the sample customers would go to the team's server at the next sync.
        agenda.book_empty = store.book_is_empty(connection) and not settings.sync.configured
        manager = rep is None and settings.sync.configured and store.sync_setting(connection, "sync_manager") == "1"
        if manager:
            agenda.sections["escalated"] = _escalated_items(ctx, connection, day, now)
    if manager:
        agenda.team = team_load(ctx, day)

    def item(section: str, row: store.AgendaRow, **extra: object) -> AgendaItem:
        values: dict[str, object] = dict(
            next_plan=row.next_plan, when=clock.to_local(row.when), deal_id=row.deal_id, deal_title=row.deal_title,
            amount_cents=row.deal_amount,
        )
        values.update(extra)
        return AgendaItem(section, row.customer_id, row.customer_name, **values)  # type: ignore[arg-type]

    for row in overdue:
        days = (day - clock.to_local(row.when).date()).days  # type: ignore[union-attr]
        agenda.sections["overdue"].append(item("overdue", row, days=days))
    for row in due:
        agenda.sections["due"].append(item("due", row))
    for row in coming:
        days = (clock.to_local(row.when).date() - day).days  # type: ignore[union-attr]
        agenda.sections[COMING].append(item(COMING, row, days=days))
    for row in stalled:
        days = (day - clock.to_local(row.last_contact or row.stage_entered).date()).days  # type: ignore[union-attr]
        agenda.sections["stalled"].append(item("stalled", row, days=days, stage=row.deal_stage))
    for row in leads:
        # Any record nobody has called yet (a converted lead, a customer added directly), not only leads.
        hours = int((local_now - row.when).total_seconds() // 3600)  # type: ignore[operator]
        agenda.sections["new_leads"].append(item("new_leads", row, days=hours // 24, hours=hours))
    for row in renewals:
        days = (row.contract_end - day).days  # type: ignore[operator]
        agenda.sections["renewals"].append(item("renewals", row, days=days, contract_number=row.contract_number))
    for row in payments:
        days = (row.payment_due - day).days  # type: ignore[operator]
        agenda.sections["payments"].append(item("payments", row, amount_cents=row.payment_amount, days=days,
                                                contract_number=row.contract_number))
    for row in birthdays:
        offset = offsets[row.birthday.strftime("%m-%d")]  # type: ignore[union-attr]
        agenda.sections["birthdays"].append(item("birthdays", row, days=offset, contact_name=row.contact_name))
    agenda.sections["birthdays"].sort(key=lambda entry: entry.days)
    agenda.sections["pool"] = pool
    for row in revisits:
        agenda.sections["revisits"].append(item("revisits", row, days=(day - row.due_on).days,  # type: ignore[operator]
                                                due_on=row.due_on, channel=row.channel, amount_cents=None))
    for row in touch:
        since = (day - clock.to_local(row.last_contact).date()).days  # type: ignore[union-attr]
        # No plan: the plan of a contact months ago says nothing about the touch now due.
        agenda.sections["touch"].append(item("touch", row, days=since, tier=row.tier, next_plan=None,
                                             cadence=settings.agenda.care(row.tier or "") or 0))
    for name in ("escalated", "pool", "birthdays"):
        agenda.totals[name] = len(agenda.sections[name])
    for name, items in (("service", service), ("tickets", tickets)):  # the most urgent LIMIT rows, all counted
        agenda.sections[name], agenda.totals[name] = items[:store.LIMIT], len(items)
    return agenda


def add_months(start: date, months: int) -> date:
    """`start` moved on by whole months, always counted from `start` itself: a day the month lacks is its last
    day (31 Jan + 1 month is 28 Feb, or 29 in a leap year; + 2 months is 31 Mar, not 28 Mar; 29 Feb + 12 months is
    28 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_service(start: date, months: int, day: date) -> date:
    """The first service date on or after `day` of a cycle of `months` from `start` (the first visit is `months`
    after `start`: a cycle counted from the signing day does not fall on the signing day)."""
    if months <= 0:
        raise ValueError("months")
    passed = max(0, (day.year - start.year) * 12 + day.month - start.month - 1) // months
    count = max(1, passed)
    while add_months(start, count * months) < day:
        count += 1
    return add_months(start, count * months)


def _service_items(ctx: Context, connection: object, day: date, scope: store.Scope) -> list[AgendaItem]:
    """Service dates within service_days and warranties ending within warranty_days, the soonest first."""
    care = ctx.settings.agenda
    items = []
    for row in store.service_cycles(connection, day + timedelta(days=care.warranty_days), day,  # type: ignore[arg-type]
                                    scope):
        if row.service_months and row.service_from:
            when = next_service(row.service_from, row.service_months, day)
            if (when - day).days <= care.service_days:
                items.append(AgendaItem("service", row.customer_id, row.customer_name, kind="service", due_on=when,
                                        days=(when - day).days, contract_number=row.contract_number))
        if row.warranty_until and 0 <= (row.warranty_until - day).days <= care.warranty_days:
            items.append(AgendaItem("service", row.customer_id, row.customer_name, kind="warranty",
                                    due_on=row.warranty_until, days=(row.warranty_until - day).days,
                                    contract_number=row.contract_number))
    items.sort(key=lambda entry: (entry.days, entry.customer_name, entry.kind or ""))
    return items


def ticket_deadline(ctx: Context, row: store.TicketRow) -> datetime:
    """When a ticket is late: its resolution deadline, or the end of its due day (in the rep's zone) if earlier."""
    if row.due_on is None:
        return row.resolve_by
    return min(row.resolve_by, ctx.clock.day_bounds(row.due_on)[1])


_TICKET_ORDER = {"overdue": 0, "late_answer": 1, "soon": 2}
"""Today's tickets: past their deadline, then not answered in time, then due soon (as the tickets list marks
them)."""


def _ticket_items(ctx: Context, connection: object, now: datetime, scope: store.Scope) -> list[AgendaItem]:
    """Open service requests past their deadline (the resolution deadline or the promised day), the longest late
    first; then those not answered by their response deadline; then those due within the tickets' soon_hours, the
    soonest first."""
    soon = now + timedelta(hours=ctx.settings.tickets.soon_hours)
    items = []
    last_day = soon.astimezone(ctx.clock.zone).date()
    for row in store.tickets_due(connection, soon, last_day, scope, unanswered_by=now):  # type: ignore[arg-type]
        deadline = ticket_deadline(ctx, row)
        if deadline <= now:
            kind = "overdue"
        elif row.responded_at is None and row.respond_by is not None and row.respond_by <= now:
            kind, deadline = "late_answer", row.respond_by
        elif deadline <= soon:
            kind = "soon"
        else:
            continue
        hours = int(abs((now - deadline).total_seconds()) // 3600)
        items.append(AgendaItem("tickets", row.customer_id, row.customer_name, next_plan=row.title,
                                kind=kind, hours=hours, days=hours // 24, left=abs(now - deadline),
                                ticket_number=row.number, priority=row.priority, when=ctx.clock.to_local(deadline),
                                due_on=row.due_on))
    items.sort(key=lambda entry: (_TICKET_ORDER[entry.kind or "soon"], entry.when))
    return items


LUNAR = {"春节": ("Spring Festival", (1, 21), (2, 20)), "端午": ("Dragon Boat", (5, 27), (6, 25)),
         "中秋": ("Mid-Autumn", (9, 7), (10, 7))}
"""The holidays of the Chinese calendar: the name the `holidays` library's China calendar gives them, and the
earliest and latest day of the year they fall on (1950-2099, worked out with that library): the library (about
75 ms to import) is loaded only when the days ahead reach that range."""
FIXED = {"元旦": "01-01", "劳动节": "05-01", "国庆": "10-01"}


def _lunar_day(name: str, year: int) -> date | None:
    """The day of a Chinese-calendar holiday in `year`, from the `holidays` library's China calendar."""
    # deferred: the holidays library, about 75 ms, for the weeks before a Chinese-calendar holiday only
    from holidays.countries.china import China

    found = China(years=year, language="en_US").get_named(LUNAR[name][0])
    return min(found) if found else None


def holiday_dates(ctx: Context, day: date) -> list[tuple[str, date]]:
    """The configured holidays within holiday_days from `day` (today included), the soonest first."""
    ahead = ctx.settings.agenda.holiday_days
    last = day + timedelta(days=ahead)
    found = []
    for name, fixed in ctx.settings.agenda.holidays:
        for year in range(day.year, last.year + 1):
            if name in LUNAR:
                _key, earliest, latest = LUNAR[name]
                if date(year, *latest) < day or date(year, *earliest) > last:
                    continue
                when = _lunar_day(name, year)
            else:
                month, dom = (int(part) for part in (fixed or FIXED[name]).split("-"))
                if (month, dom) == (2, 29) and not calendar.isleap(year):
                    dom = 28  # a 29 February holiday is kept on the 28th in other years, as birthdays are
                when = date(year, month, dom)
            if when is not None and day <= when <= last:
                found.append((name, when))
    found.sort(key=lambda pair: pair[1])
    return found


def _holiday_items(ctx: Context, connection: object, day: date,
                   scope: store.Scope) -> tuple[list[AgendaItem], int]:
    """The key customers to greet before each holiday within holiday_days: rows (at most LIMIT) and total."""
    coming = holiday_dates(ctx, day)
    if not coming:
        return [], 0
    rows, count = store.key_customers(connection, ctx.settings.agenda.holiday_tag, scope)  # type: ignore[arg-type]
    items = [AgendaItem("holidays", row.customer_id, row.customer_name, holiday=name, due_on=when,
                        days=(when - day).days, tier=row.tier) for name, when in coming for row in rows]
    return items[:store.LIMIT], count * len(coming)


def _escalated_items(ctx: Context, connection: object, day: date, now: datetime) -> list[AgendaItem]:
    """A manager's: every other rep's follow-ups overdue by more than escalate_days and high or urgent tickets
    past their deadline, by rep, the longest late first."""
    me = ctx.settings.sync.user or None
    line = ctx.clock.day_bounds(day - timedelta(days=ctx.settings.agenda.escalate_days))[0]
    items = []
    for row in store.escalated_follow_ups(connection, line, me):  # type: ignore[arg-type]
        days = (day - ctx.clock.to_local(row.when).date()).days  # type: ignore[union-attr]
        items.append(AgendaItem("escalated", row.customer_id, row.customer_name, next_plan=row.next_plan,
                                when=ctx.clock.to_local(row.when), days=days, owner=row.owner, kind="follow_up"))
    for ticket in store.tickets_due(connection, now, day - timedelta(days=1), store.TEAM,  # type: ignore[arg-type]
                                    ESCALATED_PRIORITIES):
        deadline = ticket_deadline(ctx, ticket)
        if deadline > now or ticket.owner == me:
            continue
        hours = int((now - deadline).total_seconds() // 3600)
        items.append(AgendaItem("escalated", ticket.customer_id, ticket.customer_name, next_plan=ticket.title,
                                when=ctx.clock.to_local(deadline), hours=hours, days=hours // 24, left=now - deadline,
                                owner=ticket.owner,
                                kind="ticket", ticket_number=ticket.number, priority=ticket.priority))
    items.sort(key=lambda entry: (entry.owner or "", entry.when or now))
    return items[:store.LIMIT]


ESCALATED_PRIORITIES = ("high", "urgent")
"""A ticket of these priorities past its deadline goes up to the manager."""


def _pool_warnings(ctx: Context, connection: object, now: datetime, owner: str | None) -> list[AgendaItem]:
    """Team mode: the owner's customers the pool rules will take back soon, from the rules of the last pull
    (so it works offline too). A claimed customer not yet contacted shows the hours left."""
    rules_text = store.sync_setting(connection, "sync_pool_rules")  # type: ignore[arg-type]
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
            items.append(AgendaItem("pool", customer_id, name, days=-1 if hours < 24 else hours // 24, left=left,
                                    first_contact=True))
            continue
        line = max(moment for moment in (last, claimed, created) if moment is not None) + reclaim
        days = max(0, (line - now).days)
        items.append(AgendaItem("pool", customer_id, name, days=days, left=line - now))
    items.sort(key=lambda entry: entry.days)
    return items


def due_since(ctx: Context, after: datetime, until: datetime) -> list[str]:
    """Customers whose follow-up came due between two moments (for the app's "due now" notice)."""
    with ctx.db.raw_read() as connection:
        return store.came_due(connection, after, until)
