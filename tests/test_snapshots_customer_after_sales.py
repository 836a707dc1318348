"""Snapshots of the customer screen after the sale at 100x30, in English and in Chinese, on a small book made here:
the service cycle and warranty under the profile (the customer's and a contract's own), the Tickets panel, and the
form that moves a revisit with the day it read.

Review a changed snapshot before accepting it: `pytest tests/test_snapshots_customer_after_sales.py
--snapshot-update`, then compare the pictures' text.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest
import time_machine
from textual.widgets import Input, TextArea

from crmtui.core import i18n
from crmtui.core.clock import Clock
from crmtui.core.config import Settings
from crmtui.services.context import open_context
from crmtui.services.customers import add_customer, edit_contract_service, edit_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.revisits import RevisitLine
from crmtui.services.tickets import add_ticket, close_ticket
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.revisit import RevisitChangeForm
from crmtui.tui.screens.customer import CustomerScreen
from tests.pilot import until

from .conftest import NOW, ZONE

SIZE = (100, 30)


@pytest.fixture(params=["en", "zh"])
def book_app(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Acme won Seats on Tue 1 Sep (contract HT-1) with two open revisits: Fri 4 Sep (late) and Mon 30 Nov. Acme is serviced every 6 months (from the signing), its warranty ends Fri 4 Dec; HT-1 has its
    own cycle of 3 months and a warranty that ended Fri 20 Nov. Two tickets: one open, one closed."""
    language = request.param
    monkeypatch.delenv("NO_COLOR")
    i18n.set_language(language)
    settings = Settings(timezone="Asia/Shanghai", language=language)
    ctx = open_context(tmp_path / "crm.db", settings=settings, clock=Clock(ZONE))
    # ticket numbers come from the records' random ids: the same ids each run, for the same pictures
    seeded = random.Random(17)
    with time_machine.travel(NOW, tick=False), monkeypatch.context() as patch:
        patch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=seeded.getrandbits(128), version=4))
        acme = add_customer(ctx, "Acme")
        seats = add_deal(ctx, acme.id, "Seats", amount="120000")
        move_stage(ctx, seats.id, "won", contract_no="HT-1", signed="2026-09-01", complete_schedule=True,
                   revisits=[RevisitLine(3, "phone", "Confirm delivery"), RevisitLine(90, "visit", "Check use")])
        edit_customer(ctx, acme.id, {"service_months": "6", "warranty_until": "2026-12-04"})
        edit_contract_service(ctx, "HT-1", {"service_months": "3", "warranty_until": "2026-11-20"})
        first = add_ticket(ctx, acme.id, "Pump leaks", kind="repair", priority="urgent")
        close_ticket(ctx, first.id, "Seal replaced")
        add_ticket(ctx, acme.id, "Annual check", kind="maintenance", priority="low", due="2026-11-30")
    with time_machine.travel(NOW, tick=False):
        yield build_app(ctx), acme.id
    ctx.close()
    i18n.set_language("en")


async def _open(pilot, app, acme: str) -> None:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: app.screen.__class__.__name__ == "TodayScreen")
    app.open_customer(acme)
    await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
    await until(pilot, lambda: app.screen.query_one("#customer-tickets").display)


async def _steady(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause()


def test_the_customer_screen_shows_care_and_tickets(snap_compare, book_app):
    app, acme = book_app

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, app, acme)
        app.screen.query_one("#customer-tickets").focus()  # the panel in view, its first ticket highlighted
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run)


def test_the_move_form_reads_the_day_back(snap_compare, book_app):
    app, acme = book_app

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, app, acme)
        await pilot.press("V")
        await until(pilot, lambda: app.screen.__class__.__name__ == "PickScreen")
        await pilot.press("enter")  # the most due: Fri 4 Sep, late
        await until(pilot, lambda: isinstance(app.screen, RevisitChangeForm))
        app.screen.query_one("#revisit-day", Input).value = "下周一"
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run)
