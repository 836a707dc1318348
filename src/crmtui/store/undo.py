"""Reverting one action of the history through the ORM session: each reverted record is a new change like any
(in the outbox, so it syncs, and in the history, as the undo's)."""

from __future__ import annotations

from datetime import date, datetime

from crmtui.store.history import DERIVED, LoggedChange, current_values, json_value
from crmtui.store.raw import from_db
from crmtui.store.session import SYNCED_MODELS, StoreSession
from crmtui.store.tombstones import tombstone


def revert(session: StoreSession, changes: list[LoggedChange], now: datetime) -> int:
    """Puts back what these changes (one action's, oldest first) changed, through the ORM session so that each
    reverted record is a new change like any (in the outbox, in the history): a record they created is deleted,
    every field they changed gets the value it had before. Derived columns changed since are left as they are.
    Returns how many records were changed."""
    created = {(change.table, change.record_id) for change in changes if change.kind == "insert"}
    before: dict[tuple[str, str], dict[str, str | None]] = {}
    after: dict[tuple[str, str], dict[str, str | None]] = {}
    for change in changes:
        key = (change.table, change.record_id)
        if key in created or change.kind == "insert":
            continue
        column = change.field or "deleted_at"
        before.setdefault(key, {}).setdefault(column, change.old_value)
        after.setdefault(key, {})[column] = change.new_value
    touched = 0
    for table, record_id in sorted(created, key=lambda key: key[0]):
        record = session.get(SYNCED_MODELS[table], record_id)
        if record is not None and record.deleted_at is None:
            tombstone(now, record)
            touched += 1
    for (table, record_id), columns in before.items():
        model = SYNCED_MODELS[table]
        record = session.get(model, record_id)
        if record is None:
            continue
        stored = current_values(session.connection().connection.driver_connection.execute, table, record_id,
                                list(columns)) or {}
        for column, old in columns.items():
            if column in DERIVED and stored.get(column) != json_value(after[(table, record_id)][column]):
                continue
            setattr(record, column, _model_value(model, column, json_value(old)))
        record.updated_at = now
        touched += 1
    return touched


def _model_value(model: type, column: str, value: object) -> object:
    """A value as SQLite held it, as the model's attribute takes it (times aware, days as dates, booleans)."""
    if value is None:
        return None
    kind = model.__table__.columns[column].type  # type: ignore[attr-defined]
    kind = getattr(kind, "impl_instance", kind)  # the aware UTC time type wraps SQL's DATETIME
    try:
        python_type = kind.python_type
    except NotImplementedError:
        return value
    if python_type is datetime:
        return from_db(str(value))
    if python_type is date:
        return date.fromisoformat(str(value)[:10])
    if python_type is bool:
        return bool(value)
    return value
