"""Snapshots of every screen and dialog at 80x24 and 100x30 (the board at 200x60 too) on the demo data, frozen
clock, in English and in Chinese.

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
def demo_app(demo_file: Path, tmp_path: Path, language: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NO_COLOR")  # the pictures are reviewed in the theme's colours, as a rep sees them
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


SCENES = {
    "today": (),
    "customer": ("down", "enter"),
    "follow_up_form": ("l", "2", "y", *"demo", "tab"),
    "pipeline_board": ("p", "right"),
    "search": ("slash", "z", "s"),
    "help": ("question_mark",),
    # past the service requests due (the demo's three tickets) to the first overdue follow-up, whose deal moves
    "stage_picker": ("down", "down", "down", "s"),
    "won_form": ("down", "down", "down", "s", "6"),
    "lost_form": ("down", "down", "down", "s", "7"),
    "new_record": ("n",),
    "edit_deal": ("down", "enter", "D"),
    "merge": ("down", "enter", "m"),
    "palette": ("ctrl+p", *"zs"),
}
"""Every screen and dialog, reached by the keys a rep presses from Today on the demo data."""

SIZES = {"80x24": (80, 24), "100x30": (100, 30)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scene", SCENES)
def test_scene(snap_compare, demo_app, scene, size):
    assert snap_compare(demo_app, terminal_size=SIZES[size], run_before=_keys(*SCENES[scene]))


def test_board_at_200x60(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(200, 60), run_before=_keys("p"))
