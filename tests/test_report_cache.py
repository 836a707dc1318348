"""Reports kept while the book does not change (services/reports/cache.py): the activity report asked again is
given back, and computed again after any write (the app's own, another process's, an undo, a merge), a new day,
another language, or the file replaced by another. Counts worked out by hand in each test."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime

from crmtui.core import i18n
from crmtui.core.periods import Period
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.merge import merge_customers
from crmtui.services.reports import module
from crmtui.services.undo import undo

from .conftest import ZONE

NOVEMBER = Period(datetime(2026, 11, 1, tzinfo=ZONE), datetime(2026, 12, 1, tzinfo=ZONE), "2026-11")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZONE)  # type: ignore[misc]


def follow_ups(report) -> int:
    return next(f.value for f in report.figures if f.key == "follow_ups")


def log(ctx, frozen, customer_id: str, when: datetime) -> str:
    frozen.move_to(when)
    return log_follow_up(ctx, customer_id, channel="phone", goal="talk", goal_met=True, notes="n",
                         next_plan="call", next_at=at(2026, 12, 20, 10)).id


def test_kept_while_nothing_changes_then_computed_again_after_each_write(ctx, frozen):
    frozen.move_to(at(2026, 11, 2, 9))
    acme, beta = add_customer(ctx, "Acme").id, add_customer(ctx, "Beta").id
    log(ctx, frozen, acme, at(2026, 11, 3, 10))
    frozen.move_to(at(2026, 11, 24, 10))
    activity = module("activity")
    first = activity.build(ctx, NOVEMBER)
    assert follow_ups(first) == 1  # Acme 3 Nov
    assert activity.build(ctx, NOVEMBER) is first  # nothing changed: given back
    assert activity.build(ctx, NOVEMBER, "Yan") is not first  # another rep: its own report

    log(ctx, frozen, beta, at(2026, 11, 24, 10))  # the app's own write
    second = activity.build(ctx, NOVEMBER)
    assert follow_ups(second) == 2  # Acme 3 Nov + Beta 24 Nov
    assert activity.build(ctx, NOVEMBER) is second

    undo(ctx)  # the 24 Nov follow-up is deleted again
    assert follow_ups(activity.build(ctx, NOVEMBER)) == 1

    log(ctx, frozen, beta, at(2026, 11, 24, 10))
    merge_customers(ctx, acme, beta)  # Beta's follow-up moves to Acme: still 2, but computed again
    merged = activity.build(ctx, NOVEMBER)
    assert merged is not second and follow_ups(merged) == 2

    # another process deletes a follow-up (sqlite3 on the file, as `crm` in another terminal would write)
    with sqlite3.connect(ctx.db.path) as other:
        other.execute("UPDATE follow_up SET deleted_at = '2026-11-24 02:00:00.000000' WHERE deleted_at IS NULL"
                      " AND at < '2026-11-10'")
    assert follow_ups(activity.build(ctx, NOVEMBER)) == 1  # only the 24 Nov one is left


def test_a_new_day_or_language_computes_it_again(ctx, frozen):
    frozen.move_to(at(2026, 11, 2, 9))
    log(ctx, frozen, add_customer(ctx, "Acme").id, at(2026, 11, 3, 10))
    frozen.move_to(at(2026, 11, 24, 10))
    activity = module("activity")
    first = activity.build(ctx, NOVEMBER)
    frozen.move_to(at(2026, 11, 24, 23, 59))
    assert activity.build(ctx, NOVEMBER) is first  # the same day
    frozen.move_to(at(2026, 11, 25, 0, 1))
    assert activity.build(ctx, NOVEMBER) is not first  # a new day: its weeks and heatmap end a day later
    i18n.set_language("zh")
    try:
        chinese = activity.build(ctx, NOVEMBER)
    finally:
        i18n.set_language("en")
    assert chinese.title != first.title
    assert activity.build(ctx, NOVEMBER).title == first.title


def test_a_file_replaced_by_another_is_a_change(ctx, frozen):
    frozen.move_to(at(2026, 11, 2, 9))
    acme = add_customer(ctx, "Acme").id
    log(ctx, frozen, acme, at(2026, 11, 3, 10))
    frozen.move_to(at(2026, 11, 24, 10))
    saved = ctx.db.path.with_name("saved.db")
    with sqlite3.connect(ctx.db.path) as source, sqlite3.connect(saved) as copy:
        source.backup(copy)  # the book with one follow-up
    log(ctx, frozen, acme, at(2026, 11, 24, 10))
    activity = module("activity")
    assert follow_ups(activity.build(ctx, NOVEMBER)) == 2  # 3 Nov + 24 Nov
    for suffix in ("-wal", "-shm"):
        ctx.db.path.with_name(ctx.db.path.name + suffix).unlink(missing_ok=True)
    shutil.move(saved, ctx.db.path)  # a backup put in its place
    assert follow_ups(activity.build(ctx, NOVEMBER)) == 1  # 3 Nov alone


def scored(report) -> dict[str, tuple[object, ...]]:
    """Customer id -> (days since, frequency) of the customer value report's rows."""
    return {row.key: (row.values[4], row.values[5]) for row in report.tables[0].rows}


def test_customer_value_counts_up_to_now_so_a_record_stamped_ahead_is_seen_when_now_passes_it(ctx, frozen):
    frozen.move_to(at(2026, 11, 2, 9))
    acme = add_customer(ctx, "Acme").id
    log(ctx, frozen, acme, at(2026, 11, 3, 10))
    # a follow-up stored at 10:00 on the 24th dated 11:00 that day (03:00 UTC), ahead of the clock, as a pull from
    # a laptop whose clock runs ahead would store it; nothing is written after it
    ahead = log(ctx, frozen, acme, at(2026, 11, 24, 10))
    with sqlite3.connect(ctx.db.path) as other:
        other.execute("UPDATE follow_up SET at = '2026-11-24 03:00:00.000000' WHERE id = ?", (ahead,))
    rfm = module("rfm")
    frozen.move_to(at(2026, 11, 24, 10, 30))
    first = rfm.build(ctx, NOVEMBER)  # November ends later: as of now, 10:30
    assert scored(first) == {acme: (21, 1)}  # its last contact 3 Nov: 21 days; one contact in the 12 months
    frozen.move_to(at(2026, 11, 24, 10, 45))
    assert rfm.build(ctx, NOVEMBER) is first  # nothing is stamped between 10:30 and 10:45: given back
    frozen.move_to(at(2026, 11, 24, 11, 30))
    later = rfm.build(ctx, NOVEMBER)  # the 11:00 follow-up is now in the past: counted
    assert scored(later) == {acme: (0, 2)}  # contacted today; two contacts


def test_the_funnel_and_the_team_are_kept_too(ctx, frozen):
    frozen.move_to(at(2026, 11, 2, 9))
    acme = add_customer(ctx, "Acme").id
    deal = add_deal(ctx, acme, "Linen", amount="1000")
    frozen.move_to(at(2026, 11, 24, 10))
    funnel, team = module("funnel"), module("team")
    first, crew = funnel.build(ctx, NOVEMBER), team.build(ctx, NOVEMBER)
    assert funnel.build(ctx, NOVEMBER) is first and team.build(ctx, NOVEMBER) is crew
    won = {f.key: f.value for f in first.figures}["won"]
    assert won == 0  # the deal was opened, not won
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today")
    again = funnel.build(ctx, NOVEMBER)
    assert {f.key: f.value for f in again.figures}["won"] == 1  # won on the 24th: one deal won
    assert team.build(ctx, NOVEMBER) is not crew
