"""Times `crm demo` (services.demo.load_demo) beside the same build by an older revision, in the same run.

    .venv/bin/python bench/bench_demo.py   # [--rounds N] [--baseline REV] [--day DAY] [--skip-cli] [--profile FILE]

The baseline is the source tree of another revision (default 08483f7, the code before the demo was made
deterministic and faster), exported with `git archive` into a temp dir: nothing in the repository or the working tree changes.
Each side runs in a fresh process with PYTHONPATH pointing at its `src`, on the same venv, the same day and the
same empty temp database; rounds alternate the sides (one run of each per round, the order swapped every
round) so drift on a shared machine hits both alike. The figures are medians.

Measured in each child:
  - load_demo: wall (perf_counter) and CPU (process_time) of the call alone, database already open;
  - per phase: CPU spent inside each service the demo calls (the demo module's own names are wrapped), the
    rest being the demo's own drawing of random values and the outer transaction's commit;
  - a digest of the book built: every row of the data tables, the outbox, the sync stamps and the clock,
    with each uuid replaced by the order in which it first appears. Equal digests mean both sides built
    the same book and queued the same mutations (same fields, values, stamps and order), byte for byte.
Then (unless --skip-cli) the whole `crm demo` command as a rep runs it: a fresh process on a temp
CRMTUI_HOME, wall time and the child's CPU time, with the clock started at the same moment.
It prints figures and never asserts: the targets (ours at least 3x faster in CPU, for load_demo and for the whole
command; the whole command at most 5 s of wall time) are marked ok or MISS.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CHILD_CLOCK = ROOT / "tests" / "childclock"
TARGET = 3.0
WALL_TARGET = 5.0  # seconds a newcomer waits for `crm demo`, wall time
PHASES = ("add_customer", "add_contact", "log_follow_up", "add_deal", "move_stage", "edit_customer")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DIGEST_TABLES = ("customer", "contact", "customer_tag", "deal", "deal_stage_change", "follow_up", "contract",
                 "payment", "outbox", "sync_stamp", "meta")


# ------------------------------------------------------------------------------------------------- child

def child(day: str, profile: str | None) -> None:
    """Builds the demo into a temp database as of `day` 10:00 Asia/Shanghai and prints its figures as JSON."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    zone = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime.fromisoformat(day).replace(hour=10, tzinfo=zone), tick=False):
        try:
            from crmtui.core.clock import Clock
            from crmtui.core.config import Settings
        except ImportError:  # a baseline from before the package had its core/ folder
            from crmtui.clock import Clock  # type: ignore[no-redef]
            from crmtui.config import Settings  # type: ignore[no-redef]
        from crmtui.services import demo
        from crmtui.services.context import open_context

        spent = {name: 0.0 for name in PHASES}
        calls = dict.fromkeys(PHASES, 0)
        for name in PHASES:
            _wrap(demo, name, spent, calls)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "crm.db"
            ctx = open_context(path, settings=Settings(timezone="Asia/Shanghai", language="en"), clock=Clock(zone))
            profiler = None
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            wall, cpu = time.perf_counter(), time.process_time()
            counts = demo.load_demo(ctx)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(profile)
            ctx.close()
            digest, rows = book_digest(path)
    print(json.dumps({"wall": wall, "cpu": cpu, "counts": counts, "phases": spent, "calls": calls,
                      "digest": digest, "rows": rows}))


def _wrap(module: object, name: str, spent: dict[str, float], calls: dict[str, int]) -> None:
    """Times each call of `name`: a method of the demo's SampleBook (the sample made in memory, then written in
    bulk), else the service the demo module calls."""
    book = getattr(module, "SampleBook", None)
    if book is not None:
        module = book
    original = getattr(module, name, None)
    if original is None:  # the demo may import it lazily (edit_customer): wrap it where it lives
        from crmtui.services import customers

        module, original = customers, getattr(customers, name)

    def timed(*args: object, **kwargs: object) -> object:
        # nested calls (a service calling another wrapped one) count once, in the outermost
        depth = timed.depth  # type: ignore[attr-defined]
        timed.depth = depth + 1  # type: ignore[attr-defined]
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            timed.depth = depth  # type: ignore[attr-defined]
            if depth == 0:
                spent[name] += time.process_time() - start
                calls[name] += 1

    timed.depth = 0  # type: ignore[attr-defined]
    setattr(module, name, timed)


def book_digest(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Hashes of the book, its mutations and their stamps, with uuids numbered by first appearance.

    Three parts, so that a difference says what differs: `book` is every row of the data tables; `mutations`
    is the outbox without its stamps (kind, record, changed values, base, order) and the set of fields each sync
    stamp covers; `stamps` is the hybrid logical clock stamps themselves (outbox, sync stamps, the clock). In one
    transaction the stamps count up from one moment, so they differ when the same changes are recorded in another
    order (a record's fields flushed together instead of in two flushes): the same book, the same mutations.
    """
    labels: dict[str, str] = {}

    def label(match: re.Match[str]) -> str:
        return labels.setdefault(match.group(0), f"<{len(labels)}>")

    def text(value: object) -> str:
        return UUID.sub(label, json.dumps(value, ensure_ascii=False, default=str))

    parts = {name: hashlib.sha256() for name in ("book", "mutations", "stamps")}
    rows: dict[str, int] = {}
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        for table in DIGEST_TABLES:
            order = "seq" if table == "outbox" else "rowid"
            count = 0
            for row in connection.execute(f"SELECT * FROM {table} ORDER BY {order}"):  # noqa: S608 (fixed names)
                record = dict(row)
                if table == "outbox":
                    stamps = record.pop("stamps")
                    record.pop("seq")
                    parts["mutations"].update(f"{table}\t{text(record)}\n".encode())
                    parts["stamps"].update(f"{table}\t{text(stamps)}\n".encode())
                elif table == "sync_stamp":
                    stamps = json.loads(record["stamps"])
                    fields = [record["record_table"], record["record_id"], sorted(stamps)]
                    parts["mutations"].update(f"{table}\t{text(fields)}\n".encode())
                    parts["stamps"].update(f"{table}\t{text(record)}\n".encode())
                elif table == "meta":
                    parts["stamps"].update(f"{table}\t{text(record)}\n".encode())
                else:
                    parts["book"].update(f"{table}\t{text(record)}\n".encode())
                count += 1
            rows[table] = count
    finally:
        connection.close()
    return {name: digest.hexdigest()[:12] for name, digest in parts.items()}, rows


# ------------------------------------------------------------------------------------------------ parent

def export_source(revision: str, into: Path) -> Path:
    """The `src` tree of a revision, unpacked under `into` (git archive: the repository is only read)."""
    command = ["git", "-C", str(ROOT), "archive", revision, "src"]
    archive = subprocess.run(command, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def run_child(src: Path, day: str, home: Path, profile: str | None = None) -> dict:
    env = _env(src, home)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--day", day]
    if profile:
        command += ["--profile", profile]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"child on {src} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_cli(src: Path, day: str, home: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of a fresh `crm demo` process on an empty temp home, and its last line."""
    env = _env(src, home, clock_at=f"{day}T10:00:00+08:00")
    env["CRMTUI_DB"] = str(home / f"demo-{time.monotonic_ns()}.db")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "crmtui", "demo"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"crm demo on {src} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout.strip().splitlines()[0]


def _env(src: Path, home: Path, clock_at: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRMTUI_", "PYTHONPATH"))}
    paths = [str(src)]
    if clock_at:
        paths.insert(0, str(CHILD_CLOCK))  # its sitecustomize starts the clock at CRMTUI_TEST_NOW
        env["CRMTUI_TEST_NOW"] = clock_at
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["CRMTUI_HOME"] = str(home)
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "en"\n', encoding="utf-8")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default="08483f7", help="revision to compare with (default 08483f7)")
    parser.add_argument("--day", default="2026-11-24", help="the day the demo is built on (10:00 Asia/Shanghai)")
    parser.add_argument("--skip-cli", action="store_true", help="do not time the whole `crm demo` command")
    parser.add_argument("--profile", help="also profile one build of ours with cProfile into this file")
    parser.add_argument("--src", type=Path, default=ROOT / "src",
                        help="the src tree to time as ours (default: the working tree's)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.day, args.profile)
        return

    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"], capture_output=True,
                           text=True).stdout.strip()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs; day {args.day}")
    ours = (f"the working tree's src (HEAD {head}{', with uncommitted changes' if dirty else ''})"
            if args.src.resolve() == (ROOT / "src").resolve() else str(args.src))
    print(f"ours: {ours}; baseline: {args.baseline}")
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as folder:
        temp = Path(folder)
        sides = {"baseline": export_source(args.baseline, temp / "baseline"), "ours": args.src.resolve()}
        results: dict[str, list[dict]] = {name: [] for name in sides}
        cli: dict[str, list[tuple[float, float, str]]] = {name: [] for name in sides}
        for round_no in range(args.rounds):
            order = list(sides) if round_no % 2 == 0 else list(reversed(sides))
            for name in order:
                home = temp / f"home-{name}-{round_no}"
                result = run_child(sides[name], args.day, home)
                results[name].append(result)
                line = (f"round {round_no + 1} {name:8s} load_demo wall {result['wall']:6.2f} s"
                        f"  cpu {result['cpu']:6.2f} s")
                if not args.skip_cli:
                    cli[name].append(run_cli(sides[name], args.day, home))
                    line += f"   crm demo wall {cli[name][-1][0]:6.2f} s  cpu {cli[name][-1][1]:6.2f} s"
                print(line, flush=True)
        if args.profile:
            run_child(sides["ours"], args.day, temp / "home-profile", profile=args.profile)
            print(f"profile of one build of ours: {args.profile}")
    report(results, cli)


def report(results: dict[str, list[dict]], cli: dict[str, list[tuple[float, float, str]]]) -> None:
    base, ours = results["baseline"], results["ours"]

    def median(runs: list[dict], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    print("\n== load_demo (medians) ==")
    print(f"{'figure':28s} {'baseline':>10s} {'ours':>10s} {'speed-up':>9s}")
    for key in ("wall", "cpu"):
        b, o = median(base, key), median(ours, key)
        print(f"{key + ' s':28s} {b:10.2f} {o:10.2f} {b / o:8.2f}x")
    for phase in PHASES:
        b = statistics.median(run["phases"][phase] for run in base)
        o = statistics.median(run["phases"][phase] for run in ours)
        n = ours[0]["calls"][phase]
        per = f"{1000 * b / n:.2f} -> {1000 * o / n:.2f} ms a call" if n else ""
        print(f"  cpu in {phase:20s} {b:10.2f} {o:10.2f} {b / o if o else 0:8.2f}x   {n:4d} calls  {per}")
    b_rest = median(base, "cpu") - statistics.median(sum(run["phases"].values()) for run in base)
    o_rest = median(ours, "cpu") - statistics.median(sum(run["phases"].values()) for run in ours)
    print(f"  {'cpu elsewhere (draws, commit)':27s} {b_rest:10.2f} {o_rest:10.2f}")
    if cli["ours"]:
        print("\n== crm demo, a fresh process (medians) ==")
        for index, key in enumerate(("wall", "cpu")):
            b = statistics.median(run[index] for run in cli["baseline"])
            o = statistics.median(run[index] for run in cli["ours"])
            print(f"{key + ' s':28s} {b:10.2f} {o:10.2f} {b / o:8.2f}x")
        print(f"  baseline said: {cli['baseline'][0][2]}\n  ours said:     {cli['ours'][0][2]}")

    print("\n== the book ==")
    for name, runs in results.items():
        print(f"{name:9s} counts {runs[0]['counts']}")
    print(f"{'':9s} rows   {ours[0]['rows']}")
    for part in ("book", "mutations", "stamps"):
        digests = {name: {run["digest"][part] for run in runs} for name, runs in results.items()}
        same_runs = all(len(found) == 1 for found in digests.values())
        same_sides = digests["baseline"] == digests["ours"]
        print(f"{part:9s} baseline {', '.join(sorted(digests['baseline']))}  ours {', '.join(sorted(digests['ours']))}"
              f"  every run alike: {'yes' if same_runs else 'NO'}  both sides alike: {'yes' if same_sides else 'no'}")
    ratio = median(base, "cpu") / median(ours, "cpu")
    if cli["ours"]:
        whole = (statistics.median(run[1] for run in cli["baseline"]) / statistics.median(run[1] for run in cli["ours"]))
        print(f"\ncrm demo (the whole command) CPU speed-up {whole:.2f}x, target >= {TARGET:.0f}x:"
              f" {'ok' if whole >= TARGET else 'MISS'}", end="")
        walls = [run[0] for run in cli["ours"]]
        print(f"\ncrm demo (the whole command) wall {statistics.median(walls):.2f} s (slowest {max(walls):.2f} s),"
              f" target <= {WALL_TARGET:.0f} s: {'ok' if statistics.median(walls) <= WALL_TARGET else 'MISS'}", end="")
    print(f"\nload_demo CPU speed-up {ratio:.2f}x, target >= {TARGET:.0f}x: {'ok' if ratio >= TARGET else 'MISS'}; "
          f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
