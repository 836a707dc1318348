"""The agenda after the sale: revisits, customers due for a touch by tier, service dates and warranties, holiday
greetings, service requests, and a manager's escalations. The clock is the suite's frozen one (Tue 2026-11-24
10:00 Asia/Shanghai) unless a test travels; every expected day count is worked out by hand in a comment."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from crmtui.core.config import AgendaSettings, Settings, SyncSettings, TicketSettings, settings_from_dict
from crmtui.core.errors import InvalidInput
from crmtui.services import agenda_words
from crmtui.services.agenda import (ALL_REPS, SECTIONS, add_months, agenda_for, holiday_dates, next_service,
                                    team_load)
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.store import replica
from crmtui.store.raw import to_db

from .conftest import NOW, ZONE

SERVER = "postgresql://127.0.0.1:9/team"
"""Nothing listens there: the manager's tests read only the laptop's copy."""

_ids = iter(range(1, 10_000))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def _customer(ctx, name: str, *, tier: str = "C", status: str = "customer", last: datetime | None = None,
              next_at: datetime | None = None, owner: str | None = None, tags: list[str] | None = None,
              **columns: object) -> str:
    """A customer as the agenda reads it: its tier, status, last contact and next follow-up set directly."""
    customer = add_customer(ctx, name, tags=tags)
    values = {"tier": tier, "status": status, "last_contact_at": to_db(last), "next_follow_up_at": to_db(next_at),
              "owner": owner, **columns}
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute(f"UPDATE customer SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                     (*[v.isoformat() if isinstance(v, date) and not isinstance(v, datetime) else v
                        for v in values.values()], customer.id))
    return customer.id


def _revisit(ctx, customer_id: str, due: str, purpose: str, *, done: bool = False, deleted: bool = False) -> None:
    stamp = to_db(ctx.clock.utcnow())
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("INSERT INTO revisit (id, created_at, updated_at, deleted_at, customer_id, due_on, purpose, channel,"
                     " follow_up_id) VALUES (?, ?, ?, ?, ?, ?, ?, 'phone', ?)",
                     (f"r{next(_ids)}", stamp, stamp, stamp if deleted else None, customer_id, due, purpose,
                      "f1" if done else None))


def _ticket(ctx, customer_id: str, number: str, resolve_by: datetime, *, priority: str = "normal",
            status: str = "open", due_on: str | None = None, title: str = "Pump leaks") -> None:
    stamp = to_db(ctx.clock.utcnow())
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("INSERT INTO ticket (id, created_at, updated_at, customer_id, number, title, kind, priority, status,"
                     " opened_at, respond_by, resolve_by, due_on, closed_at) VALUES (?, ?, ?, ?, ?, ?, 'repair', ?, ?, ?,"
                     " ?, ?, ?, ?)",
                     (f"t{next(_ids)}", stamp, stamp, customer_id, number, title, priority, status, stamp,
                      to_db(resolve_by), to_db(resolve_by), due_on, stamp if status == "closed" else None))


def _reasons(ctx, agenda, section: str) -> list[tuple[str, str]]:
    return [(item.customer_name, agenda_words.reason(ctx, item)) for item in agenda.sections[section]]


def _with(ctx, **agenda: object) -> None:
    ctx.settings = replace(ctx.settings, agenda=replace(ctx.settings.agenda, **agenda))


# ---------------------------------------------------------------- revisits


def test_open_revisits_due_by_today_with_the_late_ones_first(ctx):
    acme = _customer(ctx, "Acme")
    bolt = _customer(ctx, "Bolt")
    _revisit(ctx, acme, "2026-11-24", "Check the installation")  # today
    _revisit(ctx, bolt, "2026-11-21", "Satisfaction call")  # Sat 21 -> Tue 24: 3 days late
    _revisit(ctx, bolt, "2026-11-25", "Tomorrow's")  # not yet
    _revisit(ctx, acme, "2026-11-01", "Done already", done=True)
    _revisit(ctx, acme, "2026-11-02", "Deleted", deleted=True)
    quiet = _customer(ctx, "Quiet", do_not_contact=1)
    _revisit(ctx, quiet, "2026-11-20", "Asked not to be called")

    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "revisits") == [("Bolt", "revisit 3 d late"), ("Acme", "revisit today")]
    assert [item.next_plan for item in agenda.sections["revisits"]] == ["Satisfaction call", "Check the installation"]
    assert agenda.totals["revisits"] == 2
    data = agenda.sections["revisits"][0].as_dict("")
    assert (data["due_on"], data["channel"], data["days"]) == ("2026-11-21", "phone", 3)


def test_long_revisit_sections_keep_the_latest_rows(ctx, monkeypatch):
    import crmtui.store.agenda as store

    monkeypatch.setattr(store, "LIMIT", 2)
    for day in ("2026-11-20", "2026-11-18", "2026-11-23"):
        _revisit(ctx, _customer(ctx, f"Due {day}"), day, "call")
    agenda = agenda_for(ctx)
    assert agenda.totals["revisits"] == 3
    assert [item.days for item in agenda.sections["revisits"]] == [6, 4]  # 18 and 20 Nov: 6 and 4 days before the 24th


# ---------------------------------------------------------------- due for a touch


def test_customers_past_their_tiers_cadence(ctx):
    day = date(2026, 11, 24)
    # A: every 14 days. 20 days since (4 Nov): 6 past its cadence. 14 days since (10 Nov): exactly on it, not past.
    _customer(ctx, "A Twenty", tier="A", last=_at(day - timedelta(days=20)))
    _customer(ctx, "A Fourteen", tier="A", last=_at(day - timedelta(days=14)))
    # B: every 30 days. 40 days since (15 Oct): 10 past. C: every 90. 91 days since (25 Aug): 1 past.
    _customer(ctx, "B Forty", tier="B", status="prospect", last=_at(day - timedelta(days=40)))
    _customer(ctx, "C Ninety-one", tier="C", last=_at(day - timedelta(days=91)))
    # A follow-up planned for next week does not excuse the lapse: still due for a touch.
    _customer(ctx, "A Planned Later", tier="A", last=_at(day - timedelta(days=15)), next_at=_at(day + timedelta(days=7)))
    # Left out: a lead, a dormant customer, one in the pool, one not to be contacted, one never contacted (the new
    # leads' section), one whose follow-up is already overdue (on the agenda as overdue) or due today (as due).
    old = _at(day - timedelta(days=200))
    _customer(ctx, "Lead", tier="A", status="lead", last=old)
    _customer(ctx, "Dormant", tier="A", status="dormant", last=old)
    _customer(ctx, "Pool", tier="A", status="pool", last=old)
    _customer(ctx, "Do Not Call", tier="A", last=old, do_not_contact=1)
    _customer(ctx, "Never Called", tier="A")
    _customer(ctx, "Already Overdue", tier="A", last=old, next_at=_at(day - timedelta(days=1)))
    _customer(ctx, "Due Today", tier="A", last=old, next_at=_at(day, 16))

    agenda = agenda_for(ctx)
    # The most past its cadence first: B 10, A 6, A 1 (15 - 14), C 1 (91 - 90); equal ones by name.
    assert _reasons(ctx, agenda, "touch") == [
        ("B Forty", "last contact 40 d ago (tier B: 30 d)"),
        ("A Twenty", "last contact 20 d ago (tier A: 14 d)"),
        ("A Planned Later", "last contact 15 d ago (tier A: 14 d)"),
        ("C Ninety-one", "last contact 91 d ago (tier C: 90 d)"),
    ]
    assert agenda.totals["touch"] == 4
    data = agenda.sections["touch"][0].as_dict("")
    assert (data["days"], data["tier"], data["cadence_days"]) == (40, "B", 30)


def test_the_cadence_is_configured_and_long_sections_keep_the_most_overdue(ctx, monkeypatch):
    import crmtui.store.agenda as store

    day = date(2026, 11, 24)
    for name, days in (("Eight", 8), ("Ten", 10), ("Nine", 9), ("Six", 6)):
        _customer(ctx, name, tier="A", last=_at(day - timedelta(days=days)))
    _with(ctx, care_days=(("A", 7), ("B", 30), ("C", 90)))
    monkeypatch.setattr(store, "LIMIT", 2)
    agenda = agenda_for(ctx)
    assert agenda.totals["touch"] == 3  # 8, 9 and 10 days are past 7; 6 is not
    assert [item.customer_name for item in agenda.sections["touch"]] == ["Ten", "Nine"]


def test_care_days_in_the_config_are_checked():
    assert settings_from_dict({"agenda": {"care_days": {"A": 7}}}).agenda.care_days == (("A", 7), ("B", 30), ("C", 90))
    with pytest.raises(InvalidInput, match="config agenda.care_days: a table of tier = days"):
        settings_from_dict({"agenda": {"care_days": {"A": 0}}})
    with pytest.raises(InvalidInput, match="config agenda.service_days: a whole number >= 0"):
        settings_from_dict({"agenda": {"service_days": -1}})
    with pytest.raises(InvalidInput, match="config agenda: only care_days"):
        settings_from_dict({"agenda": {"cadence": 3}})
    with pytest.raises(InvalidInput, match='config agenda.holidays: names among 元旦, 春节'):
        settings_from_dict({"agenda": {"holidays": ["Christmas"]}})
    with pytest.raises(InvalidInput, match='config agenda.holidays: a day of the year as "MM-DD"'):
        settings_from_dict({"agenda": {"holidays": [{"name": "店庆", "date": "02-30"}]}})
    chosen = settings_from_dict({"agenda": {"holidays": ["mid_autumn", {"name": "店庆", "date": "6-18"}]}}).agenda
    assert chosen.holidays == (("中秋", ""), ("店庆", "06-18"))


# ---------------------------------------------------------------- service cycles and warranties


def test_month_arithmetic_keeps_the_day_or_the_months_last():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)  # 2027 is not a leap year
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # 2028 is
    assert add_months(date(2027, 1, 31), 2) == date(2027, 3, 31)  # counted from the 31st, not from 28 Feb
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    # A cycle of 12 months from 29 Feb 2028: 28 Feb 2029, ... and 29 Feb again in 2032 (48 months on).
    assert next_service(date(2028, 2, 29), 12, date(2029, 1, 1)) == date(2029, 2, 28)
    assert next_service(date(2028, 2, 29), 12, date(2031, 3, 1)) == date(2032, 2, 29)
    # The first visit is a cycle after the start, never the start itself.
    assert next_service(date(2026, 11, 24), 6, date(2026, 11, 24)) == date(2027, 5, 24)
    assert next_service(date(2020, 8, 31), 3, date(2026, 11, 24)) == date(2026, 11, 30)  # 31 Aug + 75 months


def test_service_dates_and_warranties_come_up_ahead(ctx):
    # 31 May + 6 months: 30 Nov (November has no 31st), 6 days after Tue 24 Nov: within the 7 days.
    _customer(ctx, "Six Monthly", service_months=6, service_from=date(2026, 5, 31))
    # 2 Dec 2025 + 12 months: 2 Dec 2026, 8 days ahead: not yet.
    _customer(ctx, "Yearly", service_months=12, service_from=date(2025, 12, 2))
    # Warranty until 24 Dec: 30 days ahead (6 left in November + 24), within the 30; 25 Dec is 31 days: not yet.
    _customer(ctx, "Warranty Thirty", warranty_until=date(2026, 12, 24))
    _customer(ctx, "Warranty Thirty-one", warranty_until=date(2026, 12, 25))
    _customer(ctx, "Past Warranty", warranty_until=date(2026, 11, 23))
    # A contract with no service_from counts from the day it was signed: 31 Aug + 3 months = 30 Nov, 6 days.
    signed = _customer(ctx, "Contract Co")
    deal = add_deal(ctx, signed, "Pumps", amount="10000")
    move_stage(ctx, deal.id, "won", contract_no="HT-7", signed="2026-08-31", complete_schedule=True)
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("UPDATE contract SET service_months = 3, warranty_until = '2026-11-24' WHERE number = 'HT-7'")
    # A customer with a cycle and no service_from: from its first contract's signing day (31 Aug, 3 months on).
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("UPDATE customer SET service_months = 3 WHERE id = ?", (signed,))

    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "service") == [
        ("Contract Co", "warranty ends today (HT-7)"),
        ("Contract Co", "service visit in 6 d"),
        ("Contract Co", "service visit in 6 d (HT-7)"),
        ("Six Monthly", "service visit in 6 d"),
        ("Warranty Thirty", "warranty ends in 30 d"),
    ]
    assert agenda.sections["service"][1].due_on == date(2026, 11, 30)
    _with(ctx, service_days=5, warranty_days=29)
    assert _reasons(ctx, agenda_for(ctx), "service") == [("Contract Co", "warranty ends today (HT-7)")]


# ---------------------------------------------------------------- holidays


def test_chinese_calendar_holidays_fall_on_their_published_days(ctx):
    # Published calendars: Chinese New Year 2027 is Saturday 6 February; the Mid-Autumn Festival Wednesday
    # 15 September 2027; the Dragon Boat Festival Wednesday 9 June 2027.
    _with(ctx, holidays=(("春节", ""), ("中秋", ""), ("端午", "")), holiday_days=7)
    assert holiday_dates(ctx, date(2027, 2, 1)) == [("春节", date(2027, 2, 6))]
    assert holiday_dates(ctx, date(2027, 9, 8)) == [("中秋", date(2027, 9, 15))]  # 7 days ahead: the last day in
    assert holiday_dates(ctx, date(2027, 9, 7)) == []  # 8 days ahead
    assert holiday_dates(ctx, date(2027, 6, 9)) == [("端午", date(2027, 6, 9))]  # on the day itself
    # Fixed days, across the new year: 28 Dec 2026 -> 1 Jan 2027 is 4 days.
    _with(ctx, holidays=(("元旦", ""), ("店庆", "12-30")))
    assert holiday_dates(ctx, date(2026, 12, 28)) == [("店庆", date(2026, 12, 30)), ("元旦", date(2027, 1, 1))]


def test_key_customers_are_greeted_before_a_holiday(ctx, frozen):
    _customer(ctx, "Key A", tier="A")
    _customer(ctx, "A hot prospect", tier="A", status="prospect")  # after the customers, though its name sorts first
    _customer(ctx, "Tagged B", tier="B", tags=["VIP"])
    _customer(ctx, "Plain B", tier="B")
    _customer(ctx, "Lead A", tier="A", status="lead")
    _customer(ctx, "Quiet A", tier="A", do_not_contact=1)
    frozen.move_to(datetime(2027, 1, 31, 9, 0, tzinfo=ZONE))
    agenda = agenda_for(ctx)  # 31 Jan -> 6 Feb: 6 days (1 + 5)
    assert _reasons(ctx, agenda, "holidays") == [("Key A", "Spring Festival in 6 d: greet them"),
                                                 ("A hot prospect", "Spring Festival in 6 d: greet them")]
    _with(ctx, holiday_tag="VIP")
    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "holidays") == [("Key A", "Spring Festival in 6 d: greet them"),
                                                 ("Tagged B", "Spring Festival in 6 d: greet them"),
                                                 ("A hot prospect", "Spring Festival in 6 d: greet them")]
    assert agenda.sections["holidays"][0].as_dict("")["holiday"] == "春节"
    frozen.move_to(datetime(2027, 9, 15, 9, 0, tzinfo=ZONE))
    assert [reason for _name, reason in _reasons(ctx, agenda_for(ctx), "holidays")] == [
        "Mid-Autumn Festival today: greet them"] * 3
    frozen.move_to(datetime(2027, 3, 1, 9, 0, tzinfo=ZONE))
    assert agenda_for(ctx).sections["holidays"] == []


# ---------------------------------------------------------------- service requests


def test_overdue_and_soon_due_tickets(ctx):
    acme = _customer(ctx, "Acme")
    bolt = _customer(ctx, "Bolt")
    _ticket(ctx, acme, "T-1", NOW - timedelta(hours=5), title="No power")  # 5 hours late
    _ticket(ctx, bolt, "T-2", NOW - timedelta(days=3), priority="urgent")  # 72 hours late: shown in days
    _ticket(ctx, acme, "T-3", NOW + timedelta(hours=3))  # within the 4 hours of tickets.soon_hours
    _ticket(ctx, acme, "T-4", NOW + timedelta(hours=10))  # not soon yet (10 hours: soon with soon_hours = 10)
    # Due on Mon 23 Nov: late since midnight, 10 hours ago, though its resolution deadline is a week away.
    _ticket(ctx, bolt, "T-5", NOW + timedelta(days=7), due_on="2026-11-23", priority="high")
    _ticket(ctx, acme, "T-6", NOW - timedelta(days=1), status="resolved")
    _ticket(ctx, acme, "T-7", NOW - timedelta(days=1), status="closed")

    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "tickets") == [
        ("Bolt", "T-2 urgent · 3 d late"),
        ("Bolt", "T-5 high · 10 h late"),
        ("Acme", "T-1 · 5 h late"),
        ("Acme", "T-3 · due in 3 h"),
    ]
    assert agenda.sections["tickets"][2].next_plan == "No power"
    assert [item.as_dict("")["kind"] for item in agenda.sections["tickets"]] == ["overdue"] * 3 + ["soon"]
    ctx.settings = replace(ctx.settings, tickets=TicketSettings(soon_hours=10))
    assert [i.ticket_number for i in agenda_for(ctx).sections["tickets"]] == ["T-2", "T-5", "T-1", "T-3", "T-4"]


def _answer_by(ctx, number: str, respond_by: datetime, responded_at: datetime | None = None) -> None:
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("UPDATE ticket SET respond_by = ?, responded_at = ? WHERE number = ?",
                     (to_db(respond_by), to_db(responded_at), number))


def test_a_ticket_not_answered_by_its_response_deadline_is_on_today(ctx):
    acme = _customer(ctx, "Acme")
    # resolve by NOW + 2 days: not late, not soon (soon_hours 4); answer by NOW - 90 minutes: not answered in time
    _ticket(ctx, acme, "T-1", NOW + timedelta(days=2), priority="urgent", title="No power")
    _answer_by(ctx, "T-1", NOW - timedelta(minutes=90))
    # the same, but answered: nothing to do yet
    _ticket(ctx, acme, "T-2", NOW + timedelta(days=2))
    _answer_by(ctx, "T-2", NOW - timedelta(hours=3), responded_at=NOW - timedelta(hours=4))
    # answer by NOW + 1 h: not late yet
    _ticket(ctx, acme, "T-3", NOW + timedelta(days=2))
    _answer_by(ctx, "T-3", NOW + timedelta(hours=1))
    # late on its resolution too (2 hours): overdue comes first, whatever its answer
    _ticket(ctx, acme, "T-4", NOW - timedelta(hours=2))
    _answer_by(ctx, "T-4", NOW - timedelta(hours=30))
    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "tickets") == [
        ("Acme", "T-4 · 2 h late"),
        ("Acme", "T-1 urgent · answer 1 h late"),  # 90 minutes: 1 whole hour
    ]
    assert [item.as_dict("")["kind"] for item in agenda.sections["tickets"]] == ["overdue", "late_answer"]
    # its moment is the response deadline it missed: 10:00 - 1:30 = 08:30 in Shanghai
    assert agenda.sections["tickets"][1].when == datetime(2026, 11, 24, 8, 30, tzinfo=ZONE)


# ---------------------------------------------------------------- escalation in a team


def _become_manager(ctx, home: Path, user: str = "boss") -> None:
    ctx.settings = Settings(timezone="Asia/Shanghai", language="en", sync=SyncSettings(server=SERVER, user=user, interval=0))
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        replica.set_meta(conn, "sync_manager", "1")
        replica.set_meta(conn, "sync_rep", user)
    config = home / "config" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\n[sync]\nserver = "{SERVER}"\nuser = "{user}"\ninterval = 0\n', encoding="utf-8")


@pytest.fixture
def escalation_book(ctx, home):
    """wang: follow-ups 4 and 3 days late (only the 4 is past the 3 days); li: a high ticket 2 hours late, a
    normal one a day late and an urgent one not late yet; boss (the manager): a follow-up 5 days late."""
    day = date(2026, 11, 24)
    _customer(ctx, "Wang Four", owner="wang", last=_at(day - timedelta(days=10)), next_at=_at(day - timedelta(days=4)))
    _customer(ctx, "Wang Three", owner="wang", last=_at(day - timedelta(days=10)),
              next_at=_at(day - timedelta(days=3)))
    li = _customer(ctx, "Li Pumps", owner="li", last=_at(day - timedelta(days=2)), next_at=_at(day + timedelta(days=3)))
    _ticket(ctx, li, "T-9", NOW - timedelta(hours=2), priority="high", title="Pump down")
    _ticket(ctx, li, "T-10", NOW - timedelta(days=1), priority="normal")
    _ticket(ctx, li, "T-11", NOW + timedelta(hours=1), priority="urgent")
    _customer(ctx, "Boss Own", owner="boss", last=_at(day - timedelta(days=10)), next_at=_at(day - timedelta(days=5)))
    _become_manager(ctx, home)
    return ctx


def test_the_managers_agenda_lists_the_teams_late_work_by_rep(escalation_book):
    ctx = escalation_book
    agenda = agenda_for(ctx)
    assert _reasons(ctx, agenda, "escalated") == [("Li Pumps", "li: ticket T-9 (high priority) overdue 2 h"),
                                                  ("Wang Four", "wang: follow-up overdue 4 d")]
    assert [item.as_dict("")["owner"] for item in agenda.sections["escalated"]] == ["li", "wang"]
    # Equal escalations: the more overdue follow-ups first (wang 2, li none).
    assert [(load.rep, load.escalated) for load in team_load(ctx)] == [("wang", 1), ("li", 1)]
    assert [agenda_words.load_text(load) for load in team_load(ctx)] == ["overdue 2 · escalated 1", "escalated 1"]
    assert ("escalated", "Escalated 2") in agenda_words.header_counts(agenda)
    assert agenda.own_items() == [item for item in agenda.items() if item.section != "escalated"]
    # The manager's own customer five days late is the manager's overdue work, not an escalation.
    assert [item.customer_name for item in agenda.sections["overdue"]] == ["Boss Own"]
    _with(ctx, escalate_days=4)
    assert [item.customer_name for item in agenda_for(ctx).sections["escalated"]] == ["Li Pumps"]


def test_a_reps_agenda_and_everyones_have_no_escalations(escalation_book):
    ctx = escalation_book
    li = agenda_for(ctx, rep="li")
    assert li.sections["escalated"] == [] and li.team == []
    assert [i.ticket_number for i in li.sections["tickets"]] == ["T-10", "T-9", "T-11"]  # scoped to li's customers
    assert agenda_for(ctx, rep="wang").sections["tickets"] == []
    assert agenda_for(ctx, rep=ALL_REPS).sections["escalated"] == []


def test_every_section_has_a_title_and_every_row_a_reason(escalation_book):
    ctx = escalation_book
    _revisit(ctx, _customer(ctx, "Visit", owner="boss"), "2026-11-24", "Check")
    agenda = agenda_for(ctx)
    assert len(set(SECTIONS)) == len(SECTIONS)
    assert all(agenda_words.section_title(name) != name for name in SECTIONS)
    assert all(agenda_words.reason(ctx, item) for item in agenda.items())
    assert AgendaSettings().care("A") == 14 and AgendaSettings().care("D") is None


def test_long_ticket_and_service_sections_keep_their_most_urgent_rows(ctx, monkeypatch):
    import crmtui.store.agenda as store

    monkeypatch.setattr(store, "LIMIT", 2)
    acme = _customer(ctx, "Acme")
    for hours, number in ((1, "T-1"), (9, "T-9"), (5, "T-5")):
        _ticket(ctx, acme, number, NOW - timedelta(hours=hours))
    for days in (3, 1, 2):  # warranties ending in 3, 1 and 2 days
        _customer(ctx, f"Warranty {days}", warranty_until=date(2026, 11, 24) + timedelta(days=days))
    agenda = agenda_for(ctx)
    assert agenda.totals["tickets"] == 3 and [i.ticket_number for i in agenda.sections["tickets"]] == ["T-9", "T-5"]
    assert agenda.totals["service"] == 3 and [i.days for i in agenda.sections["service"]] == [1, 2]
