"""What a sync round passes between its halves (push in sync.client, pull in sync.pull, the rejected changes in
sync.notices) and hands to the services: the round's report, the server's answer to the handshake, a lost edit, a
rejected change, and the server's reasons as codes. Data only: the words a rep reads are the services' presenter's
(crmtui.services.team_words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from crmtui.core import i18n
from crmtui.core.dates import format_when
from crmtui.core.errors import ServerRefused
from crmtui.core.i18n import _
from crmtui.server.admin import refusal

if TYPE_CHECKING:
    from crmtui.services.context import Context

RECONCILE_EVERY = timedelta(hours=24)
"""How often a pull also diffs the ids the rep may see with the local copy."""

RECEIVED = "received"
"""The kind of a Rejection that is a row received from the server and set aside (its seq is 0)."""

INTERNAL_FIELDS = frozenset({"id", "customer_id", "contact_id", "deal_id", "contract_id", "corrects_id", "merged_into",
                             "created_at", "updated_at", "deleted_at", "stamps", "txid", "owner", "claimed_at"})
"""Bookkeeping and references: never shown as something the rep changed."""

PUSH_REASONS = {
    "not_yours": "the customer is no longer yours",
    "in_pool": "the customer is in the pool now",
    "no_customer": "its customer is not on the server",
    "target_not_yours": "the customer it moves to is not yours",
    "newer_value": "a newer value was already on the server",
    "future_stamp": "stamp from the future: the laptop clock is ahead of the server",
    "foreign_stamp": "stamp of another laptop",
    "bad_stamp": "a stamp that is not a stamp",
    "crossing_reference": "it refers to a record of another customer",
    "crossed_reference": "records of another customer refer to it",
    "future_time": "a time in the future: the laptop clock is ahead of the server",
    "managers_delete": "only a manager can delete a customer of the team: release it to the pool instead",
    "derived_dates": "the team server derives these dates from the follow-ups it keeps",
    "correction_elsewhere": "it corrects a follow-up its customer does not have",
    "correction_of_colleague": "only the rep who logged a follow-up can correct it",
    "correction_too_late": "a follow-up can be corrected only within 24 hours of logging it",
}
"""Why the server's push function rejects or supersedes a mutation: a code for each of the fixed English texts
the server sends (the texts are the wire's identity; the presenter words each code)."""

SET_ASIDE_REASONS = {
    "aside_missing_reference": "received from the server but not stored here: it refers to a record this laptop does"
                               " not have",
    "aside_crossing_reference": "set aside: it refers to a record of a customer that left you",
    "aside_not_storable": "received from the server but not stored here: this laptop cannot take it",
}
"""Why a row received from the server was set aside (the texts crmtui.store.replica keeps), by code."""

_CODE_OF = {text: code for code, text in (PUSH_REASONS | SET_ASIDE_REASONS).items()}

CUSTOMER_LEFT = frozenset({"not_yours", "in_pool", "target_not_yours"})
"""The reasons that mean: the customer is not the rep's any more."""
CLOCK_AHEAD = frozenset({"future_stamp", "future_time"})
"""The reasons that mean: this laptop's clock ran ahead of the server's."""


def reason_code(detail: str) -> str | None:
    """The code of a server's reason or of a row's set-aside reason; a set-aside reason may carry the reference
    after it ("reason (deal_id 1234...)"). None for a text we do not know."""
    if detail in _CODE_OF:
        return _CODE_OF[detail]
    base, paren, _rest = detail.partition(" (")
    if paren and base in _CODE_OF and _CODE_OF[base] in SET_ASIDE_REASONS:
        return _CODE_OF[base]
    return None


@dataclass
class ServerInfo:
    schema_version: int
    format_min: int
    format_max: int
    epoch: str
    now: datetime
    manager: bool
    offset: timedelta
    xmax: int = 0
    """The server's next transaction id: a laptop cursor beyond it means the server went back in time."""
    last_seq: int = 0
    """The last change of this laptop the server holds."""
    columns: dict[str, frozenset[str]] | None = None
    """The columns of each synced table the server holds (None: all of this crmtui's). A server not yet upgraded
    lacks the newest tables and columns: the pull passes over the tables, and the push stops before a change it
    could not keep whole (it waits for the upgrade)."""

    def holds(self, table: str) -> bool:
        return self.columns is None or table in self.columns

    def takes(self, table: str, changes: dict) -> bool:
        """Whether the server keeps this change whole: its table, and every field it sets to a value (a field it
        lacks would be dropped: an empty one is no loss, nor a flag left off, e.g. do_not_contact on a server older
        than personal data, where nobody can have set it)."""
        if self.columns is None:
            return True
        known = self.columns.get(table)
        return known is not None and all(name in known for name, value in changes.items()
                                         if value is not None and value is not False)


@dataclass
class Conflict:
    table: str
    record_id: str
    customer: str | None
    field: str
    kept: object
    kept_by: str | None
    lost: object
    lost_by: str | None
    at: str


class Departure(NamedTuple):
    """A customer that left this rep in a round."""

    name: str
    why: str
    """The change of hands: release, reassign, reclaim, deleted...; "pool" (a manager's reassignment to nobody),
    "pool_claimed" (that, and a colleague claimed it since), "reclaim_claimed" (the pool's reclaim, and a colleague
    claimed it since)."""
    holder: str | None = None
    """Who holds it now, when the rep is told (a manager gave it to them, or they claimed it from the pool)."""
    actor: str | None = None
    """Who made the change of hands (the server's record of the session's login); None: unknown (an older
    server), or the pool's own rules."""
    follow_up_at: str | None = None
    """When the rep's follow-up of it sent in the same round was made (it stays in the customer's history)."""


@dataclass
class RoundReport:
    """What one round did."""

    pushed: int = 0
    applied: int = 0
    superseded: int = 0
    rejected: int = 0
    pulled: int = 0
    gained: int = 0
    lost: int = 0
    full: bool = False
    restamped: int = 0
    """Changes made while this computer's clock ran ahead, stamped again with the server's time."""
    held_back: int = 0
    """Changes waiting because the server does not hold their table yet (it has not been upgraded)."""
    repushed: int = 0
    """Records sent again because the server had gone back in time (restored, or commits lost)."""
    rejections: list[tuple[int, str]] = field(default_factory=list)
    set_aside: int = 0
    """Rows received from the server that this laptop could not store, set aside (all of them, after the round)."""
    gained_names: list[str] = field(default_factory=list)
    """The customers that came to this rep, by name (those a manager restored are in restored_names instead)."""
    restored_names: list[str] = field(default_factory=list)
    """The customers a manager restored (undeleted) to this rep, by name; counted in gained too."""
    restored_by: dict[str, str] = field(default_factory=dict)
    """Who restored each of restored_names, when the server says."""
    lost_customers: list[Departure] = field(default_factory=list)
    """The customers that left this rep, by name."""
    follow_ups_sent: dict[str, str] = field(default_factory=dict)
    """The follow-ups the server took from this laptop in the round: the time of the latest, by customer id."""
    lost_edits: list[Conflict] = field(default_factory=list)
    """This rep's same-field edits that lost to a later one, pulled this round."""


@dataclass
class Rejection:
    seq: int
    table: str
    record_id: str
    kind: str
    changes: dict
    reason: str
    at: str
    customer: str | None = None
    """The customer's name when the change was rejected (None: unknown)."""
    whereabouts: tuple[str, str | None] | None = None
    """What became of the customer: ("yours", None) when it is here again, else why it left and who holds it."""

    @property
    def dismissable(self) -> bool:
        """A rejected change is the rep's to dismiss; a row set aside is tried again by itself."""
        return self.kind != RECEIVED

    @property
    def reason_code(self) -> str | None:
        """The reason's code (PUSH_REASONS, SET_ASIDE_REASONS); None for a text we do not know."""
        return reason_code(self.reason)


def xmax(snapshot: str) -> int:
    """The next transaction id of a PostgreSQL snapshot as text (xmin:xmax:xip)."""
    return int(snapshot.split(":")[1])


def refusal_of(error: BaseException, ctx: Context | None = None) -> ServerRefused | None:
    """A server rule's refusal (SQLSTATE CRM01) as our error; None for anything else."""
    import psycopg  # deferred: the driver costs about 0.2 s; the app starts and `crm pool` parses without it

    if isinstance(error, psycopg.Error) and getattr(error, "sqlstate", None) == "CRM01":
        key, detail = error.diag.message_primary or "", error.diag.message_detail or ""
        if key == "relocked" and ctx is not None:
            detail = format_when(ctx.clock.to_local(datetime.fromisoformat(detail)), True, i18n.language,
                                 ctx.clock.today())  # as the pool list says it
        if key == "duplicate_check_limit":
            window, _sep, most = detail.partition(":")
            per = _("{count} checks a minute") if window == "minute" else _("{count} checks a day")
            detail = per.format(count=most)
        return refusal(key, detail)
    return None
