"""Rules pinned where they live (the services), each test written against a small bug that once slipped
past the suite: every test here fails when its rule is broken in the way its docstring names."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crmtui.core.errors import DuplicateFound, InvalidInput, MissingFields
from crmtui.services.agenda import agenda_for
from crmtui.services import agenda_words
from crmtui.services.customers import (
    add_contact,
    add_customer,
    add_lead,
    customer_detail,
    duplicate_of,
    edit_customer,
)
from crmtui.services.merge import merge_customers
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up

from .conftest import NOW, ZONE


def _log(ctx, customer_id, **overrides):
    values = dict(channel="phone", goal="confirm needs", goal_met=True, notes="talked", next_plan="send quote",
                  next_at=NOW + timedelta(days=3))
    values.update(overrides)
    return log_follow_up(ctx, customer_id, **values)


# ------------------------------------------------------------------ goal met: no is an answer, unanswered is not


def test_a_follow_up_whose_goal_was_not_met_is_logged_as_not_met(ctx):
    """`goal_met is None` read as `not goal_met` would refuse every honest "no"."""
    acme = add_customer(ctx, "Acme")
    logged = _log(ctx, acme.id, goal_met=False)
    [stored] = customer_detail(ctx, acme.id).follow_ups
    assert logged.goal_met is False
    assert stored.goal_met is False and stored.id == logged.id


def test_a_follow_up_with_goal_met_unanswered_is_refused_naming_only_that_field(ctx):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(MissingFields) as caught:
        _log(ctx, acme.id, goal_met=None)
    assert caught.value.fields == ["goal_met"]
    assert customer_detail(ctx, acme.id).follow_ups == []


def test_a_goal_may_be_500_characters_and_no_more(ctx):
    acme = add_customer(ctx, "Acme")
    assert _log(ctx, acme.id, goal="g" * 500).goal == "g" * 500
    with pytest.raises(InvalidInput) as caught:
        _log(ctx, acme.id, goal="g" * 501)
    assert caught.value.field == "goal" and "500" in str(caught.value)
    assert len(customer_detail(ctx, acme.id).follow_ups) == 1


def test_a_next_date_given_as_a_moment_on_an_earlier_day_is_refused(ctx):
    """The app hands the service a datetime, not text: the past is refused on that path too."""
    acme = add_customer(ctx, "Acme")
    for moment in (datetime(2026, 11, 23, 18, 0, tzinfo=ZONE), datetime(2025, 11, 24, 10, 0, tzinfo=ZONE)):
        with pytest.raises(InvalidInput) as caught:
            _log(ctx, acme.id, next_at=moment)
        assert caught.value.field == "next_at"
    assert customer_detail(ctx, acme.id).follow_ups == []


def test_nothing_is_logged_on_a_deleted_customer(ctx):
    from crmtui.core.errors import NotFound
    from crmtui.services.customers import delete_customer

    acme = add_customer(ctx, "Acme")
    delete_customer(ctx, acme.id)
    with pytest.raises(NotFound):
        _log(ctx, acme.id)
    import sqlite3

    with sqlite3.connect(ctx.db.path) as raw:
        assert raw.execute("SELECT count(*) FROM follow_up").fetchone()[0] == 0


# ------------------------------------------------------------------ the Quote gate asks for the quoted amount


def test_quote_needs_a_quoted_amount_even_when_the_deal_has_an_estimate(ctx):
    """A deal's estimated amount is not a quote: the gate checks the quoted amount, not the amount."""
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="50000")
    with pytest.raises(MissingFields) as caught:
        move_stage(ctx, deal.id, "quote")
    assert any("amount" in name for name in caught.value.fields)
    assert customer_detail(ctx, acme.id).deals[0].stage == "initial"  # refused: nothing moved
    moved = move_stage(ctx, deal.id, "quote", amount="48000")
    assert (moved.stage, moved.quoted_cents, moved.amount_cents) == ("quote", 4_800_000, 4_800_000)


# ------------------------------------------------------------------ a shared phone is a duplicate, email or not


def test_a_new_customer_with_an_existing_phone_and_its_own_email_is_a_duplicate(ctx):
    """Phone and email are separate checks: giving an email must not switch the phone check off."""
    acme = add_customer(ctx, "Acme", phone="13800138000")
    with pytest.raises(DuplicateFound) as caught:
        add_customer(ctx, "Globex", phone="138 0013 8000", email="buyer@globex.example")
    assert (caught.value.reason, caught.value.existing_id) == ("phone", acme.id)
    warning = duplicate_of(ctx, name="Globex", phone="13800138000", email="buyer@globex.example")
    assert warning is not None and (warning.reason, warning.existing_id) == ("phone", acme.id)


def test_a_new_lead_with_a_contacts_phone_and_its_own_email_is_a_duplicate(ctx):
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Jane", phone="13911112222")
    with pytest.raises(DuplicateFound) as caught:
        add_lead(ctx, "Jane Doe", phone="13911112222", email="jane@doe.example")
    assert (caught.value.reason, caught.value.existing_id) == ("phone", acme.id)


def test_an_edit_giving_an_existing_phone_with_an_email_is_a_duplicate(ctx):
    acme = add_customer(ctx, "Acme", phone="13800138000")
    globex = add_customer(ctx, "Globex")
    with pytest.raises(DuplicateFound) as caught:
        edit_customer(ctx, globex.id, {"phone": "13800138000", "email": "buyer@globex.example"})
    assert (caught.value.reason, caught.value.existing_id) == ("phone", acme.id)
    assert customer_detail(ctx, globex.id).customer.phone is None


# ------------------------------------------------------------------ the agenda: overdue means before today


def test_due_earlier_today_is_due_today_not_overdue_and_yesterday_night_is_overdue_one_day(ctx, frozen):
    """Overdue starts at the start of today in the rep's zone, not at this minute."""
    morning = add_customer(ctx, "Morning call")
    night = add_customer(ctx, "Late call")
    midnight = add_customer(ctx, "Midnight call")
    _log(ctx, morning.id, next_at=datetime(2026, 11, 25, 9, 0, tzinfo=ZONE))
    _log(ctx, night.id, next_at=datetime(2026, 11, 24, 23, 0, tzinfo=ZONE))
    _log(ctx, midnight.id, next_at=datetime(2026, 11, 25, 0, 0, tzinfo=ZONE))
    frozen.move_to(datetime(2026, 11, 25, 10, 0, tzinfo=ZONE))  # Wednesday 10:00: 09:00 has passed

    agenda = agenda_for(ctx)
    overdue = {item.customer_name: (agenda_words.reason(ctx, item), item.days) for item in agenda.sections["overdue"]}
    due = {item.customer_name: agenda_words.reason(ctx, item) for item in agenda.sections["due"]}
    assert overdue == {"Late call": ("overdue 1 d", 1)}
    assert due == {"Morning call": "due today 09:00", "Midnight call": "due today 00:00"}
    assert (agenda.totals["overdue"], agenda.totals["due"]) == (1, 2)
    assert [item.days for item in agenda.sections["due"]] == [0, 0]


# ------------------------------------------------------------------ merge keeps the earlier next date


@pytest.mark.parametrize(("keep_days", "other_days"), [(5, 2), (2, 5)])
def test_merge_keeps_the_earlier_of_the_two_next_dates(ctx, keep_days, other_days):
    """The sooner promise is the one the customer is waiting for, whichever record held it."""
    keep = add_customer(ctx, "Acme")
    other = add_customer(ctx, "Acme Trading (old)")
    _log(ctx, keep.id, next_at=NOW + timedelta(days=keep_days))
    _log(ctx, other.id, next_at=NOW + timedelta(days=other_days))
    merged = merge_customers(ctx, keep.id, other.id)
    expected = NOW + timedelta(days=min(keep_days, other_days))
    assert ctx.clock.to_local(merged.next_follow_up_at) == expected
    assert ctx.clock.to_local(customer_detail(ctx, keep.id).customer.next_follow_up_at) == expected


def test_merge_into_a_record_without_a_next_date_takes_the_others(ctx):
    keep = add_customer(ctx, "Acme")
    other = add_customer(ctx, "Acme Trading (old)")
    _log(ctx, other.id, next_at=NOW + timedelta(days=4))
    merge_customers(ctx, keep.id, other.id)
    assert ctx.clock.to_local(customer_detail(ctx, keep.id).customer.next_follow_up_at) == NOW + timedelta(days=4)


# ------------------------------------------------------------------ follow-ups are append-only

_SAID = ("at", "channel", "goal", "goal_met", "notes", "next_plan", "next_at")
"""What a follow-up records of the contact itself: never changed once logged (links may follow a merge)."""


def _follow_up_rows(ctx) -> dict[str, tuple]:
    import sqlite3

    with sqlite3.connect(ctx.db.path) as raw:
        rows = raw.execute(f"SELECT id, {', '.join(_SAID)} FROM follow_up").fetchall()
    return {row[0]: row[1:] for row in rows}


def test_no_service_changes_what_a_logged_follow_up_says(ctx, frozen):
    """Append-only is kept by the writes themselves: every service that touches a customer, its contacts
    or deals leaves each logged follow-up as it was, and the outbox (what sync sends) never carries a change
    to one. A correction is a new follow-up."""
    import json
    import sqlite3

    from crmtui.services.convert import convert_lead
    from crmtui.services.customers import delete_contact, delete_customer, edit_contact
    from crmtui.services.deals import delete_deal, edit_deal

    acme = add_customer(ctx, "Acme", phone="13800138000")
    jane = add_contact(ctx, acme.id, "Jane")
    deal = add_deal(ctx, acme.id, "Seats", amount="50000")
    _log(ctx, acme.id, contact_id=jane.id, deal_id=deal.id, notes="asked for a quote", goal_met=False)
    lead = add_lead(ctx, "Zhang Wei", phone="13911112222")
    _log(ctx, lead.id, notes="first call")
    old = add_customer(ctx, "Acme Trading (old)")
    _log(ctx, old.id, notes="from the old record", next_at=NOW + timedelta(days=1))
    logged = _follow_up_rows(ctx)
    assert len(logged) == 3

    frozen.shift(3600)
    edit_customer(ctx, acme.id, {"name": "Acme Group", "phone": "13800138001", "status": "dormant"})
    edit_customer(ctx, acme.id, {"status": "prospect"})
    edit_contact(ctx, jane.id, {"name": "Jane Li", "title": "CTO"})
    edit_deal(ctx, deal.id, {"title": "Seats 2027", "amount": "60000"})
    move_stage(ctx, deal.id, "quote", amount="58000")
    move_stage(ctx, deal.id, "lost", reason="price")
    convert_lead(ctx, lead.id, deal_title="Pilot")
    merge_customers(ctx, acme.id, old.id)
    _log(ctx, acme.id, notes="a correction: the quote was for 40 seats")
    delete_contact(ctx, jane.id)
    delete_deal(ctx, deal.id)
    delete_customer(ctx, lead.id)

    after = _follow_up_rows(ctx)
    assert {key: after[key] for key in logged} == logged
    assert len(after) == 4
    with sqlite3.connect(ctx.db.path) as raw:
        mutations = raw.execute("SELECT kind, record_id, changes FROM outbox WHERE record_table = 'follow_up'").fetchall()
    assert sorted(record_id for kind, record_id, _ in mutations if kind == "insert") == sorted(after)
    changed = {name for kind, _, changes in mutations if kind != "insert" for name in json.loads(changes)}
    assert not changed & set(_SAID), changed


# ------------------------------------------------------------------ agenda boundaries, by hand-worked numbers


def test_birthdays_show_from_today_to_exactly_seven_days_ahead(ctx):
    acme = add_customer(ctx, "Acme")
    for name, birthday in (("Today", "1990-11-24"), ("Last day", "1990-12-01"), ("Too far", "1990-12-02"),
                           ("Yesterday", "1990-11-23")):
        add_contact(ctx, acme.id, name, birthday=birthday)
    reasons = [agenda_words.reason(ctx, item) for item in agenda_for(ctx).sections["birthdays"]]
    assert reasons == ["Today's birthday today", "Last day's birthday in 7 d"]


def test_a_stalled_deal_counts_days_from_the_last_contact_not_from_entering_the_stage(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    frozen.move_to(NOW - timedelta(days=12))
    add_deal(ctx, acme.id, "Seats", stage="proposal")
    frozen.move_to(NOW - timedelta(days=10))
    _log(ctx, acme.id, next_at=NOW + timedelta(days=30))
    frozen.move_to(NOW)
    [item] = agenda_for(ctx).sections["stalled"]
    assert (agenda_words.reason(ctx, item), item.days) == ("stalled 10 d in Proposal", 10)


def test_a_new_lead_counts_whole_hours_and_whole_days(ctx, frozen):
    for name, waited in (("Almost 25", timedelta(hours=25) - timedelta(seconds=1)), ("Forty-seven", timedelta(hours=47)),
                         ("Exactly 24", timedelta(hours=24)),
                         ("Forty-eight", timedelta(hours=48))):
        frozen.move_to(NOW - waited)
        add_lead(ctx, name)
    frozen.move_to(NOW)
    items = {item.customer_name: (agenda_words.reason(ctx, item), item.days) for item in agenda_for(ctx).sections["new_leads"]}
    assert items == {"Almost 25": ("added 24 h ago, not contacted yet", 1),
                     "Forty-seven": ("added 47 h ago, not contacted yet", 1),
                     "Forty-eight": ("added 2 d ago, not contacted yet", 2)}


def test_an_instalment_due_today_is_due_not_overdue(ctx, frozen):
    from crmtui.services.deals import PaymentPlan

    acme = add_customer(ctx, "Acme")
    frozen.move_to(NOW - timedelta(days=3))
    deal = add_deal(ctx, acme.id, "Seats", amount="2000")
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today", amount="2000",
               payments=[PaymentPlan("1000", "2026-11-23"), PaymentPlan("1000", "2026-11-24")])
    frozen.move_to(NOW)
    reasons = [agenda_words.reason(ctx, item) for item in agenda_for(ctx).sections["payments"]]
    assert reasons == ["payment overdue 1 d (HT-1)", "payment due in 0 d (HT-1)"]


# ------------------------------------------------------------------ pool warnings on the laptop, from the last rules pulled

_RULES = {"reclaim_days": 30, "warn_days": 3, "first_contact_hours": 48, "claim_limit": 3, "relock_days": 7}


def _team_laptop(home):
    """A rep's laptop after a pull: [sync] set and the pool rules in meta (no server needed to read them)."""
    from crmtui.core.clock import Clock
    from crmtui.core.config import Settings, SyncSettings
    from crmtui.services.context import open_context

    settings = Settings(timezone="Asia/Shanghai", language="en",
                        sync=SyncSettings(server="postgresql://team.example/crm", user="ann"))
    return open_context(home / "data" / "team.db", settings=settings, clock=Clock(ZONE))


def _held(ctx, name, *, owner="ann", created, claimed=None, last=None):
    import sqlite3

    from crmtui.store.raw import to_db

    customer = add_customer(ctx, name)
    with sqlite3.connect(ctx.db.path) as raw:
        raw.execute("UPDATE customer SET owner = ?, created_at = ?, claimed_at = ?, last_contact_at = ? WHERE id = ?",
                    (owner, to_db(created), to_db(claimed), to_db(last), customer.id))


def test_pool_warnings_count_down_from_the_claim_and_from_the_last_activity(home):
    import json
    import sqlite3

    from crmtui.services.customers import list_customers
    from crmtui.services.deals import PaymentPlan

    ctx = _team_laptop(home)
    try:
        long_ago = NOW - timedelta(days=60)
        _held(ctx, "Claimed this morning", created=long_ago, claimed=NOW - timedelta(hours=10, seconds=1))
        _held(ctx, "Claimed a day ago", created=long_ago, claimed=NOW - timedelta(hours=24))
        _held(ctx, "Claimed an hour ago", created=long_ago, claimed=NOW - timedelta(hours=1))
        _held(ctx, "Almost gone", created=long_ago, last=NOW - timedelta(days=29, hours=12))
        _held(ctx, "Claimed yesterday", created=long_ago, claimed=NOW - timedelta(hours=30))
        _held(ctx, "Claimed 25 h ago", created=long_ago, claimed=NOW - timedelta(hours=25))
        _held(ctx, "Claimed, never called", created=long_ago, claimed=NOW - timedelta(hours=50))
        _held(ctx, "Called at the claim", created=long_ago, claimed=NOW - timedelta(days=29),
              last=NOW - timedelta(days=29))
        _held(ctx, "Quiet", created=long_ago, last=NOW - timedelta(days=28))
        _held(ctx, "Busy", created=long_ago, last=NOW - timedelta(days=20))
        _held(ctx, "Bob's quiet one", owner="bob", created=long_ago, last=NOW - timedelta(days=28))
        _held(ctx, "Quiet winner", created=long_ago, last=NOW - timedelta(days=28))
        _held(ctx, "Called right at a fresh claim", created=long_ago, claimed=NOW - timedelta(hours=10),
              last=NOW - timedelta(hours=10))
        _held(ctx, "New, not called yet", created=NOW - timedelta(days=5))
        by_name = {c.name: c.id for c in list_customers(ctx)}
        won = add_deal(ctx, by_name["Quiet winner"], "Seats", amount="1000")
        move_stage(ctx, won.id, "won", contract_no="HT-W", signed="today", amount="1000",
                   payments=[PaymentPlan("1000", "2026-12-24")])
        add_deal(ctx, by_name["Quiet"], "Open deal")  # only a won deal keeps a customer from the pool
        assert agenda_for(ctx).sections["pool"] == []  # no rules pulled yet: no warnings
        with sqlite3.connect(ctx.db.path) as raw:
            raw.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('sync_pool_rules', ?)", (json.dumps(_RULES),))

        items = [(i.customer_name, agenda_words.reason(ctx, i), i.days) for i in agenda_for(ctx).sections["pool"]]
        # 48 h after the claim: 37 h 59 min 59 s left shows as 1 d 13 h (whole hours), 24 h is a day, 18 h is
        # less than a day (-1 sorts it first), none (not less) after 50 h. 30 days after the last activity
        # (or the claim, when the call came at the claim): 1 d and 2 d left. Busy is 10 days from its warning.
        assert set(items) == {
            ("Claimed yesterday", "call within 18 h", -1),
            ("Claimed 25 h ago", "call within 23 h", -1),
            ("Claimed, never called", "first call overdue", -1),  # past its 48 h, not "within 0 min"
            ("Claimed this morning", "call within 1 d 13 h", 1),
            ("Claimed a day ago", "call within 1 d", 1),
            ("Claimed an hour ago", "call within 1 d 23 h", 1),
            ("Almost gone", "to the pool in 12 h", 0),
            ("Called at the claim", "to the pool in 1 d", 1),
            ("Quiet", "to the pool in 2 d", 2),
        }
        assert [days for _, _, days in items] == [-1, -1, -1, 0, 1, 1, 1, 1, 2]  # the most urgent first
    finally:
        ctx.close()


def test_an_agenda_row_shows_its_own_customers_open_deal_and_latest_plan(ctx, frozen):
    from crmtui.services.deals import delete_deal

    small = add_customer(ctx, "Small Co")
    big = add_customer(ctx, "Big Co")
    open_deal = add_deal(ctx, small.id, "Pens", amount="1000")
    gone = add_deal(ctx, small.id, "Desks", amount="90000", stage="negotiation")
    delete_deal(ctx, gone.id)
    lost = add_deal(ctx, small.id, "Chairs", amount="80000", stage="negotiation")
    move_stage(ctx, lost.id, "lost", reason="price")
    add_deal(ctx, big.id, "Servers", amount="500000", stage="negotiation")
    _log(ctx, small.id, next_plan="call Small", next_at=datetime(2026, 11, 24, 15, 0, tzinfo=ZONE))
    frozen.shift(60)
    _log(ctx, big.id, next_plan="call Big", next_at=datetime(2026, 11, 24, 16, 0, tzinfo=ZONE))

    rows = {item.customer_name: (item.deal_id, item.next_plan, item.amount_cents)
            for item in agenda_for(ctx).sections["due"]}
    assert rows["Small Co"] == (open_deal.id, "call Small", 100_000)
    assert rows["Big Co"][1] == "call Big"
    nothing = add_customer(ctx, "No Deal Co")
    _log(ctx, nothing.id, next_at=datetime(2026, 11, 24, 17, 0, tzinfo=ZONE))
    amounts = {item.customer_name: item.as_dict("")["amount"] for item in agenda_for(ctx).sections["due"]}
    assert amounts["Small Co"] not in (None, "", 0) and amounts["No Deal Co"] is None  # --json


def test_due_today_ends_at_midnight_and_stalled_starts_after_exactly_seven_days(ctx, frozen):
    tonight = add_customer(ctx, "Tonight")
    midnight = add_customer(ctx, "Tomorrow midnight")
    _log(ctx, tonight.id, next_at=datetime(2026, 11, 24, 23, 59, tzinfo=ZONE))
    _log(ctx, midnight.id, next_at=datetime(2026, 11, 25, 0, 0, tzinfo=ZONE))
    assert {item.customer_name for item in agenda_for(ctx).sections["due"]} == {"Tonight"}

    seven = add_customer(ctx, "Seven days")
    longer = add_customer(ctx, "Seven days and a second")
    frozen.move_to(NOW - timedelta(days=7))
    add_deal(ctx, seven.id, "Seats", stage="proposal")
    frozen.move_to(NOW - timedelta(days=7, seconds=1))
    add_deal(ctx, longer.id, "Seats", stage="proposal")
    frozen.move_to(NOW)
    stalled = [(item.customer_name, agenda_words.reason(ctx, item)) for item in agenda_for(ctx).sections["stalled"]]
    assert stalled == [("Seven days and a second", "stalled 7 d in Proposal")]


def test_long_stalled_and_new_lead_sections_keep_the_oldest_rows_and_count_all(ctx, frozen, monkeypatch):
    import crmtui.store.agenda as store

    monkeypatch.setattr(store, "LIMIT", 3)
    for days in range(10, 14):
        frozen.move_to(NOW - timedelta(days=days))
        stalled = add_customer(ctx, f"Stalled {days}")
        add_deal(ctx, stalled.id, "Seats", stage="proposal")
        _log(ctx, stalled.id, next_at=NOW + timedelta(days=30))
        add_lead(ctx, f"Lead {days}")
    frozen.move_to(NOW)
    agenda = agenda_for(ctx)
    assert (agenda.totals["stalled"], agenda.totals["new_leads"]) == (4, 4)
    assert [item.customer_name for item in agenda.sections["stalled"]] == ["Stalled 13", "Stalled 12", "Stalled 11"]
    assert [item.customer_name for item in agenda.sections["new_leads"]] == ["Lead 13", "Lead 12", "Lead 11"]


def test_without_a_proposal_stage_nothing_is_counted_as_stalled(ctx, frozen):
    """Stalled watches Proposal and the open stages after it; stages that have none watch nothing."""
    from crmtui.core.config import settings_from_dict

    ctx.settings = settings_from_dict({"timezone": "Asia/Shanghai", "stages": [
        {"key": "talk", "name": "Talk", "probability": 30}, {"key": "won", "probability": 100},
        {"key": "lost", "probability": 0}]})
    frozen.move_to(NOW - timedelta(days=30))
    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, "Seats")
    _log(ctx, acme.id, next_at=NOW + timedelta(days=30))
    frozen.move_to(NOW)
    agenda = agenda_for(ctx)
    assert (agenda.sections["stalled"], agenda.totals["stalled"]) == ([], 0)


def test_renewals_and_instalments_show_up_to_their_last_day_ahead_inclusive(ctx, frozen):
    """Contracts ending within 30 days and instalments due within 7, both counted from today inclusive."""
    from crmtui.services.deals import PaymentPlan

    acme = add_customer(ctx, "Acme")
    frozen.move_to(NOW - timedelta(days=100))
    for number, end, due in (("HT-0", "2026-11-24", "2026-11-20"), ("HT-30", "2026-12-24", "2026-12-01"),
                             ("HT-31", "2026-12-25", "2026-12-02")):
        deal = add_deal(ctx, acme.id, number, amount="1000")
        move_stage(ctx, deal.id, "won", contract_no=number, signed="today", end=end, amount="1000",
                   payments=[PaymentPlan("1000", due)])
    frozen.move_to(NOW)
    agenda = agenda_for(ctx)
    assert [agenda_words.reason(ctx, item) for item in agenda.sections["renewals"]] == ["contract HT-0 ends in 0 d",
                                                                     "contract HT-30 ends in 30 d"]
    assert [agenda_words.reason(ctx, item) for item in agenda.sections["payments"]] == ["payment overdue 4 d (HT-0)",
                                                                     "payment due in 7 d (HT-30)"]


def test_the_due_now_notice_takes_what_came_due_after_the_last_look_up_to_now(ctx):
    """(after, until]: a follow-up due at the last look was announced then; one due right now is announced now."""
    from crmtui.services.agenda import due_since

    after, until = datetime(2026, 11, 24, 14, 0, tzinfo=ZONE), datetime(2026, 11, 24, 15, 0, tzinfo=ZONE)
    for name, minute in (("At the last look", 0), ("Between", 30), ("Right now", 60), ("Later", 61)):
        customer = add_customer(ctx, name)
        _log(ctx, customer.id, next_at=after + timedelta(minutes=minute))
    asleep = add_customer(ctx, "Dormant")
    _log(ctx, asleep.id, next_at=after + timedelta(minutes=30))
    edit_customer(ctx, asleep.id, {"status": "dormant"})
    assert due_since(ctx, after, until) == ["Between", "Right now"]


# ------------------------------------------------------------------ the date parser


def test_dates_are_read_in_a_zone_whose_offset_is_zero():
    """UTC (and London in winter) has a zero offset, which is still an offset."""
    from datetime import UTC

    from crmtui.core.dates import parse_next_date

    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert parse_next_date("tomorrow 3pm", now).when == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_a_date_text_may_be_100_characters_and_no_more():
    from crmtui.core.dates import MAX_INPUT_LENGTH, DateParseError, parse_next_date

    assert MAX_INPUT_LENGTH == 100
    longest = "tomorrow" + " " * 89 + "3pm"
    assert len(longest) == 100
    assert parse_next_date(longest, NOW).when == datetime(2026, 11, 25, 15, 0, tzinfo=ZONE)
    with pytest.raises(DateParseError, match="too long"):
        parse_next_date(longest.replace("3pm", " 3pm"), NOW)


@pytest.mark.parametrize("text", ["tomorrow\x07", "\x1b[0mtomorrow", "tomorrow\u200e"])
def test_a_date_text_with_control_characters_is_refused(text):
    """A pasted escape sequence is not part of a date, even when the rest would read as one."""
    from crmtui.core.dates import DateParseError, parse_next_date

    with pytest.raises(DateParseError):
        parse_next_date(text, NOW)


def test_a_lost_reason_may_be_500_characters_and_no_more(ctx):
    acme = add_customer(ctx, "Acme")
    first, second = add_deal(ctx, acme.id, "Seats"), add_deal(ctx, acme.id, "Desks")
    with pytest.raises(InvalidInput) as caught:
        move_stage(ctx, first.id, "lost", reason="r" * 501)
    assert caught.value.field == "lost_reason"
    assert move_stage(ctx, second.id, "lost", reason="r" * 500).lost_reason == "r" * 500
    assert [d.stage for d in customer_detail(ctx, acme.id).deals if d.id == first.id] == ["initial"]


def test_losing_a_deal_schedules_no_follow_up(ctx):
    """Moving forward proposes the next call when none is pending; Lost is not forward."""
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats")
    move_stage(ctx, deal.id, "lost", reason="price")
    assert customer_detail(ctx, acme.id).customer.next_follow_up_at is None


def test_a_next_moment_earlier_today_is_refused_on_the_datetime_path_too(ctx):
    # the typed path refused 09:00 at 10:00; a datetime handed in by a caller must meet the same rule
    from datetime import datetime as _datetime

    from crmtui.core.errors import InvalidInput as _InvalidInput
    from crmtui.services.customers import add_customer as _add_customer
    from crmtui.services.follow_ups import log_follow_up as _log_follow_up

    from .conftest import ZONE as _ZONE

    customer = _add_customer(ctx, "Acme")
    with pytest.raises(_InvalidInput) as caught:
        _log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p",
                       next_at=_datetime(2026, 11, 24, 9, 0, tzinfo=_ZONE))
    assert caught.value.field == "next_at"
    logged = _log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p",
                            next_at=_datetime(2026, 11, 24, 10, 30, tzinfo=_ZONE))
    assert logged is not None
