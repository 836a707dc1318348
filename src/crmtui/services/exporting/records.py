"""The records an export writes: for each kind its columns (a stable name and a type) and its rows as typed values,
read one at a time from the store.

The column names are the same in every language: they are the field names `crm add` and `crm import` use
(`customer`, `phone`, `next follow-up`...), so a file exported here imports back whatever language either side
speaks, and a script reading it does not break when a rep switches language.

Types: text, tags (a list), whole numbers, amounts (money, two decimals; stored in cents), times (in the rep's time zone), days,
yes/no. Each format writes them its own way: a CSV as text Excel reads back as the same type, an XLSX as typed cells,
JSON as numbers, strings in ISO 8601 and booleans.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING

from crmtui.store import exporting as store
from crmtui.store.raw import day_from_db, from_db

if TYPE_CHECKING:
    from crmtui.services.context import Context

KINDS = ("customers", "contacts", "deals", "follow-ups")
"""The kinds of record an export writes (`all` is every one of them)."""


@dataclass(frozen=True)
class Column:
    """One column: its name in the file, and its type (text, int, money, time, day, yesno)."""

    name: str
    type: str = "text"


def _columns(*spec: str) -> tuple[Column, ...]:
    """Columns from "name" or "name:type" strings."""
    return tuple(Column(*item.split(":")) for item in spec)


CONSENT_COLUMNS = ("consent", "consent date:day", "do not contact:yesno", "do not contact since:day",
                   "do not contact reason")
"""A person's consent and do-not-contact (on a person customer and a contact; a company's stay empty and no), named
as `crm import` reads them back."""

SERVICE_COLUMNS = ("service months:int", "service from:day", "warranty until:day")
"""A customer's service cycle and warranty end, named as `crm import` reads them back."""

COLUMNS: dict[str, tuple[Column, ...]] = {
    "customers": _columns("id", "customer", "type", "company", "status", "tier", "score:int", "phone", "email",
                          "wechat", "industry", "region", "source", "interest", "tags:tags", "owner", "next follow-up:time",
                          "last contact:time", "created:time", "notes", *CONSENT_COLUMNS, *SERVICE_COLUMNS),
    "contacts": _columns("id", "customer id", "customer", "name", "title", "phone", "email", "wechat",
                         "decision maker:yesno", "birthday:day", "created:time", *CONSENT_COLUMNS),
    "deals": _columns("id", "customer id", "customer", "title", "stage", "amount:money", "quoted:money",
                      "probability:int", "expected close:day", "competitor", "lost reason", "stage entered:time",
                      "created:time", "closed:time", "owner", "external id", "imported from"),
    "follow-ups": _columns("id", "customer id", "customer", "contact", "deal", "at:time", "channel", "goal",
                           "goal met:yesno", "notes", "next plan", "next follow-up:time", "author", "external id",
                           "imported from"),
}
"""The columns of each kind, in the order the files hold them."""

_CENT = Decimal("0.01")


def money(cents: int | None) -> Decimal | None:
    """An amount in cents as an exact decimal of the currency's units."""
    return None if cents is None else (Decimal(cents) * _CENT).quantize(_CENT)


def _converters(kind: str, zone: tzinfo) -> list:
    """For each column of `kind`, the function that makes its stored value typed (None: kept as stored)."""

    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC).astimezone(zone)

    def tags(text: str) -> list[str]:
        return text.split(store.TAG_SEPARATOR)

    by_type = {"time": moment, "day": date.fromisoformat, "money": money, "yesno": bool, "tags": tags}
    return [by_type.get(column.type) for column in COLUMNS[kind]]


def _shape(kind: str, row: tuple) -> tuple:
    """A store row in the order of COLUMNS[kind] (the store's extra columns dropped)."""
    if kind == "contacts":
        # the store gives the customer's kind too (the vCard writer wants it); the sheet does not
        return row[:3] + row[4:]
    return row


def records(ctx: Context, kind: str) -> Iterator[tuple]:
    """The rows of `kind` as typed values in the order of COLUMNS[kind], one at a time (one read snapshot)."""
    converters = _converters(kind, ctx.clock.zone)
    with ctx.db.raw_read() as connection:
        for row in store.rows(connection, kind):
            yield tuple(value if convert is None or value is None else convert(value)
                        for value, convert in zip(_shape(kind, row), converters, strict=True))


def contact_cards(ctx: Context) -> Iterator[dict]:
    """The contacts, each as a dict of the store's fields plus the customer's name and kind (for vCards)."""
    with ctx.db.raw_read() as connection:
        for row in store.rows(connection, "contacts"):
            yield dict(zip(store.CONTACT_COLUMNS, row, strict=True))


def person_customer_cards(ctx: Context) -> Iterator[dict]:
    """The customers who are people (not companies), each as a dict of the store's fields (for vCards; tags as a
    list)."""
    with ctx.db.raw_read() as connection:
        for row in store.rows(connection, "customers"):
            record = dict(zip(store.CUSTOMER_COLUMNS, row, strict=True))
            if record["kind"] == "person":
                record["tags"] = record["tags"].split(store.TAG_SEPARATOR) if record["tags"] else []
                yield record


def count(ctx: Context, kind: str) -> int:
    """How many records of `kind` an export writes."""
    with ctx.db.raw_read() as connection:
        return store.count(connection, kind)


def as_local(stored: str | None, zone: tzinfo) -> datetime | None:
    """A stored UTC time in the rep's zone."""
    moment = from_db(stored)
    return moment.astimezone(zone) if moment else None


def as_day(stored: str | None) -> date | None:
    """A stored day."""
    return day_from_db(stored)
