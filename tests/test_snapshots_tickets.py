"""Snapshots of the Tickets screen (at 80x24 and 100x30), a ticket with its history, the new-ticket form, the
satisfaction question and the promised day read back as it is typed (100x30), in English and in Chinese, on a
small book made here (not the demo) at the frozen moment: an overdue urgent repair, a complaint due soon, one waiting for the customer and one resolved.

Review a changed snapshot before accepting it: `pytest tests/test_snapshots_tickets.py --snapshot-update`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from crmtui.core import i18n
from crmtui.core.clock import Clock
from crmtui.core.config import Settings
from crmtui.services.context import open_context
from crmtui.services.customers import add_customer
from crmtui.services.tickets import add_ticket, update_ticket
from crmtui.tui.app import CrmApp, build_app

from .conftest import NOW, ZONE
from .test_snapshots import _settle


def _book(path: Path, frozen: time_machine.Coordinates, monkeypatch: pytest.MonkeyPatch) -> None:
    # ticket numbers come from the records' random ids: the same ids each run, for the same pictures
    seeded = random.Random(17)
    with monkeypatch.context() as patch:
        patch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=seeded.getrandbits(128), version=4))
        _make_book(path, frozen)


def _make_book(path: Path, frozen: time_machine.Coordinates) -> None:
    ctx = open_context(path, settings=Settings(timezone="Asia/Shanghai", language="en"), clock=Clock(ZONE))
    try:
        acme = add_customer(ctx, "上海精工机械 Acme")
        beta = add_customer(ctx, "Beta Logistics")
        # Mon 23 Nov 09:00, urgent: 8 clock hours, resolve by Mon 17:00 - overdue at Tue 10:00
        frozen.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=ZONE))
        line = add_ticket(ctx, acme.id, "Production line stopped", kind="repair", priority="urgent")
        update_ticket(ctx, line.id, status="in_progress", note="engineer Li on site, waiting for a spare part")
        waiting = add_ticket(ctx, beta.id, "Invoice address wrong", kind="consultation", priority="low")
        update_ticket(ctx, waiting.id, status="waiting", note="asked for the new address")
        # Tue 24 Nov 06:00, high: 4 working hours from 09:00 = 13:00 to respond; due today (promised)
        frozen.move_to(datetime(2026, 11, 24, 6, 0, tzinfo=ZONE))
        add_ticket(ctx, beta.id, "Driver was rude", kind="complaint", priority="high", due="today")
        done = add_ticket(ctx, acme.id, "Yearly maintenance", kind="maintenance")
        update_ticket(ctx, done.id, status="resolved")
    finally:
        ctx.close()
        frozen.move_to(NOW)


@pytest.fixture(params=["en", "zh"])
def tickets_app(request: pytest.FixtureRequest, tmp_path: Path, frozen: time_machine.Coordinates,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[CrmApp]:
    path = tmp_path / "tickets.db"
    _book(path, frozen, monkeypatch)
    monkeypatch.delenv("NO_COLOR")  # the pictures are reviewed in the theme's colours, as a rep sees them
    i18n.set_language(request.param)
    ctx = open_context(path, settings=Settings(timezone="Asia/Shanghai", language=request.param), clock=Clock(ZONE))
    try:
        yield build_app(ctx)
    finally:
        ctx.close()
        i18n.set_language("en")


def _keys(*keys: str):  # type: ignore[no-untyped-def]
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    return run


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
def test_the_tickets_list(snap_compare, tickets_app, size):  # type: ignore[no-untyped-def]
    assert snap_compare(tickets_app, terminal_size=size, run_before=_keys("T"))


SCENES = {
    "ticket": ("T", "enter"),
    "new_ticket": ("T", "n"),
    "satisfaction": ("T", "c", *"part", "space", *"replaced", "enter"),
    "promised_day": ("T", "d", *"fri"),
}


@pytest.mark.parametrize("scene", SCENES)
def test_a_ticket_scene(snap_compare, tickets_app, scene):  # type: ignore[no-untyped-def]
    assert snap_compare(tickets_app, terminal_size=(100, 30), run_before=_keys(*SCENES[scene]))
