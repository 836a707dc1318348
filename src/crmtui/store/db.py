"""Opens the SQLite file: WAL, foreign keys, a busy timeout, migrations on open, and sessions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from crmtui.store.outbox import StoreSession

SCHEMA_HEAD = "0002"
"""The newest migration; checked without importing Alembic (it costs ~0.35 s). A test keeps it true."""

BUSY_TIMEOUT_MS = 10_000


class SchemaTooNew(Exception):
    """The file was written by a newer crmtui."""


def _configure(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is too late and deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: object) -> None:
        # A writer takes the lock at BEGIN: a deferred transaction that upgrades to a write
        # can fail with "database is locked" without waiting on the busy timeout.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)  # type: ignore[attr-defined]
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")  # type: ignore[attr-defined]


class Database:
    """One SQLite file with a reading and a writing engine sharing one pool."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure(self.engine)
        self.write_engine = self.engine.execution_options(sqlite_immediate=True)
        self._local = threading.local()

    @contextmanager
    def read(self) -> Iterator[StoreSession]:
        """A read-only session (one snapshot)."""
        with StoreSession(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def write(self, now: datetime | None = None) -> Iterator[StoreSession]:
        """A write transaction: everything in it, outbox included, commits or rolls back together.

        Nested calls on one thread join the outer transaction (the demo loader writes in one).
        """
        now = now or datetime.now(UTC)
        outer: StoreSession | None = getattr(self._local, "session", None)
        if outer is not None:
            previous = outer.info["now"]
            outer.info["now"] = now
            try:
                yield outer
                outer.flush()
            finally:
                outer.info["now"] = previous
            return
        with StoreSession(self.write_engine, expire_on_commit=False) as session:
            session.info["now"] = now
            session.info["mutations"] = {}
            self._local.session = session
            try:
                with session.begin():
                    yield session
            finally:
                self._local.session = None

    def close(self) -> None:
        """Releases every connection."""
        self.engine.dispose()


def current_revision(path: Path) -> str | None:
    """The migration revision recorded in the file, or None for a new or foreign file."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy with SQLite's online backup, safe while other processes write."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def open_database(path: Path, backups: Path | None = None) -> Database:
    """Opens (creating if needed) and migrates the file; a copy is taken before any migration of existing data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    revision = current_revision(path)
    if revision != SCHEMA_HEAD:
        from crmtui.store.migrate import upgrade  # deferred: Alembic is needed only here

        if revision is not None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            copy_database(path, (backups or path.parent / "backups") / f"{path.stem}-{stamp}-before-{SCHEMA_HEAD}.db")
        database = Database(path)
        upgrade(database.engine)
        return database
    return Database(path)


def inspect_file(path: Path) -> tuple[str, set[str], str | None]:
    """(integrity check result, table names, revision) of a file, opened read-only."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        connection.close()
    return integrity, tables, current_revision(path) if "alembic_version" in tables else None
