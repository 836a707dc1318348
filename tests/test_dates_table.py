"""A table of typed dates, both languages and scripts, read at awkward moments.

Each row is (clock, text, expected, has_time): expected is the local wall time worked out by hand
(or a UTC instant where a daylight-saving change makes the wall time ambiguous), None for a text
that must be refused. The clocks: late evening, the last day of a month after the default hour,
a Sunday, 31 December, 29 February, and both daylight-saving changes of New York.
"""

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crmtui.core import dates
from crmtui.core.dates import (
    DateInPastError,
    DateParseError,
    DateWeekdayError,
    format_when,
    parse_day,
    parse_next_date,
    parse_when,
)
from crmtui.core.dates.fallback import parse_with_dateparser

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
SRC = Path(__file__).resolve().parents[1] / "src"

CLOCKS = {
    "late": datetime(2026, 11, 24, 23, 30, tzinfo=SHANGHAI),       # Tuesday, late evening
    "month_end": datetime(2026, 11, 30, 16, 0, tzinfo=SHANGHAI),   # Monday, last day of November
    "sunday": datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI),      # Sunday morning
    "nye": datetime(2026, 12, 31, 18, 0, tzinfo=SHANGHAI),         # Thursday, 31 December
    "leap": datetime(2028, 2, 29, 10, 0, tzinfo=SHANGHAI),         # Tuesday, 29 February
    "spring": datetime(2026, 3, 7, 22, 0, tzinfo=NEW_YORK),        # Saturday; 02:00 Sunday jumps to 03:00
    "autumn": datetime(2026, 10, 31, 23, 30, tzinfo=NEW_YORK),     # Saturday; 02:00 Sunday falls back to 01:00
}

D, T = False, True  # a day at the default time (09:00) / a time the text named

ROWS = [
    # ---- late: Tue 24 Nov 2026 23:30
    ("late", "明天", (2026, 11, 25, 9, 0), D),
    ("late", "tomorrow", (2026, 11, 25, 9, 0), D),
    ("late", "今晚", (2026, 11, 24, 19, 0), T),
    ("late", "tonight", (2026, 11, 24, 19, 0), T),
    ("late", "明晚8点", (2026, 11, 25, 20, 0), T),
    ("late", "tomorrow evening", (2026, 11, 25, 19, 0), T),
    ("late", "3点", None, T),                              # 15:00 passed hours ago: today's or tomorrow's? refused
    ("late", "3:30", None, T),                             # the same rule with a colon
    ("late", "明天3点", (2026, 11, 25, 15, 0), T),         # 1-7 without a part of day: the afternoon
    ("late", "11pm", (2026, 11, 24, 23, 0), T),            # passed 30 minutes ago: still today's
    ("late", "10pm", None, T),                             # passed 90 minutes ago: the rep writes the day
    ("late", "midnight", (2026, 11, 25, 0, 0), T),
    ("late", "in 45 minutes", (2026, 11, 25, 0, 15), T),
    ("late", "半小时后", (2026, 11, 25, 0, 0), T),
    ("late", "明天下午", (2026, 11, 25, 15, 0), T),
    ("late", "明早", (2026, 11, 25, 9, 0), T),
    ("late", "聽日", (2026, 11, 25, 9, 0), D),
    ("late", "聽朝", (2026, 11, 25, 9, 0), T),
    ("late", "後日", (2026, 11, 26, 9, 0), D),
    ("late", "大後日", (2026, 11, 27, 9, 0), D),
    ("late", "琴日", (2026, 11, 23, 9, 0), D),
    ("late", "下週一", (2026, 11, 30, 9, 0), D),
    ("late", "next week", (2026, 11, 30, 9, 0), D),
    ("late", "下周", (2026, 11, 30, 9, 0), D),
    ("late", "本周末", (2026, 11, 28, 9, 0), D),
    ("late", "this week", (2026, 11, 25, 9, 0), D),        # the next working day left this week
    ("late", "月底", (2026, 11, 30, 9, 0), D),
    ("late", "eight tonight", (2026, 11, 24, 20, 0), T),
    ("late", "at 8 in the evening", None, T),
    ("late", "tomorrow at 8 in the evening", (2026, 11, 25, 20, 0), T),
    ("late", "this afternoon", (2026, 11, 24, 15, 0), T),  # a part of day alone is today's
    ("late", "十一点一刻", None, T),
    ("late", "明天十一点一刻", (2026, 11, 25, 11, 15), T),
    ("late", "今晚8點正", (2026, 11, 24, 20, 0), T),
    ("late", "明天晚上十點", (2026, 11, 25, 22, 0), T),
    ("late", "tomorrow afternoon at 4", (2026, 11, 25, 16, 0), T),
    ("late", "tmrw 10:15am", (2026, 11, 25, 10, 15), T),
    ("late", "明天 下午 2 点", (2026, 11, 25, 14, 0), T),
    ("late", "明天09:05", (2026, 11, 25, 9, 5), T),
    ("late", "tonight 9am", None, None),
    ("late", "今晚下午3点", None, None),
    ("late", "tomorrow tonight", None, None),
    # ---- month_end: Mon 30 Nov 2026 16:00
    ("month_end", "月底", (2026, 11, 30, 9, 0), D),         # the last working day; already past
    ("month_end", "end of month", (2026, 11, 30, 9, 0), D),
    ("month_end", "下个月", (2026, 12, 1, 9, 0), D),
    ("month_end", "下月初", (2026, 12, 1, 9, 0), D),
    ("month_end", "下個月", (2026, 12, 1, 9, 0), D),
    ("month_end", "月初", (2026, 12, 1, 9, 0), D),
    ("month_end", "next month", (2026, 12, 1, 9, 0), D),
    ("month_end", "月中", (2026, 12, 15, 9, 0), D),         # this month's has passed: next month's
    ("month_end", "下个月中", (2026, 12, 15, 9, 0), D),
    ("month_end", "mid next month", (2026, 12, 15, 9, 0), D),
    ("month_end", "下个月底", (2026, 12, 31, 9, 0), D),
    ("month_end", "end of next month", (2026, 12, 31, 9, 0), D),
    ("month_end", "31号", (2026, 12, 31, 9, 0), D),         # November has no 31st
    ("month_end", "30号", (2026, 11, 30, 9, 0), D),
    ("month_end", "1号", (2026, 12, 1, 9, 0), D),
    ("month_end", "the 1st", (2026, 12, 1, 9, 0), D),
    ("month_end", "on the 3rd", (2026, 12, 3, 9, 0), D),
    ("month_end", "in 1 month", (2026, 12, 30, 9, 0), D),
    ("month_end", "1个月后", (2026, 12, 30, 9, 0), D),
    ("month_end", "下个月5号", (2026, 12, 5, 9, 0), D),
    ("month_end", "12月", (2026, 12, 1, 9, 0), D),
    ("month_end", "11月份", (2026, 11, 30, 9, 0), D),       # this month, nothing left: its last working day
    ("month_end", "明年九月", (2027, 9, 1, 9, 0), D),
    ("month_end", "3月份", (2027, 3, 1, 9, 0), D),
    ("month_end", "三月", (2027, 3, 1, 9, 0), D),
    ("month_end", "in march", (2027, 3, 1, 9, 0), D),
    ("month_end", "2027年5月", (2027, 5, 3, 9, 0), D),       # 1 May 2027 is a Saturday
    ("month_end", "may 2027", (2027, 5, 3, 9, 0), D),
    ("month_end", "during january", (2027, 1, 1, 9, 0), D),
    ("month_end", "the following week", (2026, 12, 7, 9, 0), D),
    ("month_end", "next qtr", (2027, 1, 1, 9, 0), D),
    ("month_end", "下午3点半", (2026, 11, 30, 15, 30), T),  # 30 minutes ago: today's
    ("month_end", "下午3点", None, T),                      # exactly an hour ago: the rep writes the day
    ("month_end", "5pm", (2026, 11, 30, 17, 0), T),
    ("month_end", "dec 1", (2026, 12, 1, 9, 0), D),
    ("month_end", "12/1", (2026, 12, 1, 9, 0), D),
    ("month_end", "Tue, Dec 1", (2026, 12, 1, 9, 0), D),
    ("month_end", "周二 12月1日", (2026, 12, 1, 9, 0), D),
    ("month_end", "12月1日(周二)", (2026, 12, 1, 9, 0), D),
    ("month_end", "Wed, Dec 1", None, None),                # never moved a year ahead to fit the weekday
    ("month_end", "周三12月1号", None, None),
    ("month_end", "mid-month", (2026, 12, 15, 9, 0), D),
    ("month_end", "the 20th of next month", (2026, 12, 20, 9, 0), D),
    ("month_end", "12月1号下午两点", (2026, 12, 1, 14, 0), T),
    # ---- sunday: Sun 29 Nov 2026 10:00
    ("sunday", "周日", (2026, 12, 6, 9, 0), D),             # bare weekday: strictly after today
    ("sunday", "这周日", (2026, 11, 29, 9, 0), D),
    ("sunday", "本周五", (2026, 11, 27, 9, 0), D),
    ("sunday", "下周五", (2026, 12, 4, 9, 0), D),
    ("sunday", "下下周一", (2026, 12, 7, 9, 0), D),
    ("sunday", "next monday", (2026, 11, 30, 9, 0), D),
    ("sunday", "monday", (2026, 11, 30, 9, 0), D),
    ("sunday", "friday after next", (2026, 12, 11, 9, 0), D),
    ("sunday", "wednesday next week", (2026, 12, 2, 9, 0), D),
    ("sunday", "next week's thursday", (2026, 12, 3, 9, 0), D),
    ("sunday", "last friday", (2026, 11, 27, 9, 0), D),
    ("sunday", "上周五", (2026, 11, 20, 9, 0), D),
    ("sunday", "上週五", (2026, 11, 20, 9, 0), D),
    ("sunday", "本周末", (2026, 11, 29, 9, 0), D),           # Saturday gone, Sunday's 09:00 too: its last day
    ("sunday", "下周末", (2026, 12, 5, 9, 0), D),
    ("sunday", "this week", (2026, 11, 27, 9, 0), D),       # no working day left: its last
    ("sunday", "next week", (2026, 11, 30, 9, 0), D),
    ("sunday", "礼拜天", (2026, 12, 6, 9, 0), D),
    ("sunday", "禮拜三", (2026, 12, 2, 9, 0), D),
    ("sunday", "今個星期三", (2026, 11, 25, 9, 0), D),
    ("sunday", "3 sundays from now", (2026, 12, 20, 9, 0), D),
    ("sunday", "two mondays ago", (2026, 11, 16, 9, 0), D),
    ("sunday", "Sun 29th", (2026, 11, 29, 9, 0), D),
    ("sunday", "Sat 29th", None, None),
    ("sunday", "tomorrow 9", (2026, 11, 30, 9, 0), T),
    ("sunday", "tomorrow 3", (2026, 11, 30, 15, 0), T),
    ("sunday", "mon 10", None, None),
    ("sunday", "下周三晚上7点半", (2026, 12, 2, 19, 30), T),
    ("sunday", "9点", None, T),                                # exactly an hour ago: the rep writes the day
    ("sunday", "十点半", (2026, 11, 29, 10, 30), T),
    ("sunday", "noon", (2026, 11, 29, 12, 0), T),
    ("sunday", "晏晝", (2026, 11, 29, 15, 0), T),
    ("sunday", "下晝5點", (2026, 11, 29, 17, 0), T),
    ("sunday", "三点三个字", (2026, 11, 29, 15, 15), T),
    ("sunday", "三点搭半", (2026, 11, 29, 15, 30), T),
    ("sunday", "三点三", None, None),
    ("sunday", "half past 3 pm", (2026, 11, 29, 15, 30), T),
    ("sunday", "a quarter past 4pm", (2026, 11, 29, 16, 15), T),
    ("sunday", "a quarter to noon", (2026, 11, 29, 11, 45), T),
    ("sunday", "20 minutes to 2pm", (2026, 11, 29, 13, 40), T),
    ("sunday", "19h30", (2026, 11, 29, 19, 30), T),
    ("sunday", "15h", (2026, 11, 29, 15, 0), T),
    ("sunday", "3 o'clock in the afternoon", (2026, 11, 29, 15, 0), T),
    ("sunday", "ten thirty am", (2026, 11, 29, 10, 30), T),
    ("sunday", "in 2.5 hours", (2026, 11, 29, 12, 30), T),
    ("sunday", "in half an hour", (2026, 11, 29, 10, 30), T),
    ("sunday", "in a couple of hours", (2026, 11, 29, 12, 0), T),
    ("sunday", "march first", (2027, 3, 1, 9, 0), D),
    ("sunday", "first tuesday of october", (2027, 10, 5, 9, 0), D),
    ("sunday", "十月第一个星期一", (2027, 10, 4, 9, 0), D),
    ("sunday", "十月的最后一个星期五", (2027, 10, 29, 9, 0), D),
    ("sunday", "2/15", (2027, 2, 15, 9, 0), D),
    ("sunday", "3/3/74", (1974, 3, 3, 9, 0), D),            # two digits: up to 20 years ahead, else the 1900s
    ("sunday", "31-oct-46", (2046, 10, 31, 9, 0), D),
    ("sunday", "1.2.47", (1947, 1, 2, 9, 0), D),
    ("sunday", "4/25 at 4pm", (2027, 4, 25, 16, 0), T),
    ("sunday", "7 days hence", (2026, 12, 6, 9, 0), D),
    ("sunday", "3 years from today", (2029, 11, 29, 9, 0), D),
    ("sunday", "saturday morning at 9", (2026, 12, 5, 9, 0), T),
    ("sunday", "at 3", (2026, 11, 29, 15, 0), T),
    ("sunday", "at 1030", (2026, 11, 29, 10, 30), T),
    ("sunday", "at 150", None, None),
    ("sunday", "4a", None, None),
    ("sunday", "dec 1 9", None, None),
    ("sunday", "two three", None, None),
    ("sunday", "下周八", None, None),
    ("sunday", "asdf", None, None),
    ("sunday", "明天 asdf", None, None),
    ("sunday", "3pm around the corner", None, None),
    # ---- nye: Thu 31 Dec 2026 18:00
    ("nye", "明天", (2027, 1, 1, 9, 0), D),
    ("nye", "元旦", (2027, 1, 1, 9, 0), D),
    ("nye", "下周一", (2027, 1, 4, 9, 0), D),
    ("nye", "下个月", (2027, 1, 1, 9, 0), D),               # Friday 1 January: public holidays are not known
    ("nye", "next year", (2027, 1, 1, 9, 0), D),
    ("nye", "明年", (2027, 1, 1, 9, 0), D),
    ("nye", "年底", (2026, 12, 31, 9, 0), D),
    ("nye", "1月5日", (2027, 1, 5, 9, 0), D),
    ("nye", "12月31日", (2026, 12, 31, 9, 0), D),
    ("nye", "dec 30", (2027, 12, 30, 9, 0), D),
    ("nye", "周五", (2027, 1, 1, 9, 0), D),
    ("nye", "in 2 weeks", (2027, 1, 14, 9, 0), D),
    ("nye", "两周后", (2027, 1, 14, 9, 0), D),
    ("nye", "兩個禮拜後", (2027, 1, 14, 9, 0), D),
    ("nye", "tonight", (2026, 12, 31, 19, 0), T),
    ("nye", "midnight", (2027, 1, 1, 0, 0), T),
    ("nye", "晚上12点", (2027, 1, 1, 0, 0), T),
    ("nye", "in 8 hours", (2027, 1, 1, 2, 0), T),
    ("nye", "3pm", None, T),
    ("nye", "tomorrow 3pm", (2027, 1, 1, 15, 0), T),
    ("nye", "1/4", (2027, 1, 4, 9, 0), D),
    ("nye", "明年3月1日", (2027, 3, 1, 9, 0), D),
    ("nye", "月底", (2026, 12, 31, 9, 0), D),
    ("nye", "下个月底", (2027, 1, 29, 9, 0), D),              # 30 and 31 January 2027 are a weekend
    ("nye", "next quarter", (2027, 1, 1, 9, 0), D),
    ("nye", "十二月", (2026, 12, 31, 9, 0), D),
    ("nye", "3年后", (2029, 12, 31, 9, 0), D),
    ("nye", "in 1 month", (2027, 1, 31, 9, 0), D),
    ("nye", "first monday of january", (2027, 1, 4, 9, 0), D),
    ("nye", "周四 12月31日", (2026, 12, 31, 9, 0), D),
    ("nye", "２０２７年１月８日", (2027, 1, 8, 9, 0), D),
    ("nye", "二零二七年一月八号", (2027, 1, 8, 9, 0), D),
    # ---- leap: Tue 29 Feb 2028 10:00
    ("leap", "明天", (2028, 3, 1, 9, 0), D),
    ("leap", "in 1 year", (2029, 2, 28, 9, 0), D),
    ("leap", "1年后", (2029, 2, 28, 9, 0), D),
    ("leap", "2月29日", (2028, 2, 29, 9, 0), D),
    ("leap", "feb 29", (2028, 2, 29, 9, 0), D),
    ("leap", "2月28日", (2029, 2, 28, 9, 0), D),
    ("leap", "明年2月29日", None, None),
    ("leap", "月底", (2028, 2, 29, 9, 0), D),
    ("leap", "下个月", (2028, 3, 1, 9, 0), D),
    ("leap", "in 1 month", (2028, 3, 29, 9, 0), D),
    ("leap", "周二", (2028, 3, 7, 9, 0), D),
    ("leap", "下周二", (2028, 3, 7, 9, 0), D),
    ("leap", "3/1", (2028, 3, 1, 9, 0), D),
    ("leap", "the 29th", (2028, 2, 29, 9, 0), D),
    ("leap", "the 30th", (2028, 3, 30, 9, 0), D),
    ("leap", "30号", (2028, 3, 30, 9, 0), D),
    ("leap", "月中", (2028, 3, 15, 9, 0), D),
    ("leap", "本月中", (2028, 3, 15, 9, 0), D),
    ("leap", "Tue, Feb 29", (2028, 2, 29, 9, 0), D),
    ("leap", "Wed, Feb 29", None, None),
    ("leap", "下午3點半", (2028, 2, 29, 15, 30), T),
    ("leap", "今天下午三点", (2028, 2, 29, 15, 0), T),
    ("leap", "２点", (2028, 2, 29, 14, 0), T),
    ("leap", "2月30日", None, None),
    ("leap", "25:00", None, None),
    # ---- spring: Sat 7 Mar 2026 22:00 New York (EST); Sunday 02:00 becomes 03:00 (EDT)
    ("spring", "in 6 hours", (2026, 3, 8, 5, 0), T),         # six hours elapsed, not wall-clock hours
    ("spring", "in 3 hours", (2026, 3, 8, 1, 0), T),
    ("spring", "tomorrow 9am", (2026, 3, 8, 9, 0), T),
    ("spring", "明天上午9点", (2026, 3, 8, 9, 0), T),
    ("spring", "tomorrow 2:30am", (2026, 3, 8, 3, 30), T),    # 02:30 does not exist that night
    ("spring", "下周一", (2026, 3, 9, 9, 0), D),
    ("spring", "midnight", (2026, 3, 8, 0, 0), T),
    ("spring", "明天", (2026, 3, 8, 9, 0), D),
    # ---- autumn: Sat 31 Oct 2026 23:30 New York (EDT); Sunday 02:00 becomes 01:00 (EST)
    ("autumn", "in 3 hours", datetime(2026, 11, 1, 6, 30, tzinfo=UTC), T),  # the second 01:30
    ("autumn", "in 2 hours", datetime(2026, 11, 1, 5, 30, tzinfo=UTC), T),  # the first 01:30
    ("autumn", "tomorrow 3pm", (2026, 11, 1, 15, 0), T),
    ("autumn", "明天", (2026, 11, 1, 9, 0), D),
    ("autumn", "next week", (2026, 11, 2, 9, 0), D),
    ("autumn", "下个月", (2026, 11, 2, 9, 0), D),             # 1 November 2026 is a Sunday
]


def _expected_instant(clock: str, expected) -> datetime:
    if isinstance(expected, datetime):
        return expected
    return datetime(*expected, tzinfo=CLOCKS[clock].tzinfo)


def _row_id(row) -> str:
    return f"{row[0]}:{row[1]}"


@pytest.mark.parametrize(("clock", "text", "expected", "has_time"), ROWS, ids=[_row_id(r) for r in ROWS])
def test_table(clock, text, expected, has_time):
    now = CLOCKS[clock]
    if expected is None:
        with pytest.raises(DateParseError) as info:
            parse_when(text, now)
        assert info.value.text == text
        return
    parsed = parse_when(text, now)
    want = _expected_instant(clock, expected)
    # Compared as instants: around a daylight-saving change two wall times can share a reading.
    assert (parsed.when.astimezone(UTC), parsed.has_time) == (want.astimezone(UTC), has_time)
    assert parsed.when.tzinfo is now.tzinfo


def test_the_table_is_large_and_covers_both_languages_and_scripts():
    texts = [row[1] for row in ROWS]
    assert len(ROWS) >= 150
    assert sum(dates._has_cjk(t) for t in texts) >= 60
    assert sum(not dates._has_cjk(t) for t in texts) >= 60
    traditional = "週號點後個禮"
    assert sum(any(c in t for c in traditional) for t in texts) >= 10
    assert {"聽日", "後日", "琴日"} <= set(texts)


@pytest.mark.parametrize(("clock", "text", "expected", "has_time"),
                         [r for r in ROWS if r[2] is not None], ids=[_row_id(r) for r in ROWS if r[2] is not None])
def test_a_next_date_is_never_in_the_past(clock, text, expected, has_time):
    now = CLOCKS[clock]
    try:
        parsed = parse_next_date(text, now)
    except DateInPastError as error:
        assert error.parsed.when <= now
        return
    assert parsed.when > now


@pytest.mark.parametrize(("clock", "text", "shown"), [
    ("late", "下周", "Mon 30 Nov"),
    ("sunday", "eight tonight", "Sun 29 Nov 20:00"),
    ("late", "tomorrow 3:30", "Wed 25 Nov 15:30"),
    ("month_end", "下个月底", "Thu 31 Dec"),
    ("nye", "下周一", "Mon 4 Jan 2027"),
    ("spring", "tomorrow 2:30am", "Sun 8 Mar 03:30"),
])
def test_the_preview_says_the_weekday_date_and_time_read(clock, text, shown):
    now = CLOCKS[clock]
    parsed = parse_next_date(text, now)
    assert format_when(parsed.when, parsed.has_time, "en", now.date()) == shown


def test_a_period_with_no_working_day_left_is_refused_as_a_next_date():
    with pytest.raises(DateInPastError) as info:
        parse_next_date("月底", CLOCKS["month_end"])
    assert str(info.value) == 'the date "月底" is in the past (read as Mon 30 Nov 09:00)'
    assert parse_next_date("月底", CLOCKS["month_end"].replace(hour=8)).when == datetime(
        2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("text", "message"), [
    ("Sat 29th", 'the date "Sat 29th" names a Saturday, but Sun 29 Nov is not one'),
    ("周五 12月1日", 'the date "周五 12月1日" names a Friday, but Tue 1 Dec is not one'),
])
def test_a_weekday_that_contradicts_the_date_is_refused_naming_both(text, message):
    with pytest.raises(DateWeekdayError) as info:
        parse_when(text, CLOCKS["sunday"])
    assert str(info.value) == message
    assert info.value.weekday != info.value.day.weekday()


def test_the_weekday_refusal_reads_in_chinese_with_the_weekday_and_date_in_chinese():
    from crmtui.core import i18n, labels

    with pytest.raises(DateWeekdayError) as info:
        parse_when("周五 12月1日", CLOCKS["sunday"])
    i18n.set_language("zh")
    try:
        shown = format(labels.DateProblem(info.value))
    finally:
        i18n.set_language("en")
    assert shown == '日期 "周五 12月1日" 写的是周五，但 12月1日 周二 不是周五'


@pytest.mark.parametrize("text", ["3:30", "at 3", "3 o'clock", "3点", "三点", "3點"])
def test_a_bare_hour_of_three_is_the_afternoon_in_every_spelling(text):
    parsed = parse_when(text, CLOCKS["sunday"])
    assert (parsed.when.hour, parsed.when.minute in (0, 30)) == (15, True)


@pytest.mark.parametrize("text", ["03:30", "3am", "凌晨3点", "3 in the morning"])
def test_a_leading_zero_or_a_part_of_day_keeps_the_small_hours(text):
    assert parse_when(text, CLOCKS["sunday"].replace(hour=1)).when.hour == 3


# ------------------------------------------------------------ dateparser fallback


def test_dateparser_answers_are_kept_only_when_they_carry_what_was_written():
    now = CLOCKS["sunday"]
    assert parse_with_dateparser("december the 3rd", now, time(9, 0)) == (
        datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI), False)
    # 3 December 2026 is a Thursday: a Friday written beside it is not carried, so refused.
    assert parse_with_dateparser("friday december the 3rd", now, time(9, 0)) is None


@pytest.mark.parametrize("text", ["december the 3rd in the morning", "december the 3rd at noon",
                                  "the 3rd of decembre", "december the 3rd at 5"])
def test_text_dateparser_would_guess_at_is_not_handed_to_it(monkeypatch, text):
    monkeypatch.setitem(sys.modules, "dateparser", None)  # importing it would raise
    assert parse_with_dateparser(text, CLOCKS["sunday"], time(9, 0)) is None


def test_the_table_parses_without_importing_dateparser():
    code = """
import json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
from crmtui.core.dates import DateParseError, parse_when

rows = json.load(sys.stdin)
for zone, now, text in rows:
    try:
        parse_when(text, datetime.fromisoformat(now).replace(tzinfo=ZoneInfo(zone)))
    except DateParseError:
        pass
assert "dateparser" not in sys.modules, "dateparser was imported"
"""
    rows = [(str(CLOCKS[c].tzinfo), CLOCKS[c].replace(tzinfo=None).isoformat(), text)
            for c, text, _, _ in ROWS]
    env = dict(os.environ, PYTHONPATH=str(SRC))
    result = subprocess.run([sys.executable, "-c", code], input=json.dumps(rows), env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("text", ["下周", "next week", "3月份", "march", "下个月", "明年", "下周末", "next quarter"])
def test_a_period_is_no_day_for_a_birthday_or_a_signed_date(text):
    with pytest.raises(DateParseError) as info:
        parse_day(text, CLOCKS["sunday"])
    assert '"2026-11-20", "下周一", "3月12日"' in str(info.value)  # the examples of a day ahead (a close date, a move)
    with pytest.raises(DateParseError) as info:
        parse_day(text, CLOCKS["sunday"], past=True)
    assert '"2026-11-20", "昨天", "3月12日"' in str(info.value)  # of a day that happened (signed, paid)
    assert parse_next_date(text, CLOCKS["sunday"]).when > CLOCKS["sunday"]  # still a next date


@pytest.mark.parametrize(("text", "expected"), [
    ("月底", date(2026, 11, 30)), ("月中", date(2026, 12, 15)), ("下月初", date(2026, 12, 1)),
    ("年底", date(2026, 12, 31)), ("圣诞", date(2026, 12, 25)),
])
def test_a_period_that_names_one_day_is_a_day(text, expected):
    assert parse_day(text, CLOCKS["sunday"]) == expected


@pytest.mark.parametrize(("now", "text"), [
    (datetime(9999, 12, 30, 12, 0, tzinfo=SHANGHAI), "4年后"),
    (datetime(9999, 12, 30, 12, 0, tzinfo=SHANGHAI), "next year"),
    (datetime(1, 1, 2, 12, 0, tzinfo=SHANGHAI), "大前天"),
])
def test_a_reading_outside_the_calendar_is_refused_not_a_crash(now, text):
    with pytest.raises(DateParseError):
        parse_when(text, now)


# ---- a day without its year: the coming one, or with past=True the most recent one (a paid or signed date)

_MARCH_10 = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
_YEAR_AFTER_LEAP = datetime(2029, 3, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("now", "text", "coming", "recent"), [
    (_MARCH_10, "3/5", date(2027, 3, 5), date(2026, 3, 5)),
    (_MARCH_10, "march 5", date(2027, 3, 5), date(2026, 3, 5)),
    (_MARCH_10, "5 march", date(2027, 3, 5), date(2026, 3, 5)),
    (_MARCH_10, "3月5日", date(2027, 3, 5), date(2026, 3, 5)),
    (_MARCH_10, "thu, mar 5", date(2026, 3, 5), date(2026, 3, 5)),  # the weekday fits this year's only
    (_MARCH_10, "5号", date(2026, 4, 5), date(2026, 3, 5)),
    (_MARCH_10, "the 5th", date(2026, 4, 5), date(2026, 3, 5)),
    (_MARCH_10, "3/10", date(2026, 3, 10), date(2026, 3, 10)),     # today either way
    (_MARCH_10, "12/31", date(2026, 12, 31), date(2025, 12, 31)),
    (_MARCH_10, "christmas", date(2026, 12, 25), date(2025, 12, 25)),
    (_MARCH_10, "2026-12-05", date(2026, 12, 5), date(2026, 12, 5)),  # a year written is kept
    (_MARCH_10, "昨天", date(2026, 3, 9), date(2026, 3, 9)),
    (CLOCKS["nye"], "12/31", date(2026, 12, 31), date(2026, 12, 31)),
    (CLOCKS["nye"], "1/1", date(2027, 1, 1), date(2026, 1, 1)),
    (CLOCKS["nye"], "12月30日", date(2027, 12, 30), date(2026, 12, 30)),
    (CLOCKS["leap"], "2/29", date(2028, 2, 29), date(2028, 2, 29)),
    (CLOCKS["leap"], "2月28日", date(2029, 2, 28), date(2028, 2, 28)),
    (_YEAR_AFTER_LEAP, "2/29", None, date(2028, 2, 29)),  # no 29 Feb in 2029 or 2030; 2028's was the last
    (_MARCH_10, "2/29", None, None),                       # none in 2025, 2026 or 2027
    (_MARCH_10, "fri", date(2026, 3, 13), date(2026, 3, 6)),    # a Tuesday: the Friday ahead, or just gone
    (_MARCH_10, "周五", date(2026, 3, 13), date(2026, 3, 6)),
    (_MARCH_10, "tue", date(2026, 3, 17), date(2026, 3, 10)),   # today is one: a paid date "tue" is today
    (_MARCH_10, "星期二", date(2026, 3, 17), date(2026, 3, 10)),
    (_MARCH_10, "last fri", date(2026, 3, 6), date(2026, 3, 6)),  # written: the same either way
])
def test_a_day_without_its_year_is_the_coming_one_or_the_most_recent(now, text, coming, recent):
    for past, expected in ((False, coming), (True, recent)):
        if expected is None:
            with pytest.raises(DateParseError):
                parse_day(text, now, past=past)
        else:
            assert parse_day(text, now, past=past) == expected, (text, past)
    if coming is not None:
        assert parse_day(text, now) == coming  # the coming one unless asked


@pytest.mark.parametrize(("now", "text", "past", "message", "chinese"), [
    (datetime(2027, 1, 31, 10, 0, tzinfo=SHANGHAI), "30号", False,
     'the date "30号" would be 30 Feb, a day that does not exist: write the month too, e.g. "3月30号"',
     '日期 "30号" 会是 2月30日，这一天不存在：请写上月份，例如 "3月30号"'),
    (datetime(2027, 1, 31, 10, 0, tzinfo=SHANGHAI), "the 29th", False,
     'the date "the 29th" would be 29 Feb, a day that does not exist: write the month too, e.g. "Mar 29"',
     '日期 "the 29th" 会是 2月29日，这一天不存在：请写上月份，例如 "Mar 29"'),
    (datetime(2027, 3, 2, 10, 0, tzinfo=SHANGHAI), "31号", True,  # a paid date: the most recent 31st
     'the date "31号" would be 31 Feb, a day that does not exist: write the month too, e.g. "1月31号"',
     '日期 "31号" 会是 2月31日，这一天不存在：请写上月份，例如 "1月31号"'),
])
def test_a_day_of_month_the_month_lacks_is_refused_naming_the_day_and_the_fix(now, text, past, message, chinese):
    from crmtui.core import i18n, labels

    with pytest.raises(dates.DateNoSuchDayError) as info:
        parse_day(text, now, past=past)
    assert str(info.value) == message
    i18n.set_language("zh")
    try:
        shown = format(labels.DateProblem(info.value))
    finally:
        i18n.set_language("en")
    assert shown == chinese
    # typed where the month it lands in has that day, the same text is read
    elsewhere = now.replace(day=1) if not past else now.replace(month=4, day=2)
    assert parse_day(text, elsewhere, past=past).day == int("".join(c for c in text if c.isdigit()))


@pytest.mark.parametrize(("text", "now", "chinese"), [
    ("9am", datetime(2026, 11, 24, 17, 0, tzinfo=SHANGHAI),
     '时间 "9am" 今天已经过了（读作 11月24日 周二 09:00）：请把日期也写上，例如 "tomorrow 9am"'),
    ("at 4:23", datetime(2026, 11, 24, 4, 30, tzinfo=SHANGHAI),
     '时间 "at 4:23" 可能是 04:23，也可能是 16:23：请加上 上午 或 下午（am/pm）'),
])
def test_the_new_refusals_read_in_chinese(text, now, chinese):
    from crmtui.core import i18n, labels

    with pytest.raises(DateParseError) as info:
        parse_when(text, now)
    i18n.set_language("zh")
    try:
        shown = format(labels.DateProblem(info.value))
    finally:
        i18n.set_language("en")
    assert shown == chinese
