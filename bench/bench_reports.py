"""The reports (复盘) on the big database: each report's build() beside one raw SQL query of the same figures, the
12-month heatmap alone, and the app's launch to Today with and without the reports' code loaded. Prints; never
asserts.

    .venv/bin/python bench/bench_reports.py [bench/out/big.db] [--runs N] [--launches N] [--skip-launch] [--skip-reports]

The database is bench/generate.py's (20k customers, 500k follow-ups, 10k deals with their stage changes, lost
reasons, competitors, contracts and instalments); it is made first when missing. Its times are relative to when it
was generated, and the reports run with the real clock, so "this month" holds what the generator put near now.

- Each report of services.reports.REPORTS is built with module(name).build(ctx, period) for a few periods, as the
  app and `crm report` call it (a report whose module is not there is listed as missing). The figure is the median
  of --runs builds after one unmeasured build (the page cache and SQLite's statement cache warm, as in the app after
  its first report). Beside it, the baseline: one hand-written GROUP BY query over the same rows giving that
  report's main figures, timed the same way in the same run. Target: every report <= 200 ms.
  The `kept` column is the same build() asked again with nothing changed: a report the services keep while the
  book, the day and the language do not change (services/reports/cache.py) is given back then; the build() column
  is always a report computed (the kept ones dropped before each run).
- The heatmap alone: the activity report's 12 months of follow-ups a local day, its query and its folding into
  days, without the rest of the activity report. Target <= 100 ms; beside it the raw query of counts a day.
- Launch: `python -m crmtui` in a 100x30 tmux pane until Today is on screen (bench_tui's method), the app as it is
  beside the same app with every report's module imported before it starts (what the launch would cost if the
  reports were loaded eagerly). Then one more launch lists which of the reports' modules (and plotting packages)
  are loaded once Today shows: none is the aim, the Reports screen loads them when it opens.
- The Reports screen: from the key g on Today to the funnel of this month on screen, in one session (Esc back to
  Today between opens): the first open loads the screen's code, the later ones compute the report again. The
  app's clock is put SCREEN_DAYS_BACK days before the book's newest follow-up, so this month has data. Target
  <= 500 ms.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "src"))
DEFAULT_DB = BENCH / "out" / "big.db"
ZONE = ZoneInfo("Asia/Shanghai")
REPORT_TARGET_MS = 200.0
HEATMAP_TARGET_MS = 100.0
PERIODS = ("last month", "this quarter", "last 90 days", "last 365 days")
"""A whole month rather than this month (whose length depends on the day the bench runs), the quarter, and two spans."""
SCREEN_DAYS_BACK = 8
"""The Reports screen is timed with the app's clock this many days before the newest follow-up of the book, so its
default period (this month) holds at least a week of the generated data whatever day the bench runs."""
LOADED_LATER = ("crmtui.services.reports.", "crmtui.store.reports.", "crmtui.tui.screens.reports", "textual_plotext",
                "plotext")
"""Module names the launch should not import (the reports' code and any plotting package)."""


def utc_text(moment: datetime) -> str:
    """A moment as the store writes it (naive UTC text), for the raw queries' bounds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def timed(call: Callable[[], object], runs: int) -> tuple[float, object]:
    """Median milliseconds of `runs` calls after one unmeasured call, and the last call's result."""
    result = call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


# ------------------------------------------------------------------------------------- the raw SQL baselines

def raw_queries(start: str, end: str, today: str, offset: str) -> dict[str, tuple[str, tuple[object, ...]]]:
    """One query a report: the same rows, grouped as that report's main table or chart groups them. `offset` is the
    rep's zone as SQLite's modifier ('+8 hours'), for grouping by local day."""
    return {
        "funnel": ("SELECT c.to_stage, count(DISTINCT c.deal_id) FROM deal_stage_change c JOIN deal d ON d.id = c.deal_id"
                   " WHERE c.deleted_at IS NULL AND d.deleted_at IS NULL AND c.at >= ? AND c.at < ? GROUP BY c.to_stage",
                   (start, end)),
        "lost": ("SELECT d.lost_reason, d.competitor, c.from_stage, count(*), sum(d.amount_cents)"
                 " FROM deal_stage_change c JOIN deal d ON d.id = c.deal_id WHERE c.to_stage = 'lost'"
                 " AND d.stage = 'lost' AND d.deleted_at IS NULL AND c.at >= ? AND c.at < ? GROUP BY 1, 2, 3",
                 (start, end)),
        "sources": ("SELECT k.source, count(DISTINCT k.id), count(DISTINCT d.customer_id),"
                    " count(DISTINCT CASE WHEN d.stage = 'won' THEN d.id END),"
                    " sum(CASE WHEN d.stage = 'won' THEN d.amount_cents END)"
                    " FROM customer k LEFT JOIN deal d ON d.customer_id = k.id AND d.deleted_at IS NULL"
                    " WHERE k.deleted_at IS NULL AND k.created_at >= ? AND k.created_at < ? GROUP BY k.source",
                    (start, end)),
        "forecast": ("SELECT substr(expected_close, 1, 7), stage, count(*), sum(amount_cents),"
                     " sum(amount_cents * probability / 100) FROM deal WHERE deleted_at IS NULL"
                     " AND stage NOT IN ('won', 'lost') GROUP BY 1, 2", ()),
        "activity": (f"SELECT date(at, '{offset}'), channel, count(*), sum(goal_met) FROM follow_up"
                     " WHERE deleted_at IS NULL AND at >= ? AND at < ? GROUP BY 1, 2", (start, end)),
        "rfm": ("SELECT k.id, k.tier, k.last_contact_at, c.n, c.total, c.last FROM customer k LEFT JOIN"
                " (SELECT customer_id, count(*) AS n, sum(amount_cents) AS total, max(signed_on) AS last FROM contract"
                " WHERE deleted_at IS NULL GROUP BY customer_id) c ON c.customer_id = k.id"
                " WHERE k.deleted_at IS NULL AND k.merged_into IS NULL", ()),
        "payments": ("SELECT substr(p.due_on, 1, 7), sum(p.amount_cents),"
                     " sum(CASE WHEN p.paid_on IS NOT NULL THEN p.amount_cents END),"
                     " sum(CASE WHEN p.paid_on IS NULL AND p.due_on < ? THEN 1 END)"
                     " FROM payment p JOIN contract k ON k.id = p.contract_id"
                     " WHERE p.deleted_at IS NULL AND k.deleted_at IS NULL GROUP BY 1", (today,)),
        "team": ("SELECT coalesce(k.owner, ''), count(*), sum(f.goal_met) FROM follow_up f"
                 " JOIN customer k ON k.id = f.customer_id WHERE f.deleted_at IS NULL AND f.at >= ? AND f.at < ?"
                 " GROUP BY 1", (start, end)),
    }


def heatmap_query(offset: str) -> str:
    return (f"SELECT date(at, '{offset}'), count(*) FROM follow_up WHERE deleted_at IS NULL AND at >= ? AND at < ?"
            " GROUP BY 1")


# ------------------------------------------------------------------------------------- the reports

def bench_reports(db: Path, runs: int) -> None:
    from crmtui.core.clock import Clock
    from crmtui.core.config import Settings
    from crmtui.core.periods import parse_period
    from crmtui.services.context import open_context
    from crmtui.services.reports import REPORTS, module

    ctx = open_context(db, settings=Settings(timezone="Asia/Shanghai", language="en"), clock=Clock(ZONE))
    today = ctx.clock.today()
    offset = f"{ctx.clock.now().utcoffset().total_seconds() / 3600:+.0f} hours"  # type: ignore[union-attr]
    counts = {}
    with ctx.db.raw_read() as connection:
        for table in ("customer", "follow_up", "deal", "deal_stage_change", "contract", "payment"):
            counts[table] = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    print(f"database {db} ({db.stat().st_size / 1e6:,.0f} MB): "
          + ", ".join(f"{n:,} {table}" for table, n in counts.items()))
    print(f"today {today} (Asia/Shanghai); median of {runs} runs after one warm-up; load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"\n{'report':<10}{'period':<15}{'build()':>11}{'raw SQL':>11}{'build/raw':>10}  {'target':<8}"
          f"{'kept':>10}  what it showed")
    worst: dict[str, float] = {}
    missing = []
    try:
        for name in REPORTS:
            try:
                report_module = module(name)
            except ImportError:
                missing.append(name)
                continue
            for text in PERIODS:
                period = parse_period(text, today, ZONE)
                start, end = utc_text(period.start), utc_text(period.end)
                try:
                    ours, report = timed(lambda: computed(report_module, ctx, period), runs)
                    again, _ = timed(lambda: report_module.build(ctx, period), runs)
                except Exception as error:  # a report still being written: say so and go on
                    print(f"{name:<10}{text:<15}{'failed':>11}  {type(error).__name__}: {error}")
                    break
                sql, params = raw_queries(start, end, today.isoformat(), offset)[name]
                with ctx.db.raw_read() as connection:
                    raw, rows = timed(lambda: connection.execute(sql, params).fetchall(), runs)  # noqa: B023
                worst[name] = max(worst.get(name, 0.0), ours)
                shown = _shown(report)
                print(f"{name:<10}{text:<15}{ours:>8.1f} ms{raw:>8.1f} ms{ours / raw if raw else 0:>9.1f}x  "
                      f"{'ok' if ours <= REPORT_TARGET_MS else 'MISS':<8}{again:>7.1f} ms  {shown}; raw {len(rows):,}"
                      " rows")  # type: ignore[arg-type]
        heatmap(ctx, runs, offset)
    finally:
        ctx.close()
    if missing:
        print(f"not there yet (skipped): {', '.join(missing)}")
    if worst:
        print("slowest period per report: " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in worst.items()))


def computed(report_module: object, ctx: object, period: object) -> object:
    """A report computed, not given back from the reports kept while the book does not change (the figure the
    target is about; the `kept` column is the same report asked again, as the Reports screen asks it)."""
    try:
        from crmtui.services.reports.cache import forget
    except ImportError:  # an older tree: nothing is kept
        pass
    else:
        forget()
    return report_module.build(ctx, period)  # type: ignore[attr-defined]


def _shown(report: object) -> str:
    """A few words on what a report held (so a fast empty report is seen as empty)."""
    if getattr(report, "empty", False):
        return "empty"
    tables = getattr(report, "tables", ())
    charts = getattr(report, "charts", ())
    rows = sum(len(table.rows) for table in tables)
    return f"{len(getattr(report, 'figures', ()))} figures, {len(tables)} tables ({rows} rows), {len(charts)} charts"


def heatmap(ctx: object, runs: int, offset: str) -> None:
    """The activity report's 12-month heatmap alone: its query and its folding into local days, as build() does
    (the report's own helpers, so a change to them is measured; if they have moved, the figure is left out)."""
    try:
        activity = importlib.import_module("crmtui.services.reports.activity")
        store = importlib.import_module("crmtui.store.reports.activity")
        from crmtui.services.agenda import ALL_REPS

        clock = ctx.clock  # type: ignore[attr-defined]
        today = clock.today()
        first = activity._year_before(today)
        start, end = activity._midnight(ctx, first), activity._midnight(ctx, today + timedelta(days=1))

        def build() -> object:
            days = activity._Days(ctx, first, today)
            with ctx.db.raw_read() as connection:  # type: ignore[attr-defined]
                counts = store.follow_up_counts(connection, start, end, store.customers_of(None, ALL_REPS),
                                                days.minutes, [activity._midnight(ctx, day)
                                                               for day in activity._dates(first, today)])
            return activity._heatmap(counts, days, first, today)

        ours, chart = timed(build, runs)
    except Exception as error:  # the activity report's helpers changed: say so, measure the rest
        print(f"heatmap alone: not measured ({type(error).__name__}: {error})")
        return
    with ctx.db.raw_read() as connection:  # type: ignore[attr-defined]
        raw, rows = timed(lambda: connection.execute(heatmap_query(offset), (utc_text(start), utc_text(end))).fetchall(),
                          runs)
    days = chart.days  # type: ignore[attr-defined]
    print(f"{'heatmap':<10}{'12 months':<15}{ours:>8.1f} ms{raw:>8.1f} ms{ours / raw if raw else 0:>9.1f}x  "
          f"{'ok' if ours <= HEATMAP_TARGET_MS else 'MISS':<8}{len(days)} days, {sum(n for _, n in days):,} follow-ups;"
          f" raw {len(rows)} days, {sum(n for _, n in rows):,}")  # type: ignore[misc]


# ------------------------------------------------------------------------------------- the launch

def bench_launch(db: Path, launches: int) -> None:
    from bench_tui import READY, launch_once, side_env  # the same launch as bench_tui's

    python = sys.executable
    present = []
    for name in importlib.import_module("crmtui.services.reports").REPORTS:
        try:
            importlib.import_module(f"crmtui.services.reports.{name}")
            present.append(f"crmtui.services.reports.{name}")
        except ImportError:
            pass
    for extra in ("crmtui.tui.screens.reports",):
        try:
            importlib.import_module(extra)
            present.append(extra)
        except ImportError:
            pass
    eager = ("import importlib, runpy; [importlib.import_module(m) for m in " + repr(present)
             + "]; runpy.run_module('crmtui', run_name='__main__', alter_sys=True)")
    with tempfile.TemporaryDirectory() as folder:
        env = side_env(dict(os.environ), ROOT / "src", Path(folder) / "home", db)
        commands = {"the app as it is": f"{python} -m crmtui",
                    "reports imported first": f"{python} -c \"{eager}\""}
        for command in commands.values():  # warm-up: .pyc files and the page cache
            launch_once(command, READY, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(launches):
            order = list(commands.items()) if round_ % 2 == 0 else list(commands.items())[::-1]
            for name, command in order:
                times[name].append(launch_once(command, READY, env)[0] * 1000)
        # The modules loaded once Today shows: a thread of the app's process writes them down every 0.2 s (Textual
        # draws on stderr, so -X importtime cannot be used here).
        listed = Path(folder) / "modules.txt"
        watcher = ("import sys, threading, time, runpy\n"
                   "def watch():\n"
                   "    while True:\n"
                   f"        open({str(listed)!r}, 'w').write('\\n'.join(sorted(sys.modules)))\n"
                   "        time.sleep(0.2)\n"
                   "threading.Thread(target=watch, daemon=True).start()\n"
                   "runpy.run_module('crmtui', run_name='__main__', alter_sys=True)\n")
        script = Path(folder) / "watched.py"
        script.write_text(watcher, encoding="utf-8")
        launch_once(f"{python} {script}", READY, env)  # it waits 0.3 s on screen: the list is written by then
        imported = listed.read_text().splitlines()
    import sqlite3

    connection = sqlite3.connect(db)
    newest = datetime.fromisoformat(connection.execute("SELECT max(at) FROM follow_up").fetchone()[0])
    connection.close()
    as_of = (newest.replace(tzinfo=UTC) - timedelta(days=SCREEN_DAYS_BACK)).astimezone(ZONE)
    with tempfile.TemporaryDirectory() as folder:
        env = side_env(dict(os.environ), ROOT / "src", Path(folder) / "home", db)
        # the app's clock starts at as_of (tests/childclock, as the suite's child processes are put on its clock)
        env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "tests" / "childclock"), env["PYTHONPATH"]]),
                   CRMTUI_TEST_NOW=as_of.isoformat())
        opened = screen_times(f"{python} -m crmtui", env, launches)
    print(f"\nlaunch to Today visible (tmux 100x30, median of {launches}, the two taking turns; "
          f"{len(present)} report modules present)")
    for name, samples in times.items():
        print(f"  {name:<26}{statistics.median(samples):>8.0f} ms   runs: {', '.join(f'{s:.0f}' for s in samples)}")
    base, eager_ms = statistics.median(times["the app as it is"]), statistics.median(times["reports imported first"])
    print(f"  what loading the reports at launch would add: {eager_ms - base:+.0f} ms")
    loaded = sorted({name for name in imported if name.startswith(LOADED_LATER)})
    print(f"  reports' modules the launch imports: {', '.join(loaded) if loaded else 'none'} "
          f"({len(imported)} modules imported in all)")
    if opened:
        first, *later = opened
        typical = statistics.median(later) if later else first
        print(f"Reports screen (the app's clock at {as_of:%Y-%m-%d %H:%M} Asia/Shanghai): key g on Today to the funnel"
              f" of this month drawn (its 'Win rate' on screen): first open {first:.0f} ms (the screen's code loaded"
              f" then), later opens median {typical:.0f} ms (runs: {', '.join(f'{s:.0f}' for s in later)});"
              f" target <= 500 ms: {'ok' if max(first, typical) <= 500 else 'MISS'}")


def screen_times(command: str, env: dict[str, str], opens: int) -> list[float]:
    """Milliseconds from pressing g on Today to the funnel's figures on screen, `opens` times in one session (Esc
    back to Today between): the first open loads the screen's code, the later ones do not."""
    from bench_tui import READY, tmux

    socket = f"reports-{os.getpid()}-{time.monotonic_ns()}"
    tmux(socket, "new-session", "-d", "-s", "r", "-x", "100", "-y", "30", command, env=env)
    samples: list[float] = []
    try:
        def wait_for(text: str, present: bool, limit: float = 60.0) -> bool:
            deadline = time.perf_counter() + limit
            while (text in tmux(socket, "capture-pane", "-p", "-t", "r").stdout) != present:
                if time.perf_counter() > deadline:
                    return False
                time.sleep(0.005)
            return True

        if not wait_for(READY, True):
            print("Reports screen: not measured (Today never showed)")
            return []
        time.sleep(1.0)
        for _ in range(opens):
            start = time.perf_counter()
            tmux(socket, "send-keys", "-t", "r", "g")
            if not wait_for("Win rate", True):
                print("Reports screen: not measured (the funnel's figures never showed)")
                return samples
            samples.append((time.perf_counter() - start) * 1000)
            tmux(socket, "send-keys", "-t", "r", "Escape")
            wait_for(READY, True)
            time.sleep(0.3)
    finally:
        tmux(socket, "kill-server")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", nargs="?", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--skip-launch", action="store_true")
    parser.add_argument("--skip-reports", action="store_true", help="only the launch")
    args = parser.parse_args()
    db = args.db.resolve()
    if not db.exists():
        print(f"{db} does not exist: generating it first with bench/generate.py (a few minutes)")
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--out", str(db)], check=True)
    if not args.skip_reports:
        bench_reports(db, args.runs)
    if not args.skip_launch:
        bench_launch(db, args.launches)


if __name__ == "__main__":
    main()
