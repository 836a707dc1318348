"""What every service needs: the database, the settings and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmtui import normalize
from crmtui.clock import Clock, local_zone
from crmtui.config import Settings, load_settings
from crmtui.errors import CrmError
from crmtui.store.db import DamagedDatabase, Database, open_database


@dataclass
class Context:
    """Handed to every service function."""

    db: Database
    settings: Settings
    clock: Clock

    def close(self) -> None:
        """Releases the database."""
        self.db.close()


def open_context(db_path: Path | None = None, settings: Settings | None = None, clock: Clock | None = None) -> Context:
    """Opens (and migrates) the rep's database with their settings."""
    from crmtui import paths

    settings = settings or load_settings()
    # Phone keys are made deep in the store and its migrations too: the region is set once, here.
    normalize.set_phone_region(settings.phone_region)
    clock = clock or Clock(local_zone(settings.timezone))
    path = db_path or paths.database_path()
    try:
        db = open_database(path, paths.backups_dir() if db_path is None else None)
    except DamagedDatabase as exc:
        raise CrmError("{problem}; restore a backup with `crm restore FILE`, or move the file away", problem=exc) from None
    return Context(db=db, settings=settings, clock=clock)
