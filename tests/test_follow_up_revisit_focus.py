"""The follow-up form of a revisit: after the channel key and y/n the focus goes down the form as it is on
screen (the revisit's satisfaction, then would-recommend, then the goal), and under the next date the form says
the call back a low score will plan on the next working day, as the services word it. Frozen clock: Tue
2026-11-24 10:00 Asia/Shanghai; every day below is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

from textual.widgets import Input, Label, Select

from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.revisits import call_back_note, parse_plan, plan_call_back, revisit_timeline
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.follow_up import FollowUpForm
from tests.pilot import until

from .conftest import ZONE
from .test_tui_revisits import SIZE, _customer_screen, _type


def _won(ctx, plan="3 phone Confirm delivery; 30 visit Check how it is used"):  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="120000")
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today", revisits=parse_plan(plan))
    return acme


def _note(form: FollowUpForm) -> str:
    note = form.query_one("#call-back-note", Label)
    return str(note.render()) if note.display else ""


async def test_the_scores_come_before_the_goal_and_a_low_one_is_warned(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)
    frozen.move_to(datetime(2026, 11, 27, 10, 0, tzinfo=ZONE))  # Fri 27 Nov: the call of day 3 is due
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(app, pilot, acme.id)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        form = app.screen
        # a revisit is due: the form says what a low score does before one is typed (Fri -> Mon 30 Nov)
        assert _note(form) == "A satisfaction of 2 or less plans a call back on Mon 30 Nov"
        await pilot.press("1", "y")
        assert form.focused is form.query_one("#satisfaction", Input)
        await _type(pilot, "2")
        await until(pilot, lambda: _note(form) == "Satisfaction 2/5 is low: a call back will be planned on Mon 30 Nov")
        await pilot.press("tab")
        assert form.focused is form.query_one("#nps", Input)
        await pilot.press("tab")
        assert form.focused is form.query_one("#goal", Input)
        await pilot.press("shift+tab")  # back up the form: the recommendation, as on screen
        assert form.focused is form.query_one("#nps", Input)
        await pilot.press("shift+tab", "backspace")
        await _type(pilot, "5")
        await until(pilot, lambda: _note(form) == "")  # not low: nothing to warn of
        for name, text in (("goal", "g"), ("next-plan", "p"), ("next", "2027-01-05")):
            form.query_one(f"#{name}", Input).value = text
        form.query_one("#notes").text = "n"
        form.query_one("#satisfaction", Input).value = "1"
        await until(pilot, lambda: "Satisfaction 1/5 is low" in _note(form))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FollowUpForm), workers=True)
    # the service planned what the form said: Mon 30 Nov
    call_backs = [r.due_on for r in revisit_timeline(ctx, acme.id).revisits if r.deal_id is None]
    assert call_backs == [date(2026, 11, 30)]


async def test_several_revisits_due_put_the_focus_on_which_one(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx, "3 phone Confirm delivery; 3 visit Train the staff")
    frozen.move_to(datetime(2026, 11, 27, 10, 0, tzinfo=ZONE))  # both due Fri 27 Nov
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(app, pilot, acme.id)
        await pilot.press("l", "2", "n")
        await until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        form = app.screen
        await until(pilot, lambda: form.focused is form.query_one("#revisit", Select))
        assert _note(form) == "A satisfaction of 2 or less plans a call back on Mon 30 Nov"


async def test_no_revisit_due_goes_to_the_goal_without_a_note(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _won(ctx)  # the first revisit is due Fri 27 Nov; today is Tue 24 Nov
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(app, pilot, acme.id)
        await pilot.press("l", "1", "y")
        await until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        form = app.screen
        await until(pilot, lambda: form.focused is form.query_one("#goal", Input))
        assert form.query_one("#revisit-row").display and _note(form) == ""


def test_the_note_says_an_open_call_back_stands(ctx, frozen):
    acme = _won(ctx)
    plan_call_back(ctx, acme.id, 1, "follow_up")  # Tue 24 Nov: call back Wed 25 Nov
    frozen.move_to(datetime(2026, 11, 27, 10, 0, tzinfo=ZONE))
    revisit = next(r for r in revisit_timeline(ctx, acme.id).revisits if r.deal_id is not None)
    assert call_back_note(ctx, acme.id, "2", revisit.id) == (
        "Satisfaction 2/5 is low: a call back is already planned on Wed 25 Nov")
    assert call_back_note(ctx, acme.id, "", revisit.id) == (
        "A satisfaction of 2 or less: the call back already planned on Wed 25 Nov stands")
    assert call_back_note(ctx, acme.id, "3", revisit.id) == ""
    assert call_back_note(ctx, acme.id, "9", revisit.id) == ""  # out of range: the save refuses it on the field
