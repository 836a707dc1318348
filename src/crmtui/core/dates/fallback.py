"""dateparser as a last resort for English the own grammar does not know, with its answer checked.

dateparser guesses: "the 1st" came back a year away, "Saturday morning at 9" as September,
"two three" as a date. Its answer is kept only when every word of the text is date
vocabulary it must have used, and the result carries what the text wrote: each month name,
weekday, day number, year and clock time. Anything else is "not understood".
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from crmtui.core.dates.clock import parse_clock
from crmtui.core.dates.days import EN_MONTHS, EN_WEEKDAYS
from crmtui.core.dates.text import Lazy

# Words dateparser may be given; a text with any other word (a part of day, "around",
# "early", a number word) is not handed to it: its reading of those is not checked.
_VOCABULARY = frozenset({
    *EN_MONTHS, *EN_WEEKDAYS, *(f"{w}s" for w in EN_WEEKDAYS),
    "st", "nd", "rd", "th", "of", "the", "on", "in", "at", "next", "last", "this", "coming",
    "day", "days", "week", "weeks", "month", "months", "year", "years", "ago", "after", "before",
    "from", "now", "am", "pm", "a", "m", "p", "and",
})
_ANCHORS = frozenset({*EN_MONTHS, *EN_WEEKDAYS, *(f"{w}s" for w in EN_WEEKDAYS),
                      "day", "days", "week", "weeks", "month", "months", "year", "years"})
_CLOCK_TOKEN = Lazy(
    r"(?<![\d:])\d+(?::\d+)?\s*(?:a\.?\s*m\.?|p\.?\s*m\.?)(?![a-z])|(?<![\d:])\d+:\d+(?![\d:])")
"""Every written time in the text ("3pm", "10:30 am", "25:00"), to check the answer against."""


def parse_with_dateparser(s: str, now: datetime, default_time: time) -> tuple[datetime, bool] | None:
    """(when, has_time) from dateparser when its answer holds up, else None."""
    words = re.findall(r"[a-z]+", s)
    if not words or any(w not in _VOCABULARY for w in words) or not any(w in _ANCHORS for w in words):
        return None
    clocks = [token.strip() for token in _CLOCK_TOKEN.findall(s)]
    if ("at" in words or "am" in words or "pm" in words) and not clocks:
        return None  # a time dateparser would fill in with its own guess
    import dateparser  # deferred: ~0.2 s with the first parse, paid only when the grammar failed

    settings = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
    }
    try:
        result = dateparser.parse(s, languages=["en"], settings=settings)
    except Exception:  # noqa: BLE001 -- dateparser raises assorted errors on odd input; that is "not understood"
        return None
    if result is None or not _carries(s, words, clocks, result):
        return None
    if clocks:
        return result.replace(tzinfo=now.tzinfo), True
    return datetime.combine(result.date(), default_time, tzinfo=now.tzinfo), False


def _carries(s: str, words: list[str], clocks: list[str], result: datetime) -> bool:
    """Whether the result has every month, weekday, day, year and time the text wrote."""
    for word in words:
        if word in EN_MONTHS and EN_MONTHS[word] != result.month:
            return False
        weekday = EN_WEEKDAYS.get(word.removesuffix("s") if word.endswith("days") else word)
        if weekday is not None and weekday != result.weekday():
            return False
    named = {parse_clock(token, None) for token in clocks}
    if len(named) > 1 or (named and (None in named or named.pop()[0] != result.hour * 60 + result.minute)):
        return False
    without_clocks = _CLOCK_TOKEN.sub(" ", s)
    for number in re.findall(r"\d+", without_clocks):
        value = int(number)
        if len(number) == 4:
            if value != result.year:
                return False
        elif not re.search(rf"\b{number}\s*(?:days?|weeks?|months?|years?)\b", without_clocks) \
                and value != result.day:
            return False  # a day of the month it did not keep ("the 1st" read as the 12th)
    return result.date() >= date(1900, 1, 1)
