"""XLSX with typed cells, written by openpyxl in write-only mode (rows go to the file as they come, so memory does
not grow with the book): whole numbers as numbers, amounts as numbers shown with two decimals, days and times as
Excel dates (times in the rep's zone: Excel has no zones), yes/no as booleans, phones and every other text as text
(a text starting with "=" stays text, never a formula; a control character, which XML cannot hold, is written as a
visible escape such as \\x1b). One sheet a kind."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from crmtui.core.normalize import visible
from crmtui.services.exporting.records import Column

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

FORMATS = {"money": "#,##0.00", "day": "yyyy-mm-dd", "time": "yyyy-mm-dd hh:mm"}
"""Excel number formats of the typed columns."""

WIDTHS = {"money": 14, "day": 12, "time": 17, "int": 9, "yesno": 9}


def workbook() -> Workbook:
    """A new write-only workbook."""
    # deferred: openpyxl costs ~0.3 s to import, paid only by an XLSX export
    from openpyxl import Workbook

    return Workbook(write_only=True)


def add_sheet(book: Workbook, title: str, columns: tuple[Column, ...], rows: Iterable[tuple]) -> int:
    """A sheet with a bold header row and the rows as typed cells; returns the number of rows."""
    # deferred: with workbook() above, for an XLSX export only
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    for number, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(number)].width = WIDTHS.get(column.type, 18)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        name = WriteOnlyCell(sheet, value=column.name)
        name.font = bold
        header.append(name)
    sheet.append(header)
    formats = [FORMATS.get(column.type) for column in columns]
    written = 0
    for row in rows:
        # Plain values cost openpyxl far less than cells: a cell object only where a number format is needed, or
        # where a text would otherwise be taken for a formula.
        cells: list[object] = []
        for value, number_format in zip(row, formats, strict=True):
            if isinstance(value, list):  # tags
                value = ", ".join(value)
            if value is None:
                cells.append(None)
            elif number_format:
                if isinstance(value, datetime):
                    value = value.replace(tzinfo=None)  # the rep's local time: Excel cells carry no zone
                item = WriteOnlyCell(sheet, value=value)
                item.number_format = number_format
                cells.append(item)
            elif isinstance(value, str):
                if ILLEGAL_CHARACTERS_RE.search(value):
                    value = visible(value)  # XML cannot hold control characters: shown as \x1b, as the CLI does
                if value.startswith("="):
                    item = WriteOnlyCell(sheet, value=value)
                    item.data_type = "s"  # text as typed, never a formula
                    cells.append(item)
                else:
                    cells.append(value)
            else:
                cells.append(value)
        sheet.append(cells)
        written += 1
    return written


def save(book: Workbook, path: Path) -> None:
    """Writes the workbook to `path`."""
    book.save(path)
