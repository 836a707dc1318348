"""The team report's follow-up counts by owner on a book where few customers have an owner (a rep's own book, the
bench's): every follow-up of the period counted off the indexes, then the deleted and superseded ones taken away.
Worked out by hand below: a correction, a deleted follow-up, a deleted customer, a follow-up just outside."""

from __future__ import annotations

from datetime import datetime

import pytest

from crmtui.services.customers import add_customer, delete_customer, edit_customer
from crmtui.services.follow_ups import amend_follow_up, log_follow_up
from crmtui.services.undo import undo
from crmtui.store.reports.team import follow_up_counts_by_owner

from .conftest import NOW, ZONE
from .test_report_indexes import NOVEMBER


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZONE)  # type: ignore[misc]


def log(ctx, frozen, customer_id: str, when: datetime) -> None:
    frozen.move_to(when)
    log_follow_up(ctx, customer_id, channel="phone", goal="talk", goal_met=True, notes="n", next_plan="call",
                  next_at=at(2026, 12, 20, 10))


@pytest.mark.parametrize("manager", [False, True])
def test_counts_by_owner_take_away_the_deleted_and_the_superseded(ctx, frozen, manager: bool) -> None:
    """Yan owns Acme and Gone (deleted); the seven others have no owner: 2 special customers of 9, so the counts
    go by the owners' customers and the rest is the period's count less theirs. A manager's book: Zoe owns the
    seven, every customer is owned, and the counts go customer by customer for all."""
    frozen.move_to(at(2026, 10, 20, 9))
    names = ("Acme", "Beta", "Coco", "Dana", "Eve", "Finn", "Gus", "Hal", "Gone")
    ids = {name: add_customer(ctx, name).id for name in names}
    for name in names:
        if name in ("Acme", "Gone") or manager:
            edit_customer(ctx, ids[name], {"owner": "Yan" if name in ("Acme", "Gone") else "Zoe"})
    log(ctx, frozen, ids["Acme"], at(2026, 10, 31, 23, 59))  # October's
    log(ctx, frozen, ids["Acme"], at(2026, 11, 3, 10))
    log(ctx, frozen, ids["Acme"], at(2026, 11, 4, 10))
    amend_follow_up(ctx, ids["Acme"], notes="corrected")  # supersedes the 4 Nov one: counted once
    log(ctx, frozen, ids["Acme"], at(2026, 11, 5, 10))
    undo(ctx)  # deleted
    log(ctx, frozen, ids["Beta"], at(2026, 11, 3, 11))
    log(ctx, frozen, ids["Beta"], at(2026, 11, 4, 11))
    amend_follow_up(ctx, ids["Beta"], notes="corrected")
    log(ctx, frozen, ids["Beta"], at(2026, 11, 6, 11))
    undo(ctx)
    log(ctx, frozen, ids["Coco"], at(2026, 11, 30, 23, 30))  # 30 Nov 15:30 UTC: November in Shanghai
    log(ctx, frozen, ids["Dana"], at(2026, 12, 1, 0, 0))  # December's first instant
    log(ctx, frozen, ids["Gone"], at(2026, 11, 7, 10))
    delete_customer(ctx, ids["Gone"])
    frozen.move_to(NOW)
    with ctx.db.raw_read() as connection:
        counts = follow_up_counts_by_owner(connection, NOVEMBER.start, NOVEMBER.end)
    # Yan: Acme 3 Nov + the 4 Nov correction = 2 (the 4 Nov original superseded, 5 Nov deleted, 31 Oct October's;
    # Gone deleted with its 7 Nov one). No owner: Beta 3 Nov + its 4 Nov correction + Coco 30 Nov = 3.
    # With Zoe owning the seven, the same 3 are hers (Dana's is December's, the others have none).
    assert counts == ({"Yan": 2, "Zoe": 3} if manager else {"Yan": 2, None: 3})
