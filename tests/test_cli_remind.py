"""`crm remind`: printed once across runs of separate processes, told again after a kill between sending and
recording (the side chosen: a duplicate, never a loss), --dry-run and --json, quiet hours, what it loads, and
--install/--uninstall on a temp XDG_CONFIG_HOME with a fake systemctl (the real one is never run)."""

from __future__ import annotations

import json
import os
import plistlib
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crmtui.cli import remind as remind_cli
from crmtui.cli.commands import app
from crmtui.services import reminders
from crmtui.services.customers import add_customer
from crmtui.services.follow_ups import log_follow_up
from crmtui.store.raw import to_db

from .conftest import NOW, ZONE, child_env

PYTHON = sys.executable
runner = CliRunner()
NO_DESKTOP = ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY")


def _due_at(ctx, name: str, moment: datetime) -> str:
    customer_id = add_customer(ctx, name).id
    log_follow_up(ctx, customer_id, channel="phone", goal="talk", goal_met=True, notes="ok", next_plan="call back",
                  next_at=NOW + timedelta(days=3))
    with sqlite3.connect(ctx.db.path) as raw:
        raw.execute("UPDATE customer SET next_follow_up_at = ? WHERE id = ?", (to_db(moment), customer_id))
    return customer_id


def _env(home: Path, at: datetime = NOW) -> dict[str, str]:
    """A child on the suite's clock, with no desktop session: nothing pops up on the machine running the tests."""
    env = child_env(home, at)
    for name in NO_DESKTOP:
        env.pop(name, None)
    return env


def _crm(home: Path, *args: str, at: datetime = NOW) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "crmtui", *args], env=_env(home, at), capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


@pytest.fixture
def no_desktop(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """In-process runs: the notifications a run would send, recorded instead of sent."""
    sent: list[list[str]] = []
    monkeypatch.setattr(remind_cli, "send_desktop", lambda texts: sent.append(texts) or False)
    for name in NO_DESKTOP:
        monkeypatch.delenv(name, raising=False)
    return sent


# ---------------------------------------------------------------- once across processes, and after a kill


def test_each_reminder_is_printed_by_one_run_only(ctx, home):
    _due_at(ctx, "Acme", NOW - timedelta(minutes=20))
    first = _crm(home, "remind")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "09:40  Follow-up due now: Acme → call back\n"  # 10:00 less 20 minutes
    assert first.stderr == ""  # no desktop session here: printed only, and no note about it
    second = _crm(home, "remind")
    assert (second.returncode, second.stdout) == (0, "")


_STALLED = """
import os, sys, time
import crmtui.services.reminders as reminders

def stalled(ctx, found):
    open(os.environ["MARK_FILE"], "w").close()  # told, not yet recorded: the test kills us here
    time.sleep(120)

if os.environ.get("STALL") == "1":
    reminders.mark_told = stalled
sys.argv = ["crm", "remind"]
from crmtui.cli.commands import main
main()
"""


def _killed_between_telling_and_recording(home: Path, tmp_path: Path) -> str:
    mark = tmp_path / "told"
    env = {**_env(home), "MARK_FILE": str(mark), "STALL": "1"}
    child = subprocess.Popen([PYTHON, "-c", _STALLED], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, encoding="utf-8")
    try:
        deadline = time.monotonic() + 120
        while not mark.exists():  # the barrier: the child says when it stands between the two
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never reached the moment between telling and recording"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        out, _err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    return out


def test_a_run_killed_between_telling_and_recording_is_told_again_never_lost(ctx, home, tmp_path):
    _due_at(ctx, "Acme", NOW - timedelta(minutes=20))
    told = _killed_between_telling_and_recording(home, tmp_path)
    assert told == "09:40  Follow-up due now: Acme → call back\n"  # it was told before the kill...
    again = _crm(home, "remind")
    assert again.stdout == told  # ...and the next run tells it once more: a duplicate, not a loss
    assert _crm(home, "remind").stdout == ""  # recorded this time


def test_a_run_that_ends_normally_records_what_it_told(ctx, home, tmp_path):
    """The same child script without the stall: the kill test's duplicate comes from the kill, not the script."""
    _due_at(ctx, "Acme", NOW - timedelta(minutes=20))
    child = subprocess.run([PYTHON, "-c", _STALLED], env={**_env(home), "MARK_FILE": str(tmp_path / "m")},
                           capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert (child.returncode, child.stdout) == (0, "09:40  Follow-up due now: Acme → call back\n")
    assert _crm(home, "remind").stdout == ""


def test_crm_remind_loads_neither_textual_nor_sqlalchemy(ctx, home):
    _due_at(ctx, "Acme", NOW - timedelta(minutes=20))
    code = ("import json, sys\nsys.argv = ['crm', 'remind']\nfrom crmtui.cli.commands import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'sqlalchemy', 'sqlmodel',"
            " 'alembic', 'desktop_notifier', 'dateparser', 'pypinyin'})))")
    child = subprocess.run([PYTHON, "-c", code], env=_env(home), capture_output=True, text=True, encoding="utf-8",
                           timeout=120)
    assert child.returncode == 0, child.stderr
    lines = child.stdout.strip().splitlines()
    assert lines[0] == "09:40  Follow-up due now: Acme → call back"
    assert json.loads(lines[-1]) == []  # no desktop session: the notification library is not even imported


# ---------------------------------------------------------------- in-process: dry run, JSON, notifications, quiet


def test_dry_run_shows_without_sending_or_recording(ctx, no_desktop):
    _due_at(ctx, "Acme", NOW - timedelta(minutes=20))
    dry = runner.invoke(app, ["remind", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines() == ["09:40  Follow-up due now: Acme → call back",
                                       "(dry run: nothing sent, nothing marked told)"]
    assert no_desktop == []
    real = runner.invoke(app, ["remind"])
    assert real.stdout == "09:40  Follow-up due now: Acme → call back\n"
    assert no_desktop == [["Follow-up due now: Acme → call back"]]
    assert runner.invoke(app, ["remind", "--dry-run"]).stdout.splitlines() == [
        "Nothing came due since 10:00."]  # the watermark moved to the real run's moment (today: its time only)


def test_json_lists_the_reminders_and_with_dry_run_marks_nothing(ctx, no_desktop):
    acme = _due_at(ctx, "Acme", NOW - timedelta(minutes=20))
    seen = runner.invoke(app, ["remind", "--json", "--dry-run"])
    data = json.loads(seen.stdout)
    assert data["since"] == "2026-11-23T10:00:00+08:00" and data["until"] == "2026-11-24T10:00:00+08:00"
    assert data["held_until"] is None
    assert data["reminders"] == [{"kind": "follow_up", "customer_id": acme, "customer": "Acme",
                                  "at": "2026-11-24T09:40:00+08:00", "text": "Follow-up due now: Acme → call back",
                                  "detail": "call back", "number": None, "record_id": acme}]
    assert len(json.loads(runner.invoke(app, ["remind", "--json"]).stdout)["reminders"]) == 1  # told now
    assert json.loads(runner.invoke(app, ["remind", "--json"]).stdout)["reminders"] == []
    assert no_desktop == []  # --json is for scripts: no notifications


def test_many_reminders_make_five_notifications_at_most(monkeypatch):
    texts = [f"reminder {n}" for n in range(1, 8)]
    sent: list[str] = []

    class Notifier:
        def __init__(self, app_name: str) -> None:
            assert app_name == "crmtui"

        async def send(self, title: str, message: str, on_dispatched) -> None:  # noqa: ANN001
            sent.append(message)
            on_dispatched()

    fake = type(sys)("desktop_notifier")
    fake.DesktopNotifier = Notifier  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop_notifier", fake)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
    assert remind_cli.send_desktop(texts) is True
    # 7 reminders: the first 4, then one for the other 3
    assert sent == ["reminder 1", "reminder 2", "reminder 3", "reminder 4", "and 3 more: crm today"]


def test_no_notification_service_is_said_once_on_stderr_and_the_run_still_records(ctx, monkeypatch):
    monkeypatch.setattr(remind_cli, "send_desktop", lambda texts: False)
    monkeypatch.setenv("DISPLAY", ":0")
    _due_at(ctx, "Acme", NOW - timedelta(minutes=20))
    result = runner.invoke(app, ["remind"])
    assert result.stdout == "09:40  Follow-up due now: Acme → call back\n"
    assert result.stderr == "note: no desktop notification service answered; the reminders are printed only\n"
    assert reminders.due(ctx).items == []


def test_in_quiet_hours_nothing_is_told_until_they_end(ctx, home, frozen, no_desktop):
    config = home / "config" / "config.toml"
    config.write_text(config.read_text() + '[reminders]\nquiet_start = "21:00"\nquiet_end = "07:30"\n')
    _due_at(ctx, "Late", datetime(2026, 11, 24, 21, 15, tzinfo=ZONE))
    runner.invoke(app, ["remind"])  # 10:00: nothing yet, nothing recorded
    frozen.move_to(datetime(2026, 11, 24, 22, 0, tzinfo=ZONE))
    held = runner.invoke(app, ["remind"])
    assert held.stdout == "Quiet hours until 07:30: 1 reminder waits.\n"
    assert no_desktop == []
    frozen.move_to(datetime(2026, 11, 25, 7, 31, tzinfo=ZONE))
    assert runner.invoke(app, ["remind"]).stdout == "Tue 24 Nov 21:15  Follow-up due now: Late → call back\n"
    assert no_desktop == [["Follow-up due now: Late → call back"]]


def test_what_quiet_hours_hold_on_the_first_run_is_told_by_a_run_days_later(ctx, home, frozen, no_desktop):
    config = home / "config" / "config.toml"
    config.write_text(config.read_text() + '[reminders]\nquiet_start = "21:00"\nquiet_end = "07:30"\n')
    _due_at(ctx, "Morning", datetime(2026, 11, 24, 9, 30, tzinfo=ZONE))
    frozen.move_to(datetime(2026, 11, 24, 22, 0, tzinfo=ZONE))  # the first run ever, in quiet hours
    assert runner.invoke(app, ["remind"]).stdout == "Quiet hours until 07:30: 1 reminder waits.\n"
    # Thu 26 Nov 10:00 is 48.5 h after Tue 09:30: a first run's 24 h look back would have missed it
    frozen.move_to(datetime(2026, 11, 26, 10, 0, tzinfo=ZONE))
    assert runner.invoke(app, ["remind"]).stdout == "Tue 24 Nov 09:30  Follow-up due now: Morning → call back\n"
    assert runner.invoke(app, ["remind"]).stdout == ""  # told once


def test_a_run_with_nothing_due_records_so_a_late_next_run_misses_nothing(ctx, home, frozen, no_desktop):
    assert runner.invoke(app, ["remind"]).stdout == ""  # Tue 10:00: nothing due yet
    _due_at(ctx, "Wednesday", datetime(2026, 11, 25, 9, 0, tzinfo=ZONE))
    # Thu 26 Nov 12:00 is 27 h after Wed 09:00: only the first run's window reaches back to Tue 10:00
    frozen.move_to(datetime(2026, 11, 26, 12, 0, tzinfo=ZONE))
    assert runner.invoke(app, ["remind"]).stdout == "Wed 25 Nov 09:00  Follow-up due now: Wednesday → call back\n"


def test_rep_outside_a_team_is_refused_by_name(ctx):
    result = runner.invoke(app, ["remind", "--rep", "bob"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --rep works in a team")


# ---------------------------------------------------------------- --install / --uninstall


def _fake_systemctl(folder: Path, log: Path, code: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "systemctl"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexit {code}\n', encoding="utf-8")
    script.chmod(0o755)


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the systemd timer is Linux's")
def test_install_writes_a_user_timer_and_enables_it_with_systemctl(home, xdg, tmp_path, monkeypatch):
    log = tmp_path / "systemctl.log"
    _fake_systemctl(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    result = runner.invoke(app, ["remind", "--install"])
    assert result.exit_code == 0, result.output
    units = xdg / "systemd" / "user"
    service = (units / "crmtui-remind.service").read_text()
    timer = (units / "crmtui-remind.timer").read_text()
    assert f'ExecStart="{sys.executable}" "-m" "crmtui" "remind"\n' in service
    assert f'Environment="CRMTUI_HOME={home}"\n' in service  # the scheduled run opens this book
    assert "OnCalendar=*:0/5\n" in timer and "WantedBy=timers.target\n" in timer
    assert log.read_text().splitlines() == ["--user daemon-reload", "--user enable --now crmtui-remind.timer"]
    assert result.stdout.splitlines()[-1] == "crm remind now runs every 5 minutes."

    removed = runner.invoke(app, ["remind", "--uninstall"])
    assert removed.exit_code == 0, removed.output
    assert not (units / "crmtui-remind.service").exists() and not (units / "crmtui-remind.timer").exists()
    assert log.read_text().splitlines()[2:] == ["--user disable --now crmtui-remind.timer", "--user daemon-reload"]
    assert removed.stdout.splitlines()[-1] == "crm remind no longer runs on its own."


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the systemd timer is Linux's")
def test_without_systemctl_install_prints_the_commands(home, xdg, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = runner.invoke(app, ["remind", "--install"])
    assert result.exit_code == 0, result.output
    assert (xdg / "systemd" / "user" / "crmtui-remind.timer").exists()
    assert result.stdout.splitlines()[-3:] == ["Run this to finish:", "  systemctl --user daemon-reload",
                                               "  systemctl --user enable --now crmtui-remind.timer"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the systemd timer is Linux's")
def test_a_failing_systemctl_is_said_and_the_commands_are_printed(home, xdg, tmp_path, monkeypatch):
    log = tmp_path / "systemctl.log"
    _fake_systemctl(tmp_path / "bin", log, code=1)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    result = runner.invoke(app, ["remind", "--install"])
    assert result.exit_code == 1  # not set up: a script must not take it for done
    assert log.read_text().splitlines() == ["--user daemon-reload"]  # stopped at the first failure
    assert result.stderr.startswith("warning: systemctl failed: exit status 1")
    assert result.stdout.splitlines()[-2:] == ["  systemctl --user daemon-reload",
                                               "  systemctl --user enable --now crmtui-remind.timer"]


def test_macos_gets_a_launchd_agent_and_the_command_to_load_it(home, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "mac"))
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the language follows the locale by default: the agent carries it
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    setup = reminders.install(system="darwin", python="/opt/py/bin/python3")
    path = tmp_path / "mac" / "Library" / "LaunchAgents" / "com.crmtui.remind.plist"
    assert setup.written == [path]
    agent = plistlib.loads(path.read_bytes())
    assert agent["ProgramArguments"] == ["/opt/py/bin/python3", "-m", "crmtui", "remind"]
    assert agent["StartInterval"] == 300  # 5 minutes
    assert agent["EnvironmentVariables"] == {"CRMTUI_HOME": str(home), "LANG": "zh_CN.UTF-8"}
    assert setup.to_run == [f"launchctl load -w {path}"]
    gone = reminders.uninstall(system="darwin")
    assert gone.removed == [path] and not path.exists()
    assert gone.to_run == [f"launchctl bootout gui/{os.getuid()}/com.crmtui.remind"]


def test_windows_gets_the_exact_schtasks_commands():
    setup = reminders.install(system="win32", python=r"C:\Program Files\Python311\python.exe")
    assert setup.written == []
    assert setup.to_run == [r'schtasks /Create /SC MINUTE /MO 5 /TN "crmtui remind" '
                            r'/TR "\"C:\Program Files\Python311\python.exe\" -m crmtui remind" /F']
    assert reminders.uninstall(system="win32").to_run == ['schtasks /Delete /TN "crmtui remind" /F']


def test_install_and_uninstall_together_are_refused():
    result = runner.invoke(app, ["remind", "--install", "--uninstall"])
    assert result.exit_code == 1  # refused input, as crm log and crm ticket (2 is the shell's usage error)
    assert "--install and --uninstall" in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the systemd timer is Linux's")
def test_a_failing_systemctl_on_uninstall_exits_non_zero_too(home, xdg, tmp_path, monkeypatch):
    log = tmp_path / "systemctl.log"
    _fake_systemctl(tmp_path / "bin", log, code=1)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    result = runner.invoke(app, ["remind", "--uninstall"])
    assert result.exit_code == 1
    assert "systemctl failed" in result.stderr
    assert "  systemctl --user disable --now crmtui-remind.timer" in result.stdout.splitlines()


def test_a_run_after_days_off_dates_the_past_days_as_the_rep_reads_them(ctx, home):
    _due_at(ctx, "Acme", NOW - timedelta(hours=20))  # Tue 10:00 - 20 h = Mon 23 Nov 14:00, in the first 24 hours
    _due_at(ctx, "Bolt", NOW - timedelta(minutes=5))  # today 09:55: its time only
    result = _crm(home, "remind")
    assert result.stdout.splitlines() == ["Mon 23 Nov 14:00  Follow-up due now: Acme → call back",
                                          "09:55  Follow-up due now: Bolt → call back"]
