"""Validation of what the user typed: each failure names the field by its key (core/fields.py) and what is
expected."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from crmtui.core.dates import DateParseError, parse_day
from crmtui.core.errors import InvalidInput
from crmtui.core.labels import DateProblem
from crmtui.core.normalize import phone_key, possible_phone

NAME_MAX = 200
TEXT_MAX = 20_000

CHANNELS = ("phone", "wechat", "visit", "email", "meeting", "sms", "other")
_CHANNEL_ALIASES = {
    "电话": "phone", "tel": "phone", "call": "phone",
    "微信": "wechat", "wx": "wechat", "weixin": "wechat",
    "拜访": "visit", "上门": "visit",
    "邮件": "email", "mail": "email", "e-mail": "email",
    "会议": "meeting", "meet": "meeting",
    "短信": "sms", "text": "sms",
    "其他": "other", "其它": "other",
}
CHANNEL_ALIASES = _CHANNEL_ALIASES
"""Other words for the channels, both languages' (a revisit plan line knows a mistyped one by them)."""


def single_line(field_name: str, value: str | None, *, required: bool = False, max_len: int = NAME_MAX) -> str | None:
    """A name-like field: trimmed; required ones must not be empty; no line breaks; bounded length."""
    if value is None or not value.strip():
        if required:
            raise InvalidInput(field_name, "a value (it cannot be empty)", value)
        return None
    value = value.strip()
    if "\n" in value or "\r" in value:
        raise InvalidInput(field_name, "a single line (no line breaks)", value)
    if len(value) > max_len:
        raise InvalidInput(field_name, "at most {max} characters (got {count})", max=max_len, count=len(value))
    return value


def long_text(field_name: str, value: str | None, *, required: bool = False) -> str | None:
    """Notes-like text: line breaks allowed; bounded length."""
    if value is None or not value.strip():
        if required:
            raise InvalidInput(field_name, "some text (it cannot be empty)", value)
        return None
    value = value.strip()
    if len(value) > TEXT_MAX:
        raise InvalidInput(field_name, "at most {max} characters (got {count})", max=TEXT_MAX, count=len(value))
    return value


def channel(value: str | None) -> str | None:
    """A follow-up channel by name, Chinese name or number 1-7."""
    if value is None or not value.strip():
        return None
    wanted = value.strip().casefold()
    if wanted.isdigit() and 1 <= int(wanted) <= len(CHANNELS):
        return CHANNELS[int(wanted) - 1]
    if wanted in CHANNELS:
        return wanted
    if wanted in _CHANNEL_ALIASES:
        return _CHANNEL_ALIASES[wanted]
    raise InvalidInput("channel", "one of {choices} (or 1-7)", value, choices=", ".join(CHANNELS))


YES = ("y", "yes", "true", "1", "是", "对")
NO = ("n", "no", "false", "0", "否", "不是", "")


def yes_no(field_name: str, value: object) -> bool:
    """A yes/no answer typed as y/n, yes/no, 是/否 (empty is no)."""
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    raise InvalidInput(field_name, "y or n (是 or 否)", value)


def email(value: str | None) -> str | None:
    """An address with one @ and a dot in the domain."""
    value = single_line("email", value)
    if value is None:
        return None
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value or domain.startswith(".") or domain.endswith("."):
        raise InvalidInput("email", "an address like name@example.com", value)
    return value


def phone(value: str | None) -> str | None:
    """A phone number that can be one (formats are kept as typed): see normalize.possible_phone."""
    value = single_line("phone", value, max_len=40)
    if value is None:
        return None
    if phone_key(value) is None or any(ch.isalpha() for ch in value) or not possible_phone(value):
        raise InvalidInput("phone", "a phone number like +86 138 0013 8000", value)
    return value


def tier(value: str | None) -> str | None:
    """A, B or C."""
    if value is None or not value.strip():
        return None
    if value.strip().upper() not in ("A", "B", "C"):
        raise InvalidInput("tier", "A, B or C", value)
    return value.strip().upper()


def split_tags(text: str | None) -> list[str]:
    """Tags typed in one line, separated by commas (a Chinese comma too); each is checked when saved."""
    return [tag.strip() for tag in (text or "").replace("，", ",").split(",") if tag.strip()]


def percent(field_name: str, value: str | int | None) -> int:
    """A whole percentage from 0 to 100, typed with or without its sign ("60", "60%", full-width digits too)."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().removesuffix("%").strip()
    if not text.isdigit() or int(text) > 100:
        raise InvalidInput(field_name, "a whole number from 0 to 100", value)
    return int(text)


SERVICE_MONTHS_MAX = 120


def service_months(value: str | int | None) -> int | None:
    """A service cycle in whole months, 1-120 (full-width digits too); empty clears it."""
    if value is None or isinstance(value, bool):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= SERVICE_MONTHS_MAX:
        raise InvalidInput("service_months", "a whole number of months from 1 to {max}", value, max=SERVICE_MONTHS_MAX)
    return int(text)


def day(field_name: str, value: str | date | None, now: datetime, *, past: bool = False) -> date | None:
    """A date in any form dates.py understands (past allowed); `past` for a day that has happened (paid, signed):
    one typed without its year is the most recent one, not the coming one."""
    if value is None or isinstance(value, date):
        return value
    if not value.strip():
        return None
    try:
        return parse_day(value, now, past=past)
    except DateParseError as exc:
        raise InvalidInput(field_name, "{problem}", problem=DateProblem(exc)) from None  # it quotes the input


def birthday(value: str | date | None, now: datetime) -> date | None:
    """A birthday: '1985-03-12', or a month and day without a year ('3月12日', 'Mar 12', '2月29日', '--03-12'),
    kept as that day in the year formatting.YEARLESS (a year is never invented); a day in the future is refused."""
    from crmtui.core.formatting import YEARLESS  # deferred: with decimal, ~6 ms that `crm log` does not need

    if isinstance(value, str) and not _has_year(value):
        month_day = _month_day(value, now)
        if month_day is not None:
            return date(YEARLESS, *month_day)
    born = day("birthday", value, now)
    if born is None or born <= now.date() or born.year == YEARLESS:
        return born
    raise InvalidInput("birthday", "a date that is not in the future, e.g. 1985-03-12 or 3月12日", str(value))


def _month_day(text: str, now: datetime) -> tuple[int, int] | None:
    """(month, day) when `text` names a day of the year without a year: it reads the same from two
    different days of a leap year (so 2月29日 parses), which relative words ('yesterday', '上周五') do not."""
    iso = re.fullmatch(r"\s*--(\d{2})-(\d{2})\s*", text)
    if iso:
        try:
            return date(2000, int(iso[1]), int(iso[2])).month, int(iso[2])
        except ValueError:
            return None
    try:
        seen = {(d.month, d.day) for d in (parse_day(text, now.replace(year=2024, month=1, day=1)),
                                            parse_day(text, now.replace(year=2024, month=2, day=1)))}
    except DateParseError:
        return None
    return seen.pop() if len(seen) == 1 else None


def _has_year(text: str) -> bool:
    """Whether the typed date names a year (four digits in a row, or 年)."""
    return bool(re.search(r"\d{4}|年", text))
