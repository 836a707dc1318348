"""How a customer a manager took from a rep went on: to a rep, or to the pool (and claimed since).

Revision ID: s0011
Revises: s0010

`sync.taken_how(customers)` answers, for the caller's customers whose last access change was a manager's
reassignment away from them: who holds each now, whom the reassignment gave it to (NULL: the pool), and how the
holder got it (their last `gained` reason: `claim`, `reassign`...). A rep whose customer a manager put back in
the pool, and a colleague claimed since, is told just that, not that the manager gave it to that colleague.
Nothing about customers the caller never held or lost otherwise (as `sync.taken_by`, which older laptops call).
"""

from alembic import op

revision = "s0011"
down_revision = "s0010"
branch_labels = None
depends_on = None

SQL = r"""
CREATE FUNCTION sync.taken_how(p_customers text[]) RETURNS TABLE (customer_id text, owner text, given_to text,
                                                                   gained_by text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT c.id, c.owner,
           (SELECT g.rep FROM crm.access_change g
             WHERE g.customer_id = c.id AND g.change = 'gained' AND g.reason = 'reassign' AND g.at = l.at
             ORDER BY g.id LIMIT 1),
           (SELECT g.reason FROM crm.access_change g
             WHERE g.customer_id = c.id AND g.rep = c.owner AND g.change = 'gained' ORDER BY g.id DESC LIMIT 1)
      FROM crm.customer c
      JOIN LATERAL (SELECT a.change, a.reason, a.at FROM crm.access_change a
                     WHERE a.customer_id = c.id AND a.rep = session_user ORDER BY a.id DESC LIMIT 1) l ON true
     WHERE c.id = ANY(p_customers) AND l.change = 'lost' AND l.reason = 'reassign'
$$;

DO $$
DECLARE
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_grantee text;
BEGIN
    EXECUTE format('ALTER FUNCTION sync.taken_how(text[]) OWNER TO %s', v_api);
    REVOKE ALL ON FUNCTION sync.taken_how(text[]) FROM PUBLIC;
    FOR v_grantee IN
        SELECT DISTINCT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'sync.push(text, jsonb)'::regprocedure AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> p.proowner AND a.grantee <> 0
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.taken_how(text[]) TO %s', v_grantee);
    END LOOP;
END $$;
"""

DOWN = r"""
DROP FUNCTION sync.taken_how(text[]);
"""


def upgrade() -> None:
    op.execute(SQL)


def downgrade() -> None:
    op.execute(DOWN)
