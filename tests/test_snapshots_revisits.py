"""Snapshots of revisits (回访) at 100x30, in English and in Chinese, on a small book made here: the Won form with
its proposed plan, and the customer screen with its revisits (one done with its scores, one overdue, one to come)
and the satisfaction trend.

Review a changed snapshot before accepting it: `pytest tests/test_snapshots_revisits.py --snapshot-update`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from textual.widgets import Input, TextArea

from crmtui.core import i18n
from crmtui.core.clock import Clock
from crmtui.core.config import Settings
from crmtui.services.context import open_context
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import record_follow_up
from crmtui.services.revisits import deal_template
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.stage import GateForm
from crmtui.tui.screens.customer import CustomerScreen
from tests.pilot import until

from .conftest import NOW, ZONE

SIZE = (100, 30)


@pytest.fixture(params=["en", "zh"])
def book_app(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Acme won Seats on Sun 1 Nov with the default plan (Wed 4 Nov, Tue 1 Dec, Sat 30 Jan -> Mon 1 Feb); the
    call of 4 Nov was done on Thu 5 Nov with satisfaction 2 and a later call scored 4. Beta has Line installation
    open, to be won."""
    language = request.param
    monkeypatch.delenv("NO_COLOR")
    i18n.set_language(language)
    settings = Settings(timezone="Asia/Shanghai", language=language)
    ctx = open_context(tmp_path / "crm.db", settings=settings, clock=Clock(ZONE))
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=ZONE), tick=False) as clock:
        acme = add_customer(ctx, "Acme")
        seats = add_deal(ctx, acme.id, "Seats", amount="120000")
        move_stage(ctx, seats.id, "won", contract_no="HT-1", signed="2026-11-01", revisits=deal_template(ctx, seats.id))
        for day, score, nps in ((5, 2, 6), (12, 4, None)):
            clock.move_to(datetime(2026, 11, day, 15, 0, tzinfo=ZONE))
            record_follow_up(ctx, acme.id, channel="phone", goal="How is it going", goal_met=True,
                             notes="Asked about the delivery", next_plan="Visit", next_at="2026-12-01 10:00",
                             satisfaction=score, nps=nps)
        beta = add_customer(ctx, "Beta")
        add_deal(ctx, beta.id, "Line installation", amount="50000")
    with time_machine.travel(NOW, tick=False):
        yield build_app(ctx), acme.id, beta.id
    ctx.close()
    i18n.set_language("en")


async def _steady(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause()


def test_the_customer_screen_shows_revisits_and_the_trend(snap_compare, book_app):
    app, acme, _beta = book_app

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await until(pilot, lambda: app.screen.__class__.__name__ == "TodayScreen")
        app.open_customer(acme)
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
        await until(pilot, lambda: app.screen.query_one("#revisits").display)
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run)


def test_the_won_form_proposes_the_plan(snap_compare, book_app):
    app, _acme, beta = book_app

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await until(pilot, lambda: app.screen.__class__.__name__ == "TodayScreen")
        app.open_customer(beta)
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
        await pilot.press("s", "6")
        await until(pilot, lambda: isinstance(app.screen, GateForm))
        app.screen.query_one("#contract_no", Input).value = "HT-2"
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run)
