"""Turns stored values into short text for people: amounts, days, times (never markup)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crmtui.core.errors import InvalidInput


def format_amount(cents: int | None) -> str:
    """12,000 or 12,000.50; '' for no amount."""
    if cents is None:
        return ""
    whole, part = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{whole:,}" + (f".{part:02d}" if part else "")


def amount_number(cents: int | None) -> int | float | None:
    """An amount for --json: a number of yuan (120000, or 12000.5 with cents), None for no amount."""
    if cents is None:
        return None
    whole, part = divmod(cents, 100)
    return whole if part == 0 else cents / 100


def amount_text(value: object) -> str:
    """The text of an amount taken from a --json dictionary (a number of yuan): '120,000', '' for none."""
    if value is None or value == "":
        return ""
    return format_amount(int((Decimal(str(value)) * 100).to_integral_value(ROUND_HALF_UP)))


# Amounts carry no currency: they are in the rep's own currency, the yuan. Its marks are dropped;
# another currency's mark is refused rather than read as yuan (USD 5000 is not 5000 yuan).
_OWN_CURRENCY = re.compile(r"^(?:¥|rmb|cny|人民币)|(?:元整|元|块钱|块|rmb|cny)$", re.IGNORECASE)
_OTHER_CURRENCY = re.compile(r"[$€£₩₹]|usd|eur|gbp|hkd|jpy|美元|美金|欧元|英镑|港币|日元", re.IGNORECASE)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
# 十百千 multiply the number before them inside a section; 万, 亿 and the Latin shorthands end a section.
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"k": 1_000, "w": 10_000, "万": 10_000, "m": 1_000_000, "亿": 100_000_000}
_TOKEN = re.compile(r"\d+(?:\.\d+)?|\.\d+|.", re.IGNORECASE)

EXPECTED_AMOUNT = "a positive amount like 12000, 12,000.50, 1.5万, 12万5千, 十二万 or 50k"
MAX_CENTS = 10**15


def _number(text: str) -> Decimal | None:
    """The value of '1.5亿', '12万5千', '十二万', '一百零五', '1万5' (spoken: 15,000), '50k'; None if not a number."""
    total = Decimal(0)  # finished sections (before the last 万 / 亿)
    section = Decimal(0)  # the current section's 千百十 parts
    current: Decimal | None = None  # a number waiting for its unit
    last_unit = 0  # the unit just before `current`: '1万5' means 1万5千, '一百五' 150
    last_big = 0
    for token in _TOKEN.findall(text.casefold()):
        if token[0].isdigit() or token[0] == ".":
            value: Decimal | None = Decimal(token)
        else:
            value = Decimal(_CN_DIGITS[token]) if token in _CN_DIGITS else None
        if value is not None:
            if current is not None:
                return None  # two numbers in a row ('1 2', '一二')
            current = value
            if token in ("零", "〇"):
                current, last_unit = None, 0  # 一百零五: the 五 is ones
            continue
        if token in _SMALL_UNITS:
            unit = _SMALL_UNITS[token]
            section += (Decimal(1) if current is None and token in ("十", "拾") else current or Decimal(0)) * unit
            if current is None and token not in ("十", "拾"):
                return None  # '百' alone
            current, last_unit = None, unit
        elif token in _BIG_UNITS:
            unit = _BIG_UNITS[token]
            section += current or Decimal(0)
            if section == 0:
                return None  # '万' alone
            # 1亿2000万: the 万 applies to its own section only; 12万亿 would multiply everything.
            total = (total + section) * unit if unit >= last_big or not total else total + section * unit
            last_big = max(last_big, unit)
            section, current, last_unit = Decimal(0), None, unit
        else:
            return None
    if current is not None:
        if last_unit >= 100 and current == current.to_integral_value() and 0 < current < 10:
            current *= last_unit // 10  # spoken shorthand: 1万5 = 15,000, 3千5 = 3,500
        section += current
    return total + section


def parse_amount(text: str | int | float | None, field_name: str = "amount") -> int | None:
    """'12000', '12,000.50', '¥5,000', 'RMB 5000', '5000元', '1.5亿', '12万5千', '十二万', '50k' -> cents.

    None when empty. Amounts are kept to the cent (0.125 -> 0.13); zero, negative amounts, an amount that
    rounds to zero and another currency's amount are refused."""
    if text is None:
        return None
    if isinstance(text, int | float):
        text = str(text)
    folded = unicodedata.normalize("NFKC", text)
    for run in re.findall(r"\d[\d,]*\d", folded):
        if "," in run and not re.fullmatch(r"\d{1,3}(?:,\d{3})+", run):
            # '12,34' is a decimal comma or a typo, not 1,234: a wrong amount is worse than a question
            raise InvalidInput(field_name, "thousands separators every three digits (12,000.50), or none", text)
    # NFKC: full-width digits, commas and ￥ become ASCII; thousands separators and spaces go.
    cleaned = re.sub(r"[,\s_']", "", folded)
    if not cleaned:
        return None
    if _OTHER_CURRENCY.search(cleaned):
        raise InvalidInput(field_name, "an amount in yuan (other currencies are not converted)", text)
    previous = None
    while previous != cleaned:  # 'RMB ¥5000元' has several marks
        previous, cleaned = cleaned, _OWN_CURRENCY.sub("", cleaned)
    number = _number(cleaned) if cleaned else None
    if number is None or number <= 0:
        raise InvalidInput(field_name, EXPECTED_AMOUNT, text)
    try:
        cents = int((number * 100).to_integral_value(ROUND_HALF_UP))
    except InvalidOperation:
        cents = MAX_CENTS + 1
    if cents == 0:
        raise InvalidInput(field_name, "at least 0.01 (amounts are kept to the cent)", text)
    if cents > MAX_CENTS:
        raise InvalidInput(field_name, "an amount below 10 trillion", text)
    return cents


def format_short(cents: int | None, lang: str = "en") -> str:
    """A short amount for narrow places: 10.3M / 950k in English, 1027万 in Chinese."""
    if not cents:
        return "0"
    value = cents / 100
    if lang.startswith("zh"):
        if abs(value) >= 100_000_000:
            return f"{value / 100_000_000:.1f}亿".replace(".0亿", "亿")
        if abs(value) >= 10_000:
            return f"{value / 10_000:.1f}万".replace(".0万", "万")
        return f"{value:,.0f}"
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}{suffix}".replace(f".0{suffix}", suffix)
    return f"{value:,.0f}"


YEARLESS = 1604
"""The year of a birthday typed without one ('3月12日'): a leap year long past, so 29 February fits and
no age can be computed from it (the convention of common address books)."""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_birthday(day: date | None, lang: str = "en") -> str:
    """'12 Mar' / '3月12日' for a birthday without a year, '12 Mar 1985' / '1985年3月12日' with one; ''."""
    if day is None:
        return ""
    if lang.startswith("zh"):
        return ("" if day.year == YEARLESS else f"{day.year}年") + f"{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]}" + ("" if day.year == YEARLESS else f" {day.year}")


def birthday_iso(day: date | None) -> str | None:
    """ISO 8601 for --json: '1985-03-12', or '--03-12' when the year is not known."""
    if day is None:
        return None
    return f"--{day.month:02d}-{day.day:02d}" if day.year == YEARLESS else day.isoformat()
