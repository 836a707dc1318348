"""The team, as the app and the CLI use it: sync rounds and the sync state, lost edits and rejected changes, the
public pool, a manager's reassignment, and setting up a laptop's connection.

The team's rules live on the team server (server/) and in the sync client (sync/); this module is the front
ends' one door to them, so that `tui/` and `cli/` never import `sync/` or `server/` themselves (the import
contract in pyproject.toml checks it). It imports the sync client's modules, never psycopg: the driver loads
only when a function here talks to the server.
"""

from __future__ import annotations

from crmtui.sync.client import (
    RECEIVED,
    Conflict,
    Rejection,
    check_connection,
    claim,
    conflicts,
    dismiss_rejected,
    handshake,
    is_driver_error,
    mark_conflicts_seen,
    pool_rules,
    reason_text,
    reassign,
    record_kind,
    rejected_customer_names,
    report_notes,
    reps,
    status,
    status_line,
    sync_round,
)
from crmtui.sync.connection import check_keyring, check_server_url, connect, keyring_warning, ssl_mode, store_password
from crmtui.sync.notices import (
    RejectedChange,
    change_fields,
    change_value,
    dismiss_rejected_change,
    rejected_changes,
    rejected_round_text,
)
from crmtui.sync.pool_view import (
    OTHER,
    RELEASE_REASONS,
    DeletedCustomer,
    PoolEntry,
    parse_reason_option,
    pool_list,
    reason_label,
    release,
    release_reason,
)

__all__ = [
    "OTHER", "RECEIVED", "RELEASE_REASONS", "Conflict", "DeletedCustomer", "PoolEntry", "RejectedChange", "Rejection",
    "change_fields", "change_value", "check_connection", "check_keyring", "check_server_url", "claim", "conflicts",
    "connect", "dismiss_rejected", "dismiss_rejected_change", "handshake", "is_driver_error", "keyring_warning", "mark_conflicts_seen",
    "parse_reason_option", "pool_list", "pool_rules", "reason_label", "reason_text", "reassign", "record_kind",
    "rejected_changes", "rejected_customer_names", "rejected_round_text", "release", "release_reason", "report_notes",
    "reps", "ssl_mode", "status", "status_line", "store_password", "sync_round",
]
