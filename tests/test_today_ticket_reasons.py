"""Today's service requests: the reason is short enough that the ticket's title still shows beside it on an
80-column screen. The clock is the suite's frozen one (Tue 2026-11-24 10:00 Asia/Shanghai)."""

from __future__ import annotations

from datetime import timedelta

from crmtui.services import agenda_words
from crmtui.services.agenda import agenda_for
from crmtui.services.customers import add_customer
from crmtui.store.raw import to_db
from crmtui.tui.screens.today import PLAN_MIN, cells, lay_out

from .conftest import NOW


def test_an_urgent_ticket_three_days_late_keeps_its_title_on_an_80_column_today(ctx) -> None:
    customer = add_customer(ctx, "合肥智联医疗器械有限公司")
    stamp = to_db(ctx.clock.utcnow())
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("INSERT INTO ticket (id, created_at, updated_at, customer_id, number, title, kind, priority,"
                     " status, opened_at, respond_by, resolve_by) VALUES ('t1', ?, ?, ?, 'T-0001',"
                     " 'Production line scanner down', 'repair', 'urgent', 'open', ?, ?, ?)",
                     (stamp, stamp, customer.id, stamp, stamp, to_db(NOW - timedelta(days=3))))
    [item] = agenda_for(ctx).sections["tickets"]
    why = agenda_words.reason(ctx, item)
    assert why == "T-0001 urgent · 3 d late"  # 72 hours late: 72 // 24 = 3 days
    plan = "→ " + (item.next_plan or "")
    assert plan == "→ Production line scanner down"
    # 78 cells of list on an 80-column terminal; an amount of 10 cells. The name (24 cells) gives up its tail
    # down to 20; the row then has 78 - 1 - 12 - 20 - 2 = 43 cells for the reason (24) and, 2 cells on, the title:
    # 43 - 24 - 2 = 17 cells. The old reason "ticket T-0001 (urgent) overdue 3 d" (34) left 7: no title at all.
    columns = lay_out(78, [item.customer_name], ["¥1,280,000"], {"tickets": (cells(why), cells(plan))})["tickets"]
    assert columns.plan == 17 >= PLAN_MIN
    old = lay_out(78, [item.customer_name], ["¥1,280,000"], {"tickets": (34, cells(plan))})["tickets"]
    assert old.plan == 0
