"""The stdlib sqlite3 path of the hot commands (`crm today`, `crm log`): values as SQLAlchemy stores them.

`crm today` and `crm log` must start fast; SQLModel's import alone costs ~0.4 s (docs/architecture.md),
so they read and write through sqlite3 with the same on-disk formats as the ORM.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def to_db(moment: datetime | None) -> str | None:
    """An aware datetime as SQLAlchemy's SQLite DATETIME text, in UTC: 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def from_db(text: str | None) -> datetime | None:
    """Stored DATETIME text back to an aware UTC datetime."""
    if text is None:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day_from_db(text: str | None) -> date | None:
    """Stored DATE text back to a date."""
    return date.fromisoformat(text) if text else None


def like_pattern(term: str) -> str:
    """A LIKE pattern that matches `term` literally anywhere (use with ESCAPE '\\')."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
