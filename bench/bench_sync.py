"""Times team sync against a real PostgreSQL, each figure beside a baseline measured in the same run.

    .venv/bin/python bench/bench_sync.py          # [--rows N] [--mutations N] [--runs N]

Starts an embedded PostgreSQL (tests/pgcluster.py; or CRMTUI_TEST_PG_URL), makes a team database, a rep,
and rows owned by that rep on the server, then times:
  a. the first pull of N rows (default 50,000) into an empty laptop, beside `COPY (SELECT ...) TO STDOUT`
     of the same rows by the same rep (target <= 10 s);
  b. a push of M mutations (default 1,000), beside `COPY ... FROM STDIN` of M rows into a scratch table
     (target <= 1 s);
  c. a round with nothing to do, beside connecting and running `SELECT 1` (target <= 50 ms).
It prints figures and marks misses of the targets with MISS; it never asserts.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from crmtui.core.clock import Clock  # noqa: E402
from crmtui.core.config import Settings, SyncSettings  # noqa: E402
from crmtui.server import admin  # noqa: E402
from crmtui.services.context import open_context  # noqa: E402
from crmtui.sync import client as sync  # noqa: E402
from crmtui.sync.connection import store_password  # noqa: E402
from tests.pgcluster import start_cluster  # noqa: E402
from tests.teamserver import MemoryKeyring  # noqa: E402

TABLES = ("customer", "contact", "deal", "follow_up")


def fill_server(dsn: str, rep: str, rows: int) -> dict[str, int]:
    """Rows owned by `rep`: a tenth customers, a fifth contacts, a tenth deals, the rest follow-ups."""
    customers, contacts, deals = rows // 10, rows // 5, rows // 10
    follow_ups = rows - customers - contacts - deals
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO crm.customer (id, created_at, updated_at, name, name_key, pinyin, owner, phone, industry)"
            " SELECT 'c' || i, now(), now(), '客户' || i, 'kehu' || i, 'kehu' || i, %s, '138' || lpad(i::text, 8, '0'),"
            " '制造业' FROM generate_series(1, %s) i", (rep, customers))
        conn.execute(
            "INSERT INTO crm.contact (id, created_at, updated_at, customer_id, name, title, phone)"
            " SELECT 'p' || i, now(), now(), 'c' || (1 + i %% %s), '联系人' || i, '经理', '139' || lpad(i::text, 8, '0')"
            " FROM generate_series(1, %s) i", (customers, contacts))
        conn.execute(
            "INSERT INTO crm.deal (id, created_at, updated_at, customer_id, title, amount_cents, stage, probability,"
            " stage_entered_at) SELECT 'd' || i, now(), now(), 'c' || (1 + i %% %s), '商机' || i, i * 100, 'proposal',"
            " 40, now() FROM generate_series(1, %s) i", (customers, deals))
        conn.execute(
            "INSERT INTO crm.follow_up (id, created_at, updated_at, customer_id, at, channel, goal, goal_met, notes,"
            " next_plan, next_at) SELECT 'f' || i, now(), now(), 'c' || (1 + i %% %s), now() - (i || ' minutes')::interval,"
            " 'phone', '确认需求', true, '客户说预算下季度批下来，需要再跟进一次' || i, '发报价', now() + interval '3 days'"
            " FROM generate_series(1, %s) i", (customers, follow_ups))
        conn.execute("UPDATE crm.customer SET stamps = jsonb_build_object('name', '000000000000001-00000-server')")
        conn.execute("ANALYZE")
    return {"customer": customers, "contact": contacts, "deal": deals, "follow_up": follow_ups}


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def line(label: str, seconds: float, baseline: float, target: float | None) -> None:
    mark = "" if target is None or seconds <= target else "   MISS"
    ratio = seconds / baseline if baseline else float("inf")
    print(f"  {label:<38} {seconds * 1000:9.1f} ms   baseline {baseline * 1000:8.1f} ms   x{ratio:5.1f}"
          + (f"   target <= {target * 1000:.0f} ms" if target else "") + mark)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--mutations", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import keyring

    keyring.set_keyring(MemoryKeyring())
    work = Path(tempfile.mkdtemp(prefix="crmtui-bench-sync-"))
    cluster = start_cluster(work / "pg")
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        dsn = cluster.url("bench")
        admin.init(dsn)
        rep = "bench_rep"
        password, _ = admin.add_rep(dsn, rep)
        rep_url = cluster.url("bench", user=rep, password=password)
        counts = fill_server(dsn, rep, args.rows)
        total = sum(counts.values())
        print(f"server: PostgreSQL on 127.0.0.1:{cluster.port}, {total:,} rows for one rep ({counts})")
        settings = Settings(timezone="Asia/Shanghai", language="en",
                            sync=SyncSettings(server=f"postgresql://{cluster.host}:{cluster.port}/bench", user=rep))
        store_password(settings.sync, password)

        def laptop(name: str):  # type: ignore[no-untyped-def]
            return open_context(work / f"{name}.db", settings=settings, clock=Clock(ZoneInfo("Asia/Shanghai")))

        print("\na. first pull (full) into an empty laptop")
        pulls, copies = [], []
        for run in range(max(1, args.runs // 2)):
            ctx = laptop(f"pull{run}")
            pulls.append(timed(lambda: sync.sync_round(ctx)))
            with ctx.db.raw_read() as conn:
                pulled = conn.execute("SELECT count(*) FROM customer").fetchone()[0]
            ctx.close()

            def copy_all() -> None:
                with psycopg.connect(rep_url) as conn, conn.cursor() as cursor:
                    for table in TABLES:
                        with cursor.copy(f"COPY (SELECT * FROM crm.{table}) TO STDOUT") as copy:
                            for _ in copy:
                                pass

            copies.append(timed(copy_all))
        line(f"pull {total:,} rows ({pulled:,} customers)", statistics.median(pulls), statistics.median(copies), 10.0)

        print(f"\nb. push of {args.mutations:,} mutations")
        ctx = laptop("push")
        sync.sync_round(ctx)
        pushes, baselines = [], []
        for run in range(max(1, args.runs // 2)):
            from crmtui.services.customers import edit_customer

            with ctx.db.raw_read() as conn:
                ids = [r[0] for r in conn.execute("SELECT id FROM customer LIMIT ?", (args.mutations,))]
            with ctx.db.write():
                for index, customer_id in enumerate(ids):
                    edit_customer(ctx, customer_id, {"industry": f"行业{run}-{index}"})
            pending = sync.status(ctx).pending
            pushes.append(timed(lambda: sync.sync_round(ctx)))

            def copy_in() -> None:
                with psycopg.connect(rep_url) as conn, conn.cursor() as cursor:
                    cursor.execute("CREATE TEMP TABLE scratch (id text, field text, value text, stamp text)")
                    with cursor.copy("COPY scratch FROM STDIN") as copy:
                        for index in range(args.mutations):
                            copy.write_row((f"c{index}", "industry", f"行业{index}", f"{index:015d}-00000-x"))
                    conn.commit()

            baselines.append(timed(copy_in))
        line(f"push {pending:,} mutations (round)", statistics.median(pushes), statistics.median(baselines), 1.0)

        print("\nc. a round with nothing to do")
        noop, select1 = [], []
        for _ in range(args.runs * 4):
            noop.append(timed(lambda: sync.sync_round(ctx)))

            def ping() -> None:
                with psycopg.connect(rep_url) as conn:
                    conn.execute("SELECT 1").fetchone()

            select1.append(timed(ping))
        line("no-op round (connect, push, pull)", statistics.median(noop), statistics.median(select1), 0.05)
        ctx.close()
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
