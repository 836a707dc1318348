"""Natural dates and times in English and Chinese ("fri 3pm", "下周五", "明天下午3点").

The rules a rep can predict are written in docs/dates.md. The text is folded (text.py:
full width, case, spaces, traditional characters, Cantonese day words, number words) and then
read whole by the own grammar (native.py: days.py for the day, clock.py for the time). Only
English that grammar does not know goes to dateparser (fallback.py), whose answer is kept
only when it carries every word the text wrote; dateparser is imported only then (~0.2 s).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time

from crmtui.core.dates import native
from crmtui.core.dates.days import Context
from crmtui.core.dates.fallback import parse_with_dateparser as _parse_with_dateparser
from crmtui.core.dates.text import has_cjk as _has_cjk
from crmtui.core.dates.text import normalize as _normalize

__all__ = [
    "DateInPastError",
    "DateNoSuchDayError",
    "DateParseError",
    "DateTimePassedError",
    "DateWeekdayError",
    "ParsedDate",
    "format_when",
    "parse_day",
    "parse_next_date",
    "parse_when",
    "weekday_name",
]

MAX_INPUT_LENGTH = 100
_EXAMPLES = '"明天下午3点", "fri 3pm", "2026-12-01"'
_DAY_EXAMPLES = '"2026-11-20", "下周一", "3月12日"'
_PAST_DAY_EXAMPLES = '"2026-11-20", "昨天", "3月12日"'
"""A day that has happened (paid, signed): its examples look back."""

# --------------------------------------------------------------------------- API


class DateParseError(ValueError):
    """Raised with .text (the input) and a message that quotes the input."""

    TEMPLATE = "could not understand the date {quoted} (try e.g. {examples})"
    """The message as a translatable template (crmtui.core.labels.DateProblem shows it translated)."""
    AM_OR_PM = "the time {quoted} could be {morning} or {afternoon}: add am or pm (上午 or 下午)"

    def __init__(self, text: str, message: str | None = None, template: str | None = None, **values: object) -> None:
        self.text = text
        self.template = template or (self.TEMPLATE if message is None else message)
        self.template_values: dict[str, object] = values or (
            {"quoted": _quote(text), "examples": _EXAMPLES} if message is None else {})
        super().__init__(self.template.format(**self.template_values) if self.template_values else self.template)


class DateInPastError(DateParseError):
    """A next follow-up date that is not in the future; .parsed is what the text was read as."""

    def __init__(self, text: str, parsed: ParsedDate, today: date) -> None:
        self.parsed = parsed
        self.today = today
        super().__init__(text, template="the date {quoted} is in the past (read as {read})", quoted=_quote(text),
                         # a day-only text for today failed on its hour: show the hour
                         read=format_when(parsed.when, parsed.has_time or parsed.when.date() >= today, today=today))


class DateTimePassedError(DateInPastError):
    """A time written without its day that the clock passed more than an hour ago ("9am" typed at 17:00):
    today's or tomorrow's? The rep writes the day; the message shows today's reading and an example."""

    def __init__(self, text: str, parsed: ParsedDate, today: date) -> None:
        super().__init__(text, parsed, today)
        self.template = "the time {quoted} has passed today (read as {read}): write the day too, e.g. {example}"
        stripped = " ".join(text.split())
        self.template_values["example"] = _quote(f"明天{stripped}" if _has_cjk(stripped) else f"tomorrow {stripped}")
        self.args = (self.template.format(**self.template_values),)


class DateNoSuchDayError(DateParseError):
    """A day of month the month it falls in lacks (30号 typed on 31 January would be 30 February).

    .month and .day are what it would be; the example names the nearest month that has that day."""

    def __init__(self, text: str, month: int, day: int, past: bool = False) -> None:
        self.month = month
        self.day = day
        step = -1 if past else 1
        other = (month - 1 + step) % 12 + 1
        while day > _MONTH_DAYS[other - 1]:
            other = (other - 1 + step) % 12 + 1
        stripped = " ".join(text.split())
        example = f"{other}月{day}号" if _has_cjk(stripped) else f"{_EN_MONTH_NAMES[other - 1]} {day}"
        super().__init__(text, template="the date {quoted} would be {read}, a day that does not exist: "
                                        "write the month too, e.g. {example}",
                         quoted=_quote(text), read=self.read("en"), example=_quote(example))

    def read(self, lang: str) -> str:
        """The day it would be, "30 Feb" / "2月30日"."""
        if lang.lower().startswith("zh"):
            return f"{self.month}月{self.day}日"
        return f"{self.day} {_EN_MONTH_NAMES[self.month - 1]}"


class DateWeekdayError(DateParseError):
    """A date written with a weekday it does not fall on ("Thu 15th" when the 15th is a Friday).

    .day is the date read, .weekday the weekday written (0 = Monday); the message names both.
    """

    def __init__(self, text: str, day: date, weekday: int, today: date) -> None:
        self.day = day
        self.weekday = weekday
        self.today = today
        super().__init__(text, template="the date {quoted} names a {weekday}, but {read} is not one",
                         quoted=_quote(text), weekday=weekday_name(weekday),
                         read=format_when(day, False, today=today))


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date: `when` is aware (tz of `now`); has_time False means a day only."""

    when: datetime
    has_time: bool


def parse_when(text: str, now: datetime, default_time: time = time(9, 0)) -> ParsedDate:
    """Parse any date/time expression relative to the aware local `now`.

    A text naming only a day gives has_time False and that day at `default_time`.
    No past/future check here. Raises DateParseError when the text is not understood.
    """
    return _read(text, now, default_time)[0]


def _read(text: str, now: datetime, default_time: time, past: bool = False) -> tuple[ParsedDate, bool]:
    """parse_when's reading, and whether it came from a period of several days ("next week"); `past`: a day
    without its year is the most recent one (parse_day)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    stripped = text.strip()
    if len(stripped) > MAX_INPUT_LENGTH:
        # Refuse before any regex or dateparser work: a date never needs this much text.
        shown = _quote(stripped[:30] + "…")
        raise DateParseError(
            text, template="the date text is too long ({count} characters, at most {max}): {shown}",
            count=len(stripped), max=MAX_INPUT_LENGTH, shown=shown,
        )
    folded = _normalize(text)
    # Control characters (a pasted ANSI escape) are never part of a date.
    if not folded or any(unicodedata.category(c) in ("Cc", "Cf") for c in folded):
        raise DateParseError(text)
    try:
        reading = native.parse(folded, Context(now, default_time, past))
    except native.Refused as refusal:
        if refusal.day is not None and refusal.day.named_weekday is not None:
            raise DateWeekdayError(text, refusal.day.day, refusal.day.named_weekday, now.date()) from None
        if refusal.passed is not None:
            raise DateTimePassedError(text, ParsedDate(refusal.passed.when, True), now.date()) from None
        if refusal.missing is not None:
            first, day = refusal.missing
            raise DateNoSuchDayError(text, first.month, day, past) from None
        if refusal.hours is not None:
            morning, afternoon = (f"{m // 60:02d}:{m % 60:02d}" for m in refusal.hours)
            raise DateParseError(text, template=DateParseError.AM_OR_PM, quoted=_quote(text),
                                 morning=morning, afternoon=afternoon) from None
        raise DateParseError(text) from None
    except (ValueError, OverflowError):  # a reading past year 9999 or before year 1
        raise DateParseError(text) from None
    if reading is not None:
        return ParsedDate(reading.when, reading.has_time), reading.span
    # dateparser misreads Chinese (12月1日 becomes the year 2112 without `languages`)
    # and guesses at scraps ("8" is next August, "a" next January, "31m" 31 minutes):
    # only text with a real English word goes to it, and its answer is checked.
    if _has_cjk(folded) or not re.search(r"[a-z]{3}", folded):
        raise DateParseError(text)
    guessed = _parse_with_dateparser(folded, now, default_time)
    if guessed is None:
        raise DateParseError(text)
    return ParsedDate(*guessed), False


def parse_next_date(text: str, now: datetime, default_time: time = time(9, 0)) -> ParsedDate:
    """Parse a *next follow-up date*; raise DateInPastError unless it is after `now`.

    No exception for day-only texts: "today" (or 月底 on the last day of the month) means
    today at default_time, and once that hour has passed it is refused like any past
    moment. A next date the rep cannot meet any more would put the customer straight into
    "overdue"; the message shows what the text was read as, so the rep adds a time.
    """
    parsed = parse_when(text, now, default_time)
    if parsed.when <= now:
        raise DateInPastError(text, parsed, now.date())
    return parsed


def parse_day(text: str, now: datetime, *, past: bool = False) -> date:
    """Parse a day (birthday, signed date, close date) with the same grammar; past allowed.

    A day written without its year ("3/5", "march 5", 5号) is the coming one, or with `past` the most
    recent one on or before today: a close date is ahead, but a paid or signed date typed as "3/5" five
    days later means this year's. A period of several days ("next week", 3月份) is refused: as a
    follow-up it means a working day inside it, but a birthday or a signed date in "March" is no day at all.
    """
    try:
        parsed, span = _read(text, now, time(9, 0), past)
        if span:
            raise DateParseError(text)
        return parsed.when.date()
    except DateParseError as exc:
        if exc.template != DateParseError.TEMPLATE:
            raise
        # the examples of a next date ("明天下午3点") are no help for a birthday or a paid date
        raise DateParseError(text, template=DateParseError.TEMPLATE, quoted=_quote(text),
                             examples=_PAST_DAY_EXAMPLES if past else _DAY_EXAMPLES) from None


def weekday_name(weekday: int, lang: str = "en") -> str:
    """A weekday (0 = Monday) in full: "Thursday" / "周四" (for DateWeekdayError's message)."""
    return _ZH_WEEKDAY_NAMES[weekday] if lang.lower().startswith("zh") else _EN_WEEKDAY_FULL[weekday]


def format_when(
    dt: datetime | date, has_time: bool = True, lang: str = "en", today: date | None = None
) -> str:
    """Short preview: en "Fri 28 Nov 15:00" / "Fri 28 Nov"; zh "11月28日 周五 15:00".

    The year is shown ("Fri 1 Jan 2027", "2027年1月1日 周五") only when `today` is given
    and its year differs from dt's. Any lang starting with "zh" is Chinese.
    """
    show_year = today is not None and dt.year != today.year
    clock = f" {dt.hour:02d}:{dt.minute:02d}" if has_time else ""
    if lang.lower().startswith("zh"):
        year = f"{dt.year}年" if show_year else ""
        return f"{year}{dt.month}月{dt.day}日 {_ZH_WEEKDAY_NAMES[dt.weekday()]}{clock}"
    year = f" {dt.year}" if show_year else ""
    month = _EN_MONTH_NAMES[dt.month - 1]
    return f"{_EN_WEEKDAY_NAMES[dt.weekday()]} {dt.day} {month}{year}{clock}"



_EN_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_WEEKDAY_FULL = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February's 29th exists in some year
_ZH_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _quote(text: str) -> str:
    # Control characters (an ANSI escape in a pasted name) are shown, not sent to the terminal.
    shown = "".join(
        f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in text
    )
    return f'"{shown}"'
