"""kill -9 during `crm add` and `crm log`: the local store keeps every acknowledged write and stays whole.

Each trial starts a real `crm` child process (on the suite's clock) and kills it with SIGKILL at a moment
chosen by a seeded random generator, so a failure can be replayed with the same seed:

- a random delay after the start, anywhere from "still importing" to "already done", scaled by how long a
  clean run of the same command took on this machine (a slow machine shifts the moments, not the verdict);
- or the moment the child's write shows in the WAL file (its size or time changed), plus a random few
  milliseconds: a kill in the middle of the commit or of a checkpoint.

Half the trials run with another connection open on the file, as the app would be: the WAL then outlives
each child, grows with 20,000-character notes until a child's commit checkpoints it, and is truncated to
nothing by the test before some trials (a reset). In the other half each child is the file's only user,
so the WAL is created and removed by the children, or left behind by a killed one for the next to recover.

Where the kill lands is counted, not assumed. After every trial, whatever the moment was:
- `PRAGMA integrity_check` is ok and `PRAGMA foreign_key_check` is empty; every search index holds
  exactly the rows of its table;
- the outbox accounts for every record: replaying its changes in order gives each synced row as stored,
  the per-field stamps are the ones the outbox issued, and the saved clock is not behind any of them;
- a follow-up's transaction is whole (its customer's last contact is the newest follow-up's time);
- every write the child acknowledged (exit 0, or its success line printed before the kill) is there.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crmtui.services.context import Context
from crmtui.services.follow_ups import log_follow_up
from crmtui.store.outbox import TABLE_ORDER
from tests.conftest import child_env

PYTHON = sys.executable
TRIALS = int(os.environ.get("CRMTUI_FAULT_TRIALS", "10"))
"""Trials per scenario; two scenarios make 20 kills. More: CRMTUI_FAULT_TRIALS=100 (and CRMTUI_FAULT_SEED=...)."""
SEED = os.environ.get("CRMTUI_FAULT_SEED", "crmtui kill -9")
CHILD_TIMEOUT = 120.0
"""Only a hung child hits this: the trials never wait on it."""
LONG_NOTES = 20_000
"""The longest notes a follow-up takes: such a write spans many pages of the WAL."""
FTS_TABLES = ("customer", "contact", "deal", "follow_up", "contract", "customer_tag")


@dataclass
class Trial:
    command: str  # "add" or "log"
    token: str  # the lead's name, or a word only this follow-up's notes hold
    trigger: str  # "delay" or "wal"
    wal: str  # the WAL the child finds: as left / reset / near the checkpoint
    outcome: str = ""  # finished / killed-acknowledged / killed-written / killed-not-written
    wal_moved: bool = False  # the child's write had reached the WAL when the kill was sent
    db_moved: bool = False  # the database file itself had changed: a checkpoint had begun


def crm_child(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([PYTHON, "-m", "crmtui", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def run_clean(env: dict[str, str], *args: str) -> float:
    """Runs one child to the end; it must succeed. Returns how long it took (to scale the kill delays)."""
    started = time.monotonic()
    child = crm_child(env, *args)
    out, err = child.communicate(timeout=CHILD_TIMEOUT)
    assert child.returncode == 0, (args[:2], out.decode(), err.decode())
    return time.monotonic() - started


def wal_state(db: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(f"{db}-wal")
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns


def wait_for_write(child: subprocess.Popen[bytes], written: Callable[[], bool]) -> None:
    """Returns once `written()` says the child has written (to the WAL, or to the file) or the child has exited."""
    deadline = time.monotonic() + CHILD_TIMEOUT
    while child.poll() is None and time.monotonic() < deadline and not written():
        time.sleep(0.0002)  # a poll interval, not a wait for an event: the loop waits on the file itself


def wal_written(db: Path, before: tuple[int, int] | None) -> Callable[[], bool]:
    """The WAL holds frames and its size or time changed."""
    def check() -> bool:
        now = wal_state(db)
        return now is not None and now[0] > 0 and now != before
    return check


def db_state(db: Path) -> tuple[int, int]:
    stat = os.stat(db)
    return stat.st_size, stat.st_mtime_ns


def kill_at(child: subprocess.Popen[bytes], delay: float, db: Path, trial: Trial,
            before: tuple[tuple[int, int] | None, tuple[int, int]]) -> None:
    """Sends SIGKILL after `delay` unless the child is done; notes what the child had written by then."""
    try:
        child.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        trial.wal_moved, trial.db_moved = wal_state(db) != before[0], db_state(db) != before[1]
        child.send_signal(signal.SIGKILL)


def fill_wal(ctx: Context, db: Path, customer_id: str, rng: random.Random) -> None:
    """From an empty WAL, follow-ups written in-process (as the open app would) until the WAL holds 850 to 1000
    pages (each adds under 100): the child's long write then crosses SQLite's automatic checkpoint as it commits."""
    while (state := wal_state(db)) is None or state[0] < 850 * (4096 + 24):
        log_follow_up(ctx, customer_id, channel="phone", goal="fill", goal_met=True, notes=cjk(rng, 3000),
                      next_plan="call again", next_at="2026-12-30 10:00")


def cjk(rng: random.Random, count: int) -> str:
    """Varied Chinese characters: the search index grows with the notes, so the write spans hundreds of pages."""
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(count))


def as_compared(value: object) -> object:
    """One form for a value as the outbox holds it (JSON) and as the row holds it (SQLite text)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return value


def check_store(db: Path) -> None:
    """Everything that must hold after any kill (see the module's docstring)."""
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in FTS_TABLES:
            indexed = sorted(row[0] for row in conn.execute(f"SELECT ref FROM {table}_fts"))
            stored = sorted(row[0] for row in conn.execute(f"SELECT id FROM {table}"))
            assert indexed == stored, f"the search index of {table} does not match its rows"

        replayed: dict[tuple[str, str], dict[str, object]] = {}
        stamps: dict[tuple[str, str], dict[str, str]] = {}
        for table, record_id, changes, field_stamps in conn.execute(
                "SELECT record_table, record_id, changes, stamps FROM outbox ORDER BY seq"):
            replayed.setdefault((table, record_id), {}).update(json.loads(changes))
            stamps.setdefault((table, record_id), {}).update(json.loads(field_stamps))
        stored_keys = set()
        for table in TABLE_ORDER:
            cursor = conn.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                record = dict(zip(columns, row, strict=True))
                key = (table, record.pop("id"))
                stored_keys.add(key)
                assert key in replayed, f"{key} has no outbox entry"
                assert {k: as_compared(v) for k, v in record.items()} == \
                       {k: as_compared(replayed[key].get(k)) for k in record}, f"the outbox does not give {key}"
        assert set(replayed) == stored_keys, "the outbox names records that are not stored"
        saved = dict(((t, r), json.loads(s)) for t, r, s in conn.execute(
            "SELECT record_table, record_id, stamps FROM sync_stamp"))
        assert saved == stamps, "the per-field stamps differ from those the outbox issued"
        issued = [s for fields in stamps.values() for s in fields.values()]
        clock = conn.execute("SELECT value FROM meta WHERE key = 'hlc'").fetchone()
        assert not issued or (clock is not None and clock[0] >= max(issued)), "the saved clock is behind a stamp"

        for customer_id, last_contact in conn.execute(
                "SELECT id, last_contact_at FROM customer WHERE id IN (SELECT customer_id FROM follow_up)"):
            newest = conn.execute("SELECT max(at) FROM follow_up WHERE customer_id = ?", (customer_id,)).fetchone()[0]
            assert as_compared(last_contact) == as_compared(newest), "a follow-up was written without its customer"


def is_written(db: Path, trial: Trial) -> bool:
    with closing(sqlite3.connect(db)) as conn:
        if trial.command == "add":
            found = conn.execute("SELECT count(*) FROM customer WHERE name = ?", (trial.token,)).fetchone()[0]
        else:
            found = conn.execute("SELECT count(*) FROM follow_up WHERE notes LIKE ?",
                                 (f"%{trial.token}%",)).fetchone()[0]
    assert found in (0, 1), f"{trial.token} written {found} times"
    return found == 1


@pytest.mark.parametrize("app_open", [False, True], ids=["file-alone", "app-open"])
def test_kill_9_during_add_and_log_keeps_every_acknowledged_write(home: Path, ctx: Context, app_open: bool):
    rng = random.Random(f"{SEED} {app_open}")
    env = child_env(home)
    db = home / "data" / "crm.db"
    took = {"add": run_clean(env, "add", "customer", "Fault Works")}
    log_args = ["log", "Fault Works", "--via", "phone", "--goal", "check", "--met", "--next-plan", "call again",
                "--next", "2026-12-30 10:00", "--notes"]
    took["log"] = run_clean(env, *log_args, "the first note")
    holder = sqlite3.connect(db) if app_open else None
    if holder is not None:
        holder.execute("SELECT count(*) FROM customer").fetchall()  # a reader keeps the WAL between children
    with closing(sqlite3.connect(db)) as conn:
        customer_id = conn.execute("SELECT id FROM customer WHERE name = 'Fault Works'").fetchone()[0]
    trials: list[Trial] = []
    try:
        for number in range(TRIALS):
            # What the child finds: the WAL as the last child left it; with the app open, also a WAL just
            # reset to nothing, or one a long write will push past the automatic checkpoint.
            wal = rng.choices(("as left", "reset", "near the checkpoint"), (5, 2, 2))[0] if holder else "as left"
            command = "log" if wal == "near the checkpoint" else rng.choice(("add", "log", "log"))  # log starts faster
            # The kill comes after a random delay, or once the child's write reaches the WAL, or (with a
            # checkpoint due) once the checkpoint starts copying pages into the database file.
            triggers = ("delay", "checkpoint", "checkpoint") if wal == "near the checkpoint" else ("delay", "wal", "wal")
            trigger = rng.choice(triggers)
            if command == "add":
                trial = Trial("add", f"Fault lead {number:02d}", trigger, wal)
                args = ["add", "lead", trial.token, "--phone", f"1390000{number:04d}"]
            else:
                trial = Trial("log", f"note{number:02d}x", trigger, wal)
                long = wal == "near the checkpoint" or rng.random() < 0.5
                notes = trial.token + " " + (cjk(rng, LONG_NOTES - len(trial.token) - 1) if long else "short")
                args = [*log_args, notes]
            if holder is not None and wal != "as left":
                holder.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next write starts a new WAL
                if wal == "near the checkpoint":
                    fill_wal(ctx, db, customer_id, rng)
            before = wal_state(db), db_state(db)
            child = crm_child(env, *args)
            if trigger == "wal":
                wait_for_write(child, wal_written(db, before[0]))
                delay = rng.uniform(0, 0.02)
            elif trigger == "checkpoint":
                wait_for_write(child, lambda: db_state(db) != before[1])
                delay = rng.uniform(0, 0.005)
            else:
                delay = rng.uniform(0, 1.5 * took[command])
            kill_at(child, delay, db, trial, before)
            out, err = child.communicate(timeout=CHILD_TIMEOUT)
            acknowledged = child.returncode == 0 or out.decode(errors="replace").startswith(("added", "logged"))
            if child.returncode != -signal.SIGKILL:
                assert child.returncode == 0, err.decode(errors="replace")
                trial.outcome = "finished"
            check_store(db)
            written = is_written(db, trial)
            if acknowledged:
                assert written, f"trial {number}: {trial.command} {trial.token} was acknowledged and is lost"
            if not trial.outcome:
                trial.outcome = ("killed-acknowledged" if acknowledged
                                 else "killed-written" if written else "killed-not-written")
            trials.append(trial)
    finally:
        if holder is not None:
            holder.close()

    # The book is still usable by the next command, and shows every lead that was written.
    listed = subprocess.run([PYTHON, "-m", "crmtui", "list", "leads", "--json"], env=env, capture_output=True,
                            timeout=CHILD_TIMEOUT)
    assert listed.returncode == 0, listed.stderr.decode()
    names = {row["name"] for row in json.loads(listed.stdout)}
    assert names == {t.token for t in trials if t.command == "add" and is_written(db, t)}
    check_store(db)
    tally = Counter((t.command, t.wal, t.trigger, t.outcome,
                     "checkpoint begun" if t.db_moved else "written to the WAL" if t.wal_moved else "WAL untouched")
                    for t in trials)
    print(f"\n{len(trials)} kills ({'app open' if app_open else 'file alone'}):")
    for key, count in sorted(tally.items()):
        print("  ", count, " / ".join(key))
    assert len(trials) == TRIALS
