"""Reserved for deals and follow-ups brought from another system keep their history (foreign id, dates, owner, imported marks); customers carry notes.

Revision ID: 0009
Revises: 0008
"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
