"""A release to the pool carries the rep's reason, kept on the server and shown in the pool.

Revision ID: s0008
Revises: s0007
"""

revision = "s0008"
down_revision = "s0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
