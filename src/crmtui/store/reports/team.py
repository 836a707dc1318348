"""The team report's queries: follow-ups logged and customers added in a span, by the customer's owner.

Both group in SQL and hand back the ids of each owner's records as one joined string (`group_concat`), so a span
of many follow-ups is not read row by row into Python.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from crmtui.store.reports.activity import SUPERSEDED
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


def customers_by_owner(connection: sqlite3.Connection, start: datetime,
                       end: datetime) -> dict[str | None, tuple[str, ...]]:
    """Live customers and leads added in [start, end), their ids by owner, oldest first (a merged-away record is
    deleted)."""
    return _grouped(connection.execute(
        "SELECT owner, group_concat(id) FROM (SELECT c.owner, c.id FROM customer c WHERE c.deleted_at IS NULL"
        " AND c.created_at >= ? AND c.created_at < ? ORDER BY c.created_at) GROUP BY owner",
        (to_db(start), to_db(end))).fetchall())
