"""TUI figures on the big database, each beside a baseline measured in the same run. Prints; never asserts.

    .venv/bin/python bench/bench_tui.py [bench/out/big.db]

- launch to Today visible in a real terminal (tmux), beside a minimal Textual app (one Static);
- key-to-frame latency moving in the agenda, and per search keystroke, beside a bare OptionList app;
- resident memory of the running app, beside the minimal app;
- the keystrokes a complete follow-up takes from Today, apart from the typed text.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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
    return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True, text=True, env=env)


def launch_time(command: str, ready_text: str, env: dict[str, str], runs: int = 5) -> tuple[float, float]:
    """Median seconds from starting `command` in a 100x30 tmux pane to `ready_text` on screen, and its RSS in MB."""
    times, rss = [], []
    for index in range(runs):
        socket = f"bench-{os.getpid()}-{time.monotonic_ns()}"
        start = time.perf_counter()
        tmux(socket, "new-session", "-d", "-s", "b", "-x", "100", "-y", "30", command, env=env)
        try:
            while time.perf_counter() - start < 30:
                if ready_text in tmux(socket, "capture-pane", "-p", "-t", "b").stdout:
                    times.append(time.perf_counter() - start)
                    break
                time.sleep(0.005)
            time.sleep(0.3)
            pid = tmux(socket, "list-panes", "-t", "b", "-F", "#{pane_pid}").stdout.strip()
            rss.append(_tree_rss_mb(int(pid)) if pid else 0.0)
        finally:
            tmux(socket, "kill-server")
    return statistics.median(times), statistics.median(rss)


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the pane may run a shell that runs python)."""
    out = subprocess.run(["ps", "-o", "pid=,ppid=,rss=", "-A"], capture_output=True, text=True).stdout
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
    return statistics.median(samples)


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
    from crmtui.tui.app import build_app
    from crmtui.core.config import Settings
    from crmtui.services.context import open_context
    from crmtui.services.search import search

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
    from crmtui.tui.app import build_app
    from crmtui.core.config import Settings
    from crmtui.services.context import open_context
    from crmtui.services.pipeline import board

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
        shown = sum(len(c.cards) for c in columns if c.stage.key not in ("won", "lost"))
    ctx.close()
    return statistics.median(reads), statistics.median(fills), shown


async def follow_up_keystrokes(tmp: Path) -> int:
    """Drives a complete follow-up from Today and counts every key that is not part of the typed text."""
    from datetime import timedelta

    from crmtui.tui.app import build_app
    from crmtui.core.config import Settings
    from crmtui.services.context import open_context
    from crmtui.services.customers import add_customer
    from crmtui.services.follow_ups import log_follow_up

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


def main() -> None:
    db = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "out" / "big.db"
    if not db.exists():
        sys.exit(f"{db} is missing: run `.venv/bin/python bench/generate.py` first")
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed for the launch figures")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        copy = tmp / "big.db"
        shutil.copy(db, copy)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(CRMTUI_HOME=str(tmp / "home"), CRMTUI_DB=str(copy), TZ="Asia/Shanghai")
        (tmp / "minimal.py").write_text(MINIMAL)
        (tmp / "bare.py").write_text(BARE_LIST)
        crm = VENV_BIN / "crm"
        launch_time(f"{crm}", "Overdue (", env, runs=1)  # warm the page cache and .pyc files
        minimal_s, minimal_mb = launch_time(f"{sys.executable} {tmp / 'minimal.py'}", "READY", env)
        app_s, app_mb = launch_time(f"{crm}", "Overdue (", env)
        app_key = key_to_frame(f"{crm}", "Overdue (", env)
        bare_key = key_to_frame(f"{sys.executable} {tmp / 'bare.py'}", "READY", env)
        search_ms, query_ms = asyncio.run(search_keystroke(copy))
        round_trip = capture_cost()
        board_read, board_fill, open_deals = asyncio.run(board_figures(copy))
        keystrokes = asyncio.run(follow_up_keystrokes(tmp))

    rows = [
        ("launch to Today visible", f"{app_s * 1000:.0f} ms", "minimal app", f"{minimal_s * 1000:.0f} ms",
         app_s / minimal_s, "<= 3.5x"),
        ("agenda: key to frame (tmux)", f"{app_key:.1f} ms", "bare OptionList, 1200 rows", f"{bare_key:.1f} ms",
         app_key / bare_key, "<= 50 ms"),
        ("search: work per keystroke", f"{search_ms:.1f} ms", "the query alone", f"{query_ms:.1f} ms",
         search_ms / query_ms if query_ms else None, "<= 30 ms"),
        (f"board: read {open_deals} open deals", f"{board_read:.0f} ms", "-", "-", None, "(info)"),
        ("board: fill the columns", f"{board_fill:.0f} ms", "-", "-", None, "(info)"),
        ("resident memory", f"{app_mb:.0f} MB", "minimal app", f"{minimal_mb:.0f} MB", app_mb / minimal_mb, "<= 120 MB"),
        ("follow-up keystrokes from Today", str(keystrokes), "-", "-", None, "<= 10"),
    ]
    misses = {
        f"board: read {open_deals} open deals": False,
        "board: fill the columns": False,
        "launch to Today visible": app_s / minimal_s > 3.5,
        "agenda: key to frame (tmux)": app_key > 50,
        "search: work per keystroke": search_ms > 30,
        "resident memory": app_mb > 120,
        "follow-up keystrokes from Today": not 0 < keystrokes <= 10,
    }
    print(f"(one tmux send-keys + capture-pane round costs {round_trip:.1f} ms here; it is inside the key figures)")
    print(f"{'figure':34} {'value':>10}  {'baseline':30} {'value':>9} {'ratio':>7}  target     result")
    for name, value, base_name, base, ratio, target in rows:
        ratio_text = f"{ratio:.2f}x" if ratio else "-"
        print(f"{name:34} {value:>10}  {base_name:30} {base:>9} {ratio_text:>7}  {target:10} {'MISS' if misses[name] else 'ok'}")


if __name__ == "__main__":
    main()
