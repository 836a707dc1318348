"""Natural dates and times in English and Chinese ("fri 3pm", "下周五", "明天下午3点")."""

# How it works. The text is folded (NFKC, lower case, whitespace collapsed, spaces
# next to Chinese characters removed) and then must be consumed *entirely* by one
# of these shapes:
#
#   moment            "in 2 hours", "半小时后"            (a full date and time)
#   day               "fri", "下周五", "dec 1", "月底"     (has_time False)
#   clock             "3pm", "下午3点半", "15:00"          (today at that time)
#   day + clock       "明天下午3点", "tomorrow at 3pm"     (either order)
#
# Every way of splitting the text into a day and a clock is tried; the parse is
# accepted only when exactly one reading comes out, so a leftover word or an
# ambiguous text is "not understood" rather than guessed at. Only English text the
# native grammar does not know goes to dateparser (imported lazily: it costs ~0.2 s).
#
# Choices worth knowing:
# - "midnight" (and 晚上12点) is the midnight that *ends* the named day: "fri midnight"
#   is Saturday 00:00 and "midnight" alone is tomorrow 00:00. "12am" and 0点 are the
#   start of the day (00:00 of that day), as 12-hour rules say.
# - A bare hour after "at" follows the Chinese 3点 rule: "tomorrow at 3" is 15:00
#   (1-7 mean the afternoon), "at 9" is 09:00. Without "at" a bare number is no time,
#   and a day followed by one ("mon 10": 10 o'clock or the 10th?) is refused outright
#   rather than handed to dateparser (which reads it as October).
# - 今晚/明晚/明早/"tonight" set the part of day for a following hour: 今晚8点 is 20:00,
#   "tonight at 8" is 20:00; an hour that contradicts it (今晚下午3点, "tonight 9am")
#   is refused.
# - Beyond the brief: yesterday/昨天/前天, 上周X, "N days ago"/N天前 (for parse_day:
#   signed and close dates lie in the past), bare D号 (the coming D-th), 本月D号,
#   今年/明年 M月D日, 早上/上午/中午/晚上 and morning/evening/night alone
#   (09:00 / 12:00 / 20:00, like 明早 and 今晚), "end of year"/"eoy", "2026-12-01T14:30".
# - dateparser only sees text with an English word of 3+ letters and no CJK or control
#   characters: it reads scraps as dates ("8" is next August, "31m" is in 31 minutes).

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

__all__ = [
    "DateInPastError",
    "DateParseError",
    "ParsedDate",
    "format_when",
    "parse_day",
    "parse_next_date",
    "parse_when",
]

MAX_INPUT_LENGTH = 100
_EXAMPLES = '"明天下午3点", "fri 3pm", "2026-12-01"'
_DAY_EXAMPLES = '"2026-11-20", "昨天", "3月12日"'


# --------------------------------------------------------------------------- API


class DateParseError(ValueError):
    """Raised with .text (the input) and a message that quotes the input."""

    TEMPLATE = "could not understand the date {quoted} (try e.g. {examples})"
    """The message as a translatable template (crmtui.core.labels.DateProblem shows it translated)."""

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
        parsed = _parse_native(folded, now, default_time)
    except _Refused:
        raise DateParseError(text) from None
    if parsed is not None:
        return parsed
    # dateparser misreads Chinese (12月1日 becomes the year 2112 without `languages`)
    # and guesses at scraps ("8" is next August, "a" next January, "31m" 31 minutes):
    # only text with a real English word goes to it.
    if _has_cjk(folded) or not re.search(r"[a-z]{3}", folded):
        raise DateParseError(text)
    parsed = _parse_with_dateparser(folded, now, default_time)
    if parsed is None:
        raise DateParseError(text)
    return parsed


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


def parse_day(text: str, now: datetime) -> date:
    """Parse a day (birthday, signed date, close date) with the same grammar; past allowed."""
    try:
        return parse_when(text, now).when.date()
    except DateParseError as exc:
        if exc.template != DateParseError.TEMPLATE:
            raise
        # the examples of a next date ("明天下午3点") are no help for a birthday or a paid date
        raise DateParseError(text, template=DateParseError.TEMPLATE, quoted=_quote(text),
                             examples=_DAY_EXAMPLES) from None


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


# ------------------------------------------------------------------ vocabulary

_EN_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZH_WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

_EN_WEEKDAYS = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}
_EN_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# Words that name a day, as (days from today, part-of-day hint, implied clock in minutes).
_DAY_WORDS: dict[str, tuple[int, str | None, int | None]] = {
    "today": (0, None, None), "tonight": (0, "evening", 20 * 60),
    "tomorrow": (1, None, None), "tmr": (1, None, None), "tmrw": (1, None, None),
    "tmw": (1, None, None),
    "day after tomorrow": (2, None, None), "the day after tomorrow": (2, None, None),
    "yesterday": (-1, None, None),
    "今天": (0, None, None), "今日": (0, None, None),
    "明天": (1, None, None), "明日": (1, None, None),
    "后天": (2, None, None), "大后天": (3, None, None),
    "昨天": (-1, None, None), "昨日": (-1, None, None), "前天": (-2, None, None),
    "今早": (0, "morning", 9 * 60), "今晚": (0, "evening", 20 * 60),
    "明早": (1, "morning", 9 * 60), "明晚": (1, "evening", 20 * 60),
}

# Words that name a time of day on their own.
_CLOCK_WORDS = {
    "noon": 12 * 60, "midday": 12 * 60, "midnight": 24 * 60,
    "morning": 9 * 60, "evening": 20 * 60, "night": 20 * 60,
    "早上": 9 * 60, "早晨": 9 * 60, "上午": 9 * 60, "中午": 12 * 60, "晚上": 20 * 60,
}

# Chinese part-of-day words, mapped to the rule that turns their hour into 0-24.
_ZH_PERIODS = {"上午": "morning", "早上": "morning", "早晨": "morning", "中午": "noon",
               "下午": "afternoon", "傍晚": "evening", "晚上": "evening", "凌晨": "early"}


def _alternation(words) -> str:
    # Longest first so "thursday" is not cut to "thu" by the regex engine.
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_NUM = r"\d{1,4}|[零〇一二两三四五六七八九十]{1,3}"  # Arabic or Chinese numerals
_WD = _alternation(_EN_WEEKDAYS)
_MON = _alternation(_EN_MONTHS)
_PERIOD = _alternation(_ZH_PERIODS)
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:\s*,\s*|\s+)(?P<y>\d{4}))?"


def _normalize(text: str) -> str:
    """Fold full-width forms (NFKC), lower-case, collapse spaces, drop spaces by CJK."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = " ".join(s.split())
    s = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", s)  # ISO 8601 "2026-12-01T14:30"
    # "明天 下午 3 点" and "明天下午3点" are the same text for the grammar. After NFKC
    # the only non-ASCII left that matters is Chinese, so spaces next to any non-ASCII
    # character go (a class of the CJK ranges costs ~3 ms to compile at import).
    return re.sub(r"\s*([^\x00-\x7f])\s*", r"\1", s)


# CJK radicals to CJK unified ideographs, Hangul, compatibility ideographs and forms,
# half/full-width forms. A plain range check: a regex class of these compiles slowly.
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF),
               (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def _has_cjk(text: str) -> bool:
    return any(lo <= ord(c) <= hi for c in text for lo, hi in _CJK_RANGES)


def _zh_int(text: str) -> int | None:
    """Arabic digits or a Chinese numeral up to 九十九 (三, 两, 十五, 二十, 零五)."""
    if text.isascii() and text.isdigit():
        return int(text)
    if text == "两":  # 两 is 2 only on its own (两周, 两点), never inside 二十二
        return 2
    if len(text) == 1 and text in _ZH_DIGITS:
        return _ZH_DIGITS[text]
    if len(text) == 2 and text[0] in "零〇" and text[1] in _ZH_DIGITS:  # minutes: 三点零五
        return _ZH_DIGITS[text[1]]
    tens, sep, ones = text.partition("十")
    if not sep or "十" in ones:
        return None
    tens_value = 1 if tens == "" else _ZH_DIGITS.get(tens)
    ones_value = 0 if ones == "" else _ZH_DIGITS.get(ones)
    if not tens_value or ones_value is None or (ones and ones_value == 0):
        return None
    return tens_value * 10 + ones_value


def _en_int(text: str) -> int:
    return 1 if text in ("a", "an", "one") else int(text)


def _quote(text: str) -> str:
    # Control characters (an ANSI escape in a pasted name) are shown, not sent to the terminal.
    shown = "".join(
        f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in text
    )
    return f'"{shown}"'


# --------------------------------------------------------------- calendar math


# (No `calendar` import: it pulls in `locale` and costs ~3-8 ms at start-up.)


def _month_end(day: date) -> date:
    """Last day of day's month."""
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped (Jan 31 + 1 month = Feb 28)."""
    year, month_index = divmod(day.month - 1 + months, 12)
    first = date(day.year + year, month_index + 1, 1)
    return first.replace(day=min(day.day, _month_end(first).day))


def _weekday_of_week(today: date, weekday: int, weeks_ahead: int) -> date:
    """`weekday` (0 = Mon) of the ISO week `weeks_ahead` after today's (0 = this week)."""
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=7 * weeks_ahead + weekday)


def _coming_weekday(today: date, weekday: int) -> date:
    """The next `weekday` strictly after today (1..7 days ahead): bare "fri" / 周五."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _upcoming_month_day(today: date, month: int, day: int) -> date:
    """This year's month-day if it is today or later, else next year's."""
    try:
        candidate = date(today.year, month, day)
        if candidate >= today:
            return candidate
    except ValueError:  # 2月29日 in a common year: try next year's
        pass
    return date(today.year + 1, month, day)


def _upcoming_day_of_month(today: date, day: int) -> date:
    """This month's day `day` if it is today or later, else next month's (5号)."""
    try:
        candidate = today.replace(day=day)
        if candidate >= today:
            return candidate
    except ValueError:  # 31号 in November: December's
        pass
    return _add_months(today.replace(day=1), 1).replace(day=day)


def _at(day: date, minutes: int, tz) -> datetime:
    # minutes may be 24*60 (midnight ending the day): timedelta carries it to the next day.
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minutes)


# ---------------------------------------------------------- relative amounts

_EN_N = r"(?P<n>\d{1,4}|an?|one)"
_EN_UNIT = r"(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?)"
_EN_RELATIVE = [
    (re.compile(rf"in\s*{_EN_N}\s*{_EN_UNIT}"), 1),
    (re.compile(rf"{_EN_N}\s*{_EN_UNIT}\s+(?:from\s+now|later)"), 1),
    (re.compile(rf"{_EN_N}\s*{_EN_UNIT}\s+ago"), -1),
]
_ZH_RELATIVE = re.compile(
    rf"(?P<n>{_NUM})(?P<ge>个)?(?P<unit>天|日|周|星期|礼拜|月|小时|钟头|分钟)"
    r"(?P<dir>以后|之后|后|以前|之前|前)"
)
_ZH_HALF_HOURS = re.compile(rf"(?:(?P<n>{_NUM})个半|半个?)(?:小时|钟头)(?:以后|之后|后)")
_ZH_UNITS = {"天": "days", "日": "days", "周": "weeks", "星期": "weeks", "礼拜": "weeks",
             "月": "months", "小时": "hours", "钟头": "hours", "分钟": "minutes"}
_ZH_UNITS_WITH_GE = {"星期", "礼拜", "月", "小时", "钟头"}  # 两个星期后, not 两个天后


def _match_relative(s: str) -> tuple[int, str] | None:
    """("in 3 days" | "3天后" | "2 weeks ago" ...) -> (signed amount, unit)."""
    for pattern, sign in _EN_RELATIVE:
        m = pattern.fullmatch(s)
        if m:
            unit = m["unit"]
            name = ("minutes" if unit.startswith("mi") else "hours" if unit.startswith("h")
                    else "days" if unit.startswith("d") else "weeks" if unit.startswith("w")
                    else "months")
            return sign * _en_int(m["n"]), name
    m = _ZH_HALF_HOURS.fullmatch(s)
    if m:  # 半小时后, 一个半小时后
        hours = 0 if m["n"] is None else _zh_int(m["n"])
        return None if hours is None else (hours * 60 + 30, "minutes")
    m = _ZH_RELATIVE.fullmatch(s)
    if m:
        n, unit = _zh_int(m["n"]), _ZH_UNITS[m["unit"]]
        if n is None or (m["ge"] and m["unit"] not in _ZH_UNITS_WITH_GE):
            return None
        if m["dir"].endswith("前"):
            if unit in ("hours", "minutes"):  # "2小时前" is no follow-up and no day
                return None
            n = -n
        return n, unit
    return None


_NOW_WORDS = frozenset({"now", "right now", "现在", "马上", "立刻", "立即"})


def _parse_moment(s: str, now: datetime) -> datetime | None:
    """ "in 2 hours", "30分钟后", "半小时后": now plus elapsed time, to the minute; "now", 现在: this minute."""
    if s in _NOW_WORDS:
        # dateparser read "now" as a day, which became 09:00 today
        return now.replace(second=0, microsecond=0)
    relative = _match_relative(s)
    if relative is None or relative[1] not in ("hours", "minutes"):
        return None
    amount, unit = relative
    delta = timedelta(hours=amount) if unit == "hours" else timedelta(minutes=amount)
    # Elapsed time, not wall-clock time: go through UTC so a DST change is counted right.
    when = (now.astimezone(timezone.utc) + delta).astimezone(now.tzinfo)
    return when.replace(second=0, microsecond=0)


# -------------------------------------------------------------------- day part


@dataclass(frozen=True)
class _Day:
    day: date
    hint: str | None = None     # part of day a following hour belongs to (今晚8点 = 20:00)
    implied: int | None = None  # minutes after midnight when the word names a time (今晚)


def _relative_day(amount: int, unit: str, today: date) -> _Day:
    """ "in 3 days", "两周后", "1个月后" as a day."""
    if unit == "months":
        return _Day(_add_months(today, amount))
    return _Day(today + timedelta(days=amount * (7 if unit == "weeks" else 1)))


# Rule handlers: (match, today) -> _Day or None. A ValueError (13月1日) means "no day".


def _day_en_weekday(m, today):
    weekday = _EN_WEEKDAYS[m["wd"]]
    if m["pre"] == "this":
        return _Day(_weekday_of_week(today, weekday, 0))
    if m["pre"] == "next":
        return _Day(_weekday_of_week(today, weekday, 1))
    return _Day(_coming_weekday(today, weekday))  # bare or "coming"


_ZH_WEEK_OFFSETS = {"这": 0, "这个": 0, "本": 0, "下": 1, "下个": 1,
                    "下下": 2, "下下个": 2, "上": -1, "上个": -1}


def _day_zh_weekday(m, today):
    weekday = _ZH_WEEKDAYS[m["wd"]]
    if m["pre"] is None:
        return _Day(_coming_weekday(today, weekday))
    return _Day(_weekday_of_week(today, weekday, _ZH_WEEK_OFFSETS[m["pre"]]))


def _day_iso(m, today):
    return _Day(date(int(m["y"]), int(m["m"]), int(m["d"])))


def _day_en_month_day(m, today):
    month, day = _EN_MONTHS[m["mon"]], int(m["d"])
    if m["y"]:
        return _Day(date(int(m["y"]), month, day))
    return _Day(_upcoming_month_day(today, month, day))


def _day_zh_month_day(m, today):
    month, day = _zh_int(m["m"]), _zh_int(m["d"])
    if month is None or day is None:
        return None
    if m["y"]:
        return _Day(date(int(m["y"]), month, day))
    if m["rel"]:
        year = today.year + {"去年": -1, "今年": 0, "明年": 1}[m["rel"]]
        return _Day(date(year, month, day))
    return _Day(_upcoming_month_day(today, month, day))


def _day_zh_day_of_month(m, today):
    day = _zh_int(m["d"])
    if day is None:
        return None
    if m["which"] is None:
        return _Day(_upcoming_day_of_month(today, day))
    first = today.replace(day=1)
    if m["which"].startswith("下"):
        first = _add_months(first, 1)
    return _Day(first.replace(day=day))


def _day_month_end(m, today):
    return _Day(_month_end(today))


def _day_year_end(m, today):
    return _Day(date(today.year, 12, 31))


def _day_next_month_start(m, today):
    return _Day(_add_months(today.replace(day=1), 1))


_DAY_RULES = [
    (re.compile(r"(?:(?P<pre>this|next|coming)\s+)?(?P<wd>" + _WD + r")"), _day_en_weekday),
    (re.compile(r"(?P<pre>这个?|本|下下个?|下个?|上个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"),
     _day_zh_weekday),
    (re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"), _day_iso),
    (re.compile(rf"(?P<mon>{_MON})\.?\s*(?P<d>\d{{1,2}}){_ORD}{_YEAR}"), _day_en_month_day),
    (re.compile(rf"(?P<d>\d{{1,2}}){_ORD}\s*(?:of\s+)?(?P<mon>{_MON})\.?{_YEAR}"),
     _day_en_month_day),
    (re.compile(rf"(?:(?P<y>\d{{4}})年|(?P<rel>去年|今年|明年))?(?P<m>{_NUM})月(?P<d>{_NUM})[日号]"),
     _day_zh_month_day),
    (re.compile(rf"(?P<which>下个?月|本月|这个?月)?(?P<d>{_NUM})[日号]"), _day_zh_day_of_month),
    (re.compile(r"end\s+of\s+(?:the\s+)?month|eom|月底"), _day_month_end),
    (re.compile(r"end\s+of\s+(?:the\s+)?year|eoy|年底"), _day_year_end),
    (re.compile(r"月初"), _day_next_month_start),
]


def _parse_day_part(s: str, today: date) -> _Day | None:
    """A text naming a day ("fri", "下周五", "dec 1", "3天后"), else None."""
    s = re.sub(r"^on\s+", "", s)  # "3pm on fri"
    if s in _DAY_WORDS:
        offset, hint, implied = _DAY_WORDS[s]
        return _Day(today + timedelta(days=offset), hint, implied)
    try:
        relative = _match_relative(s)
        if relative is not None:
            amount, unit = relative
            return None if unit in ("hours", "minutes") else _relative_day(amount, unit, today)
        for pattern, handler in _DAY_RULES:
            m = pattern.fullmatch(s)
            if m is not None:
                day = handler(m, today)
                if day is not None:
                    return day
    except (ValueError, OverflowError):  # 13月1日, 2月30日, "in 9999 months" past year 9999
        return None
    return None


# ------------------------------------------------------------------ clock part

_CLOCK_AMPM = re.compile(r"(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>[ap])\.?\s*m\.?")
_CLOCK_COLON = re.compile(rf"(?P<period>{_PERIOD})?(?P<h>\d{{1,2}}):(?P<m>\d{{2}})")
_CLOCK_DIAN = re.compile(
    rf"(?P<period>{_PERIOD})?(?P<h>{_NUM})[点时]"
    rf"(?:钟|整|(?P<half>半)|(?P<q1>[一1])刻|(?P<q3>[三3])刻|(?P<m>{_NUM})分?)?"
)
_CLOCK_AT = re.compile(r"(?:at\s*|@\s*)?")


def _hour24(hour: int, period: str | None) -> int | None:
    """Apply a part-of-day rule to an hour; None when the pair makes no sense (下午25点)."""
    if period is None:  # an unmarked N点: 1-7 mean the afternoon, like spoken Chinese
        return hour + 12 if 1 <= hour <= 7 else hour if hour <= 23 else None
    if period == "24h":  # an unmarked 15:00
        return hour if hour <= 23 else None
    if period in ("am", "pm"):
        if not 1 <= hour <= 12:
            return None
        return hour % 12 + (12 if period == "pm" else 0)
    if period == "morning":
        return hour if 1 <= hour <= 12 else None
    if period == "noon":  # 中午12点 = 12:00, 中午1点 = 13:00
        return hour if 11 <= hour <= 15 else hour + 12 if 1 <= hour <= 3 else None
    if period in ("afternoon", "evening"):
        if 1 <= hour <= 11:
            return hour + 12
        if hour == 12:  # 下午12点 is noon; 晚上12点 is the midnight ending the day
            return 12 if period == "afternoon" else 24
        return hour if 13 <= hour <= 23 else None
    if period == "early":  # 凌晨
        return hour if 0 <= hour <= 11 else None
    return None


def _clock(hour: int, minute: int, period: str | None) -> int | None:
    h = _hour24(hour, period)
    if h is None or not 0 <= minute <= 59:
        return None
    return h * 60 + minute


def _parse_clock(s: str, hint: str | None) -> int | None:
    """A time of day as minutes after midnight (24*60 = the midnight ending the day).

    `hint` is the part of day set by the day word (今晚 -> "evening"): it applies to an
    unmarked hour, and a marked hour must agree with it.
    """
    at = _CLOCK_AT.match(s)  # "at 3pm", "@3pm"
    s = s[at.end():]
    if s in _CLOCK_WORDS:
        return None if hint else _CLOCK_WORDS[s]  # 今晚 + "noon" is two times
    m = _CLOCK_AMPM.fullmatch(s)
    if m:
        ap = "am" if m["ap"] == "a" else "pm"
        if hint and ap != {"morning": "am", "evening": "pm"}[hint]:
            return None  # "tonight 9am"
        return _clock(int(m["h"]), int(m["m"] or 0), ap)
    m = _CLOCK_COLON.fullmatch(s)
    if m:
        period = _ZH_PERIODS.get(m["period"])
        if period and hint:
            return None  # 今晚下午3:00
        return _clock(int(m["h"]), int(m["m"]), period or hint or "24h")
    m = _CLOCK_DIAN.fullmatch(s)
    if m:
        period = _ZH_PERIODS.get(m["period"])
        if period and hint:
            return None  # 今晚下午3点
        hour = _zh_int(m["h"])
        minute = (30 if m["half"] else 15 if m["q1"] else 45 if m["q3"]
                  else _zh_int(m["m"]) if m["m"] else 0)
        if hour is None or minute is None:
            return None
        return _clock(hour, minute, period or hint)
    # A bare number is an hour only after "at" or a day word that sets the part of day
    # ("tomorrow at 3", "tonight 8"); "dec 1 9" stays not understood.
    if (at.group() or hint) and re.fullmatch(r"\d{1,2}", s):
        return _clock(int(s), 0, hint)
    return None


# --------------------------------------------------------------- native parse


class _Refused(Exception):
    """The native grammar recognised the text and found it ambiguous or contradictory."""


def _parse_native(s: str, now: datetime, default_time: time) -> ParsedDate | None:
    """The whole text as moment, day, clock or day+clock; None if the grammar does not know it.

    Raises _Refused when the text is known but ambiguous or contradictory, so that it
    is not handed to dateparser to guess.
    """
    today, tz = now.date(), now.tzinfo
    moment = _parse_moment(s, now)
    if moment is not None:
        return ParsedDate(moment, True)
    day = _parse_day_part(s, today)
    if day is not None:
        if day.implied is not None:
            return ParsedDate(_at(day.day, day.implied, tz), True)
        return ParsedDate(datetime.combine(day.day, default_time, tzinfo=tz), False)
    minutes = _parse_clock(s, None)
    if minutes is not None:
        return ParsedDate(_at(today, minutes, tz), True)
    # Try every split into a day part and a clock part, in both orders; "明天下午3点",
    # "3pm tomorrow", "tomorrow, at 3pm". Keep it only if all splits agree.
    readings = set()
    for i in range(1, len(s)):
        head, tail = s[:i].rstrip(" ,"), s[i:].lstrip(" ,")
        if not head or not tail:
            continue
        for day_text, clock_text in ((head, tail), (tail, head)):
            day = _parse_day_part(day_text, today)
            if day is None:
                continue
            minutes = _parse_clock(clock_text, day.hint)
            if minutes is not None:
                readings.add(_at(day.day, minutes, tz))
            elif _parse_clock(clock_text, None) is not None or clock_text.isdigit():
                # A day and a time that contradict each other ("tonight 9am") or a bare
                # number ("mon 10": 10 o'clock or the 10th?). dateparser would guess
                # ("mon 10" is October 2027 to it), so refuse outright.
                raise _Refused
    if len(readings) > 1:
        raise _Refused  # two readings: never pick one
    if readings:
        return ParsedDate(readings.pop(), True)
    return None


# ------------------------------------------------------------ dateparser fallback

_HAS_CLOCK = re.compile(r"\d\s*(?:a\.?\s*m|p\.?\s*m)\b|\d:\d{2}")
_CLOCK_TOKEN = re.compile(r"(?<![\d:])\d+(?::\d+)?\s*(?:a\.?\s*m\.?|p\.?\s*m\.?)(?![a-z])|(?<![\d:])\d+:\d+(?![\d:])")
"""Every written time in a text dateparser read ("3pm", "10:30 am", "25:00"), to check its answer against."""


def _parse_with_dateparser(s: str, now: datetime, default_time: time) -> ParsedDate | None:
    """English the native grammar does not know ("the 1st of december"), via dateparser."""
    import dateparser  # lazy: ~0.2 s with the first parse, paid only when needed

    settings = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
    }
    try:
        result = dateparser.parse(s, languages=["en"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input; that is "not understood"
        return None
    if result is None:
        return None
    if result.tzinfo is not None:  # the text named a zone ("3pm utc"): show it in ours
        result = result.astimezone(now.tzinfo).replace(tzinfo=None)
    # dateparser always returns a time (often the current one); trust it only when
    # the text actually wrote a time, and only when that time is the one the text wrote:
    # "tomorrow 25:00" came back as tomorrow at the current time.
    if _HAS_CLOCK.search(s):
        named = {_parse_clock(token.strip(), None) for token in _CLOCK_TOKEN.findall(s)}
        if len(named) != 1 or None in named or named.pop() != result.hour * 60 + result.minute:
            return None
        return ParsedDate(result.replace(tzinfo=now.tzinfo), True)
    return ParsedDate(datetime.combine(result.date(), default_time, tzinfo=now.tzinfo), False)
