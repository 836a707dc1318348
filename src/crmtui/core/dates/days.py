"""The day half of a date: "fri", "下周五", "dec 1", "2/15", "the 1st", "下个月", "月底".

Each rule reads a whole (folded) text as one day or gives up. Periods ("next week", 下个月,
月底, 本周末) resolve to a working day inside them whose default hour is still ahead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from crmtui.core.dates.text import Lazy, zh_int

# (No `calendar` import: it pulls in `locale` and costs ~3-8 ms at start-up.)


@dataclass(frozen=True)
class Context:
    """What a rule needs besides the text: the moment typed and the day-only hour."""

    now: datetime
    default_time: time
    past: bool = False
    """A day written without its year (or month) is the most recent one, on or before today, not the coming
    one: a signed or paid date is about what has happened."""
    missing: list[tuple[date, int]] = field(default_factory=list, compare=False)
    """(first of the month, day) for each day of month a rule wanted and the month lacks (30号 typed on
    31 January: February has no 30th), so that the refusal can say so rather than "not understood"."""

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass(frozen=True)
class Day:
    day: date
    hint: str | None = None      # part of day a following hour belongs to (今晚8点 = 20:00)
    implied: int | None = None   # minutes after midnight when the word names a time (今晚)
    bare_hour: bool = False      # a day word ("tomorrow"): a bare number after it is an hour
    named_weekday: int | None = None  # a weekday written beside the date, when it disagrees
    span: bool = False           # a period of several days (下周, 3月份): no day for a birthday


# ------------------------------------------------------------------ vocabulary

EN_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
EN_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
               "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}

# Words that name a day, as (days from today, part-of-day hint, implied clock in minutes).
DAY_WORDS: dict[str, tuple[int, str | None, int | None]] = {
    "today": (0, None, None), "tonight": (0, "evening", 19 * 60),
    "tomorrow": (1, None, None), "tmr": (1, None, None), "tmrw": (1, None, None),
    "tmw": (1, None, None),
    "day after tomorrow": (2, None, None), "the day after tomorrow": (2, None, None),
    "yesterday": (-1, None, None), "the day before yesterday": (-2, None, None),
    "day before yesterday": (-2, None, None),
    "今天": (0, None, None), "今日": (0, None, None),
    "明天": (1, None, None), "明日": (1, None, None),
    "后天": (2, None, None), "大后天": (3, None, None),
    "昨天": (-1, None, None), "昨日": (-1, None, None), "前天": (-2, None, None),
    "大前天": (-3, None, None),
    "今早": (0, "morning", 9 * 60), "今晚": (0, "evening", 19 * 60),
    "明早": (1, "morning", 9 * 60), "明晚": (1, "evening", 19 * 60),
    "昨晚": (-1, "evening", 19 * 60),
}


def alternation(words) -> str:
    # Longest first so "thursday" is not cut to "thu" by the regex engine.
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


NUM = r"\d{1,4}|[零〇一二两三四五六七八九十]{1,4}"  # Arabic or Chinese numerals
WD = alternation(EN_WEEKDAYS)
MON = alternation(EN_MONTHS)
ORD = r"(?:st|nd|rd|th)?"
_ZH_WD = r"(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"
_WD_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # what an English weekday rule needs
_MON_KEYS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


# --------------------------------------------------------------- calendar math


def month_end(day: date) -> date:
    """Last day of day's month."""
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped (Jan 31 + 1 month = Feb 28)."""
    year, month_index = divmod(day.month - 1 + months, 12)
    first = date(day.year + year, month_index + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))


def weekday_of_week(today: date, weekday: int, weeks_ahead: int) -> date:
    """`weekday` (0 = Mon) of the ISO week `weeks_ahead` after today's (0 = this week)."""
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=7 * weeks_ahead + weekday)


def coming_weekday(today: date, weekday: int) -> date:
    """The next `weekday` strictly after today (1..7 days ahead): bare "fri" / 周五."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def upcoming_month_day(today: date, month: int, day: int) -> date:
    """This year's month-day if it is today or later, else next year's."""
    try:
        candidate = date(today.year, month, day)
        if candidate >= today:
            return candidate
    except ValueError:  # 2月29日 in a common year: try next year's
        pass
    return date(today.year + 1, month, day)


def recent_month_day(today: date, month: int, day: int) -> date:
    """This year's month-day if it is today or earlier, else last year's."""
    try:
        candidate = date(today.year, month, day)
        if candidate <= today:
            return candidate
    except ValueError:  # 2月29日 in a common year: try last year's
        pass
    return date(today.year - 1, month, day)


def month_day(ctx: Context, month: int, day: int) -> date:
    """A month and day without a year: the coming one, or the most recent one when the text is about the past."""
    return (recent_month_day if ctx.past else upcoming_month_day)(ctx.today, month, day)


def upcoming_day_of_month(today: date, day: int) -> date:
    """This month's day `day` if it is today or later, else next month's (5号)."""
    try:
        candidate = today.replace(day=day)
        if candidate >= today:
            return candidate
    except ValueError:  # 31号 in November: December's
        pass
    return add_months(today.replace(day=1), 1).replace(day=day)


def recent_day_of_month(today: date, day: int) -> date:
    """This month's day `day` if it is today or earlier, else last month's (5号 typed on the 3rd)."""
    try:
        candidate = today.replace(day=day)
        if candidate <= today:
            return candidate
    except ValueError:  # 31号 on 10 November: not this month's, and October's is the most recent
        pass
    return add_months(today.replace(day=1), -1).replace(day=day)


def at(day: date, minutes: int, tz) -> datetime:
    # minutes may be 24*60 (midnight ending the day): timedelta carries it to the next day.
    wall = datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minutes)
    # Through UTC and back: a wall time a daylight-saving change skips (02:30 on the
    # spring-forward night) becomes the real instant, shown as 03:30.
    return wall.astimezone(UTC).astimezone(tz)


def full_year(year: str, today: date) -> int:
    """A written year; two digits are this century's up to 20 years ahead, else the century before
    ("74" in 2026 is 1974: a birthday or a signed date, not a follow-up 48 years away)."""
    value = int(year)
    if len(year) == 2:
        value += today.year // 100 * 100
        if value > today.year + 20:
            value -= 100
    return value


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1..5, or -1 for the last) `weekday` of a month; ValueError when there is none."""
    if n == -1:
        end = month_end(date(year, month, 1))
        return end - timedelta(days=(end.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    if day.month != month:
        raise ValueError("no such weekday")
    return day


# ------------------------------------------------------------------- periods


def inside(start: date, end: date, ctx: Context, weekend: bool = False) -> Day:
    """The first working day (Mon-Fri; Sat-Sun for a weekend) from start to end whose default
    hour is still ahead; when none is left, the last one (a next date then refuses it as past)."""
    last = None
    day = start
    while day <= end:
        if (day.weekday() >= 5) == weekend:
            last = day
            if at(day, ctx.default_time.hour * 60 + ctx.default_time.minute, ctx.now.tzinfo) > ctx.now:
                return Day(day)
        day += timedelta(days=1)
    if last is None:
        raise ValueError("no working day in the period")
    return Day(last)


def _span(day: Day) -> Day:
    return Day(day.day, span=True)


def _week(ctx: Context, weeks_ahead: int, weekend: bool = False) -> Day:
    monday = weekday_of_week(ctx.today, 0, weeks_ahead)
    return _span(inside(monday, monday + timedelta(days=6), ctx, weekend))


def _month(ctx: Context, first: date) -> Day:
    return inside(first, month_end(first), ctx)


def _named_month(ctx: Context, month: int, year: int | None) -> Day:
    """A month named alone (3月份, "march"): this year's unless it is over, then next year's."""
    if year is None:
        year = ctx.today.year if month >= ctx.today.month else ctx.today.year + 1
    return _span(_month(ctx, date(year, month, 1)))


def _last_of(first: date, ctx: Context) -> Day:
    """The last working day of first's month (月底, "end of month")."""
    day = month_end(first)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return Day(day)


def _mid(first: date, ctx: Context, roll: bool = True) -> Day:
    """月中, "mid-month": the 15th, or the working day after it; once that has passed, next month's."""
    day = first.replace(day=15)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    minutes = ctx.default_time.hour * 60 + ctx.default_time.minute
    if roll and at(day, minutes, ctx.now.tzinfo) <= ctx.now:
        return _mid(add_months(first, 1), ctx, roll=False)
    return Day(day)


def _this_month(ctx: Context) -> date:
    return ctx.today.replace(day=1)


def _next_month(ctx: Context) -> date:
    return add_months(ctx.today.replace(day=1), 1)


def _zh_month(m: re.Match, ctx: Context) -> Day:
    month = zh_int(m["m"])
    if month is None or not 1 <= month <= 12:
        raise ValueError("no such month")
    year = None
    if m["y"]:
        year = zh_int(m["y"])
    elif m["rel"]:
        year = ctx.today.year + {"去年": -1, "今年": 0, "明年": 1}[m["rel"]]
    return _named_month(ctx, month, year)


def _en_month(m: re.Match, ctx: Context) -> Day:
    year = int(m["y"]) if m["y"] else None
    if m["rel"] == "this":  # "next march" is the coming March, like "march"
        year = ctx.today.year
    return _named_month(ctx, EN_MONTHS[m["mon"]], year)


def _year_start(ctx: Context, years_ahead: int) -> Day:
    first = date(ctx.today.year + years_ahead, 1, 1)
    return _span(inside(first, date(first.year, 12, 31), ctx))


def _year_end(ctx: Context) -> Day:
    day = date(ctx.today.year, 12, 31)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return Day(day)


def _quarter(ctx: Context, quarters_ahead: int) -> Day:
    first = add_months(date(ctx.today.year, (ctx.today.month - 1) // 3 * 3 + 1, 1), 3 * quarters_ahead)
    return _span(inside(first, month_end(add_months(first, 2)), ctx))


_NEXT = r"(?:下个?|下一个?)"
_THIS = r"(?:这个?|本|今)"
_PERIOD_WORDS = [  # (English, Chinese, words one of which it needs, handler): one pattern per script, see parse_day
    (r"(?:next|(?:the\s+)?following|coming|upcoming)\s+week", rf"{_NEXT}(?:周|星期|礼拜)", ("week", "周", "星期", "礼拜"), lambda m, c: _week(c, 1)),
    (r"(?:the\s+)?week\s+after\s+next", r"下下个?(?:周|星期|礼拜)", ("week", "下下"), lambda m, c: _week(c, 2)),
    (r"this\s+week", rf"{_THIS}(?:周|星期|礼拜)", ("week", "周", "星期", "礼拜"), lambda m, c: _week(c, 0)),
    (r"(?:this\s+|the\s+)?weekend", rf"(?:{_THIS})?周末", ("weekend", "周末"), lambda m, c: _week(c, 0, weekend=True)),
    (r"next\s+weekend", rf"{_NEXT}周末", ("weekend", "周末"), lambda m, c: _week(c, 1, weekend=True)),
    (r"next\s+month", rf"{_NEXT}月", ("month", "月"), lambda m, c: _span(_month(c, _next_month(c)))),
    (r"(?:early\s+next|(?:the\s+)?(?:beginning|start)\s+of\s+next)\s+month", rf"{_NEXT}月初|月初",
     ("month", "月"), lambda m, c: _month(c, _next_month(c))),
    (r"this\s+month", rf"{_THIS}月", ("month", "月"), lambda m, c: _span(_month(c, _this_month(c)))),
    (r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month|eom", rf"(?:{_THIS})?月[底末]",
     ("month", "eom", "月"), lambda m, c: _last_of(_this_month(c), c)),
    (r"(?:the\s+)?end\s+of\s+next\s+month", rf"{_NEXT}月[底末]", ("month", "月"), lambda m, c: _last_of(_next_month(c), c)),
    (r"mid[\s-]?month|(?:the\s+)?middle\s+of\s+(?:the\s+|this\s+)?month", rf"(?:{_THIS})?月中(?:旬)?",
     ("month", "月"), lambda m, c: _mid(_this_month(c), c)),
    (r"mid\s+next\s+month|(?:the\s+)?middle\s+of\s+next\s+month", rf"{_NEXT}月中(?:旬)?",
     ("month", "月"), lambda m, c: _mid(_next_month(c), c, roll=False)),
    (r"next\s+(?:year|yr)", r"明年|下一?年", ("year", "yr", "明年", "下"), lambda m, c: _year_start(c, 1)),
    (r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year|eoy", r"(?:今年)?年[底末]", ("year", "eoy", "年"), lambda m, c: _year_end(c)),
    (r"next\s+(?:quarter|qtr)", r"下个?季度", ("quarter", "qtr", "季度"), lambda m, c: _quarter(c, 1)),
    (r"this\s+(?:quarter|qtr)", r"(?:这个?|本)季度", ("quarter", "qtr", "季度"), lambda m, c: _quarter(c, 0)),
    # fixed-date holidays: the coming one (the last one, for a day in the past)
    (r"new\s+year'?s?\s+day", r"元旦", ("new year", "元旦"), lambda m, c: Day(month_day(c, 1, 1))),
    (r"may\s+day", r"五一(?:劳动节)?|劳动节", ("may day", "五一", "劳动"), lambda m, c: Day(month_day(c, 5, 1))),
    (r"national\s+day", r"国庆节?", ("national", "国庆"), lambda m, c: Day(month_day(c, 10, 1))),
    (r"christmas(?:\s+day)?|xmas", r"圣诞节?", ("christmas", "xmas", "圣诞"), lambda m, c: Day(month_day(c, 12, 25))),
]
PERIODS = [(Lazy(pattern, *needs), handler) for *patterns, needs, handler in _PERIOD_WORDS for pattern in patterns] + [
    (Lazy(rf"(?:(?P<y>\d{{4}}|[零〇一二三四五六七八九]{{4}})年|(?P<rel>去年|今年|明年))?(?P<m>{NUM})月份?", "月"),
     _zh_month),
    (Lazy(rf"(?:in\s+|during\s+)?(?:(?P<rel>this|next)\s+)?(?P<mon>{MON})(?:\s*,?\s*(?P<y>\d{{4}}))?", *_MON_KEYS), _en_month),
]


# ----------------------------------------------------------------- day rules
# Rule handlers: (match, ctx) -> Day or None. A ValueError (13月1日) means "no day".


def _en_weekday(m, ctx):
    weekday, today, pre = EN_WEEKDAYS[m["wd"]], ctx.today, m["pre"]
    if pre == "this":
        return Day(weekday_of_week(today, weekday, 0))
    if pre == "next":
        return Day(weekday_of_week(today, weekday, 1))
    if pre in ("last", "past", "previous"):  # the most recent one before today
        return Day(today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1))
    if pre is None and ctx.past:  # "paid --on fri": the Friday just gone, or today if it is one
        return Day(today - timedelta(days=(today.weekday() - weekday) % 7))
    return Day(coming_weekday(today, weekday))  # bare or "coming"


_EN_WEEK_OFFSETS = {"this": 0, "next": 1, "last": -1, "previous": -1}


def _en_weekday_of_week(m, ctx):
    """ "<weekday> next week" or "next week's <weekday>" (the second spelling's groups end in 2)."""
    weekday, which = m["wd"] or m["wd2"], m["which"] or m["which2"]
    return Day(weekday_of_week(ctx.today, EN_WEEKDAYS[weekday], _EN_WEEK_OFFSETS[which]))


def _en_weekday_after_next(m, ctx):
    return Day(coming_weekday(ctx.today, EN_WEEKDAYS[m["wd"]]) + timedelta(days=7))


def _en_weekdays_counted(m, ctx):
    n, weekday = int(m["n"]), EN_WEEKDAYS[m["wd"]]
    if not 1 <= n <= 52:
        return None
    first = coming_weekday(ctx.today, weekday)
    if m["dir"] in ("ago", "back"):
        return Day(first - timedelta(days=7 * n))
    return Day(first + timedelta(days=7 * (n - 1)))


_ZH_WEEK_OFFSETS = {"这": 0, "这个": 0, "本": 0, "下": 1, "下个": 1, "下一个": 1,
                    "下下": 2, "下下个": 2, "上": -1, "上个": -1, "上一个": -1}


def _zh_weekday(m, ctx):
    weekday = ZH_WEEKDAYS[m["wd"]]
    if m["pre"] is None:
        if ctx.past:  # 周五 as a paid date: the one just gone, or today
            return Day(ctx.today - timedelta(days=(ctx.today.weekday() - weekday) % 7))
        return Day(coming_weekday(ctx.today, weekday))
    return Day(weekday_of_week(ctx.today, weekday, _ZH_WEEK_OFFSETS[m["pre"]]))


def _numeric(m, ctx):
    """2026-12-01, 2026/12/1; month first when the year comes last: 2/15, 3/3/2015, 10.31.1974."""
    month, day = int(m["m"]), int(m["d"])
    if m["y"]:
        return Day(date(full_year(m["y"], ctx.today), month, day))
    return Day(month_day(ctx, month, day))


def _en_month_day(m, ctx):
    month, day = EN_MONTHS[m["mon"]], int(m["d"])
    if m["y"]:
        return Day(date(full_year(m["y"], ctx.today), month, day))
    return Day(month_day(ctx, month, day))


def _zh_month_day(m, ctx):
    month, day = zh_int(m["m"]), zh_int(m["d"])
    if month is None or day is None:
        return None
    if m["y"]:
        year = zh_int(m["y"])
        return None if year is None else Day(date(year, month, day))
    if m["rel"]:
        year = ctx.today.year + {"去年": -1, "今年": 0, "明年": 1}[m["rel"]]
        return Day(date(year, month, day))
    return Day(month_day(ctx, month, day))


_MONTH_OFFSETS = {"下": 1, "下个": 1, "本": 0, "这": 0, "这个": 0, "上": -1, "上个": -1,
                  "this": 0, "the current": 0, "next": 1, "the next": 1, "last": -1,
                  "the last": -1, "the previous": -1, "previous": -1}


def _day_of_month(m, ctx):
    day = zh_int(m["d"])
    if day is None:
        return None
    if m["which"] is None:
        try:
            return Day((recent_day_of_month if ctx.past else upcoming_day_of_month)(ctx.today, day))
        except ValueError:
            if 1 <= day <= 31:
                ctx.missing.append((add_months(ctx.today.replace(day=1), -1 if ctx.past else 1), day))
            raise
    which = " ".join(m["which"].split()).removesuffix("月")
    first = add_months(ctx.today.replace(day=1), _MONTH_OFFSETS[which])
    return Day(first.replace(day=day))


_NTH = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1, "第一": 1, "第二": 2,
        "第三": 3, "第四": 4, "第五": 5, "最后一": -1, "第1": 1, "第2": 2, "第3": 3, "第4": 4, "第5": 5}


def _month_of(ctx, month: int | None, year: str | None = None, which: str | None = None) -> tuple[int, int]:
    """(year, month) for "of october [2014]", 十月, or "of this/next/last month" (month None)."""
    if month is None:
        first = add_months(ctx.today.replace(day=1), _MONTH_OFFSETS[" ".join((which or "this").split())])
        return first.year, first.month
    if year:
        return int(year), month
    return (ctx.today.year if month >= ctx.today.month else ctx.today.year + 1), month


def _en_nth_weekday(m, ctx):
    month = EN_MONTHS[m["mon"]] if m["mon"] else None
    year, month = _month_of(ctx, month, m["y"], m["which"])
    return Day(nth_weekday(year, month, EN_WEEKDAYS[m["wd"]], _NTH[m["n"]]))


def _zh_nth_weekday(m, ctx):
    month = zh_int(m["m"])
    if month is None:
        return None
    year, month = _month_of(ctx, month)
    return Day(nth_weekday(year, month, ZH_WEEKDAYS[m["wd"]], _NTH[m["n"]]))


def _en_last_day_of(m, ctx):
    year, month = _month_of(ctx, EN_MONTHS[m["mon"]], m["y"])
    return Day(month_end(date(year, month, 1)))


_EN_MONTH_WHICH = r"(?:(?:the\s+)?(?P<which>this|the current|next|the next|last|the last|the previous|previous)\s+|the\s+)month"
DAY_RULES = [
    (Lazy(rf"(?:(?P<pre>this|next|coming|last|past|previous)\s+)?(?P<wd>{WD})", *_WD_KEYS), _en_weekday),
    (Lazy(rf"(?P<wd>{WD})\s+(?:of\s+|from\s+)?(?P<which>this|next|last|previous)\s+week"
                rf"|(?P<which2>this|next|last|previous)\s+week(?:'s)?\s+(?P<wd2>{WD})", "week"),
     _en_weekday_of_week),
    (Lazy(rf"(?P<wd>{WD})\s+after\s+next", "after next"), _en_weekday_after_next),
    (Lazy(rf"(?P<n>\d{{1,2}})\s+(?P<wd>{WD})s?\s+(?P<dir>from\s+now|hence|ago|back)", "now", "hence", "ago", "back"),
     _en_weekdays_counted),
    (Lazy(r"(?P<pre>这个?|本|下下个?|下一?个?|上一?个?)?" + _ZH_WD, "周", "星期", "礼拜"), _zh_weekday),
    (Lazy(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})", "-", "/", "."), _numeric),
    (Lazy(r"(?P<m>\d{1,2})\s*(?P<sep>[-/])\s*(?P<d>\d{1,2})(?:\s*(?P=sep)\s*(?P<y>\d{4}|\d{2}))?", "-", "/"), _numeric),
    (Lazy(r"(?P<m>\d{1,2})\.(?P<d>\d{1,2})\.(?P<y>\d{4}|\d{2})", "."), _numeric),
    (Lazy(rf"(?P<mon>{MON})\.?\s*(?P<d>\d{{1,2}}){ORD}(?:(?:\s*,\s*|\s+)(?P<y>\d{{4}}))?", *_MON_KEYS),
     _en_month_day),
    (Lazy(rf"(?:the\s+)?(?P<d>\d{{1,2}}){ORD}\s*(?:of\s+)?(?P<mon>{MON})\.?(?:(?:\s*,\s*|\s+)(?P<y>\d{{4}}))?",
          *_MON_KEYS), _en_month_day),
    (Lazy(rf"(?P<d>\d{{1,2}})-(?P<mon>{MON})-(?P<y>\d{{4}}|\d{{2}})", *_MON_KEYS), _en_month_day),
    (Lazy(rf"(?:(?P<y>\d{{4}}|[零〇一二三四五六七八九]{{4}})年,?|(?P<rel>去年|今年|明年))?"
                rf"(?P<m>{NUM})月(?P<d>{NUM})[日号]", "月"), _zh_month_day),
    (Lazy(rf"(?P<which>下个?月|本月|这个?月|上个?月)?(?P<d>{NUM})[日号]", "日", "号"), _day_of_month),
    (Lazy(rf"(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)(?:\s+of\s+{_EN_MONTH_WHICH})?", "st", "nd", "rd", "th"),
     _day_of_month),
    (Lazy(rf"(?:the\s+)?(?P<n>1st|2nd|3rd|4th|5th|last)\s+(?P<wd>{WD})\s+(?:of|in)\s+"
                rf"(?:(?P<mon>{MON})(?:\s*,?\s*(?P<y>\d{{4}}))?|{_EN_MONTH_WHICH})", "1st", "2nd", "3rd", "4th", "5th", "last"), _en_nth_weekday),
    (Lazy(rf"(?P<m>{NUM})月(?:的)?(?P<n>第[一二三四五1-5]|最后一)个?{_ZH_WD}", "第", "最后"),
     _zh_nth_weekday),
    (Lazy(rf"(?:the\s+)?last\s+day\s+(?:of|in)\s+(?P<mon>{MON})(?:\s*,?\s*(?P<y>\d{{4}}))?", "last day"),
     _en_last_day_of),
]


_ZH_WD_FIRST = Lazy(_ZH_WD + r",?(?P<rest>.+)", "周", "星期", "礼拜")
_ZH_WD_LAST = Lazy(r"(?P<rest>.+?)[,(]?" + _ZH_WD + r"\)?", "周", "星期", "礼拜")


def _with_weekday(s: str, ctx: Context) -> Day | None:
    """A date with its weekday ("Fri, Jul 18", "周日二月十号"): they must agree.

    A month and day written without a year that fall on the weekday only in this year,
    already past ("Sunday, Feb 10" typed on the 12th), are this year's; a date is never
    moved a year ahead to fit a weekday (a typo would become a date a year away). When
    they disagree, the day comes back with named_weekday set and the caller refuses it
    naming both.
    """
    for weekday, rest in _weekday_and_rest(s):
        day = parse_day(rest, ctx, with_weekday=False)
        if day is None or day.hint is not None:
            continue
        if day.day.weekday() == weekday:
            return day
        # (a past day read as last year's is not moved forward to this year either)
        if (day.day.year > ctx.today.year and _names_month(rest)
                and not re.search(r"\d{4}|[零〇一二三四五六七八九]{4}年|去年|今年|明年", rest)):
            try:
                this_year = day.day.replace(year=ctx.today.year)
            except ValueError:
                this_year = None
            if this_year is not None and this_year.weekday() == weekday:
                return Day(this_year)
        return Day(day.day, named_weekday=weekday)
    return None


def _weekday_and_rest(s: str):
    """(weekday, the rest of the text) for a weekday written first or last: "fri, jul 18", "周日二月十号"."""
    if s.isascii():
        words = s.replace(",", " ").split()
        if len(words) > 1:
            for word, rest in ((words[0], words[1:]), (words[-1], words[:-1])):
                weekday = EN_WEEKDAYS.get(word.rstrip("."))
                if weekday is not None:
                    yield weekday, " ".join(rest)
        return
    for pattern in (_ZH_WD_FIRST, _ZH_WD_LAST):
        m = pattern.fits(s) and pattern.fullmatch(s)
        if m:
            yield ZH_WEEKDAYS[m["wd"]], m["rest"].strip(" ,")


def _names_month(text: str) -> bool:
    return "月" in text or re.search(rf"\b(?:{MON})\b|\d\s*[-/]\s*\d", text) is not None


# (pattern, handler, is_period) in the order they are tried: the day rules, then the periods.
_EN_RULES = [(p, h, False) for p, h in DAY_RULES if p.ascii] + [(p, h, True) for p, h in PERIODS if p.ascii]
_ZH_RULES = [(p, h, False) for p, h in DAY_RULES if not p.ascii] + [(p, h, True) for p, h in PERIODS if not p.ascii]
# Chinese text is split between every two characters, so a substring looks its candidate
# rules up by character instead of asking each rule whether it fits.
_ZH_BY_CHAR: dict[str, set[int]] = {}
for _index, (_pattern, _, _) in enumerate(_ZH_RULES):
    for _char in _pattern.first_chars or ():
        _ZH_BY_CHAR.setdefault(_char, set()).add(_index)
_ZH_ALWAYS = {i for i, (p, _, _) in enumerate(_ZH_RULES) if not p.first_chars}
# English likewise by the words the rules need ("mon", "week", "/"), each looked for once.
_EN_BY_WORD: dict[str, set[int]] = {}
for _index, (_pattern, _, _) in enumerate(_EN_RULES):
    for _word in _pattern.needs:
        _EN_BY_WORD.setdefault(_word, set()).add(_index)
_EN_ALWAYS = {i for i, (p, _, _) in enumerate(_EN_RULES) if not p.needs}


def _rules_for(s: str) -> list:
    if s.isascii():
        hits = set(_EN_ALWAYS)
        for word, rules in _EN_BY_WORD.items():
            if word in s:
                hits.update(rules)
        return [_EN_RULES[i] for i in sorted(hits)]
    hits = set(_ZH_ALWAYS)
    for char in set(s):
        hits.update(_ZH_BY_CHAR.get(char, ()))
    return [_ZH_RULES[i] for i in sorted(hits)]


def relative_day(amount: int, unit: str, today: date) -> Day:
    """ "in 3 days", "两周后", "1个月后", "3 years from today" as a day."""
    if unit == "months":
        return Day(add_months(today, amount))
    if unit == "years":
        return Day(add_months(today, 12 * amount))
    return Day(today + timedelta(days=amount * (7 if unit == "weeks" else 1)))


def parse_day(s: str, ctx: Context, with_weekday: bool = True) -> Day | None:
    """A text naming a day ("fri", "下周五", "dec 1", "下个月"), else None (relative amounts aside)."""
    if " " in s:
        s = re.sub(r"^(?:on|for|around|about)\s+", "", s)  # "3pm on fri"
    if s in DAY_WORDS:
        offset, hint, implied = DAY_WORDS[s]
        return Day(ctx.today + timedelta(days=offset), hint, implied, bare_hour=s.isascii())
    try:
        # Only the rules of the text's script whose words it contains: the others never
        # match, and stay uncompiled.
        for pattern, handler, is_period in _rules_for(s):
            m = pattern.fullmatch(s)
            if m:
                day = handler(m, ctx)
                if day is not None or is_period:
                    return day
        if with_weekday and len(s) > 3:
            return _with_weekday(s, ctx)
    except (ValueError, OverflowError):  # 13月1日, 2月30日, a 5th Monday that is not there
        return None
    return None
