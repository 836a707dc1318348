"""Turns stored values into short text for people: amounts, days, times (never markup)."""

from __future__ import annotations

import re
from crmtui.errors import InvalidInput


def format_amount(cents: int | None) -> str:
    """12,000 or 12,000.50; '' for no amount."""
    if cents is None:
        return ""
    whole, part = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{whole:,}" + (f".{part:02d}" if part else "")


_AMOUNT = re.compile(r"^(\d+(?:\.\d{1,2})?)\s*(万|w|k|千|m)?$", re.IGNORECASE)
_MULTIPLIER = {None: 1, "k": 1_000, "千": 1_000, "万": 10_000, "w": 10_000, "m": 1_000_000}


def parse_amount(text: str | int | float | None, field_name: str = "amount") -> int | None:
    """'12000', '12,000.50', '1.5万', '50k', '¥3000' -> cents; None when empty."""
    if text is None:
        return None
    if isinstance(text, int | float):
        text = str(text)
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace(" ", "")
    cleaned = cleaned.lstrip("¥$￥").removesuffix("元")
    if not cleaned:
        return None
    match = _AMOUNT.match(cleaned)
    if not match:
        raise InvalidInput(field_name, 'a positive amount like 12000, 12,000.50, 1.5万 or 50k', text)
    number, unit = match.groups()
    multiplier = _MULTIPLIER[unit.lower() if unit and unit.isascii() else unit]
    cents = round(float(number) * 100 * multiplier)
    if cents > 10**15:
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
