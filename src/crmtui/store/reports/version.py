"""Whether a book changed since a report was computed: SQLite's data version, read on a connection of its own.

`PRAGMA data_version` on a connection changes whenever another connection (of this process or any other: the
app's own writes, a sync, `crm` in another terminal) commits to the file; reading it costs a few microseconds. The
connection that reads it never writes, so every commit to the book is another connection's. The file's identity
(device and inode) is part of the version: a book replaced by another file (a backup restored) is a change too,
and the connection is then opened again on the new file.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
import weakref

from crmtui.store.db import Database


class _Watch:
    """One book's connection that reads the version, and the file it was opened on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connection: sqlite3.Connection | None = None
        self.file: tuple[int, int] | None = None
        self.opened = 0
        """Which opening of a connection this is, unique in the process: a new connection's version starts again,
        so it is never taken for an older connection's."""


_WATCHES: weakref.WeakKeyDictionary[object, _Watch] = weakref.WeakKeyDictionary()
_WATCHES_LOCK = threading.Lock()
_OPENINGS = itertools.count(1)


def data_version(db: Database) -> tuple[int, int, int, int] | None:
    """A value that differs from the one read before whenever the book was written in between (by anyone) or its
    file replaced; None when it cannot be read (no file): then nothing may be taken as unchanged."""
    with _WATCHES_LOCK:
        watch = _WATCHES.get(db)
        if watch is None:
            watch = _WATCHES[db] = _Watch()
    try:
        found = os.stat(db.path)
    except OSError:
        return None
    file = (found.st_dev, found.st_ino)
    with watch.lock:
        try:
            if watch.connection is None or watch.file != file:
                if watch.connection is not None:
                    watch.connection.close()
                watch.connection, watch.file = db.connect(), file
                watch.opened = next(_OPENINGS)
            version = watch.connection.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            watch.connection = watch.file = None
            return None
    return (*file, watch.opened, version)
