"""`crm show` says what the app's customer screen says after the sale: a revisit's would-recommend score, the
satisfaction trend (a ticket's score named by the ticket), and an open ticket's mark ("Not answered in time").
Frozen clock: Tue 2026-11-24 10:00 Shanghai, moved by each test."""

from __future__ import annotations

import json
from datetime import datetime

from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal
from crmtui.services.tickets import add_ticket, close_ticket

from .conftest import ZONE
from .test_cli import LOG_OK, ok


def test_show_has_would_recommend_the_trend_and_the_tickets_mark(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, "Seats", amount="120000")
    ok("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today")  # Tue 24 Nov + 3 = Fri 27 Nov call
    frozen.move_to(datetime(2026, 11, 27, 9, 0, tzinfo=ZONE))  # Fri 27 Nov: the 3-day call is due
    ok("log", "Acme", *LOG_OK, "--next", "2027-01-05", "--satisfaction", "4", "--nps", "9")
    frozen.move_to(datetime(2026, 11, 27, 9, 30, tzinfo=ZONE))
    manual = add_ticket(ctx, acme.id, "Manual", kind="consultation")
    close_ticket(ctx, manual.id, "sent it", satisfaction=3)  # 3: not low, no call back
    frozen.move_to(datetime(2026, 11, 27, 10, 0, tzinfo=ZONE))
    pump = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")  # normal: 10:00 + 8 working hours = 18:00
    frozen.move_to(datetime(2026, 11, 27, 18, 30, tzinfo=ZONE))  # not answered by 18:00; resolution days away

    lines = [line.strip() for line in ok("show", "Acme").stdout.splitlines()]
    assert "✓  Fri 27 Nov  Phone  Confirm delivery  done Fri 27 Nov  satisfaction 4/5  would recommend 9/10" in lines
    # oldest first: the revisit's 4 (bar ▆, the 4th of ▁▂▄▆█), then the ticket's 3 (▄)
    assert f"Satisfaction trend: ▆▄  4 3 (ticket {manual.number}) (oldest first, 1-5)" in lines
    [ticket] = [line for line in lines if line.startswith(pump.number)]
    assert ticket.startswith(f"{pump.number}  Open  Normal  Pump leaks  due ")
    assert ticket.endswith("  Not answered in time")

    data = json.loads(ok("show", "Acme", "--json").stdout)
    assert [(s["satisfaction"], s["nps"], s["ticket"]) for s in data["satisfaction_scores"]] == [
        (4, 9, None), (3, None, manual.number)]


def test_show_without_scores_has_no_trend(ctx) -> None:  # type: ignore[no-untyped-def]
    add_customer(ctx, "Quiet Co")
    assert "Satisfaction trend" not in ok("show", "Quiet Co").stdout
