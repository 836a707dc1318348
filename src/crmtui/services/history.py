"""The history of changes as the rep reads it, and the actions services run their writes in.

Every change to a synced record is logged by the store as it is written (store/history.py). A service that makes
one user action out of several writes, or that knows better words for it than the changes themselves say (an
import names its file), runs them in `action(...)`: all its changes then share one action, the unit that
`crm undo` reverts. Writes outside any action still form one action per transaction, from the front end that
opened the book (`Context.source`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from crmtui.core import i18n, labels
from crmtui.core.dates import format_when
from crmtui.core.errors import InvalidInput
from crmtui.core.i18n import N_, _
from crmtui.store import history as store
from crmtui.store.raw import from_db

if TYPE_CHECKING:
    from crmtui.services.context import Context

P = ParamSpec("P")
R = TypeVar("R")

SOURCE_LABELS = {"app": N_("app"), "cli": N_("command line"), "import": N_("import"), "sync": N_("sync"),
                 "undo": N_("undo"), "demo": N_("sample book")}
"""Where a change came from, as the rep reads it."""

IMPORT_WHAT = N_("import {file}")
"""An import's words in the history (its records are counted beside them)."""
DEMO_WHAT = N_("load the sample book")


def rep_of(ctx: Context) -> str | None:
    """The rep whose changes these are: their login in a team, nobody named when they work alone."""
    sync = ctx.settings.sync
    return sync.user or None if sync.configured else None


def describe(what: str, **args: object) -> str:
    """An action's words as stored: the message id and its values, translated when shown."""
    return json.dumps({"m": what, "a": args}, ensure_ascii=False, default=str)


def action_words(stored: str | None) -> str | None:
    """Stored words of an action in the chosen language."""
    if not stored:
        return None
    try:
        words = json.loads(stored)
        return _(words["m"]).format(**words.get("a", {}))
    except (ValueError, KeyError, TypeError, AttributeError):
        return stored


def front_end(ctx: Context, source: str) -> None:
    """Says which front end works on the book (the app opened by the `crm` command is the app, not the CLI):
    changes made outside an action come from it."""
    ctx.source = source
    store.set_fallback(source, rep_of(ctx))


@contextmanager
def action(ctx: Context, what: str | None = None, *, source: str | None = None, **args: object) -> Iterator[None]:
    """Runs the block as one user action: every change it writes, in however many transactions, shares one id.
    `what` is a message id (N_) formatted with `args` when shown; `source` defaults to the front end's."""
    with store.acting(source or ctx.source, rep_of(ctx), describe(what, **args) if what else None):
        yield


def recorded(what: str | None = None, *, source: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A service entry point run as one action (its first argument is the Context)."""
    def wrap(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with action(args[0], what, source=source):  # type: ignore[arg-type]
                return function(*args, **kwargs)
        return run
    return wrap


# Reading the history ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChangeLine:
    """One change of one record: the record ("deal ERP rollout"), the field's label ("" for a whole record) and
    the old and new values as the app shows them."""

    table: str
    record_id: str
    record: str
    field: str
    old: str
    new: str
    kind: str
    """insert (created), delete (deleted), restore (brought back) or update."""


@dataclass(frozen=True)
class HistoryEntry:
    """One action: when, who, from where, what, and its changes."""

    action_id: str
    at: datetime | None
    when: str
    who: str
    source: str
    source_label: str
    what: str
    undone: bool
    changes: tuple[ChangeLine, ...]
    total: int = 0
    """How many changes the action shows in all (`changes` may hold only the first of them)."""

    def as_dict(self) -> dict[str, object]:
        return {"action": self.action_id, "at": self.at.isoformat() if self.at else None, "who": self.who,
                "source": self.source, "what": self.what, "undone": self.undone, "total_changes": self.total,
                "changes": [{"table": line.table, "record_id": line.record_id, "record": line.record,
                             "field": line.field, "old": line.old, "new": line.new, "kind": line.kind}
                            for line in self.changes]}


def change_text(line: ChangeLine) -> str:
    """A change as one line, alike in the history, the undo question and `crm undo`: "deal ERP rollout: Amount
    10,000 → 12,000", "contact Wang Wei: added"."""
    if line.kind == "insert" and line.new:
        return _("{record}: added, {old} → {new}").format(record=line.record, old=line.old, new=line.new)
    if line.kind == "insert":
        return _("{record}: added").format(record=line.record)
    if line.kind == "delete":
        return _("{record}: deleted").format(record=line.record)
    if line.kind == "restore":
        return _("{record}: brought back").format(record=line.record)
    return f"{line.record}: {line.field} {line.old} → {line.new}"


def reverted(line: ChangeLine) -> ChangeLine:
    """The change an undo makes of `line`, for the undo question to say what the undo will do: a record the action
    deleted is brought back, one it added is deleted, one it brought back is deleted again, a field goes back to its
    old value ("Industry mining → steel")."""
    if line.kind == "delete":
        return replace(line, kind="restore")
    if line.kind in ("insert", "restore"):
        return replace(line, kind="delete", old="", new="")
    return replace(line, old=line.new, new=line.old)


def history_of(ctx: Context, *, customer_id: str | None = None, deal_id: str | None = None,
               limit: int | None = 50) -> list[HistoryEntry]:
    """The history of a customer (with its contacts, deals, contracts, payments, follow-ups and tags) or of one
    deal: its `limit` newest actions, newest first, each with the changes that concern it."""
    if limit is not None and limit < 1:
        raise InvalidInput("limit", "a number of 1 or more", str(limit))
    with ctx.db.raw_read() as connection:
        changes = store.changes_of(connection.execute, customer_id=customer_id, deal_id=deal_id, limit=limit)
        return entries(ctx, connection.execute, changes)


def wording() -> object:
    """The sync's wording of records, fields and values (services/team_words.py), shared with the history."""
    # deferred: it loads the sync client (~0.15 s), for a history shown, never for the quick commands that start
    # an action (`crm log` imports this module)
    from crmtui.services import team_words

    return team_words


def entries(ctx: Context, execute: store.Execute, changes: list[store.LoggedChange],
            most: int | None = None) -> list[HistoryEntry]:
    """Changes grouped by action, newest action first, worded (actions with nothing to show left out). With
    `most`, only each action's first `most` changes are worded (an import has thousands), and counted beside."""
    team_words = wording()
    grouped: dict[str, list[store.LoggedChange]] = {}
    for change in changes:
        grouped.setdefault(change.action_id or "", []).append(change)
    known = store.actions(execute, [key for key in grouped if key])
    shown: dict[str, list[store.LoggedChange]] = {}
    worded: list[store.LoggedChange] = []
    for action_id, rows in grouped.items():
        visible = [change for change in rows if _visible(change, team_words)]
        shown[action_id] = visible[:most] if most is not None else visible
        worded += shown[action_id]
        logged = known.get(action_id)
        if logged is None or not logged.what and not logged.undoes:
            worded += rows  # the action told by its changes: any of them may name it
    names = names_of(execute, worded)
    moves = store.stage_moves(execute, [change.record_id for change in worded
                                        if change.table == "deal_stage_change" and change.kind == "insert"])
    found: list[HistoryEntry] = []
    for action_id, rows in sorted(grouped.items(), key=lambda item: -item[1][-1].seq):
        total = sum(1 for change in rows if _visible(change, team_words))
        if not total:
            continue
        lines = tuple(line for change in shown[action_id]
                      if (line := _line(ctx, change, names, team_words, moves)) is not None)
        logged = known.get(action_id)
        first = rows[0]
        at = from_db(logged.at if logged and logged.at else first.at)
        source = (logged.source if logged else first.source) or "app"
        found.append(HistoryEntry(
            action_id=action_id, at=at, when=when_text(ctx, at), who=_who(ctx, logged, rows, source),
            source=source, source_label=_(SOURCE_LABELS.get(source, source)),
            what=_what(ctx, logged, rows, names, execute), undone=bool(logged and logged.undone_by) or bool(
                first.undone_by), changes=lines, total=total))
    return found


def _visible(change: store.LoggedChange, team_words: object) -> bool:
    """Whether the history shows this change (columns the app computes are kept but not shown)."""
    if change.kind != "update" or change.field == "deleted_at" and change.new_value == "null":
        return True
    return (change.field or "") not in team_words.hidden_columns(change.table)  # type: ignore[attr-defined]


def _who(ctx: Context, logged: store.LoggedAction | None, rows: list[store.LoggedChange], source: str) -> str:
    """Who made an action's changes: for a sync, the colleagues its rows name (one pull brings several)."""
    if source == "sync":
        actors = list(dict.fromkeys(row.actor for row in rows if row.actor))
        return ", ".join(actors) if actors else _("a colleague")
    return who_text(ctx, logged.actor if logged else rows[0].actor, source)


def who_text(ctx: Context, actor: str | None, source: str) -> str:
    """Who made a change: the rep themself, a colleague by login, or "a colleague" when the server did not say."""
    if actor and actor != rep_of(ctx):
        return actor
    if source == "sync":
        return actor or _("a colleague")
    return _("you")


def when_text(ctx: Context, at: datetime | None) -> str:
    """A moment of the history as the app writes dates (\"Tue 24 Nov 10:00\")."""
    if at is None:
        return "—"
    return format_when(ctx.clock.to_local(at), True, i18n.language, ctx.clock.today())  # type: ignore[arg-type]


def record_text(table: str, name: str | None, team_words: object) -> str:
    """A record as the history names it: its kind and its name ("deal ERP rollout")."""
    kind = team_words.record_kind(table)  # type: ignore[attr-defined]
    return f"{kind} {name}" if name else kind


def _shown(ctx: Context, name: str, text: str | None, team_words: object) -> str:
    value = store.json_value(text)
    if isinstance(value, str) and name in {"at", "next_at", "next_follow_up_at", "last_contact_at",
                                           "stage_entered_at", "deleted_at"}:
        moment = from_db(value)
        value = moment.isoformat() if moment else None
    return team_words.change_value(ctx, name, value)  # type: ignore[attr-defined]


def _line(ctx: Context, change: store.LoggedChange, names: dict, team_words: object,
          moves: dict | None = None) -> ChangeLine | None:
    name = names.get((change.table, change.record_id))
    if change.table == "follow_up" and name:
        name = _shown(ctx, "at", json.dumps(name), team_words)
    move = (moves or {}).get(change.record_id) if change.table == "deal_stage_change" else None
    if move is not None and change.kind == "insert":
        # a stage change is its stages and its day: "added" alone says nothing (an import adds one a deal)
        from_stage, to_stage, at = move
        record = record_text(change.table, name, team_words) + " · " + _shown(ctx, "at", json.dumps(at), team_words)
        return ChangeLine(change.table, change.record_id, record, labels.column("deal", "stage"),
                          team_words.change_value(ctx, "stage", from_stage),  # type: ignore[attr-defined]
                          team_words.change_value(ctx, "stage", to_stage), "insert")  # type: ignore[attr-defined]
    record = record_text(change.table, name, team_words)
    if change.kind in ("insert", "delete"):
        return ChangeLine(change.table, change.record_id, record, "", "", "", change.kind)
    field = change.field or ""
    if field == "deleted_at" and change.new_value == "null":
        return ChangeLine(change.table, change.record_id, record, "", "", "", "restore")
    if field in team_words.hidden_columns(change.table):  # type: ignore[attr-defined]
        return None
    return ChangeLine(change.table, change.record_id, record, labels.column(change.table, field),
                      _shown(ctx, field, change.old_value, team_words), _shown(ctx, field, change.new_value, team_words),
                      "update")


def _what(ctx: Context, logged: store.LoggedAction | None, rows: list[store.LoggedChange], names: dict,
          execute: store.Execute) -> str:
    """The action in words: as its service said it, or else as its changes say."""
    if logged is not None and logged.undoes:
        undone = store.actions(execute, [logged.undoes]).get(logged.undoes)
        return _("undo: {what}").format(what=action_text(ctx, undone, execute) if undone else "—")
    if logged is not None:
        return action_text(ctx, logged, execute)
    return words_of_changes(ctx, rows, names, wording())


def action_text(ctx: Context, logged: store.LoggedAction, execute: store.Execute) -> str:
    """An action in words, from all of its changes."""
    team_words = wording()
    words = action_words(logged.what)
    if words:
        return words
    rows = store.changes_of_action(execute, logged.action_id)
    return words_of_changes(ctx, rows, names_of(execute, rows), team_words)


def names_of(execute: store.Execute, changes: list[store.LoggedChange]) -> dict[tuple[str, str], str]:
    """The names of the records these changes touch and of the customers they point to (the customer a merge
    kept, which the merge may not have changed at all)."""
    records = {(change.table, change.record_id) for change in changes}
    records |= {("customer", str(store.json_value(change.new_value))) for change in changes
                if change.table == "customer" and change.field == "merged_into" and change.new_value not in (None, "null")}
    return store.record_labels(execute, records)


def _parents_first(changes: list[store.LoggedChange]) -> list[store.LoggedChange]:
    """Changes of parents (a customer) before their children's (its contacts), each table in its order."""
    order = {table: index for index, table in enumerate(store.LOGGED_TABLES)}
    return sorted(changes, key=lambda change: (order.get(change.table, len(order)), change.seq))


def words_of_changes(ctx: Context, rows: list[store.LoggedChange], names: dict, team_words: object) -> str:
    """What a list of changes did, in a few words: a merge, a stage move, a delete, a follow-up logged, records
    added, or the fields edited."""
    def named(change: store.LoggedChange) -> str:
        return record_text(change.table, names.get((change.table, change.record_id)), team_words)

    merged = [change for change in rows if change.table == "customer" and change.field == "merged_into"
              and change.new_value not in (None, "null")]
    if merged:
        keep = store.json_value(merged[0].new_value)
        return _("merge {other} into {keep}").format(
            other=names.get(("customer", merged[0].record_id), "?"), keep=names.get(("customer", keep), "?"))
    stages = [change for change in rows if change.table == "deal" and change.field == "stage"]
    if stages:
        return _("move {deal} to {stage}").format(deal=named(stages[-1]), stage=team_words.change_value(  # type: ignore[attr-defined]
            ctx, "stage", store.json_value(stages[-1].new_value)))
    inserts = _parents_first([change for change in rows if change.kind == "insert"])
    deletes = _parents_first([change for change in rows if change.kind == "delete"])
    if deletes:
        return _("delete {record}").format(record=named(deletes[0]))
    if inserts and inserts[0].table == "follow_up":
        customer = inserts[0].customer_id
        return _("log a follow-up with {customer}").format(customer=names.get(("customer", customer)) or "?")
    if inserts and (len(inserts) == 1 or inserts[1].table != inserts[0].table):
        return _("add {record}").format(record=named(inserts[0]))
    if inserts:
        return _("{count} records added").format(count=len(inserts))
    restored = [change for change in rows if change.field == "deleted_at"]
    if restored:
        return _("bring back {record}").format(record=named(restored[0]))
    edited = [change for change in rows if change.field not in team_words.hidden_columns(change.table)]  # type: ignore[attr-defined]
    shown = edited or rows
    return _("edit {record}").format(record=named(shown[0]))
