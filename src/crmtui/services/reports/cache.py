"""Reports kept while the book does not change: the same report asked again (the Reports screen opened again, a
tab or a rep picked back, the period picked back) is given back instead of computed again.

A report is kept under what it depends on: the report and its arguments (period, rep), the day (its weeks, its
"today"), the rep's zone and language (its words), every setting (their text), and the book's data version
(store/reports/version.py: any write by anyone, or the file replaced, is a new version). A report that counts up to
"now" (customer value) says which records it reads by their time, and is given back at a later moment only when
none of them lies between the two moments.
A drill opened later reads the book as it is then, kept or not.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from crmtui.core import i18n
from crmtui.services.context import Context
from crmtui.store.reports.version import data_version

KEPT = 8
"""Reports kept (the latest asked for): a year's activity report holds a few thousand rows and drills."""

T = TypeVar("T")

_kept: OrderedDict[tuple[object, ...], tuple[datetime | None, object]] = OrderedDict()
_lock = threading.Lock()


def kept(ctx: Context, key: tuple[Hashable, ...], make: Callable[[], T], *, moment: datetime | None = None,
         unchanged: Callable[[datetime, datetime], bool] | None = None) -> T:
    """The report `make` computes for `key` (the report's name and arguments), given back from the last time when
    nothing it depends on changed since.

    A report counted up to a `moment` (now, for a period that ends later) is given back for a later moment only
    when `unchanged(then, now)` says no record it reads is stamped between the two (nothing was written since,
    so only a record stamped ahead of the clock could be)."""
    version = data_version(ctx.db)
    if version is None:
        return make()
    full = (id(ctx.db), version, ctx.clock.today(), str(ctx.clock.zone), i18n.language, repr(ctx.settings), *key)
    with _lock:
        found = _kept.get(full)
        if found is not None:
            _kept.move_to_end(full)
    if found is not None:
        then, report = found
        if then == moment or (then is not None and moment is not None and unchanged is not None
                              and unchanged(min(then, moment), max(then, moment))):
            return report  # type: ignore[return-value]
    made = make()
    with _lock:
        _kept[full] = (moment, made)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return made


def forget() -> None:
    """Drops every kept report (the bench times a report computed, not given back)."""
    with _lock:
        _kept.clear()
