"""Which run reads the rows of a kind of history (deals, follow-ups): the import's loop asks here."""

from __future__ import annotations

from crmtui.services.importing.deals import DealRun
from crmtui.services.importing.follow_ups import FollowUpRun
from crmtui.services.importing.history import HistoryRun


def history_run(kind: str) -> type[HistoryRun]:
    """The run class of a history kind."""
    return {"deals": DealRun, "follow-ups": FollowUpRun}[kind]
