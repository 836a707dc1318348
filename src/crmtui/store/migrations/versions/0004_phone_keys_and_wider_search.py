"""Phone keys in E.164 form, recomputed; customers not known to be persons get both pinyin readings; search also covers regions, contact titles, deal titles and
competitors, contract numbers and tags (new trigram indexes, back-filled, kept by triggers).

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from sqlalchemy import text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# What each searchable record contributes to its index row; `ref` holds the record id (see 0002).
CUSTOMER_BODY = (
    "coalesce({p}.name,'') || ' ' || coalesce({p}.company,'') || ' ' || coalesce({p}.phone,'') || ' ' ||"
    " coalesce({p}.phone_key,'') || ' ' || coalesce({p}.email,'') || ' ' || coalesce({p}.wechat,'') || ' ' ||"
    " coalesce({p}.pinyin,'') || ' ' || coalesce({p}.region,'')"
)
CONTACT_BODY = (
    "coalesce({p}.name,'') || ' ' || coalesce({p}.phone,'') || ' ' || coalesce({p}.phone_key,'') || ' ' ||"
    " coalesce({p}.email,'') || ' ' || coalesce({p}.wechat,'') || ' ' || coalesce({p}.pinyin,'') || ' ' ||"
    " coalesce({p}.title,'')"
)
DEAL_BODY = "coalesce({p}.title,'') || ' ' || coalesce({p}.competitor,'')"
CONTRACT_BODY = "coalesce({p}.number,'')"
TAG_BODY = "coalesce({p}.tag,'')"

REBUILT = {
    "customer": ("name, company, phone, phone_key, email, wechat, pinyin, region", CUSTOMER_BODY),
    "contact": ("name, phone, phone_key, email, wechat, pinyin, title", CONTACT_BODY),
}
ADDED = {
    "deal": ("title, competitor", DEAL_BODY),
    "contract": ("number", CONTRACT_BODY),
    "customer_tag": ("tag", TAG_BODY),
}


def _drop_index(table: str) -> None:
    for suffix in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
    op.execute(f"DROP TABLE IF EXISTS {table}_fts")


def _create_index(table: str, columns: str, body: str) -> None:
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


def recompute_phone_keys(connection) -> int:  # type: ignore[no-untyped-def]
    """Sets phone_key of every customer and contact from its phone as typed; returns how many changed."""
    from crmtui.core.normalize import phone_key

    changed = 0
    for table in ("customer", "contact"):
        rows = connection.execute(text(f"SELECT id, phone, phone_key FROM {table} WHERE phone IS NOT NULL")).all()
        updates = [{"id": rid, "key": phone_key(phone)} for rid, phone, old in rows if phone_key(phone) != old]
        if updates:
            connection.execute(text(f"UPDATE {table} SET phone_key = :key WHERE id = :id"), updates)
        changed += len(updates)
    return changed


def recompute_customer_pinyin(connection) -> int:  # type: ignore[no-untyped-def]
    """Gives customers not known to be persons both pinyin readings (曾小明: zxm as well as cxm)."""
    from crmtui.core.normalize import has_cjk
    from crmtui.core.pinyin import record_keys

    rows = connection.execute(text("SELECT id, name, pinyin FROM customer WHERE kind <> 'person'")).all()
    updates = [{"id": rid, "keys": record_keys(name, False)} for rid, name, old in rows
               if has_cjk(name) and record_keys(name, False) != old]
    if updates:
        connection.execute(text("UPDATE customer SET pinyin = :keys WHERE id = :id"), updates)
    return len(updates)


def upgrade() -> None:
    for table in REBUILT:
        _drop_index(table)
    # The index is rebuilt below from the new keys: no trigger needs to see these updates.
    recompute_phone_keys(op.get_bind())
    recompute_customer_pinyin(op.get_bind())
    for table, (columns, body) in {**REBUILT, **ADDED}.items():
        _create_index(table, columns, body)


def downgrade() -> None:
    for table in (*REBUILT, *ADDED):
        _drop_index(table)
    # The 0002 indexes, without the columns added here.
    _create_index("customer", "name, company, phone, phone_key, email, wechat, pinyin",
                  CUSTOMER_BODY.removesuffix(" || ' ' || coalesce({p}.region,'')"))
    _create_index("contact", "name, phone, phone_key, email, wechat, pinyin",
                  CONTACT_BODY.removesuffix(" || ' ' || coalesce({p}.title,'')"))
