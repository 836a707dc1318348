"""Working days: the one rule every dated task shares (a revisit's day, a low score's call back, a ticket's
working hours).

A day is a working day when
- it is a make-up working day (调休: a weekend day the government of the configured country makes a working day,
  such as Sat 14 Feb 2026 in China), or
- its weekday (1 Monday to 7 Sunday) is one of the configured work days ([tickets] work_days, Monday to Friday by
  default) and it is neither a public holiday of the configured country ([workdays] country: the phone_region's
  by default, CN) nor one of the days off a caller gives.

The public holidays and make-up days come from the `holidays` library (its PUBLIC category: 春节, 国庆...; the
days the government announces, and for years not announced yet the library's own estimate). It is imported only
when a working day is asked for with a country (about 0.13 s once a process): `crm today`, `crm remind` and the
app's start never are.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crmtui.core.config import Settings

WEEKDAYS: tuple[int, ...] = (1, 2, 3, 4, 5)
"""Monday to Friday (date.isoweekday()): the work days when none are configured."""

AUTO = "auto"
"""[workdays] country = "auto": the country of phone_region (CN by default)."""
NONE = "none"
"""[workdays] country = "none": no public holidays, the work days alone."""

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


# A country's public holidays ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicDays:
    """A country's year: its public holidays (day -> name, in the language asked for) and its make-up working
    days (调休)."""

    holidays: dict[date, str]
    make_up: frozenset[date]


def _library_language(country_class: type, language: str) -> str | None:
    """The holidays library's language for the rep's ("zh" or "en"), when that country's names have it."""
    supported = getattr(country_class, "supported_languages", ()) or ()
    wanted = ("zh_CN", "zh_TW") if language == "zh" else ("en_US", "en_GB")
    return next((name for name in wanted if name in supported), None)


@lru_cache(maxsize=64)
def public_days(country: str, year: int, language: str = "en") -> PublicDays:
    """The public holidays and make-up working days of `country` (ISO 3166 code) in `year`. A country the library
    does not know is refused naming the setting."""
    import holidays  # deferred: ~0.13 s, only when a working day is asked for with a country

    from crmtui.core.errors import InvalidInput  # deferred: only here

    if country not in holidays.list_supported_countries():
        raise InvalidInput("config workdays.country", 'a country the holidays library knows, such as "CN", "HK" or'
                           ' "SG", or "none"', country)
    country_class = type(holidays.country_holidays(country, years=()))
    found = holidays.country_holidays(country, years=year, language=_library_language(country_class, language))
    return PublicDays({day: str(name) for day, name in found.items() if day.year == year},
                      frozenset(day for day in getattr(found, "weekend_workdays", ()) if day.year == year))


def country_of(settings: Settings) -> str:
    """The country whose public holidays are days off: [workdays] country, "auto" being phone_region's; "" for
    none."""
    chosen = settings.workdays.country
    if chosen == NONE:
        return ""
    return settings.phone_region if chosen == AUTO else chosen


@dataclass(frozen=True)
class Calendar:
    """The working days of one config: `work_days` (1 Monday to 7 Sunday) less `country`'s public holidays
    (none when ""), plus its make-up working days, less any `days_off`."""

    work_days: tuple[int, ...] = WEEKDAYS
    country: str = ""
    days_off: frozenset[date] = frozenset()

    def _public(self, day: date) -> PublicDays | None:
        return public_days(self.country, day.year) if self.country else None

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day (see the module's docstring)."""
        if day in self.days_off:
            return False
        public = self._public(day)
        if public is not None and day in public.make_up:
            return True
        if public is not None and day in public.holidays:
            return False
        return day.isoweekday() in self.work_days

    def working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the first working day after it."""
        for ahead in range(_LOOK_AHEAD):
            candidate = day + timedelta(days=ahead)
            if self.is_working_day(candidate):
                return candidate
        return day

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        return self.working_day(day + timedelta(days=1))

    def holiday(self, day: date, language: str = "en") -> str | None:
        """The name of the public holiday `day` is (in `language`, "en" or "zh", where the library has it), or
        None: a working day, a weekend, a weekday not worked, a make-up working day."""
        if not self.country or day in self.days_off:
            return None
        public = public_days(self.country, day.year, language)
        if day in public.make_up or day not in public.holidays:
            return None
        return public.holidays[day]


def calendar_for(settings: Settings, days_off: Collection[date] = ()) -> Calendar:
    """The working days of these settings: [tickets] work_days and the [workdays] country's holidays."""
    return Calendar(settings.tickets.work_days, country_of(settings), frozenset(days_off))
