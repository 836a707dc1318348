"""The bulk writer (demo, import) writes every staged record whole, whatever columns the first one of its table
gave: a follow-up without scores gives none, and a later one's scores were dropped."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from crmtui.services.customers import add_customer
from crmtui.store.bulk import BulkWriter, new_ids
from crmtui.store.follow_ups import FollowUpRow


def test_follow_ups_with_and_without_scores_in_one_write(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme")
    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    plain, scored, again = new_ids(3)
    writer = BulkWriter()
    for record_id, satisfaction, nps in ((plain, None, None), (scored, 2, 3), (again, None, None)):
        row = FollowUpRow(acme.id, at, "phone", "check", True, "n", None, None, satisfaction=satisfaction, nps=nps)
        row.id = record_id
        writer.add_follow_up(row, at)
    with ctx.db.raw_write(at) as (connection, outbox):
        assert writer.write(connection, outbox) == 3
    connection = sqlite3.connect(ctx.db.path)
    try:
        found = dict((row[0], row[1:]) for row in connection.execute(
            "SELECT id, satisfaction, nps FROM follow_up WHERE customer_id = ?", (acme.id,)))
    finally:
        connection.close()
    assert found == {plain: (None, None), scored: (2, 3), again: (None, None)}
