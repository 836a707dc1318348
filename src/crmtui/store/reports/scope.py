"""Whose figures a report counts: the reps a deal can belong to."""

from __future__ import annotations

import sqlite3


def imported_owners(connection: sqlite3.Connection) -> list[str]:
    """The reps named as owners by imported deals (another CRM's sales agents), sorted."""
    rows = connection.execute(
        "SELECT DISTINCT owner_name FROM deal WHERE owner_name IS NOT NULL AND owner_name != '' AND deleted_at IS NULL"
        " ORDER BY owner_name").fetchall()
    return [row[0] for row in rows]
