"""The files a rep imports, read one row at a time (memory does not grow with the file), and the rejects file: the
refused rows written back in the input's own format and encoding, so the rep fixes them and imports that file.

CSV: UTF-8 (with or without a BOM), GBK/GB18030 as Excel and WPS save it in China, or whatever charset-normalizer
recognises; the delimiter is the one the header row uses most. XLSX: openpyxl in read-only (streaming) mode, the
first sheet or a named one. vCard 2.1/3.0/4.0: vobject, a card at a time; photos and other binary properties are
dropped before parsing (they can be megabytes, and a photo the phone wrote badly must not refuse the card).
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from crmtui.core.errors import CrmError
from crmtui.core.i18n import _

FORMATS = ("csv", "xlsx", "vcf")
ERROR_COLUMN = "import error"
"""The column (or vCard property X-IMPORT-ERROR) a rejects file adds to say why each row was refused; the mapping
ignores it when that file is imported again."""

_SAMPLE = 64 * 1024
HEADER_SEARCH = 10
"""How many rows at the top of a sheet may hold its header: a title row (2026年客户名单, merged across) or a row of
group headers (客户信息 | 联系方式) often sits above it."""
_DELIMITERS = (",", ";", "\t", "|")
_BINARY_PROPERTIES = ("PHOTO", "LOGO", "SOUND", "KEY")


class ImportFileError(CrmError):
    """The file cannot be imported as it is: the message names the file (and the row or column) and what is
    expected."""


@dataclass
class Row:
    """One record of the file: `number` as the rep finds it (a spreadsheet's row number, header included; a vCard's
    card number), `values` its non-empty cells by column, `raw` what the rejects file writes back."""

    number: int
    values: dict[str, str]
    raw: Any
    error: str | None = None
    """Why the record could not be read at all (a malformed vCard): it is refused with this reason."""


@dataclass
class Source:
    """An opened file: its format, the encoding read (text formats), its columns as headed, and its rows."""

    path: Path
    format: str
    headers: list[str]
    encoding: str | None = None
    delimiter: str = ","
    newline: str = "\r\n"
    sheet: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> Iterator[Row]:
        """The data rows, in file order, read as they are asked for."""
        if self.format == "csv":
            return _csv_rows(self)
        if self.format == "xlsx":
            return _xlsx_rows(self)
        return _vcard_rows(self)

    def total(self) -> int | None:
        """About how many rows the file holds (for a progress bar), counted without parsing it."""
        if self.format == "xlsx":
            return self.extra.get("max_row")
        marker = b"BEGIN:VCARD" if self.format == "vcf" else b"\n"
        count = 0
        with self.path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                count += chunk.upper().count(marker) if self.format == "vcf" else chunk.count(marker)
        return count if self.format == "vcf" else max(count - 1, 0)


HeaderTest = Callable[[list[str]], bool]
"""Whether a row's cells read as a header row (most of them recognised column names)."""


def open_source(path: Path, *, encoding: str | None = None, sheet: str | None = None, header_row: int | None = None,
                is_header: HeaderTest | None = None) -> Source:
    """The file opened for import, its format told by its name (then by its first bytes), its encoding detected
    unless given, its header read: row `header_row` when given, else the first of the first HEADER_SEARCH rows
    `is_header` accepts, else the first non-empty row. A file that cannot be read is refused with one line saying
    why."""
    if not path.exists():
        raise ImportFileError("{path}: no such file", path=path)
    if path.is_dir():
        raise ImportFileError("{path}: a folder, not a file", path=path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_SAMPLE)
    except OSError as exc:
        raise ImportFileError("{path}: cannot be read ({reason})", path=path, reason=exc.strerror or exc) from None
    if not head.strip():
        raise ImportFileError("{path}: the file is empty", path=path)
    kind = _format_of(path, head)
    if kind == "xlsx":
        return _open_xlsx(path, sheet, header_row, is_header)
    if sheet:
        raise ImportFileError("--sheet: only a workbook (.xlsx) has sheets; {path} is not one", path=path)
    chosen = _check_encoding(encoding) if encoding else _detect_encoding(path, head)
    if kind == "vcf":
        return Source(path, "vcf", list(VCARD_COLUMNS), encoding=chosen)
    return _open_csv(path, head, chosen, header_row, is_header, detected=not encoding)


def _format_of(path: Path, head: bytes) -> str:
    suffix = path.suffix.casefold()
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("{path}: an old Excel .xls workbook; save it as .xlsx or CSV and import that", path=path)
    if suffix in (".vcf", ".vcard") or head.lstrip(codecs.BOM_UTF8).lstrip()[:11].upper() == b"BEGIN:VCARD":
        return "vcf"
    return "csv"


def _check_encoding(name: str) -> str:
    try:
        info = codecs.lookup(name)
    except LookupError:
        info = None
    # rot13 or base64 are codecs too, but of bytes to bytes: no file of text is written in them
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise ImportFileError("--encoding: an encoding such as utf-8, gbk or gb18030 (got \"{name}\")", name=name)
    return info.name


def _detect_encoding(path: Path, head: bytes) -> str:
    """UTF-8 (a BOM kept out of the first header), else GB18030 when the bytes read as Chinese (Excel and WPS on a
    Chinese Windows save GBK, of which GB18030 is the superset), else what charset-normalizer finds."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(head, "utf-8"):
        return "utf-8"
    if _decodes(head, "gb18030") and re.search("[\u4e00-\u9fff]", head.decode("gb18030", errors="ignore")):
        return "gb18030"
    from charset_normalizer import from_bytes  # deferred: ~40 ms, only for a file neither UTF-8 nor Chinese

    best = from_bytes(head).best()
    if best is None:
        raise ImportFileError("{path}: not text in an encoding crmtui recognises; give --encoding (e.g. gbk)",
                              path=path)
    return codecs.lookup(best.encoding).name


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether the sample is valid in `encoding`, a character cut at the sample's end forgiven."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _open_csv(path: Path, head: bytes, encoding: str, header_row: int | None, is_header: HeaderTest | None,
              detected: bool = False) -> Source:
    text = head.decode(encoding, errors="replace")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delimiter = max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
    newline = "\r\n" if b"\r\n" in head else "\n"
    source = Source(path, "csv", [], encoding=encoding, delimiter=delimiter, newline=newline,
                    extra={"detected": detected})
    top = [(number, [cell.encode("utf-8", "replace").decode("utf-8") for cell in cells])
           for number, cells, _bad in itertools.islice(_csv_records(source), max(HEADER_SEARCH, header_row or 0))]
    if not top:
        raise ImportFileError("{path}: the file is empty", path=path)
    source.extra["header_row"], headers = _header_of(path, top, header_row, is_header)
    source.headers = _headers(headers)
    return source


def _header_of(path: Path, top: list[tuple[int, list[Any]]], header_row: int | None,
               is_header: HeaderTest | None) -> tuple[int, list[Any]]:
    """(row number, cells) of the header among the first rows of the file."""
    if header_row is not None:
        found = next((row for row in top if row[0] == header_row), None)
        if found is None:
            raise ImportFileError("--header-row: row {row} of {path} is empty or past its end", row=header_row,
                                  path=path)
        return found
    if is_header is not None:
        for number, cells in top[:HEADER_SEARCH]:
            if is_header([_cell_text(cell).strip() for cell in cells]):
                return number, cells
    return top[0]


def _csv_records(source: Source) -> Iterator[tuple[int, list[str], bool]]:
    """(row number as a spreadsheet shows it, cells, whether the record held bytes that are not valid text in the
    file's encoding) for every record, blank lines left out. A line is decoded on its own, so a bad byte names its
    own row and refuses only that one; its cells keep the bytes (as surrogate escapes) for the rejects file. A bad
    header, or a bad row when the encoding was guessed from the file's start, means the encoding is wrong: the
    file is refused naming that row, for the rep to give the right one."""
    if codecs.lookup(source.encoding or "utf-8").name.startswith(("utf-16", "utf-32")):
        yield from ((number, cells, False) for number, cells in _csv_text_records(source))  # no byte is a line end
        return
    bad: set[int] = set()

    def lines(handle: Any) -> Iterator[str]:
        for index, line in enumerate(handle, start=1):
            try:
                yield line.decode(source.encoding)
            except UnicodeDecodeError:
                bad.add(index)
                yield line.decode(source.encoding, errors="surrogateescape")

    number = 0
    try:
        with source.path.open("rb") as handle:
            reader = csv.reader(lines(handle), delimiter=source.delimiter)
            read = 0
            for cells in reader:
                number += 1
                spans = range(read + 1, reader.line_num + 1)
                read = reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                invalid = any(line in bad for line in spans)
                if invalid and (number == 1 or source.extra.get("detected")):
                    raise UnicodeError
                yield number, cells, invalid
    except UnicodeError:
        raise _not_valid(source, number) from None
    except csv.Error as exc:
        raise ImportFileError("{path}: row {row} cannot be read as CSV ({reason})", path=source.path, row=number + 1,
                              reason=exc) from None


def _csv_text_records(source: Source) -> Iterator[tuple[int, list[str]]]:
    """_csv_records of a file whose encoding is read as a whole (UTF-16): a bad byte makes it unreadable."""
    number = 0
    try:
        with source.path.open(encoding=source.encoding, newline="") as handle:
            for cells in csv.reader(handle, delimiter=source.delimiter):
                number += 1
                if any(cell.strip() for cell in cells):
                    yield number, cells
    except UnicodeError:  # a decode error, or a UTF-16 file without its BOM
        raise _not_valid(source, number + 1) from None
    except csv.Error as exc:
        raise ImportFileError("{path}: row {row} cannot be read as CSV ({reason})", path=source.path, row=number + 1,
                              reason=exc) from None


def _not_valid(source: Source, row: int) -> ImportFileError:
    return ImportFileError("{path}: row {row} is not valid {encoding} text; give the file's encoding with"
                           " --encoding (e.g. gbk, utf-8)", path=source.path, row=row, encoding=source.encoding)


def _headers(cells: list[Any]) -> list[str]:
    """The header row's names, made unique (a second 电话 is "电话 (2)"), a blank one named by its position."""
    headers: list[str] = []
    for position, cell in enumerate(cells, start=1):
        name = _cell_text(cell).replace("\ufeff", "").strip() or _("column {number}").format(number=position)
        unique, count = name, 1
        while unique in headers:
            count += 1
            unique = f"{name} ({count})"
        headers.append(unique)
    return headers


_FORMULA_GUARD = re.compile(r"'(?=[=@+\-\t\r])")
"""The apostrophe a spreadsheet export (crmtui's own among them) puts before text Excel would run as a formula."""


def _csv_rows(source: Source) -> Iterator[Row]:
    for number, cells, bad in _csv_records(source):
        if number <= source.extra["header_row"]:  # the header and any title rows above it
            continue
        if bad:
            yield Row(number, {}, cells, _("not valid {encoding} text; give the file's encoding with --encoding (e.g."
                                           " gbk, utf-8)").format(encoding=source.encoding))
            continue
        values = {column: _FORMULA_GUARD.sub("", text, count=1) if text.startswith("'") else text
                  for column, text in _values(source.headers, cells).items()}
        yield Row(number, values, cells)


def _values(headers: list[str], cells: list[Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for position, cell in enumerate(cells):
        text = _cell_text(cell).strip()
        if text:
            column = headers[position] if position < len(headers) else _("column {number}").format(number=position + 1)
            values[column] = text
    return values


def _cell_text(cell: Any) -> str:
    """A cell as text: a whole number stored as a float (a phone typed into Excel) without its ".0", a date
    without a midnight time."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat(sep=" ", timespec="minutes")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


# ---------------------------------------------------------------- XLSX


def _open_xlsx(path: Path, sheet: str | None, header_row: int | None, is_header: HeaderTest | None) -> Source:
    from openpyxl import load_workbook  # deferred: openpyxl costs ~0.2 s, paid by `crm import` of a workbook only

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (zipfile, XML and openpyxl's own errors: all mean "not a workbook it can read"
        raise ImportFileError("{path}: not an .xlsx workbook crmtui can read ({reason})", path=path,
                              reason=exc.__class__.__name__) from None
    names = book.sheetnames
    if sheet is not None and sheet not in names:
        book.close()
        raise ImportFileError('--sheet: no sheet "{sheet}" in {path} (sheets: {names})', sheet=sheet, path=path,
                              names=", ".join(names))
    chosen = sheet or names[0]
    worksheet = book[chosen]
    source = Source(path, "xlsx", [], sheet=chosen, extra={"book": book, "max_row": worksheet.max_row})
    top = [(number, list(cells)) for number, cells in itertools.islice(_xlsx_records(source),
                                                                         max(HEADER_SEARCH, header_row or 0))]
    if not top:
        book.close()
        raise ImportFileError("{path}: sheet {sheet} is empty", path=path, sheet=chosen)
    try:
        source.extra["header_row"], headers = _header_of(path, top, header_row, is_header)
    except ImportFileError:
        book.close()
        raise
    source.headers = _headers(headers)
    return source


def _xlsx_records(source: Source) -> Iterator[tuple[int, tuple[Any, ...]]]:
    worksheet = source.extra["book"][source.sheet]
    for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if any(_cell_text(cell).strip() for cell in cells):
            yield number, cells


def _xlsx_rows(source: Source) -> Iterator[Row]:
    try:
        for number, cells in _xlsx_records(source):
            if number > source.extra["header_row"]:
                yield Row(number, _values(source.headers, list(cells)), [_cell_text(cell) for cell in cells])
    finally:
        source.extra["book"].close()


# ---------------------------------------------------------------- vCard

VCARD_COLUMNS = ("FN", "ORG", "TITLE", "TEL", "EMAIL", "X-WECHAT", "ADR", "BDAY", "CATEGORIES", "NOTE")
"""The vCard properties read into columns of those names; a second TEL or EMAIL is "TEL 2", "EMAIL 2"; any other
property keeps its name (X-QQ, URL...) and goes into the note unless mapped."""

_VCARD_SKIPPED = {"VERSION", "N", "PRODID", "UID", "REV", "X-ABLABEL", "X-ABUID", "X-ABADR", "X-ABSHOWAS",
                  "X-ANDROID-CUSTOM", "X-PHONETIC-FIRST-NAME", "X-PHONETIC-LAST-NAME", "SORT-STRING", "KIND", "SOURCE"}
"""Properties that hold nothing a rep keeps: the version, the name in parts (FN has it whole), ids, the phone
app's labels and sort keys."""

_WECHAT = ("X-WECHAT", "X-WEIXIN", "X-WX")


def _card_texts(source: Source) -> Iterator[tuple[int, str]]:
    """(card number, the card's text with its binary properties dropped), read line by line."""
    number = 0
    lines: list[str] | None = None
    skipping = False
    try:
        with source.path.open(encoding=source.encoding, newline="") as handle:
            for line in handle:
                bare = line.rstrip("\r\n")
                if skipping:
                    # a dropped property's folded lines start with a blank; a 2.1 base64 value ends at a blank line
                    if bare[:1] in (" ", "\t") or (not bare.strip() and lines is not None):
                        continue
                    skipping = False
                upper = bare.lstrip("\ufeff").upper()
                if upper.startswith("BEGIN:VCARD"):
                    if lines is not None:  # the card before never ended: refused, not dropped
                        yield number, "\r\n".join(lines) + "\r\n"
                    number += 1
                    lines = [bare.lstrip("\ufeff")]
                elif lines is not None:
                    name = re.split("[;:]", upper, maxsplit=1)[0].split(".")[-1]
                    if name in _BINARY_PROPERTIES:
                        skipping = True
                        continue
                    if bare.strip():
                        lines.append(bare)
                    if upper.startswith("END:VCARD"):
                        yield number, "\r\n".join(lines) + "\r\n"
                        lines = None
            if lines is not None:  # the file ends inside a card (cut short): refused, not dropped
                yield number, "\r\n".join(lines) + "\r\n"
    except UnicodeError:
        raise ImportFileError("{path}: card {row} is not valid {encoding} text; give the file's encoding with"
                              " --encoding (e.g. gbk, utf-8)", path=source.path, row=number,
                              encoding=source.encoding) from None


def _vcard_rows(source: Source) -> Iterator[Row]:
    import vobject  # deferred: vobject (with dateutil) costs ~0.1 s, paid by `crm import` of a vCard file only

    for number, text in _card_texts(source):
        if not text.rstrip().upper().endswith("END:VCARD"):
            yield Row(number, {}, text, _("not a whole vCard: it has no END:VCARD (is the file cut short?)"))
            continue
        try:
            card = vobject.readOne(text, allowQP=True)
            values = _card_values(card)
        except Exception as exc:  # noqa: BLE001 (vobject raises its own and codec errors on a malformed card
            reason = (str(exc).splitlines() or [exc.__class__.__name__])[0][:80]
            yield Row(number, {}, text, _("not a readable vCard ({reason})").format(reason=reason))
            continue
        yield Row(number, values, text)


def _card_values(card: Any) -> dict[str, str]:
    values: dict[str, str] = {}

    def put(column: str, value: str) -> None:
        value = _one_line(value)
        if not value:
            return
        name, count = column, 1
        while name in values:
            count += 1
            name = f"{column} {count}"
        values[name] = value

    children = list(card.getChildren())
    # mobile numbers first: the first TEL is the one the contact's phone gets
    phones = sorted((c for c in children if c.name == "TEL"),
                    key=lambda c: 0 if "CELL" in {t.upper() for t in [*c.params.get("TYPE", []),
                                                                       *getattr(c, "singletonparams", [])]} else 1)
    for child in [*phones, *(c for c in children if c.name != "TEL")]:
        name = child.name.upper()
        if name in _VCARD_SKIPPED or name.startswith("X-AB") or name in _BINARY_PROPERTIES:
            continue
        value = child.value
        if name == "ORG":
            parts = [part for part in (value if isinstance(value, list) else [value]) if part]
            if parts:
                put("ORG", parts[0])
                for part in parts[1:]:
                    put(_("Department"), part)
        elif name == "ADR":
            put("ADR", " ".join(part for part in (value.region, value.city, value.street, value.country)
                                if isinstance(part, str) and part))
        elif name == "BDAY":
            put("BDAY", _vcard_day(str(value)))
        elif name == "TEL":
            put("TEL", re.sub(r"^tel:", "", str(value), flags=re.IGNORECASE))  # vCard 4.0 writes a URI
        elif name in _WECHAT:
            put("X-WECHAT", str(value))
        elif name == "CATEGORIES":
            put("CATEGORIES", ",".join(value) if isinstance(value, list) else str(value))
        elif isinstance(value, str):
            put(name, value)
        elif isinstance(value, list):
            put(name, " ".join(str(part) for part in value if part))
    if "FN" not in values:
        name_parts = next((c.value for c in children if c.name == "N"), None)
        if name_parts is not None:
            family, given = str(name_parts.family or ""), str(name_parts.given or "")
            joined = family + given if re.search("[\u4e00-\u9fff]", family + given) else f"{given} {family}"
            put("FN", joined.strip())
    return values


def _vcard_day(text: str) -> str:
    """A vCard date as the date checker reads it: 19850312 -> 1985-03-12, --0312 (no year) -> --03-12."""
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if re.fullmatch(r"--\d{4}", text):
        return f"--{text[2:4]}-{text[4:]}"
    return text[:10] if re.match(r"\d{4}-\d{2}-\d{2}T", text) else text


def _one_line(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value)).split()) if "\n" in str(value) else str(value).strip()


# ---------------------------------------------------------------- the rejects file


def _raw_bytes_or_replace(error: UnicodeError) -> tuple[str | bytes, int]:
    """Writes a row's bytes that were not valid text back as they were (kept as surrogate escapes when read), and
    any other character the encoding cannot hold as "?"."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start:error.end]
    if all("\udc80" <= ch <= "\udcff" for ch in chunk):
        return bytes(ord(ch) - 0xDC00 for ch in chunk), error.end
    return "?" * len(chunk), error.end


_REJECTS_ERRORS = "crmtui-rejects"
codecs.register_error(_REJECTS_ERRORS, _raw_bytes_or_replace)


def rejects_path(path: Path) -> Path:
    """Where refused rows go by default: beside the input, `.rejects` before its suffix (客户.rejects.csv); a rejects
    file imported again keeps its name (what is still refused replaces it, once it has been read)."""
    if path.stem.endswith(".rejects"):
        return path
    return path.with_name(f"{path.stem}.rejects{path.suffix}")


class RejectsWriter:
    """The refused rows written as they come, in the input's format and encoding, each with why it was refused."""

    def __init__(self, source: Source, path: Path) -> None:
        self.source = source
        self.path = path
        self.count = 0
        # the input itself (a rejects file imported again) is written beside it and replaced when it is all read
        self._target = path.with_name(path.name + ".part") if path.resolve() == source.path.resolve() else path
        self._handle: Any = None
        self._writer: Any = None
        self._book: Any = None

    def write(self, row: Row, reason: str) -> None:
        """Adds one refused row, opening the file on the first."""
        if self.count == 0:
            try:
                self._open()
            except OSError as exc:  # raised inside the import's transaction: nothing is stored
                raise ImportFileError("--rejects: cannot write {path} ({reason}); nothing was imported",
                                      path=self.path, reason=exc.strerror or exc) from None
        self.count += 1
        if self.source.format in ("csv", "xlsx"):
            cells = [*row.raw, *[""] * (len(self.source.headers) - len(row.raw))]
            if ERROR_COLUMN in self.source.headers:  # a rejects file imported again: its reason replaced
                cells[self.source.headers.index(ERROR_COLUMN)] = reason
            else:
                cells.append(reason)
            (self._writer.writerow if self.source.format == "csv" else self._sheet.append)(cells)
        else:
            text = re.sub(r"(?im)^X-IMPORT-ERROR[;:].*\r?\n", "", row.raw)
            line = "X-IMPORT-ERROR:" + reason.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            self._handle.write(re.sub(r"(?im)^END:VCARD", lambda m: line + "\r\n" + m.group(), text, count=1))

    def _open(self) -> None:
        headers = [*self.source.headers, ERROR_COLUMN] if ERROR_COLUMN not in self.source.headers \
            else self.source.headers
        if self.source.format == "xlsx":
            from openpyxl import Workbook  # deferred: see _open_xlsx

            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet(self.source.sheet or "Sheet1")
            self._sheet.append(headers)
            return
        self._handle = self._target.open("w", encoding=self.source.encoding, newline="", errors=_REJECTS_ERRORS)
        if self.source.format == "csv":
            self._writer = csv.writer(self._handle, delimiter=self.source.delimiter, lineterminator=self.source.newline)
            self._writer.writerow(headers)

    def close(self) -> None:
        """Finishes the file (a workbook is written here)."""
        if self._book is not None:
            self._book.save(self._target)
        if self._handle is not None:
            self._handle.close()
        if self.count and self._target != self.path:
            self._target.replace(self.path)
