"""A fast typist in the follow-up form: every key lands in the field it was typed for, however fast it comes.

A terminal hands the app what the rep typed in bursts: the driver reads several keys at once and queues them
all before the app has handled the first, and the app gives each key to the widget focused at that moment.
`burst()` queues keys exactly so, with no pause at all (faster than anyone types, and what a loaded machine
makes of a fast typist); `pilot.press` lets the app settle after each key (a slow typist). The form must
give the same result for both.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, TextArea

from crmtui.tui.app import build_app
from crmtui.tui.dialogs.follow_up import ChoicePicker, FollowUpForm
from crmtui.tui.screens.today import TodayScreen
from crmtui.services.customers import add_customer, customer_detail

SIZE = (100, 30)
NAMED = {" ": "space", "\t": "tab", "\n": "enter"}


def keys_of(text: str) -> list[str]:
    """The keys that type `text` (Tab and Enter written as \\t and \\n)."""
    return [NAMED.get(character, character) for character in text]


def burst(app, keys: list[str]) -> None:
    """Queues the keys as the terminal driver does after one read: all of them, before any is handled."""
    for key in keys:
        character = {"space": " ", "tab": "\t", "enter": "\r"}.get(key, key if len(key) == 1 else None)
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()


@pytest.fixture
def customer(ctx):
    return add_customer(ctx, "张三科技", phone="13800138000")


async def open_form(app, pilot, customer) -> FollowUpForm:
    app.push_screen(FollowUpForm(customer.id, customer.name))
    await settle(pilot)
    form = app.screen
    assert isinstance(form, FollowUpForm)
    return form


def fields(form: FollowUpForm) -> tuple[str | None, bool | None, str, str, str, str]:
    picker = form.query_one(ChoicePicker)
    return (picker.channel, picker.goal_met, form.query_one("#goal", Input).value,
            form.query_one("#notes", TextArea).text, form.query_one("#next-plan", Input).value,
            form.query_one("#next", Input).value)


WHOLE_FORM = "1yquote the price\t预算已批 下周签\tsend 2 quotes\t明天下午3点"
"""Channel 1 and goal met y, then the goal typed at once (it holds q, t, p, o: app keys), CJK notes, a plan
with a digit and a y-less word, the date: one Tab between fields."""
FILLED = ("phone", True, "quote the price", "预算已批 下周签", "send 2 quotes", "明天下午3点")


async def test_a_whole_follow_up_typed_in_one_burst_lands_field_by_field(ctx, customer):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, customer)
        burst(app, keys_of(WHOLE_FORM))
        await settle(pilot)
        assert app.screen is form
        assert fields(form) == FILLED


async def test_the_same_keys_pressed_one_by_one_give_the_same_form(ctx, customer):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, customer)
        await pilot.press(*keys_of(WHOLE_FORM))
        assert fields(form) == FILLED


async def test_text_right_after_y_goes_to_the_goal_and_y_or_a_digit_there_is_text(ctx, customer):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, customer)
        burst(app, keys_of("3nyes 2 y"))
        await settle(pilot)
        assert fields(form)[:3] == ("visit", False, "yes 2 y")


async def test_a_tab_right_after_a_cjk_burst_moves_on_and_shift_tab_comes_back(ctx, customer):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, customer)
        await pilot.press("2", "y")
        burst(app, [*keys_of("确认需求\t客户说预算已批"), "shift+tab", *keys_of("，尽快")])
        await settle(pilot)
        # Back in the goal, the cursor is at the end of its text (the goal keeps what was typed, never selected
        # to be replaced by the next key) and the new text follows it, as when typed slowly; the notes keep theirs.
        assert fields(form)[2:4] == ("确认需求，尽快", "客户说预算已批")


async def test_enter_in_the_notes_is_a_new_line_and_on_the_date_saves_all_that_was_typed(ctx, customer):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, customer)
        burst(app, keys_of("1ygoal\nline one\nline two\tplan\n明天下午3点\n"))
        await settle(pilot)
        assert app.screen is not form
        saved = customer_detail(ctx, customer.id).follow_ups[0]
        assert (saved.goal, saved.notes, saved.next_plan) == ("goal", "line one\nline two", "plan")
        assert saved.next_at is not None and ctx.clock.to_local(saved.next_at).hour == 15  # 下午3点, not 下午


async def test_ctrl_s_right_after_the_last_characters_saves_them(ctx, customer):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, customer)
        burst(app, [*keys_of("1ygoal\tnotes\tplan\t下周五下午3点"), "ctrl+s"])
        await settle(pilot)
        assert app.screen is not form
        saved = customer_detail(ctx, customer.id).follow_ups[0]
        assert ctx.clock.to_local(saved.next_at).strftime("%a %H:%M") == "Fri 15:00"


async def test_keys_typed_right_after_l_on_today_reach_the_form(ctx, frozen):
    from datetime import timedelta

    from crmtui.services.follow_ups import log_follow_up
    from tests.conftest import NOW

    frozen.move_to(NOW - timedelta(days=5))  # a customer 3 days overdue: the first row of Today
    late = add_customer(ctx, "李四科技", phone="13900139000")
    log_follow_up(ctx, late.id, channel="phone", goal="intro", goal_met=True, notes="called", next_plan="call",
                  next_at="in 2 days")
    frozen.move_to(NOW)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.screen.current_item() is not None
        burst(app, keys_of("l1ygoal\tnotes"))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FollowUpForm)
        assert fields(form)[:4] == ("phone", True, "goal", "notes")
