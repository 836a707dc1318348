"""A team-wide duplicate check that cannot be used to read the team's book.

Revision ID: s0005
Revises: s0004

The old check (sync.find_duplicate) took three keys a call, answered at any speed and named the holder:
a rep with psql could test thousands of guessed phone numbers a second and learn who holds each. Now:

- one key a call (sync.check_duplicate(kind, key));
- a rep hears only "held by a colleague" or "in the pool" (managers and admins hear the holder's name);
- every rep has a rate (checks a minute) and a daily budget (checks a day, the day in the team's time
  zone), both pool rules the admin sets. The counters are sequences: nextval() and setval() are not undone
  by a rollback, so a rep cannot wind a counter back by running the probes in a transaction and rolling it
  back. A sequence's value is window * 1,000,000 + checks in that window.
- a check over the limit is refused, counted (a third counter per rep: refusals of the day, by rate or
  budget) and written to the server's log, where no rollback reaches it.
"""

from alembic import op

revision = "s0005"
down_revision = "s0004"
branch_labels = None
depends_on = None

WINDOW = 1_000_000

SQL = rf"""
ALTER TABLE crm.pool_rule
    ADD COLUMN duplicate_checks_per_minute integer NOT NULL DEFAULT 20 CHECK (duplicate_checks_per_minute >= 0),
    ADD COLUMN duplicate_checks_per_day integer NOT NULL DEFAULT 300 CHECK (duplicate_checks_per_day >= 0);

-- The two counters of a rep: sequences named from the rep's name (names may be 63 characters long).
CREATE FUNCTION sync.probe_counter(p_rep text, p_window text) RETURNS text LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT 'probe_' || p_window || '_' || left(md5(p_rep), 20) $$;

-- Made when a rep is added (a trigger on crm.rep), never inside the rep's own transaction: a counter
-- made there could be rolled back with it.
CREATE FUNCTION sync.make_probe_counters(p_rep text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_window text;
BEGIN
    FOREACH v_window IN ARRAY ARRAY['minute', 'day', 'refused'] LOOP
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS sync.%I', sync.probe_counter(p_rep, v_window));
    END LOOP;
END $$;

CREATE FUNCTION sync.rep_probe_counters() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN PERFORM sync.make_probe_counters(NEW.name); RETURN NULL; END $$;
CREATE TRIGGER rep_probe_counters AFTER INSERT OR UPDATE OF name ON crm.rep
    FOR EACH ROW EXECUTE FUNCTION sync.rep_probe_counters();

-- Counts one check in a window; the number of checks in the current window, this one included.
CREATE FUNCTION sync.count_probe(p_counter text, p_window bigint) RETURNS bigint LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v bigint := nextval(format('sync.%I', p_counter)::regclass);
BEGIN
    IF v / {WINDOW} <> p_window THEN
        PERFORM setval(format('sync.%I', p_counter)::regclass, p_window * {WINDOW} + 1);
        RETURN 1;
    END IF;
    RETURN v % {WINDOW};
END $$;

CREATE FUNCTION sync.check_duplicate(p_kind text, p_key text)
    RETURNS TABLE (holder text, owner text) LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_rep text := sync.caller();
    rules crm.pool_rule;
    v_now timestamptz := sync.now() + (clock_timestamp() - now());  -- the team clock, running
    v_minute bigint := floor(extract(epoch FROM v_now) / 60);
    v_day bigint;
    v_count bigint;
    v_owner text;
BEGIN
    SELECT * INTO rules FROM crm.pool_rule WHERE id = 1;
    IF p_kind NOT IN ('phone', 'email', 'name') OR p_key IS NULL OR p_key = '' THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'bad_duplicate_check', DETAIL = coalesce(p_kind, '');
    END IF;
    IF to_regclass(format('sync.%I', sync.probe_counter(v_rep, 'day'))) IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'duplicate_check_limit', DETAIL = 'day:0';
    END IF;
    v_day := (v_now AT TIME ZONE rules.timezone)::date - date '2000-01-01';
    v_count := sync.count_probe(sync.probe_counter(v_rep, 'day'), v_day);
    IF v_count > rules.duplicate_checks_per_day THEN
        PERFORM sync.count_probe(sync.probe_counter(v_rep, 'refused'), v_day);
        RAISE LOG 'crmtui: duplicate check refused: rep % over the daily budget (% of %)',
            v_rep, v_count, rules.duplicate_checks_per_day;
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'duplicate_check_limit',
            DETAIL = 'day:' || rules.duplicate_checks_per_day;
    END IF;
    v_count := sync.count_probe(sync.probe_counter(v_rep, 'minute'), v_minute);
    IF v_count > rules.duplicate_checks_per_minute THEN
        PERFORM sync.count_probe(sync.probe_counter(v_rep, 'refused'), v_day);
        RAISE LOG 'crmtui: duplicate check refused: rep % over the rate (% of % a minute)',
            v_rep, v_count, rules.duplicate_checks_per_minute;
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'duplicate_check_limit',
            DETAIL = 'minute:' || rules.duplicate_checks_per_minute;
    END IF;
    SELECT coalesce(c.owner, '') INTO v_owner
      FROM crm.customer c
     WHERE c.deleted_at IS NULL
       AND CASE p_kind WHEN 'phone' THEN c.phone_key = p_key
                       WHEN 'email' THEN c.email_key = p_key
                       ELSE c.name_key = p_key END
     ORDER BY (c.owner = v_rep) DESC NULLS LAST, c.owner NULLS FIRST
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    holder := CASE WHEN v_owner = v_rep THEN 'mine' WHEN v_owner = '' THEN 'pool' ELSE 'colleague' END;
    owner := CASE WHEN holder = 'colleague' AND sync.is_manager() THEN v_owner END;
    RETURN NEXT;
END $$;

-- What the counters say today, for managers and admins: checks made and checks refused, per rep.
CREATE FUNCTION sync.duplicate_checks_today()
    RETURNS TABLE (rep text, checks bigint, refused bigint) LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    rules crm.pool_rule;
    v_day bigint;
    v_value bigint;
    r record;
BEGIN
    IF NOT sync.is_manager() THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'managers_only', DETAIL = session_user;
    END IF;
    SELECT * INTO rules FROM crm.pool_rule WHERE id = 1;
    v_day := (sync.now() AT TIME ZONE rules.timezone)::date - date '2000-01-01';
    FOR r IN SELECT name FROM crm.rep ORDER BY name LOOP
        IF to_regclass(format('sync.%I', sync.probe_counter(r.name, 'day'))) IS NULL THEN
            CONTINUE;
        END IF;
        EXECUTE format('SELECT last_value FROM sync.%I', sync.probe_counter(r.name, 'day')) INTO v_value;
        rep := r.name;
        checks := CASE WHEN v_value / {WINDOW} = v_day THEN v_value % {WINDOW} ELSE 0 END;
        EXECUTE format('SELECT last_value FROM sync.%I', sync.probe_counter(r.name, 'refused')) INTO v_value;
        refused := CASE WHEN v_value / {WINDOW} = v_day THEN v_value % {WINDOW} ELSE 0 END;
        RETURN NEXT;
    END LOOP;
END $$;

-- Owners and grants like their neighbours': whoever owns and may call sync.push (the roles' names may be
-- the team's own) owns and may call these; nothing for PUBLIC.
DO $$
DECLARE
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_grantee text;
    v_fn text;
BEGIN
    FOREACH v_fn IN ARRAY ARRAY['sync.probe_counter(text, text)', 'sync.count_probe(text, bigint)',
                                'sync.check_duplicate(text, text)', 'sync.duplicate_checks_today()'] LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %s', v_fn, v_api);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_fn);
    END LOOP;
    -- The writer makes the counters (it owns every function here); it may create in this schema.
    EXECUTE format('GRANT CREATE ON SCHEMA sync TO %s', v_api);
    FOREACH v_fn IN ARRAY ARRAY['sync.make_probe_counters(text)', 'sync.rep_probe_counters()'] LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %s', v_fn, v_api);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_fn);
    END LOOP;
    -- Counters for the reps there are already.
    PERFORM sync.make_probe_counters(name) FROM crm.rep;
    FOR v_grantee IN
        SELECT DISTINCT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'sync.push(text, jsonb)'::regprocedure AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> p.proowner AND a.grantee <> 0
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.check_duplicate(text, text) TO %s', v_grantee);
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.duplicate_checks_today() TO %s', v_grantee);
    END LOOP;
END $$;

DROP FUNCTION sync.find_duplicate(text, text, text);
"""


def upgrade() -> None:
    op.execute(SQL)


DOWN = r"""
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT name FROM crm.rep LOOP
        EXECUTE format('DROP SEQUENCE IF EXISTS sync.%I, sync.%I, sync.%I', sync.probe_counter(r.name, 'minute'),
                       sync.probe_counter(r.name, 'day'), sync.probe_counter(r.name, 'refused'));
    END LOOP;
END $$;
DROP TRIGGER rep_probe_counters ON crm.rep;
DO $$
BEGIN
    EXECUTE format('REVOKE CREATE ON SCHEMA sync FROM %s',
                   (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure));
END $$;
DROP FUNCTION sync.rep_probe_counters(), sync.make_probe_counters(text), sync.check_duplicate(text, text),
    sync.duplicate_checks_today(), sync.count_probe(text, bigint), sync.probe_counter(text, text);
ALTER TABLE crm.pool_rule DROP COLUMN duplicate_checks_per_minute, DROP COLUMN duplicate_checks_per_day;
CREATE FUNCTION sync.find_duplicate(p_phone_key text, p_email_key text, p_name_key text)
    RETURNS TABLE (matched text, owner text) LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
    SELECT CASE WHEN p_phone_key IS NOT NULL AND c.phone_key = p_phone_key THEN 'phone'
                WHEN p_email_key IS NOT NULL AND c.email_key = p_email_key THEN 'email'
                ELSE 'name' END,
           coalesce(c.owner, '')
      FROM crm.customer c
     WHERE c.deleted_at IS NULL AND sync.caller() IS NOT NULL
       AND ((p_phone_key IS NOT NULL AND c.phone_key = p_phone_key)
            OR (p_email_key IS NOT NULL AND c.email_key = p_email_key)
            OR (p_name_key IS NOT NULL AND c.name_key = p_name_key))
     LIMIT 1
$$;
DO $$
DECLARE
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_grantee text;
BEGIN
    EXECUTE format('ALTER FUNCTION sync.find_duplicate(text, text, text) OWNER TO %s', v_api);
    REVOKE ALL ON FUNCTION sync.find_duplicate(text, text, text) FROM PUBLIC;
    FOR v_grantee IN
        SELECT DISTINCT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'sync.push(text, jsonb)'::regprocedure AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> p.proowner AND a.grantee <> 0
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.find_duplicate(text, text, text) TO %s', v_grantee);
    END LOOP;
END $$;
"""


def downgrade() -> None:
    op.execute(DOWN)
