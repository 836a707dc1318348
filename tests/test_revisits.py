"""Revisit plans (回访) at the service level: the plan a won deal gets, weekends, the rep's edits, completing a
revisit with a satisfaction score, and a low score's call back.

The clock is frozen at Tue 2026-11-24 10:00 Asia/Shanghai (conftest); every day below is worked out by hand.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime

import pytest

from crmtui.core.config import RevisitStep, RevisitTemplate, settings_from_dict
from crmtui.core.errors import Ambiguous, InvalidInput, MissingFields
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import amend_follow_up, log_follow_up, record_follow_up
from crmtui.services.revisits import (
    RevisitLine,
    deal_plan,
    deal_template,
    describe,
    is_low,
    due_revisits,
    next_working_day,
    parse_line,
    parse_plan,
    plan_call_back,
    plan_preview,
    revisit_timeline,
    schedule,
    sparkline,
    template_lines,
)

from .conftest import ZONE

TUESDAY = date(2026, 11, 24)


def _won(ctx, title="Seats", signed="today", revisits=None, name="Acme"):
    customer = add_customer(ctx, name)
    deal = add_deal(ctx, customer.id, title, amount="120000")
    lines = deal_template(ctx, deal.id) if revisits is None else revisits
    move_stage(ctx, deal.id, "won", contract_no=f"HT-{name}", signed=signed, revisits=lines)
    return customer, deal


def _log(ctx, customer_id, **more):
    values = dict(channel="phone", goal="ask how it goes", goal_met=True, notes="fine", next_plan="renewal talk",
                  next_at="2027-01-05 10:00")
    values.update(more)
    return record_follow_up(ctx, customer_id, **values)


# ---------------------------------------------------------------- the plan


def test_the_default_plan_is_a_call_at_3_days_a_visit_at_30_and_a_review_at_90(ctx):
    acme, _deal = _won(ctx)
    timeline = revisit_timeline(ctx, acme.id)
    # signed Tue 24 Nov: +3 Fri 27 Nov; +30 Thu 24 Dec; +90: 6 days left of Nov, 31 of Dec (37), 31 of Jan (68),
    # 22 of Feb (90) -> 2027-02-22, a Monday (90 = 12 weeks + 6 days after a Tuesday)
    assert [(r.due_on, r.channel, r.purpose) for r in timeline.revisits] == [
        (date(2026, 11, 27), "phone", "Confirm delivery"),
        (date(2026, 12, 24), "visit", "Check how it is used"),
        (date(2027, 2, 22), "meeting", "Review"),
    ]
    assert all(not r.done for r in timeline.revisits)


def test_a_move_to_won_without_a_plan_plans_nothing(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="1000")
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today")
    assert revisit_timeline(ctx, acme.id).revisits == ()


def test_a_plan_is_refused_on_a_move_that_is_not_to_won(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="1000")
    with pytest.raises(InvalidInput) as caught:
        move_stage(ctx, deal.id, "proposal", revisits=[RevisitLine(3, "phone", "x")])
    assert caught.value.field == "revisit_plan"


def test_a_day_on_a_weekend_moves_to_the_monday_after_and_says_so(ctx):
    # Tue 24 Nov + 4 = Sat 28 Nov, + 5 = Sun 29 Nov: both Mon 30 Nov; + 6 is that Monday itself
    planned = schedule([RevisitLine(4, "phone", "a"), RevisitLine(5, "phone", "b"), RevisitLine(6, "phone", "c")],
                       TUESDAY)
    assert [(p.due_on, p.moved_from) for p in planned] == [
        (date(2026, 11, 30), date(2026, 11, 28)), (date(2026, 11, 30), date(2026, 11, 29)), (date(2026, 11, 30), None)]
    preview = plan_preview(ctx, "4 phone a", "today")
    assert "Mon 30 Nov" in preview and "Sat 28 Nov is a weekend" in preview


def test_the_next_working_day_after_a_friday_is_monday():
    assert next_working_day(date(2026, 11, 27)) == date(2026, 11, 30)  # Fri -> Mon
    assert next_working_day(TUESDAY) == date(2026, 11, 25)  # Tue -> Wed
    assert next_working_day(date(2026, 11, 28)) == date(2026, 11, 30)  # Sat -> Mon


def test_a_signing_day_in_the_past_counts_from_that_day(ctx):
    acme, _deal = _won(ctx, signed="2026-11-01")
    # Sun 1 Nov + 3 = Wed 4 Nov (already past: due now); + 30 = Tue 1 Dec; + 90 = Sat 30 Jan 2027 -> Mon 1 Feb
    assert [r.due_on for r in revisit_timeline(ctx, acme.id).revisits] == [
        date(2026, 11, 4), date(2026, 12, 1), date(2027, 2, 1)]
    assert [r.due_on for r in due_revisits(ctx)] == [date(2026, 11, 4)]


def test_a_template_is_chosen_by_a_word_of_the_deal_title(ctx):
    settings = replace(ctx.settings, revisits=replace(ctx.settings.revisits, templates=(
        RevisitTemplate(("安装", "install"), (RevisitStep(7, "visit", "Check the installation", "检查安装"),)),)))
    assert template_lines(settings, "Line INSTALLATION") == [RevisitLine(7, "visit", "Check the installation")]
    assert template_lines(settings, "设备安装") == [RevisitLine(7, "visit", "Check the installation")]
    assert [line.days for line in template_lines(settings, "Seats")] == [3, 30, 90]


def test_the_chinese_purpose_is_proposed_to_a_chinese_rep(ctx, monkeypatch):
    from crmtui.core import i18n

    monkeypatch.setattr(i18n, "language", "zh")
    assert [line.purpose for line in template_lines(ctx.settings, "x")] == ["确认交付", "检查使用情况", "回顾"]


# ---------------------------------------------------------------- the rep's edits


def test_a_plan_as_edited_adds_removes_and_changes_lines(ctx):
    lines = parse_plan("3 phone 确认交付; 45 拜访 检查安装；10 回顾")
    # sorted by days; 拜访 is the visit channel; no channel word: a phone call
    assert lines == [RevisitLine(3, "phone", "确认交付"), RevisitLine(10, "phone", "回顾"),
                     RevisitLine(45, "visit", "检查安装")]
    acme, _deal = _won(ctx, revisits=lines)
    # Tue 24 Nov + 10 = Fri 4 Dec; + 45 = Fri 8 Jan 2027 (7 of Nov left... 6 + 31 = 37, + 8 = 45)
    assert [r.due_on for r in revisit_timeline(ctx, acme.id).revisits] == [
        date(2026, 11, 27), date(2026, 12, 4), date(2027, 1, 8)]


def test_an_empty_plan_plans_nothing(ctx):
    acme, _deal = _won(ctx, revisits=parse_plan(""))
    assert revisit_timeline(ctx, acme.id).revisits == ()


@pytest.mark.parametrize("text", ["visit 检查", "30", "99999 phone x", "-3 phone x"])
def test_a_wrong_plan_line_names_the_field_and_the_form(text):
    with pytest.raises(InvalidInput) as caught:
        parse_line(text)
    assert caught.value.field == "revisit_plan"


def test_a_config_names_a_wrong_step():
    with pytest.raises(InvalidInput) as caught:
        settings_from_dict({"revisits": {"steps": [{"days": 3, "channel": "fax", "purpose": "x"}]}})
    assert caught.value.field == "config revisits.steps[1].channel"
    with pytest.raises(InvalidInput) as caught:
        settings_from_dict({"revisits": {"low_score": 6}})
    assert caught.value.field == "config revisits.low_score"
    with pytest.raises(InvalidInput) as caught:
        settings_from_dict({"revisits": {"templates": [{"match": [], "steps": []}]}})
    assert caught.value.field == "config revisits.templates[1].match"


# ---------------------------------------------------------------- completing a revisit


def test_a_score_completes_the_one_revisit_due_by_today(ctx, frozen):
    acme, _deal = _won(ctx)
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))  # Fri 27 Nov: the 3-day call is due
    logged = _log(ctx, acme.id, satisfaction="4", nps=9)
    assert logged.revisit is not None and logged.revisit.due_on == date(2026, 11, 27)
    timeline = revisit_timeline(ctx, acme.id)
    first = timeline.revisits[0]
    assert (first.done, first.follow_up_id, first.satisfaction, first.nps) == (True, logged.row.id, 4, 9)
    assert [r.done for r in timeline.revisits[1:]] == [False, False]
    assert [(s.satisfaction, s.nps) for s in timeline.scores] == [(4, 9)]
    assert not logged.low_score


def test_a_score_with_nothing_due_completes_nothing_but_is_kept(ctx):
    acme, _deal = _won(ctx)  # the first revisit is due Fri 27 Nov; today is Tue 24 Nov
    logged = _log(ctx, acme.id, satisfaction=5)
    assert logged.revisit is None
    timeline = revisit_timeline(ctx, acme.id)
    assert [r.done for r in timeline.revisits] == [False, False, False]
    assert [s.satisfaction for s in timeline.scores] == [5]


def test_two_revisits_due_are_never_chosen_between_silently(ctx, frozen):
    acme, _deal = _won(ctx)
    frozen.move_to(datetime(2026, 12, 28, 10, 0, tzinfo=ZONE))  # both Fri 27 Nov and Thu 24 Dec are due
    with pytest.raises(Ambiguous) as caught:
        _log(ctx, acme.id, satisfaction=4)
    assert len(caught.value.matches) == 2
    assert "say which with --revisit" in caught.value.message()  # the customer was found: which revisit, how
    assert revisit_timeline(ctx, acme.id).scores == ()  # refused: nothing written
    logged = _log(ctx, acme.id, satisfaction=4, revisit="how it is used")
    assert logged.revisit is not None and logged.revisit.due_on == date(2026, 12, 24)
    logged = _log(ctx, acme.id, satisfaction=3, revisit="2026-11-27")
    assert logged.revisit is not None and logged.revisit.due_on == date(2026, 11, 27)
    assert [r.done for r in revisit_timeline(ctx, acme.id).revisits] == [True, True, False]


def test_a_revisit_named_that_is_not_open_is_refused_naming_the_open_ones(ctx):
    acme, _deal = _won(ctx)
    with pytest.raises(InvalidInput) as caught:
        _log(ctx, acme.id, satisfaction=4, revisit="installation")
    assert caught.value.field == "revisit"
    assert "2026-11-27 Confirm delivery" in caught.value.message()


@pytest.mark.parametrize(("given", "field"), [
    (dict(satisfaction="6"), "satisfaction"), (dict(satisfaction="0"), "satisfaction"),
    (dict(satisfaction="good"), "satisfaction"), (dict(satisfaction=3, nps="11"), "nps"),
    (dict(satisfaction=3, nps="-1"), "nps")])
def test_scores_out_of_range_name_the_field_and_the_range(ctx, given, field):
    acme, _deal = _won(ctx)
    with pytest.raises(InvalidInput) as caught:
        _log(ctx, acme.id, **given)
    assert caught.value.field == field
    assert ("1 to 5" if field == "satisfaction" else "0 to 10") in caught.value.message()


def test_a_recommendation_or_a_named_revisit_needs_the_satisfaction(ctx):
    acme, _deal = _won(ctx)
    for given in (dict(nps=8), dict(nps=0), dict(revisit="Review")):  # 0 is a score too
        with pytest.raises(MissingFields) as caught:
            _log(ctx, acme.id, **given)
        assert caught.value.fields == ["satisfaction"]


def test_the_bounds_of_the_scores_are_accepted(ctx):
    acme, _deal = _won(ctx)
    _log(ctx, acme.id, satisfaction=5, nps=0)
    _log(ctx, acme.id, satisfaction=3, nps=10)
    # both given at the same frozen moment: their order is a tie, so compared as a set
    assert sorted((s.satisfaction, s.nps) for s in revisit_timeline(ctx, acme.id).scores) == [(3, 10), (5, 0)]


def _next(ctx, customer_id):
    with sqlite3.connect(ctx.db.path) as connection:
        return connection.execute("SELECT next_follow_up_at FROM customer WHERE id = ?", (customer_id,)).fetchone()[0]


def _call_backs(ctx, customer_id):
    """The customer's open call backs (revisits of no deal), as (due day, purpose)."""
    return [(r.due_on, r.purpose) for r in revisit_timeline(ctx, customer_id).revisits
            if r.deal_id is None and not r.done]


def test_a_low_score_plans_a_call_back_the_next_working_day_and_keeps_the_next_follow_up(ctx, frozen):
    acme, _deal = _won(ctx)
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))  # Fri 27 Nov
    logged = _log(ctx, acme.id, satisfaction=2)  # the rep planned Tue 5 Jan 10:00
    assert logged.low_score and logged.revisit is not None
    # the next working day after Friday is Mon 30 Nov: a dated task of its own, on the agenda's Revisits
    assert logged.call_back is not None and (logged.call_back.due_on, logged.call_back.new) == (date(2026, 11, 30), True)
    assert _call_backs(ctx, acme.id) == [(date(2026, 11, 30), "Call back: satisfaction 2/5 on the revisit, put it right")]
    # the next follow-up the rep typed stays: Tue 5 Jan 10:00 Shanghai = 02:00 UTC, its plan as typed
    assert _next(ctx, acme.id) == "2027-01-05 02:00:00.000000"
    assert logged.row.next_plan == "renewal talk"
    assert (date(2026, 11, 30), "Acme") in [(r.due_on, r.customer_name) for r in due_revisits(ctx, date(2026, 11, 30))]


def test_a_score_above_the_mark_plans_no_call_back(ctx):
    acme, _deal = _won(ctx)
    logged = _log(ctx, acme.id, satisfaction=3)  # the default mark is 2
    assert not logged.low_score and logged.call_back is None
    assert _call_backs(ctx, acme.id) == []
    assert _next(ctx, acme.id) == "2027-01-05 02:00:00.000000"  # 10:00 Shanghai
    assert logged.row.next_plan == "renewal talk"


def test_a_second_low_score_keeps_the_call_back_already_open(ctx, frozen):
    acme, _deal = _won(ctx)
    first = _log(ctx, acme.id, satisfaction=1)  # Tue 24 Nov: call back Wed 25 Nov
    assert first.call_back is not None and first.call_back.due_on == date(2026, 11, 25)
    # a follow-up (no revisit due now: the plan's first is Fri 27 Nov) scored low again on Wed
    frozen.move_to(datetime(2026, 11, 25, 8, 0, tzinfo=ZONE))
    again = record_follow_up(ctx, acme.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p",
                             next_at="2027-01-05 10:00", satisfaction=2, revisit="Call back")
    # it completed the open call back (named by words of its purpose), so a new one is planned: Thu 26 Nov
    assert again.revisit is not None and again.revisit.deal_id is None
    assert again.call_back is not None and (again.call_back.due_on, again.call_back.new) == (date(2026, 11, 26), True)
    third = _log(ctx, acme.id, satisfaction=2)  # no revisit named or due by Wed: the Thu call back stands
    assert third.call_back is not None and (third.call_back.due_on, third.call_back.new) == (date(2026, 11, 26), False)
    assert [day for day, _purpose in _call_backs(ctx, acme.id)] == [date(2026, 11, 26)]


def test_the_low_mark_comes_from_the_settings(ctx):
    ctx.settings = replace(ctx.settings, revisits=replace(ctx.settings.revisits, low_score=3))
    acme, _deal = _won(ctx)
    assert _log(ctx, acme.id, satisfaction=3).low_score
    assert _call_backs(ctx, acme.id)[0][0] == date(2026, 11, 25)  # Tue 24 Nov -> Wed 25 Nov
    assert is_low(ctx.settings, 3) and not is_low(ctx.settings, 4) and not is_low(ctx.settings, None)


def test_a_call_back_counts_the_configured_work_days(ctx, frozen):
    # a six-day week: Saturday works, Sunday does not
    ctx.settings = replace(ctx.settings, tickets=replace(ctx.settings.tickets, work_days=(1, 2, 3, 4, 5, 6)))
    acme = add_customer(ctx, "Acme")
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))  # Fri 27 Nov -> Sat 28 Nov
    assert plan_call_back(ctx, acme.id, 1, "follow_up").due_on == date(2026, 11, 28)
    beta = add_customer(ctx, "Beta")
    frozen.move_to(datetime(2026, 11, 28, 15, 0, tzinfo=ZONE))  # Sat 28 Nov -> (Sun off) Mon 30 Nov
    assert plan_call_back(ctx, beta.id, 1, "follow_up").due_on == date(2026, 11, 30)


def test_a_plan_counts_the_configured_work_days(ctx):
    ctx.settings = replace(ctx.settings, tickets=replace(ctx.settings.tickets, work_days=(1, 2, 3, 4, 5, 6)))
    _acme, seats = _won(ctx, revisits=[])
    # signed Tue 24 Nov: +4 = Sat 28 Nov works now; +5 = Sun 29 Nov -> Mon 30 Nov, "not a working day"
    planned = deal_plan(ctx, seats.id, [RevisitLine(4, "phone", "a"), RevisitLine(5, "phone", "b")])
    assert [(p.due_on, p.moved_from) for p in planned] == [(date(2026, 11, 28), None),
                                                          (date(2026, 11, 30), date(2026, 11, 29))]
    # a Monday off: Sun 29 Nov is then moved to Tue 1 Dec and said not to be a working day (not "a weekend")
    ctx.settings = replace(ctx.settings, tickets=replace(ctx.settings.tickets, work_days=(2, 3, 4, 5, 6)))
    moved = deal_plan(ctx, seats.id, [RevisitLine(6, "phone", "c")])[0]  # Mon 30 Nov -> Tue 1 Dec
    assert (moved.due_on, moved.moved_from) == (date(2026, 12, 1), date(2026, 11, 30))
    assert "(Mon 30 Nov is not a working day: moved to the next one)" in describe(moved, TUESDAY)


def test_plan_call_back_for_a_ticket_names_it_and_only_a_low_score_plans_one(ctx):
    acme = add_customer(ctx, "Acme")
    assert plan_call_back(ctx, acme.id, 3, "ticket", "T-0007") is None  # above the mark of 2
    assert plan_call_back(ctx, acme.id, None, "ticket", "T-0007") is None
    planned = plan_call_back(ctx, acme.id, 2, "ticket", "T-0007")
    assert planned is not None and planned.due_on == date(2026, 11, 25)  # Tue -> Wed
    assert _call_backs(ctx, acme.id) == [(date(2026, 11, 25), "Call back: satisfaction 2/5 on ticket T-0007, put it right")]
    with pytest.raises(ValueError):
        plan_call_back(ctx, acme.id, 1, "email")


def test_a_correction_keeps_the_score_and_the_revisit_it_completed(ctx, frozen):
    acme, _deal = _won(ctx)
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))
    _log(ctx, acme.id, satisfaction=4, nps=7)
    fixed = amend_follow_up(ctx, acme.id, notes="fine, and wants training")
    timeline = revisit_timeline(ctx, acme.id)
    assert (timeline.revisits[0].follow_up_id, timeline.revisits[0].satisfaction) == (fixed.id, 4)
    assert [(s.satisfaction, s.nps) for s in timeline.scores] == [(4, 7)]


def test_a_follow_up_without_scores_completes_nothing(ctx, frozen):
    acme, _deal = _won(ctx)
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))
    log_follow_up(ctx, acme.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p",
                  next_at="2027-01-05 10:00")
    assert [r.done for r in revisit_timeline(ctx, acme.id).revisits] == [False, False, False]
    assert [r.due_on for r in due_revisits(ctx)] == [date(2026, 11, 27)]


def test_the_open_revisits_due_by_a_day_across_customers(ctx):
    _won(ctx, name="Acme")
    _won(ctx, name="Beta", signed="2026-11-20")
    # Acme: Fri 27 Nov, Thu 24 Dec...; Beta (Fri 20 Nov): +3 = Mon 23 Nov, +30 = Sun 20 Dec -> Mon 21 Dec
    assert [(r.customer_name, r.due_on) for r in due_revisits(ctx)] == [("Beta", date(2026, 11, 23))]
    assert [(r.customer_name, r.due_on) for r in due_revisits(ctx, date(2026, 12, 21))] == [
        ("Beta", date(2026, 11, 23)), ("Acme", date(2026, 11, 27)), ("Beta", date(2026, 12, 21))]


def test_the_trend_is_a_bar_a_score(ctx):
    from crmtui.store.revisits import Score

    at = datetime(2026, 11, 1, tzinfo=ZONE)
    assert sparkline([Score(at, 1, None), Score(at, 5, None), Score(at, 3, 8)]) == "▁█▄"


def test_a_plan_shown_for_editing_reads_back_as_it_was_in_both_languages(ctx, monkeypatch):
    from crmtui.core import i18n
    from crmtui.services.revisits import plan_text

    try:
        i18n.set_language("zh")
        lines = template_lines(ctx.settings, "Seats")
        assert plan_text(lines) == "3 电话 确认交付; 30 拜访 检查使用情况; 90 会议 回顾"
        assert parse_plan(plan_text(lines)) == lines
    finally:
        i18n.set_language("en")
    lines = template_lines(ctx.settings, "Seats")
    assert parse_plan(plan_text(lines)) == lines


def test_leaving_won_drops_the_open_revisits_and_keeps_the_done_one(ctx, frozen):
    acme, deal = _won(ctx)
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))
    _log(ctx, acme.id, satisfaction=4)  # the call of Fri 27 Nov is done
    move_stage(ctx, deal.id, "negotiation", reopen=True)
    assert [(r.due_on, r.done) for r in revisit_timeline(ctx, acme.id).revisits] == [(date(2026, 11, 27), True)]
    assert due_revisits(ctx, date(2027, 12, 31)) == []


def test_removing_a_won_deal_drops_its_open_revisits(ctx):
    from crmtui.services.deals import delete_deal

    acme, deal = _won(ctx)
    other, _ = _won(ctx, name="Beta")
    delete_deal(ctx, deal.id)
    assert revisit_timeline(ctx, acme.id).revisits == ()
    assert len(revisit_timeline(ctx, other.id).revisits) == 3


# ---------------------------------------------------------------- the edges the mutation run found


def test_a_plan_may_reach_3650_days_and_no_further():
    assert parse_line("3650 phone ten years").days == 3650
    with pytest.raises(InvalidInput):
        parse_line("3651 phone ten years and a day")


def test_the_preview_counts_from_today_when_no_signing_day_is_given_and_reads_it_as_past(ctx):
    # no day: today, Tue 24 Nov + 3 = Fri 27 Nov
    assert plan_preview(ctx, "3 phone x", "").startswith("Fri 27 Nov · Phone · x")
    # 周五 as a signing day is the Friday before (Fri 20 Nov), + 3 = Mon 23 Nov: past, so due now
    assert plan_preview(ctx, "3 phone x", "周五") == "Mon 23 Nov · Phone · x (already past: it is due now)"
    # a revisit due today is not past
    assert plan_preview(ctx, "0 phone x", "today") == "Tue 24 Nov · Phone · x"


def test_a_revisit_is_named_without_the_plans_notes(ctx):
    from crmtui.services.revisits import revisit_label
    from crmtui.store.revisits import RevisitRow

    late = RevisitRow(id="r1", customer_id="c", deal_id=None, due_on=date(2026, 11, 20), purpose="Call",
                      channel=None, follow_up_id=None, done_at=None, satisfaction=None, nps=None)
    # written elsewhere without a channel: a phone call; past, but a label says no more than its day
    assert revisit_label(late, TUESDAY) == "Fri 20 Nov · Phone · Call"


def test_a_revisit_is_named_by_its_id_or_its_first_four_characters(ctx):
    from crmtui.services.revisits import choose_revisit

    acme, _deal = _won(ctx)
    open_ones = list(revisit_timeline(ctx, acme.id).revisits)
    review = open_ones[2]
    assert choose_revisit(open_ones, review.id, TUESDAY, "Acme") is review
    assert choose_revisit(open_ones, review.id[:4].upper(), TUESDAY, "Acme") is review
    # three characters are no id prefix: they are looked for in the purposes, where they are not
    prefix = review.id[:3]
    if all(prefix not in r.purpose.casefold() for r in open_ones):
        with pytest.raises(InvalidInput):
            choose_revisit(open_ones, prefix, TUESDAY, "Acme")


def test_a_deal_plan_is_on_the_days_of_its_own_live_contract(ctx):
    from crmtui.services.revisits import deal_plan

    lines = [RevisitLine(3, "phone", "x")]
    _acme, seats = _won(ctx, revisits=[])
    _beta, gears = _won(ctx, name="Beta", signed="2026-11-20", revisits=[])
    # Seats signed Tue 24 Nov + 3 = Fri 27 Nov; Gears signed Fri 20 Nov + 3 = Mon 23 Nov
    assert [p.due_on for p in deal_plan(ctx, seats.id, lines)] == [date(2026, 11, 27)]
    assert [p.due_on for p in deal_plan(ctx, gears.id, lines)] == [date(2026, 11, 23)]
    assert deal_plan(ctx, seats.id, []) == []
    move_stage(ctx, seats.id, "negotiation", reopen=True)  # its contract is voided
    assert deal_plan(ctx, seats.id, lines) == []


def test_the_trend_leaves_out_a_score_no_rep_could_give():
    from crmtui.store.revisits import Score

    at = datetime(2026, 11, 1, tzinfo=ZONE)
    # a 0 or a 6 can only come from a hostile or broken sync: no bar for it, rather than a wrong one
    assert sparkline([Score(at, 0, None), Score(at, 2, None), Score(at, 6, None)]) == "▂"


# ---------------------------------------------------------------- working days, the store's reads, ticket scores


def test_a_working_day_is_one_rule_of_configured_days_and_days_off():
    from crmtui.core.workdays import is_working_day, next_working_day as core_next, working_day

    friday, saturday, sunday, monday = date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)
    # the default: Monday to Friday, as the old fixed weekend
    assert (working_day(saturday), working_day(sunday), working_day(friday)) == (monday, monday, friday)
    assert core_next(friday) == monday
    # a six-day week; a Sunday-to-Thursday week (Friday and Saturday off)
    assert core_next(friday, (1, 2, 3, 4, 5, 6)) == saturday
    assert core_next(date(2026, 11, 26), (7, 1, 2, 3, 4)) == sunday  # Thu 26 Nov -> Sun 29 Nov
    # a day off (a public holiday) is skipped too: Mon 30 Nov off -> Tue 1 Dec
    assert core_next(friday, days_off={monday}) == date(2026, 12, 1)
    assert not is_working_day(monday, days_off=[monday]) and is_working_day(monday)
    # no work day at all (a config refuses it): the day itself, never an endless loop
    assert working_day(saturday, ()) == saturday


def test_the_proposed_plan_of_a_removed_deal_is_the_default_one(ctx):
    from crmtui.services.deals import delete_deal

    ctx.settings = replace(ctx.settings, revisits=replace(ctx.settings.revisits, templates=(
        RevisitTemplate(("install",), (RevisitStep(7, "visit", "Check the installation"),)),)))
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Line install", amount="1000")
    assert [line.days for line in deal_template(ctx, deal.id)] == [7]
    delete_deal(ctx, deal.id)
    assert [line.days for line in deal_template(ctx, deal.id)] == [3, 30, 90]  # the default plan


def test_a_ticket_closed_with_a_score_is_in_the_trend_named_by_its_ticket(ctx, frozen):
    from crmtui.services.tickets import add_ticket, close_ticket

    acme, _deal = _won(ctx)
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))  # Fri 27 Nov: the plan's first revisit
    _log(ctx, acme.id, satisfaction=4)
    frozen.move_to(datetime(2026, 11, 30, 11, 0, tzinfo=ZONE))
    ticket = add_ticket(ctx, acme.id, "Noisy pump", kind="repair")
    close_ticket(ctx, ticket.id, "replaced the bearing", satisfaction=3)
    other = add_ticket(ctx, acme.id, "Manual", kind="consultation")
    close_ticket(ctx, other.id, "sent it")  # no score: not in the trend
    frozen.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=ZONE))
    _log(ctx, acme.id, satisfaction=5)
    scores = revisit_timeline(ctx, acme.id).scores
    # oldest first: Fri 27 Nov follow-up 4, Mon 30 Nov ticket 3, Tue 1 Dec follow-up 5
    assert [(s.satisfaction, s.ticket) for s in scores] == [(4, None), (3, ticket.number), (5, None)]
    assert sparkline(scores) == "▆▄█"


def test_a_ticket_closed_with_a_low_score_plans_the_call_back(ctx, frozen):
    from crmtui.services.tickets import add_ticket, close_ticket

    acme = add_customer(ctx, "Acme")
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))  # Fri 27 Nov -> Mon 30 Nov
    fine = add_ticket(ctx, acme.id, "Manual", kind="consultation")
    close_ticket(ctx, fine.id, "sent it", satisfaction=3)  # above the mark of 2: none
    assert _call_backs(ctx, acme.id) == []
    pump = add_ticket(ctx, acme.id, "Noisy pump", kind="repair")
    close_ticket(ctx, pump.id, "replaced the bearing", satisfaction=1)
    assert _call_backs(ctx, acme.id) == [
        (date(2026, 11, 30), f"Call back: satisfaction 1/5 on ticket {pump.number}, put it right")]
