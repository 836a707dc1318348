"""What `crm remind` and the app's due-now notice tell: each kind at its moment, each thing once across runs, the
first run's look-back, quiet hours, a rep's view in a team. The clock is the suite's: Tue 2026-11-24 10:00 in
Asia/Shanghai (02:00 UTC); the reminders' hour of the day is 09:00 unless a test says otherwise."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from crmtui.core.clock import Clock
from crmtui.core.config import ReminderSettings, Settings, SyncSettings, settings_from_dict
from crmtui.core.errors import InvalidInput
from crmtui.services import reminders
from crmtui.services.context import open_context
from crmtui.services.customers import add_contact, add_customer, edit_customer
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up
from crmtui.store.models import Contract, Payment, Revisit, Ticket
from crmtui.store.raw import to_db

from .conftest import NOW, ZONE


def _at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


def _due_at(ctx, name: str, moment: datetime, **customer: object) -> str:
    """A customer whose next follow-up is at `moment` (a real follow-up logged, its next date then set)."""
    customer_id = add_customer(ctx, name, **customer).id
    log_follow_up(ctx, customer_id, channel="phone", goal="talk", goal_met=True, notes="ok", next_plan="call back",
                  next_at=ctx.clock.now() + timedelta(days=3))
    with sqlite3.connect(ctx.db.path) as raw:
        raw.execute("UPDATE customer SET next_follow_up_at = ? WHERE id = ?", (to_db(moment), customer_id))
    return customer_id


def _told(ctx, **options) -> list[tuple[str, str, datetime]]:
    found = reminders.due(ctx, **options)
    return [(item.kind, item.customer_name, item.at) for item in found.items]


def _run(ctx) -> list[str]:
    """One run of `crm remind`, as the command does it: what came due, then recorded as told."""
    found = reminders.due(ctx)
    if found.items and found.held_until is None:
        reminders.mark_told(ctx, found)
    return [item.customer_name for item in found.items]


# ------------------------------------------------------------------ follow-ups, once across runs


def test_the_first_run_looks_back_24_hours_and_no_further(ctx):
    # window (Mon 10:00, Tue 10:00]: 25 h ago is out, 23 h ago in, 10:00 exactly in, a minute later not yet
    _due_at(ctx, "Too old", NOW - timedelta(hours=25))
    _due_at(ctx, "Yesterday", NOW - timedelta(hours=23))
    _due_at(ctx, "Right now", NOW)
    _due_at(ctx, "Not yet", NOW + timedelta(minutes=1))
    found = reminders.due(ctx)
    assert found.first_run
    assert found.since == NOW - timedelta(hours=24)
    assert [(i.customer_name, i.at) for i in found.items] == [("Yesterday", _at(23, 11)), ("Right now", _at(24, 10))]
    assert found.items[0].detail == "call back"


def test_each_follow_up_is_told_once_across_runs(ctx, frozen):
    _due_at(ctx, "First", NOW - timedelta(minutes=10))
    _due_at(ctx, "At the watermark", NOW)
    _due_at(ctx, "Second", NOW + timedelta(minutes=3))
    _due_at(ctx, "Third", NOW + timedelta(minutes=5))
    assert _run(ctx) == ["First", "At the watermark"]
    assert _run(ctx) == []  # nothing new at the same moment
    frozen.move_to(NOW + timedelta(minutes=4))  # (10:00, 10:04]: only Second; the watermark's own is not again
    assert _run(ctx) == ["Second"]
    frozen.move_to(NOW + timedelta(minutes=9))
    assert _run(ctx) == ["Third"]
    assert _run(ctx) == []


def test_a_run_that_is_not_recorded_is_told_again_by_the_next(ctx, frozen):
    """The side a crash errs on: told but not recorded means told twice, never lost."""
    _due_at(ctx, "Acme", NOW - timedelta(minutes=10))
    first = reminders.due(ctx)
    assert [i.customer_name for i in first.items] == ["Acme"]
    # ...killed here, after telling and before mark_told
    frozen.move_to(NOW + timedelta(minutes=5))
    assert _run(ctx) == ["Acme"]
    assert _run(ctx) == []


def test_the_watermark_never_goes_back(ctx):
    _due_at(ctx, "Acme", NOW - timedelta(minutes=10))
    later = reminders.due(ctx)
    earlier = replace(later, until=NOW - timedelta(minutes=30))
    reminders.mark_told(ctx, later)
    reminders.mark_told(ctx, earlier)  # an overlapping run that started earlier ends after this one
    with ctx.db.raw_read() as connection:
        value = connection.execute("SELECT value FROM meta WHERE key = 'remind_told_until'").fetchone()[0]
    assert value == "2026-11-24 02:00:00.000000"  # 10:00 in Shanghai is 02:00 UTC


def test_after_a_long_absence_a_run_looks_back_seven_days(ctx, frozen):
    _due_at(ctx, "Acme", NOW - timedelta(minutes=1))
    reminders.mark_told(ctx, reminders.due(ctx))
    frozen.move_to(NOW + timedelta(days=10))
    _due_at(ctx, "Eight days ago", NOW + timedelta(days=2))  # 10 - 2 = 8 days before the run: beyond 7
    _due_at(ctx, "Six days ago", NOW + timedelta(days=4))
    found = reminders.due(ctx)
    assert found.since == NOW + timedelta(days=3)  # 10 days on, minus 7
    assert [i.customer_name for i in found.items] == ["Six days ago"]


def test_dormant_and_do_not_contact_customers_are_not_reminded(ctx):
    _due_at(ctx, "Sleeping", NOW - timedelta(hours=1))
    edit_customer(ctx, _due_at(ctx, "Dormant", NOW - timedelta(hours=1)), {"status": "dormant"})
    with sqlite3.connect(ctx.db.path) as raw:
        raw.execute("UPDATE customer SET do_not_contact = 1 WHERE name = 'Sleeping'")
    _due_at(ctx, "Awake", NOW - timedelta(hours=1))
    assert [name for _kind, name, _at in _told(ctx)] == ["Awake"]


# ------------------------------------------------------------------ the other kinds


def _won(ctx, name: str) -> tuple[str, str]:
    customer = add_customer(ctx, name, status="customer")
    return customer.id, add_deal(ctx, customer.id, "Cold room", amount="12000").id


def _rows(ctx, *records) -> None:
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        for record in records:
            record.created_at = record.updated_at = now
            session.add(record)
            session.flush()


def test_day_reminders_come_due_at_the_configured_hour_of_their_day(ctx, frozen):
    acme, deal = _won(ctx, "Acme")
    contract_id = "contract-1"
    _rows(ctx,
          Contract(id=contract_id, deal_id=deal, customer_id=acme, number="HT-1", amount_cents=1_200_000,
                   signed_on=date(2026, 11, 1), end_on=date(2026, 12, 24)),  # 24 Nov + 30 renewal days
          Contract(deal_id=deal, customer_id=acme, number="HT-2", amount_cents=100, signed_on=date(2026, 11, 1),
                   end_on=date(2026, 12, 25)),  # enters its window tomorrow
          Payment(contract_id=contract_id, amount_cents=400_000, due_on=date(2026, 11, 24)),
          Payment(contract_id=contract_id, amount_cents=400_000, due_on=date(2026, 11, 24), paid_on=date(2026, 11, 20)),
          Payment(contract_id=contract_id, amount_cents=400_000, due_on=date(2026, 11, 23)),  # came due Mon 10:30
          Payment(contract_id=contract_id, amount_cents=400_000, due_on=date(2026, 11, 22)),  # Sun 10:30: too old
          Revisit(customer_id=acme, deal_id=deal, due_on=date(2026, 11, 24), purpose="3-day call"),
          Revisit(customer_id=acme, deal_id=deal, due_on=date(2026, 11, 24), purpose="done already",
                  follow_up_id="f-1", done_at=NOW),
          Revisit(customer_id=acme, deal_id=deal, due_on=date(2026, 11, 25), purpose="tomorrow"))
    add_contact(ctx, acme, "Lily", birthday="1990-11-24")
    add_contact(ctx, acme, "Tom", birthday="1990-11-25")
    ctx.settings = replace(ctx.settings, reminders=ReminderSettings(at=time(10, 30)))
    # the first run's window (Mon 10:00, Tue 10:00] holds Mon 10:30 and not yet Tue 10:30
    assert _run(ctx) == ["Acme"]
    assert reminders.due(ctx).items == []
    frozen.move_to(_at(24, 10, 30))
    half_past = _at(24, 10, 30)
    told = reminders.due(ctx)
    assert [(i.kind, i.at) for i in told.items] == [
        ("revisit", half_past), ("payment", half_past), ("renewal", half_past), ("birthday", half_past)]
    texts = [reminders.reminder_text(ctx, item) for item in told.items]
    assert texts == ["Revisit due: Acme · 3-day call", "Instalment due today: Acme · HT-1 · 4,000",
                     "Contract HT-1 of Acme ends in 30 days: time to renew", "Birthday today: Lily (Acme)"]


def test_tickets_come_due_at_their_deadlines_unless_answered_or_resolved(ctx):
    acme, _deal = _won(ctx, "Acme")
    hour = timedelta(hours=1)

    def ticket(number: str, status: str = "open", respond: timedelta = 5 * hour, resolve: timedelta = 9 * hour,
               **extra: object) -> Ticket:
        return Ticket(customer_id=acme, number=number, title=f"title {number}", kind="repair", priority="high",
                      status=status, opened_at=NOW - 10 * hour, respond_by=NOW + respond, resolve_by=NOW + resolve,
                      **extra)

    _rows(ctx,
          ticket("T-1", respond=-hour),  # no answer an hour ago: due
          ticket("T-2", respond=-hour, responded_at=NOW - 2 * hour),  # answered in time
          ticket("T-3", status="resolved", respond=-2 * hour, resolve=-hour, responded_at=NOW - 3 * hour,
                 resolved_at=NOW - 2 * hour),
          ticket("T-4", status="in_progress", respond=-5 * hour, resolve=-timedelta(minutes=30),
                 responded_at=NOW - 6 * hour),  # past its deadline to resolve half an hour ago
          ticket("T-5", respond=hour),  # an hour to go
          ticket("T-6", respond=-25 * hour, resolve=-25 * hour))  # before the first run's 24 hours
    told = reminders.due(ctx)
    assert [(i.kind, i.number, i.at) for i in told.items] == [
        ("ticket_response", "T-1", _at(24, 9)), ("ticket_resolution", "T-4", _at(24, 9, 30))]
    assert [reminders.reminder_text(ctx, i) for i in told.items] == [
        "Ticket T-1 waits for an answer: Acme · title T-1",
        "Ticket T-4 is past its deadline to resolve: Acme · title T-4"]


def test_a_ticket_deadline_right_now_is_told_now_and_not_by_the_next_run(ctx, frozen):
    acme, _deal = _won(ctx, "Acme")
    _rows(ctx, Ticket(customer_id=acme, number="T-7", title="noise", kind="repair", priority="urgent", status="open",
                      opened_at=NOW - timedelta(hours=2), respond_by=NOW, resolve_by=NOW + timedelta(hours=6)))
    assert _run(ctx) == ["Acme"]  # (Mon 10:00, Tue 10:00] holds 10:00 itself
    frozen.move_to(NOW + timedelta(minutes=5))  # (10:00, 10:05]: not again
    assert _told(ctx) == []


def test_each_follow_up_reminder_carries_its_own_customers_latest_plan(ctx, frozen):
    _due_at(ctx, "Acme", NOW - timedelta(minutes=20))
    beta = _due_at(ctx, "Beta", NOW - timedelta(minutes=10))
    frozen.move_to(NOW + timedelta(seconds=1))  # Beta's follow-up is the latest of the book
    log_follow_up(ctx, beta, channel="phone", goal="talk", goal_met=True, notes="ok", next_plan="send the quote",
                  next_at=NOW + timedelta(days=3))
    with sqlite3.connect(ctx.db.path) as raw:
        raw.execute("UPDATE customer SET next_follow_up_at = ? WHERE id = ?", (to_db(NOW - timedelta(minutes=10)), beta))
    assert [(i.customer_name, i.detail) for i in reminders.due(ctx).items] == [("Acme", "call back"),
                                                                             ("Beta", "send the quote")]


def test_a_29_february_birthday_is_told_on_the_28th_in_other_years_only(ctx, frozen):
    acme = add_customer(ctx, "Acme").id
    add_contact(ctx, acme, "Leap", birthday="1992-02-29")
    assert _told(ctx) == []  # 24 November: not a day for it
    frozen.move_to(datetime(2027, 2, 28, 9, 5, tzinfo=ZONE))  # 2027 is not a leap year
    assert _told(ctx) == [("birthday", "Acme", datetime(2027, 2, 28, 9, 0, tzinfo=ZONE))]
    frozen.move_to(datetime(2028, 2, 28, 9, 5, tzinfo=ZONE))  # 2028 is: the 28th is not its day...
    assert _told(ctx) == []
    frozen.move_to(datetime(2028, 2, 29, 9, 5, tzinfo=ZONE))  # ...the 29th is
    assert _told(ctx) == [("birthday", "Acme", datetime(2028, 2, 29, 9, 0, tzinfo=ZONE))]


def test_a_day_reminder_at_the_moment_of_the_last_run_is_not_told_again(ctx, frozen):
    acme, deal = _won(ctx, "Acme")
    _rows(ctx, Revisit(customer_id=acme, deal_id=deal, due_on=date(2026, 11, 25), purpose="call"))
    frozen.move_to(_at(25, 9))  # the run at 09:00 sharp tells the revisit of 09:00
    assert _run(ctx) == ["Acme"]
    frozen.move_to(_at(25, 9, 30))  # (09:00, 09:30]: not again
    assert _told(ctx) == []


# ------------------------------------------------------------------ quiet hours


@pytest.mark.parametrize(("clock", "held"), [
    (time(21, 59), None), (time(22, 0), _at(25, 8)), (time(23, 30), _at(25, 8)), (time(7, 59), _at(24, 8)),
    (time(8, 0), None)])
def test_quiet_hours_span_midnight_and_end_at_their_end(ctx, clock, held):
    moment = datetime.combine(date(2026, 11, 24), clock, ZONE)
    assert reminders.quiet_until(ctx, moment) == held


def test_quiet_hours_inside_one_day_and_none(ctx):
    ctx.settings = replace(ctx.settings, reminders=ReminderSettings(quiet_start=time(12), quiet_end=time(14)))
    assert reminders.quiet_until(ctx, _at(24, 11, 59)) is None
    assert reminders.quiet_until(ctx, _at(24, 12)) == _at(24, 14)
    assert reminders.quiet_until(ctx, _at(24, 13, 59)) == _at(24, 14)
    assert reminders.quiet_until(ctx, _at(24, 14)) is None
    ctx.settings = replace(ctx.settings, reminders=ReminderSettings(quiet_start=time(12), quiet_end=time(12)))
    assert reminders.quiet_until(ctx, _at(24, 12)) is None  # equal ends: no quiet hours
    ctx.settings = replace(ctx.settings, reminders=ReminderSettings(quiet_start=None, quiet_end=None))
    assert reminders.quiet_until(ctx, _at(24, 23)) is None


def test_a_reminder_in_quiet_hours_waits_for_their_end_and_is_not_lost(ctx, frozen):
    _run(ctx)  # the watermark at Tue 10:00
    _due_at(ctx, "Late", _at(24, 22, 30))
    frozen.move_to(_at(24, 23))
    found = reminders.due(ctx)
    assert ([i.customer_name for i in found.items], found.held_until) == (["Late"], _at(25, 8))
    assert _run(ctx) == ["Late"]  # _run records nothing while held: the same one is still there
    frozen.move_to(_at(25, 7, 59))
    assert reminders.due(ctx).held_until == _at(25, 8)
    frozen.move_to(_at(25, 8, 5))
    assert _run(ctx) == ["Late"]
    assert _run(ctx) == []


def test_the_reminder_settings_are_checked_by_name():
    assert settings_from_dict({"reminders": {"at": "08:15", "quiet_start": "", "quiet_end": ""}}).reminders == \
        ReminderSettings(at=time(8, 15), quiet_start=None, quiet_end=None)
    with pytest.raises(InvalidInput) as wrong:
        settings_from_dict({"reminders": {"quiet_start": "late"}})
    assert wrong.value.message().startswith("config reminders.quiet_start: ")
    with pytest.raises(InvalidInput) as half:
        settings_from_dict({"reminders": {"quiet_start": "", "quiet_end": "07:00"}})
    assert half.value.message().startswith("config reminders.quiet_end: ")
    with pytest.raises(InvalidInput) as unknown:
        settings_from_dict({"reminders": {"every": 5}})
    assert "config reminders" in unknown.value.message()


# ------------------------------------------------------------------ a team: each view its own


def test_a_rep_is_told_of_their_own_customers_and_a_managers_view_of_a_rep_has_its_own_watermark(home):
    settings = Settings(timezone="Asia/Shanghai", language="en",
                        sync=SyncSettings(server="postgresql://team.example/crm", user="ann"))
    ctx = open_context(home / "data" / "team.db", settings=settings, clock=Clock(ZONE))
    try:
        for name, owner in (("Ann's", "ann"), ("Bob's", "bob")):
            customer_id = _due_at(ctx, name, NOW - timedelta(minutes=5))
            with sqlite3.connect(ctx.db.path) as raw:
                raw.execute("UPDATE customer SET owner = ? WHERE id = ?", (owner, customer_id))
        with sqlite3.connect(ctx.db.path) as raw:
            raw.execute("INSERT INTO meta (key, value) VALUES ('sync_rep', 'ann')")
        mine = reminders.due(ctx)
        assert [i.customer_name for i in mine.items] == ["Ann's"]
        reminders.mark_told(ctx, mine)
        assert reminders.due(ctx).items == []
        assert [i.customer_name for i in reminders.due(ctx, "bob").items] == ["Bob's"]
        assert [i.customer_name for i in reminders.due(ctx, reminders.ALL_REPS).items] == ["Ann's", "Bob's"]
    finally:
        ctx.close()


# ------------------------------------------------------------------ the app's notice


async def test_what_the_app_announced_is_not_told_again_by_crm_remind(ctx, frozen):
    from crmtui.tui.app import build_app

    _due_at(ctx, "Before the app", NOW - timedelta(minutes=30))
    _due_at(ctx, "While open", NOW + timedelta(minutes=10))
    app = build_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        frozen.move_to(NOW + timedelta(minutes=11))
        app._check_due()
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert "Follow-up due now: While open → call back" in messages
        assert not any("Before the app" in message for message in messages)  # on Today when it opened
    # crm remind then: what the app announced is told; what came due before the app opened counts as seen there
    assert _run(ctx) == []


# ------------------------------------------------------------------ a ticket's promised day, days off, long titles


def test_a_ticket_is_told_once_when_the_day_promised_ends_unresolved(ctx, frozen):
    acme, _deal = _won(ctx, "Acme")

    def ticket(number: str, due_on: date, **extra: object) -> Ticket:
        # answered, its resolution a week away: only the promised day can make it late
        return Ticket(customer_id=acme, number=number, title=f"title {number}", kind="repair", priority="normal",
                      status=extra.pop("status", "in_progress"), opened_at=NOW - timedelta(days=2),
                      respond_by=NOW - timedelta(days=1), responded_at=NOW - timedelta(days=1, hours=1),
                      resolve_by=NOW + timedelta(days=7), due_on=due_on, **extra)

    _rows(ctx,
          ticket("T-1", date(2026, 11, 23)),  # Mon 23 ended at Tue 00:00, inside (Mon 10:00, Tue 10:00]
          ticket("T-2", date(2026, 11, 23), status="resolved", resolved_at=NOW - timedelta(hours=12)),
          ticket("T-3", date(2026, 11, 24)))  # today: ends at Wed 00:00
    midnight = _at(24, 0)
    assert [(i.kind, i.number, i.at) for i in reminders.due(ctx).items] == [("ticket_promised", "T-1", midnight)]
    assert _run(ctx) == ["Acme"]
    frozen.move_to(_at(25, 0, 5))  # (Tue 10:00, Wed 00:05]: T-3's day ended at Wed 00:00; T-1 not again
    told = reminders.due(ctx)
    assert [(i.number, i.at) for i in told.items] == [("T-3", _at(25, 0))]
    assert reminders.reminder_text(ctx, told.items[0]) == (
        "Ticket T-3 is past the day promised to the customer: Acme · title T-3")


def test_after_days_off_a_birthday_and_an_instalment_of_a_past_day_name_their_day(ctx, frozen):
    acme, deal = _won(ctx, "Acme")
    _rows(ctx, Contract(id="k-1", deal_id=deal, customer_id=acme, number="HT-1", amount_cents=100_000,
                        signed_on=date(2026, 11, 1)),
          Payment(contract_id="k-1", amount_cents=50_000, due_on=date(2026, 12, 4)))
    add_contact(ctx, acme, "Lily", birthday="1990-12-03")
    add_contact(ctx, acme, "Tom", birthday="1990-12-08")
    reminders.mark_told(ctx, reminders.due(ctx))
    frozen.move_to(_at(8, 10, month=12))  # Tue 8 Dec: back after days off; 09:00 of 3, 4 and 8 Dec are in the window
    texts = [reminders.reminder_text(ctx, item) for item in reminders.due(ctx).items]
    # Tue 24 Nov is a Tuesday: 3 Dec is a Thursday, 4 Dec a Friday
    assert texts == ["Birthday on Thu 3 Dec: Lily (Acme)", "Instalment due on Fri 4 Dec: Acme · HT-1 · 500",
                     "Birthday today: Tom (Acme)"]


def test_a_long_title_is_cut_to_a_line():
    assert reminders.shorten("short") == "short"
    assert reminders.shorten("x" * 60) == "x" * 60  # exactly 60 columns fits
    assert reminders.shorten("x" * 200) == "x" * 59 + "…"  # 59 + the "…" = 60 columns
    # a Chinese character takes two columns: 29 of them (58) and the "…" fit, a 30th (60 + 1) does not
    assert reminders.shorten("中" * 100) == "中" * 29 + "…"
    assert reminders.shorten("line one\nline two") == "line one line two"


def test_a_reminder_of_a_long_ticket_title_stays_on_a_line(ctx):
    acme, _deal = _won(ctx, "Acme")
    _rows(ctx, Ticket(customer_id=acme, number="T-9", title="pump " * 40, kind="repair", priority="high",
                      status="open", opened_at=NOW - timedelta(hours=3), respond_by=NOW - timedelta(hours=1),
                      resolve_by=NOW + timedelta(hours=9)))
    text = reminders.reminder_text(ctx, reminders.due(ctx).items[0])
    assert text.startswith("Ticket T-9 waits for an answer: Acme · pump pump") and text.endswith("…")
    # "pump " * 12 is 60 characters: its first 59 end on a whole "pump" (11 x 5 + 4), then the "…": 60 in all
    assert text == "Ticket T-9 waits for an answer: Acme · " + ("pump " * 12)[:59] + "…"
