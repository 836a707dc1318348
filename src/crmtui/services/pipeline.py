"""The pipeline board 销售漏斗: deals by stage with counts, sums and weighted sums; stalled and unplanned marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from crmtui.core.config import Stage
from crmtui.services.agenda import ALL_REPS
from crmtui.services.context import Context
from crmtui.store import pipeline as store

CLOSED_DAYS = 30
"""Won and Lost columns show the deals closed in the last 30 days (the board says so in their headers)."""

CARDS_PER_COLUMN = 300
"""Cards read per column, the longest in stage first; counts and sums cover every deal. A book of 50k deals has
~10k in its first stage: reading every open deal took ~1 s, and filling 7,000 cards ~1 s on the event loop."""


@dataclass
class Card:
    """One deal as the board shows it."""

    deal_id: str
    title: str
    customer_id: str
    customer_name: str
    amount_cents: int | None
    days_in_stage: int
    stalled: bool
    no_next_step: bool
    owner: str | None = None
    days_past_close: int = 0
    """How many days ago an open deal's expected close date passed (0: not passed, none set, or closed)."""


@dataclass
class Column:
    """One stage with its cards (at most CARDS_PER_COLUMN, the longest in stage first) and the totals of all its
    deals."""

    stage: Stage
    cards: list[Card] = field(default_factory=list)
    count: int = 0
    """Every deal in the stage, shown or not."""
    total_cents: int = 0
    """The amounts of every deal in the stage."""

    @property
    def weighted_cents(self) -> int:
        return self.total_cents * self.stage.probability // 100


def board(ctx: Context, rep: str | None = None) -> list[Column]:
    """Every configured stage as a column, in pipeline order; `rep` (a name or ALL_REPS, see
    services.agenda.resolve_rep) keeps only the deals of that rep's customers. A stage removed from the config is
    not read: its deals show in `crm list deals`."""
    settings, clock = ctx.settings, ctx.clock
    now = clock.utcnow()
    today = clock.today()
    keys = [s.key for s in settings.stages]
    high = set(keys[keys.index("proposal"):]) - {"won", "lost"} if "proposal" in keys else set()
    stall_line = now - timedelta(days=settings.stall_days)
    columns = {stage.key: Column(stage) for stage in settings.stages}
    owner: str | object | None = None if rep is None else store.ANY_OWNER if rep == ALL_REPS else rep
    with ctx.db.raw_read() as connection:
        read = store.board_rows(connection, keys, now - timedelta(days=CLOSED_DAYS), CARDS_PER_COLUMN, owner)
    for key, (count, cents) in read.totals.items():
        columns[key].count, columns[key].total_cents = count, cents
    for row in read.cards:
        column = columns[row.stage]
        open_deal = row.stage not in ("won", "lost")
        last = row.last_contact or row.stage_entered
        past_close = (today - row.expected_close).days if open_deal and row.expected_close else 0
        column.cards.append(Card(
            deal_id=row.deal_id, title=row.title, customer_id=row.customer_id, customer_name=row.customer_name,
            amount_cents=row.amount_cents, owner=row.owner,
            days_in_stage=(today - clock.to_local(row.stage_entered).date()).days,  # type: ignore[union-attr]
            stalled=open_deal and row.stage in high and last < stall_line,
            no_next_step=open_deal and row.next_follow_up is None,
            days_past_close=max(0, past_close),
        ))
    return list(columns.values())


@dataclass
class StageFigures:
    """What the deals' stage changes say happened: the funnel, the win rate, won value by quarter, and the open
    pipeline. Imported history counts like any: its changes carry the days it was opened and closed."""

    deals_by_stage: dict[str, int] = field(default_factory=dict)
    """Live deals by their stage now."""
    reached: dict[str, int] = field(default_factory=dict)
    """The funnel: deals that reached each stage (entered it at least once)."""
    won_count: int = 0
    won_cents: int = 0
    lost_count: int = 0
    open_cents: int = 0
    """The open deals' amounts (Won and Lost aside)."""
    won_by_quarter: dict[str, int] = field(default_factory=dict)
    """Won amounts by the quarter ("2017Q2") of the day each deal was won, in the rep's time zone."""

    @property
    def win_rate(self) -> float | None:
        """Won / (won + lost); None when no deal has closed."""
        closed = self.won_count + self.lost_count
        return self.won_count / closed if closed else None


def stage_figures(ctx: Context) -> StageFigures:
    """The figures of every live deal, from its stage changes (a won deal's quarter is that of its last move to
    Won)."""
    with ctx.db.raw_read() as connection:
        rows = store.stage_history(connection)
    figures = StageFigures()
    for row in rows:
        figures.deals_by_stage[row.stage] = figures.deals_by_stage.get(row.stage, 0) + 1
        for stage in {to_stage for to_stage, _at in row.changes}:
            figures.reached[stage] = figures.reached.get(stage, 0) + 1
        amount = row.amount_cents or 0
        if row.stage == "won":
            figures.won_count += 1
            figures.won_cents += amount
            won_at = next((at for to_stage, at in reversed(row.changes) if to_stage == "won"), None)
            if won_at is not None:
                day = ctx.clock.to_local(won_at).date()  # type: ignore[union-attr]
                quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
                figures.won_by_quarter[quarter] = figures.won_by_quarter.get(quarter, 0) + amount
        elif row.stage == "lost":
            figures.lost_count += 1
        else:
            figures.open_cents += amount
    figures.won_by_quarter = dict(sorted(figures.won_by_quarter.items()))
    return figures
