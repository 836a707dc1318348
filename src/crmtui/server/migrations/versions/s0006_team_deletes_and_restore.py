"""Removing a team customer is a manager's action that can be undone; a manager's reassignment does not lock the rep out of the pool.

Revision ID: s0006
Revises: s0005

- Deletes. A customer's tombstone (its `deleted_at` set) from anyone but a manager or the admin is refused,
  whatever path it takes (a trigger on crm.customer, so a rep with psql calling sync.push by hand meets it
  too): a rep releases a customer to the pool instead. A merge is the exception: the merged customer's
  records move to the kept one (another live customer), so nothing is lost. Deleting a contact, a deal or
  any other record of one's own customer stays a rep's right.
- A manager's delete is told to the rep who held the customer: an access change (`lost`, reason `deleted`),
  and the tombstone holds no owner (the holder's laptop drops the customer like one that left them). A deleted
  customer is not the pool's either: reps no longer read it.
- sync.restore(customer) (managers and the admin) clears the tombstones of the customer and of the records
  deleted with it (those whose deletion is not older than the customer's), with a server stamp newer than
  the deletion, so every laptop receives them again; the holder gets it back (`gained`, `undeleted`), or the
  pool when that rep has left.
- Re-claiming. The ban on claiming back a customer one lost (relock_days) counts a rep's own release and the
  pool's reclaims (no follow-up for N days, no first contact in H hours), not a manager's reassignment, a
  removal from the team or a delete.
"""

import re

from alembic import op

revision = "s0006"
down_revision = "s0005"
branch_labels = None
depends_on = None

RELOCKING_REASONS = ("release", "reclaim", "first_contact")
"""The losses after which a rep may not claim the customer back for relock_days (the pool list marks them)."""

_REASONS_SQL = ", ".join(f"'{reason}'" for reason in RELOCKING_REASONS)

UP = r"""
-- A customer's tombstone is a manager's to write; a merge (records moved to another live customer) is not a loss.
CREATE FUNCTION sync.guard_customer_delete() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
BEGIN
    IF NEW.deleted_at IS NULL OR OLD.deleted_at IS NOT NULL THEN
        RETURN NEW;
    END IF;
    IF NEW.merged_into IS NOT NULL AND NEW.merged_into <> NEW.id
       AND EXISTS (SELECT 1 FROM crm.customer c WHERE c.id = NEW.merged_into AND c.deleted_at IS NULL) THEN
        RETURN NEW;
    END IF;
    IF NOT sync.is_manager() THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01',
              MESSAGE = 'only a manager can delete a customer of the team: release it to the pool instead';
    END IF;
    IF NEW.owner IS NOT NULL THEN
        -- The holder loses it like any customer that leaves them (their laptop drops it and says so); the
        -- access change remembers whose it was, for a restore.
        INSERT INTO crm.access_change (customer_id, rep, change, reason, at, claimed_at)
        VALUES (NEW.id, NEW.owner, 'lost', 'deleted', sync.now(), NEW.claimed_at);
        NEW.owner := NULL;
        NEW.claimed_at := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER customer_guard_delete BEFORE UPDATE OF deleted_at ON crm.customer
    FOR EACH ROW EXECUTE FUNCTION sync.guard_customer_delete();

-- A manager undoes a customer's deletion: the customer and the records deleted with it come back on every
-- laptop (their rows change, with a stamp newer than the deletion's, so last-writer-wins keeps them).
CREATE FUNCTION sync.restore(p_customer text) RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    c crm.customer;
    v_owner text;
    v_claimed timestamptz;
    v_deleted_from boolean;
    v_stamp text;
    v_now timestamptz := sync.now();
    t text;
BEGIN
    IF NOT sync.is_manager() THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'managers_only', DETAIL = session_user;
    END IF;
    SELECT * INTO c FROM crm.customer WHERE id = p_customer FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'no_such_customer', DETAIL = p_customer;
    ELSIF c.deleted_at IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'not_deleted', DETAIL = c.name;
    ELSIF c.merged_into IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'merged_customer', DETAIL = c.name;
    END IF;
    -- A stamp of the server's (node 'restore'), later than every stamp the deletion carried.
    SELECT lpad(greatest((extract(epoch FROM v_now) * 1000)::bigint,
                         coalesce(max(split_part(s.value, '-', 1)::bigint), 0) + 1)::text, 15, '0') || '-00000-restore'
      INTO v_stamp FROM jsonb_each_text(c.stamps) s;
    -- Whose it was when deleted: the customer's last change of hands, if that was the deletion (a customer
    -- deleted in the pool, or whose rep has left, goes to the pool).
    SELECT a.rep, a.claimed_at, a.change = 'lost' AND a.reason = 'deleted' INTO v_owner, v_claimed, v_deleted_from
      FROM crm.access_change a WHERE a.customer_id = p_customer ORDER BY a.id DESC LIMIT 1;
    IF NOT coalesce(v_deleted_from, false) OR NOT EXISTS (SELECT 1 FROM crm.rep WHERE name = v_owner AND active) THEN
        v_owner := NULL;
        v_claimed := NULL;
    END IF;
    FOREACH t IN ARRAY ARRAY['contact', 'deal', 'deal_stage_change', 'follow_up', 'contract', 'payment',
                             'customer_tag'] LOOP
        -- The records deleted with the customer: a laptop deletes them in the same moment, or just after.
        EXECUTE format('UPDATE crm.%I SET deleted_at = NULL, updated_at = $3,'
                       ' stamps = stamps || jsonb_build_object(''deleted_at'', $4::text, ''updated_at'', $4::text)'
                       ' WHERE customer_id = $1 AND deleted_at >= $2', t)
            USING p_customer, c.deleted_at, v_now, v_stamp;
    END LOOP;
    UPDATE crm.customer SET deleted_at = NULL, updated_at = v_now, owner = v_owner, claimed_at = v_claimed,
           stamps = stamps || jsonb_build_object('deleted_at', v_stamp, 'updated_at', v_stamp)
     WHERE id = p_customer;
    IF v_owner IS NOT NULL THEN
        INSERT INTO crm.access_change (customer_id, rep, change, reason, at, claimed_at)
        VALUES (p_customer, v_owner, 'gained', 'undeleted', v_now, v_claimed);
    END IF;
    RETURN (SELECT to_jsonb(r) - 'txid' FROM crm.customer r WHERE id = p_customer);
END $$;

-- Deleted customers, newest first, for a manager choosing one to restore (`crm server restore`).
CREATE FUNCTION sync.deleted_customers() RETURNS TABLE (id text, name text, deleted_at timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
BEGIN
    IF NOT sync.is_manager() THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'managers_only', DETAIL = session_user;
    END IF;
    RETURN QUERY SELECT c.id, c.name, c.deleted_at FROM crm.customer c
                  WHERE c.deleted_at IS NOT NULL AND c.merged_into IS NULL ORDER BY c.deleted_at DESC, c.id;
END $$;

{claim}

-- A deleted customer has no holder; it is not the pool's either, so reps do not read it.
ALTER POLICY rep_read ON crm.customer USING (owner = session_user OR (owner IS NULL AND deleted_at IS NULL));

DO $$
DECLARE
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_grantee text;
    v_fn text;
BEGIN
    FOREACH v_fn IN ARRAY ARRAY['sync.guard_customer_delete()', 'sync.restore(text)', 'sync.deleted_customers()'] LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %s', v_fn, v_api);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_fn);
    END LOOP;
    -- Managers and the admin may call them (the functions refuse anyone else); reps get EXECUTE with
    -- sync.push's other grantees so that a rep hears "only a manager" rather than "permission denied".
    FOR v_grantee IN
        SELECT DISTINCT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'sync.push(text, jsonb)'::regprocedure AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> p.proowner AND a.grantee <> 0
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.restore(text) TO %s', v_grantee);
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.deleted_customers() TO %s', v_grantee);
    END LOOP;
    EXECUTE format('GRANT EXECUTE ON FUNCTION sync.restore(text) TO %s', sync.team_role('admin')::regrole);
    EXECUTE format('GRANT EXECUTE ON FUNCTION sync.deleted_customers() TO %s', sync.team_role('admin')::regrole);
END $$;
"""


def _s0001_function(name: str) -> str:
    """One function's definition as revision s0001 made it (the latest until this one), as a replacement."""
    from importlib import import_module

    s0001 = import_module("crmtui.server.migrations.versions.s0001_team_schema")
    found = re.search(rf"CREATE FUNCTION sync\.{name}\(.*?END \$\$;\n", s0001.FUNCTIONS, re.S)
    assert found, name
    return found.group(0).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


LOCKING_LOSS = ("    SELECT max(at) INTO v_lost FROM crm.access_change\n"
                "     WHERE customer_id = p_customer AND rep = v_rep AND change = 'lost';\n")


def _claim() -> str:
    """sync.claim with the re-claim ban counting only a rep's own release and the pool's reclaims."""
    claim = _s0001_function("claim")
    assert LOCKING_LOSS in claim
    return claim.replace(LOCKING_LOSS, LOCKING_LOSS.replace(
        "change = 'lost';", f"change = 'lost'\n       AND reason IN ({_REASONS_SQL});"))


def upgrade() -> None:
    op.execute(UP.replace("{claim}", _claim()))


def downgrade() -> None:
    op.execute("DROP TRIGGER customer_guard_delete ON crm.customer")
    op.execute("DROP FUNCTION sync.guard_customer_delete(), sync.restore(text), sync.deleted_customers()")
    op.execute(_s0001_function("claim"))
    op.execute("ALTER POLICY rep_read ON crm.customer USING (owner = session_user OR owner IS NULL)")
