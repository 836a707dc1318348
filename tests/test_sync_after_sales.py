"""Tickets, their events and revisits in a team, against the real PostgreSQL: they reach the rep's other laptop and
the manager, never another rep (neither reading nor pushing); the server names who wrote a ticket and its events;
satisfaction scores and service cycles sync; a deleted ticket syncs; a customer that leaves the rep takes them off
its laptops; a server not yet upgraded keeps working and takes them once upgraded."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import psycopg
from psycopg.types.json import Jsonb

from crmtui.core.clock import Clock
from crmtui.services.context import Context, open_context
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal
from crmtui.services import team_words
from crmtui.store.models import Customer, FollowUp, Ticket
from crmtui.store.outbox import format_stamp
from crmtui.sync import client as sync

from .teamserver import Team
from .test_after_sales_records import after_sales


def _book(ctx: Context, name: str = "Acme") -> tuple[str, dict[str, str]]:
    """A customer with a deal, a contract, a ticket with one event and a revisit; a revisit's follow-up with a low
    satisfaction score; the customer's service cycle."""
    customer = add_customer(ctx, name)
    deal = add_deal(ctx, customer.id, "冷库项目", amount="12000")
    ids = after_sales(ctx, customer.id, deal.id)
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        follow_up = FollowUp(customer_id=customer.id, deal_id=deal.id, at=now, channel="phone", goal="回访",
                             goal_met=True, notes="制冷慢", satisfaction=2, nps=6, created_at=now, updated_at=now)
        session.add(follow_up)
        stored = session.get(Customer, customer.id)
        assert stored is not None
        stored.service_months, stored.service_from, stored.warranty_until = 6, date(2026, 12, 1), date(2027, 11, 30)
        stored.updated_at = now
        session.add(stored)
        session.flush()
        ids["follow_up"] = follow_up.id
    return customer.id, {**ids, "deal": deal.id}


def _local(ctx: Context, sql: str, params: tuple = ()) -> list[tuple]:
    with ctx.db.raw_read() as conn:
        return conn.execute(sql, params).fetchall()


def _as(team: Team, name: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(team.rep_url(name), autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


AFTER_SALES = (
    "SELECT (SELECT count(*) FROM {s}ticket), (SELECT count(*) FROM {s}ticket_event), (SELECT count(*) FROM {s}revisit)")


def test_a_ticket_and_a_revisit_reach_the_reps_other_laptop_and_the_manager_never_another_rep(team: Team) -> None:
    ann, bob, boss = team.add_rep("ann"), team.add_rep("bob"), team.add_rep("boss", manager=True)
    customer, ids = _book(ann)
    report = sync.sync_round(ann)
    # customer, deal, its stage change, contract, ticket, event, revisit, follow-up (8 inserts) and the customer's
    # service cycle (1 update): each applied
    assert (report.rejected, report.held_back) == (0, 0) and report.applied >= 9, report
    laptop = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = laptop
    for ctx in (laptop, boss, bob):
        sync.sync_round(ctx)

    for ctx in (laptop, boss):
        assert _local(ctx, "SELECT id, number, title, status, contract_id, author FROM ticket") == [
            (ids["ticket"], "T-0001", "压缩机异响", "open", ids["contract"], team.role("ann"))]
        assert _local(ctx, "SELECT id, ticket_id, to_status, note, author FROM ticket_event") == [
            (ids["ticket_event"], ids["ticket"], "open", "客户来电报修", team.role("ann"))]
        assert _local(ctx, "SELECT id, customer_id, deal_id, due_on, purpose FROM revisit") == [
            (ids["revisit"], customer, ids["deal"], "2026-11-27", "安装后回访")]
        assert _local(ctx, "SELECT satisfaction, nps FROM follow_up WHERE id = ?", (ids["follow_up"],)) == [(2, 6)]
        assert _local(ctx, "SELECT service_months, service_from, warranty_until FROM customer") == [
            (6, "2026-12-01", "2027-11-30")]
        assert _local(ctx, "SELECT service_months, warranty_until FROM contract") == [(6, "2027-11-19")]
    # the server holds the event under the ticket's customer, set by the server
    assert [row["customer_id"] for row in team.server_rows("ticket_event")] == [customer]
    # another rep reads none of it, on the laptop or on the server; the manager reads all
    assert _local(bob, AFTER_SALES.format(s="")) == [(0, 0, 0)]
    assert _as(team, "bob", AFTER_SALES.format(s="crm.")) == [(0, 0, 0)]
    assert _as(team, "boss", AFTER_SALES.format(s="crm.")) == [(1, 1, 1)]


def _push_as(team: Team, name: str, mutations: list[dict]) -> list[dict]:
    """Pushes hand-made mutations from a laptop of the rep (as a hostile client could), stamped by that laptop."""
    client = f"{name}-crafted"
    stamp = format_stamp(int(datetime.now(UTC).timestamp() * 1000) + 1000, 0, client)  # newer than the laptops'
    
    batch = [{"seq": seq, "mutation_id": str(uuid.uuid4()), "format": 1, "base": {},
              "stamps": dict.fromkeys(m["changes"], stamp), **m} for seq, m in enumerate(mutations, 1)]
    with psycopg.connect(team.rep_url(name), autocommit=True) as conn:
        return conn.execute("SELECT sync.push(%s, %s)", (client, Jsonb(batch))).fetchone()[0]  # type: ignore[index]


def test_another_rep_cannot_push_a_change_to_them_and_no_laptop_names_the_author(team: Team) -> None:
    ann, bob = team.add_rep("ann"), team.add_rep("bob")
    _customer, ids = _book(ann)
    sync.sync_round(ann)
    beta = add_customer(bob, "Beta")
    sync.sync_round(bob)
    moment = "2026-11-24T01:00:00+00:00"
    results = _push_as(team, "bob", [
        {"kind": "update", "table": "ticket", "id": ids["ticket"], "changes": {"title": "已解决", "status": "closed"}},
        {"kind": "insert", "table": "ticket_event", "id": "e-bob", "changes": {
            "ticket_id": ids["ticket"], "at": moment, "to_status": "closed", "note": "x",
            "created_at": moment, "updated_at": moment}},
        {"kind": "update", "table": "revisit", "id": ids["revisit"], "changes": {"purpose": "不需要了"}},
        # a ticket of bob's own customer under ann's contract: a reference into another customer
        {"kind": "insert", "table": "ticket", "id": "t-bob", "changes": {
            "customer_id": beta.id, "contract_id": ids["contract"], "number": "T-0009", "title": "借用合同",
            "kind": "repair", "priority": "low", "status": "open", "opened_at": moment, "respond_by": moment,
            "resolve_by": moment, "created_at": moment, "updated_at": moment}},
    ])
    assert [(r["outcome"], r["detail"]) for r in results] == [
        ("rejected", "the customer is no longer yours"), ("rejected", "the customer is no longer yours"),
        ("rejected", "the customer is no longer yours"), ("rejected", "it refers to a record of another customer")]
    # and the rejected answers carry nothing of ann's records back to bob
    assert [r["row"] for r in results] == [None, None, None, None]
    assert [(r["title"], r["status"]) for r in team.server_rows("ticket")] == [("压缩机异响", "open")]
    assert [r["id"] for r in team.server_rows("ticket_event")] == [ids["ticket_event"]]
    assert [r["purpose"] for r in team.server_rows("revisit")] == ["安装后回访"]

    # ann's own laptop cannot name another author either: the server keeps the login that pushed it
    results = _push_as(team, "ann", [
        {"kind": "update", "table": "ticket", "id": ids["ticket"], "changes": {"author": "boss", "status": "waiting"}},
        {"kind": "insert", "table": "ticket_event", "id": "e-ann", "changes": {
            "ticket_id": ids["ticket"], "at": moment, "from_status": "open", "to_status": "waiting", "note": "等配件",
            "author": "boss", "created_at": moment, "updated_at": moment}},
    ])
    assert [r["outcome"] for r in results] == ["applied", "applied"], results
    assert [(r["status"], r["author"]) for r in team.server_rows("ticket")] == [("waiting", team.role("ann"))]
    assert {r["id"]: r["author"] for r in team.server_rows("ticket_event")} == {
        ids["ticket_event"]: team.role("ann"), "e-ann": team.role("ann")}


def test_a_deleted_ticket_syncs(team: Team) -> None:
    ann = team.add_rep("ann")
    _customer, ids = _book(ann)
    sync.sync_round(ann)
    laptop = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = laptop
    sync.sync_round(laptop)
    now = ann.clock.utcnow()
    with ann.db.write(now) as session:
        ticket = session.get(Ticket, ids["ticket"])
        assert ticket is not None
        ticket.deleted_at = ticket.updated_at = now
        session.add(ticket)
    assert sync.sync_round(ann).applied == 1
    assert team.server_rows("ticket")[0]["deleted_at"] is not None
    sync.sync_round(laptop)
    assert _local(laptop, "SELECT id, deleted_at IS NOT NULL FROM ticket") == [(ids["ticket"], 1)]


def test_a_customer_that_leaves_the_rep_takes_its_tickets_and_revisits_to_whoever_gets_it(team: Team) -> None:
    ann, bob, boss = team.add_rep("ann"), team.add_rep("bob"), team.add_rep("boss", manager=True)
    customer, _ids = _book(ann)
    kept, kept_ids = _book(ann, "Globex")
    sync.sync_round(ann)
    laptop = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = laptop
    sync.sync_round(laptop)
    sync.sync_round(boss)

    sync.release(ann, customer)  # back to the pool
    sync.sync_round(laptop)
    for ctx in (ann, laptop):
        # only Globex's records stay
        assert _local(ctx, "SELECT id FROM ticket") == [(kept_ids["ticket"],)]
        assert _local(ctx, "SELECT id FROM ticket_event") == [(kept_ids["ticket_event"],)]
        assert _local(ctx, "SELECT customer_id FROM revisit") == [(kept,)]
    # in the pool, no rep reads them (the pool shows the customer, not its service requests)
    assert _as(team, "bob", AFTER_SALES.format(s="crm.")) == [(0, 0, 0)]

    sync.reassign(boss, customer, team.role("bob"))
    sync.sync_round(bob)
    assert _local(bob, AFTER_SALES.format(s="")) == [(1, 1, 1)]
    assert _local(bob, "SELECT DISTINCT customer_id FROM revisit") == [(customer,)]


def test_a_server_not_yet_upgraded_keeps_working_and_takes_them_once_upgraded(team: Team) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from crmtui.server import admin

    engine = create_engine(team.dsn.replace("postgresql:", "postgresql+psycopg:", 1), poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(admin.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "s0016")
    engine.dispose()
    ann = team.add_rep("ann")
    _customer, ids = _book(ann)
    report = sync.sync_round(ann)
    # the customer, its deal and the deal's stage change go; the contract (its service cycle is a column the
    # server lacks), the ticket, its event, the revisit, the follow-up and the customer's service cycle wait, in
    # order: 3 applied, 6 waiting
    assert (report.applied, report.rejected, report.held_back) == (3, 0, 6), report
    assert ("6 changes wait: the team server is older than this crmtui and cannot keep them yet (tickets, revisits,"
            " scores); ask the admin to upgrade it (`crm server init`)", True) in team_words.report_notes(report)
    assert team.server_rows("contract") == [] and len(team.server_rows("deal")) == 1
    assert admin.init(team.dsn).revision_after == admin.head_revision() == "s0017"
    report = sync.sync_round(ann)
    assert (report.applied, report.rejected, report.held_back) == (6, 0, 0), report
    assert [r["id"] for r in team.server_rows("ticket")] == [ids["ticket"]]
    assert [r["satisfaction"] for r in team.server_rows("follow_up")] == [2]
    assert [(r["service_months"], r["warranty_until"]) for r in team.server_rows("contract")] == [(6, "2027-11-19")]
    assert [r["service_months"] for r in team.server_rows("customer")] == [6]


def test_a_persons_erasure_empties_their_tickets_and_revisits_on_the_reps_other_laptop(team: Team) -> None:
    from crmtui.services import personal_data

    from .test_after_sales_records import _person_with_after_sales

    ann = team.add_rep("ann")
    _wang, ids = _person_with_after_sales(ann)
    sync.sync_round(ann)
    laptop = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = laptop
    sync.sync_round(laptop)
    assert _local(laptop, "SELECT title FROM ticket") == [("王芳家空调异响",)]

    plan = personal_data.erasure_plan(ann, personal_data.find_person(ann, "王芳"))
    personal_data.erase_person(ann, plan, [])
    assert sync.sync_round(ann).rejected == 0
    assert [(r["title"], r["resolution"]) for r in team.server_rows("ticket")] == [("", None)]
    sync.sync_round(laptop)
    assert _local(laptop, "SELECT title, resolution FROM ticket") == [("", None)]
    assert _local(laptop, "SELECT note FROM ticket_event") == [(None,)]
    assert _local(laptop, "SELECT purpose FROM revisit") == [("",)]
    # the other laptop's history of them goes too
    assert _local(laptop, "SELECT count(*) FROM change_log WHERE record_id IN (?, ?, ?)",
                  (ids["ticket"], ids["ticket_event"], ids["revisit"])) == [(0,)]
    assert b"13912345678" not in laptop.db.path.read_bytes()


def test_a_merge_takes_the_tickets_and_revisits_to_the_kept_customer_on_the_server(team: Team) -> None:
    from crmtui.services.merge import merge_customers

    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    keep = add_customer(ann, "Acme Ltd")
    other, ids = _book(ann, "Acme Trading")
    sync.sync_round(ann)
    merge_customers(ann, keep.id, other)
    assert sync.sync_round(ann).rejected == 0
    assert [r["customer_id"] for r in team.server_rows("ticket")] == [keep.id]
    assert [r["customer_id"] for r in team.server_rows("ticket_event")] == [keep.id]  # the server moves it too
    assert [r["customer_id"] for r in team.server_rows("revisit")] == [keep.id]
    sync.sync_round(boss)
    assert _local(boss, "SELECT id, customer_id FROM ticket") == [(ids["ticket"], keep.id)]
    assert _local(boss, "SELECT customer_id FROM revisit") == [(keep.id,)]


def test_a_managers_restore_brings_back_the_tickets_and_revisits_deleted_with_the_customer(team: Team) -> None:
    from crmtui.services.customers import delete_customer
    from crmtui.services.pool import restore_team_customer
    from crmtui.store.models import Revisit

    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    customer, ids = _book(ann)
    sync.sync_round(ann)
    sync.sync_round(boss)
    delete_customer(boss, customer)
    now = boss.clock.utcnow()
    with boss.db.write(now) as session:  # with it, in the same moment, its ticket and revisit
        for record in (session.get(Ticket, ids["ticket"]), session.get(Revisit, ids["revisit"])):
            assert record is not None
            record.deleted_at = record.updated_at = now
            session.add(record)
    assert sync.sync_round(boss).rejected == 0
    assert [r["deleted_at"] is not None for r in team.server_rows("ticket") + team.server_rows("revisit")] == [
        True, True]
    sync.sync_round(ann)
    assert _local(ann, AFTER_SALES.format(s="")) == [(0, 0, 0)]  # the customer left ann with everything of it

    restore_team_customer(boss, customer)
    assert [r["deleted_at"] for r in team.server_rows("ticket") + team.server_rows("revisit")] == [None, None]
    sync.sync_round(ann)
    assert _local(ann, "SELECT id, deleted_at FROM ticket") == [(ids["ticket"], None)]
    assert _local(ann, "SELECT id, deleted_at FROM revisit") == [(ids["revisit"], None)]
    assert _local(ann, "SELECT id FROM ticket_event") == [(ids["ticket_event"],)]
