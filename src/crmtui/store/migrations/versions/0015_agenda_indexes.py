"""Indexes the agenda reads: each section's rows and its total from the entries that answer it, not the whole book.

Revision ID: 0015
Revises: 0014

Each agenda section lists its most urgent rows and counts all of them. Read through the plain indexes (the next
follow-up date, a deal's stage, a payment's due day), every candidate is a second read of its row in the table
to learn whether the customer is open, whose it is and whether they may be contacted; on a book of 100k customers
the overdue count alone read 45k rows. These indexes hold only the rows a section can list (open customers: not
deleted, a lead, prospect or customer, not asking to be left alone) and carry the columns its conditions use, so
SQLite counts and sorts from the index alone and reads the table for the rows kept:

- ix_customer_open_next: open customers by next follow-up, with the owner and id (overdue, due today, the week
  ahead, a manager's escalations).
- ix_customer_open_new: open customers never contacted, by when they were added (new leads).
- ix_customer_open_touch: open prospects and customers by tier and last contact (due for a touch: one range a
  tier), with the name the section sorts by.
- ix_customer_open_id: open customers by id, with the last contact and owner (a stalled deal's customer).
- ix_deal_open_stage: live deals by stage, with the customer, the day the stage began and the amount.
- ix_contact_birthday: live contacts with a birthday, by its month and day.
- ix_payment_unpaid_due: unpaid instalments by due day (paid ones, most of them, are not in it).
- ix_customer_service, ix_customer_warranty, ix_contract_service, ix_contract_warranty: the few customers and
  contracts with a service cycle or a warranty.
- ix_ticket_open_due_on: open service requests by their promised day.

A new or changed customer updates the customer indexes it belongs to; the rest change with their own rows.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OPEN_COLUMNS = "deleted_at, status, do_not_contact"
"""The columns of OPEN, carried so SQLite reads the index alone (it does not take a partial index's condition as
known)."""
OPEN = "deleted_at IS NULL AND status IN ('lead', 'prospect', 'customer') AND NOT do_not_contact"

INDEXES = {
    "ix_customer_open_next": f"customer (next_follow_up_at, owner, id, {OPEN_COLUMNS}) WHERE {OPEN}",
    "ix_customer_open_new": (f"customer (created_at, next_follow_up_at, owner, id, last_contact_at, {OPEN_COLUMNS})"
                             f" WHERE last_contact_at IS NULL AND {OPEN}"),
    "ix_customer_open_touch": (f"customer (tier, last_contact_at, next_follow_up_at, owner, id, name, {OPEN_COLUMNS})"
                               " WHERE deleted_at IS NULL AND status IN ('prospect', 'customer') AND NOT do_not_contact"),
    "ix_customer_open_id": f"customer (id, last_contact_at, owner, {OPEN_COLUMNS}) WHERE {OPEN}",
    "ix_deal_open_stage": ("deal (stage, customer_id, stage_entered_at, amount_cents, id, deleted_at)"
                           " WHERE deleted_at IS NULL"),
    "ix_contact_birthday": ("contact (strftime('%m-%d', birthday), customer_id, deleted_at, birthday)"
                            " WHERE deleted_at IS NULL AND birthday IS NOT NULL"),
    "ix_payment_unpaid_due": "payment (due_on, contract_id, deleted_at, paid_on) WHERE deleted_at IS NULL AND paid_on IS NULL",
    "ix_customer_service": "customer (service_months) WHERE service_months IS NOT NULL",
    "ix_customer_warranty": "customer (warranty_until) WHERE warranty_until IS NOT NULL",
    "ix_contract_service": "contract (service_months) WHERE service_months IS NOT NULL",
    "ix_contract_warranty": "contract (warranty_until) WHERE warranty_until IS NOT NULL",
    "ix_ticket_open_due_on": "ticket (due_on) WHERE closed_at IS NULL AND deleted_at IS NULL",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {definition}")


def downgrade() -> None:
    for name in reversed(list(INDEXES)):
        op.execute(f"DROP INDEX {name}")
