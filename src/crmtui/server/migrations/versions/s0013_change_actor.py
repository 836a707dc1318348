"""Reserved for a manager's access change (delete, reassignment, pool) names the manager who made it.

Revision ID: s0013
Revises: s0012
"""

revision = "s0013"
down_revision = "s0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
