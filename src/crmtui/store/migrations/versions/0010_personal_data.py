"""Consent and do-not-contact on customers and contacts; a person's erasure is marked on the record.

Revision ID: 0010
Revises: 0009

Each column sits on both `customer` (used on a person customer) and `contact`, and syncs like any other:
where the consent came from (`consent_source`, free text such as "business card") and the day it was given
(`consent_on`); whether the person asked not to be contacted (`do_not_contact`, with the day, `do_not_contact_on`,
and an optional reason); and when their personal fields were erased (`erased_at`), which every laptop of a team
reads as "scrub what you still hold of them" when the record arrives.

`change_action.cut_by_erasure` marks an action whose history an erasure cut into (a row of the erased person's
records deleted, or their name cut out of another record's value): undo passes over it, since what is left of it
would revert only half of what the rep did.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = (
    ("consent_source", "VARCHAR"),
    ("consent_on", "DATE"),
    ("do_not_contact", "BOOLEAN NOT NULL DEFAULT 0"),
    ("do_not_contact_on", "DATE"),
    ("do_not_contact_reason", "VARCHAR"),
    ("erased_at", "DATETIME"),
)


def upgrade() -> None:
    for table in ("customer", "contact"):
        for name, kind in COLUMNS:
            op.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
    op.execute("ALTER TABLE change_action ADD COLUMN cut_by_erasure BOOLEAN NOT NULL DEFAULT 0")


def downgrade() -> None:
    op.execute("ALTER TABLE change_action DROP COLUMN cut_by_erasure")
    for table in ("customer", "contact"):
        for name, _kind in reversed(COLUMNS):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
