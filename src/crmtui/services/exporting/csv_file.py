"""CSV as Excel opens it: UTF-8 with a byte-order mark (without it Excel reads Chinese as GBK and shows mojibake),
rows ended by CRLF, every value quoted only where needed.

Values are text Excel reads back as the same type: amounts as plain decimals ("12500.00"), days as "2026-12-01",
times as "2026-12-01 09:30" in the rep's zone, yes/no as "yes"/"no", tags joined by ", ". A text that Excel would run as a formula
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


def _text(value: object) -> str:
    text = str(value)
    if text[:1] in _RISKY and (text[:1] not in "+-" or not _NUMBERISH.fullmatch(text)):
        return "'" + text
    return text


def _time(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat(" ", "minutes")


_BY_TYPE = {"text": _text, "int": str, "money": str, "day": date.isoformat, "time": _time,
            "yesno": lambda value: "yes" if value else "no", "tags": lambda value: _text(", ".join(value))}
_RISKY = ("=", "@", "\t", "\r", "+", "-")


def cell(value: object) -> str:
    """One value as CSV text (by its Python type; the writer goes by the column's type, which is faster)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _BY_TYPE["yesno"](value)
    if isinstance(value, datetime):
        return _time(value)
    if isinstance(value, date | Decimal | int):
        return str(value)
    if isinstance(value, list):
        return _BY_TYPE["tags"](value)
    return _text(value)


def write(handle: TextIO, columns: tuple[Column, ...], rows: Iterable[tuple]) -> int:
    """Writes the header and the rows to a text handle opened with newline=""; returns the number of rows."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    formats = [_BY_TYPE[column.type] for column in columns]
    written = 0
    for row in rows:
        writer.writerow(["" if value is None else text(value) for value, text in zip(row, formats, strict=True)])
        written += 1
    return written
