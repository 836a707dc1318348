"""Working days: the one rule every dated task shares (a revisit's day, a low score's call back, a ticket's
working hours). A day is a working day when its weekday (1 Monday to 7 Sunday) is one of the configured work days
([tickets] work_days, Monday to Friday by default) and it is not one of the given days off."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

WEEKDAYS: tuple[int, ...] = (1, 2, 3, 4, 5)
"""Monday to Friday (date.isoweekday()): the work days when none are configured."""

_LOOK_AHEAD = 366
"""A working day is looked for this many days ahead at most: a list of days off can never make it loop for ever."""


def is_working_day(day: date, work_days: Collection[int] = WEEKDAYS, days_off: Collection[date] = ()) -> bool:
    """Whether `day` is a working day: one of `work_days` (1 Monday to 7 Sunday) and not in `days_off`."""
    return day.isoweekday() in work_days and day not in days_off


def working_day(day: date, work_days: Collection[int] = WEEKDAYS, days_off: Collection[date] = ()) -> date:
    """The day itself when it is a working day, else the first working day after it (a Saturday's is the Monday
    after by default). With no work days at all (a config refuses that) the day itself."""
    for ahead in range(_LOOK_AHEAD):
        candidate = day + timedelta(days=ahead)
        if is_working_day(candidate, work_days, days_off):
            return candidate
    return day


def next_working_day(day: date, work_days: Collection[int] = WEEKDAYS, days_off: Collection[date] = ()) -> date:
    """The first working day after `day` (a Friday's is the Monday after by default)."""
    return working_day(day + timedelta(days=1), work_days, days_off)
