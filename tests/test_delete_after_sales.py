"""Deleting a customer takes its after-sales records along (its tickets with their history, its revisits, done
ones too) as tombstones of the same moment, and undoing the delete brings every one of them back. Frozen clock
(Tue 2026-11-24 10:00 Asia/Shanghai)."""

from __future__ import annotations

from crmtui.services.context import Context
from crmtui.services.customers import add_customer, delete_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.revisits import parse_plan
from crmtui.services.tickets import add_ticket, update_ticket
from crmtui.services.undo import undo
from crmtui.store.raw import to_db

LIVE = ("SELECT (SELECT count(*) FROM ticket WHERE customer_id = :c AND deleted_at IS NULL),"
        " (SELECT count(*) FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id"
        "  WHERE t.customer_id = :c AND e.deleted_at IS NULL),"
        " (SELECT count(*) FROM revisit WHERE customer_id = :c AND deleted_at IS NULL)")


def _live(ctx: Context, customer_id: str) -> tuple[int, int, int]:
    with ctx.db.raw_read() as conn:
        return conn.execute(LIVE, {"c": customer_id}).fetchone()


def _book(ctx: Context, name: str) -> str:
    """A won customer: a plan of two revisits (one open, one done), a revisit of its own, two tickets (one with a
    note: three events in all)."""
    customer = add_customer(ctx, name)
    deal = add_deal(ctx, customer.id, "Pumps", amount="10000")
    # signed 10 days ago (14 Nov): "3" is due 17 Nov (past), "30" due 14 Dec (open)
    move_stage(ctx, deal.id, "won", contract_no=f"HT-{name}", signed="2026-11-14", complete_schedule=True,
               revisits=parse_plan("3 phone 确认交付; 30 visit 检查安装"))
    stamp = to_db(ctx.clock.utcnow())
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        # the first revisit done (a follow-up completed it), and one not of the deal
        conn.execute("UPDATE revisit SET follow_up_id = 'f1', done_at = ? WHERE customer_id = ? AND due_on = ?",
                     (stamp, customer.id, "2026-11-17"))
        conn.execute("INSERT INTO revisit (id, created_at, updated_at, customer_id, due_on, purpose, channel)"
                     " VALUES (?, ?, ?, ?, '2026-12-20', 'yearly check', 'phone')",
                     (f"r-{name}", stamp, stamp, customer.id))
    add_ticket(ctx, customer.id, "Pump leaks", kind="repair")
    second = add_ticket(ctx, customer.id, "Invoice question", kind="consultation")
    update_ticket(ctx, second.id, note="sent a copy")
    return customer.id


def test_deleting_a_customer_tombstones_its_tickets_events_and_revisits_and_undo_restores_them(ctx: Context) -> None:
    acme, other = _book(ctx, "Acme"), _book(ctx, "Beta")
    # 2 tickets, 3 events (two openings and a note), 3 revisits (2 of the plan, 1 of its own)
    assert _live(ctx, acme) == (2, 3, 3)

    delete_customer(ctx, acme)
    assert _live(ctx, acme) == (0, 0, 0)
    assert _live(ctx, other) == (2, 3, 3)  # another customer's are left alone
    now = to_db(ctx.clock.utcnow())
    with ctx.db.raw_read() as conn:  # all of it at the customer's own moment: a restore finds them together
        moments = conn.execute(
            "SELECT DISTINCT deleted_at FROM (SELECT deleted_at FROM ticket WHERE customer_id = :c"
            " UNION ALL SELECT e.deleted_at FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id"
            " WHERE t.customer_id = :c UNION ALL SELECT deleted_at FROM revisit WHERE customer_id = :c"
            " UNION ALL SELECT deleted_at FROM customer WHERE id = :c)", {"c": acme}).fetchall()
    assert moments == [(now,)]

    undo(ctx)
    assert _live(ctx, acme) == (2, 3, 3)
    with ctx.db.raw_read() as conn:
        assert conn.execute("SELECT deleted_at FROM customer WHERE id = ?", (acme,)).fetchone() == (None,)
        # the done revisit is still done, with its follow-up
        assert conn.execute("SELECT count(*) FROM revisit WHERE customer_id = ? AND follow_up_id = 'f1'",
                            (acme,)).fetchone() == (1,)


def test_a_ticket_deleted_before_stays_deleted_at_its_own_moment(ctx: Context) -> None:
    acme = _book(ctx, "Acme")
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("UPDATE ticket SET deleted_at = '2026-11-01T00:00:00' WHERE title = 'Pump leaks'")
    delete_customer(ctx, acme)
    with ctx.db.raw_read() as conn:
        assert conn.execute("SELECT deleted_at FROM ticket WHERE title = 'Pump leaks'").fetchone() == (
            "2026-11-01T00:00:00",)
