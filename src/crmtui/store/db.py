"""Opens the SQLite file: WAL, foreign keys, a busy timeout, migrations on open, and transactions.

Two ways in, one file and one set of rules: ORM sessions (read/write) for most services, and the
stdlib sqlite3 path (raw_read/raw_write) for the commands that must start fast. SQLAlchemy is
imported only when an ORM session is first asked for: the imports marked `# deferred` below keep it (and the
ORM session module, ~0.7 s with SQLModel) off `crm log`, `crm today` and the app's first screen.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from crmtui.core.errors import NotAllowed
from crmtui.store import schema_head
from crmtui.store.outbox import OutboxWriter

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from crmtui.store.session import StoreSession

SCHEMA_HEAD = "0015"
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
    from sqlalchemy import event  # deferred

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
        self.after_commit: Callable[[], None] | None = None
        """Called after each outermost write transaction commits (services/context.py keeps a calendar fresh)."""

    @cached_property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use (importing SQLAlchemy costs ~0.2 s)."""
        from sqlalchemy import create_engine  # deferred

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
        from crmtui.store.session import StoreSession  # deferred

        with StoreSession(self.engine, expire_on_commit=False) as session:
            session.info["now"] = datetime.now(UTC)
            with session.begin():
                yield session

    @contextmanager
    def write(self, now: datetime | None = None) -> Iterator[StoreSession]:
        """An ORM write transaction: everything in it, outbox included, commits or rolls back together.

        Nested calls on one thread join the outer transaction (the demo loader writes in one).
        """
        from crmtui.store.session import StoreSession  # deferred

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
        if self.after_commit is not None:
            self.after_commit()

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
        """A write transaction on the stdlib path, with its outbox writer; joins an open ORM write.

        Joined, every row it changes must be recorded in the outbox (as every local change is): the ORM session
        then reloads exactly the recorded fields of the records it holds, when next used. Rows changed without a
        record (pulled rows, which are never written inside an ORM write) make it reload everything instead.
        """
        outer: StoreSession | None = getattr(self._local, "session", None)
        if outer is not None:
            outer.flush()
            outer.info["now"] = now
            connection = outer.connection().connection.driver_connection
            writer = outer.outbox()
            first, inserted, changes_before = len(writer.recorded), writer.inserted, connection.total_changes  # type: ignore[union-attr]
            yield connection, writer  # type: ignore[misc]
            recorded = writer.recorded[first:]
            if recorded or writer.inserted > inserted or connection.total_changes == changes_before:  # type: ignore[union-attr]
                outer.expire_recorded(recorded)
            else:
                outer.expire_all()
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
        if self.after_commit is not None:
            self.after_commit()

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


SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = (
    3, 8, 10, 11, 13, 14, 26)
"""SQLite's primary result codes (the low byte of an extended code) that say what is wrong with a file."""


def error_code(error: sqlite3.Error) -> int:
    """SQLite's primary result code of an error (0 when the driver did not give one)."""
    return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF


class NewerDatabase(Exception):
    """The file's schema revision is unknown here: a newer crmtui wrote it."""

    def __init__(self, path: Path, revision: str) -> None:
        self.path = path
        self.revision = revision
        super().__init__(f"{path} has schema {revision}")


class ReadOnlyNeedsUpgrade(Exception):
    """The file must be migrated to this crmtui's schema before use, but cannot be written."""

    def __init__(self, path: Path, revision: str) -> None:
        self.path = path
        self.revision = revision
        super().__init__(f"{path} has schema {revision} and is read-only")


class ReadOnlyDatabase(Database):
    """A file that can be read but not written where it lies (its folder is read-only, so SQLite cannot make the
    WAL index it needs even to read): opened as an unchanging file (SQLite's immutable mode). Every write fails
    with SQLite's read-only error, which the commands report as such."""

    def connect(self) -> sqlite3.Connection:
        connection = self._open()
        _prepare(connection)
        return connection

    def write(self, now: datetime | None = None):  # type: ignore[no-untyped-def, override]
        """Refused before anything starts: the app's forms show the reason instead of failing half-way."""
        raise read_only_refusal(self.path)

    def raw_write(self, now: datetime):  # type: ignore[no-untyped-def, override]
        raise read_only_refusal(self.path)

    def _open(self) -> sqlite3.Connection:
        return sqlite3.connect(_uri(self.path, immutable=True), uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)

    @cached_property
    def engine(self) -> Engine:
        from sqlalchemy import create_engine  # deferred

        # the file URL picks SQLAlchemy's pool for files; the connections themselves come from _open
        engine = create_engine(f"sqlite:///{self.path}", creator=self._open)
        _configure(engine)
        return engine


def read_only_refusal(path: Path) -> NotAllowed:
    """Why nothing can be saved in a file that is read-only, or lies in a read-only folder."""
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
        return NotAllowed("the folder {folder} is read-only: crmtui can show the database but not change it"
                          " (SQLite writes its journal next to the file); nothing was saved", folder=path.parent)
    return NotAllowed("{path} is read-only: crmtui can show it but not change it; nothing was saved", path=path)


def _uri(path: Path, immutable: bool = False) -> str:
    """A read-only SQLite URI of the file (any character of the name escaped)."""
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def _check_readable(path: Path) -> bool:
    """Checks that an existing file is a database; True when it can be read only as an unchanging file.

    A read-only folder without the WAL's side files refuses even a read-only connection; that is not damage, and
    saying so could lead a rep to move a good file away.
    """
    for immutable in (False, True):
        try:
            with closing(sqlite3.connect(_uri(path, immutable), uri=True)) as probe:
                probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return immutable
        except sqlite3.DatabaseError as exc:
            if error_code(exc) in (SQLITE_NOTADB, SQLITE_CORRUPT):
                raise DamagedDatabase(f"{path} is not a usable database ({exc})") from None
            if immutable or error_code(exc) not in (SQLITE_READONLY, SQLITE_CANTOPEN):
                raise
    return True


def current_revision(path: Path, immutable: bool = False) -> str | None:
    """The migration revision recorded in the file, or None for a new or foreign file."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    connection = sqlite3.connect(_uri(path, immutable), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy with SQLite's online backup, safe while other processes write."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        _copy(_uri(source), target)
    except sqlite3.OperationalError as exc:
        if error_code(exc) not in (SQLITE_READONLY, SQLITE_CANTOPEN):
            raise
        # a file in a read-only folder: copied as an unchanging file (nobody can write there either)
        _copy(_uri(source, immutable=True), target)


def _copy(source_uri: str, target: Path) -> None:
    src = sqlite3.connect(source_uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def open_database(path: Path, backups: Path | None = None) -> Database:
    """Opens (creating if needed) and migrates the file; a copy is taken before any migration of existing data.

    A new file gets the newest schema in one step (create_at_head), without running each migration.

    A file that can only be read opens for reading; one written by a newer crmtui is refused before anything
    is written (no migration can apply, and a backup copy on every attempt would only fill the disk).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    read_only = path.exists() and path.stat().st_size > 0 and _check_readable(path)
    revision = current_revision(path, immutable=read_only)
    if revision == SCHEMA_HEAD:
        return ReadOnlyDatabase(path) if read_only else Database(path)
    if revision is None and not read_only and _create_at_head(path):
        return Database(path)
    from crmtui.store.migrate import known_revisions, upgrade  # deferred: Alembic is needed only here

    if revision is not None and revision not in known_revisions():
        raise NewerDatabase(path, revision)
    if revision is not None and (read_only or not os.access(path, os.W_OK)):
        raise ReadOnlyNeedsUpgrade(path, revision)
    database = Database(path)
    if revision is not None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        copy_database(path, (backups or path.parent / "backups") / f"{path.stem}-{stamp}-before-{SCHEMA_HEAD}.db")
    upgrade(database.engine)
    return database


def _create_at_head(path: Path) -> bool:
    """Makes a new file's schema in one step, without Alembic (see create_at_head)."""
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        _prepare(connection)
        return create_at_head(connection)
    finally:
        connection.close()


def create_at_head(connection: sqlite3.Connection) -> bool:
    """Makes the newest schema in an empty file and stamps it, from the statements SQLite holds for a file brought
    there by every migration (store/schema_head.py, written by store/schema.py); True when the file is then at the
    head. False, with nothing written, when those statements are behind the migrations (a migration was added
    since) or the file holds something else: the migrations then run as for any older file.

    The file is looked at under the write lock: of two processes opening one new file, the first makes it and the
    second finds it made."""
    if schema_head.REVISION != SCHEMA_HEAD:
        return False
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            stamped = connection.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone() if stamped[0] else None
            connection.execute("ROLLBACK")
            return revision == (SCHEMA_HEAD,)
        for statement in schema_head.STATEMENTS:
            connection.execute(statement)
        connection.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (SCHEMA_HEAD,))
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return True


def inspect_file(path: Path) -> tuple[str, set[str], str | None]:
    """(integrity check result, table names, revision) of a file, opened read-only."""
    connection = sqlite3.connect(_uri(path), uri=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        connection.close()
    return integrity, tables, current_revision(path) if "alembic_version" in tables else None
