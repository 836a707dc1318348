"""Report periods: the words in English and Chinese, canonical labels, the span just before, Shanghai edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crmtui.core.errors import InvalidInput
from crmtui.core.periods import DEFAULT_PERIOD, PRESETS, Period, parse_period
from tests.conftest import ZONE

TODAY = date(2026, 11, 24)  # a Tuesday


def days(text: str, today: date = TODAY) -> tuple[date, date, str]:
    """(first day, last day, label) of a period typed on `today`."""
    period = parse_period(text, today, ZONE)
    return period.first_day, period.last_day, period.label


@pytest.mark.parametrize(("text", "first", "last", "label"), [
    # weeks start on Monday: Tuesday 11-24 is in the week of Monday 11-23
    ("this week", date(2026, 11, 23), date(2026, 11, 29), "2026-11-23..2026-11-29"),
    ("本周", date(2026, 11, 23), date(2026, 11, 29), "2026-11-23..2026-11-29"),
    ("last week", date(2026, 11, 16), date(2026, 11, 22), "2026-11-16..2026-11-22"),
    ("上周", date(2026, 11, 16), date(2026, 11, 22), "2026-11-16..2026-11-22"),
    ("this month", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
    ("本月", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
    ("last month", date(2026, 10, 1), date(2026, 10, 31), "2026-10"),
    ("上月", date(2026, 10, 1), date(2026, 10, 31), "2026-10"),
    ("this quarter", date(2026, 10, 1), date(2026, 12, 31), "2026Q4"),
    ("本季度", date(2026, 10, 1), date(2026, 12, 31), "2026Q4"),
    ("last quarter", date(2026, 7, 1), date(2026, 9, 30), "2026Q3"),
    ("上季度", date(2026, 7, 1), date(2026, 9, 30), "2026Q3"),
    ("this year", date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ("今年", date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ("last year", date(2025, 1, 1), date(2025, 12, 31), "2025"),
    ("去年", date(2025, 1, 1), date(2025, 12, 31), "2025"),
    # today and the 29 days before: 11-24 back to 10-26 (6 days of October + 24 of November = 30)
    ("last 30 days", date(2026, 10, 26), date(2026, 11, 24), "2026-10-26..2026-11-24"),
    ("近30天", date(2026, 10, 26), date(2026, 11, 24), "2026-10-26..2026-11-24"),
    ("最近30天", date(2026, 10, 26), date(2026, 11, 24), "2026-10-26..2026-11-24"),
    # 90 days: 24 of November + 31 of October + 30 of September + 5 of August (27..31)
    ("last 90 days", date(2026, 8, 27), date(2026, 11, 24), "2026-08-27..2026-11-24"),
    ("近90天", date(2026, 8, 27), date(2026, 11, 24), "2026-08-27..2026-11-24"),
    ("2017Q2", date(2017, 4, 1), date(2017, 6, 30), "2017Q2"),
    ("2017q2", date(2017, 4, 1), date(2017, 6, 30), "2017Q2"),
    ("2017年第二季度", date(2017, 4, 1), date(2017, 6, 30), "2017Q2"),
    ("2017-04", date(2017, 4, 1), date(2017, 4, 30), "2017-04"),
    ("2017年4月", date(2017, 4, 1), date(2017, 4, 30), "2017-04"),
    ("2017", date(2017, 1, 1), date(2017, 12, 31), "2017"),
    ("2017-04-01..2017-06-30", date(2017, 4, 1), date(2017, 6, 30), "2017-04-01..2017-06-30"),
    # a day without its year is the most recent one: March 1st of this year
    ("3月1日..今天", date(2026, 3, 1), date(2026, 11, 24), "2026-03-01..2026-11-24"),
    ("2017-04..2017-06", date(2017, 4, 1), date(2017, 6, 30), "2017-04-01..2017-06-30"),
    ("  ＴＨＩＳ   Month ", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
    # every quarter in Chinese and in digits
    ("2017年第一季度", date(2017, 1, 1), date(2017, 3, 31), "2017Q1"),
    ("2017年第三季度", date(2017, 7, 1), date(2017, 9, 30), "2017Q3"),
    ("2017年第四季度", date(2017, 10, 1), date(2017, 12, 31), "2017Q4"),
    ("2017年第3季度", date(2017, 7, 1), date(2017, 9, 30), "2017Q3"),
    ("2017q3", date(2017, 7, 1), date(2017, 9, 30), "2017Q3"),
    ("2017Q4", date(2017, 10, 1), date(2017, 12, 31), "2017Q4"),
    ("2017年", date(2017, 1, 1), date(2017, 12, 31), "2017"),
    ("2017-12", date(2017, 12, 1), date(2017, 12, 31), "2017-12"),
    ("1900", date(1900, 1, 1), date(1900, 12, 31), "1900"),
    ("2999-12", date(2999, 12, 1), date(2999, 12, 31), "2999-12"),
    ("1900-01", date(1900, 1, 1), date(1900, 1, 31), "1900-01"),
    ("2999", date(2999, 1, 1), date(2999, 12, 31), "2999"),
    ("1900Q1", date(1900, 1, 1), date(1900, 3, 31), "1900Q1"),
    ("2999Q4", date(2999, 10, 1), date(2999, 12, 31), "2999Q4"),
    ("1900-01-01", date(1900, 1, 1), date(1900, 1, 1), "1900-01-01..1900-01-01"),
    ("2999-12-31", date(2999, 12, 31), date(2999, 12, 31), "2999-12-31..2999-12-31"),
    # one day, and the last 1 day is today
    ("today", TODAY, TODAY, "2026-11-24..2026-11-24"),
    ("2017-04-05", date(2017, 4, 5), date(2017, 4, 5), "2017-04-05..2017-04-05"),
    ("last 1 day", TODAY, TODAY, "2026-11-24..2026-11-24"),
    ("2017-04-05..2017-04-05", date(2017, 4, 5), date(2017, 4, 5), "2017-04-05..2017-04-05"),
])
def test_period_words(text: str, first: date, last: date, label: str) -> None:
    assert days(text) == (first, last, label)


def test_the_default_and_the_presets_are_periods() -> None:
    assert DEFAULT_PERIOD == "this month"
    assert days("") == days("this month")
    for word in PRESETS:
        assert parse_period(word, TODAY, ZONE).start < parse_period(word, TODAY, ZONE).end


def test_a_week_starts_on_monday_even_on_sunday_and_monday() -> None:
    assert days("this week", date(2026, 11, 29))[:2] == (date(2026, 11, 23), date(2026, 11, 29))  # a Sunday
    assert days("this week", date(2026, 11, 30))[:2] == (date(2026, 11, 30), date(2026, 12, 6))  # a Monday


def test_edges_are_local_midnight_in_shanghai() -> None:
    october = parse_period("2026-10", TODAY, ZONE)
    assert october.start == datetime(2026, 10, 1, tzinfo=ZONE)
    assert october.end == datetime(2026, 11, 1, tzinfo=ZONE)
    # 23:30 on 10-31 local is 15:30 UTC: October; 00:30 on 11-01 local is 16:30 UTC on 10-31: November
    assert october.contains(datetime(2026, 10, 31, 15, 30, tzinfo=UTC))
    assert not october.contains(datetime(2026, 10, 31, 16, 0, tzinfo=UTC))  # 11-01 00:00 local: the end
    assert not october.contains(datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    assert october.contains(datetime(2026, 9, 30, 16, 0, tzinfo=UTC))  # 10-01 00:00 local
    assert not october.contains(datetime(2026, 9, 30, 15, 59, tzinfo=UTC))


def test_leap_years() -> None:
    assert days("2024-02")[:2] == (date(2024, 2, 1), date(2024, 2, 29))
    assert days("2025-02")[:2] == (date(2025, 2, 1), date(2025, 2, 28))
    # 31 + 29 + 31 = 91 days in 2024Q1
    q1 = parse_period("2024Q1", TODAY, ZONE)
    assert (q1.end - q1.start) == timedelta(days=91)
    # on 2024-03-10 the last 30 days reach back over 02-29: 10 of March + 20 of February (10..29)
    assert days("last 30 days", date(2024, 3, 10))[:2] == (date(2024, 2, 10), date(2024, 3, 10))
    assert days("2024-02-28..2024-03-01")[:2] == (date(2024, 2, 28), date(2024, 3, 1))
    assert parse_period("2024", TODAY, ZONE).previous().label == "2023"


def test_the_fourth_quarter_ends_in_the_next_year() -> None:
    q4 = parse_period("2026Q4", TODAY, ZONE)
    assert q4.end == datetime(2027, 1, 1, tzinfo=ZONE)
    assert days("last quarter", date(2027, 1, 15))[2] == "2026Q4"
    assert days("this quarter", date(2026, 12, 31))[2] == "2026Q4"
    # in a quarter's last month, the quarter before is still three months back
    assert days("last quarter", date(2026, 12, 31))[2] == "2026Q3"
    assert days("上季度", date(2026, 3, 31))[2] == "2025Q4"


def label_before(text: str, today: date = TODAY) -> str:
    return parse_period(text, today, ZONE).previous().label


def test_the_period_before_is_of_the_same_kind() -> None:
    assert label_before("2026-03") == "2026-02"
    assert label_before("2026-01") == "2025-12"
    assert label_before("2027Q1") == "2026Q4"
    assert label_before("2017Q2") == "2017Q1"
    assert label_before("2017") == "2016"
    assert label_before("this week") == "2026-11-16..2026-11-22"
    week_before = parse_period("this week", TODAY, ZONE).previous()
    assert week_before.kind == "week" and week_before.previous().label == "2026-11-09..2026-11-15"
    # the 30 days before 10-26..11-24 end on 10-25: 09-26..10-25 (5 + 25 = 30 days)
    assert label_before("last 30 days") == "2026-09-26..2026-10-25"
    # a range of 91 days (April to June) -> the 91 days before: 2016-12-31 (1) + Jan 31 + Feb 28 + Mar 31
    assert label_before("2017-04-01..2017-06-30") == "2016-12-31..2017-03-31"
    before = parse_period("2026-10", TODAY, ZONE).previous()
    assert isinstance(before, Period) and before.end == parse_period("2026-10", TODAY, ZONE).start


@pytest.mark.parametrize("text", ["someday", "2017-13", "2017-00", "2017Q5", "last 0 days", "2017-04-01..",
                                  "..2017-04-01", "2017-04-01..someday", "someday..2017-04-01", "1..2..3", "x" * 200,
                                  "9999", "9999Q4", "9999-12", "0000", "1899", "3000-01"])
def test_bad_text_names_the_period_field_and_what_is_expected(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_period(text, TODAY, ZONE)
    assert caught.value.field == "period"
    assert "2017Q2" in str(caught.value) and "FROM..TO" in str(caught.value)


def test_a_range_backwards_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_period("2017-06-30..2017-04-01", TODAY, ZONE)
    assert caught.value.field == "period" and "FROM day on or before the TO day" in str(caught.value)
    with pytest.raises(InvalidInput):  # the day after the TO day
        parse_period("2017-04-02..2017-04-01", TODAY, ZONE)


@pytest.mark.parametrize("text", ["2017-02-29", "2017-04-31..2017-05-10", "2017-01-01..2017-13-01"])
def test_a_day_the_calendar_does_not_have_is_named(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period(text, date(2026, 11, 24), ZONE)
    assert "is not one" in refused.value.message()
