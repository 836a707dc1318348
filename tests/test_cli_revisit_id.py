"""`crm revisit move|drop|done`: the id `crm revisit list` shows goes after the customer; typed in the customer's
place it is refused saying so, and the help says an id is taken. Frozen clock: Tue 2026-11-24 10:00 Shanghai."""

from __future__ import annotations

import json
from datetime import date

from crmtui.services.revisits import revisit_timeline

from .test_cli import fails, ok
from .test_cli_revisit_changes import _won


def test_a_revisit_id_typed_first_is_refused_with_the_order_to_type(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    # signed Tue 24 Nov: + 3 = Fri 27 Nov, + 30 = Thu 24 Dec, + 90 = Mon 22 Feb 2027
    first = json.loads(ok("revisit", "list", "Acme", "--json").stdout)[0]
    short = first["id"][:8]
    assert f"○ {short}  " in ok("revisit", "list").stdout  # the id as the list shows it
    refused = fails("revisit", "move", short, "confirm", "--to", "2026-12-02")
    assert f'"{short}" is a revisit of Acme: the customer goes first, then the revisit' in refused.stderr
    assert f'crm revisit move "Acme" {short}' in refused.stderr
    assert "no customer matches" not in refused.stderr
    assert "Traceback" not in refused.stderr
    # the order it names works: Fri 27 Nov moved to Wed 2 Dec
    ok("revisit", "move", "Acme", short, "--to", "2026-12-02")
    assert [r.due_on for r in revisit_timeline(ctx, acme.id).revisits][0] == date(2026, 12, 2)
    dropped = fails("revisit", "drop", short, "review", "--reason", "x")
    assert f'crm revisit drop "Acme" {short}' in dropped.stderr


def test_a_name_that_is_no_revisit_id_is_still_no_customer(ctx) -> None:  # type: ignore[no-untyped-def]
    _won(ctx)
    assert 'no customer matches "beef1234"' in fails("revisit", "move", "beef1234", "x", "--to", "fri").stderr
    assert 'no customer matches "Nobody"' in fails("revisit", "move", "Nobody", "x", "--to", "fri").stderr


def test_the_help_says_the_id_goes_after_the_customer(ctx) -> None:  # type: ignore[no-untyped-def]
    shown = " ".join(ok("revisit", "move", "--help").stdout.split())
    assert "DAY|WORDS|ID" in shown
    assert "its id from `crm revisit list` (after the customer" in shown
