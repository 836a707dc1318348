"""The team, as the app and the CLI use it: sync rounds and the sync state, lost edits and rejected changes, the
public pool, a manager's reassignment, and setting up a laptop's connection.

The team's rules live on the team server (server/) and in the sync client (sync/); what the rep reads about them
is worded in crmtui.services.team_words. This module is the front ends' one door to both, so that `tui/` and
`cli/` never import `sync/` or `server/` themselves (the import contract in pyproject.toml checks it). It imports
the sync client's modules, never psycopg: the driver loads only when a function here talks to the server.
"""

from __future__ import annotations

from crmtui.services.team_words import (
    RELEASE_REASONS,
    advice,
    change_fields,
    change_value,
    departure_notice,
    parse_reason_option,
    raw_fields,
    reason_label,
    reason_text,
    record_kind,
    rejected_round_text,
    report_notes,
    shown_value,
    status_line,
    why_text,
)
from crmtui.sync.client import (
    check_connection,
    claim,
    conflicts,
    dismiss_rejected,
    mark_conflicts_seen,
    pool_rules,
    reassign,
    rejected_customer_names,
    reps,
    status,
    sync_round,
)
from crmtui.sync.connection import (
    check_keyring,
    check_server_url,
    keyring_place,
    keyring_warning,
    ssl_mode,
    store_password,
)
from crmtui.sync.notices import (
    RejectedChange,
    dismiss_rejected_change,
    rejected_changes,
)
from crmtui.sync.pool_view import (
    OTHER,
    DeletedCustomer,
    PoolEntry,
    pool_list,
    release,
    release_reason,
)
from crmtui.sync.protocol import RECEIVED, Conflict, Rejection

__all__ = [
    "OTHER", "RECEIVED", "RELEASE_REASONS", "Conflict", "DeletedCustomer", "PoolEntry", "RejectedChange",
    "Rejection", "advice", "change_fields", "change_value", "check_connection", "check_keyring", "check_server_url",
    "claim", "conflicts", "departure_notice", "dismiss_rejected", "dismiss_rejected_change", "keyring_place",
    "keyring_warning", "mark_conflicts_seen", "parse_reason_option", "pool_list", "pool_rules", "raw_fields",
    "reason_label", "reason_text", "reassign", "record_kind", "rejected_changes", "rejected_customer_names",
    "rejected_round_text", "release", "release_reason", "report_notes", "reps", "shown_value", "ssl_mode", "status",
    "status_line", "store_password", "sync_round", "why_text",
]
