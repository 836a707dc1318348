"""Revisits, tickets and their events behave like every other record of a customer on the laptop: they go to the
outbox parents first, their changes are in the customer's history and can be undone, a customer that leaves the
rep takes them along, a draft customer drops them, and the team's lists name them."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

from crmtui.services import history as history_service
from crmtui.services import team_words, undo
from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal
from crmtui.store import drafts, replica
from crmtui.store.db import Database
from crmtui.store.migrate import upgrade
from crmtui.store.models import Contract, Revisit, Ticket, TicketEvent
from crmtui.store.outbox import TABLE_ORDER
from crmtui.sync.protocol import Rejection


def after_sales(ctx: Context, customer_id: str, deal_id: str, *, title: str = "压缩机异响",
                note: str = "客户来电报修", purpose: str = "安装后回访", resolution: str | None = None,
                number: str = "T-0001", contract_number: str = "HT-2026-001") -> dict[str, str]:
    """A contract of the deal, a ticket under it with one event, and a revisit of the deal, written through the
    store's ORM session (one action) as the tickets and revisits services write them. Returns their ids."""
    now = ctx.clock.utcnow()
    with history_service.action(ctx), ctx.db.write(now) as session:
        contract = Contract(deal_id=deal_id, customer_id=customer_id, number=contract_number, amount_cents=1_200_000,
                            signed_on=date(2026, 11, 20), service_months=6, service_from=date(2026, 11, 20),
                            warranty_until=date(2027, 11, 19), created_at=now, updated_at=now)
        session.add(contract)
        session.flush()
        ticket = Ticket(customer_id=customer_id, contract_id=contract.id, number=number, title=title, kind="repair",
                        priority="high", status="open", opened_at=now, respond_by=now + timedelta(hours=4),
                        resolve_by=now + timedelta(hours=24), resolution=resolution, created_at=now, updated_at=now)
        session.add(ticket)
        session.flush()
        event = TicketEvent(ticket_id=ticket.id, at=now, to_status="open", note=note, created_at=now, updated_at=now)
        revisit = Revisit(customer_id=customer_id, deal_id=deal_id, due_on=date(2026, 11, 27), purpose=purpose,
                          channel="phone", created_at=now, updated_at=now)
        session.add(event)
        session.add(revisit)
        session.flush()
        return {"contract": contract.id, "ticket": ticket.id, "ticket_event": event.id, "revisit": revisit.id}


def _customer_with_after_sales(ctx: Context, name: str = "Acme") -> tuple[str, dict[str, str]]:
    acme = add_customer(ctx, name)
    deal = add_deal(ctx, acme.id, "冷库项目", amount="12000")
    return acme.id, {**after_sales(ctx, acme.id, deal.id), "deal": deal.id}


def _rows(ctx: Context, sql: str, params: tuple = ()) -> list[tuple]:
    with ctx.db.raw_read() as conn:
        return conn.execute(sql, params).fetchall()


def test_the_outbox_sends_parents_before_the_after_sales_records(ctx: Context) -> None:
    order = {table: TABLE_ORDER.index(table) for table in TABLE_ORDER}
    assert order["deal"] < order["revisit"] and order["follow_up"] < order["revisit"]
    assert order["contract"] < order["ticket"] < order["ticket_event"]
    _customer, ids = _customer_with_after_sales(ctx)
    queued = _rows(ctx, "SELECT record_table, record_id, kind FROM outbox WHERE record_table IN"
                        " ('contract', 'ticket', 'ticket_event', 'revisit') ORDER BY seq")
    tables = [table for table, _id, _kind in queued]
    assert {kind for _table, _id, kind in queued} == {"insert"} and len(tables) == 4
    assert tables.index("contract") < tables.index("ticket") < tables.index("ticket_event")
    assert {table: record_id for table, record_id, _kind in queued} == {
        table: ids[table] for table in ("contract", "ticket", "ticket_event", "revisit")}


def test_their_changes_are_in_the_customers_history_and_can_be_undone(ctx: Context) -> None:
    customer, ids = _customer_with_after_sales(ctx)
    logged = _rows(ctx, "SELECT record_table, customer_id FROM change_log WHERE kind = 'insert'"
                        " AND record_table IN ('ticket', 'ticket_event', 'revisit') ORDER BY record_table")
    # the event finds its customer through its ticket
    assert logged == [("revisit", customer), ("ticket", customer), ("ticket_event", customer)]

    with history_service.action(ctx), ctx.db.write(ctx.clock.utcnow()) as session:
        ticket = session.get(Ticket, ids["ticket"])
        assert ticket is not None
        ticket.status, ticket.title = "in_progress", "压缩机异响（已到场）"
        session.add(ticket)
    changed = _rows(ctx, "SELECT field, json_extract(old_value, '$'), json_extract(new_value, '$') FROM change_log"
                         " WHERE record_id = ? AND kind = 'update' ORDER BY field", (ids["ticket"],))
    assert changed == [("status", "open", "in_progress"), ("title", "压缩机异响", "压缩机异响（已到场）")]

    undo.undo(ctx)
    assert _rows(ctx, "SELECT status, title FROM ticket") == [("open", "压缩机异响")]
    # the undo is a change like any other: the server is told
    assert _rows(ctx, "SELECT json_extract(changes, '$.status') FROM outbox WHERE record_table = 'ticket'"
                      " ORDER BY seq DESC LIMIT 1") == [("open",)]


def test_a_file_migrated_to_a_revision_before_the_tables_gets_no_trigger_for_them(tmp_path: Path) -> None:
    """The history triggers are made again after every migration run: one that stops before the after-sales
    tables exist passes over them, and the next run makes them."""
    path = tmp_path / "old.db"
    old = Database(path)
    upgrade(old.engine, "0012")  # before the after-sales schema
    old.close()
    with sqlite3.connect(path) as raw:
        triggers = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert "history_customer_insert" in triggers and not any("ticket" in name for name in triggers)
    old = Database(path)
    upgrade(old.engine)
    old.close()
    with sqlite3.connect(path) as raw:
        triggers = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {f"history_{table}_{kind}" for table in ("revisit", "ticket", "ticket_event")
            for kind in ("insert", "update")} <= triggers


def test_a_customer_that_leaves_the_rep_takes_its_tickets_and_revisits(ctx: Context) -> None:
    gone, _ids = _customer_with_after_sales(ctx, "Acme")
    _stays, kept = _customer_with_after_sales(ctx, "Globex")
    assert len(_rows(ctx, "SELECT record_id FROM sync_stamp WHERE record_table = 'ticket'")) == 2
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        assert replica.drop_customers(conn, [gone]) == 1
    for table in ("ticket", "ticket_event", "revisit", "contract"):
        assert [row[0] for row in _rows(ctx, f"SELECT id FROM {table}")] == [kept[table]], table
    assert _rows(ctx, "SELECT record_id FROM sync_stamp WHERE record_table = 'ticket'") == [(kept["ticket"],)]


def test_a_draft_customer_is_dropped_with_its_after_sales_records(ctx: Context) -> None:
    customer, ids = _customer_with_after_sales(ctx)
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        records = drafts.draft_records(conn, customer)
        assert records is not None
        assert {table: records[table] for table in ("ticket", "ticket_event", "revisit")} == {
            table: [ids[table]] for table in ("ticket", "ticket_event", "revisit")}
        drafts.drop_draft(conn, records)
    for table in ("customer", "ticket", "ticket_event", "revisit", "outbox"):
        assert _rows(ctx, f"SELECT count(*) FROM {table}") == [(0,)], table


def test_a_ticket_already_sent_keeps_its_customer_from_being_a_draft(ctx: Context) -> None:
    customer, ids = _customer_with_after_sales(ctx)
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("UPDATE outbox SET state = 'applied' WHERE record_id = ?", (ids["ticket_event"],))
        assert drafts.draft_records(conn, customer) is None


def test_the_team_lists_name_the_records_and_their_fields(ctx: Context) -> None:
    assert [team_words.record_kind(t) for t in ("revisit", "ticket", "ticket_event")] == [
        "revisit", "ticket", "ticket update"]
    rejection = Rejection(3, "ticket", "t-1", "update", {"status": "closed"}, "the customer is no longer yours", "",
                          "Acme", None)
    assert team_words.change_words(rejection) == "your change to a ticket"
    fields = team_words.change_fields(ctx, "ticket", {
        "title": "压缩机异响", "resolution": "换了风扇", "resolve_by": "2026-11-25T02:00:00+00:00", "author": "ann"})
    # 02:00 UTC is 10:00 in Shanghai; the author is the server's to set, never listed
    assert fields[:2] == [("Title", "压缩机异响"), ("Resolution", "换了风扇")]
    assert fields[2][0] == "Resolve by" and "10:00" in fields[2][1] and len(fields) == 3
    assert team_words.change_fields(ctx, "revisit", {"purpose": "回访", "due_on": "2026-11-27"})[0] == (
        "Purpose", "回访")
    assert team_words.change_fields(ctx, "follow_up", {"satisfaction": 2, "nps": 6}) == [
        ("Satisfaction (1-5)", "2"), ("Would recommend (0-10)", "6")]


def test_the_history_names_each_record(ctx: Context) -> None:
    from crmtui.store import history as store_history

    _customer, ids = _customer_with_after_sales(ctx)
    with ctx.db.raw_read() as conn:
        names = store_history.record_labels(conn.execute, {("ticket", ids["ticket"]), ("revisit", ids["revisit"]),
                                                           ("ticket_event", ids["ticket_event"])})
    assert names[("ticket", ids["ticket"])] == "T-0001 压缩机异响"
    assert names[("revisit", ids["revisit"])] == "2026-11-27 · 安装后回访"
    assert names[("ticket_event", ids["ticket_event"])].startswith("T-0001 · 2026-11-24 02:00")


def _person_with_after_sales(ctx: Context) -> tuple[str, dict[str, str]]:
    wang = add_customer(ctx, "王芳", kind="person", phone="13912345678")
    deal = add_deal(ctx, wang.id, "中央空调", amount="30000")  # its title names nobody
    ids = after_sales(ctx, wang.id, deal.id, title="王芳家空调异响", note="王芳来电：13912345678",
                      purpose="回访王芳，问噪音", resolution="给王芳换了风扇")
    return wang.id, ids


def test_a_persons_export_lists_their_tickets_the_tickets_history_and_revisits(ctx: Context, tmp_path: Path) -> None:
    import json

    from crmtui.services import personal_data

    _wang, ids = _person_with_after_sales(ctx)
    path = tmp_path / "wang.json"
    counts = personal_data.export_person(ctx, personal_data.find_person(ctx, "王芳"), path)
    assert (counts["tickets"], counts["ticket_events"], counts["revisits"]) == (1, 1, 1)
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert [(row["id"], row["title"], row["resolution"]) for row in exported["tickets"]] == [
        (ids["ticket"], "王芳家空调异响", "给王芳换了风扇")]
    assert [(row["id"], row["note"]) for row in exported["ticket_events"]] == [(ids["ticket_event"], "王芳来电：13912345678")]
    assert [(row["id"], row["purpose"]) for row in exported["revisits"]] == [(ids["revisit"], "回访王芳，问噪音")]
    # their history too: one insert row each
    assert {row["record_table"] for row in exported["history"]} >= {"ticket", "ticket_event", "revisit"}


def test_erasing_a_person_customer_blanks_the_text_of_its_tickets_and_revisits_everywhere(ctx: Context) -> None:
    from crmtui.services import personal_data

    wang, ids = _person_with_after_sales(ctx)
    plan = personal_data.erasure_plan(ctx, personal_data.find_person(ctx, "王芳"))
    personal_data.erase_person(ctx, plan, [])
    # the records stay with their dates and statuses, their text gone
    assert _rows(ctx, "SELECT title, resolution, status, number FROM ticket") == [("", None, "open", "T-0001")]
    assert _rows(ctx, "SELECT note, to_status FROM ticket_event") == [(None, "open")]
    assert _rows(ctx, "SELECT purpose, due_on FROM revisit") == [("", "2026-11-27")]
    # the erasure goes to the team as updates of each
    sent = _rows(ctx, "SELECT record_table, changes FROM outbox WHERE kind = 'update'"
                      " AND record_table IN ('ticket', 'ticket_event', 'revisit')")
    assert sorted(table for table, _changes in sent) == ["revisit", "ticket", "ticket_event"]
    # nothing of the person is left in the file: not in the outbox's earlier inserts, nor the history
    for table, query in (("outbox", "SELECT changes FROM outbox"), ("change_log",
                         "SELECT coalesce(old_value, '') || coalesce(new_value, '') FROM change_log")):
        assert not [row for row in _rows(ctx, query) if "王芳" in row[0] or "13912345678" in row[0]], table
    assert b"13912345678" not in ctx.db.path.read_bytes()
    assert wang


def test_a_merge_moves_the_tickets_and_revisits_to_the_kept_customer(ctx: Context) -> None:
    from crmtui.services.merge import merge_customers

    keep = add_customer(ctx, "Acme Ltd")
    other, ids = _customer_with_after_sales(ctx, "Acme Trading")
    merge_customers(ctx, keep.id, other)
    assert _rows(ctx, "SELECT id, customer_id FROM ticket") == [(ids["ticket"], keep.id)]
    assert _rows(ctx, "SELECT id, customer_id FROM revisit") == [(ids["revisit"], keep.id)]
    assert _rows(ctx, "SELECT customer_id FROM contract") == [(keep.id,)]  # the ticket's contract went along
    # the moves go to the team like the merge's other changes
    moved = _rows(ctx, "SELECT record_table FROM outbox WHERE kind = 'update' AND json_extract(changes, '$.customer_id')"
                       " = ? AND record_table IN ('ticket', 'revisit') ORDER BY record_table", (keep.id,))
    assert moved == [("revisit",), ("ticket",)]
