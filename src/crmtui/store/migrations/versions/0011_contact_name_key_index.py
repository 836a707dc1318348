"""An index on a contact's normalised name.

Revision ID: 0011
Revises: 0010

A new customer is a duplicate when its name is that of a live contact (the rule of `crm add`). Without an index the
check reads every contact: an import, which makes it for each row of a file against the book and the records it
has already written, would take time growing with the square of the file.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_contact_name_key ON contact (name_key)")
