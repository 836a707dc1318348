"""The statements a new database is made from: what SQLite stores for a file brought to the head by the migrations.

Running every Alembic migration on a new file costs ~0.25 s of CPU (importing Alembic, then the migrations' table
copies), which `crm demo` and every first start paid. A new, empty file instead gets the statements SQLite stored
for a file brought to the head by the migrations (store/schema_head.py, written by this module), replayed in one
transaction by store/db.py, and is stamped at that revision, as Alembic stamps it. Files that already hold anything
are migrated by Alembic as before.

tests/test_schema.py builds a file both ways and compares every table, column, index, trigger, pragma and row: a
new migration fails it until the statements are written again from the migrations, with

    .venv/bin/python -m crmtui.store.schema

Until then the statements are not used (their revision is not the head) and new files are migrated step by step.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from crmtui.store import schema_head
from crmtui.store.db import Database

HEAD_MODULE = Path(schema_head.__file__)


def schema_statements(connection: sqlite3.Connection) -> list[str]:
    """The statements that make the schema of a file: tables (virtual ones included), then indexes, then triggers
    and views, each kind in the order they were made. SQLite's own objects and the shadow tables an FTS5 table
    makes for itself are left out (replaying its CREATE VIRTUAL TABLE makes them)."""
    shadow = {name for name, kind in connection.execute("SELECT name, type FROM pragma_table_list") if kind == "shadow"}
    order = {"table": 0, "index": 1, "trigger": 2, "view": 3}
    rows = connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
        " ORDER BY rowid").fetchall()
    return [sql for kind, name, sql in sorted(rows, key=lambda row: order[row[0]]) if name not in shadow]


def migrated_statements() -> tuple[str, list[str]]:
    """(head revision, statements) of a temp file brought to the head by every migration, one by one."""
    # deferred: Alembic (~0.2 s) is needed only to write the statements, never to open a file.
    from crmtui.store.migrate import head_revision, upgrade

    with tempfile.TemporaryDirectory() as folder:
        database = Database(Path(folder) / "migrated.db")
        try:
            upgrade(database.engine)
            connection = database.connect()
            try:
                return head_revision(), schema_statements(connection)
            finally:
                connection.close()
        finally:
            database.close()


def head_module_text(revision: str, statements: list[str]) -> str:
    """The source of store/schema_head.py: each statement as one string, a line of it a line of source."""
    lines = [
        '"""The schema of a new database: the statements SQLite holds for a file brought to REVISION by every',
        'migration. Written by `python -m crmtui.store.schema` (store/schema.py); do not edit by hand."""',
        "",
        f"REVISION = {revision!r}",
        "",
        "STATEMENTS = (",
    ]
    for statement in statements:
        parts = statement.splitlines(keepends=True)
        lines += [f"    {part!r}" for part in parts[:-1]]
        lines.append(f"    {parts[-1]!r},")
    lines += [")", ""]
    return "\n".join(lines)


def main() -> None:
    """Writes store/schema_head.py from the migrations, and says whether it changed."""
    revision, statements = migrated_statements()
    text = head_module_text(revision, statements)
    changed = HEAD_MODULE.read_text(encoding="utf-8") != text
    if changed:
        HEAD_MODULE.write_text(text, encoding="utf-8")
    print(f"{HEAD_MODULE}: {len(statements)} statements at {revision}{'' if changed else ' (unchanged)'}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
