"""Full-text search (FTS5, trigram for Chinese) kept by triggers, and the indexes the agenda reads.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# What each searchable record contributes to its index row. `ref` holds the record id
# (not the rowid: VACUUM may renumber the rowids of a table with a text primary key).
CUSTOMER_BODY = (
    "coalesce({p}.name,'') || ' ' || coalesce({p}.company,'') || ' ' || coalesce({p}.phone,'') || ' ' ||"
    " coalesce({p}.phone_key,'') || ' ' || coalesce({p}.email,'') || ' ' || coalesce({p}.wechat,'') || ' ' ||"
    " coalesce({p}.pinyin,'')"
)
CONTACT_BODY = (
    "coalesce({p}.name,'') || ' ' || coalesce({p}.phone,'') || ' ' || coalesce({p}.phone_key,'') || ' ' ||"
    " coalesce({p}.email,'') || ' ' || coalesce({p}.wechat,'') || ' ' || coalesce({p}.pinyin,'')"
)
FOLLOW_UP_BODY = "coalesce({p}.notes,'') || ' ' || coalesce({p}.goal,'') || ' ' || coalesce({p}.next_plan,'')"

INDEXED = {
    "customer": ("name, company, phone, phone_key, email, wechat, pinyin", CUSTOMER_BODY),
    "contact": ("name, phone, phone_key, email, wechat, pinyin", CONTACT_BODY),
    "follow_up": ("notes, goal, next_plan", FOLLOW_UP_BODY),
}


def upgrade() -> None:
    for table, (columns, body) in INDEXED.items():
        fts = f"{table}_fts"
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(ref UNINDEXED, body, tokenize='trigram')")
        op.execute(f"INSERT INTO {fts}(ref, body) SELECT id, {body.format(p=table)} FROM {table}")
        op.execute(
            f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO {fts}(ref, body) VALUES (new.id, {body.format(p='new')}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {columns} ON {table} BEGIN"
            f" DELETE FROM {fts} WHERE ref = old.id;"
            f" INSERT INTO {fts}(ref, body) VALUES (new.id, {body.format(p='new')}); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN"
            f" DELETE FROM {fts} WHERE ref = old.id; END"
        )
    op.execute("CREATE INDEX ix_follow_up_customer_at ON follow_up (customer_id, at)")
    op.execute("CREATE INDEX ix_customer_status ON customer (status)")
    op.execute("CREATE INDEX ix_contract_end_on ON contract (end_on)")
    op.execute("CREATE INDEX ix_payment_due_on ON payment (due_on)")


def downgrade() -> None:
    for index in ("ix_payment_due_on", "ix_contract_end_on", "ix_customer_status", "ix_follow_up_customer_at"):
        op.execute(f"DROP INDEX {index}")
    for table in INDEXED:
        for suffix in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_fts_{suffix}")
        op.execute(f"DROP TABLE {table}_fts")
