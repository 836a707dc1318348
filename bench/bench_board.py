"""The pipeline board's read on the bench databases: services.pipeline.board() beside the very statement it ran,
run raw, and beside the statement the board ran before it was bounded (every open deal of the book), at each
scale given, with EXPLAIN QUERY PLAN. Prints; never asserts.

    .venv/bin/python bench/bench_board.py [--db bench/out/big.db] [--db bench/out/big5.db] [--runs N] [--no-copy]

Without --db: bench/out/big.db (1x) and bench/out/big5.db (5x, `bench/generate.py --scale 5`) when they exist.
Each database is copied to a temporary folder first (opening a context may fold its write-ahead log back), unless
--no-copy. Every figure is the median of --runs reads after one unmeasured read, each read on a new connection
with the store's pragmas (as the app's board does: ctx.db.raw_read()).

- board(): the service as the screen calls it (no rep: everything on the laptop), its cards and totals.
- same SQL raw: the statement board() ran, caught with SQLite's trace callback (parameters bound), run alone and
  fetched: what the service adds on top is building the cards.
- every deal (before): the statement the board ran until it was bounded, every live deal of a live customer with
  its customer's row, ordered by the day it entered its stage. The baseline, run in the same process.
Target: board() <= 150 ms at 5x.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TARGET_MS = 150.0

BEFORE = (
    "SELECT d.id, d.title, d.amount_cents, d.stage, d.stage_entered_at, c.id, c.name, c.last_contact_at,"
    " c.next_follow_up_at, c.owner, d.expected_close FROM deal d JOIN customer c ON c.id = d.customer_id"
    " WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL"
    " AND (d.stage NOT IN ('won', 'lost') OR d.stage_entered_at >= ?) ORDER BY d.stage_entered_at"
)
"""The board's statement before it was bounded (store/pipeline.py until the board read 300 cards a column)."""


def median_ms(work: Callable[[], object], runs: int) -> float:
    work()  # one unmeasured: the page cache and the .pyc files warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def plan(connection: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> list[str]:
    return [row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, params)]


def measure(db: Path, runs: int) -> None:
    from crmtui.core.config import Settings
    from crmtui.services.context import open_context
    from crmtui.services.pipeline import CLOSED_DAYS, board
    from crmtui.store.raw import to_db

    ctx = open_context(db, settings=Settings(timezone="Asia/Shanghai", language="en"))
    try:
        columns = board(ctx)
        statements: list[str] = []
        connect = ctx.db.connect

        def traced() -> sqlite3.Connection:
            connection = connect()
            connection.set_trace_callback(statements.append)
            return connection

        ctx.db.connect = traced  # type: ignore[method-assign]
        board(ctx)
        ctx.db.connect = connect  # type: ignore[method-assign]
        board_sql = next(sql for sql in statements if "FROM deal" in sql)

        def raw(sql: str, params: tuple[object, ...] = ()) -> Callable[[], object]:
            def run() -> object:
                connection = ctx.db.connect()
                try:
                    return connection.execute(sql, params).fetchall()
                finally:
                    connection.close()
            return run

        since = (to_db(ctx.clock.utcnow() - timedelta(days=CLOSED_DAYS)),)
        board_ms = median_ms(lambda: board(ctx), runs)
        raw_ms = median_ms(raw(board_sql), runs)
        before_ms = median_ms(raw(BEFORE, since), runs)
        before_rows = len(raw(BEFORE, since)())  # type: ignore[arg-type]
        connection = ctx.db.connect()
        try:
            board_plan, before_plan = plan(connection, board_sql), plan(connection, BEFORE, since)
        finally:
            connection.close()
    finally:
        ctx.close()
    cards = sum(len(column.cards) for column in columns)
    deals = sum(column.count for column in columns)
    print(f"== {db.name}: {deals} deals on the board ({cards} cards read), the statement before read {before_rows}")
    print(f"  {'board()':34} {board_ms:8.1f} ms   target <= {TARGET_MS:.0f} ms at 5x")
    print(f"  {'same SQL raw':34} {raw_ms:8.1f} ms   board() / raw {board_ms / raw_ms:.2f}x")
    print(f"  {'every deal (before), raw':34} {before_ms:8.1f} ms   board() / before {board_ms / before_ms:.2f}x")
    print("  plan, board():")
    for line in board_plan:
        print(f"    {line}")
    print("  plan, every deal (before):")
    for line in before_plan:
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, action="append", help="a bench database (repeat for each scale)")
    parser.add_argument("--runs", type=int, default=7, help="reads per figure (default 7)")
    parser.add_argument("--no-copy", action="store_true", help="read the files in place")
    args = parser.parse_args()
    dbs = args.db or [path for path in (ROOT / "bench" / "out" / "big.db", ROOT / "bench" / "out" / "big5.db")
                      if path.exists()]
    if not dbs:
        sys.exit("no database: run `.venv/bin/python bench/generate.py` (and `--scale 5`) first, or give --db")
    import os

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for db in dbs:
        if not db.exists():
            sys.exit(f"{db} is missing")
        if args.no_copy:
            measure(db, args.runs)
            continue
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / db.name
            shutil.copy(db, copy)
            measure(copy, args.runs)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
