"""The team report: one row per rep for a manager (follow-ups and new customers in the period, deals won and their
amount, win rate, customers overdue now), from the manager's full local copy, offline too.

A rep's follow-ups and customers are those of the customers the rep owns now; a deal counts for the rep its import
named, else for its customer's owner (services/reports/scope.py). Overdue is counted as the manager's Today counts
each rep's waiting work. A rep who is not a manager, and a book without a team, get one row, their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crmtui.core.i18n import _
from crmtui.core.periods import Period
from crmtui.services.agenda import ALL_REPS, is_manager
from crmtui.services.context import Context
from crmtui.services.reports.cache import kept
from crmtui.services.reports.base import Bar, BarChart, Column, Drill, Figure, Report, Row, Table, total_cents
from crmtui.services.reports.scope import counts_for, deal_rep
from crmtui.store import agenda as agenda_store
from crmtui.store.reports import forecast as deal_store
from crmtui.store.reports import scope as scope_store
from crmtui.store.reports import team as store

TOTAL = ALL_REPS
"""The key of the team's total row."""


@dataclass(frozen=True)
class _Book:
    """What the report reads once, for every row."""

    ctx: Context
    period: Period
    follow_ups: dict[str | None, int]
    """How many follow-ups each owner's customers had (their ids are read when a drill is opened)."""
    customers: dict[str | None, tuple[str, ...]]
    closed: list[deal_store.ClosedDeal]
    overdue: list[tuple[str | None, str]]


def _ids(grouped: dict[str | None, tuple[str, ...]], counts: Callable[[str | None], bool]) -> tuple[str, ...]:
    return tuple(record for owner, ids in grouped.items() if counts(owner) for record in ids)


def _follow_up_drill(book: _Book, counts: Callable[[str | None], bool], title: str) -> Drill:
    """The follow-ups of the owners `counts` takes, found when the drill is opened."""

    def find() -> tuple[str, ...]:
        with book.ctx.db.raw_read() as connection:
            return _ids(store.follow_ups_by_owner(connection, book.period.start, book.period.end), counts)

    return Drill.lazy("follow_ups", title, find)


def _row(key: str, label: str, book: _Book, counts: Callable[[str | None], bool], period: Period) -> Row:
    follow_ups = sum(count for owner, count in book.follow_ups.items() if counts(owner))
    customers = _ids(book.customers, counts)
    closed = [deal for deal in book.closed if counts(deal_rep(deal.owner, deal.owner_name))]
    won = [deal for deal in closed if deal.stage == "won"]
    overdue = tuple(customer for owner, customer in book.overdue if counts(owner))
    won_drill = Drill("deals", tuple(deal.deal_id for deal in won),
                      _("Deals {rep} won in {period}").format(rep=label, period=period.label))
    drills = (
        None,
        _follow_up_drill(book, counts, _("Follow-ups of {rep} in {period}").format(rep=label, period=period.label)),
        Drill("customers", customers, _("Customers {rep} added in {period}").format(rep=label, period=period.label)),
        won_drill, won_drill,
        Drill("deals", tuple(deal.deal_id for deal in closed),
              _("Deals {rep} won or lost in {period}").format(rep=label, period=period.label)),
        Drill("customers", overdue, _("Customers of {rep} overdue for a follow-up").format(rep=label)),
    )
    rate = len(won) / len(closed) if closed else None
    values = (label, follow_ups, len(customers), len(won), total_cents(won), rate,
              len(overdue))
    return Row(key, values, won_drill, drills)


def _of(name: str) -> Callable[[str | None], bool]:
    """Whether a record of rep `who` is `name`'s."""
    return lambda who: who == name


def _names(ctx: Context, rep: str | None) -> Sequence[str]:
    """The reps a manager's rows are for: one asked for, else every owner of a customer on this laptop and every
    rep an imported deal names."""
    if rep is not None and rep != ALL_REPS:
        return [rep]
    with ctx.db.raw_read() as connection:
        return sorted(set(agenda_store.owners(connection)) | set(scope_store.imported_owners(connection)))


def build(ctx: Context, period: Period, rep: str | None = None) -> Report:
    """The team report of `period` for `rep`, kept while the book and the day do not change
    (services/reports/cache.py)."""
    key = ("team", period, period.words, str(period.start.tzinfo), rep)
    return kept(ctx, key, lambda: _build(ctx, period, rep))


def _build(ctx: Context, period: Period, rep: str | None) -> Report:
    clock = ctx.clock
    manager = is_manager(ctx)
    today_start = clock.day_bounds(clock.today())[0]
    with ctx.db.raw_read() as connection:
        book = _Book(
            ctx, period,
            store.follow_up_counts_by_owner(connection, period.start, period.end),
            store.customers_by_owner(connection, period.start, period.end),
            deal_store.closed_between(connection, period.start, period.end, ("won", "lost")),
            agenda_store.overdue_customers(connection, today_start,
                                           agenda_store.TEAM if manager or rep is not None else agenda_store.MINE),
        )
    notes: list[str] = []
    team = _row(TOTAL, _("Team"), book, lambda who: counts_for(ALL_REPS, who), period)
    if manager:
        rows = [_row(name, name, book, _of(name), period) for name in _names(ctx, rep)]
        if len(rows) > 1:
            rows.append(team)
    elif rep is not None:
        rows = [_row(rep, _("Every rep") if rep == ALL_REPS else rep, book, lambda who: counts_for(rep, who), period)]
    else:
        me = ctx.settings.sync.user if ctx.settings.sync.configured else ""
        # In a team a customer with no owner on a rep's laptop is one added here and not yet synced (or the pool's).
        own: Callable[[str | None], bool] = (lambda who: who in (me, None)) if me else (lambda who: True)
        rows = [_row(me or "mine", me or _("Your book"), book, own, period)]
        notes.append(_("The team view, one row per rep, is a manager's: this is your own row."))
    columns = (
        Column("rep", _("Rep"), "text"), Column("follow_ups", _("Follow-ups"), "count"),
        Column("new_customers", _("New customers"), "count"), Column("won_deals", _("Deals won"), "count"),
        Column("won", _("Won"), "money"), Column("win_rate", _("Win rate"), "rate"),
        Column("overdue", _("Overdue now"), "count"),
    )
    reps = [row for row in rows if row.key != TOTAL] if manager else rows
    bars = tuple(Bar(str(row.values[0]), row.values[4], row.drill, key=row.key)  # type: ignore[arg-type]
                 for row in reps)
    total = rows[-1] if rows else team  # no rep at all: the team's zeros
    figures = (
        Figure("follow_ups", _("Follow-ups"), total.values[1], "count", total.cell_drills[1]),  # type: ignore[arg-type]
        Figure("won", _("Won"), total.values[4], "money", total.cell_drills[4]),  # type: ignore[arg-type]
        Figure("win_rate", _("Win rate"), total.values[5], "rate", total.cell_drills[5]),  # type: ignore[arg-type]
        Figure("overdue", _("Overdue now"), total.values[6], "count", total.cell_drills[6]),  # type: ignore[arg-type]
    )
    quiet = all(row.values[1] == row.values[2] == row.values[6] == 0 and row.values[5] is None for row in rows)
    return Report(
        key="team",
        title=_("Team"),
        period=period,
        rep=rep,
        figures=figures,
        tables=(Table("reps", _("One row per rep"), columns, tuple(rows)),),
        charts=(BarChart("won", _("Won by rep"), "money", bars),),
        empty=quiet,
        empty_text=_("No follow-up was logged, no customer added and no deal closed in {period}, and no customer is"
                     " overdue.").format(period=period.label),
        notes=tuple(notes),
    )
