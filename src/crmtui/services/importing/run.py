"""An import run: each row mapped, checked by the same functions `crm add` uses (so a refusal reads the same),
matched against the book and the rows before it with the same duplicate rules, then written in bulk with one outbox
entry a record, a batch at a time; refused rows go to the rejects file. A dry run does all of it but the writes.

Duplicates are looked up in the book, which holds every record the run has written by then, and among the few
thousand records staged since (crmtui.services.importing.duplicates): a file that repeats a row and a file imported
twice create nothing new, and the memory a run takes does not grow with its file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from crmtui.core import i18n, normalize
from crmtui.core.errors import CrmError, InvalidInput
from crmtui.core.fields import get as fields_named
from crmtui.core.fields import label
from crmtui.core.i18n import _
from crmtui.services import fields, history
from crmtui.services.context import Context
from crmtui.services.customers import (
    SERVICE_FIELDS,
    SETTABLE_STATUSES,
    apply_customer_changes,
    clean_tags,
    contact_added,
    contact_fields,
    customer_changes,
    customer_edited,
    customer_fields,
    service_changes,
)
from crmtui.services.importing import mapping as mappings
from crmtui.services.importing import notes as import_notes
from crmtui.services.importing import team_check
from crmtui.services.importing.duplicates import DuplicateIndex, Owner
from crmtui.services.importing.history import RowRefused, defaults, kind_of
from crmtui.services.importing.history_kinds import history_run
from crmtui.services.importing.mapping import HISTORY_KINDS, KINDS, Mapping, MappingError
from crmtui.services.importing.readers import (
    RejectsWriter,
    Row,
    Source,
    open_source,
    rejects_path,
)
from crmtui.services.personal_data import imported_consent
from crmtui.services.scoring import lead_score
from crmtui.store import customers as customer_store
from crmtui.store import importing as store
from crmtui.store.bulk import BulkWriter, new_id
from crmtui.store.models import Contact, Customer, CustomerTag

ON_DUPLICATE = ("skip", "merge", "create")
BATCH = 2000
"""Rows staged before they are written (within the one transaction): memory stays flat on a long file."""
SHOWN_SKIPS = 200
"""Skipped rows listed in the report (all are counted)."""

_FIELD_OF_KEY = {"job_title": "title", "next_at": "next", "tags": "tag", "decision_maker": "decision-maker",
                 "service_months": "service-months", "service_from": "service-from",
                 "warranty_until": "warranty-until"}
"""The services' field keys named as the import's fields, to find the column a refusal is about."""
_FILLABLE = ("company", "phone", "email", "wechat", "source", "interest", "industry", "region", *SERVICE_FIELDS)
"""Customer fields a merge fills when the record in the book has none (it never overwrites): a new customer's
fields, its service cycle and warranty end included."""
_NO_DATE = ("0/0/00", "0/0/0000", "00/00/0000")
"""What Outlook writes in an empty date column."""
_CONTACT_FILLABLE = ("title", "phone", "email", "wechat", "birthday")


@dataclass
class Options:
    """What `crm import` was asked to do."""

    kind: str | None = None
    maps: list[str] = field(default_factory=list)
    mapping: str | None = None
    save_mapping: str | None = None
    dry_run: bool = False
    on_duplicate: str = "skip"
    rejects: Path | None = None
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    """The row holding the column names (None: found among the first rows)."""


@dataclass
class Refusal:
    """A row not imported: its number, the column at fault (None when the row as a whole), why."""

    row: int
    column: str | None
    reason: str


@dataclass
class Skip:
    """A row left out as a duplicate (or one that would merge nothing new)."""

    row: int
    reason: str


@dataclass
class ImportResult:
    """What a run did (or, dry, would do)."""

    path: Path
    format: str
    encoding: str | None
    sheet: str | None
    kind: str
    dry_run: bool
    mapping: Mapping
    created: int = 0
    merged: int = 0
    skipped: int = 0
    refused: int = 0
    contacts: int = 0
    """Contacts added beside the records counted (a customers sheet's contact person)."""
    customers: int = 0
    """Customers added for contacts whose company was not in the book."""
    refusals: list[Refusal] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    merges: list[Skip] = field(default_factory=list)
    """Rows merged into a record of the book, with what each filled (the first SHOWN_SKIPS)."""
    rejects: Path | None = None
    mapping_saved: Path | None = None
    team_check: str | None = None
    """Why the team server's duplicate check could not be made (None: made, or not a team's import)."""

    def as_dict(self) -> dict[str, object]:
        """The result for `--json`."""
        return {
            "file": str(self.path), "format": self.format, "encoding": self.encoding, "sheet": self.sheet,
            "kind": self.kind, "dry_run": self.dry_run,
            "counts": {"created": self.created, "merged": self.merged, "skipped": self.skipped,
                       "refused": self.refused, "contacts": self.contacts, "customers": self.customers},
            "columns": dict(self.mapping.columns), "unknown_columns": list(self.mapping.unknown),
            "refused": [{"row": r.row, "column": r.column, "reason": r.reason} for r in self.refusals],
            "skipped": [{"row": s.row, "reason": s.reason} for s in self.skips],
            "merges": [{"row": m.row, "filled": m.reason} for m in self.merges],
            "rejects": str(self.rejects) if self.rejects else None,
            "team_check": self.team_check,
        }


@dataclass
class _Mapped:
    """A row's values by field, the column each came from, its tags and the lines of its note."""

    values: dict[str, str]
    columns: dict[str, str]
    tags: list[str]
    notes: list[str]


class _RowRefused(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        self.column = column
        self.reason = reason


def prepare(ctx: Context, path: Path, options: Options) -> tuple[Source, Mapping]:
    """The file opened and its mapping worked out (detected, then the mapping file, then each --map), or a one-line
    refusal of what is wrong with them."""
    if options.on_duplicate not in ON_DUPLICATE:
        raise MappingError('--on-duplicate: one of {choices} (got "{value}")', choices=", ".join(ON_DUPLICATE),
                           value=options.on_duplicate)
    if options.kind is not None and options.kind not in KINDS:
        raise MappingError('--kind: one of {kinds} (got "{kind}")',
                           kinds=", ".join(KINDS), kind=options.kind)
    overrides = [mappings.parse_map_option(text) for text in options.maps]
    mapping_file = mappings.read(options.mapping) if options.mapping else None
    if options.header_row is not None and options.header_row < 1:
        raise MappingError('--header-row: a row number from 1 (got "{value}")', value=options.header_row)
    source = open_source(path, encoding=options.encoding, sheet=options.sheet, header_row=options.header_row,
                         is_header=mappings.is_header_row)
    kind = options.kind or (mapping_file[1].get("kind") if mapping_file else None) or \
        ("contacts" if source.format == "vcf" else mappings.own_export_kind(source.headers) or
         mappings.sheet_kind(source.sheet) or mappings.history_kind(source.headers) or "customers")
    mapping = mappings.for_vcard(str(kind)) if source.format == "vcf" else mappings.detect(source.headers, str(kind))
    if mapping_file:
        mappings.apply(*mapping_file, mapping)
    for column, name in overrides:
        if source.format != "vcf" and column not in source.headers:
            raise MappingError('--map: no column "{column}" in {path} (columns: {columns})', column=column, path=path,
                               columns=", ".join(source.headers))
        mapping.columns[column] = name
        if column in mapping.unknown:
            mapping.unknown.remove(column)
    _check_name_column(source, mapping)
    return source, mapping


_NAME_FIELDS = {"customers": ("name", "contact", "first-name", "last-name"),
                "leads": ("name", "contact", "first-name", "last-name"),
                "contacts": ("name", "contact", "first-name", "last-name", "customer"),
                "deals": ("customer",), "follow-ups": ("customer",)}
"""The fields one of which a row needs for the customer (or person) it names, by kind."""


def _check_name_column(source: Source, mapping: Mapping) -> None:
    """Refuses once a sheet with no column for the customer's name, rather than every row of it."""
    if source.format == "vcf" or set(_NAME_FIELDS[mapping.kind]) & set(mapping.columns.values()):
        return
    raise MappingError("no column for the customer's name; headers read from row {row}: {headers}; use --map"
                       " COLUMN={field}", row=source.extra.get("header_row", 1), headers=", ".join(source.headers),
                       field=_NAME_FIELDS[mapping.kind][0])


def run_import(ctx: Context, path: Path, options: Options, progress: Callable[[int], None] | None = None,
               prepared: tuple[Source, Mapping] | None = None) -> ImportResult:
    """Imports the file (or, with dry_run, works out what it would do and writes nothing)."""
    source, mapping = prepared or prepare(ctx, path, options)
    result = ImportResult(path, source.format, source.encoding, source.sheet, mapping.kind, options.dry_run, mapping)
    if options.save_mapping:
        result.mapping_saved = mappings.save(mapping, options.save_mapping, path.name)
    rejects = None if options.dry_run else RejectsWriter(source, options.rejects or rejects_path(path))
    try:
        with history.action(ctx, history.IMPORT_WHAT, source="import", file=path.name), _book(ctx, options.dry_run) as (connection, outbox, session):
            run = (history_run(mapping.kind) if mapping.kind in HISTORY_KINDS else _Run)(
                ctx, source, mapping, options, result, connection, outbox, session)
            for done, row in enumerate(team_check.screened(run, source.rows()), start=1):
                try:
                    run.row(row)
                except (_RowRefused, RowRefused) as refused:
                    result.refused += 1
                    result.refusals.append(Refusal(row.number, refused.column, refused.reason))
                    if rejects is not None:
                        rejects.write(row, _refusal_text(refused.column, refused.reason))
                if progress is not None and done % 100 == 0:
                    progress(done)
            run.finish()
    finally:
        if rejects is not None:
            rejects.close()
            result.rejects = rejects.path if rejects.count else None
    return result


def _refusal_text(column: str | None, reason: str) -> str:
    return f"{column}: {reason}" if column else reason


@contextmanager
def _book(ctx: Context, dry_run: bool) -> Iterator[tuple[Any, Any, Any]]:
    """The book to read (and, unless dry, write) in one transaction: an ORM session for merges, joined by the raw
    connection the bulk writes and the key look-ups use."""
    now = ctx.clock.utcnow()
    if dry_run:
        with ctx.db.read() as session, ctx.db.raw_read() as connection:
            yield connection, None, session
        return
    with ctx.db.write(now) as session, ctx.db.raw_write(now) as (connection, outbox):
        yield connection, outbox, session



class _Run:
    """One import's state: the duplicate index, the staged records, the counts."""

    def __init__(self, ctx: Context, source: Source, mapping: Mapping, options: Options, result: ImportResult,
                 connection: Any, outbox: Any, session: Any) -> None:
        self.ctx = ctx
        self.source = source
        self.mapping = mapping
        self.options = options
        self.result = result
        self.connection = connection
        self.outbox = outbox
        self.session = session
        self.now = ctx.clock.utcnow()
        self.writer = BulkWriter()
        self.batch = 0
        self.staged: dict[str, dict[str, Any]] = {}
        """A dry run's customers of this file staged since its last batch, with what a merge looks at (the others
        are kept in a temporary table): a later row merging into one is judged against these values, so the dry
        run counts what the real run will do."""
        self.rescore: set[str] = set()
        """Customers already written that got a contact: rescored once, at the end."""
        self.notes_added: dict[str, list[str]] = {}
        """Customers of the book a row adds notes to: their notes are written once, at the end."""
        self.customer_defaults = defaults(Customer)
        self.contact_defaults = defaults(Contact)
        self.people = self._names_people()
        self.index = DuplicateIndex(connection, dry_run=outbox is None)

    # ------------------------------------------------------------ a row

    def row(self, row: Row) -> None:
        if row.error is not None:
            raise _RowRefused(None, row.error)
        self.index.changed()  # what an earlier row merged is in the book now
        mapped = self._map(row)
        if self.mapping.kind == "contacts":
            self._contact_row(mapped, row.number)
        else:
            self._customer_row(mapped, row.number)
        if self.batch >= BATCH:
            self._write()

    def _map(self, row: Row) -> _Mapped:
        mapped = _Mapped({}, {}, [], [])
        parts: dict[str, str] = {}
        for column, text in row.values.items():
            name = self.mapping.field_of(column)
            if name == "ignore":
                continue
            text = self.mapping.value(name, text)
            if name in ("note", "owner"):  # who owns a record is the team server's to set: kept in the note
                mapped.notes.append(f"{column}: {text}")
            elif name == "notes":
                mapped.notes.append(text)
            elif name == "tag":
                # Google's labels are "* myContacts ::: Clients": its own groups (starred) are not the rep's tags
                tags = fields.split_tags(re.sub("[；;、]|:::", ",", text))
                mapped.tags += [tag for tag in tags if not tag.startswith("* ")]
            elif name == "birthday" and text in _NO_DATE:
                continue
            elif name in ("first-name", "last-name"):
                parts[name] = text
                mapped.columns.setdefault(self.mapping.person_field(), column)
            elif name in mapped.values:
                mapped.notes.append(f"{column}: {text}")  # a second column for a one-value field: kept, not lost
            else:
                mapped.values[name] = text
                mapped.columns[name] = column
        if parts:
            target = self.mapping.person_field()
            given, family = parts.get("first-name", ""), parts.get("last-name", "")
            joined = family + given if _cjk(family + given) else f"{given} {family}".strip()
            if target in mapped.values:
                if joined != mapped.values[target]:  # Google's Name beside its Given and Family Name: said once
                    mapped.notes.append(joined)
            else:
                mapped.values[target] = joined
        return mapped

    def _checked(self, mapped: _Mapped, make: Callable[[], Any], person: bool = False) -> Any:
        """What `make` returns, or the row refused naming the column of the field the checker refused."""
        try:
            return make()
        except InvalidInput as exc:
            name = _FIELD_OF_KEY.get(exc.field, exc.field)
            if person and name == "name" and self.mapping.kind == "customers":
                name = "contact"
            column = mapped.columns.get(name) or next(
                (c for c, f in self.mapping.columns.items() if f == name), None)  # an empty cell: its column
            raise _RowRefused(column, exc.message()) from None

    def _names_people(self) -> bool:
        """Whether a customers sheet's names are people's (its name column is headed as a person's: 姓名, Name)."""
        if self.mapping.kind != "customers":
            return False
        named = [column for column, name in self.mapping.columns.items() if name == "name"]
        return bool(named) and all(mappings.header_key(c) in mappings.PERSON_HEADERS for c in named)

    def _customer_row(self, mapped: _Mapped, number: int, person: bool = False) -> None:
        values = mapped.values
        lead = self.mapping.kind == "leads"
        name = values.get("name")
        contact_name = values.get("contact") if not lead else None
        if name is None and contact_name is not None:  # no company given: the person is the customer
            name, contact_name, person = contact_name, None, True
            mapped.columns["name"] = mapped.columns.get("contact", "")
        person = person or lead or self.people
        typed = self._checked(mapped, lambda: kind_of(values.get("type")))
        if typed == "person" and contact_name:  # a person and their employer: the person is the customer
            values.setdefault("company", str(name))
            name, contact_name = contact_name, None
            mapped.columns["name"] = mapped.columns.get("contact", "")
        if typed is not None:
            person = typed == "person"
        status = self._status(values.get("status"), mapped, lead)
        customer = self._checked(mapped, lambda: customer_fields(
            self.ctx, name, status=status, kind="person" if person else "company", company=values.get("company"),  # type: ignore[arg-type]
            phone=values.get("phone"), email=values.get("email"), wechat=values.get("wechat"),
            source=values.get("source"), interest=values.get("interest"), industry=values.get("industry"),
            region=values.get("region"), tier=values.get("tier")))
        if person:  # consent is a person's: a company's is kept on its contact
            customer.update(self._checked(mapped, lambda: imported_consent(self.ctx, values)))
        customer.update(self._checked(mapped, lambda: _service_values(self.ctx, values)))
        contact = None
        if contact_name:
            contact = self._checked(mapped, lambda: self._contact_fields("", contact_name, values), person=True)
        else:
            mapped.notes += [f"{mapped.columns[key]}: {values[key]}" for key in ("title", "birthday", "decision-maker")
                             if key in values]
        tags = self._checked(mapped, lambda: clean_tags(mapped.tags))
        next_at = self._next(mapped)
        duplicate = self.index.customer_match(customer)
        if duplicate is None and contact is not None:
            duplicate = self.index.contact_match("", contact)
        if duplicate is not None and self.options.on_duplicate != "create":
            reason, owner = duplicate
            if self.options.on_duplicate == "skip":
                self._skip(number, reason, owner)
            else:
                self._merge(number, reason, owner, customer, contact, tags, next_at, mapped.notes)
            return
        self._add_customer(customer, tags, next_at, mapped.notes, contact)
        self.result.created += 1
        if contact is not None:
            self.result.contacts += 1

    def _status(self, text: str | None, mapped: _Mapped, lead: bool) -> str:
        if lead or not text:
            return "lead" if lead else "prospect"
        status = mappings.STATUS_WORDS.get(text, text.casefold())
        if status not in SETTABLE_STATUSES:
            raise _RowRefused(mapped.columns.get("status"), InvalidInput(
                "status", "one of {choices}", text, choices=", ".join(SETTABLE_STATUSES)).message())
        return status

    def _contact_fields(self, customer_id: str, name: str, values: dict[str, str]) -> dict[str, Any]:
        decision = fields.yes_no("decision_maker", values["decision-maker"]) if "decision-maker" in values else False
        return {**contact_fields(self.ctx, customer_id, name, title=values.get("title"), phone=values.get("phone"),
                                 email=values.get("email"), wechat=values.get("wechat"), decision_maker=decision,
                                 birthday=values.get("birthday")),
                **imported_consent(self.ctx, values)}  # a person's consent and do-not-contact, as exported

    def _next(self, mapped: _Mapped) -> datetime | None:
        """The next follow-up date as given: a day in the past is kept (the customer is then overdue on Today)."""
        text = mapped.values.get("next")
        if not text:
            return None
        from crmtui.core.dates import DateParseError, parse_next_date  # deferred: dateparser, ~0.25 s on first use

        now = self.ctx.clock.now()
        try:
            return self.ctx.clock.to_utc(parse_next_date(text, now, self.ctx.settings.default_time).when)
        except DateParseError:
            day = self._checked(mapped, lambda: fields.day("next_at", text, now))
            return self.ctx.clock.to_utc(datetime.combine(day, self.ctx.settings.default_time, self.ctx.clock.zone))

    def _contact_row(self, mapped: _Mapped, number: int) -> None:
        values = mapped.values
        company = values.get("customer")
        if not company:
            # a phone's card with no company: the person is a customer of their own
            self._customer_row(_Mapped({k: v for k, v in values.items() if k not in ("customer", "contact")},
                                       mapped.columns, mapped.tags, mapped.notes), number, person=True)
            return
        owner = self.index.customer_named(normalize.name_key(company))
        new_company = None
        if owner is None:
            new_company = self._checked(mapped, lambda: customer_fields(
                self.ctx, company, status="prospect", kind="company", source=values.get("source"),
                interest=values.get("interest"), industry=values.get("industry"), region=values.get("region"),
                tier=values.get("tier")))
            mapped.columns["name"] = mapped.columns.get("customer", "")
        else:
            mapped.notes += [f"{mapped.columns[key]}: {values[key]}" for key in ("source", "interest", "industry",
                                                                                 "region", "tier") if key in values]
        # a contacts sheet's service columns are its company's: kept in the note, as its other company fields
        mapped.notes += [f"{mapped.columns[key]}: {values[key]}" for key in _SERVICE_COLUMNS if values.get(key)]
        customer_id = owner.customer_id if owner else ""
        contact = self._checked(mapped, lambda: self._contact_fields(customer_id, values.get("name"), values),  # type: ignore[arg-type]
                                person=True)
        tags = self._checked(mapped, lambda: clean_tags(mapped.tags))
        duplicate = self.index.contact_match(customer_id, contact)
        if duplicate is not None and self.options.on_duplicate != "create":
            reason, dup = duplicate
            if self.options.on_duplicate == "merge" and dup.contact_id is not None:
                self._merge_contact(number, reason, dup, contact, mapped.notes)
            else:
                self._skip(number, reason, dup)
            return
        if new_company is not None:
            self._add_customer(new_company, tags, None, mapped.notes, contact)
            self.result.customers += 1
        else:
            if mapped.notes:
                self._check_note(owner.customer_id, "\n".join(mapped.notes))  # type: ignore[union-attr]
            self._add_contact(owner.customer_id, owner.label, contact)  # type: ignore[union-attr]
            self.rescore.add(owner.customer_id)  # type: ignore[union-attr]
            self._note(owner.customer_id, mapped.notes, contact["id"])  # type: ignore[union-attr]
        self.result.created += 1

    # ------------------------------------------------------------ staging and writing

    def _add_customer(self, customer: dict[str, Any], tags: list[str], next_at: datetime | None, notes: list[str],
                      contact: dict[str, Any] | None) -> None:
        """Stages a new customer, its tags, its contact and its note, each as the services would write them: the
        customer scored with its contact, its dates those of its note."""
        if notes:
            self._check_note(None, "\n".join(notes))
        if contact is not None:
            customer["score"] = lead_score(SimpleNamespace(**customer), [SimpleNamespace(**contact)],
                                           self.ctx.settings.score)  # type: ignore[arg-type]
        customer["next_follow_up_at"] = next_at
        if notes:  # the customer's notes, never a follow-up: an imported lead has not been contacted yet
            customer["notes"] = "\n".join(notes)
        customer_id = self._stage(Customer, {**self.customer_defaults, **customer})
        if self.outbox is None:
            self.staged[customer_id] = _merge_view(customer)
        self.index.add(Owner(customer_id, str(customer["name"]), None), customer)
        for tag in tags:
            self._stage(CustomerTag, {"customer_id": customer_id, "tag": tag, "created_at": self.now,
                                      "updated_at": self.now, "deleted_at": None})
        if contact is not None:
            self._add_contact(customer_id, str(customer["name"]), contact)

    def _add_contact(self, customer_id: str, customer_name: str, contact: dict[str, Any]) -> None:
        contact["customer_id"] = customer_id
        contact["id"] = self._stage(Contact, {**self.contact_defaults, **contact})
        self.index.add(Owner(customer_id, f"{contact['name']} @ {customer_name}", contact["id"]), contact)

    def _stage(self, model: type[Any], values: dict[str, Any]) -> str:
        """Stages a record for the bulk write and returns its id (a dry run only makes the id)."""
        self.batch += 1
        if self.outbox is None:
            return new_id()
        return self.writer.add_values(model, values, self.now)

    def _note(self, customer_id: str, notes: list[str], contact_id: str | None = None) -> None:
        """The row's notes and unmapped columns, added to the notes of a customer of the book at the end of the
        run (never a follow-up: an import is no contact with the customer)."""
        if notes and self.outbox is not None:
            self.notes_added.setdefault(customer_id, []).append("\n".join(notes))

    def _check_note(self, customer_id: str | None, text: str) -> None:
        """Refuses a row whose notes would make the customer's longer than `crm edit --notes` takes (None: a
        customer this row adds), naming the notes column."""
        before = 0
        if customer_id is not None:
            pending = self.notes_added.get(customer_id, [])
            before = store.notes_length(self.connection, customer_id) + sum(len(t) + 1 for t in pending)
        try:
            import_notes.check_length(text, before)
        except InvalidInput as exc:
            column = next((c for c, f in self.mapping.columns.items() if f == "notes"), None)
            raise _RowRefused(column, exc.message()) from None

    def _has_note(self, customer_id: str, text: str) -> bool:
        """Whether the customer's notes hold this text already (or an earlier import's follow-up does)."""
        return text in self.notes_added.get(customer_id, ()) or store.has_note(self.connection, customer_id, text)

    def _write(self) -> None:
        if self.outbox is not None:
            self.writer.write(self.connection, self.outbox)
        elif self.staged:
            store.keep_customers(self.connection, [(id_, json.dumps(view, default=str))  # a day: its ISO text
                                                   for id_, view in self.staged.items()])
            self.staged.clear()
        self.index.written()
        self.batch = 0

    def finish(self) -> None:
        """Writes what is staged; rescores the customers that got contacts after they were written."""
        self._write()
        if self.outbox is None:
            return
        for customer_id in sorted(self.rescore):
            customer = self.session.get(Customer, customer_id)
            customer_edited(self.ctx, customer, customer_store.contacts_of(self.session, customer_id))
        for customer_id, texts in self.notes_added.items():
            customer = self.session.get(Customer, customer_id)
            notes = import_notes.appended(customer.notes, texts)
            if notes is not None:
                customer.notes = notes
                customer.updated_at = self.now
        if self.rescore or self.notes_added:
            self.session.flush()

    # ------------------------------------------------------------ duplicates

    def _skip(self, number: int, reason: str, owner: Owner) -> None:
        self.result.skipped += 1
        if len(self.result.skips) < SHOWN_SKIPS:
            self.result.skips.append(Skip(number, _('same {reason} as "{name}" ({id})').format(
                reason=_reason(reason), name=owner.label, id=owner.customer_id[:8])))

    def _merged(self, number: int, owner: Owner, filled: list[str]) -> None:
        """A merged row listed with what it filled, for the report."""
        if len(self.result.merges) < SHOWN_SKIPS:
            self.result.merges.append(Skip(number, _('{fields} of "{name}" ({id})').format(
                fields=", ".join(_reason(name) for name in filled), name=owner.label, id=owner.customer_id[:8])))

    def _existing(self, model: type[Any], record_id: str) -> Any:
        """A record of the book through the ORM (a record of this run is written first, then read like any)."""
        if self.batch:
            self._write()
        return self.session.get(model, record_id)

    def _merge(self, number: int, reason: str, owner: Owner, customer: dict[str, Any], contact: dict[str, Any] | None,
               tags: list[str], next_at: datetime | None, notes: list[str]) -> None:
        """Fills what the customer in the book lacks from the row (never overwrites), adds its new tags, its contact
        when not already there, and its notes when not already brought in."""
        existing = self._existing(Customer, owner.customer_id)
        if existing is None:  # a dry run's record of this file, never written: judged against what it staged
            self._merge_staged(number, reason, owner, customer, contact, next_at, notes)
            return
        fills = {name: customer[name] for name in _FILLABLE if customer.get(name) and not getattr(existing, name)}
        have = {t.tag for t in customer_store.tags_of(self.session, existing.id)} if tags else set()
        new_tags = [tag for tag in tags if tag not in have]
        new_contact = contact is not None and self.index.contact_match(existing.id, contact) is None
        note_text = "\n".join(notes)
        new_note = bool(notes) and not self._has_note(existing.id, note_text)
        if new_note:
            self._check_note(existing.id, note_text)
        fill_next = next_at is not None and existing.next_follow_up_at is None
        if not (fills or new_tags or new_contact or new_note or fill_next):
            self._skip(number, reason, owner)
            return
        self.result.merged += 1
        self._merged(number, owner, [*fills, *(["tags"] if new_tags else []), *(["contact"] if new_contact else []),
                                     *(["notes"] if new_note else []), *(["next_at"] if fill_next else [])])
        if self.outbox is None:  # a dry run counts the contact the real run adds, and knows it for later rows
            if new_contact and contact is not None:
                self.index.add(Owner(existing.id, f"{contact['name']} @ {existing.name}", new_id()), contact)
                self.result.contacts += 1
            return
        try:
            if fills:
                apply_customer_changes(existing, customer_changes(self.ctx, fills))
            if fill_next:
                existing.next_follow_up_at = next_at
            contacts = customer_store.contacts_of(self.session, existing.id)
            added = None
            if new_contact:
                added = new_contact_record(self.ctx, existing.id, contact)  # type: ignore[arg-type]
                contact_added(self.ctx, existing, contacts, added)
                self.session.add(added)
                self.index.add(Owner(existing.id, f"{added.name} @ {existing.name}", added.id), contact)  # type: ignore[arg-type]
                self.result.contacts += 1
            else:
                customer_edited(self.ctx, existing, contacts)
            for tag in new_tags:
                self.session.add(CustomerTag(customer_id=existing.id, tag=tag, created_at=self.now,
                                             updated_at=self.now))
            self.session.flush()
            self.index.changed(customer if fills else None)
        except CrmError as exc:
            self.result.merged -= 1
            raise _RowRefused(None, exc.message()) from None
        if new_note:
            self._note(existing.id, notes, added.id if added is not None else None)

    def _merge_staged(self, number: int, reason: str, owner: Owner, customer: dict[str, Any],
                      contact: dict[str, Any] | None, next_at: datetime | None, notes: list[str]) -> None:
        """A dry run's merge into a customer of this same file: counted as the real run will count it."""
        staged = self.staged.get(owner.customer_id)
        if staged is None:
            kept = store.kept_customer(self.connection, owner.customer_id) if self.index.kept else None
            staged = self.staged[owner.customer_id] = json.loads(kept) if kept else {}  # kept again at the next batch
        fills = {name: customer[name] for name in _FILLABLE if customer.get(name) and not staged.get(name)}
        new_contact = contact is not None and self.index.contact_match(owner.customer_id, contact) is None
        if not (fills or new_contact or notes or (next_at is not None and staged.get("next_follow_up_at") is None)):
            self._skip(number, reason, owner)
            return
        staged.update(fills)
        self.result.merged += 1
        self._merged(number, owner, [*fills, *(["contact"] if new_contact else []), *(["notes"] if notes else [])])

    def _merge_contact(self, number: int, reason: str, owner: Owner, contact: dict[str, Any],
                       notes: list[str]) -> None:
        """Fills what the contact in the book lacks from the row (never overwrites)."""
        existing = self._existing(Contact, str(owner.contact_id))
        if existing is None:  # a dry run's contact of this file
            self._skip(number, reason, owner)
            return
        fills = {name: contact[name] for name in _CONTACT_FILLABLE if contact.get(name) and not getattr(existing, name)}
        note_text = "\n".join(notes)
        new_note = bool(notes) and not self._has_note(existing.customer_id, note_text)
        if new_note:
            self._check_note(existing.customer_id, note_text)
        if not fills and not new_note:
            self._skip(number, reason, owner)
            return
        self.result.merged += 1
        self._merged(number, owner, [*fills, *(["notes"] if new_note else [])])
        if self.outbox is None:
            return
        if fills:
            for name, value in fills.items():
                setattr(existing, name, value)
                if name in ("phone", "email"):
                    setattr(existing, f"{name}_key", contact[f"{name}_key"])
            existing.updated_at = self.now
            self.rescore.add(existing.customer_id)
            self.session.flush()
            self.index.changed(contact)
        if new_note:
            self._note(existing.customer_id, notes, existing.id)


def new_contact_record(ctx: Context, customer_id: str, values: dict[str, Any]) -> Contact:
    """A contact made from checked values (contact_fields) for a customer of the book."""
    return Contact(**{**values, "customer_id": customer_id, "id": new_id()})


_SERVICE_COLUMNS = {key.replace("_", "-"): key for key in SERVICE_FIELDS}
"""The import's names of a customer's service cycle and warranty end (service-months...) and their field keys."""


def _service_values(ctx: Context, values: dict[str, str]) -> dict[str, Any]:
    """A new customer's service cycle and warranty end from its row, checked as an edit checks them. A cycle
    without its start is kept as exported (it counts from the customer's first contract, once there is one)."""
    given = {key: values[column] for column, key in _SERVICE_COLUMNS.items() if values.get(column)}
    return service_changes(ctx, given) if given else {}


def _merge_view(customer: dict[str, Any]) -> dict[str, Any]:
    """What a dry run's merge into a customer it staged looks at: the fields a merge fills, and whether it has a next
    follow-up."""
    view = {name: customer[name] for name in _FILLABLE if customer.get(name)}
    if customer.get("next_follow_up_at") is not None:
        view["next_follow_up_at"] = True
    return view


def _reason(reason: str) -> str:
    """A duplicate's reason (phone, email, name) in the rep's language."""
    if i18n.language == "en":
        return fields_named(reason).name if reason in SERVICE_FIELDS else reason  # "warranty until"
    return label(reason)


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
