"""Cold start of `crm remind` (run every 5 minutes by a timer) beside `python -c "import sqlmodel"`.

    .venv/bin/python bench/bench_remind.py   # [--rounds N]

Fresh processes on one demo database made with the clock at a fixed moment; each round runs, in turn, `crm remind
--dry-run` (reads and prints what came due), `crm remind` (the timer's usual run: after the first round nothing new
has come due, so it reads and records nothing), `crm today`, `python -c "import sqlmodel"` and `python -c pass`.
No desktop session is passed on (no notification is sent). Figures are medians of wall time; the target is
`crm remind` at most 1.25x `import sqlmodel`. It prints and never asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "crm remind --dry-run": ["-m", "crmtui", "remind", "--dry-run"],
    "crm remind": ["-m", "crmtui", "remind"],
    "crm today": ["-m", "crmtui", "today"],
    "import sqlmodel": ["-c", "import sqlmodel"],
    "python -c pass": ["-c", "pass"],
}
CLOCK_AT = "2026-11-24T10:00:00+08:00"
TARGET = 1.25


def _env(home: Path, *, clock: bool = False) -> dict[str, str]:
    """A child on this tree; with `clock`, its clock starts at CLOCK_AT (for making the demo only: the clock's own
    import would be in every timed figure)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests" / "childclock"), str(ROOT / "src")] if clock
                                        else [str(ROOT / "src")])
    if clock:
        env["CRMTUI_TEST_NOW"] = CLOCK_AT
    env["CRMTUI_HOME"] = str(home)
    for name in ("PYTHONDONTWRITEBYTECODE", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        made = subprocess.run([sys.executable, "-m", "crmtui", "demo"], env=_env(home, clock=True),
                              capture_output=True, text=True)
        if made.returncode:
            raise SystemExit(made.stderr)
        for command in COMMANDS.values():  # once each, unmeasured: writes the .pyc files, records the first run
            subprocess.run([sys.executable, *command], env=_env(home), capture_output=True)
        times: dict[str, list[float]] = {}
        for number in range(args.rounds):
            names = list(COMMANDS) if number % 2 == 0 else list(COMMANDS)[::-1]
            for name in names:
                start = time.perf_counter()
                done = subprocess.run([sys.executable, *COMMANDS[name]], env=_env(home), capture_output=True)
                times.setdefault(name, []).append(time.perf_counter() - start)
                if done.returncode:
                    raise SystemExit(f"{name} failed:\n{done.stderr.decode(errors='replace')}")
    floor = statistics.median(times["import sqlmodel"])
    print(f"cold start, median of {args.rounds} rounds; load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'command':22s} {'median':>10s} {'min':>8s} {'/ import sqlmodel':>18s}")
    for name in COMMANDS:
        median = statistics.median(times[name])
        mark = "  MISS" if name.startswith("crm remind") and median / floor > TARGET else ""
        print(f"{name:22s} {median * 1000:8.0f} ms {min(times[name]) * 1000:6.0f} ms {median / floor:17.2f}x{mark}")


if __name__ == "__main__":
    main()
