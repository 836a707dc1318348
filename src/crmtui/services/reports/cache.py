"""Reports kept while the book does not change: the same report asked again (the Reports screen opened again, a
tab or a rep picked back, the period picked back) is given back instead of computed again.

A report is kept under what it depends on: the report and its arguments (period, rep), the day (its weeks, its
"today"), the rep's zone and language (its words), its settings, and the book's data version
(store/reports/version.py: any write by anyone, or the file replaced, is a new version). Only reports that read
nothing of the moment but its day are kept (activity): one that counts up to "now" would need the moment too.
A drill opened later reads the book as it is then, kept or not.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from crmtui.core import i18n
from crmtui.services.context import Context
from crmtui.store.reports.version import data_version

KEPT = 8
"""Reports kept (the latest asked for): a year's activity report holds a few thousand rows and drills."""

T = TypeVar("T")

_kept: OrderedDict[tuple[object, ...], object] = OrderedDict()
_lock = threading.Lock()


def kept(ctx: Context, key: tuple[Hashable, ...], make: Callable[[], T]) -> T:
    """The report `make` computes for `key` (the report's name and arguments, and the settings it reads), given
    back from the last time when nothing it depends on changed since."""
    version = data_version(ctx.db)
    if version is None:
        return make()
    full = (id(ctx.db), version, ctx.clock.today(), str(ctx.clock.zone), i18n.language, *key)
    with _lock:
        found = _kept.get(full)
        if found is not None:
            _kept.move_to_end(full)
            return found  # type: ignore[return-value]
    made = make()
    with _lock:
        _kept[full] = made
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return made


def forget() -> None:
    """Drops every kept report (the bench times a report computed, not given back)."""
    with _lock:
        _kept.clear()
