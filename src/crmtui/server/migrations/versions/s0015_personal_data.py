"""Reserved for consent and do-not-contact columns; a person's erasure pushed to the team.

Revision ID: s0015
Revises: s0014
"""

revision = "s0015"
down_revision = "s0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
