"""bench/generate.py fills its tables with the indexes and triggers taken off, then writes in one statement a table
what the insert triggers would have written a row at a time (the search indexes, change_log) and makes the indexes
and triggers again. The file must be the one the triggers make, with the migrated schema."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path
from types import ModuleType

from crmtui.store.db import open_database
from crmtui.store.schema import schema_statements

ROOT = Path(__file__).resolve().parents[1]
FILLED = ("customer", "contact", "customer_tag", "deal", "deal_stage_change", "contract", "payment", "follow_up")
"""The tables the generator fills, in its order (the order change_log numbers their rows in)."""
SEARCH = ("customer_fts", "contact_fts", "customer_tag_fts", "deal_fts", "contract_fts", "follow_up_fts")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(connection: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    return connection.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()  # noqa: S608 (fixed names)


def test_the_generated_file_is_the_one_the_triggers_make(tmp_path: Path) -> None:
    generated = tmp_path / "generated.db"
    generator = _generator()
    generator.FTS_LARGE_TABLE = 0  # every search index filled as a large table's is (with a larger FTS5 memory)
    generator.generate(generated, 60, 600, 40, 7)

    # The same rows inserted into a migrated file through its triggers, table by table in the generator's order.
    through_triggers = tmp_path / "triggers.db"
    open_database(through_triggers).close()
    expected = sqlite3.connect(through_triggers, isolation_level=None)
    expected.execute("ATTACH DATABASE ? AS generated", (str(generated),))
    for table in FILLED:
        expected.execute(f"INSERT INTO main.{table} SELECT * FROM generated.{table} ORDER BY rowid")  # noqa: S608
    expected.execute("DETACH DATABASE generated")
    got = sqlite3.connect(generated)

    counts = {table: got.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in FILLED}  # noqa: S608
    assert counts["customer"] == 60 and counts["follow_up"] == 600 and counts["deal"] == 40
    # one change_log row for each inserted record, whatever its table: the sum of the eight counts
    assert got.execute("SELECT count(*) FROM change_log").fetchone()[0] == sum(counts.values())
    assert _rows(got, "change_log") == _rows(expected, "change_log")
    for index in SEARCH:
        assert got.execute(f"SELECT rowid, ref, body FROM {index} ORDER BY rowid").fetchall() == expected.execute(
            f"SELECT rowid, ref, body FROM {index} ORDER BY rowid").fetchall(), index  # noqa: S608
        got.execute(f"INSERT INTO {index} ({index}) VALUES ('integrity-check')")  # noqa: S608 (raises if broken)
        # the larger memory the generator gave the index while filling it is not left in the file
        assert got.execute(f"SELECT k FROM {index}_config").fetchall() == [("version",)]  # noqa: S608
    # a note is found by the search index (its first 3 characters make one trigram at least)
    note, ref = got.execute("SELECT notes, id FROM follow_up ORDER BY rowid LIMIT 1").fetchone()
    found = got.execute("SELECT ref FROM follow_up_fts WHERE follow_up_fts MATCH ?", (f'"{note[:6]}"',)).fetchall()
    assert (ref,) in found

    # the schema is the migrated one, statement for statement, and the journal the app's
    assert schema_statements(got) == schema_statements(expected)
    assert got.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert got.execute("PRAGMA freelist_count").fetchone()[0] == 0
    got.close()
    expected.close()
