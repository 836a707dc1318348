"""What importing another system's history (deals, follow-ups) shares: a row's cells by field, the customer a row
names (found as the command line finds one by its exact name or id, or added), dates that have passed, and a row
refused with the column at fault.

The rows are written in bulk like the book's records (new records staged, written a batch at a time with one
outbox entry each); a record already in the book is changed through the ORM, so its history and outbox entry are
those of any edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crmtui.core import normalize
from crmtui.core.errors import Ambiguous, CrmError, InvalidInput, Match
from crmtui.core.labels import DateProblem
from crmtui.services.context import Context
from crmtui.services.customers import customer_fields
from crmtui.services.importing.mapping import Mapping
from crmtui.services.importing.readers import Row, Source
from crmtui.store import lookup as lookup_store
from crmtui.store.bulk import BulkWriter
from crmtui.store.models import Customer, Synced, new_id

BATCH = 2000
"""Records staged before they are written (within the one transaction): memory stays flat on a long file."""


@dataclass
class Skipped:
    """A row left out: its number and why (as the import's report lists skipped rows)."""

    row: int
    reason: str


class RowRefused(Exception):
    """A row not imported: the column at fault (None: the row as a whole) and why, in the rep's words."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class Cells:
    """A row's values by field, the column each came from, and the lines its note keeps (unmapped columns)."""

    values: dict[str, str]
    columns: dict[str, str]
    notes: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def defaults(model: type[Synced]) -> dict[str, object]:
    """The columns a new record leaves at the model's default."""
    return {name: info.default for name, info in model.model_fields.items() if name != "id" and not info.is_required()}


class HistoryRun:
    """One import of deals or follow-ups: the customers found or added, the staged records, the counts. The
    subclass reads each row (`row`) and writes what is left (`finish`)."""

    def __init__(self, ctx: Context, source: Source, mapping: Mapping, options: Any, result: Any,
                 connection: Any, outbox: Any, session: Any) -> None:
        self.ctx = ctx
        self.source = source
        self.mapping = mapping
        self.options = options
        self.result = result
        self.connection = connection
        self.outbox = outbox
        self.session = session
        self.dry_run = outbox is None
        self.now = ctx.clock.utcnow()
        self.local_now = ctx.clock.now()
        self.file_name = source.path.name
        self.writer = BulkWriter()
        self.batch = 0
        self.customers: dict[str, str] = {}
        """Normalised names (and ids) -> the customer's id, as found or added by this run."""
        self.customer_defaults = defaults(Customer)
        self._days: dict[str, date] = {}

    # ------------------------------------------------------------ a row's cells

    def cells(self, row: Row) -> Cells:
        """The row's cells by field ([values.FIELD] tables applied); a column nothing names goes to the note."""
        if row.error is not None:
            raise RowRefused(None, row.error)
        cells = Cells({}, {})
        for column, text in row.values.items():
            name = self.mapping.field_of(column)
            if name == "ignore" or not text.strip():
                continue
            text = self.mapping.value(name, text.strip())
            if name in cells.values or name == "note" or name not in self.fields:
                cells.notes.append(f"{column}: {text}")
            elif name == "notes":
                cells.values["notes"] = text
                cells.columns["notes"] = column
            else:
                cells.values[name] = text
                cells.columns[name] = column
        return cells

    fields: frozenset[str] = frozenset()
    """The fields this kind reads (any other goes to the note)."""

    def row(self, row: Row) -> None:
        """Reads one row: the subclass's."""
        raise NotImplementedError

    def _map(self, row: Row) -> Cells:
        """What the team's duplicate check reads of a row: the name of the customer it would add (one the book does
        not hold), as `name`; nothing for a customer of the book."""
        name = self.cells(row).get("customer")
        if name is None or self._found(name) is not None:
            return Cells({}, {})
        return Cells({"name": name}, {})

    def checked(self, cells: Cells, make: Any, name: str | None = None) -> Any:
        """What `make` returns, or the row refused naming the column of the field the check refused."""
        try:
            return make()
        except InvalidInput as exc:
            raise RowRefused(self.column_of(cells, name or exc.field), exc.message()) from None
        except CrmError as exc:
            raise RowRefused(self.column_of(cells, name) if name else None, exc.message()) from None

    def column_of(self, cells: Cells, name: str) -> str | None:
        """The column a field came from (an empty cell: the column mapped to it)."""
        return cells.columns.get(name) or next((c for c, f in self.mapping.columns.items() if f == name), None)

    def past_day(self, cells: Cells, name: str) -> date | None:
        """A day that has happened (opened, closed), or None when the cell is empty."""
        text = cells.get(name)
        if text is None:
            return None
        day = self._days.get(text)
        if day is None:
            from crmtui.core.dates import DateParseError, parse_day  # deferred: with dateparser, ~0.1 s

            try:
                day = parse_day(text, self.local_now, past=True)
            except DateParseError as exc:
                raise RowRefused(cells.columns[name], InvalidInput(name, "{problem}", problem=DateProblem(exc)).message()) from None
            self._days[text] = day
        if day > self.local_now.date():
            raise RowRefused(cells.columns[name], InvalidInput(
                name, "a day that has passed (history), not {day}", text, day=day.isoformat()).message())
        return day

    def moment_of(self, day: date) -> datetime:
        """A day as the moment it is stored at: the rep's default time of that day, in UTC."""
        return self.ctx.clock.to_utc(datetime.combine(day, self.ctx.settings.default_time, self.ctx.clock.zone))

    # ------------------------------------------------------------ the customer a row names

    def customer_id(self, cells: Cells, kind_text: str | None = None) -> str:
        """The customer the row names: the one the book holds under that exact name (or a contact's name, or its
        id), as `crm show` finds it; none: added now (a company, or a person when the row says so)."""
        name = cells.get("customer")
        if name is None:
            raise RowRefused(self.column_of(cells, "customer"), InvalidInput(
                "customer", "required: the name of the customer it belongs to").message())
        key = normalize.name_key(name) or name
        found = self._found(name)
        if isinstance(found, list):
            raise RowRefused(cells.columns.get("customer"), Ambiguous(
                "customer", name, [Match(ref.id, ref.name) for ref in found]).message())
        if found is not None:
            self.customers[key] = found
            return found
        kind = "person" if kind_text is not None and _is_person(kind_text) else "company"
        values = self.checked(cells, lambda: customer_fields(self.ctx, name, status="prospect", kind=kind), "customer")
        customer_id = self.stage(Customer, {**self.customer_defaults, **values})
        self.customers[key] = customer_id
        self.result.customers += 1
        self.write()  # written at once: the rows after it find it by name, as a rep's look-up would
        return customer_id

    def _found(self, name: str) -> str | list[Any] | None:
        """The id of the customer the book (or this run) holds under the name, the candidates when several do,
        None when none does."""
        found = self.customers.get(normalize.name_key(name) or name)
        if found is not None:
            return found
        refs = lookup_store.find_customer_by_id(self.connection, name) or [
            ref for ref in lookup_store.find_customers(self.connection, name, None, 20) if ref.tier <= 2]
        if len(refs) > 1:
            return refs
        return refs[0].id if refs else None

    def skip(self, number: int, reason: str) -> None:
        """A row left out: counted, and listed (the first 200)."""
        self.result.skipped += 1
        if len(self.result.skips) < 200:
            self.result.skips.append(Skipped(number, reason))

    # ------------------------------------------------------------ staging and writing

    def stage(self, model: type[Synced], values: dict[str, Any]) -> str:
        """Stages a new record for the bulk write and returns its id (a dry run only makes the id)."""
        self.batch += 1
        if self.dry_run:
            return new_id()
        return self.writer.add_values(model, values, self.now)

    def write(self) -> None:
        """Writes what is staged (nothing on a dry run)."""
        if not self.dry_run and self.batch:
            self.writer.write(self.connection, self.outbox)
        self.batch = 0

    def finish(self) -> None:
        """Writes what is left staged."""
        self.write()


PERSON_WORDS = frozenset({"person", "individual", "private", "个人", "个人客户", "自然人", "私人"})
COMPANY_WORDS = frozenset({"company", "business", "organization", "organisation", "企业", "公司", "单位", "企业客户",
                           "机构", "组织"})


def _is_person(text: str) -> bool:
    return text.strip().casefold() in PERSON_WORDS


def kind_of(text: str | None) -> str | None:
    """A type column's value as a customer's kind: person (个人) or company (公司); None when empty."""
    if text is None or not text.strip():
        return None
    folded = text.strip().casefold()
    if folded in PERSON_WORDS:
        return "person"
    if folded in COMPANY_WORDS:
        return "company"
    raise InvalidInput("type", "person or company (个人 or 公司)", text)
