"""Reserved for the columns of imported history (deals' foreign id and dates, imported marks, customer notes).

Revision ID: s0014
Revises: s0013
"""

revision = "s0014"
down_revision = "s0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
