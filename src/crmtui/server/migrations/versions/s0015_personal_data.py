"""Consent and do-not-contact on customers and contacts; a person's erasure, received from a laptop, erases the
server's copies.

Revision ID: s0015
Revises: s0014

The columns mirror the laptops' (store migration 0010) and sync like any other. A laptop erases a person by
pushing ordinary updates: the personal fields emptied, the name a tombstone ("erased person 3f2a"), and
`erased_at` set. From then on the server keeps the record erased, whatever comes later (a laptop that was offline
pushing an older edit, or a newer one): a trigger empties the personal fields of every write to an erased record
and writes its tombstone name, and `erased_at` cannot be cleared. When the erasure arrives, the conflicts the
server kept of the record are deleted, and in any other conflict whose kept or lost value names them (a
company called after them) the name, phone or email is cut out in place, and no conflict of an erased record is recorded again. Laptops that pull the erased record scrub their own copies (crmtui.store.personal_data).

What the server does not rewrite: PostgreSQL keeps a changed row's old version until VACUUM reclaims it
(autovacuum does, or the admin with `VACUUM`), and its own backups and logs are the admin's (docs/personal-data.md).
"""

from alembic import op

revision = "s0015"
down_revision = "s0014"
branch_labels = None
depends_on = None

COLUMNS = """
    ADD COLUMN consent_source text, ADD COLUMN consent_on date,
    ADD COLUMN do_not_contact boolean NOT NULL DEFAULT false, ADD COLUMN do_not_contact_on date,
    ADD COLUMN do_not_contact_reason text, ADD COLUMN erased_at timestamptz
"""

PERSONAL = {
    "customer": ("company", "phone", "phone_key", "email", "email_key", "wechat", "notes", "region"),
    "contact": ("title", "phone", "phone_key", "email", "email_key", "wechat", "birthday"),
}
"""The fields an erased record never holds again (its name, name key and pinyin keep the tombstone)."""


def _keep_erased(table: str) -> str:
    emptied = "\n".join(f"        NEW.{name} := NULL;" for name in PERSONAL[table])
    return rf"""
CREATE FUNCTION sync.keep_{table}_erased() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF OLD.erased_at IS NOT NULL THEN
        NEW.erased_at := OLD.erased_at;
    END IF;
    IF NEW.erased_at IS NOT NULL THEN
        -- the tombstone the laptops write (store/personal_data.py, erased_label), even where a newer edit of the
        -- name kept its place in the update
        NEW.name := 'erased person ' || left(replace(NEW.id, '-', ''), 4);
        NEW.name_key := 'erasedperson' || lower(left(replace(NEW.id, '-', ''), 4));
        NEW.pinyin := '';
{emptied}
        NEW.do_not_contact := true;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER {table}_keeps_erased BEFORE UPDATE ON crm.{table}
    FOR EACH ROW EXECUTE FUNCTION sync.keep_{table}_erased();

CREATE FUNCTION sync.{table}_erased() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_term text;
BEGIN
    DELETE FROM sync.conflict WHERE record_table = '{table}' AND record_id = NEW.id;
    FOREACH v_term IN ARRAY ARRAY[OLD.name, OLD.phone, OLD.email, OLD.wechat] LOOP
        IF v_term IS NOT NULL AND length(v_term) >= 2 THEN
            -- another record's conflict stays: only their name, phone or email is cut out of its values
            UPDATE sync.conflict
               SET kept_value = sync.cut_term(kept_value, v_term), lost_value = sync.cut_term(lost_value, v_term)
             WHERE strpos(coalesce(kept_value::text, ''), v_term) > 0 OR strpos(coalesce(lost_value::text, ''), v_term) > 0;
        END IF;
    END LOOP;
    RETURN NEW;
END $$;
CREATE TRIGGER {table}_erased AFTER UPDATE OF erased_at ON crm.{table}
    FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL)
    EXECUTE FUNCTION sync.{table}_erased();
"""


CUT_TERM = r"""
-- A conflict's value with an erased person's term cut out: a text keeps its other words (the term becomes an
-- ellipsis, as on the laptops: store/personal_data.py, cut_terms); any other value naming them becomes null.
CREATE FUNCTION sync.cut_term(p_value jsonb, p_term text) RETURNS jsonb LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE
        WHEN p_value IS NULL OR strpos(p_value::text, p_term) = 0 THEN p_value
        WHEN jsonb_typeof(p_value) = 'string' THEN to_jsonb(replace(p_value #>> '{}', p_term, '…'))
        ELSE 'null'::jsonb
    END
$$;
"""

NO_CONFLICTS = r"""
-- A write to an erased record loses its personal fields (keep_*_erased): the conflict the push would record
-- would keep exactly the value the erasure took away.
CREATE FUNCTION sync.no_conflict_of_erased() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NEW.record_table = 'customer' AND EXISTS (SELECT 1 FROM crm.customer WHERE id = NEW.record_id
                                                 AND erased_at IS NOT NULL)
       OR NEW.record_table = 'contact' AND EXISTS (SELECT 1 FROM crm.contact WHERE id = NEW.record_id
                                                   AND erased_at IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER conflict_of_erased BEFORE INSERT ON sync.conflict
    FOR EACH ROW EXECUTE FUNCTION sync.no_conflict_of_erased();
"""

OWNERSHIP = r"""
DO $$
DECLARE
    v_owner regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_name text;
BEGIN
    FOREACH v_name IN ARRAY ARRAY['keep_customer_erased', 'keep_contact_erased', 'customer_erased',
                                  'contact_erased', 'no_conflict_of_erased'] LOOP
        EXECUTE format('ALTER FUNCTION sync.%I() OWNER TO %s', v_name, v_owner);
        EXECUTE format('REVOKE ALL ON FUNCTION sync.%I() FROM PUBLIC', v_name);
    END LOOP;
    EXECUTE format('ALTER FUNCTION sync.cut_term(jsonb, text) OWNER TO %s', v_owner);
    REVOKE ALL ON FUNCTION sync.cut_term(jsonb, text) FROM PUBLIC;
END $$;
"""


def upgrade() -> None:
    op.execute(CUT_TERM)
    for table in ("customer", "contact"):
        op.execute(f"ALTER TABLE crm.{table} {COLUMNS}")
        op.execute(_keep_erased(table))
    op.execute(NO_CONFLICTS)
    op.execute(OWNERSHIP)


def downgrade() -> None:
    op.execute("DROP TRIGGER conflict_of_erased ON sync.conflict")
    op.execute("DROP FUNCTION sync.no_conflict_of_erased()")
    for table in ("customer", "contact"):
        op.execute(f"DROP TRIGGER {table}_erased ON crm.{table}")
        op.execute(f"DROP FUNCTION sync.{table}_erased()")
        op.execute(f"DROP TRIGGER {table}_keeps_erased ON crm.{table}")
        op.execute(f"DROP FUNCTION sync.keep_{table}_erased()")
        op.execute(f"ALTER TABLE crm.{table} DROP COLUMN consent_source, DROP COLUMN consent_on,"
                   " DROP COLUMN do_not_contact, DROP COLUMN do_not_contact_on, DROP COLUMN do_not_contact_reason,"
                   " DROP COLUMN erased_at")
    op.execute("DROP FUNCTION sync.cut_term(jsonb, text)")
