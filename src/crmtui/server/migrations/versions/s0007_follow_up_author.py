"""Follow-ups carry their author, set by the server from the pushing rep's login.

Revision ID: s0007
Revises: s0006
"""

revision = "s0007"
down_revision = "s0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
