"""The customer value report (RFM): how recently, how often and for how much each customer bought or was contacted,
a segment from those three scores, and a suggested tier A/B/C beside the customer's own. Applying a suggestion is an
ordinary edit of the tier (history, sync, undo). The rules and thresholds are the [rfm] settings; docs/reports.md.
"""

from __future__ import annotations

import bisect
import gc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from crmtui.core.config import RFM_SEGMENTS, RfmSettings
from crmtui.core.errors import InvalidInput
from crmtui.core.i18n import N_, _
from crmtui.core.periods import Period
from crmtui.services import history
from crmtui.services.agenda import ALL_REPS
from crmtui.services.context import Context
from crmtui.services.customers import edit_customer
from crmtui.services.reports.base import Bar, BarChart, Column, Drill, Figure, Report, Row, Table
from crmtui.services.reports.cache import kept
from crmtui.store.reports import rfm as store
from crmtui.store.reports.activity import customers_of

SEGMENT_WORDS = {
    "champions": N_("Champions"), "loyal": N_("Loyal"), "promising": N_("New or promising"),
    "at_risk": N_("At risk"), "lost": N_("Lost customers"), "hibernating": N_("Hibernating"),
    "needs_attention": N_("Needs attention"),
}


def segment_name(key: str) -> str:
    """A segment in the rep's language."""
    return _(SEGMENT_WORDS[key])


def recency_score(days: int | None, settings: RfmSettings) -> int:
    """5 up to the first threshold of days, one less past each; 1 for a customer never bought from nor contacted."""
    if days is None:
        return 1
    return 5 - sum(1 for limit in settings.recency_days if days > limit)


def count_score(value: int, thresholds: tuple[int, ...]) -> int:
    """1, plus one for each threshold the value reaches."""
    return 1 + sum(1 for limit in thresholds if value >= limit)


BOUGHT = 3
"""The money score a customer needs to be a champion, loyal or at risk: those segments are for customers who
buy (by default 10,000 yuan in the 12 months); many contacts without it make a customer promising at most."""

IN_TOUCH = 4
"""A recency score from which a customer's tier is never suggested lower (by default a purchase or a follow-up in
the last 30 days): a customer being worked on keeps the tier the rep gave it until it goes quiet."""

_RANK = {"A": 3, "B": 2, "C": 1}


def segment(r: int, f: int, m: int) -> str:
    """The segment of the recency, frequency and money scores: the first rule that holds, in this order."""
    bought = m >= BOUGHT
    if r >= 4 and f >= 4 and bought:
        return "champions"
    if r >= 3 and f >= 4 and bought:
        return "loyal"
    if r >= 4:
        return "promising"
    if r <= 2 and f >= 3 and bought:
        return "at_risk"
    if r == 1 and f == 1:
        return "lost"
    if r <= 2:
        return "hibernating"
    return "needs_attention"


def suggested_tier(key: str, m: int, settings: RfmSettings, *, tier: str = "C", r: int = 1) -> str:
    """A when the segment is one of tier_a with a money score of tier_a_monetary or more; B for tier_b; else C.
    A customer's own tier is lowered only when it has gone quiet (recency under IN_TOUCH); a raise always holds."""
    if key in settings.tier_a and m >= settings.tier_a_monetary:
        found = "A"
    else:
        found = "B" if key in settings.tier_b else "C"
    if r >= IN_TOUCH and _RANK[found] < _RANK.get(tier, 0):
        return tier
    return found


class Value(NamedTuple):
    """One customer scored (a named tuple: a big book scores some 20,000 customers, and a tuple is made in a fifth
    of the time of a frozen dataclass of twelve fields)."""

    id: str
    name: str
    tier: str
    days: int | None
    """Days since the last purchase or contact (None: neither, ever)."""
    frequency: int
    monetary_cents: int
    r: int
    f: int
    m: int
    segment: str
    suggested: str

    @property
    def differs(self) -> bool:
        return self.suggested != self.tier


@dataclass(frozen=True)
class _Span:
    """The moment the report is as of, its local day, and the first day of the 12 months ending that day."""

    moment: datetime
    day: date
    first: date

    @staticmethod
    def of(ctx: Context, period: Period | None) -> _Span:
        now = ctx.clock.now()
        moment = now if period is None or period.end > now else period.end
        day = (moment - timedelta(microseconds=1)).astimezone(ctx.clock.zone).date()
        try:
            same = day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            same = date(day.year - 1, 2, 28)
        return _Span(ctx.clock.to_utc(moment), day, same + timedelta(days=1))


def values(ctx: Context, period: Period | None = None, rep: str | None = None,
           span: _Span | None = None) -> list[Value]:
    """Every customer scored as of the period's end (now when it ends later; `span` when given), by name."""
    span = span or _Span.of(ctx, period)
    settings = ctx.settings.rfm
    who = customers_of(rep, ALL_REPS)
    since = datetime.combine(span.first, datetime.min.time(), ctx.clock.zone)
    with ctx.db.raw_read() as connection:
        scored = store.customers(connection, who, ctx.clock.to_utc(since), span.moment)
        won = store.won_deals(connection, span.moment)
        contracts = store.contracts(connection, span.day)
        paid = store.payments(connection, span.day)
    last_bought: dict[str, date] = {}
    bought: dict[str, int] = defaultdict(int)
    money: dict[str, int] = defaultdict(int)

    def purchase(customer_id: str, day: date) -> None:
        last_bought[customer_id] = max(day, last_bought.get(customer_id, day))

    for deal in won:
        local = ctx.clock.to_local(deal.won_at)
        assert local is not None
        purchase(deal.customer_id, local.date())
        if local.date() >= span.first:
            bought[deal.customer_id] += 1
            if not deal.has_contract:  # imported history: the deal's amount is all there is
                money[deal.customer_id] += deal.amount_cents
    for customer_id, amount, signed in contracts:
        purchase(customer_id, signed)
        if signed >= span.first:
            money[customer_id] += amount
    for customer_id, amount, paid_on, signed in paid:
        purchase(customer_id, paid_on)
        if paid_on >= span.first and signed < span.first:  # a contract of the year counts whole, once
            money[customer_id] += amount
    # A big book scores some 20,000 customers: each step of the loop below is kept to lookups. A customer's
    # purchases are one lookup (most customers have none); a last contact's local day is its UTC hour's, kept by
    # _LocalDays; the scores are recency_score's and count_score's, found by bisecting their sorted thresholds, and
    # a segment and its suggestion are worked out once for each set of scores and tier (a few hundred at most).
    purchases = {cid: (day, bought.get(cid, 0), money.get(cid, 0)) for cid, day in last_bought.items()}
    none: tuple[date | None, int, int] = (None, 0, 0)
    recency = sorted(settings.recency_days)
    frequency_limits = sorted(settings.frequency)
    money_limits = sorted(limit * 100 for limit in settings.monetary)
    judged: dict[tuple[int, int, int, str], tuple[str, str]] = {}
    local_day = _LocalDays(ctx)
    hour_days = local_day.days
    today = span.day.toordinal()
    found = []
    for customer_id, name, tier, last_contact, contacts in scored:
        latest, purchased, cents = purchases.get(customer_id, none)
        if last_contact is not None:
            contact_day = hour_days.get(last_contact[:13]) or local_day(last_contact)
            if latest is None or contact_day > latest:  # type: ignore[operator]
                latest = contact_day
        if latest is None:
            days, r = None, 1
        else:
            days = today - latest.toordinal()
            r = 5 - bisect.bisect_left(recency, days)
        frequency = purchased + contacts
        f = 1 + bisect.bisect_right(frequency_limits, frequency)
        m = 1 + bisect.bisect_right(money_limits, cents)
        scores = (r, f, m, tier)
        judgement = judged.get(scores)
        if judgement is None:
            key = segment(r, f, m)
            judgement = judged[scores] = key, suggested_tier(key, m, settings, tier=tier, r=r)
        found.append(Value(customer_id, name, tier, days, frequency, cents, r, f, m, *judgement))
    return found


class _LocalDays:
    """The rep's local day of a stored UTC moment (text), for thousands of them: a UTC hour that lies whole in one
    local day under one offset (most do) has its day kept by its first 13 characters, so a moment of it costs a
    slice and a lookup; the moments of an hour that a local midnight or a change of offset cuts (in a zone 5:30 or
    5:45 from UTC, one hour a day) are converted one by one."""

    def __init__(self, ctx: Context) -> None:
        self.zone = ctx.clock.zone
        self.days: dict[str, date | None] = {}
        """A UTC hour's local day; None for an hour that is cut."""

    def __call__(self, stored: str | None) -> date | None:
        if stored is None:
            return None
        hour = stored[:13]
        day = self.days.get(hour, _UNSEEN)
        if day is _UNSEEN:
            day = self.days[hour] = self._whole(hour)
        if day is not None:
            return day  # type: ignore[return-value]
        moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
        return moment.astimezone(self.zone).date()

    def _whole(self, hour: str) -> date | None:
        """The local day of the UTC hour (`YYYY-MM-DD HH`) when its first and last moments have the same day and
        the same offset (one offset through the hour: a zone does not change twice within an hour), else None."""
        first = datetime.fromisoformat(hour + ":00:00").replace(tzinfo=UTC).astimezone(self.zone)
        last = (first + timedelta(hours=1, microseconds=-1)).astimezone(self.zone)
        if first.utcoffset() == last.utcoffset() and first.date() == last.date():
            return first.date()
        return None


_UNSEEN = object()


def build(ctx: Context, period: Period, rep: str | None = None) -> Report:
    """The customer value report as of the period's end (now when it ends later); kept while the book and the day
    do not change and nothing it reads is stamped between the moment it was computed for and this one
    (services/reports/cache.py)."""
    span = _Span.of(ctx, period)

    def unchanged(low: datetime, high: datetime) -> bool:
        with ctx.db.raw_read() as connection:
            return not store.stamped_between(connection, low, high)

    key = ("rfm", period, period.words, str(period.start.tzinfo), rep, ctx.settings.rfm, span.day)
    return kept(ctx, key, lambda: _uncollected(lambda: _build(ctx, period, rep, span)), moment=span.moment,
                unchanged=unchanged)


def _uncollected(make: Callable[[], Report]) -> Report:
    """`make()` with the cyclic garbage collector paused: a big book's report is some 20,000 scored customers and
    as many rows, all alive until the report is dropped, and the collections they set off free nothing (about a
    fifth of the report's time, more in an app with much loaded)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return make()
    finally:
        if collecting:
            gc.enable()


def _build(ctx: Context, period: Period, rep: str | None, span: _Span) -> Report:
    scored = values(ctx, period, rep, span)
    order = {key: n for n, key in enumerate(RFM_SEGMENTS)}
    # Some 20,000 rows on a big book: one pass makes each row and files it by segment; a value's fields are read
    # by unpacking it, a segment's words and a set of scores' text once (not once a row).
    scored.sort(key=lambda v: (v.suggested == v.tier, order[v.segment], -v.monetary_cents, v.name, v.id))
    names = {key: segment_name(key) for key in RFM_SEGMENTS}
    segments: dict[str, list[str]] = {key: [] for key in RFM_SEGMENTS}
    texts: dict[tuple[int, int, int], str] = {}
    ids, differing, made = [], [], []
    for cid, name, tier, days, frequency, cents, r, f, m, key, suggested in scored:
        text = texts.get((r, f, m))
        if text is None:
            text = texts[r, f, m] = f"{r}-{f}-{m}"
        made.append(Row(cid, (name, tier, suggested, names[key], days, frequency, cents, text),
                        Drill("customers", (cid,), name)))
        segments[key].append(cid)
        ids.append(cid)
        if suggested != tier:
            differing.append(cid)
    rows = tuple(made)
    bars = [Bar(names[key], len(ids), Drill("customers", ids, names[key]), key=key) for key, ids in segments.items()]
    empty = not scored
    return Report(
        key="rfm", title=_("Customer value"), period=period, rep=rep,
        figures=(
            Figure("customers", _("Customers scored"), len(scored), "count",
                   Drill("customers", ids, _("Customers scored"))),
            Figure("differing", _("Tier suggestions to apply"), len(differing), "count",
                   Drill("customers", differing, _("Customers whose suggested tier differs"))),
        ),
        tables=(Table("customers", _("Customers"), (
            Column("customer", _("Customer"), "text"), Column("tier", _("Tier"), "text"),
            Column("suggested", _("Suggested"), "text"), Column("segment", _("Segment"), "text"),
            Column("days", _("Days since"), "days"), Column("frequency", _("Frequency"), "count"),
            Column("monetary", _("Money"), "money"), Column("scores", _("R-F-M"), "text"),
        ), rows),),
        charts=(BarChart("segments", _("Customers by segment"), "count", tuple(bars)),),
        empty=empty,
        empty_text=_("No customers to score (leads and the pool are not scored)") if empty else "",
        notes=(_("As of {day}: purchases and contacts from {first} to {day}").format(
            day=span.day.isoformat(), first=span.first.isoformat()),),
    )


def apply_suggestions(ctx: Context, customer_ids: list[str] | None, *, period: Period | None = None,
                      rep: str | None = None) -> int:
    """Sets the suggested tier on these customers (None: every customer whose suggestion differs), each an ordinary
    edit of its own in the history and the outbox; returns how many changed. A customer the report does not score
    is refused before anything changes."""
    scored = {v.id: v for v in values(ctx, period, rep)}
    if customer_ids is None:
        chosen = [v for v in scored.values() if v.differs]
    else:
        for customer_id in customer_ids:
            if customer_id not in scored:
                raise InvalidInput("customer", "a customer the customer value report scores (not a lead, not in"
                                   " the pool, not deleted)", customer_id)
        chosen = [scored[customer_id] for customer_id in dict.fromkeys(customer_ids) if scored[customer_id].differs]
    for value in chosen:
        with history.action(ctx, N_("Tier {tier} as customer value suggests"), tier=value.suggested):
            edit_customer(ctx, value.id, {"tier": value.suggested})
    return len(chosen)
