"""How many writes a service call makes inside an open ORM transaction (the demo builds its whole book in one):
a new record goes out with what the rules derive from it in one flush, never inserted and then updated.
Real SQLite files; statements seen with SQLite's own trace callback, flushes with SQLAlchemy's flush event."""

from __future__ import annotations

from sqlalchemy import event

from crmtui.services.customers import add_contact, add_customer
from crmtui.services.deals import add_deal
from crmtui.store import customers as customer_store
from crmtui.store import deals as deal_store


def _flushes(session) -> list[int]:
    counted: list[int] = []
    event.listen(session, "after_flush", lambda *_args: counted.append(1))
    return counted


def test_a_new_customer_is_written_by_one_insert_with_its_score_and_tier(ctx):
    statements: list[str] = []
    with ctx.db.write() as session:
        connection = session.connection().connection.driver_connection
        connection.set_trace_callback(statements.append)
        acme = add_customer(ctx, "Acme", phone="13800138000", interest="CRM seats", source="referral", tags=["VIP"])
        connection.set_trace_callback(None)
    # SQLite's trace repeats a statement around the search index's trigger: one distinct insert, no update
    assert len({s for s in statements if s.startswith("INSERT INTO customer (")}) == 1
    assert not [s for s in statements if s.startswith("UPDATE customer ")]
    # reachable 20 + interest 20 + quality source 30 = 70, which is tier A (from 70)
    with ctx.db.read() as session:
        stored = customer_store.get_customer(session, acme.id)
        assert (stored.score, stored.tier) == (70, "A")
        assert [t.tag for t in customer_store.tags_of(session, acme.id)] == ["VIP"]


def test_a_contact_and_its_customers_new_score_go_out_in_one_flush(ctx):
    acme = add_customer(ctx, "Acme")  # no phone, email, interest or source: 0
    with ctx.db.write() as session:
        flushes = _flushes(session)
        add_contact(ctx, acme.id, "Li Lei", phone="13900139000", decision_maker=True)
        assert len(flushes) == 1
        add_contact(ctx, acme.id, "Han Meimei")
        assert len(flushes) == 2
    # a contact with a phone 20 + a decision maker 30 = 50; the second contact adds nothing
    with ctx.db.read() as session:
        assert customer_store.get_customer(session, acme.id).score == 50
        assert sorted(c.name for c in customer_store.contacts_of(session, acme.id)) == ["Han Meimei", "Li Lei"]


def test_a_deal_and_its_first_stage_change_go_out_in_one_flush(ctx):
    acme = add_customer(ctx, "Acme", status="lead")
    with ctx.db.write() as session:
        flushes = _flushes(session)
        deal = add_deal(ctx, acme.id, "CRM seats", amount="5000")
        assert len(flushes) == 1
    with ctx.db.read() as session:
        history = deal_store.stage_history(session, deal.id)
        assert [(h.from_stage, h.to_stage) for h in history] == [(None, ctx.settings.stages[0].key)]
        assert customer_store.get_customer(session, acme.id).status == "prospect"  # a deal makes a lead a prospect
