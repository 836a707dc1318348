"""The queries of the activity report: follow-ups counted by hour of UTC (the service folds them into the rep's
days), new leads with their first contact, customers overdue at a moment, the key customers' follow-ups.

Follow-ups are many (500k on the bench file), so they are counted with GROUP BY, never read row by row. The
customers whose follow-ups count (live ones, of the rep asked for) and the follow-ups superseded by a correction
are each gathered once into a set SQLite builds for the query, instead of a lookup for every follow-up.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crmtui.store.raw import from_db, to_db

Who = tuple[str, tuple[object, ...]]
"""Whose customers: a condition on the customer `c` and its parameters (see customers_of)."""


def customers_of(rep: str | None, all_reps: str) -> Who:
    """The condition on `c` for a report's `rep`: None every customer of the book, `all_reps` every rep's (those
    with an owner), else one rep's."""
    if rep is None:
        return "1", ()
    if rep == all_reps:
        return "c.owner IS NOT NULL", ()
    return "c.owner = ?", (rep,)


def live_customers(who: Who) -> tuple[str, tuple[object, ...]]:
    """SQL on `f`: a follow-up of a live customer of `who` (drives the index on (customer_id, at))."""
    condition, params = who
    return f"f.customer_id IN (SELECT c.id FROM customer c WHERE c.deleted_at IS NULL AND {condition})", params


SUPERSEDED = ("SELECT old.rowid FROM follow_up fix JOIN follow_up old ON old.id = fix.corrects_id"
              " AND old.customer_id = fix.customer_id WHERE fix.corrects_id > '' AND fix.deleted_at IS NULL")
"""Rowids of the follow-ups a live correction of the same customer supersedes (as current() says), found through
the index of the corrections."""

NOT_COUNTED = f"SELECT rowid FROM follow_up WHERE deleted_at IS NOT NULL UNION {SUPERSEDED}"
"""Rowids of the follow-ups that never count: deleted, or superseded. Counts over many follow-ups read the index
of (customer_id, at) alone, then take these few away; the deleted ones are found through their own partial index
(ix_follow_up_deleted), never by reading the table."""


def current(alias: str) -> str:
    """SQL: the follow-up `alias` is live and no live correction of the same customer supersedes it, as
    store/follow_ups.current() says; the correction is looked up by the index of corrects_id (`+` keeps SQLite from
    reading every follow-up of the customer instead, about 25 a customer on a big book, for each follow-up)."""
    return (f"{alias}.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM follow_up fix WHERE fix.corrects_id = {alias}.id"
            f" AND +fix.customer_id = {alias}.customer_id AND fix.deleted_at IS NULL)")


def _spread(connection: sqlite3.Connection, who: Who) -> bool:
    """Whether the customers of `who` are most of the book's (every live customer, or every rep's): their
    follow-ups are then counted over the whole book by time, and the few others' taken away."""
    condition, params = who
    inside, every = connection.execute(
        f"SELECT coalesce(sum(c.deleted_at IS NULL AND {condition}), 0), count(*) FROM customer c", params).fetchone()
    return bool(inside) and inside * 2 >= every


def counted(who: Who) -> tuple[str, tuple[object, ...]]:
    """SQL on `f`: a live follow-up, not superseded by a live correction of the same customer (as current() says),
    of a live customer of `who`."""
    live, params = live_customers(who)
    return f"f.deleted_at IS NULL AND {live} AND f.rowid NOT IN ({SUPERSEDED})", params


def counted_in_span(connection: sqlite3.Connection, who: Who) -> tuple[str, str, tuple[object, ...]]:
    """What counted() says, for a query of a span of time: (the index hint for `f`, the condition, its parameters).
    When the customers of `who` are most of the book, the span is read off the index of live follow-ups by time
    and the few other customers' are left out (a lookup in a small set for each follow-up, rather than in the set
    of every customer of the book); else each customer's span is read off the index of (customer_id, at)."""
    if not _spread(connection, who):
        return "", *counted(who)
    condition, params = who
    return ("INDEXED BY ix_follow_up_live_span",
            f"f.deleted_at IS NULL AND f.customer_id NOT IN (SELECT c.id FROM customer c WHERE NOT coalesce("
            f"c.deleted_at IS NULL AND {condition}, 0)) AND f.rowid NOT IN ({SUPERSEDED})", params)


def _bucket(minutes: tuple[int, ...]) -> str:
    """SQL: which part of its UTC hour a follow-up falls in, cut at `minutes` (the minutes past the hour at which
    the rep's days begin, other than 0): 0 before the first, 1 after it, ..."""
    if not minutes:
        return "0"
    return " + ".join(f"(substr(f.at, 15, 2) >= '{minute:02d}')" for minute in minutes)


@dataclass(frozen=True)
class Bucket:
    """Follow-ups of one part of one UTC hour (all in one local day), of one channel and answer."""

    hour: str
    """'YYYY-MM-DD HH' in UTC."""
    part: int
    channel: str
    met: bool
    answered: bool
    count: int


def follow_up_buckets(connection: sqlite3.Connection, start: datetime, end: datetime, who: Who,
                      minutes: tuple[int, ...]) -> list[Bucket]:
    """The follow-ups in [start, end) counted by UTC hour part, channel, goal met and answered (their ids are read
    only for a drill opened: follow_up_ids). A follow-up is answered when it has a goal (only imported history can
    lack one: its goal met is unknown).

    When the customers of `who` are most of the book, every live follow-up of the span is counted off
    ix_follow_up_live_span (which holds the channel and goal), then those that do not count are taken away: the
    other customers' (read customer by customer) and the few superseded by a correction. Asking both of each
    follow-up in the one query cost about a fifth more (some 200,000 follow-ups for 90 days of the bench's book)."""
    span = (to_db(start), to_db(end))
    columns = f"substr(f.at, 1, 13), {_bucket(minutes)}, f.channel, f.goal_met, f.goal != ''"
    if not _spread(connection, who):
        where, params = counted(who)
        rows = connection.execute(
            f"SELECT {columns}, count(*) FROM follow_up f WHERE f.at >= ? AND f.at < ? AND {where}"
            " GROUP BY 1, 2, 3, 4, 5", (*span, *params)).fetchall()
        return [Bucket(hour, part, channel, bool(met), bool(answered), count)
                for hour, part, channel, met, answered, count in rows]
    counts: dict[tuple[str, int, str, int, int], int] = {
        (hour, part, channel, met, answered): count for hour, part, channel, met, answered, count in connection.execute(
            f"SELECT {columns}, count(*) FROM follow_up f INDEXED BY ix_follow_up_live_span WHERE f.at >= ?"
            " AND f.at < ? AND f.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5", span)}
    condition, params = who
    live, live_params = live_customers(who)
    taken = ((f"SELECT {columns}, count(*) FROM follow_up f WHERE f.customer_id IN (SELECT c.id FROM customer c"
              f" WHERE NOT coalesce(c.deleted_at IS NULL AND {condition}, 0)) AND f.at >= ? AND f.at < ?"
              " AND f.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5", (*params, *span)),
             (f"SELECT {columns}, count(*) FROM follow_up f WHERE {live} AND f.at >= ? AND f.at < ?"
              f" AND f.deleted_at IS NULL AND f.rowid IN ({SUPERSEDED}) GROUP BY 1, 2, 3, 4, 5",
              (*live_params, *span)))
    for query, values in taken:
        for hour, part, channel, met, answered, count in connection.execute(query, values):
            key = (hour, part, channel, met, answered)
            counts[key] = counts.get(key, 0) - count
    return [Bucket(hour, part, channel, bool(met), bool(answered), count)
            for (hour, part, channel, met, answered), count in counts.items() if count]


def follow_up_rows(connection: sqlite3.Connection, start: datetime, end: datetime,
                   who: Who) -> list[tuple[str, str, str, bool]]:
    """(at as stored, id, channel, goal met and answered) of every follow-up follow_up_buckets counts in
    [start, end), oldest first (as follow_up_ids lists them): read once when many of a report's lists are asked
    for (`--json` prints them all), each list then a range of it."""
    hint, where, params = counted_in_span(connection, who)
    rows = connection.execute(
        f"SELECT f.at, f.id, f.channel, f.goal_met AND f.goal != '' FROM follow_up f {hint} WHERE f.at >= ?"
        f" AND f.at < ? AND {where} ORDER BY f.at, f.id", (to_db(start), to_db(end), *params)).fetchall()
    return [(at, follow_up_id, channel, bool(met)) for at, follow_up_id, channel, met in rows]


def follow_up_ids(connection: sqlite3.Connection, start: datetime, end: datetime, who: Who, channel: str | None,
                  met: bool) -> list[str]:
    """The ids of the follow-ups follow_up_buckets counts in [start, end), of one channel (None: every one), only
    those whose goal was met (and that have a goal) when `met`, oldest first."""
    hint, where, params = counted_in_span(connection, who)
    extra, values = "", []
    if channel is not None:
        extra, values = " AND f.channel = ?", [channel]
    if met:
        extra += " AND f.goal_met AND f.goal != ''"
    rows = connection.execute(
        f"SELECT f.id FROM follow_up f {hint} WHERE f.at >= ? AND f.at < ? AND {where}{extra} ORDER BY f.at, f.id",
        (to_db(start), to_db(end), *params, *values)).fetchall()
    return [row[0] for row in rows]


def follow_up_counts(connection: sqlite3.Connection, start: datetime, end: datetime, who: Who,
                     minutes: tuple[int, ...], days: Sequence[datetime] = ()) -> list[tuple[str, int, int]]:
    """The follow-ups in [start, end) counted by UTC hour and part: (hour 'YYYY-MM-DD HH', part, count). Every
    follow-up of the customers is counted from the index, then those that do not count are taken away. `days`:
    the starts of the local days from `start` to `end` (each at a cut of its hour), when the counts are only
    wanted by day: those of the whole book are then counted a day at a time, under the hour and part its day
    begins in."""
    live, params = live_customers(who)
    span = (to_db(start), to_db(end))
    grouped = (f"SELECT substr(f.at, 1, 13), {_bucket(minutes)}, count(*) FROM follow_up f WHERE {live}"
               " AND f.at >= ? AND f.at < ?")
    if _spread(connection, who):
        counts = _counts_by_time(connection, start, end, minutes, days)
        condition, params = who
        others = (f"f.customer_id IN (SELECT c.id FROM customer c WHERE NOT coalesce(c.deleted_at IS NULL"
                  f" AND {condition}, 0))")
        taken = [(f"SELECT substr(f.at, 1, 13), {_bucket(minutes)}, count(*) FROM follow_up f WHERE {others}"
                  " AND f.at >= ? AND f.at < ? AND f.deleted_at IS NULL GROUP BY 1, 2", (*params, *span)),
                 (f"{grouped} AND f.deleted_at IS NULL AND f.rowid IN ({SUPERSEDED}) GROUP BY 1, 2",
                  (*live_customers(who)[1], *span))]
    else:
        counts = {(hour, part): count for hour, part, count in connection.execute(
            f"{grouped} GROUP BY 1, 2", (*params, *span))}
        taken = [(f"{grouped} AND f.rowid IN ({NOT_COUNTED}) GROUP BY 1, 2", (*params, *span))]
    cuts = (0, *minutes)
    # counted by day (`days`, the whole book's): a part taken away is taken from the day it lies in, the last
    # day begun by then (the keys of `counts` are those days' first hour and part)
    starts = sorted((f"{hour}:{cuts[part]:02d}", (hour, part)) for hour, part in counts) if days else []
    for query, values in taken:
        for hour, part, count in connection.execute(query, values):
            key = (hour, part)
            if starts:
                key = starts[max(0, bisect.bisect_right(starts, (f"{hour}:{cuts[part]:02d}", key)) - 1)][1]
            counts[key] = counts.get(key, 0) - count
    return [(hour, part, count) for (hour, part), count in counts.items() if count]


def _counts_by_time(connection: sqlite3.Connection, start: datetime, end: datetime,
                    minutes: tuple[int, ...], days: Sequence[datetime] = ()) -> dict[tuple[str, int], int]:
    """Live follow-ups in [start, end) counted by UTC hour and part, every customer's: one count of a range of the
    index of live follow-ups by time (ix_follow_up_live_at) for each part of an hour, or for each day of `days`
    (365 ranges for a year instead of 8,760: the 12-month heatmap about a sixth faster). A GROUP BY of the hour
    would sort the span's entries (some 400k for a year of a big book) first; ranges in time order need no sort."""
    cuts = (0, *minutes)
    first, last = start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None)
    edges: list[tuple[datetime, int]] = []
    if days:
        edges = [(day.astimezone(UTC).replace(tzinfo=None), 0) for day in days]
        edges = [(edge, cuts.index(edge.minute)) for edge, _part in edges]
    hour = first.replace(minute=0, second=0, microsecond=0)
    while hour < last and not days:
        edges.extend((hour.replace(minute=minute), part) for part, minute in enumerate(cuts))
        hour += timedelta(hours=1)
    # isoformat, not to_db's strftime (several times slower, for thousands of edges): an edge on the whole second
    # is written without its microseconds, and its text still sorts just before the same moment stored in full.
    spans = [[max(edge, first).isoformat(" "), min(following, last).isoformat(" "), f"{edge:%Y-%m-%d %H}", part]
             for (edge, part), (following, _) in zip(edges, [*edges[1:], (last, 0)], strict=True)
             if following > first and edge < last]
    rows = connection.execute(
        "SELECT json_extract(e.value, '$[2]'), json_extract(e.value, '$[3]'), (SELECT count(*) FROM follow_up f"
        " INDEXED BY ix_follow_up_live_at WHERE f.deleted_at IS NULL AND f.at >= json_extract(e.value, '$[0]')"
        " AND f.at < json_extract(e.value, '$[1]')) FROM json_each(?) e", (json.dumps(spans),))
    return {(hour, part): count for hour, part, count in rows}


@dataclass(frozen=True)
class NewLead:
    id: str
    created_at: datetime
    first_contact: datetime | None
    """Its first current follow-up (None: never contacted)."""


def new_leads(connection: sqlite3.Connection, start: datetime, end: datetime, who: Who) -> list[NewLead]:
    """Live customers of `who` added in [start, end), oldest first, with their first follow-up."""
    condition, params = who
    rows = connection.execute(
        f"SELECT c.id, c.created_at, (SELECT min(f.at) FROM follow_up f WHERE f.customer_id = c.id AND {current('f')})"
        f" FROM customer c WHERE c.deleted_at IS NULL AND c.created_at >= ? AND c.created_at < ? AND {condition}"
        " ORDER BY c.created_at, c.id", (to_db(start), to_db(end), *params)).fetchall()
    return [NewLead(cid, from_db(created), from_db(first)) for cid, created, first in rows]  # type: ignore[arg-type]


_WATCHED = "c.deleted_at IS NULL AND +c.status IN ('lead', 'prospect', 'customer') AND NOT c.do_not_contact"
"""Customers the agenda watches for overdue follow-ups (store/agenda.py): open, not asking to be left alone."""


def overdue_now(connection: sqlite3.Connection, line: datetime, who: Who) -> list[str]:
    """Ids of the customers the agenda shows overdue: their next follow-up is before `line` (today's start)."""
    condition, params = who
    rows = connection.execute(
        f"SELECT c.id FROM customer c WHERE {_WATCHED} AND c.next_follow_up_at < ? AND {condition}"
        " ORDER BY c.next_follow_up_at, c.id", (to_db(line), *params)).fetchall()
    return [row[0] for row in rows]


def overdue_at(connection: sqlite3.Connection, moments: list[datetime], who: Who) -> list[list[str]]:
    """For each past moment (in ascending order), the ids of the customers overdue then (sorted), as the follow-ups
    tell it: the next date planned by the customer's latest follow-up before the moment was before it (a customer
    added after it does not count). See overdue_ranges."""
    found: list[list[str]] = [[] for _ in moments]
    for customer_id, low, high in overdue_ranges(connection, moments, who):
        for index in range(low, high):
            found[index].append(customer_id)
    for ids in found:
        ids.sort()
    return found


def overdue_counts(connection: sqlite3.Connection, moments: list[datetime], who: Who) -> list[int]:
    """For each past moment (in ascending order), how many customers overdue_at lists then, without listing them
    (each range of moments added up once at the end). Asking every customer's plan at every moment instead took a
    second for a year of the bench's book (20,000 customers by 52 weeks)."""
    changes = [0] * (len(moments) + 1)
    for _customer_id, low, high in overdue_ranges(connection, moments, who):
        changes[low] += 1
        changes[high] -= 1
    counts, running = [], 0
    for change in changes[:-1]:
        running += change
        counts.append(running)
    return counts


def overdue_ranges(connection: sqlite3.Connection, moments: list[datetime],
                   who: Who) -> Iterator[tuple[str, int, int]]:
    """(customer id, low, high): the customer was overdue at moments[low:high] (past moments, in ascending order),
    one range for each plan that made it so. The plans in force at the first moment are looked up once per
    customer (the latest follow-up before it, one step back in ix_follow_up_live_plan); the follow-ups between the
    first and the last moment then replace them in time order.

    Each plan a customer has in force (the one at the first moment, then each follow-up's) makes the customer
    overdue at the moments after its start, its next date and the customer's adding, up to the next follow-up:
    a range of the moments, found by bisection."""
    if not moments:
        return
    condition, params = who
    lines = [to_db(moment) or "" for moment in moments]
    first, last = lines[0], lines[-1]
    plans: dict[str, tuple[str, str, str | None]] = {cid: ("", added, planned) for cid, added, planned in
                                                     connection.execute(
        f"SELECT c.id, c.created_at, (SELECT f.next_at FROM follow_up f WHERE f.customer_id = c.id AND f.at < ?"
        f" AND {current('f')} ORDER BY f.at DESC, f.created_at DESC LIMIT 1) FROM customer c"
        f" WHERE {_WATCHED} AND c.created_at < ? AND {condition}", (first, last, *params))}
    """customer id -> (when the plan in force began, '' for the first moment's; when the customer was added; the
    plan's next date)"""
    # The span's live follow-ups in time order off ix_follow_up_live_span, every customer's: those of customers
    # not watched (not in `plans`) are passed over below, and the few superseded by a correction are found apart,
    # rather than asking both of each follow-up in the query.
    superseded = {rowid for (rowid,) in connection.execute(SUPERSEDED)}
    count = len(lines)

    # The plan in force from `since` to `until` (the next follow-up; none: still) makes the customer overdue at
    # the moments m with since < m, added < m, planned < m and m <= until: those from the first after the latest
    # of the three to the last not after `until`. Written out in the loop (a few hundred thousand plans a year).
    bisect_right = bisect.bisect_right
    for rowid, customer_id, at, planned in connection.execute(
            "SELECT f.rowid, f.customer_id, f.at, f.next_at FROM follow_up f INDEXED BY ix_follow_up_live_span"
            " WHERE f.at >= ? AND f.at < ? AND f.deleted_at IS NULL ORDER BY f.at, f.created_at", (first, last)):
        plan = plans.get(customer_id)
        if plan is None or (superseded and rowid in superseded):
            continue
        since, added, before = plan
        plans[customer_id] = (at, added, planned)
        if before is None:
            continue
        start = since if since > added else added
        if before > start:
            start = before
        if start < at:
            low, high = bisect_right(lines, start), bisect_right(lines, at)
            if low < high:
                yield customer_id, low, high
    for customer_id, (since, added, before) in plans.items():
        if before is not None:
            low = bisect_right(lines, max(since, added, before))
            if low < count:
                yield customer_id, low, count


@dataclass(frozen=True)
class KeyCustomer:
    id: str
    name: str
    tier: str
    value_cents: int


def key_customers(connection: sqlite3.Connection, who: Who, limit: int) -> list[KeyCustomer]:
    """Up to `limit` customers of `who`: those of tier A first, then the others with deals; each group by the
    amount of their deals not lost (open and won), largest first, then by name. Leads and the pool are left out."""
    condition, params = who
    rows = connection.execute(
        "SELECT c.id, c.name, c.tier, coalesce(v.value, 0) FROM customer c LEFT JOIN (SELECT d.customer_id,"
        " sum(coalesce(d.amount_cents, 0)) AS value FROM deal d WHERE d.deleted_at IS NULL AND d.stage != 'lost'"
        f" GROUP BY d.customer_id) v ON v.customer_id = c.id WHERE c.deleted_at IS NULL AND c.status NOT IN"
        f" ('lead', 'pool') AND (c.tier = 'A' OR v.value > 0) AND {condition}"
        " ORDER BY c.tier = 'A' DESC, coalesce(v.value, 0) DESC, c.name, c.id LIMIT ?", (*params, limit)).fetchall()
    return [KeyCustomer(*row) for row in rows]


def touches(connection: sqlite3.Connection, customer_ids: list[str], start: datetime,
            end: datetime) -> list[tuple[str, datetime]]:
    """(customer id, time) of the current follow-ups of these customers in [start, end)."""
    if not customer_ids:
        return []
    marks = ", ".join("?" for _ in customer_ids)
    rows = connection.execute(
        f"SELECT f.customer_id, f.at FROM follow_up f WHERE f.customer_id IN ({marks}) AND f.at >= ? AND f.at < ?"
        f" AND {current('f')}", (*customer_ids, to_db(start), to_db(end))).fetchall()
    return [(cid, from_db(at)) for cid, at in rows]  # type: ignore[misc]
