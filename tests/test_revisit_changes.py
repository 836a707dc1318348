"""A planned revisit changed after the Won, at the service level: moved to another day, dropped with a reason kept
in the history (and brought back by undo), or marked done without a satisfaction score; a reference that could
mean two revisits is refused with both.

The clock is frozen at Tue 2026-11-24 10:00 Asia/Shanghai (conftest); every day below is worked out by hand.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crmtui.core.errors import Ambiguous, InvalidInput, MissingFields
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.history import history_of
from crmtui.services.revisits import (
    RevisitLine,
    drop_revisit,
    due_revisits,
    list_revisits,
    move_revisit,
    revisit_timeline,
)
from crmtui.services.revisit_done import complete_without_score
from crmtui.services.undo import undo
from crmtui.store.follow_ups import last_follow_up

from .conftest import ZONE

PLAN = [RevisitLine(3, "phone", "Confirm delivery"), RevisitLine(30, "visit", "Check how it is used"),
        RevisitLine(90, "meeting", "Review")]


def _won(ctx, name="Acme", plan=PLAN):  # type: ignore[no-untyped-def]
    customer = add_customer(ctx, name)
    deal = add_deal(ctx, customer.id, "Seats", amount="120000")
    move_stage(ctx, deal.id, "won", contract_no=f"HT-{name}", signed="today", revisits=plan)
    return customer


def _days(ctx, customer_id):  # type: ignore[no-untyped-def]
    return [(r.due_on, r.purpose, r.done) for r in revisit_timeline(ctx, customer_id).revisits]


def test_a_revisit_moves_to_the_day_given_by_its_day_or_its_words(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    # signed Tue 24 Nov: + 3 = Fri 27 Nov, + 30 = Thu 24 Dec, + 90 = Mon 22 Feb 2027
    moved = move_revisit(ctx, acme.id, "2026-11-27", "2026-12-02")
    assert moved.due_on == date(2026, 12, 2) and moved.purpose == "Confirm delivery"
    move_revisit(ctx, acme.id, "how it is used", "2027-01-04")
    assert history_of(ctx, customer_id=acme.id)[0].what == "Revisit moved (Check how it is used): 2026-12-24 → 2027-01-04"
    assert _days(ctx, acme.id) == [(date(2026, 12, 2), "Confirm delivery", False),
                                   (date(2027, 1, 4), "Check how it is used", False),
                                   (date(2027, 2, 22), "Review", False)]
    # a day typed as the rep types it: 12-02 is Wed 2 Dec, this year
    move_revisit(ctx, acme.id, "12-02", "2026-12-03")
    assert _days(ctx, acme.id)[0][0] == date(2026, 12, 3)


def test_a_move_to_a_past_day_or_no_day_is_refused_naming_the_option(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    with pytest.raises(InvalidInput) as past:
        move_revisit(ctx, acme.id, "Confirm", "2026-11-23")  # Monday, the day before the frozen Tuesday
    assert past.value.field == "revisit_to" and "today or a later day" in past.value.message()
    with pytest.raises(InvalidInput) as nonsense:
        move_revisit(ctx, acme.id, "Confirm", "someday")
    assert nonsense.value.field == "revisit_to"
    assert _days(ctx, acme.id)[0][0] == date(2026, 11, 27)


def test_a_reference_that_could_mean_two_revisits_is_refused_listing_both(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx, plan=[RevisitLine(3, "phone", "Call about delivery"), RevisitLine(30, "phone", "Call about use")])
    with pytest.raises(Ambiguous) as two:
        drop_revisit(ctx, acme.id, "call about", "not needed")
    labels = [match.label for match in two.value.matches]
    assert len(labels) == 2
    assert "Fri 27 Nov · Phone · Call about delivery" in labels[0] and "Call about use" in labels[1]
    # nothing dropped
    assert len(revisit_timeline(ctx, acme.id).revisits) == 2


def test_a_reference_to_no_open_revisit_names_the_open_ones(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    with pytest.raises(InvalidInput) as none:
        move_revisit(ctx, acme.id, "installation", "2026-12-10")
    assert none.value.field == "revisit_ref" and "2026-11-27 Confirm delivery" in none.value.message()


def test_a_dropped_revisit_leaves_today_keeps_its_reason_in_the_history_and_undo_brings_it_back(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    frozen.move_to(datetime(2026, 11, 30, 10, 0, tzinfo=ZONE))  # Mon 30 Nov: the Fri 27 Nov call is late
    assert [r.purpose for r in due_revisits(ctx)] == ["Confirm delivery"]
    dropped = drop_revisit(ctx, acme.id, "confirm", "they moved office, no one to call")
    assert dropped.purpose == "Confirm delivery"
    assert due_revisits(ctx) == []
    assert [purpose for _day, purpose, _done in _days(ctx, acme.id)] == ["Check how it is used", "Review"]
    newest = history_of(ctx, customer_id=acme.id)[0]
    assert newest.what == "Revisit dropped (Confirm delivery): they moved office, no one to call"
    assert [line.kind for line in newest.changes] == ["delete"]
    undo(ctx)
    assert [r.purpose for r in due_revisits(ctx)] == ["Confirm delivery"]


def test_a_drop_without_a_reason_is_kept_in_the_history_without_one(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    drop_revisit(ctx, acme.id, "confirm", "  ")  # blank: no reason given, as with none
    assert [purpose for _day, purpose, _done in _days(ctx, acme.id)] == ["Check how it is used", "Review"]
    assert history_of(ctx, customer_id=acme.id)[0].what == "Revisit dropped (Confirm delivery)"
    with pytest.raises(InvalidInput) as long:
        drop_revisit(ctx, acme.id, "review", "x" * 501)
    assert long.value.field == "reason"
    assert len(_days(ctx, acme.id)) == 2


def test_done_without_a_score_logs_a_follow_up_saying_so_and_keeps_the_next_one(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    log_follow_up(ctx, acme.id, channel="phone", goal="after the signing", goal_met=True, notes="signed",
                  next_plan="renewal talk", next_at="2027-01-05 10:00")
    frozen.move_to(datetime(2026, 11, 30, 10, 0, tzinfo=ZONE))
    done = complete_without_score(ctx, acme.id, "2026-11-27")
    assert done.purpose == "Confirm delivery"
    first = revisit_timeline(ctx, acme.id).revisits[0]
    assert first.done and first.satisfaction is None and first.nps is None
    assert due_revisits(ctx) == []
    with ctx.db.raw_read() as connection:
        logged = last_follow_up(connection, acme.id)
    assert logged is not None
    assert (logged.channel, logged.goal, logged.goal_met) == ("phone", "Confirm delivery", True)
    assert logged.notes == "Revisit done; no satisfaction score asked"
    # the last follow-up's next step is kept: Tue 5 Jan 2027 10:00 Shanghai is 02:00 UTC
    assert logged.next_plan == "renewal talk"
    assert logged.next_at is not None and ctx.clock.to_local(logged.next_at) == datetime(2027, 1, 5, 10, 0, tzinfo=ZONE)


def test_done_without_a_score_needs_a_next_step_when_none_is_ahead(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    with pytest.raises(MissingFields) as missing:
        complete_without_score(ctx, acme.id, "confirm")
    assert set(missing.value.fields) == {"next_plan", "next_at"}
    assert not revisit_timeline(ctx, acme.id).revisits[0].done
    complete_without_score(ctx, acme.id, "confirm", notes="called, all fine", next_plan="visit",
                           next_at="2026-12-24 09:00")
    assert revisit_timeline(ctx, acme.id).revisits[0].done


def test_a_done_revisit_can_no_longer_be_moved_or_dropped(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    complete_without_score(ctx, acme.id, "confirm", next_plan="visit", next_at="2026-12-24 09:00")
    with pytest.raises(InvalidInput):
        move_revisit(ctx, acme.id, "confirm", "2026-12-10")
    with pytest.raises(InvalidInput):
        drop_revisit(ctx, acme.id, "confirm", "no")


def test_the_list_is_a_customers_revisits_or_every_open_one(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    wonka = _won(ctx, "Wonka", plan=[RevisitLine(1, "phone", "Hello")])
    complete_without_score(ctx, acme.id, "confirm", next_plan="visit", next_at="2026-12-24 09:00")
    assert [(r.purpose, r.done) for r in list_revisits(ctx, acme.id)] == [
        ("Confirm delivery", True), ("Check how it is used", False), ("Review", False)]
    # every open one, earliest first: Wonka's Wed 25 Nov, then Acme's Thu 24 Dec and Mon 22 Feb
    assert [(r.customer_id, r.due_on) for r in list_revisits(ctx)] == [
        (wonka.id, date(2026, 11, 25)), (acme.id, date(2026, 12, 24)), (acme.id, date(2027, 2, 22))]
