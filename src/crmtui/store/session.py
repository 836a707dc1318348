"""The ORM session of the store: every flush of a synced record feeds the outbox in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, ORMExecuteState
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from crmtui.store.models import (
    Contact, Contract, Customer, CustomerTag, Deal, DealStageChange, FollowUp, Payment, Revisit, SyncStamp, Synced,
    Ticket, TicketEvent,
)
from crmtui.store.outbox import TABLE_ORDER, OutboxWriter, Recorded

SYNCED_MODELS: dict[str, type[Synced]] = {
    model.__tablename__: model  # type: ignore[misc]
    for model in (Customer, Contact, Deal, DealStageChange, FollowUp, Contract, Payment, CustomerTag, Revisit, Ticket,
                  TicketEvent)
}
"""The synced tables by name, as the outbox names them."""


class StoreSession(Session):
    """The only session class of the store."""

    def outbox(self) -> OutboxWriter:
        """The transaction's outbox writer, shared with raw writes joined to this session."""
        writer = self.info.get("outbox")
        if writer is None:
            writer = OutboxWriter(None, self.info["now"])
            self.info["outbox"] = writer
        # The driver's own connection, the one this transaction runs on: the outbox's plain statements need none
        # of SQLAlchemy's statement handling, which cost more than the statements themselves.
        writer.execute = self.connection().connection.driver_connection.execute  # type: ignore[union-attr]
        writer.now = self.info["now"]
        return writer

    def expire_recorded(self, recorded: Iterable[Recorded]) -> None:
        """Forgets the loaded values of the fields that a write beside the ORM changed (as the outbox recorded
        them), and each record's sync stamps: they are read again from the database when next used."""
        if not self.identity_map:  # nothing loaded, nothing to forget (an import records some 30,000 new records)
            return
        for table, record_id, fields in recorded:
            model = SYNCED_MODELS.get(table)
            if model is None:
                continue
            loaded = self.identity_map.get(identity_key(model, record_id))
            if loaded is not None:
                self.expire(loaded, [name for name in fields if name in _columns(inspect(model))])
            _expire_stamps(self, table, record_id)


def _expire_stamps(session: StoreSession, table: str, record_id: str) -> None:
    """The outbox writer updates a record's stamps with plain SQL: a loaded copy would be out of date."""
    stamps = session.identity_map.get(identity_key(SyncStamp, (table, record_id)))
    if stamps is not None:
        session.expire(stamps)


_COLUMNS: dict[Mapper, tuple[str, ...]] = {}


def _columns(mapper: Mapper) -> tuple[str, ...]:
    """The column attributes of a synced model, id aside."""
    names = _COLUMNS.get(mapper)
    if names is None:
        names = _COLUMNS[mapper] = tuple(attr.key for attr in mapper.column_attrs if attr.key != "id")
    return names


def _changed_fields(obj: Synced, *, new: bool) -> dict[str, object]:
    state = inspect(obj)
    names = _columns(state.mapper)
    if not new:
        # Only attributes set since the last flush can have changed; setting one to its old value is no change.
        touched = state.committed_state
        names = tuple(name for name in names if name in touched and state.attrs[name].history.has_changes())
    return {name: getattr(obj, name) for name in names}


@event.listens_for(StoreSession, "before_flush")
def _record_mutations(session: StoreSession, _context: object, _instances: object) -> None:
    pending: list[tuple[str, Synced, dict[str, object]]] = []
    for obj in session.new:
        if isinstance(obj, Synced):
            pending.append(("insert", obj, _changed_fields(obj, new=True)))
    for obj in session.dirty:
        if isinstance(obj, Synced):
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
        _expire_stamps(session, obj.__tablename__, obj.id)


@event.listens_for(StoreSession, "do_orm_execute")
def _load_without_flushing(state: ORMExecuteState) -> None:
    # Loading fields of one loaded record that were expired (after a write beside the ORM) reads that record's
    # row only, and its pending changes never include an expired field: no flush is needed first. Autoflush would
    # write out everything else pending, one small flush per load instead of one with the next real flush.
    if state.is_column_load:
        state.update_execution_options(autoflush=False)


@event.listens_for(StoreSession, "before_commit")
def _save_clock(session: StoreSession) -> None:
    # Commit flushes after this hook: flush first, so the stamps of that last flush are counted.
    session.flush()
    writer = session.info.get("outbox")
    if writer is not None:
        writer.save_clock()
