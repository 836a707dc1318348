"""A customer's derived fields (next follow-up, last contact) follow the follow-ups the server kept, whatever the order of arrival.

Revision ID: s0009
Revises: s0008

A laptop logging a follow-up also pushes its customer's last contact and next follow-up. When that customer
left the rep meanwhile, the follow-up is kept (history) but the customer's update is rejected, so the server
kept the old dates; and a laptop that had not seen a newer follow-up could push older dates over newer ones.
Now the server derives them itself, with triggers (no write function is replaced):

- a follow-up kept, changed, moved or deleted: the customer's last contact is its newest live follow-up's
  `at`, and its next follow-up that follow-up's `next_at` (when the last contact was not that already);
- a customer update that changes the last contact takes the dates of the newest live follow-up instead
  (a laptop that had not seen that follow-up cannot take them back), and with no live follow-up on the
  server keeps the dates it had: a last contact comes only from a follow-up the server kept (one that was
  rejected, or never sent, moves nothing). A next follow-up set on its own (a stage moved forward, a lead
  converted) leaves the last contact alone and is kept.

`sync.taken_by(customers)` tells a rep who a manager gave their customers to (the pull names them).

The lead score is left to the laptops: it does not depend on follow-ups, and its weights are each laptop's
settings. Existing customers are put right once, on upgrade.
"""

from alembic import op

revision = "s0009"
down_revision = "s0008"
branch_labels = None
depends_on = None

SQL = r"""
-- The newest live follow-up of a customer decides its last contact and next follow-up.
CREATE FUNCTION sync.follow_up_dates(p_customer text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_at timestamptz;
    v_next timestamptz;
BEGIN
    SELECT f.at, f.next_at INTO v_at, v_next FROM crm.follow_up f
     WHERE f.customer_id = p_customer AND f.deleted_at IS NULL ORDER BY f.at DESC, f.id DESC LIMIT 1;
    IF FOUND THEN
        UPDATE crm.customer c SET last_contact_at = v_at, next_follow_up_at = v_next
         WHERE c.id = p_customer AND c.last_contact_at IS DISTINCT FROM v_at;
    END IF;
END $$;

CREATE FUNCTION sync.follow_up_moves_dates() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM sync.follow_up_dates(NEW.customer_id);
    IF TG_OP = 'UPDATE' AND OLD.customer_id IS DISTINCT FROM NEW.customer_id THEN
        PERFORM sync.follow_up_dates(OLD.customer_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER follow_up_moves_dates AFTER INSERT OR UPDATE OF at, next_at, deleted_at, customer_id
    ON crm.follow_up FOR EACH ROW EXECUTE FUNCTION sync.follow_up_moves_dates();

-- A customer row from a laptop that had not seen the newest follow-up does not take the dates back.
CREATE FUNCTION sync.customer_keeps_dates() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_at timestamptz;
    v_next timestamptz;
BEGIN
    SELECT f.at, f.next_at INTO v_at, v_next FROM crm.follow_up f
     WHERE f.customer_id = NEW.id AND f.deleted_at IS NULL ORDER BY f.at DESC, f.id DESC LIMIT 1;
    IF NOT FOUND THEN
        -- No follow-up kept on the server backs a new last contact (the one it came with was rejected,
        -- or never sent): the dates stay as they were.
        NEW.last_contact_at := OLD.last_contact_at;
        NEW.next_follow_up_at := OLD.next_follow_up_at;
    ELSIF NEW.last_contact_at IS DISTINCT FROM v_at THEN
        NEW.last_contact_at := v_at;
        NEW.next_follow_up_at := v_next;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER customer_keeps_dates BEFORE UPDATE OF last_contact_at, next_follow_up_at ON crm.customer
    FOR EACH ROW WHEN (NEW.last_contact_at IS DISTINCT FROM OLD.last_contact_at)
    EXECUTE FUNCTION sync.customer_keeps_dates();

-- Who a manager gave the caller's customers to: a rep who lost a customer by a reassignment is told who
-- holds it now (to ask them); nothing about customers the caller never held or lost otherwise.
CREATE FUNCTION sync.taken_by(p_customers text[]) RETURNS TABLE (customer_id text, owner text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT c.id, c.owner FROM crm.customer c
     WHERE c.id = ANY(p_customers) AND c.owner IS NOT NULL
       AND coalesce((SELECT a.change = 'lost' AND a.reason = 'reassign' FROM crm.access_change a
                      WHERE a.customer_id = c.id AND a.rep = session_user ORDER BY a.id DESC LIMIT 1), false)
$$;

DO $$
DECLARE
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_grantee text;
    v_fn text;
BEGIN
    FOREACH v_fn IN ARRAY ARRAY['sync.follow_up_dates(text)', 'sync.follow_up_moves_dates()',
                                'sync.customer_keeps_dates()', 'sync.taken_by(text[])'] LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %s', v_fn, v_api);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_fn);
    END LOOP;
    FOR v_grantee IN
        SELECT DISTINCT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'sync.push(text, jsonb)'::regprocedure AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> p.proowner AND a.grantee <> 0
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.taken_by(text[]) TO %s', v_grantee);
    END LOOP;
END $$;

-- Customers whose dates were left behind before this revision.
SELECT sync.follow_up_dates(c.id) FROM crm.customer c
 WHERE c.last_contact_at IS NULL OR c.last_contact_at < (
       SELECT max(f.at) FROM crm.follow_up f WHERE f.customer_id = c.id AND f.deleted_at IS NULL);
"""

DOWN = r"""
DROP TRIGGER customer_keeps_dates ON crm.customer;
DROP TRIGGER follow_up_moves_dates ON crm.follow_up;
DROP FUNCTION sync.customer_keeps_dates(), sync.follow_up_moves_dates(), sync.follow_up_dates(text),
    sync.taken_by(text[]);
"""


def upgrade() -> None:
    op.execute(SQL)


def downgrade() -> None:
    op.execute(DOWN)
