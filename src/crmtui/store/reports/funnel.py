"""The funnel's queries: the deals that moved in a period with every stage change they have, and first contacts.

Moments come back as the stored UTC text ('YYYY-MM-DD HH:MM:SS.ffffff'), which sorts and compares as time does:
a year of a big book's changes is tens of thousands of rows, and turning each into a datetime costs more than the
query (the service converts only the few it counts in days).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from crmtui.store.raw import to_db


@dataclass(slots=True)
class MovedDeal:
    """A live deal of a live customer with its live stage changes, oldest first."""

    deal_id: str
    customer_id: str
    stage: str
    amount_cents: int | None
    owner_name: str | None
    customer_owner: str | None
    created_at: str
    changes: list[tuple[str | None, str, str]] = field(default_factory=list)
    """(from stage, to stage, when as stored UTC text), oldest first; the first one (from None) is the opening."""


def deals_moved(connection: sqlite3.Connection, start: datetime, end: datetime) -> list[MovedDeal]:
    """Every live deal of a live customer with a live stage change in [start, end), with all its live changes."""
    window = (to_db(start), to_db(end))
    moved = "(SELECT deal_id FROM deal_stage_change WHERE deleted_at IS NULL AND at >= ? AND at < ?)"
    # The live customers' owners in one scan: a lookup a deal by the customer's key costs several times more.
    owners = dict(connection.execute("SELECT id, owner FROM customer WHERE deleted_at IS NULL"))
    deals = {deal_id: MovedDeal(deal_id, customer_id, stage, amount, owner_name, owners[customer_id], created)
             for deal_id, customer_id, stage, amount, owner_name, created in connection.execute(
                 "SELECT id, customer_id, stage, amount_cents, owner_name, created_at FROM deal"
                 f" WHERE deleted_at IS NULL AND id IN {moved}", window)
             if customer_id in owners}
    # Sorted by SQLite (a sort in C of some 30,000 changes for a year of the bench's book, where sorting each
    # deal's list in Python cost a quarter of the funnel); rowid last: the same moment, the order written.
    # When the deals that moved are most of the book's (a year of the bench's: 9,841 of 10,000), every live change
    # is read in one scan of the table and sorted, the others' skipped here (a third less than looking up each
    # deal's changes through the index of deal_id and reading their rows one by one); else only theirs.
    (live,) = connection.execute("SELECT count(*) FROM deal WHERE deleted_at IS NULL").fetchone()
    params: tuple[str | None, ...]
    if len(deals) * 2 > live:
        query, params = ("SELECT deal_id, from_stage, to_stage, at FROM deal_stage_change NOT INDEXED"
                         " WHERE deleted_at IS NULL ORDER BY deal_id, at, created_at, rowid"), ()
    else:
        query, params = ("SELECT deal_id, from_stage, to_stage, at FROM deal_stage_change"
                         f" WHERE deleted_at IS NULL AND deal_id IN {moved} ORDER BY deal_id, at, created_at, rowid",
                         window)
    # A deal's changes come together: its list is looked up once, not once a change.
    last_id, changes = None, None
    for deal_id, from_stage, to_stage, at in connection.execute(query, params):
        if deal_id != last_id:
            last_id = deal_id
            deal = deals.get(deal_id)
            changes = deal.changes if deal is not None else None
        if changes is not None:
            changes.append((from_stage, to_stage, at))
    return sorted(deals.values(), key=lambda deal: deal.deal_id)


def first_follow_ups(connection: sqlite3.Connection, customer_ids: Iterable[str]) -> dict[str, str]:
    """Each customer's first live follow-up as stored UTC text (customers without one are left out): the oldest of
    the (customer, time) index that is not deleted, so usually one row read a customer."""
    found: dict[str, str] = {}
    ids = sorted(set(customer_ids))
    for index in range(0, len(ids), 500):
        chunk = ids[index:index + 500]
        marks = ",".join("?" * len(chunk))
        for customer_id, at in connection.execute(
                "SELECT c.id, (SELECT f.at FROM follow_up f WHERE f.customer_id = c.id AND f.deleted_at IS NULL"
                f" ORDER BY f.at LIMIT 1) FROM customer c WHERE c.id IN ({marks})", chunk):
            if at is not None:
                found[customer_id] = at
    return found
