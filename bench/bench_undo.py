"""Undoing a large import: `crm undo` of an N-row customers import, beside the import itself, in the same run.

    .venv/bin/python bench/bench_undo.py [--rows N]

A fresh book (a new CRMTUI_HOME) imports an N-row customers CSV (a contact and a tag a row) through the real
service, then times what `crm undo` does: the plan (the question with its first lines and the count), `crm undo
--list`, and the undo itself (every record the import created tombstoned, one outbox entry each). The baseline is
the import of the same file: an undo writes one change per record where the import wrote one, so it should cost
about as much, not many times more. It prints figures; it never asserts.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sheet(path: Path, rows: int) -> Path:
    lines = ["客户名称,联系人,手机,标签"]
    lines += [f"测试公司{n:06d},联系人{n:06d},138{n:08d},VIP" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(label: str, run, baseline: float | None = None):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    beside = f"   ({seconds / baseline:.2f}x the import)" if baseline else ""
    print(f"{label:<34}{seconds:8.2f} s{beside}")
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=7375)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-undo-"))
    os.environ["CRMTUI_HOME"] = str(home)
    sys.path.insert(0, str(ROOT / "src"))
    from crmtui.services.context import open_context
    from crmtui.services.importing.run import Options, run_import
    from crmtui.services.undo import undo, undo_plan, undoable

    ctx = open_context()
    path = sheet(home / "客户.csv", args.rows)
    print(f"{args.rows} rows, book in {home}")
    base, _result = timed("import (baseline)", lambda: run_import(ctx, path, Options(kind="customers")))
    timed("undo --list, every line built", lambda: undoable(ctx, 10), base)
    timed("undo --list (3 lines an action)", lambda: undoable(ctx, 10, 3), base)
    timed("undo question, every line built", lambda: undo_plan(ctx), base)
    _seconds, plan = timed("undo question (20 lines)", lambda: undo_plan(ctx, 20), base)
    print(f"    {plan.what}: {plan.total} changes, {len(plan.changes)} built")
    timed("undo", lambda: undo(ctx, plan), base)
    ctx.close()
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        alive = connection.execute("SELECT count(*) FROM customer WHERE deleted_at IS NULL").fetchone()[0]
        pending = connection.execute("SELECT count(*) FROM outbox WHERE kind = 'delete'").fetchone()[0]
    print(f"customers left: {alive}; delete entries in the outbox: {pending}")


if __name__ == "__main__":
    main()
