"""Deleting a synced record: a tombstone, never a removed row (docs/sync.md).

A removed row could not tell the other laptops and the team server that it is gone; a row marked deleted goes out
like any change. Setting the two fields is all a delete writes: the session's next flush records the change in the
outbox as a `delete` mutation (store/session.py), in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from crmtui.store.models import Synced


def tombstone(now: datetime, *records: Synced) -> None:
    """Marks each record deleted at `now` (its last change too), as one delete each in the outbox."""
    for record in records:
        record.deleted_at = now
        record.updated_at = now
