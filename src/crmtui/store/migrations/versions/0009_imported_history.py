"""Deals and follow-ups brought from another system keep their history; customers carry notes.

Revision ID: 0009
Revises: 0008

- `deal.external_id`: the deal's id in the system it came from, so a second import of the same export
  recognises it (indexed, as the follow-ups' one: every row of an import looks it up); `deal.owner_name`: the rep who owned it there,
  a name (not a login of the team); `deal.imported_from`: the file it came from. An imported deal's stage
  changes carry the real dates (opened, closed), so the funnel and win rates computed from them are right.
- `follow_up.imported_from` and `follow_up.external_id`: an imported follow-up is history; it may lack the goal
  and the next step a follow-up logged today must have.
- `customer.notes`: free text about the customer (a sheet's 备注 column), instead of a follow-up that would count
  as a contact. Search finds a customer by its notes too: the customer's search index is made again with them
  (revision 0004 made it; its helpers are reused).

Every column is nullable with no default: existing rows need nothing.
"""

from importlib import import_module

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEARCHED = "name, company, phone, phone_key, email, wechat, pinyin, region"
"""The customer columns revision 0004 indexes for search."""


def _search_0004():  # type: ignore[no-untyped-def]
    """Revision 0004's module: how it made the customer's search index (a module name starting with a digit)."""
    return import_module("crmtui.store.migrations.versions.0004_phone_keys_and_wider_search")


COLUMNS = (("deal", "external_id"), ("deal", "owner_name"), ("deal", "imported_from"),
           ("follow_up", "imported_from"), ("follow_up", "external_id"), ("customer", "notes"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR")
    op.execute("CREATE INDEX ix_deal_external_id ON deal (external_id)")
    op.execute("CREATE INDEX ix_follow_up_external_id ON follow_up (external_id)")
    search = _search_0004()
    search._drop_index("customer")
    search._create_index("customer", f"{SEARCHED}, notes", search.CUSTOMER_BODY + " || ' ' || coalesce({p}.notes,'')")


def downgrade() -> None:
    search = _search_0004()
    search._drop_index("customer")
    search._create_index("customer", SEARCHED, search.CUSTOMER_BODY)
    op.execute("DROP INDEX ix_follow_up_external_id")
    op.execute("DROP INDEX ix_deal_external_id")
    for table, column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
