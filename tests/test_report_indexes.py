"""The reports' follow-up counts when the rep asked for owns most of the book: the follow-ups are then read by
time off the index of live follow-ups (store/reports/activity.py) and the other customers' are left out. The
figures are worked out by hand below, with a deleted follow-up, a correction, a deleted customer of the rep and
another rep's customer."""

from __future__ import annotations

from datetime import datetime

import pytest

from crmtui.core.periods import Period
from crmtui.services.customers import add_customer, delete_customer, edit_customer
from crmtui.services.follow_ups import amend_follow_up, log_follow_up
from crmtui.services.reports import module
from crmtui.services.reports.base import Heatmap
from crmtui.services.undo import undo

from .conftest import NOW, ZONE

NOVEMBER = Period(datetime(2026, 11, 1, tzinfo=ZONE), datetime(2026, 12, 1, tzinfo=ZONE), "2026-11")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZONE)  # type: ignore[misc]


def log(ctx, frozen, customer_id: str, when: datetime, met: bool) -> str:
    frozen.move_to(when)
    return log_follow_up(ctx, customer_id, channel="phone", goal="talk", goal_met=met, notes="n", next_plan="call",
                         next_at=at(2026, 12, 20, 10)).id


@pytest.fixture
def book(ctx, frozen) -> None:
    """Yan owns Acme, Beta, Coco and Echo (deleted); Zoe owns Delta."""
    frozen.move_to(at(2026, 10, 20, 9))
    names = ("Acme", "Beta", "Coco", "Delta", "Echo")
    ids = {name: add_customer(ctx, name).id for name in names}
    for name in names:
        edit_customer(ctx, ids[name], {"owner": "Zoe" if name == "Delta" else "Yan"})
    log(ctx, frozen, ids["Acme"], at(2026, 11, 3, 10), True)
    log(ctx, frozen, ids["Acme"], at(2026, 11, 4, 10), False)
    amend_follow_up(ctx, ids["Acme"], goal_met=True)  # a correction supersedes the 4 Nov one: counted once
    log(ctx, frozen, ids["Beta"], at(2026, 11, 5, 10), True)
    undo(ctx)  # that follow-up is deleted
    log(ctx, frozen, ids["Beta"], at(2026, 11, 6, 23, 30), True)
    log(ctx, frozen, ids["Coco"], at(2026, 11, 1, 0, 30), True)  # 31 Oct 16:30 UTC: November in Shanghai
    log(ctx, frozen, ids["Delta"], at(2026, 11, 5, 10), True)
    log(ctx, frozen, ids["Echo"], at(2026, 11, 5, 11), True)
    delete_customer(ctx, ids["Echo"])
    frozen.move_to(NOW)


@pytest.mark.parametrize(("rep", "expected"), [
    # Yan: Acme 3 Nov + 4 Nov (corrected, once) + Beta 6 Nov (the 5 Nov one deleted) + Coco 1 Nov = 4; Echo deleted
    ("Yan", 4),
    # every rep's, and the whole book: Yan's 4 + Delta's 1 = 5
    ("all", 5),
    (None, 5),
])
def test_follow_ups_of_a_rep_owning_most_of_the_book(ctx, book, rep, expected) -> None:
    report = module("activity").build(ctx, NOVEMBER, rep=rep)
    assert {f.key: f.value for f in report.figures}["follow_ups"] == expected
    heatmap = next(c for c in report.charts if isinstance(c, Heatmap))
    assert sum(n for _, n in heatmap.days) == expected  # the 12 months hold only November's
    # the rows by week: the one cut to 1 Nov (Coco) 1, Mon 2 Nov (3, 4, 6 Nov) 2 or 3 with Delta's 5 Nov
    weeks = {row.key: row.values[1] for row in report.tables[1].rows}
    assert weeks["2026-11-01"] == 1 and weeks["2026-11-02"] == expected - 1
