"""Opens the SQLite file: WAL, foreign keys, a busy timeout, migrations on open, and transactions.

Two ways in, one file and one set of rules: ORM sessions (read/write) for most services, and the
stdlib sqlite3 path (raw_read/raw_write) for the commands that must start fast. SQLAlchemy is
imported only when an ORM session is first asked for.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from crmtui.store.outbox import OutboxWriter

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from crmtui.store.session import StoreSession

SCHEMA_HEAD = "0005"
"""The newest migration; checked without importing Alembic (it costs ~0.35 s). A test keeps it true."""

BUSY_TIMEOUT_MS = 10_000


def _prepare(connection: sqlite3.Connection) -> None:
    """Pragmas every connection gets. isolation_level None: we issue BEGIN ourselves."""
    connection.isolation_level = None
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    # 32 MB of page cache instead of SQLite's 2 MB: the agenda's joins over a large book stay in memory.
    connection.execute("PRAGMA cache_size = -32000")


def _configure(engine: Engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        _prepare(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: object) -> None:
        # A writer takes the lock at BEGIN: a deferred transaction that upgrades to a write
        # can fail with "database is locked" without waiting on the busy timeout.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)  # type: ignore[attr-defined]
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")  # type: ignore[attr-defined]


class DamagedDatabase(Exception):
    """The file is not a SQLite database (or is corrupt)."""


class Database:
    """One SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    @cached_property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use (importing SQLAlchemy costs ~0.2 s)."""
        from sqlalchemy import create_engine

        engine = create_engine(f"sqlite:///{self.path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure(engine)
        return engine

    @cached_property
    def write_engine(self) -> Engine:
        """The same pool, with BEGIN IMMEDIATE."""
        return self.engine.execution_options(sqlite_immediate=True)

    @contextmanager
    def read(self) -> Iterator[StoreSession]:
        """A read-only ORM session (one snapshot)."""
        from crmtui.store.session import StoreSession

        with StoreSession(self.engine, expire_on_commit=False) as session:
            session.info["now"] = datetime.now(UTC)
            with session.begin():
                yield session

    @contextmanager
    def write(self, now: datetime | None = None) -> Iterator[StoreSession]:
        """An ORM write transaction: everything in it, outbox included, commits or rolls back together.

        Nested calls on one thread join the outer transaction (the demo loader writes in one).
        """
        from crmtui.store.session import StoreSession

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
            self._local.session = session
            try:
                with session.begin():
                    yield session
            finally:
                self._local.session = None

    def connect(self) -> sqlite3.Connection:
        """A new stdlib connection with the store's pragmas."""
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        _prepare(connection)
        return connection

    @contextmanager
    def raw_read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction on the stdlib path (one snapshot)."""
        connection = self.connect()
        try:
            connection.execute("BEGIN")
            yield connection
            connection.execute("COMMIT")
        finally:
            connection.close()

    @contextmanager
    def raw_write(self, now: datetime) -> Iterator[tuple[sqlite3.Connection, OutboxWriter]]:
        """A write transaction on the stdlib path, with its outbox writer; joins an open ORM write."""
        outer: StoreSession | None = getattr(self._local, "session", None)
        if outer is not None:
            outer.flush()
            outer.info["now"] = now
            connection = outer.connection().connection.driver_connection
            yield connection, outer.outbox()  # type: ignore[misc]
            outer.expire_all()  # rows changed under the ORM's feet: reload them on next access
            return
        connection = self.connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            writer = OutboxWriter(connection.execute, now)
            try:
                yield connection, writer
                writer.save_clock()
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    def data_version(self) -> int:
        """SQLite's counter of commits made by *other* connections (a cheap "did anything change?")."""
        watcher = getattr(self, "_watch_connection", None)
        if watcher is None:
            watcher = self._watch_connection = self.connect()
        return watcher.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        """Releases every connection."""
        watcher = getattr(self, "_watch_connection", None)
        if watcher is not None:
            watcher.close()
            self._watch_connection = None
        if "engine" in self.__dict__:
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
    dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def open_database(path: Path, backups: Path | None = None) -> Database:
    """Opens (creating if needed) and migrates the file; a copy is taken before any migration of existing data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > 0:
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as probe:
                probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DamagedDatabase(f"{path} is not a usable database ({exc})") from None
    revision = current_revision(path)
    database = Database(path)
    if revision != SCHEMA_HEAD:
        from crmtui.store.migrate import upgrade  # deferred: Alembic is needed only here

        if revision is not None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            copy_database(path, (backups or path.parent / "backups") / f"{path.stem}-{stamp}-before-{SCHEMA_HEAD}.db")
        upgrade(database.engine)
    return database


def inspect_file(path: Path) -> tuple[str, set[str], str | None]:
    """(integrity check result, table names, revision) of a file, opened read-only."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        connection.close()
    return integrity, tables, current_revision(path) if "alembic_version" in tables else None
