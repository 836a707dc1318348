"""A customer's derived fields (next follow-up, last contact) follow the follow-ups the server kept, whatever the order of arrival.

Revision ID: s0009
Revises: s0008
"""

revision = "s0009"
down_revision = "s0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
