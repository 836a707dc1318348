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

SECTIONS = ("pool", "overdue", "due", "stalled", "new_leads", "renewals", "payments", "birthdays")
"""In the order a rep works them: what the pool takes back soon first (it is lost for good if missed; an
empty section is not shown)."""

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
    """Going back to the pool: the time left before it goes."""
    first_contact: bool = False
    """Going back to the pool because a claimed customer has not been contacted yet (else: no follow-up in time)."""

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

    def as_dict(self) -> dict[str, object]:
        """Plain values for --json."""
        return {"rep": self.rep, "overdue": self.overdue, "due": self.due, "stalled": self.stalled,
                "stalled_amount": amount_number(self.stalled_cents), "new_leads": self.new_leads}


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
    with ctx.db.raw_read() as connection:
        counts = store.counts_by_owner(connection, *_team_lines(ctx, day))
    loads = [RepLoad(c.owner, c.overdue, c.due, c.stalled, c.stalled_cents, c.new_leads) for c in counts
             if c.owner != me]
    loads.sort(key=lambda load: (-load.overdue, -load.due, load.rep))
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
        renewals = store.contracts_ending(connection, day, day + timedelta(days=settings.renewal_days), scope)
        payments = store.payments_due(connection, day + timedelta(days=settings.payment_days), scope)
        window = [day + timedelta(days=offset) for offset in range(settings.birthday_days + 1)]
        offsets = {d.strftime("%m-%d"): i for i, d in reversed(list(enumerate(window)))}
        for i, d in enumerate(window):
            if (d.month, d.day) == (2, 28) and not calendar.isleap(d.year):
                offsets.setdefault("02-29", i)  # a 29 February birthday is kept on the 28th in other years
        birthdays = store.birthdays(connection, list(offsets), scope)
        pool = [] if rep == ALL_REPS else _pool_warnings(ctx, connection, now, rep or ctx.settings.sync.user)
        # Not in a team: the sample customers would go to the team's server at the next sync.
        agenda.book_empty = store.book_is_empty(connection) and not settings.sync.configured
        manager = rep is None and settings.sync.configured and store.sync_setting(connection, "sync_manager") == "1"
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
    for name in ("pool", "renewals", "payments", "birthdays"):
        agenda.totals[name] = len(agenda.sections[name])
    return agenda


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
