"""`crm import` of a 10,000-row customers sheet, beside a plain executemany of the same rows, in the same run.

    .venv/bin/python bench/bench_import.py [--rows N] [--runs N] [--big-rows N]

The sheet looks like a Chinese rep's export from Excel: GBK, CRLF, Chinese headers (客户名称, 联系人, 手机, 邮箱, 微信,
地址, 行业, 来源, 标签, 备注), 60% Chinese and 40% English names, a contact person on every row, tags, notes, and
about 2% of rows with a bad phone or email. The import runs into an empty book (a fresh CRMTUI_HOME) through the
real service (every row checked, duplicates looked up, one outbox entry a record); the baseline inserts the same
customers' columns with one executemany into a copy of the same empty schema, with no checks and no outbox.
A second baseline, "SQL alone", replays every row the import wrote (customers, contacts, tags, outbox entries,
sync stamps) into another empty book with the statements the bulk write uses, and commits: what the import would
cost with no check, key, encoding or file reading at all. Each figure is given as wall time and CPU time (on a
shared machine the wall time grows with the others' load; the CPU time much less). It prints the import's peak
resident memory for N and --big-rows rows (a streamed import's must stay flat). Each import runs in a child process
of its own.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建华", "志强"]
CITIES = ["北京", "上海", "深圳", "广州", "杭州", "成都", "武汉", "南京", "苏州", "西安"]
WORDS = ["华信", "恒通", "瑞达", "金桥", "博远", "启明", "鼎盛", "新锐", "万联", "天润", "中科", "腾跃", "嘉禾", "宏图", "蓝海"]
TRADES = [("科技", "软件"), ("贸易", "贸易"), ("制造", "制造"), ("物流", "物流"), ("医疗器械", "医疗")]
EN = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Contoso", "Northwind"]
FIRST = ["James", "Mary", "Robert", "Linda", "David", "Susan", "Emma", "Oliver"]
LAST = ["Smith", "Brown", "Lee", "Wilson", "Taylor", "Walker"]
HEADERS = ["客户名称", "联系人", "手机", "邮箱", "微信", "地址", "行业", "来源", "标签", "备注"]


def make_sheet(path: Path, rows: int, seed: int = 7) -> None:
    """A GBK CSV with CRLF line ends, as Excel on a Chinese Windows saves it."""
    rng = random.Random(seed)
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADERS)
        for index in range(rows):
            chinese = index % 5 < 3
            if chinese:
                trade, industry = rng.choice(TRADES)
                city = rng.choice(CITIES)
                company = f"{city}{rng.choice(WORDS)}{trade}{index}有限公司"
                person = rng.choice(SURNAMES) + rng.choice(GIVEN)
            else:
                industry, city = "software", rng.choice(["London", "Singapore"])
                company = f"{rng.choice(EN)} {index} Ltd"
                person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            phone = f"1{rng.choice('3589')}{index:09d}"
            email = f"buyer{index}@example.cn"
            if rng.random() < 0.01:
                phone = "12-34"  # bad: too few digits
            if rng.random() < 0.01:
                email = "buyer-at-example"  # bad
            writer.writerow([company, person, phone, email, f"wx{index}", city, industry, rng.choice(["展会", "官网", "转介绍"]),
                             rng.choice(["VIP", "重点，老客户", ""]), rng.choice(["", "", "对价格敏感", "需要报价"])])


def timed_import(sheet: Path) -> tuple[float, int, dict[str, int], float, Path]:
    """Seconds, peak resident memory (KB), the counts, CPU seconds and the book of one import into an empty book, in
    a child process (its memory is its own: the peak is the import's, pypinyin's dictionaries and the ORM
    included)."""
    home = Path(tempfile.mkdtemp(prefix="bench-import-"))
    env = {**os.environ, "CRMTUI_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, __file__, "--child", str(sheet)], env=env, capture_output=True, text=True,
                         check=True).stdout
    data = json.loads(out)
    return data["seconds"], data["peak_kb"], data["counts"], data["cpu"], Path(data["book"])


def child(sheet: Path) -> None:
    """One import in this process: the service the command calls, timed from an open book (pypinyin loaded, as
    after the first name a rep types); prints seconds, peak RSS and counts as JSON."""
    from crmtui.core.pinyin import record_keys
    from crmtui.services.context import open_context
    from crmtui.services.importing.run import Options, run_import

    record_keys("张三", True)
    ctx = open_context()
    try:
        start, cpu = time.perf_counter(), time.process_time()
        result = run_import(ctx, sheet, Options())
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        ctx.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from crmtui.core import paths

    print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_kb": peak, "book": str(paths.database_path()),
                      "counts": {"created": result.created, "contacts": result.contacts, "refused": result.refused}}))


def _empty_book() -> Path:
    """A new empty book (the real migrations), in a fresh CRMTUI_HOME; its path."""
    home = Path(tempfile.mkdtemp(prefix="bench-plain-"))
    os.environ["CRMTUI_HOME"] = str(home)
    from crmtui.core import paths
    from crmtui.services.context import open_context

    open_context().close()
    return paths.database_path()


def timed_executemany(sheet: Path) -> tuple[float, float]:  # in this process
    """Seconds (wall, CPU) to insert the same customers with one executemany into an empty book of the same
    schema."""
    book = _empty_book()
    now = "2026-11-24 02:00:00.000000"
    start, cpu = time.perf_counter(), time.process_time()
    with sheet.open(encoding="gbk", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [(str(uuid.uuid4()), r[0], r[0].casefold(), r[2], r[3], r[4], r[5], r[6], r[7], now, now) for r in reader]
    connection = sqlite3.connect(book)
    with connection:
        connection.executemany(
            "INSERT INTO customer (id, name, name_key, phone, email, wechat, region, industry, source, created_at,"
            " updated_at, pinyin, kind, status, tier, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 'company',"
            " 'prospect', 'C', 0)", rows)
    connection.close()
    return time.perf_counter() - start, time.process_time() - cpu


REPLAYED = ("customer", "contact", "customer_tag", "follow_up", "outbox", "sync_stamp")


def timed_sql_alone(imported: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) to write every row an import wrote into an empty book with the bulk write's statements
    (a temp table for a table with triggers, executemany otherwise), in one transaction, committed; in a child
    process, for it holds all those rows (a child forked later from a parent that held them would report the
    parent's memory as its own peak)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, __file__, "--replay", str(imported)], env=env, capture_output=True,
                         text=True, check=True).stdout
    data = json.loads(out)
    return data["seconds"], data["cpu"]


def replay(imported: Path) -> None:
    """The replay of timed_sql_alone, in this process; prints its seconds as JSON."""
    from crmtui.store.bulk import _insert
    from crmtui.store.db import Database

    source = sqlite3.connect(imported)
    tables = {}
    for table in REPLAYED:
        cursor = source.execute(f"SELECT * FROM {table} ORDER BY rowid")  # noqa: S608 (fixed names)
        tables[table] = (tuple(d[0] for d in cursor.description), cursor.fetchall())
    source.close()
    connection = Database(_empty_book()).connect()  # the store's pragmas
    triggered = {name for (name,) in connection.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")}
    start, cpu = time.perf_counter(), time.process_time()
    connection.execute("BEGIN IMMEDIATE")
    for table, (columns, rows) in tables.items():
        if rows:
            _insert(connection, table, columns, rows, table in triggered)
    connection.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    connection.close()
    print(json.dumps({"seconds": elapsed, "cpu": cpu}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-rows", type=int, default=50_000, help="the second file, for the peak memory")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--replay", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.replay:
        replay(args.replay)
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-sheet-"))
    sheet, big = folder / "客户.csv", folder / "客户-big.csv"
    make_sheet(sheet, args.rows)
    make_sheet(big, args.big_rows)
    imports, plains, alone = [], [], []
    for _ in range(args.runs):  # the sides take turns, so a busy machine weighs on each
        imports.append(timed_import(sheet))
        plains.append(timed_executemany(sheet))
        alone.append(timed_sql_alone(imports[-1][4]))
    best = min(imports, key=lambda r: r[0])
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"rows: {args.rows} (GBK CSV, {sheet.stat().st_size // 1024} KB); counts {best[2]}")
    print(f"crm import      best {best[0]:.2f} s (CPU {min(r[3] for r in imports):.2f} s)"
          f"  runs {', '.join(f'{r[0]:.2f}/{r[3]:.2f}' for r in imports)}"
          f"  {'ok' if best[0] <= 3 else 'MISS (budget 3 s)'}")
    print(f"executemany     best {min(t[0] for t in plains):.2f} s (CPU {min(t[1] for t in plains):.2f} s)"
          f"  runs {', '.join(f'{t[0]:.2f}/{t[1]:.2f}' for t in plains)}  (same customers, no checks, no contacts,"
          " no outbox)")
    print(f"SQL alone       best {min(t[0] for t in alone):.2f} s (CPU {min(t[1] for t in alone):.2f} s)"
          f"  runs {', '.join(f'{t[0]:.2f}/{t[1]:.2f}' for t in alone)}  (the import's rows and outbox entries"
          " replayed with its statements, committed)")
    print("  (runs: wall/CPU seconds; a busy machine's wall time is longer than its CPU time)")
    large = timed_import(big)
    print(f"peak RSS: {best[1] / 1024:.0f} MB for {args.rows} rows, {large[1] / 1024:.0f} MB for {args.big_rows} rows"
          f" ({large[0]:.2f} s, CPU {large[3]:.2f} s)")


if __name__ == "__main__":
    main()
