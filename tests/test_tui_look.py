"""The look, as the terminal gets it, in a dark and a light theme: headings stand apart from rows, the focused field
and the picked choice are visible, and a picked choice never runs into the next one."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from textual.geometry import Region
from textual.widgets import Input, Static

from crmtui.services.customers import add_contact, add_customer
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.follow_up import ChoicePicker, FollowUpForm
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.screens.today import TodayScreen
from tests.pilot import until

from .conftest import NOW

_until = partial(until, workers=True)

THEMES = ["textual-dark", "textual-light"]


@pytest.fixture
def customer(ctx, frozen, monkeypatch):
    """An overdue customer with a contact and a deal; colours on (the suite's NO_COLOR would hide them)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    frozen.move_to(NOW - timedelta(days=5))
    found = add_customer(ctx, "Blue Sky Foods", phone="13800138000")
    add_contact(ctx, found.id, "Ann Lee", title="Buyer")
    add_deal(ctx, found.id, "CRM seats", amount="50000")
    log_follow_up(ctx, found.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at="in 2 days")
    frozen.move_to(NOW)
    return found


def _background(widget) -> object:
    return widget.rich_style.bgcolor


@pytest.mark.parametrize("theme", THEMES)
async def test_headings_stand_apart_from_the_rows(ctx, customer, theme) -> None:
    app = build_app(ctx, theme=theme)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_customer(customer.id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and "Blue Sky" in str(
            app.screen.query_one("#customer-title", Static).render()))
        title = app.screen.query_one("#customer-title", Static)
        section = app.screen.query_one("#contacts-title", Static)
        profile = app.screen.query_one("#profile", Static)
        assert _background(title) != _background(profile)
        assert title.rich_style.bold and section.rich_style.bold
        # a section reads as a heading by its own colour, not as one more row in bold
        assert section.rich_style.color != profile.rich_style.color
        assert _background(section) not in (_background(profile), _background(title))


@pytest.mark.parametrize("theme", THEMES)
async def test_the_focused_field_and_the_picked_choice_are_visible(ctx, customer, theme) -> None:
    app = build_app(ctx, theme=theme)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, TodayScreen))
        app.log_follow_up(customer.id, customer.name)
        await _until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        form = app.screen
        picker = form.query_one(ChoicePicker)
        dialog = form.query_one("#follow-up")
        goal, plan = form.query_one("#goal", Input), form.query_one("#next-plan", Input)
        focused_picker = _background(picker)
        await pilot.press("2", "y")  # both answers in: the focus moves on to the goal
        await _until(pilot, lambda: app.focused is goal)
        assert focused_picker != _background(picker)  # the picker showed that it had the focus
        assert _background(plan) != _background(dialog)  # an empty field shows where it is
        assert _background(goal) not in (_background(plan), _background(dialog))  # the focused one stands out


@pytest.mark.parametrize("theme", THEMES)
async def test_a_picked_choice_keeps_its_gap_to_the_next(ctx, customer, theme) -> None:
    app = build_app(ctx, theme=theme)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, TodayScreen))
        app.log_follow_up(customer.id, customer.name)
        await _until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        picker = app.screen.query_one(ChoicePicker)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        lines = picker.render_lines(Region(0, 0, picker.size.width, 2))
        for line, picked, after in ((lines[0], "2 WeChat", "3 "), (lines[1], "y yes", "n ")):
            segments = [segment for segment in line if segment.text]
            index = next(i for i, segment in enumerate(segments) if segment.text == picked)
            assert segments[index].style.bgcolor != segments[index + 1].style.bgcolor  # the pick is marked
            # the gap is its own span, so that a picture of the screen keeps it; no span starts with a space
            assert segments[index + 1].text == "  " and segments[index + 2].text.startswith(after)
            assert not [s.text for s in segments if s.text.startswith(" ") and s.text.strip()]
