"""Snapshots of every screen at 100x30 on the demo data, frozen clock, in English and in Chinese.

Review a changed snapshot before accepting it: `pytest tests/test_snapshots.py --snapshot-update`
rewrites them, and `git diff` / the report show what moved.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import time_machine
from textual.widgets import Input, TextArea

from crmtui.core import i18n
from crmtui.tui.app import build_app
from crmtui.core.clock import Clock
from crmtui.core.config import Settings
from crmtui.services.context import open_context
from crmtui.services.demo import load_demo

from .conftest import NOW, ZONE

SIZE = (100, 30)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data, made once at the frozen moment and copied for each snapshot."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with time_machine.travel(NOW, tick=False):
        ctx = open_context(path, settings=Settings(timezone="Asia/Shanghai", language="en"), clock=Clock(ZONE))
        load_demo(ctx)
        ctx.close()
    return path


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest):
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


@pytest.fixture
def demo_app(demo_file: Path, tmp_path: Path, language: str):
    path = tmp_path / "crm.db"
    shutil.copy(demo_file, path)
    ctx = open_context(path, settings=Settings(timezone="Asia/Shanghai", language=language), clock=Clock(ZONE))
    yield build_app(ctx)
    ctx.close()


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await asyncio.sleep(0.05)
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause()


def _keys(*keys: str):
    async def run(pilot) -> None:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    return run


def test_today(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=_keys())


def test_customer(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=_keys("down", "enter"))


def test_follow_up_form(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=_keys("l", "2", "y", *"demo", "tab"))


def test_pipeline_board(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=_keys("p", "right"))


def test_search(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=_keys("slash", "z", "s"))


def test_help(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=_keys("question_mark"))


def test_today_at_80x24(snap_compare, demo_app, language):
    if language == "zh":
        pytest.skip("one small-terminal snapshot is enough; the Chinese layout is covered at 100x30")
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=_keys())


def test_board_at_200x60(snap_compare, demo_app, language):
    if language == "zh":
        pytest.skip("one large-terminal snapshot is enough")
    assert snap_compare(demo_app, terminal_size=(200, 60), run_before=_keys("p"))
