"""Backup and restore of the rep's database file."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from crmtui.core.errors import CrmError, InvalidInput
from crmtui.store.db import SCHEMA_HEAD, copy_database, inspect_file


def backup(db_path: Path, target: Path) -> Path:
    """A consistent copy of the live file (SQLite's online backup) while other processes write."""
    if target.is_dir():
        target = _unique(target, "crm")
    if target.exists():
        raise InvalidInput("path", "a file that does not exist yet (nothing is overwritten)", str(target))
    if not target.parent.is_dir():
        # a typo in the folder would otherwise leave the copy somewhere the rep never looks
        raise InvalidInput("path", "a new file in an existing folder (there is no folder {folder} for {name})",
                           str(target), folder=target.parent, name=target.name)
    if not db_path.exists():
        raise CrmError("there is no database at {path} yet", path=db_path)
    try:
        copy_database(db_path, target)
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInput("path", "a new file in a folder you can write to; {target} cannot be written ({reason})",
                           target=target, reason=reason) from None
    return target


def _unique(folder: Path, stem: str) -> Path:
    """A new file name in folder: a second copy in the same second never overwrites the first."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"{stem}-{stamp}.db"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = folder / f"{stem}-{stamp}-{counter}.db"
    return candidate


def check_backup(source: Path) -> str:
    """Checks that `source` is an intact crmtui database this version can read; returns its revision."""
    if not source.is_file():
        raise InvalidInput("path", "an existing backup file", str(source))
    try:
        result, tables, revision = inspect_file(source)
    except sqlite3.DatabaseError as exc:
        raise InvalidInput("path", "a crmtui database file ({error})", str(source), error=exc) from None
    if result != "ok":
        raise InvalidInput("path", "an intact database (integrity check: {result})", str(source), result=result)
    if not {"customer", "follow_up", "alembic_version"} <= tables:
        raise InvalidInput("path", "a crmtui database (its tables are missing)", str(source))
    if revision is None or revision > SCHEMA_HEAD:
        raise InvalidInput("path", "a database of schema {head} or older (it has {revision})", str(source),
                           head=SCHEMA_HEAD, revision=revision)
    return revision


def restore(db_path: Path, source: Path, backups_dir: Path) -> Path | None:
    """Replaces the live database with `source` after checking it; the current file is copied aside first."""
    check_backup(source)
    saved = None
    try:
        if db_path.exists():
            backups_dir.mkdir(parents=True, exist_ok=True)
            saved = _unique(backups_dir, "crm-before-restore")
            copy_database(db_path, saved)
        copy_database(source, db_path)
    except (OSError, sqlite3.Error) as exc:
        raise CrmError("restore failed, the current database is unchanged ({error})", error=exc) from None
    return saved
