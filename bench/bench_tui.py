"""TUI figures on the big database, each beside a baseline measured in the same run. Prints; never asserts.

    .venv/bin/python bench/bench_tui.py [bench/out/big.db] [--baseline REV] [--runs N] [--presses N] [--skip-inprocess]

- launch to Today visible in a real terminal (tmux), beside a minimal Textual app (one Static);
- key-to-frame latency moving in the agenda, and per search keystroke, beside a bare OptionList app;
- resident memory of the running app, beside the minimal app;
- the keystrokes a complete follow-up takes from Today, apart from the typed text.

With --baseline REV (or a folder holding a `src` tree of crmtui's), the launch, the key to frame and the memory are measured for that revision's `src` too (exported
with `git archive` into a temp dir; the repository and the working tree are only read), in the same run, the two sides
taking turns, each on its own copy of the database. Both sides start as `python -m crmtui` with PYTHONPATH at their
`src`; "ours" is the working tree (uncommitted changes included).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
MINIMAL = """
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    def compose(self):
        yield Static("READY")
Minimal().run()
"""
BARE_LIST = """
from textual.app import App
from textual.widgets import OptionList
class Bare(App):
    def compose(self):
        yield OptionList(*[f"row {i} READY overdue 3 d  -> call back  120,000" for i in range(1200)])
Bare().run()
"""


def tmux(socket: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True, text=True, env=env,
                          check=False)


def launch_once(command: str, ready_text: str, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from starting `command` in a 100x30 tmux pane to `ready_text` on screen, and its RSS in MB."""
    socket = f"bench-{os.getpid()}-{time.monotonic_ns()}"
    start = time.perf_counter()
    tmux(socket, "new-session", "-d", "-s", "b", "-x", "100", "-y", "30", command, env=env)
    try:
        seconds = None
        while time.perf_counter() - start < 30:
            if ready_text in tmux(socket, "capture-pane", "-p", "-t", "b").stdout:
                seconds = time.perf_counter() - start
                break
            time.sleep(0.005)
        if seconds is None:
            raise RuntimeError(f"{ready_text!r} never appeared for {command}")
        time.sleep(0.3)
        pid = tmux(socket, "list-panes", "-t", "b", "-F", "#{pane_pid}").stdout.strip()
        return seconds, _tree_rss_mb(int(pid)) if pid else 0.0
    finally:
        tmux(socket, "kill-server")


def launch_time(command: str, ready_text: str, env: dict[str, str], runs: int = 5) -> tuple[float, float]:
    """Median seconds from starting `command` in a 100x30 tmux pane to `ready_text` on screen, and its RSS in MB."""
    samples = [launch_once(command, ready_text, env) for _ in range(runs)]
    return statistics.median(s for s, _ in samples), statistics.median(m for _, m in samples)


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the pane may run a shell that runs python)."""
    out = subprocess.run(["ps", "-o", "pid=,ppid=,rss=", "-A"], capture_output=True, text=True, check=True).stdout
    rows = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]
    children: dict[int, list[int]] = {}
    rss = {}
    for p, parent, r in rows:
        children.setdefault(parent, []).append(p)
        rss[p] = r
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total / 1024


def key_to_frame(command: str, ready_text: str, env: dict[str, str], presses: int = 40) -> float:
    """Median ms from `tmux send-keys Down` to the pane showing a changed frame, in a real terminal."""
    return statistics.median(key_samples(command, ready_text, env, presses))


def key_samples(command: str, ready_text: str, env: dict[str, str], presses: int = 40) -> list[float]:
    """Ms from each `tmux send-keys Down` to the pane showing a changed frame, in a real terminal."""
    socket = f"keys-{os.getpid()}-{time.monotonic_ns()}"
    tmux(socket, "new-session", "-d", "-s", "k", "-x", "100", "-y", "30", command, env=env)
    samples = []
    try:
        deadline = time.perf_counter() + 30
        while ready_text not in tmux(socket, "capture-pane", "-p", "-t", "k").stdout:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{ready_text!r} never appeared")
            time.sleep(0.01)
        time.sleep(1.0)  # let loading settle
        for _ in range(presses):
            before = tmux(socket, "capture-pane", "-e", "-p", "-t", "k").stdout
            start = time.perf_counter()
            tmux(socket, "send-keys", "-t", "k", "Down")
            while tmux(socket, "capture-pane", "-e", "-p", "-t", "k").stdout == before:
                if time.perf_counter() - start > 2:
                    break
            samples.append((time.perf_counter() - start) * 1000)
            time.sleep(0.05)
    finally:
        tmux(socket, "kill-server")
    return samples


def capture_cost() -> float:
    """What one send-keys + capture-pane round costs by itself (subtracted from nothing; shown for reading)."""
    socket = f"cost-{os.getpid()}-{time.monotonic_ns()}"
    tmux(socket, "new-session", "-d", "-s", "c", "-x", "100", "-y", "30", "sleep 30")
    try:
        start = time.perf_counter()
        for _ in range(20):
            tmux(socket, "send-keys", "-t", "c", "")
            tmux(socket, "capture-pane", "-e", "-p", "-t", "c")
        return (time.perf_counter() - start) * 1000 / 20
    finally:
        tmux(socket, "kill-server")


async def search_keystroke(db: Path) -> tuple[float, float]:
    """Median ms of the work one search keystroke causes (the query and filling the result list), and the
    query alone."""
    from crmtui.core.config import Settings
    from crmtui.services.context import open_context
    from crmtui.services.search import search
    from crmtui.tui.app import build_app

    ctx = open_context(db, settings=Settings(timezone="Asia/Shanghai", language="en"))
    app = build_app(ctx)
    whole, query_only = [], []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        screen = app.screen
        for text in ("zh", "zhang", "北京", "北京华信", "138", "13800", "atlas", "discount"):
            for end in range(1, len(text) + 1):
                prefix = text[:end]
                screen.query_one("#query").value = prefix
                await app.workers.wait_for_complete()
                start = time.perf_counter()
                hits = search(ctx, prefix)
                middle = time.perf_counter()
                screen.show_hits(prefix, hits)
                whole.append((time.perf_counter() - start) * 1000)
                query_only.append((middle - start) * 1000)
                await pilot.pause()  # the frame itself is drawn here (only the visible lines)
    ctx.close()
    return statistics.median(whole), statistics.median(query_only)


async def board_figures(db: Path) -> tuple[float, float, int]:
    """Median ms to read the board (the service) and to fill its columns (the screen), and the open deals shown."""
    from crmtui.core.config import Settings
    from crmtui.services.context import open_context
    from crmtui.services.pipeline import board
    from crmtui.tui.app import build_app

    ctx = open_context(db, settings=Settings(timezone="Asia/Shanghai", language="en"))
    app = build_app(ctx)
    reads, fills = [], []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        for _ in range(5):
            start = time.perf_counter()
            columns = board(ctx)
            middle = time.perf_counter()
            screen.show_board(columns)
            reads.append((middle - start) * 1000)
            fills.append((time.perf_counter() - middle) * 1000)
            await pilot.pause()
        # every open deal, though a column holds its first cards only (an older revision's columns have no count)
        shown = sum(getattr(c, "count", len(c.cards)) for c in columns if c.stage.key not in ("won", "lost"))
    ctx.close()
    return statistics.median(reads), statistics.median(fills), shown


async def follow_up_keystrokes(tmp: Path) -> int:
    """Drives a complete follow-up from Today and counts every key that is not part of the typed text."""
    from datetime import timedelta

    from crmtui.core.config import Settings
    from crmtui.services.context import open_context
    from crmtui.services.customers import add_customer
    from crmtui.services.follow_ups import log_follow_up
    from crmtui.tui.app import build_app

    ctx = open_context(tmp / "count.db", settings=Settings(timezone="Asia/Shanghai", language="en"))
    customer = add_customer(ctx, "Count Ltd")
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p",
                  next_at=ctx.clock.now() + timedelta(minutes=1))
    app = build_app(ctx)
    keys = 0
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in ("l", "1", "y"):
            await pilot.press(key)
            keys += 1
        for text in ("goal", "notes"):
            for character in text:
                await pilot.press(character)
            await pilot.press("tab")
            keys += 1
        for character in "plan":
            await pilot.press(character)
        await pilot.press("tab")
        keys += 1
        for character in "tomorrow":
            await pilot.press(character)
        await pilot.press("enter")
        keys += 1
        await pilot.pause()
    from crmtui.services.customers import customer_detail

    saved = len(customer_detail(ctx, customer.id).follow_ups) == 2
    ctx.close()
    return keys if saved else -1


def export_source(revision: str, into: Path) -> Path:
    """The `src` tree of a revision, unpacked under `into` (git archive: the repository is only read)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def side_env(base: dict[str, str], src: Path, home: Path, db: Path) -> dict[str, str]:
    """The environment of one side: its `src` first on the path, its own home and copy of the database."""
    env = dict(base)
    env.update(PYTHONPATH=str(src), CRMTUI_HOME=str(home), CRMTUI_DB=str(db))
    return env


def settle_wal(db: Path) -> None:
    """Folds the copy's write-ahead log back into it: a launch killed with its pane leaves the log of a migration
    behind (hundreds of MB after an index is built), which every later launch would read at start-up."""
    import sqlite3

    connection = sqlite3.connect(db)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def compare_with(baseline: str, db: Path, tmp: Path, base_env: dict[str, str], runs: int, presses: int) -> None:
    """Launch to Today, key to frame and memory of the working tree beside `baseline`, the sides taking turns, and
    a minimal Textual app launched in the same rounds (the target is a ratio to it)."""
    # a folder is taken as it is (a src tree prepared by hand), anything else as a git revision
    folder = Path(baseline)
    if folder.is_dir():  # its `src`, or the folder itself if it holds the package (on PYTHONPATH, it must hold
        source = folder / "src" if (folder / "src" / "crmtui").is_dir() else folder  # crmtui, or the editable
    else:  # install's, ours, is imported instead)
        source = export_source(baseline, tmp / "baseline")
    if not (source / "crmtui").is_dir():
        sys.exit(f"{source} holds no crmtui package")
    sides = {"baseline": source, "ours": ROOT / "src"}
    envs = {}
    for name, src in sides.items():
        copy = tmp / f"{name}.db"
        shutil.copy(db, copy)  # each side its own copy: ours may migrate the file when it first opens it
        envs[name] = side_env(base_env, src, tmp / f"home-{name}", copy)
    command = f"{sys.executable} -m crmtui"
    for name in sides:  # warm-up: .pyc files, the page cache, a migration of ours' copy
        launch_once(command, READY, envs[name])
        settle_wal(Path(envs[name]["CRMTUI_DB"]))
    (tmp / "minimal.py").write_text(MINIMAL)
    minimal = f"{sys.executable} {tmp / 'minimal.py'}"
    launch_once(minimal, "READY", envs["ours"])
    launch: dict[str, list[tuple[float, float]]] = {name: [] for name in (*sides, "minimal")}
    for round_ in range(runs):
        order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
        for name in order:
            launch[name].append(launch_once(command, READY, envs[name]))
        launch["minimal"].append(launch_once(minimal, "READY", envs["ours"]))
    keys: dict[str, list[float]] = {name: [] for name in sides}
    for round_ in range(2):  # two sessions a side, in the order baseline, ours, ours, baseline
        order = list(sides) if round_ == 0 else list(reversed(sides))
        for name in order:
            keys[name] += key_samples(command, READY, envs[name], presses // 2)
    print(f"\n== the working tree beside {baseline} (medians; {runs} launches and {2 * (presses // 2)} key presses"
          " a side, taking turns) ==")
    print(f"{'figure':28} {baseline:>12} {'ours':>12} {'ours/base':>10}")
    rows = [
        ("launch to Today visible", [s * 1000 for s, _ in launch["baseline"]], [s * 1000 for s, _ in launch["ours"]],
         "ms"),
        ("agenda: key to frame", keys["baseline"], keys["ours"], "ms"),
        ("resident memory", [m for _, m in launch["baseline"]], [m for _, m in launch["ours"]], "MB"),
    ]
    for name, base_values, our_values, unit in rows:
        base_value, our_value = statistics.median(base_values), statistics.median(our_values)
        print(f"{name:28} {base_value:>9.1f} {unit} {our_value:>9.1f} {unit} {our_value / base_value:>9.2f}x")
    minimal_ms = statistics.median(s for s, _ in launch["minimal"]) * 1000
    ratios = [statistics.median(s for s, _ in launch[name]) * 1000 / minimal_ms for name in sides]
    print(f"{'launch / minimal app':28} {ratios[0]:>11.2f}x {ratios[1]:>11.2f}x   (minimal app {minimal_ms:.0f} ms; "
          f"target <= 2x){'' if ratios[1] <= 2 else '  MISS'}")
    key_ms = statistics.median(keys["ours"])
    print(f"{'key to frame, ours':28} {key_ms:>9.1f} ms   (target <= 30 ms){'' if key_ms <= 30 else '  MISS'}")
    for name in launch:
        print(f"  launch ms by run, {name}: {', '.join(f'{s * 1000:.0f}' for s, _ in launch[name])}")


READY = "Overdue"
"""What Today shows once its agenda is on screen (the section of overdue follow-ups, in English)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="?", type=Path, default=ROOT / "bench" / "out" / "big.db")
    parser.add_argument("--baseline", help="another revision (or a src folder) to measure launch, key to frame and "
                        "memory against")
    parser.add_argument("--runs", type=int, default=5, help="launches per side (default 5)")
    parser.add_argument("--presses", type=int, default=40, help="key presses per side (default 40)")
    parser.add_argument("--skip-inprocess", action="store_true",
                        help="only the tmux figures (no search, board or follow-up figures)")
    args = parser.parse_args()
    db = args.db
    if not db.exists():
        sys.exit(f"{db} is missing: run `.venv/bin/python bench/generate.py` first")
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed for the launch figures")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR")}
        env.update(TZ="Asia/Shanghai")
        if args.baseline:
            compare_with(args.baseline, db, tmp, env, args.runs, args.presses)
            if args.skip_inprocess:
                print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
                return
        copy = tmp / "big.db"
        shutil.copy(db, copy)
        env.update(CRMTUI_HOME=str(tmp / "home"), CRMTUI_DB=str(copy))
        (tmp / "minimal.py").write_text(MINIMAL)
        (tmp / "bare.py").write_text(BARE_LIST)
        crm = VENV_BIN / "crm"
        launch_time(f"{crm}", READY, env, runs=1)  # warm the page cache and .pyc files
        settle_wal(copy)
        minimal_s, minimal_mb = launch_time(f"{sys.executable} {tmp / 'minimal.py'}", "READY", env, runs=args.runs)
        app_s, app_mb = launch_time(f"{crm}", READY, env, runs=args.runs)
        app_key = key_to_frame(f"{crm}", READY, env, args.presses)
        bare_key = key_to_frame(f"{sys.executable} {tmp / 'bare.py'}", "READY", env, args.presses)
        round_trip = capture_cost()
        if args.skip_inprocess:
            search_ms = query_ms = board_read = board_fill = 0.0
            open_deals = keystrokes = 0
        else:
            search_ms, query_ms = asyncio.run(search_keystroke(copy))
            board_read, board_fill, open_deals = asyncio.run(board_figures(copy))
            keystrokes = asyncio.run(follow_up_keystrokes(tmp))

    rows = [
        ("launch to Today visible", f"{app_s * 1000:.0f} ms", "minimal app", f"{minimal_s * 1000:.0f} ms",
         app_s / minimal_s, "<= 2x"),
        ("agenda: key to frame (tmux)", f"{app_key:.1f} ms", "bare OptionList, 1200 rows", f"{bare_key:.1f} ms",
         app_key / bare_key, "<= 30 ms"),
        ("search: work per keystroke", f"{search_ms:.1f} ms", "the query alone", f"{query_ms:.1f} ms",
         search_ms / query_ms if query_ms else None, "<= 30 ms"),
        (f"board: read {open_deals} open deals", f"{board_read:.0f} ms", "-", "-", None, "(info)"),
        ("board: fill the columns", f"{board_fill:.0f} ms", "-", "-", None, "(info)"),
        ("resident memory", f"{app_mb:.0f} MB", "minimal app", f"{minimal_mb:.0f} MB", app_mb / minimal_mb, "<= 100 MB"),
        ("follow-up keystrokes from Today", str(keystrokes), "-", "-", None, "<= 10"),
    ]
    misses = {
        f"board: read {open_deals} open deals": False,
        "board: fill the columns": False,
        "launch to Today visible": app_s / minimal_s > 2,
        "agenda: key to frame (tmux)": app_key > 30,
        "search: work per keystroke": search_ms > 30,
        "resident memory": app_mb > 100,
        "follow-up keystrokes from Today": not 0 < keystrokes <= 10,
    }
    print(f"(one tmux send-keys + capture-pane round costs {round_trip:.1f} ms here; it is inside the key figures)")
    print(f"{'figure':34} {'value':>10}  {'baseline':30} {'value':>9} {'ratio':>7}  target     result")
    for name, value, base_name, base, ratio, target in rows:
        ratio_text = f"{ratio:.2f}x" if ratio else "-"
        print(f"{name:34} {value:>10}  {base_name:30} {base:>9} {ratio_text:>7}  {target:10} {'MISS' if misses[name] else 'ok'}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
