"""Undoing the rep's last action (`crm undo`, `u` in the app): a merge, a stage move with its contract, a delete, a
whole import, an edit. The undo is a new action of its own (source "undo") written like any change, so it syncs;
several undos go back one action each. An undo is not undone in turn: the next undo goes to the action before.

An action is undone only while nothing later stands on it: the same field changed again since, a record it created
given a follow-up, a deal or a change since, a record it changed deleted since. Then the undo is refused with the
later change named. The rep's own later actions never stand in the way (they are undone first); a colleague's
change pulled since can.
"""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crmtui.core import labels
from crmtui.core.errors import NotAllowed
from crmtui.core.i18n import _
from crmtui.services.customers import team_role
from crmtui.services.history import (
    ChangeLine,
    action_text,
    entries,
    names_of,
    record_text,
    rep_of,
    reverted,
    when_text,
    who_text,
    wording,
)
from crmtui.store import history as store
from crmtui.store.drafts import draft_records, drop_draft
from crmtui.store.raw import from_db
from crmtui.store.undo import revert, tombstone_all

if TYPE_CHECKING:
    from crmtui.services.context import Context
    from crmtui.services.history import HistoryEntry


@dataclass(frozen=True)
class UndoPlan:
    """The action an undo would revert, as shown to the rep before they confirm, and why it cannot be, if so."""

    action_id: str
    what: str
    when: str
    source_label: str
    changes: tuple[ChangeLine, ...]
    """What the undo will do to each record: the action's changes turned round."""
    refusal: str | None
    total: int = 0
    """How many changes it reverts that the history shows (`changes` may hold only the first of them)."""


def undoable(ctx: Context, limit: int = 10, most: int | None = None) -> list[HistoryEntry]:
    """The rep's actions an undo would revert, the next one first; with `most`, each with its first `most` changes
    worded and the others counted."""
    with ctx.db.raw_read() as connection:
        actions = store.undoable_actions(connection.execute, rep_of(ctx), limit)
        found = []
        for logged in actions:
            changes = store.changes_of_action(connection.execute, logged.action_id)
            found += entries(ctx, connection.execute, changes, most)
        return found


def undo_plan(ctx: Context, most: int | None = None) -> UndoPlan:
    """What `crm undo` would revert now (refused with the reason when a later change stands on it); with `most`,
    its first `most` changes worded and the others counted."""
    with ctx.db.raw_read() as connection:
        return _plan(ctx, connection.execute, most)


def undo(ctx: Context, expected: UndoPlan | None = None) -> UndoPlan:
    """Reverts the rep's last action as a new action; with `expected` (the plan the rep confirmed), refuses when
    the last action is another by now."""
    now = ctx.clock.utcnow()
    actor = rep_of(ctx)
    plan: UndoPlan | None = None
    with store.acting("undo", actor, None):
        action = store.current_action()
        with ctx.db.write(now) as session:
            execute = session.connection().connection.driver_connection.execute
            plan = _plan(ctx, execute, 0)
            if expected is not None and plan.action_id != expected.action_id:
                raise NotAllowed("the last change is another one since this undo was shown ({what}); look at it again",
                                 what=plan.what)
            if plan.refusal:
                raise NotAllowed("{reason}", reason=plan.refusal)
            assert action is not None
            action.undoes = plan.action_id
            def tombstone_created(ids: dict[str, list[str]]) -> int:
                with ctx.db.raw_write(now) as (connection, outbox):  # joins this write: one transaction
                    dropped = _drop_drafts(ctx, connection, ids)
                    return dropped + tombstone_all(connection, outbox, ids, now)

            with _round_lock_in_team(ctx):
                revert(session, store.changes_of_action(execute, plan.action_id), now, tombstone_created)
            session.flush()
            store.mark_undone(execute, plan.action_id, action.action_id)
    return plan


def _plan(ctx: Context, execute: store.Execute, most: int | None = None) -> UndoPlan:
    found = store.undoable_actions(execute, rep_of(ctx), 1)
    if not found:
        raise NotAllowed("nothing to undo")
    logged = found[0]
    changes = store.changes_of_action(execute, logged.action_id)
    shown = entries(ctx, execute, changes, most)
    what = action_text(ctx, logged, execute)
    entry = shown[0] if shown else None
    refusal = _refusal(ctx, execute, changes, what)
    # the lines say what the undo will do: the revisit the action dropped is brought back, not "deleted"
    return UndoPlan(logged.action_id, what, entry.when if entry else "—", entry.source_label if entry else "",
                    tuple(reverted(line) for line in entry.changes) if entry else (), refusal,
                    entry.total if entry else 0)


def _round_lock_in_team(ctx: Context):  # type: ignore[no-untyped-def]
    """In a team, no sync round may run while an undo drops drafts: it could be sending them at that moment."""
    if team_role(ctx) != "rep":
        return nullcontext()
    # deferred: the sync modules (~90 ms) load in a team only
    from crmtui.sync.client import round_lock

    return round_lock(ctx)


def _drop_drafts(ctx: Context, connection: sqlite3.Connection, ids: dict[str, list[str]]) -> int:
    """In a team, a customer the action created that never left this laptop goes with its outbox entries, as a
    rep's delete of their own draft does: a rep's tombstone of a customer is refused by the server. Takes the
    dropped records out of `ids`; returns how many customers were dropped."""
    if team_role(ctx) != "rep":
        return 0
    dropped = 0
    for customer_id in list(ids.get("customer", [])):
        records = draft_records(connection, customer_id)
        if records is None:
            continue
        drop_draft(connection, records)
        for table, gone in records.items():
            if table in ids:
                ids[table] = [record_id for record_id in ids[table] if record_id not in set(gone)]
        dropped += 1
    return dropped


def _sent_customers(ctx: Context, execute: store.Execute, changes: list[store.LoggedChange]) -> list[str]:
    """In a team, the customers the action created that the team server has by now (their insert is no longer
    waiting to be sent): a rep cannot delete those, so the action cannot be undone."""
    created = [change.record_id for change in changes if change.table == "customer" and change.kind == "insert"]
    if not created or team_role(ctx) != "rep":
        return []
    waiting: set[str] = set()
    for start in range(0, len(created), 500):
        chunk = created[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        waiting.update(row[0] for row in execute(
            f"SELECT record_id FROM outbox WHERE record_table = 'customer' AND kind = 'insert' AND state = 'pending'"
            f" AND record_id IN ({marks})", tuple(chunk)).fetchall())
    return [customer_id for customer_id in created if customer_id not in waiting]


SERVER_KEPT = frozenset({"claimed_at"})
"""Columns the team server keeps for itself (when a lead was claimed): a pulled value of one never stops an undo."""
REP_COLUMNS = frozenset({"owner", "author"})
"""Columns that name a rep: the server fills them on what a rep pushed (the owner of a record the rep created, a
follow-up's author), so a pulled value naming the rep themself only confirms their own write."""

_TELLING = {"insert": 0, "delete": 1}
"""Which later change the refusal names first: a record added since (a follow-up logged) tells the rep more than a
record deleted, and both more than a field changed."""


def _refusal(ctx: Context, execute: store.Execute, changes: list[store.LoggedChange], what: str) -> str | None:
    """Why the action cannot be undone: the most telling later change that stands on it, named; in a team, a
    customer it created that the server has by now (only a manager deletes a team customer)."""
    if not changes:
        return None
    last = changes[-1].seq
    rep = rep_of(ctx)
    created = {change.record_id for change in changes if change.kind == "insert"}
    fields = {(change.record_id, change.field or "deleted_at") for change in changes
              if change.kind != "insert" and (change.field or "deleted_at") not in store.DERIVED}
    changed = {record_id for record_id, _field in fields}
    standing = []
    for later in store.later_changes(execute, last, sorted(created | changed)):
        if _only_confirms(later, rep):
            continue
        on_created = later.record_id in created or later.customer_id in created
        on_changed = (later.record_id, later.field or "deleted_at") in fields or (
            later.kind == "delete" and later.record_id in changed)
        if on_created or on_changed:
            standing.append(later)
    if standing:
        telling = min(standing, key=lambda later: (_TELLING.get(later.kind, 2), later.seq))
        return _later_words(ctx, execute, telling, what)
    return _sent_words(ctx, execute, changes, what) or _values_moved(ctx, execute, changes, what)


def _sent_words(ctx: Context, execute: store.Execute, changes: list[store.LoggedChange], what: str) -> str | None:
    """The refusal of an action whose customers the team server has by now (None when it has none of them)."""
    sent = _sent_customers(ctx, execute, changes)
    if not sent:
        return None
    created = [change for change in changes if change.table == "customer" and change.kind == "insert"]
    names = names_of(execute, [change for change in created if change.record_id in sent[:3]])
    shown = ", ".join(names.get(("customer", customer_id)) or customer_id[:8] for customer_id in sent[:3])
    return _("cannot undo {what}: the team server has {names} by now, and only a manager deletes a team customer;"
             " give it back to the pool (`crm pool release`) or ask a manager").format(
                 what=what, names=shown + ("…" if len(sent) > 3 else ""))


def _only_confirms(later: store.LoggedChange, rep: str | None) -> bool:
    """A later change that cannot stand on the rep's action: a derived column, the server's bookkeeping, or a
    rep column the server set to the rep themself (the owner of the customer they added, their follow-up's
    author)."""
    if later.kind != "update" or later.field is None:
        return False
    if later.field in store.DERIVED or later.field in SERVER_KEPT:
        return True
    return later.field in REP_COLUMNS and rep is not None and store.json_value(later.new_value) == rep


def _later_words(ctx: Context, execute: store.Execute, later: store.LoggedChange, what: str) -> str:
    team_words = wording()
    names = store.record_labels(execute, {(later.table, later.record_id)})
    record = record_text(later.table, names.get((later.table, later.record_id)), team_words)
    when = when_text(ctx, from_db(later.at))
    who = who_text(ctx, later.actor, later.source or "app")
    if later.kind == "insert":
        return _("cannot undo {what}: {record} was added since ({when}, {who}); undo or delete it first").format(
            what=what, record=record, when=when, who=who)
    if later.kind == "delete":
        return _("cannot undo {what}: {record} was deleted since ({when}, {who})").format(
            what=what, record=record, when=when, who=who)
    return _("cannot undo {what}: the {field} of {record} was changed again since ({when}, {who})").format(
        what=what, field=labels.column(later.table, later.field or ""), record=record, when=when, who=who)


def _values_moved(ctx: Context, execute: store.Execute, changes: list[store.LoggedChange], what: str) -> str | None:
    """A field no longer holding what the action left (changed by something the history did not see)."""
    team_words = wording()
    final: dict[tuple[str, str], dict[str, str | None]] = {}
    created = {change.record_id for change in changes if change.kind == "insert"}
    for change in changes:
        if change.kind == "insert" or change.record_id in created:
            continue
        column = change.field or "deleted_at"
        if column not in store.DERIVED:
            final.setdefault((change.table, change.record_id), {})[column] = change.new_value
    for (table, record_id), columns in final.items():
        stored = store.current_values(execute, table, record_id, list(columns))
        if stored is None:
            continue
        for column, new in columns.items():
            if stored[column] != store.json_value(new):
                names = store.record_labels(execute, {(table, record_id)})
                return _("cannot undo {what}: the {field} of {record} was changed again since").format(
                    what=what, field=labels.column(table, column),
                    record=record_text(table, names.get((table, record_id)), team_words))
    return None
