"""Cold start of the quick-entry commands, this tree beside an older revision's, in the same run.

    .venv/bin/python bench/bench_startup.py   # [--baseline REV] [--rounds N]

The baseline is another revision's `src` tree (default 646351f, the last before the package was split into
core/, tui/ and cli/), exported with `git archive` into a temp dir. Both sides run the same commands as fresh
processes (`python -m crmtui ...`, which both layouts have) on one demo database made with the clock at a fixed
moment, rounds alternating the order of the sides; `python -c "import sqlmodel"` and
`python -c pass` run in each round as the floor. Figures are medians of wall time; it never asserts.
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

from bench_demo import ROOT, export_source  # the same export of a revision's source

COMMANDS = {
    "crm today": ["-m", "crmtui", "today"],
    "crm show": ["-m", "crmtui", "show", "北京华信制造"],
    "crm search": ["-m", "crmtui", "search", "hx"],
    "crm --help": ["-m", "crmtui", "--help"],
    'import sqlmodel': ["-c", "import sqlmodel"],
    "python -c pass": ["-c", "pass"],
}
CLOCK_AT = "2026-11-24T10:00:00+08:00"


def _env(src: Path, home: Path, *, clock: bool = False) -> dict[str, str]:
    """The environment of a child on `src`; with `clock`, its clock starts at CLOCK_AT (the demo is then the same
    book for both sides; the timed runs go without it: the clock's own import would be in every figure)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests" / "childclock"), str(src)] if clock else [str(src)])
    if clock:
        env["CRMTUI_TEST_NOW"] = CLOCK_AT
    env["CRMTUI_HOME"] = str(home)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # .pyc files are used as on a rep's machine
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="646351f")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sides = {"baseline": export_source(args.baseline, Path(folder) / "baseline"), "ours": ROOT / "src"}
        home = Path(folder) / "home"
        made = subprocess.run([sys.executable, "-m", "crmtui", "demo"], env=_env(sides["ours"], home, clock=True),
                              capture_output=True, text=True)
        if made.returncode:
            raise SystemExit(made.stderr)
        for src in sides.values():  # once each, unmeasured: writes the .pyc files
            for command in COMMANDS.values():
                subprocess.run([sys.executable, *command], env=_env(src, home), capture_output=True)
        times: dict[tuple[str, str], list[float]] = {}
        for number in range(args.rounds):
            order = list(sides.items()) if number % 2 == 0 else list(sides.items())[::-1]
            for side, src in order:
                for name, command in COMMANDS.items():
                    start = time.perf_counter()
                    done = subprocess.run([sys.executable, *command], env=_env(src, home), capture_output=True)
                    times.setdefault((side, name), []).append(time.perf_counter() - start)
                    if done.returncode:
                        raise SystemExit(f"{side}: {name} failed:\n{done.stderr.decode(errors='replace')}")
    print(f"cold start, median of {args.rounds} rounds (baseline {args.baseline}); load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'command':16s} {'baseline':>10s} {'ours':>10s} {'ours/baseline':>14s}")
    for name in COMMANDS:
        base = statistics.median(times[("baseline", name)])
        ours = statistics.median(times[("ours", name)])
        print(f"{name:16s} {base * 1000:8.0f} ms {ours * 1000:8.0f} ms {ours / base:13.2f}x")


if __name__ == "__main__":
    main()
