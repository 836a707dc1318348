"""The queries behind the agenda, on the stdlib sqlite3 path (`crm today` must start fast).

Each reads one index; bench/bench_core.py times them beside hand-written SQL on a 20k-customer file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from crmtui.store.follow_ups import current
from crmtui.store.raw import day_from_db, from_db, to_db

OPEN_STATUSES = ("lead", "prospect", "customer")
"""Customers whose follow-ups the agenda watches (not dormant, not in the pool)."""

_MINE = ("(c.owner = coalesce((SELECT value FROM meta WHERE key = 'sync_rep'), c.owner)"
         " OR c.owner IS NULL AND ((SELECT value FROM meta WHERE key = 'sync_manager') IS NOT '1'"
         " OR EXISTS (SELECT 1 FROM outbox o WHERE o.state = 'pending' AND o.kind = 'insert'"
         " AND o.record_table = 'customer' AND o.record_id = c.id)))")
"""The customers whose work is the rep's: without a team, all of them. In a team, the rep's own, and those with no
owner yet: on a rep's laptop a customer without an owner is one added here and not yet synced (the server
gives it to the rep who adds it). A manager's laptop also holds every rep's customers and the pool's (no
owner, as pulled): there only a customer added here and not yet pushed is the manager's."""


@dataclass(frozen=True)
class Scope:
    """Whose customers a query reads: a condition on `c` (the customer) and its parameters."""

    sql: str
    params: tuple[object, ...] = ()

    @staticmethod
    def rep(name: str) -> Scope:
        """One rep's customers (a manager's laptop holds every rep's)."""
        return Scope("c.owner = ?", (name,))


MINE = Scope(_MINE)
"""The rep's own customers, and those not yet given an owner by the team server (a book without a team)."""
TEAM = Scope("c.owner IS NOT NULL")
"""Every rep's customers; those in the pool are nobody's work."""


def _open(scope: Scope, indexed: bool = False) -> str:
    """The open customers of `scope`. `indexed`: the query reads one of the open customers' indexes (INDEXED BY,
    migration 0015), whose condition SQLite accepts only when the query states it word for word."""
    # Else the unary + keeps SQLite off ix_customer_status: walking ix_customer_next_follow_up_at in order
    # lets LIMIT stop early (116 ms -> 1 ms for 9k overdue rows in bench/bench_core.py).
    status = "c.status" if indexed else "+c.status"
    return (f"c.deleted_at IS NULL AND {status} IN ('lead', 'prospect', 'customer') AND {scope.sql}"
            f" AND {NOT_DO_NOT_CONTACT}")


OPEN_NEXT = "customer c INDEXED BY ix_customer_open_next"
"""Open customers by next follow-up, with what the agenda's conditions read: a section's total is counted from the
index alone (SQLite does not pick a partial index on its own without the statistics ANALYZE would write)."""


NOT_DO_NOT_CONTACT = "NOT c.do_not_contact"
"""A person customer who asked not to be contacted is on no section of the agenda (services/personal_data.py)."""

LIMIT = 200
"""Rows kept per section; the totals are counted in full. Nobody works through 9,000 overdue rows in one list."""

# The customer's most advanced open deal, and the next plan of its latest follow-up.
_BEST_DEAL = (
    "(SELECT id FROM deal WHERE customer_id = c.id AND deleted_at IS NULL AND stage NOT IN ('won', 'lost')"
    " ORDER BY probability DESC, amount_cents DESC LIMIT 1)"
)
_NEXT_PLAN = (
    f"(SELECT f.next_plan FROM follow_up f WHERE f.customer_id = c.id AND {current('f')}"
    " ORDER BY f.at DESC, f.created_at DESC LIMIT 1)"
)
_UNCONTACTED = ("c.last_contact_at IS NULL AND (c.status = 'lead' OR c.next_follow_up_at IS NULL)"
                " AND c.created_at < ?")
"""Never contacted, with nothing planned (or still a lead), added before the speed-to-lead line."""


@dataclass
class AgendaRow:
    """One candidate row of the agenda, with whatever its query knows."""

    customer_id: str
    customer_name: str
    when: datetime | None = None
    last_contact: datetime | None = None
    next_plan: str | None = None
    deal_id: str | None = None
    deal_title: str | None = None
    deal_amount: int | None = None
    deal_stage: str | None = None
    stage_entered: datetime | None = None
    contract_number: str | None = None
    contract_end: date | None = None
    payment_amount: int | None = None
    payment_due: date | None = None
    contact_name: str | None = None
    birthday: date | None = None
    due_on: date | None = None
    """A revisit's day."""
    channel: str | None = None
    tier: str | None = None
    owner: str | None = None


def book_is_empty(connection: sqlite3.Connection) -> bool:
    """Whether there is no customer or lead at all, not even a deleted one (a new rep's first day): the book
    `crm demo` fills, as it refuses any other."""
    return connection.execute("SELECT NOT EXISTS (SELECT 1 FROM customer)").fetchone()[0] == 1


def _count(connection: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> int:
    return connection.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]


def _due(connection: sqlite3.Connection, condition: str, params: tuple[object, ...],
         scope: Scope) -> tuple[list[AgendaRow], int]:
    where = f"FROM {OPEN_NEXT} WHERE {_open(scope, indexed=True)} AND {condition}"
    params = (*scope.params, *params)
    # The deal and the plan are looked up only for the rows kept. Customers due at the same moment are listed by
    # name (and id), so the order never depends on which index the statement reads.
    rows = connection.execute(
        f"SELECT c.id, c.name, c.next_follow_up_at, {_NEXT_PLAN}, d.id, d.title, d.amount_cents"
        f" FROM (SELECT c.id, c.name, c.next_follow_up_at {where} ORDER BY c.next_follow_up_at, c.name, c.id"
        f" LIMIT {LIMIT}) c LEFT JOIN deal d ON d.id = {_BEST_DEAL} ORDER BY c.next_follow_up_at, c.name, c.id",
        params,
    ).fetchall()
    total = len(rows) if len(rows) < LIMIT else _count(connection, f"SELECT 1 {where}", params)
    return [
        AgendaRow(cid, name, from_db(when), next_plan=plan, deal_id=did, deal_title=title, deal_amount=amount)
        for cid, name, when, plan, did, title, amount in rows
    ], total


def due_between(connection: sqlite3.Connection, start: datetime, end: datetime,
                scope: Scope = MINE) -> tuple[list[AgendaRow], int]:
    """Customers whose next follow-up falls in [start, end): the first LIMIT rows and the total."""
    return _due(connection, "c.next_follow_up_at >= ? AND c.next_follow_up_at < ?", (to_db(start), to_db(end)), scope)


def due_before(connection: sqlite3.Connection, end: datetime, scope: Scope = MINE) -> tuple[list[AgendaRow], int]:
    """Customers whose next follow-up is before `end` (overdue), most overdue first: rows and total."""
    return _due(connection, "c.next_follow_up_at < ?", (to_db(end),), scope)


def stalled_deals(
    connection: sqlite3.Connection, stages: Sequence[str], contact_before: datetime, scope: Scope = MINE
) -> tuple[list[AgendaRow], int]:
    """Open deals in `stages` whose customer has had no follow-up since `contact_before`: rows and total."""
    if not stages:
        return [], 0
    marks = ", ".join("?" * len(stages))
    # One pass over two indexes that hold every column the conditions read (the deal's stage, customer and day;
    # the customer's last contact and owner): the total is counted in the same pass that sorts the rows, and the
    # deal's title, the customer's name and the plan are read for the rows kept.
    rows = connection.execute(
        f"SELECT c.id, c.name, c.next_follow_up_at, c.last_contact_at, d.id, d.title, d.amount_cents, d.stage,"
        f" d.stage_entered_at, {_NEXT_PLAN}, s.total"
        " FROM (SELECT d.id AS deal_id, c.id AS customer_id, coalesce(c.last_contact_at, d.stage_entered_at) AS quiet,"
        " count(*) OVER () AS total FROM deal d INDEXED BY ix_deal_open_stage"
        " JOIN customer c INDEXED BY ix_customer_open_id ON c.id = d.customer_id"
        f" WHERE d.deleted_at IS NULL AND d.stage IN ({marks}) AND {_open(scope, indexed=True)}"
        f" AND coalesce(c.last_contact_at, d.stage_entered_at) < ? ORDER BY quiet LIMIT {LIMIT}) s"
        " JOIN deal d ON d.id = s.deal_id JOIN customer c ON c.id = s.customer_id ORDER BY s.quiet",
        (*stages, *scope.params, to_db(contact_before)),
    ).fetchall()
    total = rows[0][-1] if rows else 0
    return [
        AgendaRow(cid, name, from_db(when), from_db(last), plan, did, title, amount, stage, from_db(entered))
        for cid, name, when, last, did, title, amount, stage, entered, plan, _total in rows
    ], total


def uncontacted_leads(connection: sqlite3.Connection, created_before: datetime,
                      scope: Scope = MINE) -> tuple[list[AgendaRow], int]:
    """Leads created before `created_before` that nobody has contacted yet, oldest first: rows and total.

    An open customer never contacted and with no follow-up planned counts too: a lead converted before
    anyone called is still pending work, not a record that drops off the agenda."""
    where = f"FROM customer c INDEXED BY ix_customer_open_new WHERE {_open(scope, indexed=True)} AND {_UNCONTACTED}"
    params = (*scope.params, to_db(created_before))
    rows = connection.execute(f"SELECT c.id, c.name, c.created_at {where} ORDER BY c.created_at LIMIT {LIMIT}",
                              params).fetchall()
    total = len(rows) if len(rows) < LIMIT else _count(connection, f"SELECT 1 {where}", params)
    return [AgendaRow(cid, name, when=from_db(created)) for cid, name, created in rows], total


def contracts_ending(connection: sqlite3.Connection, first: date, last: date,
                     scope: Scope = MINE) -> tuple[list[AgendaRow], int]:
    """Live contracts whose end date is in [first, last], the soonest first: the first LIMIT rows and the total."""
    where = ("FROM contract k JOIN customer c ON c.id = k.customer_id"
             f" WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL AND k.end_on >= ? AND k.end_on <= ? AND {scope.sql}"
             f" AND {NOT_DO_NOT_CONTACT}")
    params = (first.isoformat(), last.isoformat(), *scope.params)
    # The plan is looked up only for the rows kept.
    rows = connection.execute(
        f"SELECT c.id, c.name, {_NEXT_PLAN}, c.deal_id, c.amount_cents, c.number, c.end_on"
        f" FROM (SELECT c.id, c.name, k.deal_id, k.amount_cents, k.number, k.end_on {where}"
        f" ORDER BY k.end_on LIMIT {LIMIT}) c ORDER BY c.end_on",
        params,
    ).fetchall()
    total = len(rows) if len(rows) < LIMIT else _count(connection, f"SELECT 1 {where}", params)
    return [
        AgendaRow(cid, name, next_plan=plan, deal_id=did, deal_amount=amount, contract_number=number,
                  contract_end=day_from_db(end))
        for cid, name, plan, did, amount, number, end in rows
    ], total


def payments_due(connection: sqlite3.Connection, last: date, scope: Scope = MINE) -> tuple[list[AgendaRow], int]:
    """Unpaid instalments due on or before `last` (overdue ones included), the earliest first: the first LIMIT
    rows and the total."""
    where = ("FROM payment p INDEXED BY ix_payment_unpaid_due JOIN contract k ON k.id = p.contract_id"
             " JOIN customer c ON c.id = k.customer_id"
             " WHERE p.deleted_at IS NULL AND p.paid_on IS NULL AND p.due_on <= ?"
             f" AND k.deleted_at IS NULL AND c.deleted_at IS NULL AND {scope.sql} AND {NOT_DO_NOT_CONTACT}")
    params = (last.isoformat(), *scope.params)
    rows = connection.execute(
        f"SELECT c.id, c.name, k.deal_id, k.number, p.amount_cents, p.due_on {where} ORDER BY p.due_on LIMIT {LIMIT}",
        params,
    ).fetchall()
    total = len(rows) if len(rows) < LIMIT else _count(connection, f"SELECT 1 {where}", params)
    return [
        AgendaRow(cid, name, deal_id=did, contract_number=number, payment_amount=amount, payment_due=day_from_db(due))
        for cid, name, did, number, amount, due in rows
    ], total


def birthdays(connection: sqlite3.Connection, month_days: Sequence[str], scope: Scope = MINE) -> list[AgendaRow]:
    """Live contacts whose birthday's "MM-DD" is one of `month_days`."""
    marks = ", ".join("?" * len(month_days))
    rows = connection.execute(
        "SELECT c.id, c.name, p.name, p.birthday FROM contact p JOIN customer c ON c.id = p.customer_id"
        f" WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND p.birthday IS NOT NULL AND {scope.sql}"
        f" AND NOT p.do_not_contact AND {NOT_DO_NOT_CONTACT}"
        f" AND strftime('%m-%d', p.birthday) IN ({marks})",
        (*scope.params, *month_days),
    ).fetchall()
    return [AgendaRow(cid, name, contact_name=person, birthday=day_from_db(day)) for cid, name, person, day in rows]


def came_due(connection: sqlite3.Connection, after: datetime, until: datetime) -> list[str]:
    """Names of open customers whose next follow-up fell in (after, until]."""
    rows = connection.execute(
        f"SELECT c.name FROM {OPEN_NEXT} WHERE {_open(MINE, indexed=True)} AND c.next_follow_up_at > ? AND c.next_follow_up_at <= ?"
        " ORDER BY c.next_follow_up_at LIMIT 20",
        (to_db(after), to_db(until)),
    ).fetchall()
    return [name for (name,) in rows]


def pool_candidates(
    connection: sqlite3.Connection, owner: str, active_before: datetime
) -> list[tuple[str, str, datetime | None, datetime | None, datetime]]:
    """The owner's customers the pool rules may take back: claimed and not contacted since, or with no
    activity since `active_before` and no won deal. Rows: id, name, claimed at, last contact, created."""
    rows = connection.execute(
        "SELECT c.id, c.name, c.claimed_at, c.last_contact_at, c.created_at FROM customer c"
        " WHERE c.deleted_at IS NULL AND c.owner = ?"
        " AND NOT EXISTS (SELECT 1 FROM deal d WHERE d.customer_id = c.id AND d.stage = 'won' AND d.deleted_at IS NULL)"
        " AND ((c.claimed_at IS NOT NULL AND (c.last_contact_at IS NULL OR c.last_contact_at < c.claimed_at))"
        "      OR max(coalesce(c.last_contact_at, c.created_at), coalesce(c.claimed_at, c.created_at), c.created_at) < ?)"
        f" ORDER BY c.created_at LIMIT {LIMIT * 5}",
        (owner, to_db(active_before)),
    ).fetchall()
    return [(cid, name, from_db(claimed), from_db(last), from_db(created))  # type: ignore[misc]  # created: never NULL
            for cid, name, claimed, last, created in rows]


def sync_setting(connection: sqlite3.Connection, key: str) -> str | None:
    """A value the last team sync left in `meta` (e.g. the pool rules)."""
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


@dataclass
class OwnerCounts:
    """What one rep has waiting, counted as the agenda's sections count it."""

    owner: str
    overdue: int = 0
    due: int = 0
    stalled: int = 0
    stalled_cents: int = 0
    new_leads: int = 0


def counts_by_owner(connection: sqlite3.Connection, start: datetime, end: datetime, stages: Sequence[str],
                    contact_before: datetime, created_before: datetime) -> list[OwnerCounts]:
    """Per owner of a live customer on this laptop (the pool aside): overdue and due follow-ups, stalled deals
    in `stages` with their amounts, and new records nobody has contacted (the agenda's conditions)."""
    found = {owner: OwnerCounts(owner) for owner in owners(connection)}
    rows = connection.execute(
        f"SELECT c.owner, sum(c.next_follow_up_at < ?),"
        f" sum(c.next_follow_up_at >= ? AND c.next_follow_up_at < ?), sum({_UNCONTACTED})"
        f" FROM customer c WHERE {_open(TEAM)} GROUP BY c.owner",
        (to_db(start), to_db(start), to_db(end), to_db(created_before)),
    ).fetchall()
    for owner, overdue, due, leads in rows:
        counts = found.setdefault(owner, OwnerCounts(owner))
        counts.overdue, counts.due, counts.new_leads = overdue or 0, due or 0, leads or 0
    if stages:
        marks = ", ".join("?" * len(stages))
        for owner, stalled, cents in connection.execute(
            "SELECT c.owner, count(*), sum(coalesce(d.amount_cents, 0)) FROM deal d JOIN customer c ON c.id = d.customer_id"
            f" WHERE d.deleted_at IS NULL AND d.stage IN ({marks}) AND {_open(TEAM)}"
            " AND coalesce(c.last_contact_at, d.stage_entered_at) < ? GROUP BY c.owner",
            (*stages, to_db(contact_before)),
        ):
            found[owner].stalled, found[owner].stalled_cents = stalled, cents or 0
    return list(found.values())


def overdue_customers(connection: sqlite3.Connection, start: datetime,
                      scope: Scope = MINE) -> list[tuple[str | None, str]]:
    """(owner, id) of every customer of the overdue section (next follow-up before `start`), most overdue first:
    the whole section, as its total and counts_by_owner count it (due_before keeps LIMIT rows), for the team
    report's figures per rep with the customers behind them."""
    return [(owner, cid) for owner, cid in connection.execute(
        f"SELECT c.owner, c.id FROM customer c WHERE {_open(scope)} AND c.next_follow_up_at < ?"
        " ORDER BY c.next_follow_up_at", (*scope.params, to_db(start)))]


def owners(connection: sqlite3.Connection) -> list[str]:
    """The owners of live customers on this laptop (in a team, the reps whose customers it holds)."""
    return [owner for (owner,) in connection.execute(
        "SELECT DISTINCT owner FROM customer WHERE deleted_at IS NULL AND owner IS NOT NULL ORDER BY owner")]


# ---------------------------------------------------------------- after the sale

OPEN_TICKET = "t.deleted_at IS NULL AND t.closed_at IS NULL AND t.status NOT IN ('resolved', 'closed')"
"""A service request still waiting for its resolution."""


def open_revisits(connection: sqlite3.Connection, last: date,
                  scope: Scope = MINE) -> tuple[list[AgendaRow], int]:
    """Revisits not done yet (no follow-up completes them) due on or before `last`, the most overdue first: the
    first LIMIT rows and the total. A revisit's purpose is its plan."""
    where = ("FROM revisit r JOIN customer c ON c.id = r.customer_id"
             " WHERE r.follow_up_id IS NULL AND r.deleted_at IS NULL AND r.due_on <= ?"
             f" AND c.deleted_at IS NULL AND {scope.sql} AND {NOT_DO_NOT_CONTACT}")
    params = (last.isoformat(), *scope.params)
    rows = connection.execute(
        f"SELECT c.id, c.name, r.purpose, r.due_on, r.channel, d.id, d.title"
        f" {where.replace('WHERE', 'LEFT JOIN deal d ON d.id = r.deal_id AND d.deleted_at IS NULL WHERE', 1)}"
        f" ORDER BY r.due_on, c.name LIMIT {LIMIT}", params).fetchall()
    total = len(rows) if len(rows) < LIMIT else _count(connection, f"SELECT 1 {where}", params)
    return [AgendaRow(cid, name, next_plan=purpose, due_on=day_from_db(due), channel=channel, deal_id=did,
                      deal_title=title)
            for cid, name, purpose, due, channel, did, title in rows], total


def touch_due(connection: sqlite3.Connection, lines: Sequence[tuple[str, datetime]], planned_before: datetime,
              scope: Scope = MINE) -> tuple[list[AgendaRow], int]:
    """Customers and prospects (not leads, not dormant, not in the pool) of a tier in `lines` whose last contact
    is before the tier's line, with no follow-up planned before `planned_before` (one planned earlier is already
    on the agenda as overdue or due): the first LIMIT rows, the longest past their line first, and the total.
    A customer never contacted is the new-leads section's, not this one's."""
    if not lines:
        return [], 0
    cases = " ".join("WHEN ? THEN ?" for _line in lines)
    line = f"CASE c.tier {cases} END"
    line_params = tuple(value for tier, moment in lines for value in (tier, to_db(moment)))
    # One range of ix_customer_open_touch a tier (it holds every column read, the name too): the total is counted
    # in the same pass that sorts the rows.
    one_tier = (
        "SELECT c.id, c.name, c.last_contact_at, c.tier FROM customer c INDEXED BY ix_customer_open_touch"
        " WHERE c.tier = ? AND c.last_contact_at < ? AND (c.next_follow_up_at IS NULL OR c.next_follow_up_at >= ?)"
        f" AND c.deleted_at IS NULL AND c.status IN ('prospect', 'customer') AND {NOT_DO_NOT_CONTACT} AND {scope.sql}")
    params = tuple(value for tier, moment in lines
                   for value in (tier, to_db(moment), to_db(planned_before), *scope.params))
    # The longest past its line first: the line is the tier's cadence back from now, so the gap is
    # line - last contact.
    rows = connection.execute(
        f"SELECT c.id, c.name, c.last_contact_at, c.tier, count(*) OVER () AS total"
        f" FROM ({' UNION ALL '.join(one_tier for _line in lines)}) c"
        f" ORDER BY julianday({line}) - julianday(c.last_contact_at) DESC, c.name LIMIT {LIMIT}",
        (*params, *line_params)).fetchall()
    total = rows[0][-1] if rows else 0
    return [AgendaRow(cid, name, last_contact=from_db(last), tier=tier) for cid, name, last, tier, _total in rows], total


@dataclass
class ServiceRow:
    """A customer or a contract with a service cycle or a warranty."""

    customer_id: str
    customer_name: str
    contract_number: str | None
    service_months: int | None
    service_from: date | None
    warranty_until: date | None


def service_cycles(connection: sqlite3.Connection, warranty_last: date, first: date,
                   scope: Scope = MINE) -> list[ServiceRow]:
    """Live customers and contracts with a service cycle, or a warranty ending in [first, warranty_last]. A
    cycle starts on service_from, else (a contract) the day it was signed, else (a customer) the day its first
    live contract was signed. A contract that ended before `first` has no cycle any more (its warranty still
    counts); the contracts of a customer in the pool are left out, as the customer is."""
    customer_rows = connection.execute(
        "SELECT c.id, c.name, NULL, c.service_months, coalesce(c.service_from, (SELECT min(k.signed_on) FROM"
        " contract k WHERE k.customer_id = c.id AND k.deleted_at IS NULL)), c.warranty_until FROM customer c"
        f" WHERE c.deleted_at IS NULL AND {scope.sql} AND {NOT_DO_NOT_CONTACT} AND c.status != 'pool'"
        " AND (c.service_months > 0 OR c.warranty_until BETWEEN ? AND ?)",
        (*scope.params, first.isoformat(), warranty_last.isoformat())).fetchall()
    contract_rows = connection.execute(
        "SELECT c.id, c.name, k.number, CASE WHEN k.end_on IS NULL OR k.end_on >= ? THEN k.service_months END,"
        " coalesce(k.service_from, k.signed_on), k.warranty_until"
        " FROM contract k JOIN customer c ON c.id = k.customer_id"
        f" WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL AND {scope.sql} AND {NOT_DO_NOT_CONTACT}"
        " AND c.status != 'pool' AND (k.service_months > 0 AND (k.end_on IS NULL OR k.end_on >= ?)"
        " OR k.warranty_until BETWEEN ? AND ?)",
        (first.isoformat(), *scope.params, first.isoformat(), first.isoformat(),
         warranty_last.isoformat())).fetchall()
    return [ServiceRow(cid, name, number, months, day_from_db(start), day_from_db(until))
            for cid, name, number, months, start, until in [*customer_rows, *contract_rows]]


def key_customers(connection: sqlite3.Connection, tag: str, scope: Scope = MINE) -> tuple[list[AgendaRow], int]:
    """Customers and prospects of tier A or with the tag (`tag` "": tier A only): the customers (who bought) first,
    then the prospects, each by name; rows and total."""
    # ix_customer_open_touch holds these customers with every column read (the name too). Counted apart: a window
    # count over some 40k key customers of a big book costs more than a second pass over the index.
    where = (f"FROM customer c INDEXED BY ix_customer_open_touch WHERE c.deleted_at IS NULL"
             f" AND c.status IN ('prospect', 'customer') AND {scope.sql}"
             f" AND {NOT_DO_NOT_CONTACT} AND (c.tier = 'A' OR EXISTS (SELECT 1 FROM customer_tag g"
             " WHERE g.customer_id = c.id AND g.deleted_at IS NULL AND g.tag = ? AND g.tag != ''))")
    params = (*scope.params, tag)
    rows = connection.execute(f"SELECT c.id, c.name, c.tier {where} ORDER BY c.status != 'customer', c.name"
                              f" LIMIT {LIMIT}", params).fetchall()
    total = len(rows) if len(rows) < LIMIT else _count(connection, f"SELECT 1 {where}", params)
    return [AgendaRow(cid, name, tier=tier) for cid, name, tier in rows], total


@dataclass
class TicketRow:
    """A service request still open, with its deadlines."""

    customer_id: str
    customer_name: str
    owner: str | None
    number: str
    title: str
    priority: str
    resolve_by: datetime
    due_on: date | None
    respond_by: datetime | None = None
    responded_at: datetime | None = None


def tickets_due(connection: sqlite3.Connection, before: datetime, last_day: date, scope: Scope = MINE,
                priorities: Sequence[str] = (), unanswered_by: datetime | None = None) -> list[TicketRow]:
    """Open service requests whose resolution deadline is at or before `before` or whose due day is on or before
    `last_day`, and (`unanswered_by`) those not answered yet whose response deadline is at or before it
    (`priorities`: only those), the earliest deadline first."""
    only = f" AND t.priority IN ({', '.join('?' * len(priorities))})" if priorities else ""
    unanswered = " OR (t.responded_at IS NULL AND t.respond_by <= ?)" if unanswered_by is not None else ""
    rows = connection.execute(
        "SELECT c.id, c.name, c.owner, t.number, t.title, t.priority, t.resolve_by, t.due_on, t.respond_by,"
        " t.responded_at FROM ticket t JOIN customer c ON c.id = t.customer_id"
        f" WHERE {OPEN_TICKET} AND c.deleted_at IS NULL AND {scope.sql}{only}"
        f" AND (t.resolve_by <= ? OR t.due_on <= ?{unanswered}) ORDER BY t.resolve_by",
        (*scope.params, *priorities, to_db(before), last_day.isoformat(),
         *((to_db(unanswered_by),) if unanswered_by is not None else ()))).fetchall()
    return [TicketRow(cid, name, owner, number, title, priority, from_db(by), day_from_db(due),  # type: ignore[arg-type]
                      from_db(respond), from_db(responded))
            for cid, name, owner, number, title, priority, by, due, respond, responded in rows]


def escalated_follow_ups(connection: sqlite3.Connection, before: datetime, me: str | None) -> list[AgendaRow]:
    """Every other rep's customers whose next follow-up is before `before` (the escalation line), the most
    overdue first; the rep in contact_name."""
    rows = connection.execute(
        f"SELECT c.id, c.name, c.owner, c.next_follow_up_at, {_NEXT_PLAN} FROM {OPEN_NEXT}"
        f" WHERE {_open(TEAM, indexed=True)} AND c.owner IS NOT ? AND c.next_follow_up_at < ?"
        f" ORDER BY c.next_follow_up_at LIMIT {LIMIT}", (me, to_db(before))).fetchall()
    return [AgendaRow(cid, name, when=from_db(when), next_plan=plan, owner=owner)
            for cid, name, owner, when, plan in rows]


def escalated_by_owner(connection: sqlite3.Connection, before: datetime, now: datetime, today: date,
                       priorities: Sequence[str]) -> dict[str, int]:
    """Per owner: customers whose next follow-up is before `before` (the escalation line), and open tickets of
    `priorities` past their resolution deadline or whose due day is before `today`."""
    counts: dict[str, int] = {}
    for owner, count in connection.execute(
            f"SELECT c.owner, count(*) FROM customer c WHERE {_open(TEAM)} AND c.next_follow_up_at < ? GROUP BY c.owner",
            (to_db(before),)):
        counts[owner] = counts.get(owner, 0) + count
    marks = ", ".join("?" * len(priorities))
    for owner, count in connection.execute(
            "SELECT c.owner, count(*) FROM ticket t JOIN customer c ON c.id = t.customer_id"
            f" WHERE {OPEN_TICKET} AND c.deleted_at IS NULL AND {TEAM.sql} AND t.priority IN ({marks})"
            " AND (t.resolve_by <= ? OR t.due_on < ?) GROUP BY c.owner", (*priorities, to_db(now), today.isoformat())):
        counts[owner] = counts.get(owner, 0) + count
    return counts
