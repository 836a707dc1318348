"""What every service needs: the database, the settings and the clock."""

from __future__ import annotations

import errno
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crmtui.core import normalize, paths
from crmtui.core.clock import Clock, local_zone
from crmtui.core.config import Settings, load_settings
from crmtui.core.errors import CrmError
from crmtui.store import db as store_db
from crmtui.store import history as store_history
from crmtui.store.db import DamagedDatabase, Database, NewerDatabase, ReadOnlyNeedsUpgrade, open_database


@dataclass
class Context:
    """Handed to every service function."""

    db: Database
    settings: Settings
    clock: Clock
    warnings: list[str] = field(default_factory=list)
    """What went wrong beside a write that stood (a calendar file not refreshed): the front end shows and clears
    them."""
    background: list[Callable[[], None]] = field(default_factory=list)
    """Waits for the work writes started in the background (the calendar refresh); see settle()."""
    source: str = "app"
    """The front end that opened the book ("app" or "cli"): where its changes come from in the history."""

    def settle(self) -> None:
        """Waits until the work writes started in the background is done (its warnings are then in `warnings`)."""
        for wait in self.background:
            wait()

    def close(self) -> None:
        """Waits for the background work, then releases the database."""
        self.settle()
        self.db.close()


class BackgroundJob:
    """A job run in a thread of its own each time it is asked for, never twice at once: asked while it runs, it runs
    once more when done (however many times it was asked meanwhile), so the last request always sees the last
    write. Used to refresh the calendar file after writes without making the rep wait for it."""

    def __init__(self, job: Callable[[], None]) -> None:
        self._job = job
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    def request(self) -> None:
        """Runs the job now in the background, or once more after the run in progress."""
        with self._lock:
            if self._thread is not None:
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="crmtui-background", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                self._job()
            except BaseException:
                with self._lock:  # a job that fails ends the thread: wait() must not wait for it any more
                    self._thread, self._again = None, False
                raise
            with self._lock:
                again, self._again = self._again, False
                if not again:
                    self._thread = None
            if not again:
                return

    def wait(self) -> None:
        """Returns when no run is in progress or asked for."""
        while (thread := self._thread) is not None:
            thread.join()


def open_context(db_path: Path | None = None, settings: Settings | None = None, clock: Clock | None = None,
                 source: str = "app") -> Context:
    """Opens (and migrates) the rep's database with their settings."""
    settings = settings or load_settings()
    # Phone keys are made deep in the store and its migrations too: the region is set once, here.
    normalize.set_phone_region(settings.phone_region)
    clock = clock or Clock(local_zone(settings.timezone))
    path = db_path or paths.database_path()
    try:
        db = open_database(path, paths.backups_dir() if db_path is None else None)
    except DamagedDatabase as exc:
        raise CrmError("{problem}; restore a backup with `crm restore FILE`, or move the file away", problem=exc) from None
    except NewerDatabase as exc:
        raise CrmError("{path} was written by a newer crmtui (schema {revision}); upgrade crmtui", path=exc.path,
                       revision=exc.revision) from None
    except ReadOnlyNeedsUpgrade as exc:
        raise CrmError("{path} must be brought to this crmtui's schema once (it has {revision}) but is read-only;"
                       " make it and its folder writable for one run", path=exc.path, revision=exc.revision) from None
    ctx = Context(db=db, settings=settings, clock=clock, source=source)
    # changes made outside any action of a service are this front end's, by this rep
    store_history.set_fallback(source, settings.sync.user or None if settings.sync.configured else None)
    if settings.calendar_file:
        refresh = BackgroundJob(lambda: _refresh_calendar(ctx))
        db.after_commit = refresh.request
        ctx.background.append(refresh.wait)
    return ctx


def _refresh_calendar(ctx: Context) -> None:
    """Rewrites the subscribed calendar file after a write (see services/exporting/calendar.py)."""
    # deferred: the exporters and icalendar (~0.2 s) load only for a rep who set calendar_file, after a write
    from crmtui.services.exporting.calendar import refresh_calendar

    refresh_calendar(ctx)


def storage_error(error: BaseException, path: Path) -> CrmError | None:
    """What a failed read or write of the database file means for the rep, or None when SQLite's words will do.

    A read-only file or folder and a full disk are said as such: the file is fine, and advice meant for a
    damaged one (restore a backup, move the file away) would mislead.
    """
    code = store_db.error_code(error) if isinstance(error, sqlite3.Error) else 0
    number = error.errno if isinstance(error, OSError) else None
    if code == store_db.SQLITE_READONLY or number == errno.EROFS:
        return store_db.read_only_refusal(path)
    if code == store_db.SQLITE_FULL or number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return CrmError("the disk holding {path} is full; nothing was saved: free some space and try again", path=path)
    if code == store_db.SQLITE_IOERR:
        return CrmError("the disk holding {path} failed to read or write ({error}): it may be full or failing;"
                        " nothing was saved", path=path, error=error)
    if code in (store_db.SQLITE_CANTOPEN, store_db.SQLITE_PERM):
        return CrmError("{path} cannot be opened ({error}): check that you may read and write it and its folder",
                        path=path, error=error)
    return None
