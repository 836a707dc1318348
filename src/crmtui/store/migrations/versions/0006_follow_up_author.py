"""Team sync: a follow-up's author, the rep who logged it, as the team server recorded it.

Revision ID: 0006
Revises: 0005

The server sets the column; the laptop only receives it. The next pull after this migration is a full one
(the cursor is forgotten), so follow-ups this laptop already holds get their author too.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE follow_up ADD COLUMN author VARCHAR")
    op.execute("DELETE FROM meta WHERE key = 'sync_cursor'")


def downgrade() -> None:
    op.execute("ALTER TABLE follow_up DROP COLUMN author")
