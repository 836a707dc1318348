"""Runs the Alembic migrations of the local store."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from crmtui.store.history import refresh_triggers

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """A Config pointing at the migrations shipped in the package (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest revision according to the migration scripts."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def known_revisions() -> set[str]:
    """Every revision this crmtui has a migration for (an unknown one was written by a newer crmtui)."""
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Brings the file to `revision` in one transaction per migration."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        # a migration after the history's may add a column: the history triggers are made again to log it too
        refresh_triggers(lambda *args: connection.exec_driver_sql(*args))
