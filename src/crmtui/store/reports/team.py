"""The team report's queries: follow-ups logged and customers added in a span, by the customer's owner.

The follow-ups are counted (follow_up_counts_by_owner); their ids are read only for a drill opened. Both lists
group in SQL and hand back the ids of each owner's records as one joined string (`group_concat`), so a span of
many records is not read row by row into Python.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from crmtui.store.reports.activity import NOT_COUNTED, SUPERSEDED
from crmtui.store.raw import to_db


def _grouped(rows: list[tuple[str | None, str | None]]) -> dict[str | None, tuple[str, ...]]:
    return {owner: tuple(ids.split(",")) if ids else () for owner, ids in rows}


def follow_ups_by_owner(connection: sqlite3.Connection, start: datetime,
                        end: datetime) -> dict[str | None, tuple[str, ...]]:
    """The current follow-ups (no correction supersedes them) of live customers made in [start, end), their ids by
    the customer's owner (None: a customer with no owner), customer by customer, each one's oldest first."""
    return _grouped(connection.execute(
        # CROSS JOIN: customer first, each customer's span read off ix_follow_up_customer_at (customer_id, at),
        # rather than a scan of every follow-up. Not sorted by time: on the bench's 196k follow-ups of 90 days the
        # sort alone cost about a quarter of the query.
        # The superseded follow-ups are gathered once (the set of SUPERSEDED), not looked for follow-up by follow-up.
        "SELECT c.owner, group_concat(f.id) FROM customer c CROSS JOIN follow_up f ON f.customer_id = c.id"
        " WHERE c.deleted_at IS NULL AND f.at >= ? AND f.at < ? AND f.deleted_at IS NULL"
        f" AND f.rowid NOT IN ({SUPERSEDED}) GROUP BY c.owner",
        (to_db(start), to_db(end))).fetchall())


def follow_up_counts_by_owner(connection: sqlite3.Connection, start: datetime, end: datetime) -> dict[str | None, int]:
    """How many follow-ups follow_ups_by_owner would list for each owner, without reading their ids (those are
    read when a drill is opened).

    When most customers have no owner (a rep's own book, the bench's: 1,600 of 20,000 owned), the owned and the
    deleted customers' follow-ups are counted customer by customer off the index of (customer_id, at), and those
    of no owner are the span's count off the index of live follow-ups by time less those: no sort, no lookup for
    the many. Else (a manager's book, every customer owned) they are counted customer by customer for every
    customer, then summed by owner (a year of the bench's book: about 100 ms, where counting the entries of the
    index by time and sorting them by customer took 360-400 ms). Either way every follow-up of the span is counted
    off an index alone and the few that do not count (deleted, superseded) are taken away after."""
    span = (to_db(start), to_db(end))
    found: dict[str | None, int]
    live = "f.at >= ? AND f.at < ? AND f.deleted_at IS NULL"
    special, every = connection.execute(
        "SELECT coalesce(sum(owner IS NOT NULL OR deleted_at IS NOT NULL), 0), count(*) FROM customer").fetchone()
    if special * 4 > every:
        # Customer by customer off the index of (customer_id, at), summed by owner over the customers (a sort of
        # 20,000 rows, not of the 390,000 follow-ups of a year), then the deleted and superseded taken away.
        found = dict(connection.execute(
            "SELECT owner, sum(n) FROM (SELECT c.owner, (SELECT count(*) FROM follow_up f INDEXED BY"
            " ix_follow_up_customer_at WHERE f.customer_id = c.id AND f.at >= ? AND f.at < ?) AS n FROM customer c"
            " WHERE c.deleted_at IS NULL) GROUP BY owner", span))
        for owner, count in connection.execute(
                "SELECT c.owner, count(*) FROM follow_up f JOIN customer c ON c.id = f.customer_id"
                f" WHERE f.rowid IN ({NOT_COUNTED}) AND f.at >= ? AND f.at < ? AND c.deleted_at IS NULL"
                " GROUP BY c.owner", span):
            found[owner] -= count
        return {owner: count for owner, count in found.items() if count}
    # Both counts read index entries alone: every follow-up of the span, then those that do not count (deleted or
    # superseded: few, found through their own indexes) taken away. Asking each entry whether it is deleted or
    # superseded read its row from the table (about four times the time on a year of the bench's book).
    (total,) = connection.execute(
        f"SELECT (SELECT count(*) FROM follow_up f INDEXED BY ix_follow_up_live_at WHERE {live})"
        f" - (SELECT count(*) FROM follow_up f WHERE f.rowid IN ({SUPERSEDED}) AND {live})", span + span).fetchone()
    found = {}
    special_customers = "(c.owner IS NOT NULL OR c.deleted_at IS NOT NULL)"
    taken = {(owner, deleted): count for owner, deleted, count in connection.execute(
        "SELECT c.owner, c.deleted_at IS NOT NULL, count(*) FROM follow_up f JOIN customer c ON c.id = f.customer_id"
        f" WHERE f.rowid IN ({NOT_COUNTED}) AND f.at >= ? AND f.at < ? AND {special_customers} GROUP BY 1, 2", span)}
    for owner, deleted, count in connection.execute(
            "SELECT c.owner, c.deleted_at IS NOT NULL, count(*) FROM customer c CROSS JOIN follow_up f"
            f" INDEXED BY ix_follow_up_customer_at ON f.customer_id = c.id WHERE {special_customers}"
            " AND f.at >= ? AND f.at < ? GROUP BY 1, 2", span):
        count -= taken.get((owner, deleted), 0)
        total -= count
        if not deleted:
            found[owner] = found.get(owner, 0) + count
    if total:
        found[None] = total
    return found


def customers_by_owner(connection: sqlite3.Connection, start: datetime,
                       end: datetime) -> dict[str | None, tuple[str, ...]]:
    """Live customers and leads added in [start, end), their ids by owner, oldest first (a merged-away record is
    deleted)."""
    return _grouped(connection.execute(
        "SELECT owner, group_concat(id) FROM (SELECT c.owner, c.id FROM customer c WHERE c.deleted_at IS NULL"
        " AND c.created_at >= ? AND c.created_at < ? ORDER BY c.created_at) GROUP BY owner",
        (to_db(start), to_db(end))).fetchall())
