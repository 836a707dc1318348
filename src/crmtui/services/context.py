"""What every service needs: the database, the settings and the clock."""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from crmtui.core import normalize, paths
from crmtui.core.clock import Clock, local_zone
from crmtui.core.config import Settings, load_settings
from crmtui.core.errors import CrmError
from crmtui.store import db as store_db
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

    def close(self) -> None:
        """Releases the database."""
        self.db.close()


def open_context(db_path: Path | None = None, settings: Settings | None = None, clock: Clock | None = None) -> Context:
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
    ctx = Context(db=db, settings=settings, clock=clock)
    if settings.calendar_file:
        db.after_commit = lambda: _refresh_calendar(ctx)
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
