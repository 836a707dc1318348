"""The store's write path inside one ORM transaction: what a write beside the ORM reloads, when pending changes
are flushed, and how often a mutation's outbox row is written. Real SQLite files; statements seen with SQLite's
own trace callback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect

from crmtui.services.customers import add_customer, edit_customer
from crmtui.services.follow_ups import log_follow_up
from crmtui.store import customers as customer_store
from crmtui.store.models import Contact, SyncStamp

from .conftest import NOW


def _log(ctx, customer_id: str, days: int, notes: str = "called") -> None:
    log_follow_up(ctx, customer_id, channel="phone", goal="g", goal_met=True, notes=notes, next_plan="p",
                  next_at=NOW + timedelta(days=days))


def _outbox(ctx) -> list[dict]:
    with ctx.db.raw_read() as connection:
        rows = connection.execute("SELECT record_table, record_id, kind, changes, stamps FROM outbox ORDER BY seq")
        return [{"table": t, "id": i, "kind": k, "changes": json.loads(c), "stamps": json.loads(s)}
                for t, i, k, c, s in rows]


def test_a_follow_up_logged_inside_an_orm_write_reloads_only_the_fields_it_changed(ctx):
    acme, other = add_customer(ctx, "Acme"), add_customer(ctx, "Other")
    with ctx.db.write() as session:
        logged, untouched = (customer_store.get_customer(session, c.id) for c in (acme, other))
        _log(ctx, acme.id, days=2)
        assert inspect(untouched).expired_attributes == set()
        assert inspect(logged).expired_attributes == {"last_contact_at", "next_follow_up_at", "updated_at"}
        # read back from the row the follow-up wrote: 10:00 in Shanghai two days on is 02:00 UTC
        assert logged.next_follow_up_at == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
        assert logged.last_contact_at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
        assert logged.name == "Acme"


def test_a_write_beside_the_orm_that_records_nothing_makes_the_session_reload_everything(ctx):
    acme = add_customer(ctx, "Acme")
    with ctx.db.write() as session:
        loaded = customer_store.get_customer(session, acme.id)
        assert loaded.industry is None
        with ctx.db.raw_write(datetime.now().astimezone()) as (connection, _outbox_writer):
            connection.execute("UPDATE customer SET industry = 'energy' WHERE id = ?", (acme.id,))
        assert loaded.industry == "energy"


def test_reading_the_reloaded_fields_does_not_flush_other_pending_changes(ctx):
    acme, other = add_customer(ctx, "Acme"), add_customer(ctx, "Other")
    with ctx.db.write() as session:
        logged, edited = (customer_store.get_customer(session, c.id) for c in (acme, other))
        _log(ctx, acme.id, days=2)
        edited.industry = "energy"
        assert logged.next_follow_up_at == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # loads the row of `logged` alone
        assert edited in session.dirty
    # the pending change was written with the commit, and recorded
    with ctx.db.read() as session:
        assert customer_store.get_customer(session, other.id).industry == "energy"
    updates = [e for e in _outbox(ctx) if e["id"] == other.id and e["kind"] == "update"]
    assert [u["changes"]["industry"] for u in updates] == ["energy"]


def test_reading_contacts_or_tags_flushes_only_when_that_table_has_pending_changes(ctx):
    acme = add_customer(ctx, "Acme")
    with ctx.db.write() as session:
        customer = customer_store.get_customer(session, acme.id)
        customer.industry = "energy"
        assert customer_store.contacts_of(session, acme.id) == []
        assert customer_store.tags_of(session, acme.id) == []
        assert customer in session.dirty  # a change to the customer cannot alter what those two read
        session.add(Contact(customer_id=acme.id, name="Bob", name_key="bob", created_at=NOW, updated_at=NOW))
        assert [c.name for c in customer_store.contacts_of(session, acme.id)] == ["Bob"]  # a pending contact is
        assert customer not in session.dirty                                           # flushed first, as before


def test_a_record_changed_again_in_one_transaction_has_its_outbox_row_written_once_with_every_change(ctx):
    statements: list[str] = []
    with ctx.db.write() as session:
        connection = session.connection().connection.driver_connection
        connection.set_trace_callback(statements.append)
        customer = add_customer(ctx, "Acme")
        for days in (1, 2, 3):
            _log(ctx, customer.id, days, notes=f"call {days}")
    connection.set_trace_callback(None)
    assert sum(s.startswith("UPDATE outbox") for s in statements) == 1  # once, before the commit
    entries = _outbox(ctx)
    assert [(e["table"], e["kind"]) for e in entries] == [("customer", "insert")] + [("follow_up", "insert")] * 3
    acme = entries[0]
    # every change of the transaction is in the one mutation: the last follow-up's dates, 10:00 Shanghai = 02:00 UTC
    assert acme["changes"]["next_follow_up_at"] == "2026-11-27T02:00:00+00:00"
    assert acme["changes"]["last_contact_at"] == "2026-11-24T02:00:00+00:00"
    assert acme["changes"]["name"] == "Acme" and "score" in acme["changes"]
    assert set(acme["stamps"]) == set(acme["changes"])
    assert acme["stamps"]["next_follow_up_at"] > acme["stamps"]["name"]  # the follow-ups came after the insert
    assert [e["changes"]["notes"] for e in entries[1:]] == ["call 1", "call 2", "call 3"]
    with ctx.db.raw_read() as raw:
        stamps = json.loads(raw.execute("SELECT stamps FROM sync_stamp WHERE record_id = ?", (customer.id,))
                            .fetchone()[0])
    assert stamps == acme["stamps"]


def test_sync_stamps_read_in_a_transaction_follow_the_writes_made_in_it(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    with ctx.db.write() as session:
        row = session.get(SyncStamp, ("customer", acme.id))  # held: the session keeps it loaded
        before = json.loads(row.stamps)["status"]
        frozen.shift(60)
        edit_customer(ctx, acme.id, {"status": "customer"})  # the ORM path writes the stamps with plain SQL
        after_edit = json.loads(row.stamps)["status"]
        frozen.shift(60)
        edit_customer(ctx, acme.id, {"status": "dormant"})
        _log(ctx, acme.id, days=1)  # and so does the stdlib path
        after_log = json.loads(row.stamps)
    assert before < after_edit < after_log["status"] < after_log["next_follow_up_at"]
    assert int(after_edit[:15]) - int(before[:15]) == 60_000  # the stamp's wall milliseconds moved with the clock
