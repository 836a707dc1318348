"""The columns of imported history, as on the laptops (local revision 0009): deals' foreign id, their rep there
and the file they came from; follow-ups' imported mark and foreign id; customers' notes.

Revision ID: s0014
Revises: s0013

Plain data columns: the push function stores every column a mutation names, so nothing else changes. An imported
follow-up is an ordinary follow-up for the derived dates (the newest current one gives the last contact and the
next follow-up), which is what the laptop computes too.
"""

from alembic import op

revision = "s0014"
down_revision = "s0013"
branch_labels = None
depends_on = None

COLUMNS = (("deal", "external_id"), ("deal", "owner_name"), ("deal", "imported_from"),
           ("follow_up", "imported_from"), ("follow_up", "external_id"), ("customer", "notes"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE crm.{table} ADD COLUMN {column} text")


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE crm.{table} DROP COLUMN {column}")
