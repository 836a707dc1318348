"""Shared fixtures: a temp CRMTUI_HOME, a frozen clock (Tue 2026-11-24 10:00 Shanghai), real SQLite files."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crmtui.core.clock import Clock
from crmtui.core.config import Settings
from crmtui.services.context import Context, open_context

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZONE)
"""Every test runs at this moment unless it travels."""

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CRMTUI_HOME in a temp dir, with a config that pins the time zone; English UI."""
    root = tmp_path / "home"
    (root / "config").mkdir(parents=True)
    (root / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "en"\n', encoding="utf-8")
    monkeypatch.setenv("CRMTUI_HOME", str(root))
    monkeypatch.delenv("CRMTUI_DB", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return root


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Coordinates]:
    """The clock stands still at NOW; tests move it with frozen.move_to(...)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def settings() -> Settings:
    """Default settings in the test zone."""
    return Settings(timezone="Asia/Shanghai", language="en")


@pytest.fixture
def ctx(home: Path, settings: Settings) -> Iterator[Context]:
    """Services on a real SQLite file in the temp home."""
    context = open_context(home / "data" / "crm.db", settings=settings, clock=Clock(ZONE))
    yield context
    context.close()


CHILD_CLOCK = Path(__file__).resolve().parent / "childclock"
"""Holds a sitecustomize that starts a child process's clock at CRMTUI_TEST_NOW."""


def child_env(home: Path, at: datetime = NOW) -> dict[str, str]:
    """Environment for a crmtui child process on the temp home whose clock starts at `at` and runs on."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(CHILD_CLOCK), str(SRC), env.get("PYTHONPATH", ""))))
    env["CRMTUI_HOME"] = str(home)
    env["CRMTUI_TEST_NOW"] = at.isoformat()
    return env


@pytest.fixture
def subprocess_env(home: Path) -> dict[str, str]:
    """Environment for running crmtui in a child process against the temp home, on the suite's clock (NOW)."""
    return child_env(home)


PYTHON = sys.executable

pytest_plugins = ["tests.teamserver"]
