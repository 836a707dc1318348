"""`crm remind --install` on Windows: the scheduled task runs pythonw.exe (no console window flashing up every few
minutes) when it sits beside the running python.exe, python.exe otherwise; and a run with no console at all (how
pythonw.exe starts it: sys.stdout and sys.stderr are None) still tells what came due and records it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from crmtui.services import reminders
from crmtui.services.customers import add_customer
from crmtui.services.follow_ups import log_follow_up
from crmtui.store.raw import to_db

from .conftest import NOW, child_env


def _scripts(tmp_path: Path, *names: str) -> Path:
    """A Python's Scripts folder holding these (empty) programs."""
    folder = tmp_path / "Python Env" / "Scripts"
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_bytes(b"")
    return folder


def test_the_task_runs_pythonw_beside_python(tmp_path):
    folder = _scripts(tmp_path, "python.exe", "pythonw.exe")
    setup = reminders.install(system="win32", python=str(folder / "python.exe"))
    # the folder has a space, so the program is quoted inside /TR's own quotes
    assert setup.to_run == [f'schtasks /Create /SC MINUTE /MO 5 /TN "crmtui remind" '
                            f'/TR "\\"{folder / "pythonw.exe"}\\" -m crmtui remind" /F']


def test_the_task_falls_back_to_python_when_there_is_no_pythonw(tmp_path):
    folder = _scripts(tmp_path, "python.exe")
    setup = reminders.install(system="win32", python=str(folder / "python.exe"))
    assert "pythonw" not in setup.to_run[0]
    assert f'/TR "\\"{folder / "python.exe"}\\" -m crmtui remind"' in setup.to_run[0]


def test_windows_paths_with_backslashes_find_pythonw(tmp_path, monkeypatch):
    seen: list[str] = []

    def exists(path: str) -> bool:
        seen.append(path)
        return True

    monkeypatch.setattr(reminders.os.path, "isfile", exists)
    python = r"C:\Users\li\crm\.venv\Scripts\python.exe"
    assert reminders.windowless_python(python) == r"C:\Users\li\crm\.venv\Scripts\pythonw.exe"
    assert seen == [r"C:\Users\li\crm\.venv\Scripts\pythonw.exe"]
    # a program that is not python.exe (a launcher of the rep's own, pythonw.exe itself) is kept as it is
    assert reminders.windowless_python(r"C:\tools\crm-python.exe") == r"C:\tools\crm-python.exe"
    assert reminders.windowless_python(r"C:\Py\pythonw.exe") == r"C:\Py\pythonw.exe"


def test_a_run_without_a_console_tells_and_records(ctx, home):
    customer_id = add_customer(ctx, "Acme").id
    log_follow_up(ctx, customer_id, channel="phone", goal="talk", goal_met=True, notes="ok", next_plan="call back",
                  next_at=NOW + timedelta(days=3))
    with sqlite3.connect(ctx.db.path) as raw:
        raw.execute("UPDATE customer SET next_follow_up_at = ? WHERE id = ?",
                    (to_db(NOW - timedelta(minutes=20)), customer_id))
    code = ("import sys\nsys.stdout = None\nsys.stderr = None\nsys.argv = ['crm', 'remind']\n"
            "from crmtui.cli.commands import main\nmain()\n")
    env = {**child_env(home), "DBUS_SESSION_BUS_ADDRESS": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    child = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert (child.returncode, child.stdout, child.stderr) == (0, "", "")
    # recorded as told: the next run (with a console) has nothing to say
    again = subprocess.run([sys.executable, "-m", "crmtui", "remind"], env=env, capture_output=True, text=True,
                           timeout=120)
    assert (again.returncode, again.stdout) == (0, "")
