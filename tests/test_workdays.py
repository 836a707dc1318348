"""One notion of a working day (core/workdays.py): the configured work days less the public holidays of the
[workdays] country (China by default, through phone_region), plus its make-up working days (调休), used by the
revisit plans, the low scores' call backs and the tickets' working hours.

Frozen clock: Tue 2026-11-24 10:00 Asia/Shanghai, moved where a test needs another day. The days off are the
`holidays` library's (checked here by hand against the State Council's notice for 2026, and the library's estimate
for 2027, not announced yet):
- 国庆 2026: Thu 1 Oct to Wed 7 Oct off; Sun 20 Sep and Sat 10 Oct are make-up working days.
- 春节 2027 (estimate): Fri 5 Feb (除夕) to Wed 10 Feb off (Sat 6, Sun 7, Mon 8, observed Tue 9 and Wed 10).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from crmtui.cli.commands import app
from crmtui.core import i18n
from crmtui.core.config import WorkdaySettings, settings_from_dict
from crmtui.core.errors import InvalidInput
from crmtui.core.workdays import Calendar, calendar_for, country_of
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import record_follow_up
from crmtui.services.revisits import (
    RevisitLine,
    describe,
    parse_plan,
    plan_call_back,
    revisit_timeline,
    schedule,
)
from crmtui.services.tickets import add_ticket

from .conftest import ZONE

CN = Calendar(country="CN")
runner = CliRunner()


# ---------------------------------------------------------------- the rule


def test_national_day_2026_is_off_and_its_make_up_days_are_worked():
    # Thu 1 Oct to Wed 7 Oct: off, the Monday to Wednesday too (5 Oct observed, 6 and 7 Oct substituted)
    assert [CN.is_working_day(date(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert CN.is_working_day(date(2026, 10, 8))  # Thu 8 Oct: back at work
    assert CN.is_working_day(date(2026, 9, 20)) and date(2026, 9, 20).isoweekday() == 7  # a Sunday worked
    assert CN.is_working_day(date(2026, 10, 10)) and date(2026, 10, 10).isoweekday() == 6  # a Saturday worked
    assert not CN.is_working_day(date(2026, 10, 11))  # Sun 11 Oct: an ordinary Sunday
    # without a country the same days are plain weekdays and weekends
    plain = Calendar()
    assert plain.is_working_day(date(2026, 10, 1)) and not plain.is_working_day(date(2026, 9, 20))


def test_spring_festival_2027_is_off():
    # Fri 5 Feb (除夕), Sat 6 to Mon 8 (春节), Tue 9 and Wed 10 (observed): Thu 11 Feb is the first working day
    assert [CN.is_working_day(date(2027, 2, d)) for d in range(4, 12)] == [
        True, False, False, False, False, False, False, True]
    assert CN.working_day(date(2027, 2, 5)) == date(2027, 2, 11)
    assert CN.next_working_day(date(2027, 2, 4)) == date(2027, 2, 11)
    assert CN.holiday(date(2027, 2, 8)) == "Chinese New Year (Spring Festival)"
    assert CN.holiday(date(2027, 2, 8), "zh") == "春节"
    assert CN.holiday(date(2027, 2, 11)) is None and CN.holiday(date(2026, 9, 20)) is None  # worked days


def test_the_work_days_still_count_with_a_country():
    six_days = Calendar((1, 2, 3, 4, 5, 6), "CN")
    assert six_days.is_working_day(date(2026, 11, 28))  # an ordinary Saturday of a six-day week
    assert not six_days.is_working_day(date(2026, 10, 3))  # Sat 3 Oct is 国庆 all the same
    # a caller's own days off come on top
    assert not Calendar(country="CN", days_off=frozenset({date(2026, 11, 25)})).is_working_day(date(2026, 11, 25))


# ---------------------------------------------------------------- the setting


def test_the_country_setting_defaults_to_the_phone_region_and_can_be_none():
    assert country_of(settings_from_dict({})) == "CN"  # "auto", phone_region CN
    assert country_of(settings_from_dict({"phone_region": "hk"})) == "HK"
    assert country_of(settings_from_dict({"workdays": {"country": "sg"}})) == "SG"
    assert country_of(settings_from_dict({"workdays": {"country": "none"}})) == ""
    assert calendar_for(settings_from_dict({"tickets": {"work_days": [1, 2, 3, 4, 5, 6]}})) == Calendar(
        (1, 2, 3, 4, 5, 6), "CN")


@pytest.mark.parametrize("table", [{"country": "China"}, {"country": 86}, {"country": ""}, {"land": "CN"}])
def test_a_wrong_country_is_refused_naming_the_setting(table):
    with pytest.raises(InvalidInput) as caught:
        settings_from_dict({"workdays": table})
    assert caught.value.field in ("config workdays.country", "config workdays")


def test_a_country_the_library_does_not_know_is_refused_when_first_used():
    with pytest.raises(InvalidInput) as caught:
        Calendar(country="ZZ").is_working_day(date(2026, 11, 24))
    assert str(caught.value).startswith("config workdays.country: a country the holidays library knows")


# ---------------------------------------------------------------- revisits, call backs, tickets


def _customer(ctx, name="Acme"):  # type: ignore[no-untyped-def]
    customer = add_customer(ctx, name)
    return customer, add_deal(ctx, customer.id, "Seats", amount="120000")


def test_a_90_day_review_that_lands_on_the_spring_festival_moves_past_it(ctx):
    acme, deal = _customer(ctx)
    # signed Mon 9 Nov 2026: + 21 = Mon 30 Nov, + 31 = Thu 31 Dec (52), + 31 = Sun 31 Jan (83), + 7 = Sun 7 Feb
    # 2027 (90): 春节, off until Wed 10 Feb, so Thu 11 Feb. + 3 = Thu 12 Nov, + 30 = Wed 9 Dec: working days.
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="2026-11-09",
               revisits=parse_plan("3 phone a; 30 visit b; 90 meeting c"))
    assert [r.due_on for r in revisit_timeline(ctx, acme.id).revisits] == [
        date(2026, 11, 12), date(2026, 12, 9), date(2027, 2, 11)]
    planned = schedule([RevisitLine(90, "meeting", "c")], date(2026, 11, 9), CN)[0]
    assert describe(planned, date(2026, 11, 24)) == ("Thu 11 Feb 2027 · Meeting · c (Sun 7 Feb 2027 is a public "
                                                     "holiday, Chinese New Year (Spring Festival): moved to the "
                                                     "next working day)")


def test_a_plan_day_on_a_make_up_sunday_stays_and_one_in_national_day_moves(ctx):
    # signed Fri 21 Aug 2026: + 30 = Sun 20 Sep, a make-up working day: kept; + 41 = Thu 1 Oct: 国庆, so Thu 8 Oct
    planned = schedule(parse_plan("30 visit a; 41 phone b"), date(2026, 8, 21), CN)
    assert [(p.due_on, p.moved_from) for p in planned] == [(date(2026, 9, 20), None),
                                                           (date(2026, 10, 8), date(2026, 10, 1))]
    assert planned[1].holiday == "National Day"
    i18n.set_language("zh")
    try:
        assert schedule(parse_plan("41 phone b"), date(2026, 8, 21), CN)[0].holiday == "国庆节"
    finally:
        i18n.set_language("en")


def test_a_low_score_before_the_spring_festival_calls_back_after_it(ctx, frozen):
    acme, _deal = _customer(ctx)
    frozen.move_to(datetime(2027, 2, 4, 16, 0, tzinfo=ZONE))  # Thu 4 Feb 2027, the day before 除夕
    logged = record_follow_up(ctx, acme.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p",
                              next_at="2027-03-01 10:00", satisfaction=1)
    # Fri 5 to Wed 10 Feb are off: the call back is Thu 11 Feb, not Fri 5 Feb
    assert logged.call_back is not None and logged.call_back.due_on == date(2027, 2, 11)


def test_a_low_score_before_national_day_calls_back_after_it_and_a_make_up_saturday_counts(ctx, frozen):
    acme, _deal = _customer(ctx)
    beta, _other = _customer(ctx, "Beta")
    frozen.move_to(datetime(2026, 9, 30, 16, 0, tzinfo=ZONE))  # Wed 30 Sep 2026
    assert plan_call_back(ctx, acme.id, 2, "follow_up").due_on == date(2026, 10, 8)  # Thu 1 to Wed 7 Oct off
    frozen.move_to(datetime(2026, 10, 9, 16, 0, tzinfo=ZONE))  # Fri 9 Oct
    assert plan_call_back(ctx, beta.id, 2, "follow_up").due_on == date(2026, 10, 10)  # Sat 10 Oct is worked


def test_without_a_country_the_call_back_falls_on_the_holiday(ctx, frozen):
    ctx.settings = replace(ctx.settings, workdays=WorkdaySettings("none"))
    acme, _deal = _customer(ctx)
    frozen.move_to(datetime(2026, 9, 30, 16, 0, tzinfo=ZONE))
    assert plan_call_back(ctx, acme.id, 2, "follow_up").due_on == date(2026, 10, 1)  # Wed -> Thu, 国庆 or not


def _deadlines(ticket):  # type: ignore[no-untyped-def]
    return (ticket.respond_by.replace(tzinfo=UTC).astimezone(ZONE).replace(tzinfo=None),
            ticket.resolve_by.replace(tzinfo=UTC).astimezone(ZONE).replace(tzinfo=None))


def test_a_tickets_working_hours_skip_national_day(ctx, frozen):
    acme, _deal = _customer(ctx)
    frozen.move_to(datetime(2026, 9, 30, 14, 0, tzinfo=ZONE))  # Wed 30 Sep 14:00
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")  # normal: answer in 8 h, resolve in 40 h
    # answer: 14:00-18:00 is 4 h, Thu 1 to Wed 7 Oct off, Thu 8 Oct 09:00 + 4 h = 13:00
    # resolve: 4 h on Wed, 9 h each Thu 8, Fri 9, Sat 10 (make-up), Mon 12 = 40 h at Mon 12 Oct 18:00
    assert _deadlines(ticket) == (datetime(2026, 10, 8, 13, 0), datetime(2026, 10, 12, 18, 0))


def test_a_tickets_working_hours_skip_the_spring_festival(ctx, frozen):
    acme, _deal = _customer(ctx)
    frozen.move_to(datetime(2027, 2, 4, 17, 0, tzinfo=ZONE))  # Thu 4 Feb 2027 17:00
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair", priority="high")  # high: 4 h, 24 h
    # answer: 1 h on Thu, then Thu 11 Feb 09:00 + 3 h = 12:00
    # resolve: 1 h on Thu, 9 h Thu 11, 9 h Fri 12 (19), Mon 15 Feb 09:00 + 5 h = 14:00
    assert _deadlines(ticket) == (datetime(2027, 2, 11, 12, 0), datetime(2027, 2, 15, 14, 0))


def test_without_a_country_a_ticket_counts_the_holiday_as_worked(ctx, frozen):
    ctx.settings = replace(ctx.settings, workdays=WorkdaySettings("none"))
    acme, _deal = _customer(ctx)
    frozen.move_to(datetime(2026, 9, 30, 14, 0, tzinfo=ZONE))
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    assert _deadlines(ticket)[0] == datetime(2026, 10, 1, 13, 0)  # 4 h Wed, Thu 1 Oct 09:00 + 4 h


def test_the_config_file_setting_reaches_crm_stage(ctx, home):
    _customer(ctx)
    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "en"\n'
                                                 '[workdays]\ncountry = "none"\n', encoding="utf-8")
    result = runner.invoke(app, ["stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "2026-11-09",
                                 "--revisit", "90 meeting Review"])
    assert result.exit_code == 0, result.output
    # country none: Sun 7 Feb is only a weekend, Mon 8 Feb (春节 in China) is a working day
    assert "revisit Mon 8 Feb 2027 · Meeting · Review (Sun 7 Feb 2027 is a weekend: moved to the next working day)" \
        in result.stdout
