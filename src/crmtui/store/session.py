"""The ORM session of the store: every flush of a synced record feeds the outbox in the same transaction."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlmodel import Session

from crmtui.store.models import Synced
from crmtui.store.outbox import TABLE_ORDER, OutboxWriter


class StoreSession(Session):
    """The only session class of the store."""

    def outbox(self) -> OutboxWriter:
        """The transaction's outbox writer, shared with raw writes joined to this session."""
        writer = self.info.get("outbox")
        if writer is None:
            writer = OutboxWriter(lambda sql, params=(): self.connection().exec_driver_sql(sql, params), self.info["now"])
            self.info["outbox"] = writer
        writer.now = self.info["now"]
        return writer


def _changed_fields(obj: Synced, *, new: bool) -> dict[str, object]:
    state = inspect(obj)
    changes: dict[str, object] = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name != "id" and (new or state.attrs[name].history.has_changes()):
            changes[name] = getattr(obj, name)
    return changes


@event.listens_for(StoreSession, "before_flush")
def _record_mutations(session: StoreSession, _context: object, _instances: object) -> None:
    pending: list[tuple[str, Synced, dict[str, object]]] = []
    for obj in session.new:
        if isinstance(obj, Synced):
            pending.append(("insert", obj, _changed_fields(obj, new=True)))
    for obj in session.dirty:
        if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False):
            changes = _changed_fields(obj, new=False)
            if changes:
                kind = "delete" if "deleted_at" in changes and obj.deleted_at is not None else "update"
                pending.append((kind, obj, changes))
    if not pending:
        return
    pending.sort(key=lambda item: (item[0] != "insert", TABLE_ORDER.index(item[1].__tablename__)))
    writer = session.outbox()
    for kind, obj, changes in pending:
        writer.record(kind, obj.__tablename__, obj.id, changes)


@event.listens_for(StoreSession, "before_commit")
def _save_clock(session: StoreSession) -> None:
    # Commit flushes after this hook: flush first, so the stamps of that last flush are counted.
    session.flush()
    writer = session.info.get("outbox")
    if writer is not None:
        writer.save_clock()
