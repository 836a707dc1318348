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
import time
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
    "revisit": "NEW.customer_id",
    "ticket": "NEW.customer_id",
    "ticket_event": "(SELECT customer_id FROM ticket WHERE id = NEW.ticket_id)",
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
        selects.append(f"SELECT {field} AS f, OLD.{name} AS o, NEW.{name} AS n")
    changes = "\n  UNION ALL ".join(selects)
    return [
        (f"CREATE TRIGGER history_{table}_insert AFTER INSERT ON {table} BEGIN\n"
         f" INSERT INTO change_log (at, record_table, record_id, customer_id, kind)"
         f" VALUES (NEW.updated_at, '{table}', NEW.id, {customer}, 'insert');\n"
         "END"),
        (f"CREATE TRIGGER history_{table}_update AFTER UPDATE ON {table} BEGIN\n"
         f" INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n"
         f" SELECT NEW.updated_at, '{table}', NEW.id, {customer}, f, json_quote(o), json_quote(n),"
         f" CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n  {changes}\n ) WHERE o IS NOT n;\n"
         "END"),
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
        if not columns:  # a file migrated to a revision from before the table
            continue
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


def new_action_id() -> str:
    """A new action id that sorts by time: each commit's claim then adds to the end of the action index instead of
    somewhere in the middle (a random id costs a page read and write per claimed row on a big history)."""
    return f"{time.time_ns() // 1_000_000:012x}-{uuid.uuid4().hex[:20]}"


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
    action = Action(new_action_id(), source, actor, what, undoes)
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
        action = Action(new_action_id(), _fallback["source"] or "app", _fallback["actor"], None)
    claimed = execute("UPDATE change_log SET action_id = ?, actor = coalesce(actor, ?), source = ?"
                      " WHERE action_id IS NULL",
                      (action.action_id, action.actor, action.source)).rowcount
    if claimed:
        execute("INSERT INTO change_action (action_id, at, source, actor, what, undoes) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (action_id) DO NOTHING",
                (action.action_id, now_text, action.source, action.actor, action.what, action.undoes))


def attribute_pulled(execute: Execute, rows: list[dict]) -> None:
    """Names the colleague on the changes just written from the server's rows, where a row says who made it (a
    follow-up's author; a row's `changed_by` where the server sends one); the others stay by nobody known."""
    for actor, record_id in [(row.get("changed_by") or row.get("author"), row["id"]) for row in rows]:
        if not actor:
            continue
        execute("UPDATE change_log SET actor = ? WHERE action_id IS NULL AND record_id = ?", (actor, record_id))


def json_value(text: str | None) -> object:
    """A logged value (JSON text) back to what SQLite held."""
    return None if text is None else json.loads(text)


# Reading --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoggedChange:
    """One row of the history."""

    seq: int
    action_id: str | None
    at: str | None
    table: str
    record_id: str
    customer_id: str | None
    field: str | None
    old_value: str | None
    new_value: str | None
    kind: str
    actor: str | None
    source: str | None
    undone_by: str | None


@dataclass(frozen=True)
class LoggedAction:
    """One action of the history: what the rep did, when, from where, and whether it was undone."""

    action_id: str
    at: str | None
    source: str
    actor: str | None
    what: str | None
    undoes: str | None
    undone_by: str | None


_CHANGE_COLUMNS = ("seq, action_id, at, record_table, record_id, customer_id, field, old_value, new_value, kind,"
                   " actor, source, undone_by")

_OF_DEAL = ("customer_id IN (SELECT c.id FROM customer c JOIN deal d ON c.id = d.customer_id OR c.merged_into ="
            " d.customer_id WHERE d.id = :id) AND (record_id = :id"
            " OR record_id IN (SELECT id FROM deal_stage_change WHERE deal_id = :id)"
            " OR record_id IN (SELECT id FROM contract WHERE deal_id = :id)"
            " OR record_id IN (SELECT p.id FROM payment p JOIN contract c ON c.id = p.contract_id WHERE c.deal_id = :id)"
            " OR record_id IN (SELECT id FROM follow_up WHERE deal_id = :id))")
"""A deal's rows: found among its customer's (and those merged into it), for the customer is what is indexed."""
_OF_CUSTOMER = "customer_id = :id"
"""A customer's rows: its own (their customer is the customer itself) and its children's."""


def changes_of(execute: Execute, *, customer_id: str | None = None, deal_id: str | None = None,
               limit: int | None = None) -> list[LoggedChange]:
    """The changes of a customer (its contacts, deals, contracts, payments, follow-ups and tags too) or of a deal
    (its stage changes, contract, instalments and follow-ups), of the `limit` newest actions, oldest first."""
    where, record = (_OF_DEAL, deal_id) if deal_id else (_OF_CUSTOMER, customer_id)
    actions = ("SELECT action_id FROM change_log WHERE action_id IS NOT NULL AND (" + where + ")"
               " GROUP BY action_id ORDER BY max(seq) DESC" + (" LIMIT :limit" if limit else ""))
    rows = execute(f"SELECT {_CHANGE_COLUMNS} FROM change_log WHERE ({where}) AND action_id IN ({actions})"
                   " ORDER BY seq", {"id": record, "limit": limit}).fetchall()
    return [LoggedChange(*row) for row in rows]


def changes_of_action(execute: Execute, action_id: str) -> list[LoggedChange]:
    """Every change of one action, oldest first."""
    return [LoggedChange(*row) for row in execute(
        f"SELECT {_CHANGE_COLUMNS} FROM change_log WHERE action_id = ? ORDER BY seq", (action_id,)).fetchall()]


def actions(execute: Execute, action_ids: list[str]) -> dict[str, LoggedAction]:
    """The actions named, by id, each with the undo that reverted it (if any)."""
    found: dict[str, LoggedAction] = {}
    for start in range(0, len(action_ids), 500):
        chunk = action_ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in execute(
                "SELECT a.action_id, a.at, a.source, a.actor, a.what, a.undoes,"
                " (SELECT u.action_id FROM change_action u WHERE u.undoes = a.action_id)"
                f" FROM change_action a WHERE a.action_id IN ({marks})", chunk).fetchall():
            found[row[0]] = LoggedAction(*row)
    return found


def undoable_actions(execute: Execute, actor: str | None, limit: int) -> list[LoggedAction]:
    """The rep's own actions not undone yet, newest first: never a pulled change, never an undo (an undo is not
    undone in turn), never a colleague's (in a team every action carries its rep; before the team, nobody)."""
    rows = execute(
        "SELECT a.action_id, a.at, a.source, a.actor, a.what, a.undoes, NULL FROM change_action a"
        " WHERE a.source NOT IN ('sync', 'undo') AND a.undoes IS NULL AND (a.actor IS NULL OR a.actor = ?)"
        " AND NOT EXISTS (SELECT 1 FROM change_action u WHERE u.undoes = a.action_id)"
        # an action whose changes are all gone (a person's erasure removes theirs) has nothing left to revert
        " AND EXISTS (SELECT 1 FROM change_log c WHERE c.action_id = a.action_id)"
        # nor one a person's erasure cut into: what is left would revert only part of it
        " AND NOT a.cut_by_erasure"
        " ORDER BY a.rowid DESC LIMIT ?", (actor, limit)).fetchall()
    return [LoggedAction(*row) for row in rows]


def later_changes(execute: Execute, after_seq: int, record_ids: list[str]) -> list[LoggedChange]:
    """Changes made after `after_seq` to these records or to records of these customers, that still stand: an
    undone change and the undo that reverted it cancel out, so neither counts."""
    found: list[LoggedChange] = []
    for start in range(0, len(record_ids), 400):
        chunk = record_ids[start:start + 400]
        marks = ", ".join("?" * len(chunk))
        found += [LoggedChange(*row) for row in execute(
            f"SELECT {_CHANGE_COLUMNS} FROM change_log WHERE seq > ? AND undone_by IS NULL"
            f" AND coalesce(source, '') <> 'undo' AND (record_id IN ({marks}) OR customer_id IN ({marks}))"
            " ORDER BY seq", (after_seq, *chunk, *chunk)).fetchall()]
    return sorted(found, key=lambda change: change.seq)


def mark_undone(execute: Execute, action_id: str, undo_id: str) -> None:
    """Marks every change of an action as reverted by the undo action `undo_id`."""
    execute("UPDATE change_log SET undone_by = ? WHERE action_id = ?", (undo_id, action_id))


RECORD_LABEL_SQL = {
    "customer": "SELECT id, name FROM customer",
    "contact": "SELECT id, name FROM contact",
    "deal": "SELECT id, title FROM deal",
    "deal_stage_change": "SELECT s.id, d.title FROM deal_stage_change s JOIN deal d ON d.id = s.deal_id",
    "follow_up": "SELECT id, at FROM follow_up",
    "contract": "SELECT id, number FROM contract",
    "payment": "SELECT p.id, c.number || ' · ' || p.due_on FROM payment p JOIN contract c ON c.id = p.contract_id",
    "customer_tag": "SELECT id, tag FROM customer_tag",
    "revisit": "SELECT id, due_on || ' · ' || purpose FROM revisit",
    "ticket": "SELECT id, number || ' ' || title FROM ticket",
    "ticket_event": "SELECT e.id, t.number || ' · ' || e.at FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id",
}
"""How each kind of record is named in the history (a follow-up by its moment, an instalment by its contract
and due day, a revisit by its day and purpose, a ticket by its number and title, a ticket's event by the ticket's
number and its moment)."""


def record_labels(execute: Execute, records: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The name of each (table, id) as stored now (deleted records too)."""
    by_table: dict[str, list[str]] = {}
    for table, record_id in records:
        by_table.setdefault(table, []).append(record_id)
    names: dict[tuple[str, str], str] = {}
    for table, ids in by_table.items():
        query = RECORD_LABEL_SQL.get(table)
        if query is None:
            continue
        alias = {"deal_stage_change": "s.", "payment": "p.", "ticket_event": "e."}.get(table, "")
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for record_id, name in execute(f"{query} WHERE {alias}id IN ({marks})", chunk).fetchall():
                names[(table, record_id)] = "" if name is None else str(name)
    return names


def stage_moves(execute: Execute, ids: list[str]) -> dict[str, tuple[str | None, str, str | None]]:
    """Each stage change's stages and moment (from, to, at as stored), by id: a stage change is told by these."""
    found: dict[str, tuple[str | None, str, str | None]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for record_id, from_stage, to_stage, at in execute(
                f"SELECT id, from_stage, to_stage, at FROM deal_stage_change WHERE id IN ({marks})", chunk).fetchall():
            found[record_id] = (from_stage, to_stage, at)
    return found


def current_values(execute: Execute, table: str, record_id: str, fields: list[str]) -> dict[str, object] | None:
    """The stored values of some fields of one record (None when there is no such record)."""
    if table not in LOGGED_TABLES:
        return None
    columns = ", ".join(fields)
    row = execute(f"SELECT {columns} FROM {table} WHERE id = ?", (record_id,)).fetchone()
    return None if row is None else dict(zip(fields, row, strict=True))


# Undoing ---------------------------------------------------------------------------------------------------

DERIVED = frozenset({"name_key", "pinyin", "phone_key", "email_key", "score", "last_contact_at"})
"""Columns computed from others (search keys, the lead score, the last contact): a later change of one of them
follows some other change and never stops an undo; it is put back only when nothing changed it since."""
