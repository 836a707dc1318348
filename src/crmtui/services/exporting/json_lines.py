"""JSON lines: one record a line, a JSON object keyed by the column names (`"kind"` first when the file holds
several kinds), UTF-8 as typed. Amounts are numbers of the currency's units, times ISO 8601 with the rep's offset,
days ISO 8601, tags a list of strings, yes/no booleans, empty values null."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

from crmtui.services.exporting.records import Column


def _value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def write(handle: TextIO, columns: tuple[Column, ...], rows: Iterable[tuple], kind: str | None = None) -> int:
    """Writes one line a row; with `kind`, each object starts with "kind": kind. Returns the number of rows."""
    names = [column.name for column in columns]
    prefix = {"kind": kind} if kind else {}
    written = 0
    for row in rows:
        record = {**prefix, **{name: _value(value) for name, value in zip(names, row, strict=True)}}
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        written += 1
    return written
