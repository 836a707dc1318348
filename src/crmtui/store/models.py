"""The SQLModel tables of the local store. Ids are UUID strings; times are aware UTC; deletes are tombstones."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel


def new_id() -> str:
    """A random UUID: records are created offline on many machines."""
    return str(uuid.uuid4())


class Synced(SQLModel):
    """Columns every synced record has; changes to these tables are written to the outbox."""

    id: str = Field(default_factory=new_id, primary_key=True)
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


OPEN_CUSTOMER = "deleted_at IS NULL AND status IN ('lead', 'prospect', 'customer') AND NOT do_not_contact"
"""A customer the agenda lists: not deleted, a lead, prospect or customer, not asking to be left alone."""


class Customer(Synced, table=True):
    """A company or person the rep sells to; leads are customers with status `lead`."""

    __table_args__ = (
        Index("ix_customer_status", "status"),
        # The agenda's (migration 0015): open customers, holding the columns each section's conditions read.
        Index("ix_customer_open_next", "next_follow_up_at", "owner", "id", "deleted_at", "status", "do_not_contact",
              sqlite_where=text(OPEN_CUSTOMER)),
        Index("ix_customer_open_new", "created_at", "next_follow_up_at", "owner", "id", "last_contact_at", "deleted_at",
              "status", "do_not_contact", sqlite_where=text(f"last_contact_at IS NULL AND {OPEN_CUSTOMER}")),
        Index("ix_customer_open_touch", "tier", "last_contact_at", "next_follow_up_at", "owner", "id", "name",
              "deleted_at", "status", "do_not_contact", sqlite_where=text(
                  "deleted_at IS NULL AND status IN ('prospect', 'customer') AND NOT do_not_contact")),
        Index("ix_customer_open_id", "id", "last_contact_at", "owner", "deleted_at", "status", "do_not_contact",
              sqlite_where=text(OPEN_CUSTOMER)),
        Index("ix_customer_service", "service_months", sqlite_where=text("service_months IS NOT NULL")),
        Index("ix_customer_warranty", "warranty_until", sqlite_where=text("warranty_until IS NOT NULL")),
    )

    name: str
    name_key: str = Field(index=True)
    pinyin: str = ""
    kind: str = "company"  # company | person
    company: str | None = None
    industry: str | None = None
    region: str | None = None
    source: str | None = None
    interest: str | None = None
    phone: str | None = None
    phone_key: str | None = Field(default=None, index=True)
    email: str | None = None
    email_key: str | None = Field(default=None, index=True)
    wechat: str | None = None
    status: str = "lead"  # lead | prospect | customer | dormant | pool
    tier: str = "C"
    score: int = 0
    owner: str | None = None
    next_follow_up_at: datetime | None = Field(default=None, index=True)
    last_contact_at: datetime | None = None
    merged_into: str | None = None
    claimed_at: datetime | None = None  # team mode: when the owner claimed it from the pool (set by the server)
    notes: str | None = None  # free text about the customer (an imported sheet's 备注), shown with its details
    # personal data (a person customer): consent, do-not-contact, erasure (store/personal_data.py)
    consent_source: str | None = None
    consent_on: date | None = None
    do_not_contact: bool = False
    do_not_contact_on: date | None = None
    do_not_contact_reason: str | None = None
    erased_at: datetime | None = None
    # after-sales care (migration 0013): a service visit every N months from service_from, a warranty end
    service_months: int | None = None
    service_from: date | None = None
    warranty_until: date | None = None


class Contact(Synced, table=True):
    """A person at a customer."""

    customer_id: str = Field(foreign_key="customer.id", index=True)
    name: str
    name_key: str = Field(default="", index=True)
    pinyin: str = ""
    title: str | None = None
    phone: str | None = None
    phone_key: str | None = Field(default=None, index=True)
    email: str | None = None
    email_key: str | None = Field(default=None, index=True)
    wechat: str | None = None
    decision_maker: bool = False
    birthday: date | None = None
    # personal data: consent, do-not-contact, erasure (store/personal_data.py)
    consent_source: str | None = None
    consent_on: date | None = None
    do_not_contact: bool = False
    do_not_contact_on: date | None = None
    do_not_contact_reason: str | None = None
    erased_at: datetime | None = None


class Deal(Synced, table=True):
    """An opportunity; amounts are in cents."""

    # The agenda's (migration 0015): live deals by stage, with the columns a stalled deal's conditions read.
    __table_args__ = (Index("ix_deal_open_stage", "stage", "customer_id", "stage_entered_at", "amount_cents", "id",
                            "deleted_at", sqlite_where=text("deleted_at IS NULL")),)

    customer_id: str = Field(foreign_key="customer.id", index=True)
    title: str
    amount_cents: int | None = None
    quoted_cents: int | None = None
    expected_close: date | None = None
    stage: str = Field(index=True)
    probability: int = 0
    competitor: str | None = None
    lost_reason: str | None = None
    stage_entered_at: datetime
    external_id: str | None = Field(default=None, index=True)  # its id in the system it was imported from
    owner_name: str | None = None  # the rep who owned it there (a name, not a login of the team)
    imported_from: str | None = None  # the file it was imported from: history, not made under today's rules


class DealStageChange(Synced, table=True):
    """One stage transition with its time: the funnel and days-in-stage come from these."""

    __tablename__ = "deal_stage_change"
    __table_args__ = (Index("ix_deal_stage_change_live_at", "at", "deal_id", "deleted_at",
                            sqlite_where=text("deleted_at IS NULL")),)

    deal_id: str = Field(foreign_key="deal.id", index=True)
    from_stage: str | None = None
    to_stage: str
    at: datetime


class FollowUp(Synced, table=True):
    """One structured contact with a customer. Append-only: a correction is a new follow-up naming the one it
    corrects (`corrects_id`), which is then superseded."""

    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_customer_at", "customer_id", "at"),
        # The reports' (migration 0012): live follow-ups by time, and the deleted ones.
        Index("ix_follow_up_live_at", "at", "customer_id", "deleted_at", sqlite_where=text("deleted_at IS NULL")),
        Index("ix_follow_up_deleted", "customer_id", sqlite_where=text("deleted_at IS NOT NULL")),
        # The activity report's (migration 0014): live follow-ups holding every column it reads, by time and by
        # customer.
        Index("ix_follow_up_live_span", "at", "created_at", "customer_id", "next_at", "channel", "goal_met", "goal",
              "deleted_at", sqlite_where=text("deleted_at IS NULL")),
        Index("ix_follow_up_live_plan", "customer_id", "at", "created_at", "next_at", "id", "deleted_at",
              sqlite_where=text("deleted_at IS NULL")),
    )

    customer_id: str = Field(foreign_key="customer.id", index=True)
    contact_id: str | None = Field(default=None, foreign_key="contact.id")
    deal_id: str | None = Field(default=None, foreign_key="deal.id")
    at: datetime
    channel: str
    goal: str
    goal_met: bool
    notes: str
    next_plan: str | None = None
    next_at: datetime | None = None
    author: str | None = None  # team mode: the rep who logged it, set by the server (never pushed from here)
    corrects_id: str | None = Field(default=None, index=True)
    """The follow-up this one corrects (it supersedes it); no foreign key, see migration 0007."""
    imported_from: str | None = None  # the file it was imported from: history, its goal may be unknown
    external_id: str | None = Field(default=None, index=True)  # its id in the system it was imported from
    satisfaction: int | None = None  # 1-5, asked on a revisit (migration 0013)
    nps: int | None = None  # 0-10, "would you recommend us", asked on a revisit


class Contract(Synced, table=True):
    """Created when a deal is won."""

    # The agenda's (migration 0015): the few contracts with a service cycle or a warranty.
    __table_args__ = (Index("ix_contract_service", "service_months", sqlite_where=text("service_months IS NOT NULL")),
                      Index("ix_contract_warranty", "warranty_until", sqlite_where=text("warranty_until IS NOT NULL")))

    deal_id: str = Field(foreign_key="deal.id", index=True)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    number: str
    amount_cents: int
    signed_on: date
    end_on: date | None = Field(default=None, index=True)
    # after-sales care (migration 0013): a service visit every N months from service_from, a warranty end
    service_months: int | None = None
    service_from: date | None = None
    warranty_until: date | None = None


class Payment(Synced, table=True):
    """An instalment of a contract."""

    # The agenda's (migration 0015): unpaid instalments by due day.
    __table_args__ = (Index("ix_payment_unpaid_due", "due_on", "contract_id", "deleted_at", "paid_on",
                            sqlite_where=text("deleted_at IS NULL AND paid_on IS NULL")),)

    contract_id: str = Field(foreign_key="contract.id", index=True)
    amount_cents: int
    due_on: date = Field(index=True)
    paid_on: date | None = None


class CustomerTag(Synced, table=True):
    """A tag on a customer (one row per customer and tag, so tags sync like any field)."""

    __tablename__ = "customer_tag"

    customer_id: str = Field(foreign_key="customer.id", index=True)
    tag: str


class Revisit(Synced, table=True):
    """A planned call or visit after a sale (回访): due on a day, with its purpose. Done when a follow-up
    completes it (`follow_up_id`); a revisit dropped from the plan is deleted."""

    __table_args__ = (Index("ix_revisit_open_due", "due_on",
                            sqlite_where=text("follow_up_id IS NULL AND deleted_at IS NULL")),)

    customer_id: str = Field(foreign_key="customer.id", index=True)
    deal_id: str | None = Field(default=None, foreign_key="deal.id")
    due_on: date
    purpose: str
    channel: str | None = None  # the channel planned (call, visit...)
    follow_up_id: str | None = None  # the follow-up that completed it
    done_at: datetime | None = None


class Ticket(Synced, table=True):
    """A service request (工单): a repair, maintenance, complaint or consultation, with deadlines to respond and
    to resolve set from its priority when it is opened."""

    __table_args__ = (Index("ix_ticket_open_resolve_by", "resolve_by",
                            sqlite_where=text("closed_at IS NULL AND deleted_at IS NULL")),
                      # The agenda's (migration 0015): open requests by their promised day.
                      Index("ix_ticket_open_due_on", "due_on",
                            sqlite_where=text("closed_at IS NULL AND deleted_at IS NULL")))

    customer_id: str = Field(foreign_key="customer.id", index=True)
    contract_id: str | None = Field(default=None, foreign_key="contract.id")
    number: str  # shown and typed by the rep: T-0001
    title: str
    kind: str  # repair | maintenance | complaint | consultation
    priority: str  # low | normal | high | urgent
    status: str  # open | in_progress | waiting | resolved | closed
    opened_at: datetime
    respond_by: datetime
    resolve_by: datetime
    due_on: date | None = None  # a day the rep promised, besides the deadlines of the priority
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    resolution: str | None = None
    satisfaction: int | None = None  # 1-5, asked when it is closed
    author: str | None = None  # team mode: the rep who opened it, set by the server


class TicketEvent(Synced, table=True):
    """One step of a ticket's history: a status change or a note. Append-only."""

    __tablename__ = "ticket_event"

    ticket_id: str = Field(foreign_key="ticket.id", index=True)
    at: datetime
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None
    author: str | None = None  # team mode: set by the server


class Mutation(SQLModel, table=True):
    """The outbox: every local change, in order, waiting to be pushed (docs/sync.md)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_seq", "state", "seq"),)

    seq: int | None = Field(default=None, primary_key=True)
    mutation_id: str = Field(default_factory=new_id)
    client_id: str
    kind: str  # insert | update | delete
    record_table: str
    record_id: str
    changes: str  # JSON object: field -> new value
    stamps: str  # JSON object: field -> hybrid logical clock stamp
    format_version: int = 1
    created_at: datetime
    state: str = "pending"  # pending | applied | superseded | rejected
    detail: str | None = None
    base: str | None = None  # JSON object: field -> the stamp this client last saw (conflict detection)


class SyncStamp(SQLModel, table=True):
    """The hybrid logical clock stamp of each field of a record, as last written here or pulled."""

    __tablename__ = "sync_stamp"

    record_table: str = Field(primary_key=True)
    record_id: str = Field(primary_key=True)
    stamps: str  # JSON object: field -> stamp


class SyncConflict(SQLModel, table=True):
    """A same-field conflict the server resolved (the later write kept), pulled so the rep can see it."""

    __tablename__ = "sync_conflict"

    id: int = Field(primary_key=True)
    record_table: str
    record_id: str
    customer_id: str | None = None
    field: str
    kept_value: str | None = None  # JSON
    kept_by: str | None = None
    lost_value: str | None = None  # JSON
    lost_by: str | None = None
    at: datetime


class SyncSetAside(SQLModel, table=True):
    """A row received from the server that this laptop could not store (it names a record the laptop does not
    have): kept with the reason, listed with the rejected changes, tried again when customers change hands."""

    __tablename__ = "sync_set_aside"

    record_table: str = Field(primary_key=True)
    record_id: str = Field(primary_key=True)
    row: str  # JSON: the server's row as received
    reason: str
    reference: str | None = None  # the reference it could not resolve, e.g. "deal_id 1a2b…"
    at: datetime  # first set aside


class Meta(SQLModel, table=True):
    """Key-value facts about this database: the client id, the HLC state."""

    key: str = Field(primary_key=True)
    value: str



class ChangeLog(SQLModel, table=True):
    """The history: one changed field of a record (or one record added or deleted), written by triggers
    (store/history.py); the transaction that wrote it names its action before it commits."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_customer", "customer_id", "seq"), Index("ix_change_log_action", "action_id"))

    seq: int | None = Field(default=None, primary_key=True)
    action_id: str | None = None
    at: datetime | None = None
    record_table: str
    record_id: str
    customer_id: str | None = None
    field: str | None = None  # NULL for a whole record added (insert) or deleted (delete)
    old_value: str | None = None  # JSON
    new_value: str | None = None  # JSON
    kind: str  # insert | update | delete
    actor: str | None = None
    source: str | None = None  # app | cli | import | sync | undo | demo
    undone_by: str | None = None  # the undo action that reverted it


class ChangeAction(SQLModel, table=True):
    """One user action of the history (a merge, an import): when, from where, by whom, in words, and for an undo
    the action it reverted."""

    __tablename__ = "change_action"
    __table_args__ = (Index("ix_change_action_at", "at"),)

    action_id: str = Field(primary_key=True)
    at: datetime | None = None
    source: str
    actor: str | None = None
    what: str | None = None  # JSON: the message id and its values, translated when shown
    undoes: str | None = None
    cut_by_erasure: bool = False  # an erasure took part of its history: undo passes over it
