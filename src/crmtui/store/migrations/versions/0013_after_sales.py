"""After the sale (回访): revisit plans, service requests (工单), satisfaction scores and service cycles.

Revision ID: 0013
Revises: 0012

- `revisit`: a planned call or visit after a deal is won, due on a day with its purpose; done when a follow-up
  completes it (`follow_up_id`, `done_at`). `ix_revisit_open_due` holds only the open ones, by day: the agenda
  reads them.
- `ticket`: a service request of a customer (optionally under a contract), with its kind, priority and status,
  the deadlines to respond and to resolve (set from the priority when it is opened, so a later change of the
  configured hours does not move them), the moments it was answered, resolved and closed, the resolution and the
  customer's satisfaction. `ix_ticket_open_resolve_by` holds the tickets not closed, by deadline.
- `ticket_event`: a ticket's history, append-only: each status change and note.
- `follow_up.satisfaction` (1-5) and `follow_up.nps` (0-10): what the customer said on a revisit.
- `customer` and `contract` get `service_months` and `service_from` (a service visit every N months from that
  day) and `warranty_until`.

Every added column is nullable with no default: existing rows need nothing.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = (("follow_up", "satisfaction", "INTEGER"), ("follow_up", "nps", "INTEGER"),
           ("customer", "service_months", "INTEGER"), ("customer", "service_from", "DATE"),
           ("customer", "warranty_until", "DATE"),
           ("contract", "service_months", "INTEGER"), ("contract", "service_from", "DATE"),
           ("contract", "warranty_until", "DATE"))

TABLES = (
    """CREATE TABLE revisit (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    customer_id VARCHAR NOT NULL,
    deal_id VARCHAR,
    due_on DATE NOT NULL,
    purpose VARCHAR NOT NULL,
    channel VARCHAR,
    follow_up_id VARCHAR,
    done_at DATETIME,
    PRIMARY KEY (id),
    FOREIGN KEY(customer_id) REFERENCES customer (id),
    FOREIGN KEY(deal_id) REFERENCES deal (id)
)""",
    "CREATE INDEX ix_revisit_customer_id ON revisit (customer_id)",
    "CREATE INDEX ix_revisit_open_due ON revisit (due_on) WHERE follow_up_id IS NULL AND deleted_at IS NULL",
    """CREATE TABLE ticket (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    customer_id VARCHAR NOT NULL,
    contract_id VARCHAR,
    number VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    priority VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    opened_at DATETIME NOT NULL,
    respond_by DATETIME NOT NULL,
    resolve_by DATETIME NOT NULL,
    due_on DATE,
    responded_at DATETIME,
    resolved_at DATETIME,
    closed_at DATETIME,
    resolution VARCHAR,
    satisfaction INTEGER,
    author VARCHAR,
    PRIMARY KEY (id),
    FOREIGN KEY(customer_id) REFERENCES customer (id),
    FOREIGN KEY(contract_id) REFERENCES contract (id)
)""",
    "CREATE INDEX ix_ticket_customer_id ON ticket (customer_id)",
    "CREATE INDEX ix_ticket_open_resolve_by ON ticket (resolve_by) WHERE closed_at IS NULL AND deleted_at IS NULL",
    """CREATE TABLE ticket_event (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    ticket_id VARCHAR NOT NULL,
    at DATETIME NOT NULL,
    from_status VARCHAR,
    to_status VARCHAR,
    note VARCHAR,
    author VARCHAR,
    PRIMARY KEY (id),
    FOREIGN KEY(ticket_id) REFERENCES ticket (id)
)""",
    "CREATE INDEX ix_ticket_event_ticket_id ON ticket_event (ticket_id)",
)


def upgrade() -> None:
    for table, column, kind in COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    for statement in TABLES:
        op.execute(statement)


def downgrade() -> None:
    for table in ("ticket_event", "ticket", "revisit"):
        op.execute(f"DROP TABLE {table}")
    for table, column, _kind in reversed(COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
