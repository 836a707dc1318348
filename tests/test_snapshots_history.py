"""Snapshots of a customer's history (`h`, after an edit) and of the undo question (`u` on Today), over the demo
data, at 80x24 and 100x30, in English and in Chinese (the same app, clock and data as tests/test_snapshots.py).

Review a changed snapshot before accepting it: `pytest tests/test_snapshots_history.py --snapshot-update`.
"""

from __future__ import annotations

import pytest

from crmtui.services.customers import edit_customer
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.screens.history import HistoryScreen

from .test_snapshots import SIZES, _settle, demo_app, demo_file, language  # noqa: F401  (fixtures)


def _history_after_an_edit():
    async def run(pilot) -> None:
        await _settle(pilot)
        for key in ("down", "enter"):
            await pilot.press(key)
            await _settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CustomerScreen)
        edit_customer(pilot.app.ctx, screen.customer_id, {"industry": "物流 Logistics", "tier": "A"})
        await pilot.press("h")
        await _settle(pilot)
        assert isinstance(pilot.app.screen, HistoryScreen)

    return run


def _undo_question_after_an_edit():
    async def run(pilot) -> None:
        await _settle(pilot)
        for key in ("down", "enter"):
            await pilot.press(key)
            await _settle(pilot)
        screen = pilot.app.screen
        edit_customer(pilot.app.ctx, screen.customer_id, {"industry": "物流 Logistics"})  # type: ignore[attr-defined]
        await pilot.press("escape")
        await _settle(pilot)
        await pilot.press("u")
        await _settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmScreen)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_the_history_of_a_customer(snap_compare, demo_app, size):  # noqa: F811
    assert snap_compare(demo_app, terminal_size=SIZES[size], run_before=_history_after_an_edit())


@pytest.mark.parametrize("size", SIZES)
def test_the_undo_question(snap_compare, demo_app, size):  # noqa: F811
    assert snap_compare(demo_app, terminal_size=SIZES[size], run_before=_undo_question_after_an_edit())
