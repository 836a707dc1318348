"""Phone keys in E.164 form on the server too, as laptops now write them ('+8613800138000').

Revision ID: s0002
Revises: s0001

The team-wide duplicate check (sync.find_duplicate) compares the key a laptop sends with the stored one:
rows pushed before laptops wrote E.164 keys had digits only and would never match again. The keys are
computed here, on the admin's machine, by the same function the laptops use, from the number as typed.
"""

from alembic import op
from sqlalchemy import text

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from crmtui.core.normalize import phone_key

    connection = op.get_bind()
    for table in ("customer", "contact"):
        rows = connection.execute(text(f"SELECT id, phone, phone_key FROM crm.{table} WHERE phone IS NOT NULL")).all()
        updates = [{"id": rid, "key": phone_key(phone)} for rid, phone, old in rows if phone_key(phone) != old]
        if updates:
            # The row's txid moves on (trigger): laptops pull it again, and they key pulled numbers themselves.
            connection.execute(text(f"UPDATE crm.{table} SET phone_key = :key WHERE id = :id"), updates)


def downgrade() -> None:
    pass  # the E.164 keys stay: older laptops compare digits and simply find fewer duplicates
