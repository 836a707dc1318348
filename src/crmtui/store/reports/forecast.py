"""The forecast's queries: the open deals with their expected close days, and the deals closed in a span."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from crmtui.store.raw import day_from_db, from_db, to_db


@dataclass(frozen=True)
class OpenDeal:
    """A live open deal of a live customer, with what the forecast weighs and whose it is."""

    deal_id: str
    title: str
    customer_name: str
    stage: str
    probability: int
    """The probability stored with the deal (the stage's when it entered it)."""
    amount_cents: int | None
    expected_close: date | None
    owner: str | None
    """Its customer's owner (a team)."""
    owner_name: str | None
    """The rep an import named."""


def open_deals(connection: sqlite3.Connection) -> list[OpenDeal]:
    """Every live deal not Won or Lost whose customer is live, the earliest expected close first (none last)."""
    rows = connection.execute(
        "SELECT d.id, d.title, c.name, d.stage, d.probability, d.amount_cents, d.expected_close, c.owner, d.owner_name"
        " FROM deal d JOIN customer c ON c.id = d.customer_id"
        " WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL AND d.stage NOT IN ('won', 'lost')"
        " ORDER BY d.expected_close IS NULL, d.expected_close, d.id").fetchall()
    return [OpenDeal(did, title, name, stage, probability or 0, amount, day_from_db(close), owner, owner_name)
            for did, title, name, stage, probability, amount, close, owner, owner_name in rows]


@dataclass(frozen=True)
class ClosedDeal:
    """A deal Won or Lost now, with the moment of its last move to that stage (a reopened deal closed again
    counts from its last close)."""

    deal_id: str
    stage: str
    amount_cents: int | None
    closed_at: datetime
    owner: str | None
    owner_name: str | None


def closed_between(connection: sqlite3.Connection, start: datetime, end: datetime,
                   stages: Sequence[str] = ("won",)) -> list[ClosedDeal]:
    """Live deals of live customers now in one of `stages` (won, lost) whose last live move to that stage falls in
    [start, end) (UTC), in the order they closed. A deal won and then reopened is not Won now: it is left out."""
    marks = ", ".join("?" * len(stages))
    rows = connection.execute(
        "SELECT * FROM (SELECT d.id, d.stage, d.amount_cents, c.owner, d.owner_name,"
        " (SELECT max(s.at) FROM deal_stage_change s WHERE s.deal_id = d.id AND s.to_stage = d.stage"
        "  AND s.deleted_at IS NULL) AS closed_at"
        f" FROM deal d JOIN customer c ON c.id = d.customer_id WHERE d.stage IN ({marks})"
        " AND d.deleted_at IS NULL AND c.deleted_at IS NULL)"
        " WHERE closed_at >= ? AND closed_at < ? ORDER BY closed_at, id",
        (*stages, to_db(start), to_db(end))).fetchall()
    return [ClosedDeal(did, stage, amount, from_db(at), owner, owner_name)  # type: ignore[arg-type]
            for did, stage, amount, owner, owner_name, at in rows]
