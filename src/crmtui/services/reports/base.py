"""What every report is made of, for the app, the CLI (`--json`, `--csv`) and the tests alike.

A report is plain values: headline figures, tables and charts. Any number that counts records carries a
Drill: the ids of the records behind it, so the app opens them with Enter and `crm report ... --records KEY`
lists them. Money is in cents, rates are fractions (0.25), durations in days; the front ends format them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from crmtui.core.formatting import format_amount, format_short
from crmtui.core.i18n import _
from crmtui.core.periods import Period


class HasAmount(Protocol):
    """A deal, contract or instalment as a report reads it."""

    @property
    def amount_cents(self) -> int | None: ...


Kind = Literal["text", "count", "money", "rate", "days", "date", "hours"]
"""How a value is shown: text as is, a count, cents as money, a fraction as a percentage, days, a date, hours (the
first-contact speed, measured against the speed-to-lead window in hours)."""

RecordKind = Literal["deals", "customers", "follow_ups", "payments"]


class Drill:
    """The records behind a number: what they are and their ids, in the order to list them.

    Either the ids are given, or how to find them (`find`, asked once, the first time `ids` is read): a report over
    a big book counts its follow-ups by the thousand with GROUP BY, and reading every one's id for every bar, row
    and figure cost more than the report itself (about 200,000 ids for 90 days of the bench's book, most never
    opened). A lazy drill reads its ids only when the rep opens it (Enter on a bar, `crm report --records KEY`, or
    `--json`, which lists them); its records are those the store holds then. Two drills are equal when their kind,
    title and ids are."""

    __slots__ = ("_find", "_ids", "kind", "title")

    def __init__(self, kind: RecordKind, ids: Sequence[str] | None, title: str, *,
                 find: Callable[[], Sequence[str]] | None = None) -> None:
        if (ids is None) == (find is None):
            raise ValueError("a Drill takes either its ids or how to find them")
        self.kind: RecordKind = kind
        self.title = title
        """What the list is, in the rep's language ("Deals lost at Quote in 2017Q2")."""
        self._ids = tuple(ids) if ids is not None else None
        self._find = find

    @classmethod
    def lazy(cls, kind: RecordKind, title: str, find: Callable[[], Sequence[str]]) -> Drill:
        """A drill whose ids are found by `find` when first read."""
        return cls(kind, None, title, find=find)

    @property
    def ids(self) -> tuple[str, ...]:
        if self._ids is None:
            assert self._find is not None
            self._ids = tuple(self._find())
            self._find = None
        return self._ids

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Drill):
            return NotImplemented
        return (self.kind, self.title, self.ids) == (other.kind, other.title, other.ids)

    def __hash__(self) -> int:
        return hash((self.kind, self.title))

    def __repr__(self) -> str:
        ids = "(not read yet)" if self._ids is None else repr(self._ids)
        return f"Drill({self.kind!r}, {ids}, {self.title!r})"


@dataclass(frozen=True)
class Figure:
    """One headline number (the win rate, the average deal size)."""

    key: str
    label: str
    value: float | int | str | None
    kind: Kind
    drill: Drill | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind


@dataclass(frozen=True)
class Row:
    key: str
    """Stable and unique within its table (a stage key, a source, "2017-04"): `--records` names it."""
    values: tuple[object, ...]
    drill: Drill | None = None
    cell_drills: tuple[Drill | None, ...] = ()
    """When the row's numbers count different records (a rep's follow-ups, new customers, deals won): one Drill a
    value, in the order of `values` (None for a value that counts nothing); `drill` is then the row's main one."""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int
    drill: Drill | None = None
    secondary: float | int | None = None
    """A second value drawn inside or beside the bar (the weighted amount beside the amount)."""
    key: str = ""
    """What `--records CHART/KEY` names it by, the same in every language (a stage's key, a source as stored);
    empty: its label, which is no word of a language (a day, a month)."""

    @property
    def name(self) -> str:
        """The bar's key, or its label when it has none."""
        return self.key or self.label


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    kind: Kind
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Heatmap:
    """A calendar of days, each with a count (follow-ups a day), GitHub style."""

    key: str
    title: str
    days: tuple[tuple[date, int], ...]
    """Every day of the span in order, zero days included."""


@dataclass(frozen=True)
class Grid:
    """Rows × columns of counts (key customers × weeks: follow-ups that week)."""

    key: str
    title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]
    row_drills: tuple[Drill | None, ...] = ()


Chart = BarChart | Heatmap | Grid


@dataclass(frozen=True)
class Report:
    key: str
    """Its name in REPORTS."""
    title: str
    period: Period
    rep: str | None
    """Whose figures: None for the rep's own book, a rep's name, or "all" (a manager's whole team)."""
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    empty: bool = False
    """Nothing in the period: the front ends say so (`empty_text`) instead of drawing empty charts."""
    empty_text: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """What the rep should know to read it right ("3 deals skipped a stage")."""


def _decimal(value: float | int) -> str:
    """A number to one decimal, without a trailing ".0" (26.9, 15)."""
    return f"{value:,.1f}".removesuffix(".0")


def format_value(value: object, kind: Kind, *, short: bool = False, lang: str = "en", blank: str = "-") -> str:
    """A report's value as a rep reads it, the same in the app and in `crm report`: money from cents with
    separators (short: 1.2M / 12万 in `lang`), a fraction as a percentage to a tenth (14.8%, 15%), days and hours
    to a tenth with their unit, a count with separators, a date in ISO form; no value as `blank`."""
    if value is None or value == "":
        return blank
    if isinstance(value, int | float) and not isinstance(value, bool):
        if kind == "money":
            return format_short(round(value), lang) if short else format_amount(round(value))
        if kind == "rate":
            return f"{_decimal(value * 100)}%"
        if kind == "days":
            return _("{days} d").format(days=_decimal(value))
        if kind == "hours":
            return _("{hours} h").format(hours=_decimal(value))
        if kind == "count":
            return _decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def shade(count: int, most: int) -> int:
    """How dark a heatmap's or a grid's cell is, the same in the app and on the command line: 0 for none, else 1 to
    4 by the quarter of the busiest count it reaches (the busiest is always 4, however small)."""
    if count <= 0 or most <= 0:
        return 0
    return min(4, 1 + (count * 4 - 1) // most)


def total_cents(records: Iterable[HasAmount]) -> int:
    """The amounts of records summed, in cents (a record with no amount counts 0)."""
    return sum(record.amount_cents or 0 for record in records)
