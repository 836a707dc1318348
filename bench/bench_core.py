"""Times the agenda queries, search and the cold CLI on a large database, each beside a baseline.

    .venv/bin/python bench/generate.py          # once: bench/out/big.db (20k customers, 500k follow-ups)
    .venv/bin/python bench/bench_core.py        # [PATH] [--runs N] [--cli-runs N] [--skip-cli]

Every figure is printed beside a baseline measured in the same run, on the same file:
  a. each query of crmtui.store.agenda, and services.agenda.agenda_for(ctx) as a whole, beside
     hand-written SQL run through the stdlib sqlite3 module (row counts of both are printed);
  b. services.search.search(ctx, q) for a set of queries, beside hand-written SQL on the FTS5 tables;
  c. the cold wall time of `crm today` and `crm log ...` (fresh processes, on a copy of the file),
     beside `python -c "import sqlmodel"` and `python -c pass`; plus -X importtime breakdowns.
It prints figures and marks misses of the targets with MISS; it never asserts.
"""

from __future__ import annotations

import argparse
import inspect
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT_DB = BENCH / "out" / "big.db"
PYTHON = Path(sys.executable)
CRM = PYTHON.parent / "crm"

AGENDA_MS = 20.0
AGENDA_RATIO = 2.0
SEARCH_MS = 30.0
CLI_RATIO = 1.25

SUMMARY: list[tuple[str, str, float, str, float, str, bool]] = []
"""(group, name, figure ms, baseline label, baseline ms, target text, met)."""


def record(group: str, name: str, ours: float, base_label: str, base: float, target: str, met: bool) -> None:
    SUMMARY.append((group, name, ours, base_label, base, target, met))


def median_ms(fn: Callable[[], object], runs: int, warmup: int = 2, after: Callable[[], None] | None = None) -> float:
    """Median wall time of fn() in ms over `runs` runs, after `warmup` untimed runs (warm caches)."""
    for _ in range(warmup):
        fn()
        if after:
            after()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        if after:
            after()
    return statistics.median(times)


def ratio(ours: float, base: float) -> float:
    return ours / base if base > 0 else float("inf")


# ====================================================================== a. agenda

OPEN = "c.deleted_at IS NULL AND c.status IN ('lead', 'prospect', 'customer')"
PLAN = ("(SELECT u.next_plan FROM follow_up u WHERE u.customer_id = c.id AND u.deleted_at IS NULL"
        " ORDER BY u.at DESC LIMIT 1)")
BEST_DEAL = ("(SELECT x.id FROM deal x WHERE x.customer_id = c.id AND x.deleted_at IS NULL"
             " AND x.stage NOT IN ('won', 'lost') ORDER BY x.probability DESC, x.amount_cents DESC LIMIT 1)")


def raw_queries(p: dict[str, object]) -> dict[str, tuple[str, tuple[object, ...]]]:
    """The hand-written SQL of each agenda section: what the agenda shows for it, nothing more."""
    stages = p["high"]
    marks = ", ".join("?" * len(stages))  # type: ignore[arg-type]
    days = p["month_days"]
    day_marks = ", ".join("?" * len(days))  # type: ignore[arg-type]
    due = (f"SELECT c.id, c.name, c.next_follow_up_at, {PLAN}, d.id, d.title, d.amount_cents"
           f" FROM customer c LEFT JOIN deal d ON d.id = {BEST_DEAL} WHERE {OPEN} AND {{cond}}"
           " ORDER BY c.next_follow_up_at")
    return {
        "due_before": (due.format(cond="c.next_follow_up_at < ?"), (p["start"],)),
        "due_between": (due.format(cond="c.next_follow_up_at >= ? AND c.next_follow_up_at < ?"), (p["start"], p["end"])),
        "stalled_deals": (
            f"SELECT c.id, c.name, c.next_follow_up_at, c.last_contact_at, {PLAN}, d.id, d.title, d.amount_cents,"
            " d.stage, d.stage_entered_at FROM deal d JOIN customer c ON c.id = d.customer_id"
            f" WHERE d.deleted_at IS NULL AND d.stage IN ({marks}) AND {OPEN}"
            " AND coalesce(c.last_contact_at, d.stage_entered_at) < ?"
            " ORDER BY coalesce(c.last_contact_at, d.stage_entered_at)",
            (*stages, p["stall_cutoff"])),  # type: ignore[misc]
        "uncontacted_leads": (
            "SELECT id, name, created_at FROM customer WHERE deleted_at IS NULL AND status = 'lead'"
            " AND last_contact_at IS NULL AND created_at < ? ORDER BY created_at",
            (p["lead_cutoff"],)),
        "contracts_ending": (
            f"SELECT c.id, c.name, {PLAN}, k.deal_id, k.amount_cents, k.number, k.end_on"
            " FROM contract k JOIN customer c ON c.id = k.customer_id"
            " WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL AND k.end_on BETWEEN ? AND ? ORDER BY k.end_on",
            (p["renew_first"], p["renew_last"])),
        "payments_due": (
            "SELECT c.id, c.name, k.deal_id, k.number, p.amount_cents, p.due_on"
            " FROM payment p JOIN contract k ON k.id = p.contract_id JOIN customer c ON c.id = k.customer_id"
            " WHERE p.deleted_at IS NULL AND p.paid_on IS NULL AND p.due_on <= ?"
            " AND k.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY p.due_on",
            (p["pay_last"],)),
        "birthdays": (
            "SELECT c.id, c.name, p.name, p.birthday FROM contact p JOIN customer c ON c.id = p.customer_id"
            f" WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND substr(p.birthday, 6, 5) IN ({day_marks})",
            tuple(days)),  # type: ignore[arg-type]
    }


def agenda_params(ctx) -> tuple[dict[str, object], dict[str, tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    """The arguments agenda_for passes to each store query, as Python values and as stored text."""
    settings, clock = ctx.settings, ctx.clock
    day = clock.today()
    start, end = clock.day_bounds(day)
    now = clock.utcnow()
    keys = [s.key for s in settings.stages]
    high = [k for k in keys[keys.index("proposal"):] if k not in ("won", "lost")] if "proposal" in keys else []
    window = [day + timedelta(days=offset) for offset in range(settings.birthday_days + 1)]
    month_days = [d.strftime("%m-%d") for d in window]
    stall_cutoff = now - timedelta(days=settings.stall_days)
    lead_cutoff = now - timedelta(hours=settings.speed_to_lead_hours)
    store_args = {
        "due_before": (start,),
        "due_between": (start, end),
        "stalled_deals": (high, stall_cutoff),
        "uncontacted_leads": (lead_cutoff,),
        "contracts_ending": (day, day + timedelta(days=settings.renewal_days)),
        "payments_due": (day + timedelta(days=settings.payment_days),),
        "birthdays": (month_days,),
    }
    stored = {
        "start": db_time(start), "end": db_time(end), "high": high, "stall_cutoff": db_time(stall_cutoff),
        "lead_cutoff": db_time(lead_cutoff), "renew_first": day.isoformat(),
        "renew_last": (day + timedelta(days=settings.renewal_days)).isoformat(),
        "pay_last": (day + timedelta(days=settings.payment_days)).isoformat(), "month_days": month_days,
        "day": day,
    }
    return stored, store_args


def db_time(moment: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite: naive UTC, microseconds always written."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def store_transaction(ctx, fn) -> tuple[AbstractContextManager, bool]:  # type: ignore[no-untyped-def]
    """How the agenda calls this store function: a stdlib connection (raw path) or an ORM session."""
    first = next(iter(inspect.signature(fn).parameters.values()))
    if "Connection" in str(first.annotation) and hasattr(ctx.db, "raw_read"):
        return ctx.db.raw_read(), False
    return ctx.db.read(), True


def driver_connection(handle) -> sqlite3.Connection:  # type: ignore[no-untyped-def]
    if isinstance(handle, sqlite3.Connection):
        return handle
    return handle.connection().connection.driver_connection  # an ORM session's DB-API connection


def traced(handle, fn: Callable[[], object]) -> list[str]:  # type: ignore[no-untyped-def]
    """The SQL statements fn() sends to SQLite (with bound values where SQLite expands them)."""
    statements: list[str] = []
    conn = driver_connection(handle)
    conn.set_trace_callback(statements.append)
    try:
        fn()
    finally:
        conn.set_trace_callback(None)
    return [s for s in statements if s.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]


def explain(conn: sqlite3.Connection, sql: str, params: Sequence[object] = ()) -> str:
    try:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    except sqlite3.Error as exc:
        return f"    (cannot explain: {exc})"
    depth = {0: 0}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("    " + "  " * depth[node] + detail)
    return "\n".join(lines)


def describe(rows: Sequence[object]) -> str:
    """Row count, plus rows with a deal / a next plan when the rows carry them (so both sides can be compared)."""
    if not rows:
        return "0"
    first = rows[0]
    extra = []
    if hasattr(first, "deal_id") and hasattr(first, "next_plan"):
        extra.append(f"deal {sum(1 for r in rows if r.deal_id)}")  # type: ignore[attr-defined]
        extra.append(f"plan {sum(1 for r in rows if r.next_plan)}")  # type: ignore[attr-defined]
    elif isinstance(first, tuple) and len(first) == 2 and hasattr(first[0], "next_follow_up_at"):
        extra.append(f"deal {sum(1 for r in rows if r[1] is not None)}")  # type: ignore[index]
    return f"{len(rows)}" + (f" ({', '.join(extra)})" if extra else "")


def describe_raw(name: str, rows: list[tuple]) -> str:
    if name in ("due_before", "due_between") and rows:
        return f"{len(rows)} (deal {sum(1 for r in rows if r[4])}, plan {sum(1 for r in rows if r[3])})"
    if name == "stalled_deals" and rows:
        return f"{len(rows)} (deal {sum(1 for r in rows if r[5])}, plan {sum(1 for r in rows if r[4])})"
    return str(len(rows))


def bench_agenda(db_path: Path, runs: int) -> None:
    from crmtui.config import Settings
    from crmtui.services.agenda import agenda_for
    from crmtui.services.context import open_context
    from crmtui.store import agenda as store

    print("\n== a. agenda queries (warm, median of %d runs; transaction opening excluded per query) ==" % runs)
    ctx = open_context(db_path=db_path, settings=Settings(timezone="Asia/Shanghai"))
    stored, store_args = agenda_params(ctx)
    print(f"day {stored['day']} (Asia/Shanghai); today starts at {stored['start']} UTC; stalled stages {stored['high']}")
    raw = sqlite3.connect(db_path, isolation_level=None)
    queries = raw_queries(stored)
    header = f"{'query':<18} {'ours ms':>9} {'raw ms':>9} {'ratio':>7}  {'stmts':>5}  {'rows ours':<26} {'rows raw':<26} target"
    print(header)
    print("-" * len(header))
    misses: list[tuple[str, list[str], str]] = []
    for name, args in store_args.items():
        fn = getattr(store, name)
        opener, orm = store_transaction(ctx, fn)
        with opener as handle:
            rows = fn(handle, *args)
            statements = traced(handle, lambda: fn(handle, *args))
            after = handle.expunge_all if orm else None  # an ORM session would otherwise reuse its objects
            ours = median_ms(lambda: fn(handle, *args), runs, after=after)
        sql, params = queries[name]
        raw.execute("BEGIN")
        raw_rows = raw.execute(sql, params).fetchall()
        base = median_ms(lambda: raw.execute(sql, params).fetchall(), runs)
        raw.execute("COMMIT")
        r = ratio(ours, base)
        met = ours <= AGENDA_MS and r <= AGENDA_RATIO
        flag = "" if met else "  MISS"
        print(f"{name:<18} {ours:9.2f} {base:9.2f} {r:6.2f}x  {len(statements):>5}  {describe(rows):<26} "
              f"{describe_raw(name, raw_rows):<26} <={AGENDA_MS:.0f} ms, <={AGENDA_RATIO:.0f}x{flag}")
        record("agenda", name, ours, "raw SQL", base, f"<={AGENDA_MS:.0f}ms & <={AGENDA_RATIO:.0f}x", met)
        if not met:
            misses.append((name, statements, sql))

    # The whole agenda, as `crm today` computes it, beside all seven hand-written queries on a fresh connection.
    def raw_agenda() -> int:
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("BEGIN")
        total = sum(len(conn.execute(sql, params).fetchall()) for sql, params in queries.values())
        conn.execute("COMMIT")
        conn.close()
        return total

    agenda = agenda_for(ctx)
    ours = median_ms(lambda: agenda_for(ctx), runs)
    base = median_ms(raw_agenda, runs)
    r = ratio(ours, base)
    met = r <= AGENDA_RATIO
    counts = ", ".join(f"{k} {len(v)}" for k, v in agenda.sections.items())
    print(f"{'agenda_for(ctx)':<18} {ours:9.2f} {base:9.2f} {r:6.2f}x  {'':>5}  items {len(agenda.items())} / raw rows "
          f"{raw_agenda()}  <={AGENDA_RATIO:.0f}x{'' if met else '  MISS'}")
    print(f"  sections: {counts}")
    record("agenda", "agenda_for(ctx)", ours, "7 raw queries", base, f"<={AGENDA_RATIO:.0f}x", met)

    for name, statements, sql in misses:
        print(f"\n-- {name} missed its target: query plans --")
        for index, statement in enumerate(statements[:3]):
            print(f"  store statement {index + 1} of {len(statements)}: {statement[:300]}{'...' if len(statement) > 300 else ''}")
            print(explain(raw, statement))
        if len(statements) > 3:
            print(f"  ... {len(statements) - 3} more statements (N+1?)")
        print(f"  raw SQL: {sql[:300]}")
        print(explain(raw, sql, queries[name][1]))
    raw.close()
    ctx.close()


# ====================================================================== b. search

SEARCH_SQL = {
    "customer": ("SELECT c.id, c.id, c.name, '' FROM customer_fts f JOIN customer c ON c.id = f.ref"
                 " WHERE {where} AND c.deleted_at IS NULL ORDER BY c.name LIMIT ?"),
    "contact": ("SELECT p.id, c.id, c.name, p.name FROM contact_fts f JOIN contact p ON p.id = f.ref"
                " JOIN customer c ON c.id = p.customer_id"
                " WHERE {where} AND p.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY p.name LIMIT ?"),
    "follow_up": ("SELECT u.id, c.id, c.name, substr(u.notes, 1, 200) FROM follow_up_fts f JOIN follow_up u ON u.id = f.ref"
                  " JOIN customer c ON c.id = u.customer_id"
                  " WHERE {where} AND u.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY u.at DESC LIMIT ?"),
}


def raw_search_statements(query: str, limit: int = 50) -> list[tuple[str, tuple[object, ...]]]:
    """The statements a hand-written search runs: MATCH for 3+ character terms, LIKE for shorter ones
    (trigram FTS5 cannot MATCH fewer than 3 characters); notes only when some term is long."""
    import unicodedata

    terms = " ".join(unicodedata.normalize("NFKC", query).split()).split()
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    out = []
    for kind, sql in SEARCH_SQL.items():
        if kind == "follow_up" and not long_terms:
            continue
        where, params = [], []
        if long_terms:
            where.append("f.body MATCH ?")
            params.append(" ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
        for term in short_terms:
            where.append("f.body LIKE ? ESCAPE '\\'")
            params.append("%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        out.append((sql.format(where=" AND ".join(where)), (*params, limit)))
    return out


def search_queries(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """The queries, some taken from the file itself so that they hit (deterministic for a given file)."""
    phone = conn.execute("SELECT phone_key FROM customer WHERE phone_key IS NOT NULL AND length(phone_key) = 11"
                         " ORDER BY rowid LIMIT 1").fetchone()
    email = conn.execute("SELECT email FROM customer WHERE email LIKE 'sales@%.com' ORDER BY rowid LIMIT 1").fetchone()
    return [
        ("zh name, 2 chars", "建华"),
        ("zh company, 4 chars", "华信科技"),
        ("pinyin initials", "zs"),
        ("full pinyin", "zhangsan"),
        ("phone, 4 digits", phone[0][3:7] if phone else "0013"),
        ("email fragment", email[0].split("@")[1].removesuffix(".com") + ".com" if email else "example.com"),
        ("notes word (en)", "discount"),
        ("notes words (zh)", "采购流程"),
        ("two terms", "张 科技"),
        ("miss", "qxzjvw"),
    ]


def bench_search(db_path: Path, runs: int) -> list[tuple[str, str]]:
    from crmtui.config import Settings
    from crmtui.services.context import open_context
    from crmtui.services.search import search

    print("\n== b. search (warm, median of %d runs; each side opens and ends its read transaction) ==" % runs)
    ctx = open_context(db_path=db_path, settings=Settings(timezone="Asia/Shanghai"))
    raw = sqlite3.connect(db_path, isolation_level=None)
    queries = search_queries(raw)

    def run_raw(statements: list[tuple[str, tuple[object, ...]]]) -> list[tuple]:
        raw.execute("BEGIN")
        rows = [row for sql, params in statements for row in raw.execute(sql, params).fetchall()]
        raw.execute("COMMIT")
        return rows

    header = f"{'search':<20} {'query':<14} {'ours ms':>9} {'raw ms':>9} {'ratio':>7}  {'hits':>5} {'raw':>5}  target"
    print(header)
    print("-" * len(header))
    misses = []
    for label, query in queries:
        hits = search(ctx, query)
        ours = median_ms(lambda: search(ctx, query), runs)
        statements = raw_search_statements(query)
        raw_rows = run_raw(statements)[:50]  # the service keeps the first `limit` rows too
        base = median_ms(lambda: run_raw(statements), runs)
        met = ours <= SEARCH_MS
        print(f"{label:<20} {query:<14} {ours:9.2f} {base:9.2f} {ratio(ours, base):6.2f}x  {len(hits):>5} {len(raw_rows):>5}"
              f"  <={SEARCH_MS:.0f} ms{'' if met else '  MISS'}")
        record("search", f"{label} '{query}'", ours, "raw FTS SQL", base, f"<={SEARCH_MS:.0f}ms", met)
        if not met:
            misses.append((label, query, statements))
    for label, query, statements in misses:
        print(f"\n-- search {label} '{query}' missed its target: per-statement time and plan --")
        for sql, params in statements:
            t = median_ms(lambda: raw.execute(sql, params).fetchall(), 5, warmup=1)
            print(f"  {t:8.2f} ms  {sql[:160]}...  params {params}")
            print(explain(raw, sql, params))
    raw.close()
    ctx.close()
    return queries


# ====================================================================== c. cold CLI

def wall(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return (time.perf_counter() - started) * 1000, done


def pick_customer(conn: sqlite3.Connection) -> tuple[str, str]:
    """An open customer and an 8-character id prefix that names it alone (resolve_customer also matches
    names and pinyin with LIKE, so the prefix must not occur in any of those)."""
    for cid, name in conn.execute("SELECT id, name FROM customer WHERE deleted_at IS NULL AND status = 'prospect'"
                                  " ORDER BY rowid LIMIT 200"):
        prefix = cid[:8]
        if not any(ch.isdigit() for ch in prefix):
            continue
        like = f"%{prefix}%"
        count = conn.execute("SELECT count(*) FROM customer WHERE deleted_at IS NULL AND (id LIKE ? OR lower(name) LIKE ?"
                             " OR lower(pinyin) LIKE ?)", (prefix + "%", like, like)).fetchone()[0]
        if count == 1:
            return prefix, name
    raise SystemExit("no customer with a unique id prefix found")


def importtime(cmd: list[str], env: dict[str, str], top: int = 15) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    entries = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative_us, module = line[len("import time:"):].split("|", 2)
        entries.append((int(cumulative_us), int(self_us), module[1:].rstrip()))  # nesting shows as leading spaces
    total = sum(c for c, _, m in entries if not m.startswith(" "))  # top-level imports only
    shown = " ".join(["python", *cmd[1:]])
    print(f"$ {shown}\n  (top-level imports total {total / 1000:.0f} ms)")
    print(f"  {'cumul ms':>9} {'self ms':>8}  module")
    for cumulative, self_us, module in sorted(entries, reverse=True)[:top]:
        print(f"  {cumulative / 1000:9.1f} {self_us / 1000:8.1f}  {module}")


def bench_cli(db_path: Path, runs: int) -> None:
    print("\n== c. cold CLI: fresh process each run, median of %d runs after one untimed warm-up ==" % runs)
    work = Path(tempfile.mkdtemp(prefix="crmtui-bench-"))
    try:
        copy = work / "big-copy.db"
        started = time.perf_counter()
        src = sqlite3.connect(db_path)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        dst.close()
        src.close()
        home = work / "home"
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\n', encoding="utf-8")
        print(f"copy of the database for the CLI: {copy} ({time.perf_counter() - started:.1f} s); CRMTUI_HOME={home}")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CRMTUI_", "PYTHON"))}
        env.update(CRMTUI_DB=str(copy), CRMTUI_HOME=str(home), LANG="C.UTF-8")
        conn = sqlite3.connect(copy)
        prefix, name = pick_customer(conn)
        conn.close()
        commands = {
            "python -c pass": [str(PYTHON), "-c", "pass"],
            "import sqlmodel": [str(PYTHON), "-c", "import sqlmodel"],
            "crm today": [str(CRM), "today"],
            "crm log": [str(CRM), "log", prefix, "--via", "phone", "--goal", "g", "--met", "--notes", "n",
                        "--next-plan", "p", "--next", "tomorrow"],
        }
        print(f"crm log target: {prefix} ({name})")
        times: dict[str, list[float]] = {k: [] for k in commands}
        for label, cmd in commands.items():  # warm-up: .pyc files and the page cache
            _, done = wall(cmd, env)
            if done.returncode != 0:
                print(f"  {label} FAILED (exit {done.returncode}): {done.stderr.strip()[:500]}")
            elif label == "crm today":
                print(f"  crm today printed {len(done.stdout.splitlines())} lines")
            elif label == "crm log":
                print(f"  crm log said: {done.stdout.strip()[:120]}")
        for _ in range(runs):  # round-robin, so drift hits every command alike
            for label, cmd in commands.items():
                elapsed, _done = wall(cmd, env)
                times[label].append(elapsed)
        med = {k: statistics.median(v) for k, v in times.items()}
        floor = med["import sqlmodel"]
        header = f"{'command':<16} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'x sqlmodel':>11}  target"
        print(header)
        print("-" * len(header))
        for label in commands:
            r = ratio(med[label], floor)
            target = f"<={CLI_RATIO}x sqlmodel" if label.startswith("crm") else "(baseline)"
            met = r <= CLI_RATIO
            print(f"{label:<16} {med[label]:10.1f} {min(times[label]):8.1f} {max(times[label]):8.1f} {r:10.2f}x  "
                  f"{target}{'  MISS' if label.startswith('crm') and not met else ''}")
            if label.startswith("crm"):
                record("cli", label, med[label], "import sqlmodel", floor, f"<={CLI_RATIO}x", met)
        record("cli", "python -c pass (info)", med["python -c pass"], "import sqlmodel", floor, "-", True)

        print("\n-- python -X importtime: top %d by cumulative time --" % 15)
        importtime([str(PYTHON), "-X", "importtime", "-c", "import crmtui.cli"], env)
        importtime([str(PYTHON), "-X", "importtime", "-m", "crmtui", "today"], env)
        importtime([str(PYTHON), "-X", "importtime", "-m", "crmtui", *commands["crm log"][1:]], env)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ====================================================================== summary

def print_summary() -> None:
    print("\n== summary ==")
    header = f"{'group':<7} {'figure':<34} {'ms':>9}  {'baseline':<16} {'ms':>9} {'ratio':>7}  {'target':<15} result"
    print(header)
    print("-" * len(header))
    for group, name, ours, base_label, base, target, met in SUMMARY:
        print(f"{group:<7} {name[:34]:<34} {ours:9.2f}  {base_label:<16} {base:9.2f} {ratio(ours, base):6.2f}x  "
              f"{target:<15} {'ok' if met else 'MISS'}")
    missed = sum(1 for row in SUMMARY if not row[-1])
    print(f"{missed} of {len(SUMMARY)} figures miss their target")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="crmtui core benchmarks on a large database")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query (median)")
    parser.add_argument("--cli-runs", type=int, default=7, help="timed runs per CLI command (median)")
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args(argv)
    path = args.path.resolve()
    if not path.exists():
        print(f"{path} does not exist: generating it first with bench/generate.py (a few minutes)")
        subprocess.run([str(PYTHON), str(BENCH / "generate.py"), "--out", str(path)], check=True)
    conn = sqlite3.connect(path)
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("customer", "contact", "deal", "follow_up", "contract", "payment")}
    conn.close()
    age = (time.time() - path.stat().st_mtime) / 3600
    print(f"database {path} ({path.stat().st_size / 1e6:,.0f} MB, written {age:.1f} h ago; "
          "times in it are relative to when it was generated)")
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
          f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    bench_agenda(path, args.runs)
    bench_search(path, args.runs)
    if not args.skip_cli:
        bench_cli(path, args.cli_runs)
    print_summary()


if __name__ == "__main__":
    main()
