"""A new file's schema made in one step (store/schema.py) is the schema every migration run one by one reaches."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from contextlib import closing
from pathlib import Path

import pytest

from crmtui.store import schema, schema_head
from crmtui.store.db import SCHEMA_HEAD, Database, create_at_head, current_revision, open_database
from crmtui.store.migrate import upgrade

from .conftest import PYTHON

PRAGMAS = ("user_version", "application_id", "page_size", "auto_vacuum", "encoding", "journal_mode", "freelist_count")


def describe(path: Path) -> dict[str, object]:
    """Everything SQLite says about a file's schema and rows: sqlite_master (shadow tables included), each table's
    columns, indexes (with their columns), foreign keys and rows, and the pragmas a file keeps."""
    with closing(sqlite3.connect(path)) as connection:
        found: dict[str, object] = {
            "master": sorted(connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")),
            "pragmas": {name: connection.execute(f"PRAGMA {name}").fetchone()[0] for name in PRAGMAS},
        }
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in sorted(tables):
            indexes = connection.execute(f"PRAGMA index_list('{table}')").fetchall()
            found[table] = {
                "columns": connection.execute(f"PRAGMA table_xinfo('{table}')").fetchall(),
                "indexes": sorted((index[1:], connection.execute(f"PRAGMA index_xinfo('{index[1]}')").fetchall())
                                  for index in indexes),
                "foreign keys": connection.execute(f"PRAGMA foreign_key_list('{table}')").fetchall(),
                "rows": sorted(connection.execute(f"SELECT * FROM '{table}'").fetchall(), key=repr)
                if not _is_virtual(connection, table) else "virtual",
            }
    return found


def _is_virtual(connection: sqlite3.Connection, table: str) -> bool:
    return connection.execute("SELECT type FROM pragma_table_list WHERE name = ?", (table,)).fetchone()[0] == "virtual"


def migrated(path: Path) -> Path:
    """A new file brought to the head by Alembic, every migration in turn (what a new file got before)."""
    database = Database(path)
    upgrade(database.engine)
    database.close()
    return path


def test_the_written_statements_are_of_the_newest_migration():
    assert schema_head.REVISION == SCHEMA_HEAD, (
        "a migration was added: write the new file's statements again with `python -m crmtui.store.schema`")


def test_a_new_file_gets_the_schema_the_migrations_reach(tmp_path: Path):
    fast = tmp_path / "fast.db"
    open_database(fast).close()
    assert current_revision(fast) == SCHEMA_HEAD
    assert describe(fast) == describe(migrated(tmp_path / "migrated.db"))


def test_the_comparison_sees_a_column_an_index_or_a_trigger_the_fast_path_would_lack(tmp_path: Path):
    # what a new migration adds and the written statements lack: each one alone makes the schemas differ
    changes = ("ALTER TABLE follow_up ADD COLUMN mood VARCHAR", "CREATE INDEX ix_deal_title ON deal (title)",
               "DROP TRIGGER deal_fts_update", "INSERT INTO meta (key, value) VALUES ('seeded', '1')")
    reference = describe(migrated(tmp_path / "migrated.db"))
    for number, change in enumerate(changes):
        path = migrated(tmp_path / f"changed-{number}.db")
        with closing(sqlite3.connect(path)) as connection:
            connection.execute(change)
            connection.commit()
        assert describe(path) != reference, change


def test_a_new_file_is_made_without_loading_alembic(subprocess_env, home):
    script = ("import sys; from crmtui.services.context import open_context; open_context().close();"
              " print('alembic' in sys.modules)")
    done = subprocess.run([PYTHON, "-c", script], env=subprocess_env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    assert current_revision(home / "data" / "crm.db") == SCHEMA_HEAD


def test_statements_behind_the_migrations_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # a migration added, the statements not yet written again: a new file is migrated one step at a time
    monkeypatch.setattr(schema_head, "REVISION", "0005")
    monkeypatch.setattr(schema_head, "STATEMENTS", ("CREATE TABLE stale (x)",))
    path = tmp_path / "new.db"
    open_database(path).close()
    assert current_revision(path) == SCHEMA_HEAD
    assert describe(path) == describe(migrated(tmp_path / "migrated.db"))


def test_a_file_holding_anything_is_left_to_the_migrations(tmp_path: Path):
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.commit()
        assert create_at_head(connection) is False
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]


def test_two_openings_of_one_new_file_at_once_make_it_once(tmp_path: Path):
    path = tmp_path / "shared.db"
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            open_database(path).close()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert describe(path) == describe(migrated(tmp_path / "migrated.db"))


def test_the_written_statements_are_what_the_writer_writes_now():
    # the module is the writer's output for the migrations as they are, byte for byte (no hand edit)
    revision, statements = schema.migrated_statements()
    assert schema.HEAD_MODULE.read_text(encoding="utf-8") == schema.head_module_text(revision, statements)
