"""The undo question says what the undo will do, not what the action did: a dropped revisit is brought back, an
added record is deleted, an edited field goes back. The clock is the suite's frozen one (Tue 2026-11-24 10:00
Asia/Shanghai)."""

from __future__ import annotations

from crmtui.services.customers import add_customer, edit_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.history import change_text
from crmtui.services.revisits import RevisitLine, drop_revisit
from crmtui.services.undo import undo, undo_plan


def test_undoing_a_dropped_revisit_says_it_brings_it_back(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="120000")
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today", revisits=[RevisitLine(90, "meeting", "Review")])
    drop_revisit(ctx, acme.id, "review", "no one to meet")
    plan = undo_plan(ctx)
    assert plan.what == "Revisit dropped (Review): no one to meet"
    lines = [change_text(line) for line in plan.changes]
    # signed Tue 24 Nov 2026 + 90 days = Mon 22 Feb 2027 (7 days left of November, 31 of December, 31 of January,
    # 21 of February: 7 + 31 + 31 + 21 = 90), a working day
    assert lines == ["revisit 2027-02-22 · Review: brought back"]
    undo(ctx, plan)


def test_undoing_an_add_says_it_deletes_and_an_edit_says_the_value_it_goes_back_to(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme", industry="steel")
    assert [change_text(line) for line in undo_plan(ctx).changes] == ["customer Acme: deleted"]
    edit_customer(ctx, acme.id, {"industry": "mining"})
    assert [change_text(line) for line in undo_plan(ctx).changes] == ["customer Acme: Industry mining → steel"]
