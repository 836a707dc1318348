"""Service requests (工单): numbers, validation, the status flow and its history, and the deadlines of each priority
across evenings, weekends, time zones and summer time, on the frozen clock (Tue 2026-11-24 10:00 Shanghai)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlmodel import select

from crmtui.core.clock import Clock
from crmtui.core.config import SyncSettings, TicketSettings, settings_from_dict
from crmtui.core.errors import Ambiguous, InvalidInput, NotAllowed, NotFound
from crmtui.services.context import Context, open_context
from crmtui.services.customers import add_customer, delete_customer
from crmtui.services.tickets import (
    add_ticket,
    add_working_hours,
    close_ticket,
    deadline,
    deadline_text,
    find_ticket,
    list_tickets,
    next_number,
    number_for,
    parse_satisfaction,
    ticket_detail,
    update_ticket,
)

RULES = TicketSettings()
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# ---------------------------------------------------------------- working hours


def test_friday_five_pm_plus_four_working_hours_is_monday_noon() -> None:
    # Fri 2026-11-27 17:00 Shanghai: 1 hour to 18:00, the weekend does not count, then 09:00 + 3 h = Mon 12:00.
    start = datetime(2026, 11, 27, 17, 0, tzinfo=SHANGHAI)
    assert add_working_hours(start, 4, SHANGHAI, RULES) == datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
    # the same as a high ticket's response: 4 working hours
    assert deadline(start, "high", "response", SHANGHAI, RULES) == datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)


def test_an_evening_start_counts_from_the_next_morning_and_a_long_span_crosses_days() -> None:
    # Tue 20:00: nothing until Wed 09:00; 40 h (normal resolution) = 9 h a day: Wed, Thu, Fri, Mon (36 h) and
    # 4 h of Tue 1 Dec: 13:00.
    start = datetime(2026, 11, 24, 20, 0, tzinfo=SHANGHAI)
    assert deadline(start, "normal", "resolution", SHANGHAI, RULES) == datetime(2026, 12, 1, 13, 0, tzinfo=SHANGHAI)
    # exactly at the end of a day's hours: Wed 09:00 + 9 h = Wed 18:00, not Thu 09:00
    assert add_working_hours(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI), 9, SHANGHAI, RULES) == \
        datetime(2026, 11, 25, 18, 0, tzinfo=SHANGHAI)


def test_a_zone_half_an_hour_off_utc() -> None:
    # Kolkata is UTC+05:30. Tue 2026-11-24 02:00 UTC is 07:30 there: before the day's hours; 8 working hours
    # (normal response) from 09:00 is 17:00 Kolkata = 11:30 UTC.
    kolkata = ZoneInfo("Asia/Kolkata")
    assert deadline(utc(2026, 11, 24, 2, 0), "normal", "response", kolkata, RULES) == utc(2026, 11, 24, 11, 30)
    # Fri 17:00 Kolkata (11:30 UTC) + 4 h = Mon 12:00 Kolkata = 06:30 UTC
    assert add_working_hours(utc(2026, 11, 27, 11, 30), 4, kolkata, RULES) == utc(2026, 11, 30, 6, 30)


def test_summer_time_ending_over_the_weekend_keeps_the_wall_clock() -> None:
    # Berlin leaves summer time on Sun 2026-10-25 (UTC+2 -> UTC+1). Fri 23 Oct 17:00 CEST = 15:00 UTC; 1 h to
    # 18:00, then Mon 26 Oct 09:00 CET + 3 h = 12:00 CET = 11:00 UTC (an offset kept from Friday would say 10:00).
    berlin = ZoneInfo("Europe/Berlin")
    assert add_working_hours(utc(2026, 10, 23, 15, 0), 4, berlin, RULES) == utc(2026, 10, 26, 11, 0)


def test_urgent_counts_clock_hours_through_the_night_and_the_change_of_time() -> None:
    # Urgent is in clock_hours: Sat 24 Oct 22:00 CEST = 20:00 UTC, + 8 real hours = Sun 04:00 UTC = 05:00 CET
    # (the wall clock went back an hour at 03:00, so it shows 05:00, not 06:00).
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 24, 22, 0, tzinfo=berlin)
    assert deadline(start, "urgent", "resolution", berlin, RULES) == utc(2026, 10, 25, 4, 0)
    assert deadline(start, "urgent", "resolution", berlin, RULES).astimezone(berlin).hour == 5
    # with urgent counted in working hours instead: Mon 26 Oct 09:00 CET + 8 h = 17:00 CET = 16:00 UTC
    working = replace(RULES, clock_hours=())
    assert deadline(start, "urgent", "resolution", berlin, working) == utc(2026, 10, 26, 16, 0)


def test_configured_days_and_hours() -> None:
    settings = settings_from_dict({"tickets": {"work_days": [1, 2, 3, 4, 5, 6], "work_start": "08:00",
                                                "work_end": "12:00", "response_hours": {"high": 2}}})
    rules = settings.tickets
    assert rules.hours("response", "high") == 2 and rules.hours("response", "low") == 24  # the others kept
    # Fri 11:00 + 6 working hours: 1 h Fri, 4 h Sat (a working day now), 1 h Mon from 08:00 = Mon 09:00
    start = datetime(2026, 11, 27, 11, 0, tzinfo=SHANGHAI)
    assert add_working_hours(start, 6, SHANGHAI, rules) == datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("table", "named"), [
    ({"response_hours": {"urgent": 0}}, "tickets.response_hours"),
    ({"resolution_hours": {"critical": 4}}, "tickets.resolution_hours"),
    ({"work_days": [0, 8]}, "tickets.work_days"),
    ({"work_start": "18:00", "work_end": "09:00"}, "tickets.work_end"),
    ({"work_start": "nine"}, "tickets.work_start"),
    ({"clock_hours": ["asap"]}, "tickets.clock_hours"),
    ({"soon_hours": -1}, "tickets.soon_hours"),
    ({"sla": 1}, "config tickets"),
])
def test_a_wrong_tickets_setting_is_refused_naming_it(table: dict[str, object], named: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        settings_from_dict({"tickets": table})
    assert named in str(refused.value)


# ---------------------------------------------------------------- numbers


def test_a_number_is_the_ids_first_35_bits_in_crockford_base_32() -> None:
    # hex 084210842108 = 0000 1000 0100 0010 0001 0000 1000 0100 0010 0001 0000 1000: read 5 bits at a time,
    # 00001 00001 00001 ... = 1 1 1 ...: seven "1"
    one = "08421084-2108-4000-8000-000000000000"
    assert number_for(one, []) == "T-1111111"
    # taken on this laptop (any case): one character more, the eighth 5 bits (00001 again)
    assert number_for(one, ["t-1111111"]) == "T-11111111"
    # 48 bits all 1: 31 = "Z" each time; all 0: "0"
    assert number_for("ffffffff-ffff-4fff-bfff-ffffffffffff", []) == "T-ZZZZZZZ"
    assert number_for("00000000-0000-4000-8000-000000000000", []) == "T-0000000"
    # the older sequential form, kept for the demo book
    assert next_number(["T-0001", "T-0009", "X-12"], None) == "T-0010"


def _laptop(home: Path, name: str) -> Context:
    base = settings_from_dict({"timezone": "Asia/Shanghai", "language": "en"})
    team = replace(base, sync=SyncSettings(server="postgresql://localhost/crm", user="wang"))
    return open_context(home / "data" / f"{name}.db", settings=team, clock=Clock(SHANGHAI))


def test_numbers_never_meet_across_one_reps_two_laptops_or_after_tickets_left(home: Path) -> None:
    office, road = _laptop(home, "office"), _laptop(home, "road")
    try:
        # one rep, two laptops, both offline: each opens the first ticket of its book
        made = [add_ticket(laptop, add_customer(laptop, "Acme").id, "Pump leaks", kind="repair")
                for laptop in (office, road)]
        assert made[0].number != made[1].number
        # the customer leaves the office laptop (its rows are removed, as a reassignment does): the next
        # ticket there does not take the number that left
        with office.db.write(office.clock.utcnow()) as session:
            from crmtui.store.models import Ticket, TicketEvent

            for event in session.exec(select(TicketEvent)).all():
                session.delete(event)
            session.delete(session.get(Ticket, made[0].id))
        again = add_ticket(office, add_customer(office, "Beta").id, "Noise", kind="repair")
        assert again.number not in (made[0].number, made[1].number)
        assert re.fullmatch(r"T-[0-9A-HJKMNP-TV-Z]{7}", again.number)
    finally:
        office.close()
        road.close()


def test_a_number_is_found_by_its_first_characters_in_any_case(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    code = ticket.number[2:]
    assert find_ticket(ctx, ticket.number) == ticket.id
    assert find_ticket(ctx, code[:4].lower()) == ticket.id
    assert find_ticket(ctx, "t-" + code[:5].lower()) == ticket.id
    # an O typed for a 0, an l for a 1 (Crockford's reading)
    typed = code.replace("0", "O").replace("1", "l")
    assert find_ticket(ctx, typed) == ticket.id


# ---------------------------------------------------------------- opening


def test_a_ticket_opened_now_has_its_deadlines_and_first_step(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="维修", priority="高", due="2026-11-27")
    view, history = ticket_detail(ctx, ticket.id)
    assert (view.kind, view.priority, view.status) == ("repair", "high", "open")
    # Tue 10:00 + 4 working hours = 14:00; + 24 working hours: 8 h Tue, 9 h Wed, 7 h Thu = Thu 16:00 Shanghai
    assert view.respond_by == datetime(2026, 11, 24, 14, 0, tzinfo=SHANGHAI)
    assert view.resolve_by == datetime(2026, 11, 26, 16, 0, tzinfo=SHANGHAI)
    assert view.due_on == date(2026, 11, 27)
    assert [(e.from_status, e.to_status) for e in history] == [(None, "open")]
    assert not view.overdue and not view.response_late


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"kind": "fix"}, "ticket_kind", "repair, maintenance, complaint, consultation"),
    ({"kind": "repair", "priority": "asap"}, "priority", "low, normal, high, urgent"),
    ({"kind": None}, "ticket_kind", "repair, maintenance"),
    ({"kind": "repair", "due": "2026-11-20"}, "due", "a day from today on"),
    ({"kind": "repair", "due": "someday"}, "due", ""),
])
def test_bad_values_name_the_field_and_what_it_takes(ctx: Context, values: dict[str, object], field: str,
                                                     words: str) -> None:
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput) as refused:
        add_ticket(ctx, acme.id, "Pump leaks", **values)  # type: ignore[arg-type]
    assert refused.value.field == field and words in str(refused.value)
    assert list_tickets(ctx) == []


def test_an_empty_title_and_a_deleted_customer_are_refused(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput):
        add_ticket(ctx, acme.id, "  ", kind="repair")
    delete_customer(ctx, acme.id)
    with pytest.raises(NotFound):
        add_ticket(ctx, acme.id, "Pump leaks", kind="repair")


# ---------------------------------------------------------------- the status flow


def test_the_flow_keeps_every_step_and_the_moments(ctx: Context, frozen: time_machine.Coordinates) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    frozen.move_to(datetime(2026, 11, 24, 11, 0, tzinfo=SHANGHAI))
    update_ticket(ctx, ticket.id, status="in_progress")
    frozen.move_to(datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI))
    update_ticket(ctx, ticket.id, status="waiting", note="asked for the serial number")
    update_ticket(ctx, ticket.id, status="resolved")
    update_ticket(ctx, ticket.id, status="in_progress")  # reopened
    update_ticket(ctx, ticket.id, status="resolved")
    frozen.move_to(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))
    close_ticket(ctx, ticket.id, "replaced the seal", satisfaction="4")
    view, history = ticket_detail(ctx, ticket.id)
    assert [(e.from_status, e.to_status, e.note) for e in history] == [
        (None, "open", None), ("open", "in_progress", None), ("in_progress", "waiting", None),
        (None, None, "asked for the serial number"), ("waiting", "resolved", None), ("resolved", "in_progress", None),
        ("in_progress", "resolved", None), ("resolved", "closed", "replaced the seal")]
    assert view.responded_at == datetime(2026, 11, 24, 11, 0, tzinfo=SHANGHAI)  # the first move out of open
    assert view.resolved_at == datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)  # the last resolution
    assert view.closed_at == datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
    assert (view.status, view.resolution, view.satisfaction) == ("closed", "replaced the seal", 4)


def test_a_first_note_is_the_response(ctx: Context, frozen: time_machine.Coordinates) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Invoice question", kind="consultation")
    frozen.move_to(datetime(2026, 11, 24, 10, 30, tzinfo=SHANGHAI))
    update_ticket(ctx, ticket.id, note="called back")
    view, _history = ticket_detail(ctx, ticket.id)
    assert view.status == "open" and view.responded_at == datetime(2026, 11, 24, 10, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("path", "refused"), [
    ((), "open"),  # a ticket never goes back to open
    (("in_progress", "resolved", "closed"), ""),  # closing needs close_ticket
])
def test_moves_outside_the_flow_are_refused(ctx: Context, path: tuple[str, ...], refused: str) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    update_ticket(ctx, ticket.id, status="in_progress")
    with pytest.raises(InvalidInput) as error:
        for status in path or ("open",):
            update_ticket(ctx, ticket.id, status=status)
    assert error.value.field == "ticket_status"
    assert ("from In progress, one of Waiting for customer, Resolved" in str(error.value)) == (refused == "open")


def test_a_closed_ticket_is_final_and_close_needs_a_resolution(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    with pytest.raises(InvalidInput) as missing:
        close_ticket(ctx, ticket.id, "  ")
    assert missing.value.field == "resolution"
    with pytest.raises(InvalidInput) as score:
        close_ticket(ctx, ticket.id, "fixed", satisfaction=6)
    assert score.value.field == "satisfaction" and "1 to 5" in str(score.value)
    close_ticket(ctx, ticket.id, "answered on the phone")  # straight from open, no score
    view, _history = ticket_detail(ctx, ticket.id)
    assert view.satisfaction is None and view.resolved_at == view.closed_at
    with pytest.raises(NotAllowed):
        update_ticket(ctx, ticket.id, note="one more thing")
    with pytest.raises(NotAllowed):
        close_ticket(ctx, ticket.id, "again")


def test_a_new_priority_computes_the_deadlines_again_from_the_opening(ctx: Context,
                                                                      frozen: time_machine.Coordinates) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair", priority="low")
    frozen.move_to(datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI))
    update_ticket(ctx, ticket.id, priority="urgent")
    view, _history = ticket_detail(ctx, ticket.id)
    # urgent counts clock hours from the opening (Tue 10:00): respond by 12:00, resolve by 18:00 that Tuesday
    assert view.respond_by == datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)
    assert view.resolve_by == datetime(2026, 11, 24, 18, 0, tzinfo=SHANGHAI)
    assert view.overdue and view.response_late


# ---------------------------------------------------------------- overdue, soon, the list


def test_overdue_and_due_soon(ctx: Context, frozen: time_machine.Coordinates) -> None:
    acme = add_customer(ctx, "Acme")
    urgent = add_ticket(ctx, acme.id, "Line down", kind="repair", priority="urgent")  # resolve by Tue 18:00
    promised = add_ticket(ctx, acme.id, "Manual", kind="consultation", priority="low", due="today")
    later = add_ticket(ctx, acme.id, "Yearly check", kind="maintenance", priority="low")
    done = add_ticket(ctx, acme.id, "Noise", kind="complaint", priority="urgent")
    update_ticket(ctx, done.id, status="resolved")
    # Tue 14:00: urgent's 18:00 is 4 h away (soon_hours 4: soon); the promised day ends at midnight: 10 h
    frozen.move_to(datetime(2026, 11, 24, 14, 0, tzinfo=SHANGHAI))
    views = {v.number: v for v in list_tickets(ctx)}
    assert (views[urgent.number].due_soon, views[urgent.number].overdue) == (True, False)
    assert (views[promised.number].due_soon, views[promised.number].overdue) == (False, False)
    # Wed 00:00: the promised day has passed; urgent's deadline too; the resolved one is never overdue
    frozen.move_to(datetime(2026, 11, 25, 0, 0, tzinfo=SHANGHAI))
    ordered = list_tickets(ctx)
    assert [v.number for v in ordered] == [urgent.number, promised.number, later.number, done.number]
    assert [v.overdue for v in ordered] == [True, True, False, False]
    assert [v.number for v in list_tickets(ctx, overdue_only=True)] == [urgent.number, promised.number]


def test_the_list_filters_by_status_and_customer_and_leaves_out_deleted_customers(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    beta = add_customer(ctx, "Beta")
    a = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    b = add_ticket(ctx, beta.id, "Invoice", kind="consultation")
    close_ticket(ctx, b.id, "sent again")
    assert [v.number for v in list_tickets(ctx)] == [a.number]  # closed ones are not listed by default
    assert [v.number for v in list_tickets(ctx, ("closed",))] == [b.number]
    assert [v.number for v in list_tickets(ctx, None, customer_id=beta.id)] == [b.number]
    delete_customer(ctx, acme.id)
    assert list_tickets(ctx) == []


def test_a_reference_finds_one_ticket_or_says_why_not(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    assert find_ticket(ctx, ticket.number) == ticket.id
    for wrong in ("T-0002", "T-000_", "T-%", ticket.number + "X"):  # "_" and "%" are no wildcards
        with pytest.raises(NotFound):
            find_ticket(ctx, wrong)
    now = ctx.clock.utcnow()  # the frozen clock
    with ctx.db.write(now) as session:  # numbers of the older form: two reps' tickets with one number
        from crmtui.store.models import Ticket

        for login in ("li", "wang"):
            session.add(Ticket(customer_id=acme.id, number=f"T-0005-{login}", title="x", kind="repair",
                               priority="low", status="open", opened_at=now, respond_by=now, resolve_by=now,
                               created_at=now, updated_at=now))
    with pytest.raises(Ambiguous) as both:
        find_ticket(ctx, "T-0005")
    assert len(both.value.matches) == 2
    assert find_ticket(ctx, "t-5-li") != find_ticket(ctx, "T-0005-wang")


def test_working_hours_settings_default_to_the_documented_ones() -> None:
    assert [RULES.hours("response", p) for p in ("urgent", "high", "normal", "low")] == [2, 4, 8, 24]
    assert [RULES.hours("resolution", p) for p in ("urgent", "high", "normal", "low")] == [8, 24, 40, 80]
    assert (RULES.work_days, RULES.work_start, RULES.work_end) == ((1, 2, 3, 4, 5), time(9), time(18))
    assert RULES.clock_hours == ("urgent",)


@pytest.mark.parametrize(("given", "kept"), [("1", 1), ("5", 5), (3, 3), ("", None), (None, None)])
def test_satisfaction_takes_1_to_5(given: object, kept: int | None) -> None:
    assert parse_satisfaction(given) == kept  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["0", 0, "6", 6, "-1", "4.5", "good"])
def test_satisfaction_outside_1_to_5_is_refused(given: str | int) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_satisfaction(given)
    assert refused.value.field == "satisfaction"


def test_not_answered_in_time_starts_at_respond_by(ctx: Context, frozen: time_machine.Coordinates) -> None:
    acme = add_customer(ctx, "Acme")
    add_ticket(ctx, acme.id, "Pump leaks", kind="repair")  # normal: Tue 10:00 + 8 working hours = Tue 18:00
    frozen.move_to(datetime(2026, 11, 24, 17, 59, tzinfo=SHANGHAI))
    assert not list_tickets(ctx)[0].response_late
    frozen.move_to(datetime(2026, 11, 24, 18, 0, tzinfo=SHANGHAI))
    assert list_tickets(ctx)[0].response_late


def test_a_promised_day_ending_with_resolve_by_is_not_the_deadline_shown(ctx: Context,
                                                                         frozen: time_machine.Coordinates) -> None:
    # urgent opened Tue 16:00: resolve by 16:00 + 8 clock hours = Wed 00:00, the end of the promised Tuesday too
    frozen.move_to(datetime(2026, 11, 24, 16, 0, tzinfo=SHANGHAI))
    acme = add_customer(ctx, "Acme")
    add_ticket(ctx, acme.id, "Line down", kind="repair", priority="urgent", due="today")
    add_ticket(ctx, acme.id, "Manual", kind="consultation", priority="low", due="today")  # low: resolve by next week
    # both end at Wed 00:00: the list orders them by number, which is random, so each is taken by its title
    views = {view.title: view for view in list_tickets(ctx)}
    urgent, low = views["Line down"], views["Manual"]
    assert urgent.deadline == datetime(2026, 11, 25, 0, 0, tzinfo=SHANGHAI) and not urgent.promised
    assert deadline_text(urgent, SHANGHAI, "en") == "Wed 25 Nov 00:00"
    assert low.promised and deadline_text(low, SHANGHAI, "en") == "Tue 24 Nov"
    assert deadline_text(low, SHANGHAI, "zh", long=False) == "11月24日"


@pytest.mark.parametrize("given", [{"status": "in_progress", "note": "  "}, {"status": "", "note": "called"},
                                   {"priority": "", "note": "called"}])
def test_an_empty_value_given_is_refused_not_ignored(ctx: Context, given: dict[str, str]) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    with pytest.raises(InvalidInput):
        update_ticket(ctx, ticket.id, **given)
    view, history = ticket_detail(ctx, ticket.id)
    assert (view.status, len(history), view.responded_at) == ("open", 1, None)  # nothing was written


def test_a_change_of_priority_or_promised_day_is_kept_in_the_history(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")  # normal, opened Tue 24 Nov 10:00 Shanghai
    update_ticket(ctx, ticket.id, priority="high")
    update_ticket(ctx, ticket.id, priority="high")  # the same priority: nothing to keep
    update_ticket(ctx, ticket.id, due="2026-11-27")
    update_ticket(ctx, ticket.id, due="")  # the promise taken back
    view, history = ticket_detail(ctx, ticket.id)
    # high from Tue 10:00: respond 4 working hours = 14:00; resolve 24 = 8 Tue + 9 Wed + 7 Thu = Thu 16:00
    assert [e.note for e in history[1:]] == [
        "priority Normal → High; respond by Tue 24 Nov 14:00, resolve by Thu 26 Nov 16:00",
        "promised day none → Fri 27 Nov",
        "promised day Fri 27 Nov → none"]
    assert (view.priority, view.due_on, view.responded_at) == ("high", None, None)  # a change is no answer
    assert view.resolve_by == datetime(2026, 11, 26, 16, 0, tzinfo=SHANGHAI)
    with pytest.raises(InvalidInput) as refused:
        update_ticket(ctx, ticket.id, due="2026-11-20")
    assert refused.value.field == "due" and len(ticket_detail(ctx, ticket.id)[1]) == 4


def test_sla_hours_are_bounded_naming_the_setting_and_the_bound_is_computed() -> None:
    with pytest.raises(InvalidInput) as refused:
        settings_from_dict({"tickets": {"resolution_hours": {"low": 200000}}})
    assert "tickets.resolution_hours" in str(refused.value) and "from 1 to 1000" in str(refused.value)
    with pytest.raises(InvalidInput):
        settings_from_dict({"tickets": {"response_hours": {"high": 1001}}})
    rules = settings_from_dict({"tickets": {"resolution_hours": {"low": 1000}}}).tickets
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    # 1000 h at 45 h a week: 22 weeks (990 h) to Mon 26 Apr 2027 09:00, 9 h that Monday, 1 h on Tue 27 Apr: 10:00
    assert deadline(monday, "low", "resolution", SHANGHAI, rules) == datetime(2027, 4, 27, 10, 0, tzinfo=SHANGHAI)
    # one working hour a week (Monday 09:00-10:00): the 1000th hour is the Monday 999 weeks on, ending at 10:00
    # (more than the eight years the count used to stop at, with a message blaming work_days)
    hourly = replace(RULES, work_days=(1,), work_start=time(9), work_end=time(10))
    assert add_working_hours(monday, 1000, SHANGHAI, hourly) == \
        datetime.combine(date(2026, 11, 23) + timedelta(weeks=999), time(10), SHANGHAI)


def test_waiting_for_the_customer_does_not_pause_the_deadlines(ctx: Context,
                                                                 frozen: time_machine.Coordinates) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair", priority="high")
    update_ticket(ctx, ticket.id, status="waiting")
    # high from Tue 10:00: resolve by Thu 16:00 (8 Tue + 9 Wed + 7 Thu); at Thu 16:00 it is overdue, waiting or not
    frozen.move_to(datetime(2026, 11, 26, 16, 0, tzinfo=SHANGHAI))
    (view,) = list_tickets(ctx)
    assert view.status == "waiting" and view.overdue
