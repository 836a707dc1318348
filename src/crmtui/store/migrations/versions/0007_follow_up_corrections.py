"""A follow-up can be corrected: the correction is a new follow-up naming the one it supersedes.

Revision ID: 0007
Revises: 0006

Follow-ups stay append-only: a correction never changes the follow-up it corrects, it names it in
`corrects_id`, and the corrected one is no longer shown nor counted for the customer's dates. There is no
foreign key on the column: a pull may bring a correction before the follow-up it corrects, and one naming a
follow-up of another customer corrects nothing (every query matches the customer too).
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE follow_up ADD COLUMN corrects_id VARCHAR")
    op.execute("CREATE INDEX ix_follow_up_corrects_id ON follow_up (corrects_id)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_follow_up_corrects_id")
    op.execute("ALTER TABLE follow_up DROP COLUMN corrects_id")
