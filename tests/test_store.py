"""The store: pragmas, the outbox in the same transaction, migrations, concurrency, backup."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from crmtui.core.errors import DuplicateFound, InvalidInput
from crmtui.services.backup import backup, check_backup, restore
from crmtui.services.customers import add_customer, edit_customer, list_customers
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.search import search
from crmtui.store.db import SCHEMA_HEAD, current_revision, open_database
from crmtui.store.migrate import head_revision, upgrade
from crmtui.store.outbox import next_stamp, parse_stamp

from .conftest import PYTHON


def test_pragmas_wal_foreign_keys_busy_timeout(ctx):
    with ctx.db.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_foreign_keys_are_enforced(ctx):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with ctx.db.write() as session:
            session.execute(
                text(
                    "INSERT INTO contact (id, created_at, updated_at, customer_id, name, name_key, pinyin, decision_maker)"
                    " VALUES ('x', '2026-01-01', '2026-01-01', 'no-such-customer', 'n', 'n', '', 0)"
                )
            )


def _outbox(ctx) -> list[dict]:
    with ctx.db.read() as session:
        rows = session.execute(text("SELECT seq, kind, record_table, record_id, changes, stamps, client_id, format_version FROM outbox ORDER BY seq")).all()
    return [
        {"seq": r[0], "kind": r[1], "table": r[2], "id": r[3], "changes": json.loads(r[4]), "stamps": json.loads(r[5]),
         "client": r[6], "format": r[7]}
        for r in rows
    ]


def test_every_change_writes_a_mutation_with_per_field_stamps(ctx, frozen):
    customer = add_customer(ctx, "Acme", phone="13800138000")
    frozen.shift(60)
    edit_customer(ctx, customer.id, {"email": "a@acme.example"})
    entries = [e for e in _outbox(ctx) if e["table"] == "customer"]
    assert [e["kind"] for e in entries] == ["insert", "update"]
    insert, update = entries
    assert insert["changes"]["name"] == "Acme" and insert["changes"]["phone"] == "13800138000"
    assert set(update["changes"]) >= {"email", "email_key", "updated_at"}
    assert "name" not in update["changes"]
    assert set(update["stamps"]) == set(update["changes"])
    assert update["stamps"]["email"] > insert["stamps"]["name"]  # the hybrid logical clock only moves forward
    assert insert["client"] == update["client"] and len(insert["client"]) == 36
    assert insert["format"] == 1
    assert [e["seq"] for e in _outbox(ctx)] == sorted(e["seq"] for e in _outbox(ctx))


def test_a_failed_change_leaves_no_mutation(ctx):
    add_customer(ctx, "Acme", phone="13800138000")
    before = len(_outbox(ctx))
    with pytest.raises(DuplicateFound):
        add_customer(ctx, "Other", phone="+86 138-0013-8000")  # duplicate: refused inside the transaction
    assert len(_outbox(ctx)) == before
    assert [c.name for c in list_customers(ctx)] == ["Acme"]


def test_hlc_counter_advances_when_the_wall_clock_stands_still():
    first = next_stamp(None, 1000, "node")
    second = next_stamp(first, 1000, "node")
    third = next_stamp(second, 900, "node")  # the wall clock went backwards
    fourth = next_stamp(third, 2000, "node")
    assert first < second < third < fourth
    assert parse_stamp(third) == (1000, 2, "node")
    assert parse_stamp(fourth) == (2000, 0, "node")


def test_schema_head_constant_matches_the_migrations():
    assert head_revision() == SCHEMA_HEAD


def test_models_match_the_migrated_schema(ctx):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with ctx.db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert [d for d in diff if "_fts" not in str(d)] == []


def test_migration_from_the_first_schema_keeps_data_and_indexes_it(tmp_path: Path):
    path = tmp_path / "old.db"
    from crmtui.store.db import Database

    old = Database(path)
    upgrade(old.engine, "0001")
    with sqlite3.connect(path) as raw:
        raw.execute(
            "INSERT INTO customer (id, created_at, updated_at, name, name_key, pinyin, kind, status, tier, score, phone)"
            " VALUES ('c1', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', '张三丰科技', '张三丰科技',"
            " 'zhangsanfengkeji zsfkj', 'company', 'prospect', 'B', 40, '13912345678')"
        )
    old.close()
    assert current_revision(path) == "0001"

    backups = tmp_path / "backups"
    db = open_database(path, backups)
    assert current_revision(path) == SCHEMA_HEAD
    copies = list(backups.glob("old-*-before-*.db"))
    assert len(copies) == 1 and current_revision(copies[0]) == "0001"  # the copy is the file as it was
    with db.read() as session:
        name = session.execute(text("SELECT name FROM customer WHERE id = 'c1'")).scalar()
        hits = session.execute(text("SELECT ref FROM customer_fts WHERE body MATCH '\"三丰科\"'")).scalars().all()
    assert name == "张三丰科技"
    assert hits == ["c1"]  # the search index was back-filled from existing rows
    db.close()


def test_opening_a_current_file_does_not_load_alembic(ctx, subprocess_env):
    script = "import sys; from crmtui.services.context import open_context; open_context(); print('alembic' in sys.modules)"
    result = subprocess.run([PYTHON, "-c", script], env=subprocess_env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# The child processes below synchronise with this process and with each other through files in a folder
# given on their command line: each waits for a file to appear (with a deadline), never for a fixed time.
WAIT_FOR = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path

    def wait_for(path: Path) -> None:
        deadline = time.monotonic() + 120
        while not path.exists():
            if time.monotonic() > deadline:
                sys.exit(f"gave up waiting for {path.name}")
            time.sleep(0.002)
    """
)

TWO_WRITERS = WAIT_FOR + textwrap.dedent(
    """
    from crmtui.services.context import open_context
    from crmtui.services.customers import add_customer

    name, count, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    other = "b" if name == "a" else "a"
    ctx = open_context()
    (folder / f"ready-{name}").touch()
    wait_for(folder / f"ready-{other}")  # a barrier: both are open before either writes
    add_customer(ctx, f"{name}-0", force=True)
    (folder / f"first-{name}").touch()
    wait_for(folder / f"first-{other}")  # the rest only after the other's first write: the two runs overlap
    for i in range(1, count):
        add_customer(ctx, f"{name}-{i}", force=True)
    print("done")
    """
)


def _wait_for(path: Path, process: subprocess.Popen) -> None:
    """Until `path` exists; fails at once with the child's error if the child ended first."""
    import time

    deadline = time.monotonic() + 120
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"the writer ended before {path.name}: {process.communicate()[1]}")
        assert time.monotonic() < deadline, f"no {path.name} after 120 s"
        time.sleep(0.002)


def _insert_seq(ctx, name: str) -> int:
    with ctx.db.read() as session:
        rows = session.execute(text("SELECT seq, changes FROM outbox WHERE record_table = 'customer' AND kind = 'insert'"))
        [seq] = [seq for seq, changes in rows if json.loads(changes)["name"] == name]
    return seq


def test_two_processes_writing_at_once_never_see_database_is_locked(ctx, subprocess_env, tmp_path: Path):
    add_customer(ctx, "seed")
    folder = tmp_path / "signals"
    folder.mkdir()
    # Hold the database open for reading in this process while two others write.
    with ctx.db.read() as session:
        session.execute(text("SELECT count(*) FROM customer")).scalar()
        writers = [
            subprocess.Popen([PYTHON, "-c", TWO_WRITERS, name, "60", str(folder)], env=subprocess_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in ("a", "b")
        ]
        outputs = [w.communicate(timeout=300) for w in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert "locked" not in err
        assert writer.returncode == 0 and out.strip() == "done", err
    names = {c.name for c in list_customers(ctx)}
    assert {f"a-{i}" for i in range(60)} <= names and {f"b-{i}" for i in range(60)} <= names
    with ctx.db.read() as session:
        seqs = session.execute(text("SELECT seq FROM outbox ORDER BY seq")).scalars().all()
    assert len(seqs) == len(set(seqs)) >= 121
    # They did overlap: each one's first row was written before the other's second.
    assert _insert_seq(ctx, "a-0") < _insert_seq(ctx, "b-1") and _insert_seq(ctx, "b-0") < _insert_seq(ctx, "a-1")


BUSY_WRITER = WAIT_FOR + textwrap.dedent(
    """
    from crmtui.services.context import open_context
    from crmtui.services.customers import add_customer

    folder = Path(sys.argv[1])
    ctx = open_context()
    add_customer(ctx, "w-0", force=True)
    (folder / "started").touch()
    written = 1
    while not (folder / "stop").exists():  # writes until the backups are done
        add_customer(ctx, f"w-{written}", force=True)
        written += 1
    print(written)
    """
)


def _live_count(path: Path) -> int:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT count(*) FROM customer").fetchone()[0]


def test_backup_while_another_process_writes_is_consistent(ctx, subprocess_env, tmp_path: Path):
    import time

    add_customer(ctx, "seed")
    folder = tmp_path / "signals"
    folder.mkdir()
    writer = subprocess.Popen([PYTHON, "-c", BUSY_WRITER, str(folder)], env=subprocess_env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    copies, counts = [], []
    try:
        _wait_for(folder / "started", writer)
        for index in range(5):
            # Each copy waits until the writer has added rows since the previous one: five different moments.
            deadline = time.monotonic() + 120
            while _live_count(ctx.db.path) <= (counts[-1] if counts else 1):
                assert writer.poll() is None and time.monotonic() < deadline, "the writer stopped writing"
                time.sleep(0.002)
            copies.append(backup(ctx.db.path, tmp_path / f"copy{index}.db"))
            with sqlite3.connect(copies[-1]) as raw:
                counts.append(raw.execute("SELECT count(*) FROM customer").fetchone()[0])
    finally:
        (folder / "stop").touch()
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    written = int(out)
    assert 1 < counts[0] < counts[1] < counts[2] < counts[3] < counts[4] <= written + 1  # the seed and the writer's
    for copy in copies:
        assert check_backup(copy) == SCHEMA_HEAD
        with sqlite3.connect(copy) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            customers = raw.execute("SELECT count(*) FROM customer").fetchone()[0]
            inserts = raw.execute("SELECT count(*) FROM outbox WHERE record_table='customer' AND kind='insert'").fetchone()[0]
        assert customers == inserts  # every copy is one consistent moment: each row with its mutation


def test_backup_refuses_to_overwrite_and_restore_checks_the_file(ctx, tmp_path: Path):
    add_customer(ctx, "Before")
    copy = backup(ctx.db.path, tmp_path / "copy.db")
    with pytest.raises(InvalidInput, match="path"):
        backup(ctx.db.path, copy)
    add_customer(ctx, "After")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(InvalidInput, match="path"):
        restore(ctx.db.path, junk, tmp_path / "saved")
    assert {c.name for c in list_customers(ctx)} == {"Before", "After"}  # untouched by the refused restore
    saved = restore(ctx.db.path, copy, tmp_path / "saved")
    assert saved is not None and saved.exists()
    assert {c.name for c in list_customers(ctx)} == {"Before"}


def test_search_index_follows_inserts_and_updates(ctx):
    customer = add_customer(ctx, "Globex Analytics")
    assert [h.customer_id for h in search(ctx, "globex")] == [customer.id]
    edit_customer(ctx, customer.id, {"name": "Initech Systems"})
    assert search(ctx, "globex") == []
    assert [h.customer_id for h in search(ctx, "initech")] == [customer.id]
    log_follow_up(ctx, customer.id, channel="phone", goal="demo", goal_met=True, notes="discussed the sprocket budget",
                  next_plan="call", next_at="tomorrow")
    hits = search(ctx, "sprocket")
    assert [(h.kind, h.customer_id) for h in hits] == [("follow_up", customer.id)]


def test_the_clock_saved_at_commit_is_the_last_stamp_issued_on_both_write_paths(ctx):
    # the HLC is written once a transaction now, not once a record: it must still be the newest stamp
    import json as _json

    from crmtui.services.customers import add_contact, add_customer
    from crmtui.services.follow_ups import log_follow_up

    customer = add_customer(ctx, "Acme")                       # ORM path
    add_contact(ctx, customer.id, "Bob", phone="13800138000")  # ORM path, a second transaction
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p",
                  next_at="tomorrow 3pm")                      # stdlib path
    with ctx.db.raw_read() as connection:
        saved = connection.execute("SELECT value FROM meta WHERE key = 'hlc'").fetchone()[0]
        stamps = [s for (row,) in connection.execute("SELECT stamps FROM outbox") for s in _json.loads(row).values()]
    assert saved == max(stamps)
