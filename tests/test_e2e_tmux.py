"""End to end: the real `crm` binary in a real terminal (tmux), driven by keys as a rep types them.

Loads the demo data, opens the app, logs a follow-up for the first row of Today with
`l 1 y goal Tab notes Tab plan Tab date Enter`, checks the record through `crm show --json`,
and quits with `q`.

The child processes run on the suite's clock (conftest's subprocess_env starts their clock
at the suite's fixed moment), so "明天下午3点" has one right answer whatever the real date.

Each key or text chunk is sent by its own `tmux send-keys` with a short pause, like real
typing: a burst of CJK text followed by Tab in one read can confuse a terminal input parser.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import NOW

KEY_PAUSE = 0.3
"""Seconds between two keys or text chunks."""

TITLES = {
    "overdue": "Overdue", "due": "Due today", "stalled": "High intent, stalled",
    "new_leads": "New leads to call now", "renewals": "Renewals", "payments": "Payments due",
    "birthdays": "Birthdays", "tickets": "Service requests due", "revisits": "Revisits", "touch": "Due for a touch",
    "service": "Service and warranty", "holidays": "Holiday greetings", "pool": "Going back to the pool",
}
"""Section headers of the Today screen in English (the conftest config pins language = en)."""

GOAL = "Confirm the budget"
NOTES = "客户说预算已批"
NEXT_PLAN = "Send the quote"
NEXT_DATE = "明天下午3点"


def crm_command() -> list[str]:
    """The venv's `crm` console script, else `python -m crmtui`."""
    script = Path(sys.executable).parent / "crm"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "crmtui"]


def crm(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Runs `crm ARGS` in a child process; fails the test with its stderr if it fails."""
    child = subprocess.run([*crm_command(), *args], env=env, capture_output=True, text=True, encoding="utf-8",
                           timeout=timeout)
    assert child.returncode == 0, f"crm {' '.join(args)} exited {child.returncode}:\n{child.stdout}\n{child.stderr}"
    return child


class Terminal:
    """A private tmux server (its own -L socket) running one session `e2e` of 100x30."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"crmtui-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = {k: v for k, v in env.items() if k not in ("TMUX", "TMUX_PANE")}
        self.last = ""
        self.socket_path: Path | None = None

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], env=self.env,
                                capture_output=True, text=True, encoding="utf-8", timeout=20)
        if check:
            assert result.returncode == 0, (
                f"tmux {' '.join(args)} failed: {result.stderr}\nlast screen:\n{self.last}")
        return result

    def start(self, command: list[str]) -> None:
        # A fresh server inherits env (the temp CRMTUI_HOME); -e is belt and braces. remain-on-exit keeps a
        # crashed app's traceback on screen for the failure message, and its exit status readable.
        self.tmux("set-option", "-g", "remain-on-exit", "on", ";",
                  "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30",
                  "-e", f"CRMTUI_HOME={self.env['CRMTUI_HOME']}", shlex.join(command))
        shown = self.tmux("display-message", "-p", "-t", "e2e", "#{socket_path}", check=False).stdout.strip()
        self.socket_path = Path(shown) if shown else (
            Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}" / self.socket)

    def capture(self) -> str:
        result = self.tmux("capture-pane", "-p", "-t", "e2e", check=False)
        if result.returncode == 0:
            self.last = result.stdout
        return self.last

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float) -> str:
        """Polls the screen until condition(screen) holds; fails with the last screen after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture()
            if condition(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout} s waiting for {what}; the screen showed:\n{screen}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        """Named keys (Tab, Enter) or single characters, one send-keys each, with a pause after each."""
        for key in keys:
            self.tmux("send-keys", "-t", "e2e", key)
            time.sleep(KEY_PAUSE)

    def text(self, text: str) -> None:
        """A text chunk, literally (-l), then a pause."""
        self.tmux("send-keys", "-t", "e2e", "-l", text)
        time.sleep(KEY_PAUSE)

    def pane_status(self) -> tuple[bool, str]:
        """(whether the pane's command has exited, its exit status or "" when tmux does not know it)."""
        result = self.tmux("display-message", "-p", "-t", "e2e", "#{pane_dead} #{pane_dead_status}", check=False)
        if result.returncode != 0:
            return True, ""  # the session is gone
        shown = result.stdout.split()
        return (bool(shown) and shown[0] == "1", shown[1] if len(shown) > 1 else "")

    def wait_until_exited(self, timeout: float) -> str:
        """Waits for the pane's command to exit; returns its exit status, or "" when tmux does not report it.

        The pane is dead as soon as the program closes the terminal. tmux 3.3a reports the status a moment
        later, or, about one time in two here, never (it leaves the child unreaped), so a missing status is
        no failure; a known one must be 0.
        """
        deadline = time.monotonic() + timeout
        while not self.pane_status()[0]:
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not quit within {timeout} s; the screen showed:\n{self.capture()}")
            time.sleep(0.1)
        deadline = time.monotonic() + 1
        while not (status := self.pane_status()[1]) and time.monotonic() < deadline:
            time.sleep(0.1)
        return status

    def kill(self) -> None:
        """Stops the private server and removes its socket file (tmux leaves it behind)."""
        self.tmux("kill-server", check=False)
        if self.socket_path is not None and self.socket_path.name == self.socket:
            self.socket_path.unlink(missing_ok=True)


def first_row_name(screen: str, header: str) -> str | None:
    """The customer name on the first line under the section header, as shown on screen."""
    lines = screen.splitlines()
    for index, line in enumerate(lines):
        if re.match(rf"\s*{re.escape(header)} \(\d+\)\s*$", line) and index + 1 < len(lines):
            return re.split(r"\s{2,}", lines[index + 1].strip())[0]
    return None


def test_log_a_follow_up_from_today_with_keys_in_a_real_terminal(subprocess_env):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed: the end-to-end test needs it")
    crm(subprocess_env, "demo")

    agenda = json.loads(crm(subprocess_env, "today", "--json").stdout)
    section = next((name for name, items in agenda["sections"].items() if items), None)
    assert section is not None, f"the demo data gave an empty agenda: {agenda['totals']}"
    first = agenda["sections"][section][0]
    name, customer_id = first["customer"], first["customer_id"]
    header = TITLES[section]

    term = Terminal(subprocess_env)
    try:
        term.start(crm_command())
        screen = term.wait_for(lambda s: "Overdue" in s or "Due today" in s, "the Today screen", 15)
        screen = term.wait_for(lambda s: first_row_name(s, header) is not None, f"the {header} section", 5)
        shown = first_row_name(screen, header)
        assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1])), (
            f"first row on screen is {shown!r}, `crm today --json` says {name!r}; the screen showed:\n{screen}")

        term.keys("l")
        screen = term.wait_for(lambda s: "Log a follow-up" in s, "the follow-up form", 5)
        assert f"Log a follow-up · {name}" in screen, f"the form is not for {name}; the screen showed:\n{screen}"
        term.keys("1", "y")
        term.text(GOAL)
        term.keys("Tab")
        term.text(NOTES)
        term.keys("Tab")
        term.text(NEXT_PLAN)
        term.keys("Tab")
        term.text(NEXT_DATE)
        screen = term.wait_for(lambda s: re.search(r"→ .*15:00", s) is not None, "the next-date preview", 5)
        for typed in (GOAL, NOTES, NEXT_PLAN, NEXT_DATE):
            assert typed in screen, f"{typed!r} is not in the form; the screen showed:\n{screen}"
        term.keys("Enter")
        screen = term.wait_for(lambda s: "Log a follow-up" not in s, "the form to close", 10)

        detail = json.loads(crm(subprocess_env, "show", customer_id[:8], "--json").stdout)
        assert detail["id"] == customer_id
        newest = max(detail["follow_ups"], key=lambda f: f["at"])
        expected_next = f"{(NOW + timedelta(days=1)).date().isoformat()}T15:00+08:00"
        assert (newest["channel"], newest["goal"], newest["goal_met"], newest["notes"], newest["next_plan"]) == (
            "phone", GOAL, True, NOTES, NEXT_PLAN), f"saved {newest}; the screen showed:\n{screen}"
        assert newest["next"] == expected_next, f"saved {newest}; expected next {expected_next}"

        term.keys("q")
        status = term.wait_until_exited(10)
        assert status in ("0", ""), f"crm exited with status {status}; the screen showed:\n{term.capture()}"
    finally:
        term.kill()
