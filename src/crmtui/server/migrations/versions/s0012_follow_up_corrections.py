"""A follow-up can be corrected: the correction is a new follow-up naming the one it supersedes.

Revision ID: s0012
Revises: s0011

Follow-ups stay append-only: `crm.follow_up.corrects_id` names the follow-up a correction supersedes, and the
corrected one is kept but no longer counts. The customer's derived dates (last contact, next follow-up) follow
its newest *current* follow-up: live, and not superseded by a live correction of the same customer. A correction
keeps the moment (`at`) of the follow-up it corrects, so when the newest current follow-up is a correction its
next date is taken even though the last contact does not change.

A correction is checked by a trigger, whatever path it comes by (a rep calling `sync.push` by hand): it must
correct a follow-up of the same customer, logged by the same rep (a manager may correct anyone's), made at most
24 hours (and the 5 minutes a laptop's clock may be off) after the first follow-up of its chain of corrections
was logged, judged by the correction's own stamp; otherwise the mutation is rejected with the reason.
"""

from alembic import op

from crmtui.server.migrations.versions.s0010_follow_up_in_time import _function

revision = "s0012"
down_revision = "s0011"
branch_labels = None
depends_on = None

CURRENT = ("f.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM crm.follow_up x WHERE x.corrects_id = f.id"
           " AND x.customer_id = f.customer_id AND x.deleted_at IS NULL)")
"""A follow-up `f` that counts: live, and no live correction of the same customer supersedes it."""

SQL = r"""
ALTER TABLE crm.follow_up ADD COLUMN corrects_id text;
CREATE INDEX follow_up_corrects ON crm.follow_up (corrects_id) WHERE corrects_id IS NOT NULL;

CREATE OR REPLACE FUNCTION sync.follow_up_dates(p_customer text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_at timestamptz;
    v_next timestamptz;
    v_correction boolean;
BEGIN
    SELECT f.at, f.next_at, f.corrects_id IS NOT NULL INTO v_at, v_next, v_correction FROM crm.follow_up f
     WHERE f.customer_id = p_customer AND {CURRENT} ORDER BY f.at DESC, f.created_at DESC, f.id DESC LIMIT 1;
    IF FOUND THEN
        UPDATE crm.customer c SET last_contact_at = v_at, next_follow_up_at = v_next
         WHERE c.id = p_customer AND (c.last_contact_at IS DISTINCT FROM v_at
               OR (v_correction AND c.next_follow_up_at IS DISTINCT FROM v_next));
    END IF;
END $$;

CREATE OR REPLACE FUNCTION sync.customer_keeps_dates() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_at timestamptz;
    v_next timestamptz;
BEGIN
    SELECT f.at, f.next_at INTO v_at, v_next FROM crm.follow_up f
     WHERE f.customer_id = NEW.id AND {CURRENT} ORDER BY f.at DESC, f.created_at DESC, f.id DESC LIMIT 1;
    IF NOT FOUND THEN
        NEW.last_contact_at := OLD.last_contact_at;
        NEW.next_follow_up_at := OLD.next_follow_up_at;
    ELSIF NEW.last_contact_at IS DISTINCT FROM v_at THEN
        NEW.last_contact_at := v_at;
        NEW.next_follow_up_at := v_next;
    END IF;
    RETURN NEW;
END $$;

-- A correction or its removal moves the dates as any follow-up does.
DROP TRIGGER follow_up_moves_dates ON crm.follow_up;
CREATE TRIGGER follow_up_moves_dates AFTER INSERT OR UPDATE OF at, next_at, deleted_at, customer_id, corrects_id
    ON crm.follow_up FOR EACH ROW EXECUTE FUNCTION sync.follow_up_moves_dates();

-- Runs after follow_up_author (triggers fire by name), so NEW.author is the pushing rep.
CREATE FUNCTION sync.guard_follow_up_correction() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_corrected crm.follow_up%ROWTYPE;
    v_first timestamptz;
    v_made timestamptz;
BEGIN
    SELECT * INTO v_corrected FROM crm.follow_up WHERE id = NEW.corrects_id;
    IF NOT FOUND OR v_corrected.customer_id <> NEW.customer_id OR NEW.corrects_id = NEW.id THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', DETAIL = NEW.corrects_id,
              MESSAGE = 'it corrects a follow-up its customer does not have';
    END IF;
    IF v_corrected.author IS DISTINCT FROM NEW.author AND NOT sync.is_manager() THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', DETAIL = coalesce(v_corrected.author, ''),
              MESSAGE = 'only the rep who logged a follow-up can correct it';
    END IF;
    WITH RECURSIVE chain(id, corrects_id, created_at, depth) AS (
        SELECT v_corrected.id, v_corrected.corrects_id, v_corrected.created_at, 0
        UNION ALL
        SELECT f.id, f.corrects_id, f.created_at, chain.depth + 1 FROM crm.follow_up f
          JOIN chain ON f.id = chain.corrects_id AND f.customer_id = NEW.customer_id
         WHERE chain.depth < 1000)
    SELECT min(created_at) INTO v_first FROM chain;
    v_made := to_timestamp(split_part(coalesce(NEW.stamps->>'corrects_id', NEW.stamps->>'at'), '-', 1)::float8 / 1000);
    IF v_made > v_first + interval '24 hours 5 minutes' THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', DETAIL = v_first::text,
              MESSAGE = 'a follow-up can be corrected only within 24 hours of logging it';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER follow_up_correction BEFORE INSERT OR UPDATE OF corrects_id ON crm.follow_up
    FOR EACH ROW WHEN (NEW.corrects_id IS NOT NULL) EXECUTE FUNCTION sync.guard_follow_up_correction();

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION sync.guard_follow_up_correction() OWNER TO %s',
                   (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure));
END $$;
REVOKE ALL ON FUNCTION sync.guard_follow_up_correction() FROM PUBLIC;
""".replace("{CURRENT}", CURRENT)



def _down() -> str:
    """Back to s0011: the dates as s0009 derived them, without corrections."""
    return (r"""
DROP TRIGGER follow_up_correction ON crm.follow_up;
DROP FUNCTION sync.guard_follow_up_correction();
DROP TRIGGER follow_up_moves_dates ON crm.follow_up;
CREATE TRIGGER follow_up_moves_dates AFTER INSERT OR UPDATE OF at, next_at, deleted_at, customer_id
    ON crm.follow_up FOR EACH ROW EXECUTE FUNCTION sync.follow_up_moves_dates();
""" + _function("s0009_server_derived_fields", "follow_up_dates", "SQL")
            + _function("s0009_server_derived_fields", "customer_keeps_dates", "SQL")
            + "ALTER TABLE crm.follow_up DROP COLUMN corrects_id;\n")


def upgrade() -> None:
    op.execute(SQL)


def downgrade() -> None:
    op.execute(_down())
