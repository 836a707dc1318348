"""Writes every change of a synced table to the outbox, in the flush that makes the change."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import event, inspect
from sqlmodel import Session

from crmtui.store.models import SYNCED_TABLES, Meta, Mutation, Synced, new_id

FORMAT_VERSION = 1
"""Version of the mutation format the server must understand (DESIGN section 3)."""


_TABLE_ORDER = {table: index for index, table in enumerate(SYNCED_TABLES)}


class StoreSession(Session):
    """The only session class of the store: its flushes feed the outbox."""


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def format_stamp(millis: int, counter: int, node: str) -> str:
    """A hybrid logical clock stamp that sorts as text: wall millis, counter, node."""
    return f"{millis:015d}-{counter:05d}-{node}"


def parse_stamp(stamp: str) -> tuple[int, int, str]:
    """The parts of a stamp made by format_stamp."""
    millis, counter, node = stamp.split("-", 2)
    return int(millis), int(counter), node


def next_stamp(last: str | None, wall_millis: int, node: str) -> str:
    """The HLC send step: later than both the wall clock and the last stamp issued."""
    if last is None:
        return format_stamp(wall_millis, 0, node)
    last_millis, last_counter, _ = parse_stamp(last)
    if wall_millis > last_millis:
        return format_stamp(wall_millis, 0, node)
    return format_stamp(last_millis, last_counter + 1, node)


def _meta(session: Session, key: str) -> Meta | None:
    with session.no_autoflush:
        return session.get(Meta, key)


def client_id(session: Session) -> str:
    """This database's client id, created on first use."""
    row = _meta(session, "client_id")
    if row is None:
        row = Meta(key="client_id", value=new_id())
        session.add(row)
    return row.value


def _changed_fields(obj: Synced, *, new: bool) -> dict[str, object]:
    state = inspect(obj)
    changes: dict[str, object] = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name == "id":
            continue
        if new:
            changes[name] = _json_value(getattr(obj, name))
        elif state.attrs[name].history.has_changes():
            changes[name] = _json_value(getattr(obj, name))
    return changes


@event.listens_for(StoreSession, "before_flush")
def _record_mutations(session: Session, _context: object, _instances: object) -> None:
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
    node = client_id(session)
    clock_row = _meta(session, "hlc")
    last = clock_row.value if clock_row else None
    now: datetime = session.info["now"]
    wall = int(now.timestamp() * 1000)
    # Parents before children, so a replay of the outbox never breaks a foreign key.
    pending.sort(key=lambda item: (item[0] != "insert", _TABLE_ORDER[type(item[1])]))
    # One mutation per record per transaction: a record flushed twice (added, then scored)
    # folds its later changes into the mutation already queued.
    queued: dict[tuple[str, str], Mutation] = session.info.setdefault("mutations", {})
    for kind, obj, changes in pending:
        last = next_stamp(last, wall, node)
        key = (obj.__tablename__, obj.id)
        if key in queued:
            mutation = queued[key]
            mutation.changes = json.dumps({**json.loads(mutation.changes), **changes}, ensure_ascii=False)
            mutation.stamps = json.dumps({**json.loads(mutation.stamps), **{name: last for name in changes}})
            if kind == "delete":
                mutation.kind = "delete"
            continue
        queued[key] = Mutation(
            client_id=node,
            kind=kind,
            record_table=obj.__tablename__,
            record_id=obj.id,
            changes=json.dumps(changes, ensure_ascii=False),
            stamps=json.dumps({name: last for name in changes}),
            format_version=FORMAT_VERSION,
            created_at=now,
        )
        session.add(queued[key])
    if clock_row is None:
        session.add(Meta(key="hlc", value=last))
    else:
        clock_row.value = last
