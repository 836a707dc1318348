"""The own grammar: a folded text read whole as a moment, a day, a clock or a day and a clock.

    moment            "in 2 hours", "半小时后", "now"            (a full date and time)
    day               "fri", "下周五", "dec 1", "下个月", "月底"    (a day at the default time)
    clock             "3pm", "下午3点半", "15:00", "下午"          (the next time the clock shows it)
    day + clock       "明天下午3点", "tomorrow at 3pm"            (either order)

Every way of splitting the text into a day and a clock is tried; the parse is accepted
only when exactly one reading comes out, so a leftover word or an ambiguous text is "not
understood" rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from crmtui.core.dates.clock import PART_DEFAULTS, parse_clock
from crmtui.core.dates.days import Context, Day, at, parse_day, relative_day
from crmtui.core.dates.text import Lazy, zh_int


class Refused(Exception):
    """The grammar recognised the text and found it ambiguous or contradictory.

    `day` is set when a weekday contradicts the date written beside it; `passed` when the text
    is a time alone that the clock passed more than an hour ago (today's reading, which the rep
    must confirm by writing the day); `hours` (morning, afternoon minutes) when an hour without
    am/pm could be either because its morning reading is within an hour of now.
    """

    def __init__(self, day: Day | None = None, passed: Reading | None = None,
                 hours: tuple[int, int] | None = None, missing: tuple[date, int] | None = None) -> None:
        super().__init__()
        self.day = day
        self.passed = passed
        self.hours = hours
        self.missing = missing


@dataclass(frozen=True)
class Reading:
    when: datetime
    has_time: bool
    span: bool = False  # read from a period of several days ("next week"): a next date, not a day


# ---------------------------------------------------------- relative amounts

_EN_UNITS = (
    (r"seconds?|secs?|s|\"", "seconds"), (r"minutes?|mins?|m|'", "minutes"),
    (r"hours?|hrs?|h", "hours"), (r"days?", "days"), (r"weeks?|wks?", "weeks"),
    (r"fortnights?", "fortnights"), (r"months?", "months"), (r"years?|yrs?", "years"),
)
_EN_UNIT = "|".join(f"(?P<u{i}>{pattern})" for i, (pattern, _) in enumerate(_EN_UNITS))
_EN_AMOUNT = (r"(?P<n>\d{1,4}(?:\.\d+)?|\d/\d|an?|few|a\s+few|(?:a\s+)?couple(?:\s+of)?|a\s+pair\s+of"
              r"|half\s+an?|(?:a\s+)?quarter\s+of\s+an?|3-quarters\s+of\s+an?|\d{1,2}\s+and\s+an?\s+half)")
_EN_RELATIVE = [
    (Lazy(rf"in\s+(?:about\s+|around\s+)?{_EN_AMOUNT}\s*(?:more\s+)?(?:{_EN_UNIT})", "in "), 1),
    (Lazy(rf"{_EN_AMOUNT}\s*(?:{_EN_UNIT})\s+(?P<from>from\s+(?:right\s+)?(?:now|today)|later|hence)", "from", "later", "hence"), 1),
    (Lazy(rf"{_EN_AMOUNT}\s*(?:{_EN_UNIT})\s+(?:ago|back|before)", "ago", "back", "before"), -1),
    (Lazy(rf"(?:upcoming|next)\s+{_EN_AMOUNT}\s*days?", "upcoming", "next"), 1),  # "upcoming 2 days": the 2nd day ahead
    (Lazy(rf"{_EN_AMOUNT}\s+upcoming\s+days?", "upcoming"), 1),
]
_EN_AMOUNTS = {"a": 1, "an": 1, "few": 3, "a few": 3, "couple": 2, "a couple": 2, "couple of": 2,
               "a couple of": 2, "a pair of": 2, "half a": 0.5, "half an": 0.5}

_ZH_RELATIVE = Lazy(
    r"(?P<n>\d{1,4}|[零〇一二两三四五六七八九十]{1,3})(?P<ge>个)?"
    r"(?P<unit>天|日|周|星期|礼拜|月|年|小时|钟头|分钟|分|秒钟|秒)"
    r"(?P<dir>以后|之后|过后|后|以前|之前|前)"
)
_ZH_HALF_HOURS = Lazy(
    r"(?:(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,2})个半|半个?)(?:小时|钟头)(?P<dir>以后|之后|过后|后|以前|之前|前)")
_ZH_UNITS = {"天": "days", "日": "days", "周": "weeks", "星期": "weeks", "礼拜": "weeks",
             "月": "months", "年": "years", "小时": "hours", "钟头": "hours", "分钟": "minutes",
             "分": "minutes", "秒钟": "seconds", "秒": "seconds"}
_ZH_UNITS_WITH_GE = {"星期", "礼拜", "月", "小时", "钟头"}  # 两个星期后, not 两个天后


def _en_amount(text: str) -> float | None:
    text = " ".join(text.split())
    if text in _EN_AMOUNTS:
        return _EN_AMOUNTS[text]
    if "quarter" in text:
        return 0.75 if text.startswith("3-") else 0.25
    if "half" in text:  # "2 and an half"
        return int(text.split()[0]) + 0.5
    if "/" in text:
        top, bottom = text.split("/")
        return int(top) / int(bottom) if int(bottom) else None
    return float(text)


def match_relative(s: str) -> tuple[float, str] | None:
    """("in 3 days" | "3天后" | "2 weeks ago" | "in 2.5 hours" ...) -> (signed amount, unit)."""
    for pattern, sign in _EN_RELATIVE if s.isascii() else ():
        m = pattern.fits(s) and pattern.fullmatch(s)
        if m:
            unit = next((name for i, (_, name) in enumerate(_EN_UNITS) if m.groupdict().get(f"u{i}")), "days")
            amount = _en_amount(m["n"])
            if amount is None:
                return None
            if unit not in ("hours", "minutes", "seconds") and "right" in (m.groupdict().get("from") or ""):
                return None  # "a day from right now": a day, or this time tomorrow? not guessed
            if unit == "fortnights":
                amount, unit = amount * 2, "weeks"
            return sign * amount, unit
    if s.isascii():
        return None
    if not ("后" in s or "前" in s):
        return None
    m = "半" in s and _ZH_HALF_HOURS.fullmatch(s)
    if m:  # 半小时后, 一个半小时后
        hours = 0 if m["n"] is None else zh_int(m["n"])
        if hours is None:
            return None
        return (-1 if m["dir"].endswith("前") else 1) * (hours * 60 + 30), "minutes"
    m = _ZH_RELATIVE.fullmatch(s)
    if m:
        n, unit = zh_int(m["n"]), _ZH_UNITS[m["unit"]]
        if n is None or (m["ge"] and m["unit"] not in _ZH_UNITS_WITH_GE):
            return None
        return (-n if m["dir"].endswith("前") else n), unit
    return None


_NOW_WORDS = frozenset({"now", "right now", "just now", "at the moment", "atm", "at this time",
                        "现在", "马上", "立刻", "立即"})


def _moment(s: str, now: datetime) -> datetime | None:
    """ "in 2 hours", "30分钟后", "半小时后": now plus elapsed time, to the minute; "now", 现在: this minute."""
    if s in _NOW_WORDS:
        return now.replace(second=0, microsecond=0)
    relative = match_relative(s)
    if relative is None or relative[1] not in ("hours", "minutes", "seconds"):
        return None
    amount, unit = relative
    seconds = amount * {"hours": 3600, "minutes": 60, "seconds": 1}[unit]
    if abs(seconds) > 10 * 365 * 86400:
        return None
    # Elapsed time, not wall-clock time: go through UTC so a DST change is counted right.
    when = (now.astimezone(UTC) + timedelta(seconds=round(seconds))).astimezone(now.tzinfo)
    return when.replace(second=0, microsecond=0)


def _relative_day(s: str, ctx: Context) -> Day | None:
    relative = match_relative(s)
    if relative is None or relative[1] in ("hours", "minutes", "seconds"):
        return None
    amount, unit = relative
    if amount != int(amount):
        return None  # "in 1.5 days": no day
    return relative_day(int(amount), unit, ctx.today)


# -------------------------------------------------------------- part of day

# English parts of day, anywhere in the text: "tomorrow afternoon at 5", "8 tonight".
_EN_PART = Lazy(
    r"(?:^|(?<=[\s,]))(?P<pre>this\s+|in\s+the\s+|in\s+|at\s+|early\s+)?"
    r"(?P<part>morning|afternoon|evening|night|tonight)(?=$|[\s,])",
    "morning", "afternoon", "evening", "night"
)
_EN_PART_NAMES = {"morning": "morning", "afternoon": "afternoon", "evening": "evening",
                  "night": "night", "tonight": "evening"}


def _take_part(s: str) -> tuple[str | None, bool, str]:
    """(part of day, whether it names today, the rest of the text)."""
    found = list(_EN_PART.finditer(s)) if _EN_PART.fits(s) else []
    if not found:
        return None, False, s
    if len(found) > 1:
        raise Refused  # "morning ... evening"
    m = found[0]
    part = _EN_PART_NAMES[m["part"]]
    pre = (m["pre"] or "").strip()
    if pre == "early" and part == "morning":
        part = "early"
    today = m["part"] == "tonight" or pre == "this"
    rest = " ".join((s[:m.start()] + " " + s[m.end():]).replace(" ,", ",").split()).strip(" ,")
    return part, today, rest


# ------------------------------------------------------------------ combining


def _splits(s: str):
    """(day text, clock text) pairs: the whole as either, then every split in both orders.

    English splits only between words; Chinese between any two characters ("明天下午3点")."""
    yield s, ""
    yield "", s
    seen = set()
    for i in range(1, len(s)):
        before, after = s[i - 1], s[i]
        if before.isascii() and after.isascii() and not (before in " ," and after not in " ,"):
            continue  # inside an English word or number, or inside a run of spaces
        head, tail = s[:i].rstrip(" ,"), s[i:].lstrip(" ,")
        if head and tail and head not in seen:
            seen.add(head)
            yield head, tail
            yield tail, head


def parse(s: str, ctx: Context) -> Reading | None:
    """The whole text as a reading; None if the grammar does not know it. Raises Refused."""
    now = ctx.now
    moment = _moment(s, now)
    if moment is not None:
        return Reading(moment, True)
    part, part_today, rest = _take_part(s)
    readings: set[Reading] = set()
    conflicts: list[Day] = []
    passed: list[Reading] = []
    doubts: list[tuple[int, int]] = []
    contradicted = False
    for day_text, clock_text in _splits(rest):
        day = None
        if day_text:
            day = _relative_day(day_text, ctx) or parse_day(day_text, ctx)
            if day is None:
                continue
        if part_today:
            if day is not None and day.day != ctx.today:
                continue  # "tomorrow tonight" is no reading
            day = day or Day(ctx.today, bare_hour=True)
        hint = part
        if day is not None and day.hint:
            if part and part != day.hint:
                raise Refused  # "tonight ... morning"
            hint = day.hint
        clock = None
        if clock_text:
            clock = parse_clock(clock_text, hint, bare=bool(day and day.bare_hour))
            if clock is None:
                if day is not None and (parse_clock(clock_text, None) is not None or clock_text.isdigit()):
                    # A day and a time that contradict each other ("tonight 9am") or a bare
                    # number ("mon 10": 10 o'clock or the 10th?). dateparser would guess
                    # ("mon 10" is October 2027 to it), so refuse unless another split reads it.
                    contradicted = True
                continue
        reading = _reading(day, clock, part, ctx)
        if reading is None:
            continue
        if clock is not None and clock[1] is None and hint is None and reading.when.date() == ctx.today:
            # "at 4:23" typed at 04:30: an unmarked hour 1-7 is the afternoon's, unless its
            # morning reading is within an hour of now; then it could be either.
            morning = parse_clock(clock_text, "morning", bare=bool(day and day.bare_hour))
            near = morning is not None and abs(at(ctx.today, morning[0], now.tzinfo) - now) < timedelta(hours=1)
            if morning is not None and morning[0] != clock[0] and near:
                doubts.append((morning[0], clock[0]))
                continue
        if day is None and clock is not None and clock[1] is None and reading.when <= now - timedelta(hours=1):
            # A time alone is today's. One the clock passed more than an hour ago may mean
            # tomorrow's as well: the rep writes the day rather than have it guessed.
            passed.append(reading)
            continue
        if day is not None and day.named_weekday is not None:
            conflicts.append(day)
        else:
            readings.add(reading)
    if len(readings) > 1:
        raise Refused  # two readings: never pick one
    if readings:
        return readings.pop()
    if conflicts:
        raise Refused(conflicts[0])
    if doubts:
        raise Refused(hours=doubts[0])
    if passed:
        raise Refused(passed=passed[0])
    if contradicted:
        raise Refused
    if ctx.missing:
        raise Refused(missing=ctx.missing[0])
    return None


def _reading(day: Day | None, clock: tuple[int, str | None] | None, part: str | None,
             ctx: Context) -> Reading | None:
    tz = ctx.now.tzinfo
    minutes: int | None = None
    if clock is not None:
        minutes = clock[0]
    elif part is not None:
        minutes = PART_DEFAULTS[part]
    elif day is not None and day.implied is not None:
        minutes = day.implied
    if day is None and minutes is None:
        return None
    if day is None:
        return Reading(at(ctx.today, minutes, tz), True)
    if minutes is None:
        return Reading(at(day.day, ctx.default_time.hour * 60 + ctx.default_time.minute, tz), False, day.span)
    return Reading(at(day.day, minutes, tz), True, day.span)
