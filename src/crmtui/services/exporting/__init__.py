"""`crm export`: the book written out as CSV, XLSX, vCard or JSON lines, and the calendar as iCalendar.

One module a format (csv_file, xlsx_file, vcard_file, json_lines, calendar); records.py reads the rows, typed, one
at a time through the store, so an export's memory does not grow with the book. A file is written next to its
target and renamed over it when complete: a failed export leaves nothing half-written, and an existing file stays
as it was. The heavy libraries (openpyxl, icalendar) load only in the format that needs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from crmtui.core.errors import CrmError, InvalidInput
from crmtui.services.exporting import csv_file, json_lines, vcard_file, xlsx_file
from crmtui.services.exporting.calendar import export_calendar, temporary_beside, write_calendar_text
from crmtui.services.exporting.records import COLUMNS, KINDS, contact_cards, person_customer_cards, records

if TYPE_CHECKING:
    from crmtui.services.context import Context

FORMATS = ("csv", "xlsx", "vcf", "json")
CALENDAR = "ics"
"""The calendar is a kind of its own: `crm export ics` (its format is always iCalendar)."""
ALL = "all"
SUFFIXES = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".vcf": "vcf", ".vcard": "vcf", ".json": "json",
            ".jsonl": "json", ".ndjson": "json", ".ics": CALENDAR}
"""The format a target's suffix implies when --format is not given."""


class ExportError(CrmError):
    """An export that cannot be done as asked; the message says why and what to do."""


def choose_format(kind: str, fmt: str | None, target: Path | None) -> str:
    """The format to write: the one given, else the target's suffix's, else CSV (vCard for a file of cards)."""
    if kind == CALENDAR:
        if fmt not in (None, CALENDAR):
            raise InvalidInput("format", "nothing for the calendar (it is always iCalendar)", fmt)
        return CALENDAR
    if fmt is None:
        implied = SUFFIXES.get(target.suffix.casefold()) if target is not None else None
        return implied if implied in FORMATS else "csv"
    if fmt.casefold() not in FORMATS:
        raise InvalidInput("format", "one of {formats}", fmt, formats=", ".join(FORMATS))
    return fmt.casefold()


def check_request(kind: str, fmt: str, target: Path | None) -> None:
    """Refuses, before anything is read or written, a kind, format or target that cannot work."""
    if kind not in (*KINDS, ALL, CALENDAR):
        raise InvalidInput("kind", "one of {kinds}", kind, kinds=", ".join((*KINDS, ALL, CALENDAR)))
    if fmt == "vcf" and kind not in ("contacts", "customers"):
        raise ExportError("vCard holds people: export contacts or customers as vcf ({kind} as csv, xlsx or json)",
                          kind=kind)
    if fmt == "csv" and kind == ALL:
        raise ExportError("a CSV file holds one kind: export each kind to its own file, or all of them with"
                          " --format xlsx (a sheet each) or --format json")
    if target is None:
        if fmt == "xlsx":
            raise ExportError("an XLSX workbook cannot go to the terminal: give -o FILE.xlsx")
        return
    if target.is_dir():
        raise ExportError("{path} is a folder: give a file name with -o", path=target)
    folder = target.parent
    if not folder.is_dir():
        raise ExportError("cannot write {path}: the folder {folder} does not exist", path=target, folder=folder)
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ExportError("cannot write {path}: permission denied", path=target)


def _write_text(ctx: Context, kind: str, fmt: str, handle: TextIO) -> dict[str, int]:
    if fmt == "csv":
        return {kind: csv_file.write(handle, COLUMNS[kind], records(ctx, kind))}
    if fmt == "vcf":
        if kind == "contacts":
            return {kind: vcard_file.write(handle, map(vcard_file.contact_fields, contact_cards(ctx)))}
        return {kind: vcard_file.write(handle, map(vcard_file.customer_fields, person_customer_cards(ctx)))}
    kinds = KINDS if kind == ALL else (kind,)
    return {each: json_lines.write(handle, COLUMNS[each], records(ctx, each), each if kind == ALL else None)
            for each in kinds}


def _write_xlsx(ctx: Context, kind: str, path: Path) -> dict[str, int]:
    book = xlsx_file.workbook()
    counts = {each: xlsx_file.add_sheet(book, each, COLUMNS[each], records(ctx, each))
              for each in (KINDS if kind == ALL else (kind,))}
    xlsx_file.save(book, path)
    return counts


def _replace(target: Path, write: Callable[[Path], dict[str, int]]) -> dict[str, int]:
    """Writes through a temporary file beside `target`, renamed over it once complete."""
    temporary = temporary_beside(target)
    try:
        counts = write(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return counts


def export(ctx: Context, kind: str, fmt: str, target: Path | None, stdout: TextIO | None = None) -> dict[str, int]:
    """Writes `kind` (a kind of KINDS, `all`, or `ics`) in `fmt` to `target`, or to `stdout` when target is None;
    returns how many records of each kind were written. CSV files start with a byte-order mark (Excel needs it to
    read UTF-8); on standard output they do not (the next program in a pipe would read it as text)."""
    check_request(kind, fmt, target)
    try:
        return _export(ctx, kind, fmt, target, stdout)
    except BrokenPipeError:
        raise  # the reader of standard output stopped (`| head`): the front end ends quietly
    except OSError as exc:
        raise ExportError("cannot write {path}: {reason}", path=target or "-", reason=exc.strerror or exc) from None


def _export(ctx: Context, kind: str, fmt: str, target: Path | None, stdout: TextIO | None) -> dict[str, int]:
    if kind == CALENDAR:
        if target is None:
            assert stdout is not None
            return {CALENDAR: write_calendar_text(ctx, stdout)}
        return {CALENDAR: export_calendar(ctx, target)}
    if target is None:
        assert stdout is not None
        return _write_text(ctx, kind, fmt, stdout)
    if fmt == "xlsx":
        return _replace(target, lambda path: _write_xlsx(ctx, kind, path))

    def write_text(path: Path) -> dict[str, int]:
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        with open(path, "w", encoding=encoding, newline="") as handle:
            return _write_text(ctx, kind, fmt, handle)

    return _replace(target, write_text)
