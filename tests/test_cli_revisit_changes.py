"""`crm revisit list|move|drop|done`: a planned revisit seen, moved, dropped with a reason, or done without a
score, from the shell. Frozen clock: Tue 2026-11-24 10:00 Shanghai."""

from __future__ import annotations

import json
from datetime import date

from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal
from crmtui.services.revisits import revisit_timeline

from .test_cli import fails, ok


def _won(ctx, *plan: str):  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, "Seats", amount="120000")
    extra = [arg for line in plan for arg in ("--revisit", line)]
    ok("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today", *extra)
    return acme


def test_list_shows_each_revisit_open_or_done(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    ok("revisit", "done", "Acme", "2026-11-27", "--next-plan", "visit", "--next", "2026-12-24 09:00")
    lines = ok("revisit", "list", "Acme").stdout.splitlines()
    # signed Tue 24 Nov: + 3 = Fri 27 Nov, + 30 = Thu 24 Dec, + 90 = Mon 22 Feb 2027
    assert len(lines) == 3
    assert lines[0].startswith("✓ ") and "Fri 27 Nov · Phone · Confirm delivery  (done, no score)" in lines[0]
    assert lines[1].startswith("○ ") and "Thu 24 Dec · Visit · Check how it is used" in lines[1]
    data = json.loads(ok("revisit", "list", "Acme", "--json").stdout)
    assert [(row["due_on"], row["done"], row["satisfaction"]) for row in data] == [
        ("2026-11-27", True, None), ("2026-12-24", False, None), ("2027-02-22", False, None)]
    assert data[0]["customer_id"] == acme.id
    every = ok("revisit", "list").stdout.splitlines()
    assert len(every) == 2 and all("Acme  ·  " in line for line in every)


def test_move_and_drop_change_the_plan_and_say_so(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    moved = ok("revisit", "move", "Acme", "Confirm", "--to", "2026-12-02")
    assert "Acme: revisit moved to Wed 2 Dec · Phone · Confirm delivery" in moved.stdout
    dropped = ok("revisit", "drop", "Acme", "2026-12-24", "--reason", "they visit us instead")
    assert "Acme: revisit dropped: Thu 24 Dec · Visit · Check how it is used" in dropped.stdout
    assert [(r.due_on, r.purpose) for r in revisit_timeline(ctx, acme.id).revisits] == [
        (date(2026, 12, 2), "Confirm delivery"), (date(2027, 2, 22), "Review")]
    history = ok("history", "Acme").stdout
    assert "Revisit dropped (Check how it is used): they visit us instead" in history


def test_a_reference_to_two_revisits_is_refused_listing_them(ctx) -> None:  # type: ignore[no-untyped-def]
    _won(ctx, "3 phone call about delivery", "30 phone call about use")
    result = fails("revisit", "drop", "Acme", "call about", "--reason", "x", code=3)
    assert '"call about" matches 2' in result.stderr
    assert "Fri 27 Nov · Phone · call about delivery" in result.stderr
    assert "Thu 24 Dec · Phone · call about use" in result.stderr


def test_bad_values_are_refused_naming_the_option(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    past = fails("revisit", "move", "Acme", "Confirm", "--to", "2026-11-20")
    assert "--to" in past.stderr and "today or a later day" in past.stderr
    missing = fails("revisit", "done", "Acme", "Confirm")
    assert "--next-plan" in missing.stderr and "--next" in missing.stderr
    nothing = fails("revisit", "move", "Acme", "installation", "--to", "2026-12-10")
    assert "error: revisit: an open revisit of Acme" in nothing.stderr
    assert "2026-11-27 Confirm delivery" in nothing.stderr
    assert [r.due_on for r in revisit_timeline(ctx, acme.id).revisits][0] == date(2026, 11, 27)
    no_reason = ok("revisit", "drop", "Acme", "Confirm")  # the reason is optional
    assert "revisit dropped" in no_reason.stdout and "Confirm delivery" in no_reason.stdout
