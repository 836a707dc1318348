"""Where crmtui keeps its data and config: platformdirs, or everything under CRMTUI_HOME."""

from __future__ import annotations

import os
from pathlib import Path

from crmtui.core.errors import CrmError

APP_NAME = "crmtui"


def home_override() -> Path | None:
    """The CRMTUI_HOME folder when set: tests and scripts put data and config there."""
    value = os.environ.get("CRMTUI_HOME")
    if not value:
        return None
    home = Path(value).expanduser()
    if home.exists() and not home.is_dir():
        # every path below it would fail with "Not a directory" deep inside some command
        raise CrmError("CRMTUI_HOME names a file, not a folder ({path}); point it at a folder, where crmtui keeps"
                       " config/ and data/", path=home)
    return home


def data_dir() -> Path:
    """Folder of the database and its backups."""
    home = home_override()
    if home is not None:
        return home / "data"
    # deferred: ~8 ms, skipped when CRMTUI_HOME names the folders (tests, the benchmarks, a portable install)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Folder of config.toml."""
    home = home_override()
    if home is not None:
        return home / "config"
    import platformdirs  # deferred: as in data_dir

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def database_path() -> Path:
    """The SQLite file; CRMTUI_DB names another file (used by bench scripts)."""
    value = os.environ.get("CRMTUI_DB")
    if value:
        path = Path(value).expanduser()
        if path.is_dir():
            raise CrmError("CRMTUI_DB names a folder ({path}); it must name the database file", path=path)
        return path
    return data_dir() / "crm.db"


def config_path() -> Path:
    """The TOML settings file."""
    return config_dir() / "config.toml"


def backups_dir() -> Path:
    """Where copies taken before a migration or a restore go."""
    return data_dir() / "backups"
