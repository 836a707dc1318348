"""CSV as Excel opens it: UTF-8 with a byte-order mark (without it Excel reads Chinese as GBK and shows mojibake),
rows ended by CRLF, every value quoted only where needed.

Values are text Excel reads back as the same type: amounts as plain decimals ("12500.00"), days as "2026-12-01",
times as "2026-12-01 09:30" in the rep's zone, yes/no as "yes"/"no". A text that Excel would run as a formula
(starting with =, @, or + and - followed by more than a number) is written with a leading apostrophe, so a hostile
name in an imported list cannot execute when the sheet is opened.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

from crmtui.services.exporting.records import Column

_NUMBERISH = re.compile(r"[+-]?[\d\s().-]*")
"""A phone number or a number: Excel may show it as a number, but never runs it."""


def cell(value: object) -> str:
    """One value as CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date | Decimal | int):
        return str(value)
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _NUMBERISH.fullmatch(text)):
        return "'" + text
    return text


def write(handle: TextIO, columns: tuple[Column, ...], rows: Iterable[tuple]) -> int:
    """Writes the header and the rows to a text handle opened with newline=""; returns the number of rows."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    written = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        written += 1
    return written
