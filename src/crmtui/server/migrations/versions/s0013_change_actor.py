"""Who made a change of hands; what became of a customer the pool took back; a batched duplicate check for imports.

Revision ID: s0013
Revises: s0012

- `crm.access_change.actor`: the login that made the change of hands (a manager's delete, reassignment, put back
  in the pool or restore; a rep's own claim or release), set by a trigger from `session_user` on every insert,
  whatever the inserting function or the row says: a laptop never names it. The pool's own moves (a reclaim, a
  claim not contacted in time, a customer given back by a follow-up made in time) have none. Rows from before
  this revision have none either: the laptops then say "a manager".
- `sync.lost_how(customers)`: `sync.taken_how`'s answer (who holds each now, whom a reassignment gave it to, how
  the holder got it) for the caller's customers lost to a manager's reassignment or to the pool's reclaim, so a
  rep whose late follow-up lost to a colleague's claim reads that the colleague holds it now.
- `sync.check_duplicates(kinds, keys)`: `sync.check_duplicate` for many keys in one call (an import checks its
  rows a chunk at a time). A call counts once against the rate (checks a minute); its keys count against a daily
  import budget of their own (`crm.pool_rule.import_checks_per_day`, a fourth counter per rep), since a file of
  a few hundred rows would use up the budget of `crm add` at once. A key counts once a rep a day
  (`sync.import_checked` remembers the day's): a dry run and then the import, or the Import… dialog read again
  with another kind, pay for a sheet once. The answers say what `check_duplicate` says, and the name of a pool
  customer (a rep reads the pool anyway), so the rep can claim it.
"""

from alembic import op

revision = "s0013"
down_revision = "s0012"
branch_labels = None
depends_on = None

WINDOW = 1_000_000
BATCH_MAX = 3000
"""Keys one call may check at most (an import sends 3 keys a row, 500 rows a call)."""
AUTOMATIC = ("reclaim", "first_contact", "restored")
"""The changes of hands the pool makes by its rules, not a person: they name no actor."""

_COUNTERS_BEFORE = "ARRAY['minute', 'day', 'refused']"
_COUNTERS_NOW = "ARRAY['minute', 'day', 'refused', 'import']"

MAKE_COUNTERS = r"""
CREATE OR REPLACE FUNCTION sync.make_probe_counters(p_rep text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_window text;
BEGIN
    FOREACH v_window IN ARRAY {counters} LOOP
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS sync.%I', sync.probe_counter(p_rep, v_window));
    END LOOP;
END $$;
"""

_AUTOMATIC_SQL = ", ".join(f"'{reason}'" for reason in AUTOMATIC)

UP = rf"""
ALTER TABLE crm.access_change ADD COLUMN actor text;

-- The actor is the server's to write: whatever an insert says, it becomes the session's login (or none for
-- the pool's own moves). SECURITY DEFINER functions change current_user, never session_user.
CREATE FUNCTION sync.access_change_actor() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    NEW.actor := CASE WHEN NEW.reason IN ({_AUTOMATIC_SQL}) THEN NULL ELSE session_user END;
    RETURN NEW;
END $$;
CREATE TRIGGER access_change_actor BEFORE INSERT OR UPDATE OF actor ON crm.access_change
    FOR EACH ROW EXECUTE FUNCTION sync.access_change_actor();

CREATE FUNCTION sync.lost_how(p_customers text[]) RETURNS TABLE (customer_id text, owner text, given_to text,
                                                                  gained_by text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT c.id, c.owner,
           (SELECT g.rep FROM crm.access_change g
             WHERE g.customer_id = c.id AND g.change = 'gained' AND g.reason = 'reassign' AND g.at = l.at
               AND l.reason = 'reassign'
             ORDER BY g.id LIMIT 1),
           (SELECT g.reason FROM crm.access_change g
             WHERE g.customer_id = c.id AND g.rep = c.owner AND g.change = 'gained' ORDER BY g.id DESC LIMIT 1)
      FROM crm.customer c
      JOIN LATERAL (SELECT a.change, a.reason, a.at FROM crm.access_change a
                     WHERE a.customer_id = c.id AND a.rep = session_user ORDER BY a.id DESC LIMIT 1) l ON true
     WHERE c.id = ANY(p_customers) AND l.change = 'lost' AND l.reason IN ('reassign', 'reclaim', 'first_contact')
$$;

ALTER TABLE crm.pool_rule
    ADD COLUMN import_checks_per_day integer NOT NULL DEFAULT 5000 CHECK (import_checks_per_day >= 0);

CREATE TABLE sync.import_checked (
    rep text NOT NULL,
    day bigint NOT NULL,
    kind text NOT NULL,
    key text NOT NULL,
    PRIMARY KEY (rep, day, kind, key)
);

{MAKE_COUNTERS.format(counters=_COUNTERS_NOW)}

CREATE FUNCTION sync.check_duplicates(p_kinds text[], p_keys text[])
    RETURNS TABLE (kind text, key text, holder text, owner text, name text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_rep text := sync.caller();
    rules crm.pool_rule;
    v_now timestamptz := sync.now() + (clock_timestamp() - now());  -- the team clock, running
    v_minute bigint := floor(extract(epoch FROM v_now) / 60);
    v_day bigint;
    v_count bigint := 0;
    v_n integer := coalesce(cardinality(p_keys), 0);
    v_new integer;
    v_manager boolean := sync.is_manager();
BEGIN
    SELECT * INTO rules FROM crm.pool_rule WHERE id = 1;
    IF coalesce(cardinality(p_kinds), 0) <> v_n OR v_n > {BATCH_MAX}
       OR EXISTS (SELECT 1 FROM unnest(p_kinds, p_keys) u(k, v)
                   WHERE u.k IS NULL OR u.k NOT IN ('phone', 'email', 'name') OR u.v IS NULL OR u.v = '') THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'bad_duplicate_check', DETAIL = 'batch';
    END IF;
    IF v_n = 0 THEN
        RETURN;
    END IF;
    IF to_regclass(format('sync.%I', sync.probe_counter(v_rep, 'import'))) IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'duplicate_check_limit', DETAIL = 'day:0';
    END IF;
    v_day := (v_now AT TIME ZONE rules.timezone)::date - date '2000-01-01';
    -- A call is one check against the rate, as one `crm add` is.
    v_count := sync.count_probe(sync.probe_counter(v_rep, 'minute'), v_minute);
    IF v_count > rules.duplicate_checks_per_minute THEN
        PERFORM sync.count_probe(sync.probe_counter(v_rep, 'refused'), v_day);
        RAISE LOG 'crmtui: duplicate check refused: rep % over the rate (% of % a minute)',
            v_rep, v_count, rules.duplicate_checks_per_minute;
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'duplicate_check_limit',
            DETAIL = 'minute:' || rules.duplicate_checks_per_minute;
    END IF;
    -- Its keys against the day's import budget, each counted once a day (a sequence: no rollback winds it back;
    -- a refused call forgets its keys, so they count again, never less): a key the rep had checked today is free.
    DELETE FROM sync.import_checked c WHERE c.rep = v_rep AND c.day < v_day;
    WITH fresh AS (
        INSERT INTO sync.import_checked (rep, day, kind, key)
        SELECT DISTINCT v_rep, v_day, u.k, u.v FROM unnest(p_kinds, p_keys) u(k, v)
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT count(*) INTO v_new FROM fresh;
    FOR i IN 1 .. v_new LOOP
        v_count := sync.count_probe(sync.probe_counter(v_rep, 'import'), v_day);
    END LOOP;
    IF v_new > 0 AND v_count > rules.import_checks_per_day THEN
        PERFORM sync.count_probe(sync.probe_counter(v_rep, 'refused'), v_day);
        RAISE LOG 'crmtui: duplicate check refused: rep % over the import budget (% of %)',
            v_rep, v_count, rules.import_checks_per_day;
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'duplicate_check_limit',
            DETAIL = 'day:' || rules.import_checks_per_day;
    END IF;
    -- One answer a key, as check_duplicate picks it: the caller's own first, then the pool, then a colleague.
    RETURN QUERY
    SELECT DISTINCT ON (m.k, m.v) m.k, m.v,
           CASE WHEN m.o = v_rep THEN 'mine' WHEN m.o IS NULL THEN 'pool' ELSE 'colleague' END,
           CASE WHEN m.o IS NOT NULL AND m.o <> v_rep AND v_manager THEN m.o END,
           CASE WHEN m.o IS NULL THEN m.n END
      FROM (SELECT u.k, u.v, c.owner AS o, c.name AS n FROM unnest(p_kinds, p_keys) u(k, v)
              JOIN crm.customer c ON c.phone_key = u.v WHERE u.k = 'phone' AND c.deleted_at IS NULL
            UNION ALL
            SELECT u.k, u.v, c.owner, c.name FROM unnest(p_kinds, p_keys) u(k, v)
              JOIN crm.customer c ON c.email_key = u.v WHERE u.k = 'email' AND c.deleted_at IS NULL
            UNION ALL
            SELECT u.k, u.v, c.owner, c.name FROM unnest(p_kinds, p_keys) u(k, v)
              JOIN crm.customer c ON c.name_key = u.v WHERE u.k = 'name' AND c.deleted_at IS NULL) m
     ORDER BY m.k, m.v, (m.o = v_rep) DESC NULLS LAST, m.o NULLS FIRST, m.n;
END $$;

DO $$
DECLARE
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_owner regrole := (SELECT relowner::regrole FROM pg_class WHERE oid = 'crm.customer'::regclass);
    v_grantee text;
    v_fn text;
BEGIN
    FOREACH v_fn IN ARRAY ARRAY['sync.access_change_actor()', 'sync.lost_how(text[])',
                                'sync.make_probe_counters(text)', 'sync.check_duplicates(text[], text[])'] LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %s', v_fn, v_api);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_fn);
    END LOOP;
    -- The keys checked today belong to the tables' owner, read and written only by check_duplicates.
    EXECUTE format('ALTER TABLE sync.import_checked OWNER TO %s', v_owner);
    REVOKE ALL ON sync.import_checked FROM PUBLIC;
    ALTER TABLE sync.import_checked ENABLE ROW LEVEL SECURITY;
    ALTER TABLE sync.import_checked FORCE ROW LEVEL SECURITY;
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON sync.import_checked TO %s', v_api);
    EXECUTE format('CREATE POLICY api_all ON sync.import_checked TO %s USING (true) WITH CHECK (true)', v_api);
    PERFORM sync.make_probe_counters(name) FROM crm.rep;  -- the import counter of the reps there are
    FOR v_grantee IN
        SELECT DISTINCT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'sync.push(text, jsonb)'::regprocedure AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> p.proowner AND a.grantee <> 0
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.lost_how(text[]) TO %s', v_grantee);
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.check_duplicates(text[], text[]) TO %s', v_grantee);
    END LOOP;
END $$;
"""

DOWN = rf"""
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT name FROM crm.rep LOOP
        EXECUTE format('DROP SEQUENCE IF EXISTS sync.%I', sync.probe_counter(r.name, 'import'));
    END LOOP;
END $$;
{MAKE_COUNTERS.format(counters=_COUNTERS_BEFORE)}
DROP FUNCTION sync.check_duplicates(text[], text[]);
DROP TABLE sync.import_checked;
ALTER TABLE crm.pool_rule DROP COLUMN import_checks_per_day;
DROP FUNCTION sync.lost_how(text[]);
DROP TRIGGER access_change_actor ON crm.access_change;
DROP FUNCTION sync.access_change_actor();
ALTER TABLE crm.access_change DROP COLUMN actor;
"""


def upgrade() -> None:
    op.execute(UP)


def downgrade() -> None:
    op.execute(DOWN)
