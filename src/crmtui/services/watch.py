"""Noticing writes made since the last look, by this process's other connections or by another process."""

from __future__ import annotations

from crmtui.services.context import Context


class ChangeWatcher:
    """Compares SQLite's data_version between calls."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.version = ctx.db.data_version()

    def changed(self) -> bool:
        """True once after each commit by another connection."""
        current = self.ctx.db.data_version()
        if current != self.version:
            self.version = current
            return True
        return False
