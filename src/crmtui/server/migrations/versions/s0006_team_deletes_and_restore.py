"""Removing a team customer is a manager's action that can be undone; a manager's reassignment does not lock the rep out of the pool.

Revision ID: s0006
Revises: s0005
"""

revision = "s0006"
down_revision = "s0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
