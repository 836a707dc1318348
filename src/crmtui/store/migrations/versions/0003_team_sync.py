"""Team sync: when a customer was claimed from the pool, the stamps each record last had, conflicts seen.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATEMENTS = """
ALTER TABLE customer ADD COLUMN claimed_at DATETIME;
ALTER TABLE outbox ADD COLUMN base VARCHAR;
CREATE INDEX ix_outbox_state_seq ON outbox (state, seq);
CREATE TABLE sync_stamp (
    record_table VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    stamps VARCHAR NOT NULL,
    PRIMARY KEY (record_table, record_id)
);
CREATE TABLE sync_conflict (
    id INTEGER NOT NULL,
    record_table VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    customer_id VARCHAR,
    field VARCHAR NOT NULL,
    kept_value VARCHAR,
    kept_by VARCHAR,
    lost_value VARCHAR,
    lost_by VARCHAR,
    at DATETIME NOT NULL,
    PRIMARY KEY (id)
);
"""


def upgrade() -> None:
    for statement in STATEMENTS.split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    for statement in ("DROP TABLE sync_conflict", "DROP TABLE sync_stamp", "DROP INDEX ix_outbox_state_seq",
                      "ALTER TABLE outbox DROP COLUMN base", "ALTER TABLE customer DROP COLUMN claimed_at"):
        op.execute(statement)
