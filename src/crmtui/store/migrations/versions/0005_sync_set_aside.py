"""Team sync: rows received from the server that this laptop could not store, kept aside with the reason.

Revision ID: 0005
Revises: 0004

A row whose reference this laptop does not have (a follow-up naming a deal of another customer) must not
stop every later pull: it waits here, is listed with the rejected changes and is tried again when customers
change hands.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE TABLE sync_set_aside (
    record_table VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    row VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    reference VARCHAR,
    at DATETIME NOT NULL,
    PRIMARY KEY (record_table, record_id)
)""")


def downgrade() -> None:
    op.execute("DROP TABLE sync_set_aside")
