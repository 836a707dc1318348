"""Periods of the reports: this week, this month, 2017Q2, 2017-04, FROM..TO, in English and Chinese."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from crmtui.core.errors import InvalidInput
from crmtui.core.i18n import N_, _

PeriodKind = Literal["week", "month", "quarter", "year", "days"]
"""What kind of span a period is, so that `previous()` steps back by the same kind."""

DEFAULT_PERIOD = "this month"
"""The period a report covers when none is asked for."""

PRESETS = ("this week", "last week", "this month", "last month", "this quarter", "last quarter", "this year",
           "last 30 days", "last 90 days")
"""The period words a picker offers, in this order (each one parse_period reads)."""

EXPECTED = N_("this week, last week, this month, last month, this quarter, last quarter, this year, last year, "
              "last 30 days, last 90 days, a quarter such as 2017Q2, a month such as 2017-04, a year such as 2017, "
              "or FROM..TO such as 2017-04-01..2017-06-30")
"""What the period field accepts, as its error says it."""

MAX_LENGTH = 100
FIRST_YEAR, LAST_YEAR = 1900, 2999
"""The years a period may name: enough for any book's history, and far from the calendar's own ends."""


@dataclass(frozen=True)
class Period:
    """A half-open span of time [start, end) in the rep's time zone (aware datetimes), with the words that name it."""

    start: datetime
    end: datetime
    label: str
    """How the reports name it: what the rep chose, in a canonical form ("2017Q2", "2026-11", "2026-11-01..2026-11-30")."""
    kind: PeriodKind = "days"
    words: str = field(default="", compare=False)
    """The words the rep chose when they name a moving span ("this week", "last 90 days"; in English, the
    heading translates them), else empty."""

    def contains(self, moment: datetime) -> bool:
        """Whether an aware moment falls in the period."""
        return self.start <= moment < self.end

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        """The period's last day (its end is the midnight after it)."""
        return self.end.date() - timedelta(days=1)

    def previous(self) -> Period:
        """The span of the same kind just before: the month before a month, the quarter before a quarter, the
        year before a year, the week before a week, and N days just before N days."""
        zone = self.start.tzinfo
        assert zone is not None
        first = self.first_day
        if self.kind == "month":
            return month_period(_add_months(first, -1), zone)
        if self.kind == "quarter":
            return quarter_period(_add_months(first, -3), zone)
        if self.kind == "year":
            return year_period(first.year - 1, zone)
        days = (self.end.date() - first).days
        return span(first - timedelta(days=days), first - timedelta(days=1), zone,
                    "week" if self.kind == "week" else "days")


WORDS = {"this week": N_("this week"), "last week": N_("last week"), "this month": N_("this month"),
         "last month": N_("last month"), "this quarter": N_("this quarter"), "last quarter": N_("last quarter"),
         "this year": N_("this year"), "last year": N_("last year"), "last 30 days": N_("last 30 days"),
         "last 90 days": N_("last 90 days")}
"""The period words as a rep reads them in their language."""


def heading(period: Period) -> str:
    """The period as a report's title names it: a week or N days by the words chosen then the days ("last 90 days
    (2026-08-27 .. 2026-11-24)"), a month, quarter or year by its label then the days ("2026-11 (2026-11-01 ..
    2026-11-30)", this month too), a range of days (or one day) typed as such once."""
    days = (period.first_day.isoformat() if period.first_day == period.last_day else
            f"{period.first_day.isoformat()} .. {period.last_day.isoformat()}")
    if ".." not in period.label:  # a month, a quarter, a year: its label names it ("2026-11", "2026Q3")
        named = period.label
    elif period.words in WORDS:
        named = _(WORDS[period.words])
    elif period.words.startswith("last "):
        named = _("last {days} days").format(days=period.words.split()[1])
    else:
        named = period.label
    if named == f"{period.first_day.isoformat()}..{period.last_day.isoformat()}":
        return days
    return f"{named} ({days})"


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` away from `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def span(first: date, last: date, zone: tzinfo, kind: PeriodKind = "days") -> Period:
    """The days from `first` to `last`, both included."""
    return Period(_midnight(first, zone), _midnight(last + timedelta(days=1), zone),
                  f"{first.isoformat()}..{last.isoformat()}", kind)


def month_period(first: date, zone: tzinfo) -> Period:
    first = first.replace(day=1)
    return Period(_midnight(first, zone), _midnight(_add_months(first, 1), zone), f"{first:%Y-%m}", "month")


def quarter_period(day: date, zone: tzinfo) -> Period:
    quarter = (day.month - 1) // 3
    first = date(day.year, quarter * 3 + 1, 1)
    return Period(_midnight(first, zone), _midnight(_add_months(first, 3), zone), f"{day.year}Q{quarter + 1}",
                  "quarter")


def year_period(year: int, zone: tzinfo) -> Period:
    return Period(_midnight(date(year, 1, 1), zone), _midnight(date(year + 1, 1, 1), zone), str(year), "year")


def week_period(monday: date, zone: tzinfo) -> Period:
    return span(monday, monday + timedelta(days=6), zone, "week")


def last_days(days: int, today: date, zone: tzinfo) -> Period:
    """The last `days` days, today included."""
    return span(today - timedelta(days=days - 1), today, zone)


def _fold(text: str) -> str:
    """Full width to half width, case and runs of spaces folded ("ＬＡＳＴ  Month" -> "last month")."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).strip().casefold())


_WORDS: dict[str, Callable[[date, tzinfo], Period]] = {}
_WORD_KEYS: dict[str, str] = {}
"""Each period word (English or Chinese) to its English name in WORDS."""
for _names, _make in (
    (("this week", "本周", "这周", "这个星期", "本星期"),
     lambda t, z: week_period(t - timedelta(days=t.weekday()), z)),
    (("last week", "上周", "上个星期", "上星期"),
     lambda t, z: week_period(t - timedelta(days=t.weekday() + 7), z)),
    (("this month", "本月", "这个月"), lambda t, z: month_period(t, z)),
    (("last month", "上月", "上个月"), lambda t, z: month_period(_add_months(t, -1), z)),
    (("this quarter", "本季度", "这个季度", "本季"), lambda t, z: quarter_period(t, z)),
    (("last quarter", "上季度", "上个季度", "上季"), lambda t, z: quarter_period(_add_months(t, -3), z)),
    (("this year", "今年", "本年"), lambda t, z: year_period(t.year, z)),
    (("last year", "去年", "上一年"), lambda t, z: year_period(t.year - 1, z)),
):
    for _name in _names:
        _WORDS[_name] = _make
        _WORD_KEYS[_name] = _names[0]

_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_LAST_DAYS = re.compile(r"(?:(?:last|past) (\d{1,4}) days?|(?:最近|近|过去)(\d{1,4})天)")
_QUARTER = re.compile(r"(\d{4}) ?q([1-4])|(\d{4})年? ?第?([1-4一二三四])季度?")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})|(\d{4})年(\d{1,2})月份?")
_YEAR = re.compile(r"(\d{4})年?")


def _whole(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    return pattern.fullmatch(text)


def _named(text: str, today: date, zone: tzinfo) -> Period | None:
    """A period written as a word or a canonical label, else None."""
    make = _WORDS.get(text)
    if make is not None:
        return replace(make(today, zone), words=_WORD_KEYS[text])
    if m := _whole(_LAST_DAYS, text):
        days = int(m.group(1) or m.group(2))
        return replace(last_days(days, today, zone), words=f"last {days} days") if days >= 1 else None
    if m := _whole(_QUARTER, text):
        year = int(m.group(1) or m.group(3))
        quarter = _ZH_DIGITS[m.group(2) or m.group(4)]
        return quarter_period(date(year, quarter * 3 - 2, 1), zone) if FIRST_YEAR <= year <= LAST_YEAR else None
    if m := _whole(_MONTH, text):
        year, month = int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))
        return month_period(date(year, month, 1), zone) if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12 else None
    if m := _whole(_YEAR, text):
        year = int(m.group(1))
        return year_period(year, zone) if FIRST_YEAR <= year <= LAST_YEAR else None
    return None


def _side(text: str, today: date, zone: tzinfo) -> Period | None:
    """One side of FROM..TO: a period word or label (its first or last day is taken), or one day the app's date
    parser reads (a day without its year is the most recent one)."""
    named = _named(text, today, zone)
    if named is not None:
        return named
    from crmtui.core.dates import DateParseError, parse_day  # deferred: the date grammar, for typed days only

    try:
        day = parse_day(text, datetime.combine(today, time(12), zone), past=True)
    except DateParseError:
        return None
    return span(day, day, zone) if FIRST_YEAR <= day.year <= LAST_YEAR else None


def parse_period(text: str | None, today: date, zone: tzinfo) -> Period:
    """The period a rep typed (see PRESETS and EXPECTED; empty: DEFAULT_PERIOD), in their zone, on `today`.

    FROM..TO includes both days; each side is any day the app reads ("2017-04-01", "3月1日", "today") or a
    period word whose first (FROM) or last (TO) day it takes ("2017-04..2017-06")."""
    folded = _fold(text or DEFAULT_PERIOD)
    if len(folded) > MAX_LENGTH:
        raise InvalidInput("period", EXPECTED, folded[:30] + "…")
    found = _named(folded, today, zone)
    if found is not None:
        return found
    parts = re.split(r" ?(?:\.\.|…|~|～|至) ?", folded)
    if len(parts) == 2 and all(parts):
        first, last = (_side(part, today, zone) for part in parts)
        if first is not None and last is not None:
            if first.start >= last.end:
                raise InvalidInput("period", "a FROM day on or before the TO day", text)
            return span(first.first_day, last.last_day, zone)
    elif len(parts) == 1:
        day = _side(folded, today, zone)
        if day is not None:
            return day
    for year, month, number in re.findall(r"(\d{4})-(\d{1,2})-(\d{1,2})", folded):
        try:
            date(int(year), int(month), int(number))
        except ValueError:  # 2017-02-29: the rep meant a day, one the calendar does not have
            raise InvalidInput("period", "a day the calendar has: {day} is not one", text,
                               day=f"{year}-{month}-{number}") from None
    raise InvalidInput("period", EXPECTED, text)
