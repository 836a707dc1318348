"""The history of changes (`change_log`): written by SQLite triggers, attributed to an action at commit.

Every insert and every update of a logged table writes rows into `change_log` from a trigger, in the statement
that made the change: one row a changed column with its old and new value as SQLite holds them (JSON text), or
one `insert` row for a new record. A trigger sees every write path alike (the ORM session, the stdlib sqlite3
path of the quick commands, bulk inserts, pulled rows) and reads the old value from the row itself, so no write
path pays a read for it or can forget it.

A trigger cannot know who made the change or why: its rows carry no action. The transaction that wrote them
claims them before it commits (`claim`, called by the outbox writer's last step): they get the action in
progress on this thread (`acting`), or one made for this transaction alone. One user action (a merge, an
import) is one action id however many records it touches.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

Execute = Callable[..., Any]

LOGGED_TABLES: dict[str, str] = {
    "customer": "NEW.id",
    "contact": "NEW.customer_id",
    "deal": "NEW.customer_id",
    "deal_stage_change": "(SELECT customer_id FROM deal WHERE id = NEW.deal_id)",
    "follow_up": "NEW.customer_id",
    "contract": "NEW.customer_id",
    "payment": "(SELECT customer_id FROM contract WHERE id = NEW.contract_id)",
    "customer_tag": "NEW.customer_id",
}
"""Each logged table with how its trigger finds the record's customer (a customer's history lists its
children's changes too)."""

UNLOGGED_COLUMNS = frozenset({"id", "created_at", "updated_at"})
"""Columns every write sets: the change itself carries its moment."""

SOURCES = ("app", "cli", "import", "sync", "undo", "demo")
"""Where a change came from."""


# Triggers -------------------------------------------------------------------------------------------------

def trigger_statements(table: str, columns: list[str]) -> list[str]:
    """The statements that make the two history triggers of one table with these columns."""
    customer = LOGGED_TABLES[table]
    logged = [name for name in columns if name not in UNLOGGED_COLUMNS]
    selects = []
    for name in logged:
        field = (f"CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE '{name}' END"
                 if name == "deleted_at" else f"'{name}'")
        selects.append(f"SELECT {field} AS f, json_quote(OLD.{name}) AS o, json_quote(NEW.{name}) AS n")
    changes = "\n  UNION ALL ".join(selects)
    return [
        f"CREATE TRIGGER history_{table}_insert AFTER INSERT ON {table} BEGIN\n"
        f" INSERT INTO change_log (at, record_table, record_id, customer_id, kind)"
        f" VALUES (NEW.updated_at, '{table}', NEW.id, {customer}, 'insert');\n"
        "END",
        f"CREATE TRIGGER history_{table}_update AFTER UPDATE ON {table} BEGIN\n"
        f" INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n"
        f" SELECT NEW.updated_at, '{table}', NEW.id, {customer}, f, o, n,"
        f" CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n  {changes}\n ) WHERE o IS NOT n;\n"
        "END",
    ]


def refresh_triggers(execute: Execute) -> None:
    """Makes the history triggers again where a table's columns changed since they were made (a later
    migration added one), so every column is logged; a file without the history table is left alone."""
    if execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'change_log'").fetchone() is None:
        return
    existing = dict(execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'history!_%'"
                            " ESCAPE '!'").fetchall())
    for table in LOGGED_TABLES:
        columns = [row[1] for row in execute(f"PRAGMA table_info({table})").fetchall()]
        statements = trigger_statements(table, columns)
        for name, statement in zip((f"history_{table}_insert", f"history_{table}_update"), statements, strict=True):
            if existing.get(name) != statement:
                execute(f"DROP TRIGGER IF EXISTS {name}")
                execute(statement)


# Actions --------------------------------------------------------------------------------------------------

@dataclass
class Action:
    """One user action in progress: every change it writes shares its id."""

    action_id: str
    source: str
    actor: str | None
    what: str | None
    undoes: str | None = None


_current: ContextVar[Action | None] = ContextVar("crmtui_history_action", default=None)
_fallback: dict[str, str | None] = {"source": "app", "actor": None}


def set_fallback(source: str, actor: str | None) -> None:
    """Where changes made outside any action come from (the front end that opened the book says it)."""
    _fallback["source"] = source
    _fallback["actor"] = actor


@contextmanager
def acting(source: str, actor: str | None, what: str | None, undoes: str | None = None) -> Iterator[Action]:
    """Runs the block as one action; inside another action it is part of that one (a merge inside an import)."""
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    action = Action(str(uuid.uuid4()), source, actor, what, undoes)
    token = _current.set(action)
    try:
        yield action
    finally:
        _current.reset(token)


def current_action() -> Action | None:
    """The action in progress on this thread, if any."""
    return _current.get()


def claim(execute: Execute, now_text: str | None) -> None:
    """Gives the changes the triggers wrote in this transaction to the action in progress (or to a new one made
    for them), and records the action; called once before the commit."""
    action = _current.get()
    if action is None:
        action = Action(str(uuid.uuid4()), _fallback["source"] or "app", _fallback["actor"], None)
    claimed = execute("UPDATE change_log SET action_id = ?, actor = ?, source = ? WHERE action_id IS NULL",
                      (action.action_id, action.actor, action.source)).rowcount
    if claimed:
        execute("INSERT INTO change_action (action_id, at, source, actor, what, undoes) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (action_id) DO NOTHING",
                (action.action_id, now_text, action.source, action.actor, action.what, action.undoes))


def claim_pulled(execute: Execute, rows: list[dict], now_text: str | None) -> None:
    """Gives the changes written from the server's rows to one sync action: by the colleague the row names when
    it names one, else by nobody known."""
    by_actor = [(row["changed_by"], row["id"]) for row in rows if row.get("changed_by")]
    for actor, record_id in by_actor:
        execute("UPDATE change_log SET actor = ? WHERE action_id IS NULL AND record_id = ?", (actor, record_id))
    action_id = str(uuid.uuid4())
    claimed = execute("UPDATE change_log SET action_id = ?, source = 'sync' WHERE action_id IS NULL",
                      (action_id,)).rowcount
    if claimed:
        execute("INSERT INTO change_action (action_id, at, source, actor, what, undoes) VALUES (?, ?, 'sync', NULL,"
                " NULL, NULL)", (action_id, now_text))


def json_value(text: str | None) -> object:
    """A logged value (JSON text) back to what SQLite held."""
    return None if text is None else json.loads(text)
