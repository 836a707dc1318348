"""A release to the pool carries the rep's reason, kept on the server and shown in the pool.

Revision ID: s0008
Revises: s0007

- `crm.access_change.note`: the reason a rep gave when releasing (a code from the list the laptops offer,
  e.g. `no-budget`, or `other: <the rep's words>`); NULL for every other change of hands.
- `sync.release(customer, reason)`: the release with a reason. The one-argument `sync.release(customer)`
  stays for laptops not yet upgraded (their releases have no reason).
- `sync.pool_reasons()`: for each customer in the pool, why it is there (the last change of hands that put
  it there: a release with its reason, a reclaim, a manager, a rep who left) and since when. A rep reads
  only their own rows of `crm.access_change`, so this goes through a definer function; it never names the
  rep who let the customer go.
"""

from alembic import op

revision = "s0008"
down_revision = "s0007"
branch_labels = None
depends_on = None

SQL = r"""
ALTER TABLE crm.access_change ADD COLUMN note text;

CREATE FUNCTION sync.release(p_customer text, p_reason text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_rep text := sync.caller();
    v_reason text := btrim(coalesce(p_reason, ''));
BEGIN
    IF v_reason = '' OR length(v_reason) > 500 THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'bad_release_reason', DETAIL = left(v_reason, 40);
    END IF;
    PERFORM sync.release(p_customer);  -- the rules of a release, as the revision in force defines them
    UPDATE crm.access_change SET note = v_reason
     WHERE id = (SELECT max(id) FROM crm.access_change
                  WHERE customer_id = p_customer AND rep = v_rep AND change = 'lost' AND reason = 'release');
END $$;

CREATE FUNCTION sync.pool_reasons() RETURNS TABLE (customer_id text, reason text, note text, at timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
BEGIN
    IF NOT sync.is_manager() THEN
        PERFORM sync.caller();  -- refuses anyone who is not an active rep of the team
    END IF;
    RETURN QUERY
    SELECT DISTINCT ON (a.customer_id) a.customer_id, a.reason, a.note, a.at
      FROM crm.access_change a JOIN crm.customer c ON c.id = a.customer_id
     WHERE c.owner IS NULL AND c.deleted_at IS NULL AND a.change = 'lost'
     ORDER BY a.customer_id, a.at DESC, a.id DESC;
END $$;

-- Owners and grants like their neighbours': whoever owns and may call sync.push owns and may call these.
DO $$
DECLARE
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_grantee text;
    v_fn text;
BEGIN
    FOREACH v_fn IN ARRAY ARRAY['sync.release(text, text)', 'sync.pool_reasons()'] LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %s', v_fn, v_api);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_fn);
    END LOOP;
    FOR v_grantee IN
        SELECT DISTINCT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'sync.push(text, jsonb)'::regprocedure AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> p.proowner AND a.grantee <> 0
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.release(text, text) TO %s', v_grantee);
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.pool_reasons() TO %s', v_grantee);
    END LOOP;
END $$;
"""

DOWN = r"""
DROP FUNCTION sync.pool_reasons();
DROP FUNCTION sync.release(text, text);
ALTER TABLE crm.access_change DROP COLUMN note;
"""


def upgrade() -> None:
    op.execute(SQL)


def downgrade() -> None:
    op.execute(DOWN)
