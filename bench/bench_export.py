"""Times `crm export` on a large database beside a plain baseline, and shows that its memory does not grow with the
book.

    .venv/bin/python bench/bench_export.py                 # builds bench/out/export-20k.db once (20k customers)
    .venv/bin/python bench/bench_export.py --runs 3 [--small-customers 2000] [--follow-ups 100000]

Every figure is a fresh process (`python -m crmtui export ...`), its wall time and its peak resident memory (the
child's own rusage, from os.wait4), printed beside a baseline measured in the same run on the same file: a plain
`SELECT` of the same columns written by `csv.writer`, also in a fresh process (for XLSX also the same rows appended
as they come to an openpyxl write-only sheet: the library's own floor). The book is exported at two sizes
(the big one and one a tenth of it, built the same way): if the exporters streamed nothing, memory would grow
tenfold; it should stay nearly flat. The calendar refresh (`calendar_file`) is timed as the extra cost of
`crm log` with the setting on (the command waits for the refresh before it exits; its output comes first). The script prints; it never asserts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

XLSX_BASELINE = """
import sqlite3, sys
from openpyxl import Workbook
connection = sqlite3.connect(sys.argv[1])
book = Workbook(write_only=True)
sheet = book.create_sheet("rows")
for row in connection.execute({query!r}):
    sheet.append(row)
book.save(sys.argv[2])
"""

BASELINE = """
import csv, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
query = {query!r}
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as handle:
    writer = csv.writer(handle)
    for row in connection.execute(query):
        writer.writerow(row)
"""

CASES = [("customers", "csv"), ("customers", "xlsx"), ("customers", "json"), ("contacts", "vcf"),
         ("deals", "xlsx"), ("follow-ups", "csv"), ("all", "json"), ("ics", "ics")]


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"failed: {' '.join(args)}\n{child.stderr.read().decode() if child.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def _build(path: Path, customers: int, follow_ups: int) -> None:
    """bench/generate.py in a process of its own: a child forked from a parent that held the generated rows would
    report the parent's memory as its own peak."""
    if path.exists():
        return
    subprocess.run([sys.executable, str(BENCH / "generate.py"), "--customers", str(customers), "--follow-ups",
                    str(follow_ups), "--deals", str(customers // 2), "--out", str(path)], check=True,
                   stdout=subprocess.DEVNULL)


def _median(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    results = [_run(args, env) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--small-customers", type=int, default=2_000)
    parser.add_argument("--follow-ups", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from crmtui.store.exporting import _QUERIES  # the very SQL the exporters send

    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    big = out / f"export-{args.customers // 1000}k.db"
    small = out / f"export-{args.small_customers // 1000}k.db"
    _build(big, args.customers, args.follow_ups)
    _build(small, args.small_customers, args.follow_ups * args.small_customers // args.customers)
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\n', encoding="utf-8")
        print(f"{'export':<22}{'book':>6}{'ours s':>9}{'MB':>7}{'baseline s':>12}{'MB':>7}{'ratio':>7}")
        for kind, fmt in CASES:
            for path in (small, big):
                copy = Path(scratch) / path.name
                shutil.copyfile(path, copy)
                env = {**os.environ, "CRMTUI_HOME": str(home), "CRMTUI_DB": str(copy),
                       "PYTHONPATH": str(ROOT / "src")}
                target = Path(scratch) / f"out.{fmt}"
                ours = _median([python, "-m", "crmtui", "export", kind, "-f", fmt, "-o", str(target), "--force"]
                               if kind != "ics" else [python, "-m", "crmtui", "export", "ics", "-o", str(target),
                                                      "--force"], env, args.runs)
                query = _QUERIES["customers" if kind in ("all", "ics") else kind]
                base = _median([python, "-c", BASELINE.format(query=query), str(copy),
                                str(Path(scratch) / "base.csv")], env, args.runs)
                book = path.stem.split("-")[1]
                print(f"{kind + ' ' + fmt:<22}{book:>6}{ours[0]:>9.2f}{ours[1]:>7.0f}{base[0]:>12.2f}{base[1]:>7.0f}"
                      f"{ours[0] / base[0]:>7.1f}")
                if fmt == "xlsx" and kind != "all":
                    # the tags joined by ", " as ours are (openpyxl refuses the store's separator, a control character)
                    plain = _median([python, "-c", XLSX_BASELINE.format(query=query.replace("char(31)", "', '")),
                                     str(copy),
                                     str(Path(scratch) / "base.xlsx")], env, args.runs)
                    print(f"{'  openpyxl, same rows':<28}{'':>9}{'':>7}{plain[0]:>12.2f}{plain[1]:>7.0f}"
                          f"{ours[0] / plain[0]:>7.1f}")
        # the calendar refresh after `crm log`: the same command with calendar_file off and on
        copy = Path(scratch) / "log.db"
        shutil.copyfile(big, copy)
        env = {**os.environ, "CRMTUI_HOME": str(home), "CRMTUI_DB": str(copy), "PYTHONPATH": str(ROOT / "src")}
        import sqlite3

        name = sqlite3.connect(copy).execute("SELECT id FROM customer WHERE status = 'customer' LIMIT 1").fetchone()[0]
        log = [python, "-m", "crmtui", "log", name[:8], "--via", "phone", "--goal", "g", "--met", "--notes", "n",
               "--next-plan", "p", "--next", "2030-01-02 10:00"]
        config = home / "config" / "config.toml"
        off = _median(log, env, args.runs)
        config.write_text(f'timezone = "Asia/Shanghai"\ncalendar_file = "{Path(scratch).as_posix()}/crm.ics"\n',
                          encoding="utf-8")
        _run(log, env)  # the first refresh writes every event; the next ones copy those that did not change
        on = _median(log, env, args.runs)
        events = (Path(scratch) / "crm.ics").read_bytes().count(b"BEGIN:VEVENT")
        print(f"crm log, calendar_file off {off[0]:.2f} s, on {on[0]:.2f} s (+{on[0] - off[0]:.2f} s for {events:,}"
              f" events), {on[1]:.0f} MB")


if __name__ == "__main__":
    main()
