"""Push functions that refuse references crossing customers, stamps of another rep's laptop, and backdated
follow-ups winning back a customer the laptop already knew it had lost.

Revision ID: s0003
Revises: s0002

- References. A record and everything it refers to belong to one customer: a follow-up's contact and deal, a
  stage change's deal, a contract's deal, an instalment's contract. A laptop holds whole customers, so a
  reference into another customer is a row its pull cannot store (and another rep's record it would name).
  `sync.crossing_reference` is checked after every applied mutation, inserts and updates alike; a mutation that
  leaves a crossing is rejected and undone. A record that moves to another customer (a merge) must take
  nothing along that stays behind; the merge itself (a customer's `merged_into` set) moves all the merged
  customer's records on the server, tombstones too, so a merge never leaves a crossing in between.
- Stamps. Every stamp names a laptop of the pushing rep: the pushing laptop itself, or for a re-push after a
  restore, any laptop of that rep (laptops re-push with their own id since this revision).
- Backdated follow-ups. A follow-up whose `at` lies more than BACKDATED before the moment it was made (its
  stamp) wins back a customer lost by the first-contact rule only when the laptop had not pulled since the
  loss and made it after its last pull; every such decision is recorded in `sync.backdated_follow_up`.
"""

import re

from alembic import op

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None

BACKDATED = "10 minutes"
"""How far a follow-up's `at` may lie before the moment it was made before it counts as backdated. It also
covers the laptop's clock being off the server's (at most 5 minutes: a laptop further off may not sync)."""

TABLES = r"""
ALTER TABLE sync.client ADD COLUMN last_pull_at timestamptz;

-- Every decision on a backdated follow-up that could win a customer back: what the rep claimed, when the
-- laptop says it was made, what the server knew of that laptop, and whether it counted.
CREATE TABLE sync.backdated_follow_up (
    id bigserial PRIMARY KEY,
    follow_up_id text NOT NULL,
    customer_id text NOT NULL,
    rep text NOT NULL,
    client_id text NOT NULL,
    at timestamptz NOT NULL,          -- the follow-up's own time, as the rep entered it
    made_at timestamptz NOT NULL,     -- the physical time of its stamp: when the laptop says it was logged
    gap interval NOT NULL,            -- made_at - at
    lost_at timestamptz NOT NULL,     -- when the first-contact rule took the customer back
    last_pull_at timestamptz,         -- the laptop's last pull before this push (NULL: never pulled)
    counted boolean NOT NULL,
    received_at timestamptz NOT NULL
);
CREATE INDEX backdated_follow_up_rep ON sync.backdated_follow_up (rep, received_at);

-- Lookups the reference checks and a merge's move make (also what a pull of a whole customer walks).
CREATE INDEX IF NOT EXISTS follow_up_deal ON crm.follow_up (deal_id);
CREATE INDEX IF NOT EXISTS follow_up_contact ON crm.follow_up (contact_id);
CREATE INDEX IF NOT EXISTS contract_deal ON crm.contract (deal_id);
CREATE INDEX IF NOT EXISTS deal_stage_change_deal ON crm.deal_stage_change (deal_id);
CREATE INDEX IF NOT EXISTS payment_contract ON crm.payment (contract_id);
"""

FUNCTIONS = r"""
-- The first reference of a record that crosses customers: one of its own ('deal_id'), or one of another
-- record pointing at it ('follow_up.deal_id'); NULL when all stay within its customer.
CREATE FUNCTION sync.crossing_reference(p_table text, p_id text, p_moved boolean) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v text;
BEGIN
    IF p_table = 'deal_stage_change' THEN
        SELECT 'deal_id' INTO v FROM crm.deal_stage_change s JOIN crm.deal d ON d.id = s.deal_id
         WHERE s.id = p_id AND d.customer_id <> s.customer_id;
    ELSIF p_table = 'follow_up' THEN
        SELECT CASE WHEN k.customer_id <> f.customer_id THEN 'contact_id' ELSE 'deal_id' END INTO v
          FROM crm.follow_up f LEFT JOIN crm.contact k ON k.id = f.contact_id LEFT JOIN crm.deal d ON d.id = f.deal_id
         WHERE f.id = p_id AND (k.customer_id <> f.customer_id OR d.customer_id <> f.customer_id);
    ELSIF p_table = 'contract' THEN
        SELECT 'deal_id' INTO v FROM crm.contract c JOIN crm.deal d ON d.id = c.deal_id
         WHERE c.id = p_id AND d.customer_id <> c.customer_id;
    ELSIF p_table = 'payment' THEN
        SELECT 'contract_id' INTO v FROM crm.payment p JOIN crm.contract c ON c.id = p.contract_id
         WHERE p.id = p_id AND c.customer_id <> p.customer_id;
    END IF;
    IF v IS NOT NULL OR NOT p_moved THEN
        RETURN v;
    END IF;
    -- A record that moved: nothing pointing at it may stay with its old customer.
    IF p_table = 'contact' THEN
        SELECT 'follow_up.contact_id' INTO v FROM crm.follow_up f JOIN crm.contact k ON k.id = f.contact_id
         WHERE k.id = p_id AND f.customer_id <> k.customer_id LIMIT 1;
    ELSIF p_table = 'deal' THEN
        SELECT r INTO v FROM (
            SELECT 'follow_up.deal_id' AS r FROM crm.follow_up f JOIN crm.deal d ON d.id = f.deal_id
             WHERE d.id = p_id AND f.customer_id <> d.customer_id
            UNION ALL
            SELECT 'contract.deal_id' FROM crm.contract c JOIN crm.deal d ON d.id = c.deal_id
             WHERE d.id = p_id AND c.customer_id <> d.customer_id) x LIMIT 1;
    END IF;
    RETURN v;
END $$;

-- A customer merged into another: every record of the merged one (tombstones too) moves with it, in the
-- merge's own transaction, so no reference ever crosses from one to the other. The laptop's own moves of
-- the live records arrive after and change nothing.
CREATE FUNCTION sync.move_merged(p_from text, p_to text, p_stamp text) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contact', 'deal', 'follow_up', 'contract', 'customer_tag'] LOOP
        EXECUTE format('UPDATE crm.%I SET customer_id = $2, stamps = stamps || jsonb_build_object(''customer_id'', $3)'
                       ' WHERE customer_id = $1', t) USING p_from, p_to, p_stamp;
    END LOOP;
    UPDATE crm.deal_stage_change SET customer_id = p_to WHERE customer_id = p_from;
    UPDATE crm.payment SET customer_id = p_to WHERE customer_id = p_from;
END $$;

-- A follow-up that arrives late but was made within H hours of the claim gives the customer back to the
-- rep who lost it by the first-contact rule, if it is still in the pool. One whose time lies well before the
-- moment it was made (BACKDATED) counts only if its laptop had not pulled since the loss (it could not know)
-- and made it after its last pull (a laptop pushes all it made before each pull); either way it is recorded.
CREATE FUNCTION sync.restore_first_contact(p_rep text, p_client text, p_customer text, p_follow_up text,
                                           p_at timestamptz, p_made timestamptz) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_loss crm.access_change;
    v_hours integer := (SELECT first_contact_hours FROM crm.pool_rule WHERE id = 1);
    v_pulled timestamptz;
    v_counted boolean := true;
BEGIN
    SELECT * INTO v_loss FROM crm.access_change
     WHERE customer_id = p_customer AND rep = p_rep ORDER BY id DESC LIMIT 1;
    IF NOT FOUND OR v_loss.change <> 'lost' OR v_loss.reason <> 'first_contact'
       OR p_at < v_loss.claimed_at OR p_at > v_loss.claimed_at + make_interval(hours => v_hours)
       OR NOT EXISTS (SELECT 1 FROM crm.customer WHERE id = p_customer AND owner IS NULL AND deleted_at IS NULL) THEN
        RETURN;
    END IF;
    IF p_made IS NOT NULL AND p_made - p_at > interval '{BACKDATED}' THEN
        SELECT last_pull_at INTO v_pulled FROM sync.client WHERE client_id = p_client;
        v_counted := v_pulled IS NULL OR (v_pulled < v_loss.at AND p_made >= v_pulled - interval '{BACKDATED}');
        INSERT INTO sync.backdated_follow_up (follow_up_id, customer_id, rep, client_id, at, made_at, gap, lost_at,
                                              last_pull_at, counted, received_at)
        VALUES (p_follow_up, p_customer, p_rep, p_client, p_at, p_made, p_made - p_at, v_loss.at, v_pulled,
                v_counted, sync.now());
    END IF;
    IF v_counted THEN
        PERFORM sync.hand_over(p_customer, NULL, p_rep, 'restored', v_loss.claimed_at);
    END IF;
END $$;

-- A laptop starts a pull: the lazy reclaim runs, and the server notes when this laptop last looked (the
-- backdated follow-up rule asks what it could have known).
CREATE FUNCTION sync.begin_pull(p_client text) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_rep text := sync.caller();
    v_client_rep text;
    n integer;
BEGIN
    INSERT INTO sync.client (client_id, rep) VALUES (p_client, v_rep) ON CONFLICT (client_id) DO NOTHING;
    SELECT rep INTO v_client_rep FROM sync.client WHERE client_id = p_client FOR UPDATE;
    IF v_client_rep <> v_rep THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'client_of_another_rep', DETAIL = v_client_rep;
    END IF;
    n := sync.reclaim_lazily();
    UPDATE sync.client SET last_pull_at = sync.now() WHERE client_id = p_client;
    RETURN n;
END $$;

CREATE OR REPLACE FUNCTION sync.apply_mutation(p_rep text, p_client text, m jsonb, p_now_ms bigint,
                                               OUT outcome text, OUT detail text, OUT row_after jsonb)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_table text := m->>'table';
    v_id text := m->>'id';
    v_kind text := m->>'kind';
    v_changes jsonb := coalesce(m->'changes', '{}'::jsonb);
    v_stamps jsonb := coalesce(m->'stamps', '{}'::jsonb);
    v_base jsonb := coalesce(m->'base', '{}'::jsonb);
    v_customer text;
    v_owner text;
    v_exists boolean;
    v_row jsonb;
    v_field text;
    v_in text;
    v_stored text;
    v_win jsonb := '{}'::jsonb;
    v_win_stamps jsonb := '{}'::jsonb;
    v_cols text;
    v_new_customer text;
    v_crossing text;
BEGIN
    IF v_table NOT IN ('customer', 'contact', 'deal', 'deal_stage_change', 'follow_up', 'contract',
                       'payment', 'customer_tag') THEN
        outcome := 'rejected'; detail := format('unknown table %s', v_table); RETURN;
    END IF;
    IF coalesce((m->>'format')::int, 0) NOT BETWEEN 1 AND 1 THEN
        outcome := 'rejected'; detail := format('mutation format %s is not supported (1)', m->>'format'); RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_each_text(v_stamps) s WHERE s.value !~ '^[0-9]+-[0-9]+-.') THEN
        outcome := 'rejected'; detail := 'a stamp that is not a stamp'; RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_each_text(v_stamps) s
               WHERE split_part(s.value, '-', 1)::bigint > p_now_ms + 300000) THEN
        outcome := 'rejected'; detail := 'stamp from the future: the laptop clock is ahead of the server'; RETURN;
    END IF;
    -- A stamp names the laptop that made the change. A change is stamped by the laptop pushing it; a re-push
    -- after a restore by any laptop of the same rep (another rep's laptop id would let one rep pose as another).
    IF EXISTS (SELECT 1 FROM jsonb_each_text(v_stamps) s
                WHERE regexp_replace(s.value, '^[0-9]+-[0-9]+-', '') <> p_client
                  AND (v_kind <> 'repush' OR NOT EXISTS (
                       SELECT 1 FROM sync.client c
                        WHERE c.client_id = regexp_replace(s.value, '^[0-9]+-[0-9]+-', '') AND c.rep = p_rep))) THEN
        outcome := 'rejected'; detail := 'stamp of another laptop'; RETURN;
    END IF;
    -- Times a rule depends on cannot lie ahead of the server's clock.
    IF EXISTS (SELECT 1 FROM jsonb_each_text(v_changes) c
               WHERE c.key IN ('at', 'created_at') AND c.value IS NOT NULL
                 AND c.value::timestamptz > sync.now() + interval '5 minutes') THEN
        outcome := 'rejected'; detail := 'a time in the future: the laptop clock is ahead of the server'; RETURN;
    END IF;
    -- Fields the server owns: identity, bookkeeping, and who holds the customer. Unknown fields are dropped.
    v_changes := v_changes - 'id' - 'txid' - 'stamps' - 'owner' - 'claimed_at';
    IF v_table IN ('deal_stage_change', 'payment') THEN
        v_changes := v_changes - 'customer_id';
    END IF;
    SELECT coalesce(jsonb_object_agg(c.key, c.value), '{}'::jsonb) INTO v_changes FROM jsonb_each(v_changes) c
     WHERE c.key IN (SELECT a.attname FROM pg_attribute a
                      WHERE a.attrelid = format('crm.%I', v_table)::regclass AND a.attnum > 0 AND NOT a.attisdropped);

    v_customer := sync.customer_of(v_table, v_id, v_changes);
    SELECT c.owner INTO v_owner FROM crm.customer c WHERE c.id = v_customer FOR UPDATE;
    EXECUTE format('SELECT to_jsonb(t) FROM crm.%I t WHERE id = $1 FOR UPDATE', v_table) INTO v_row USING v_id;
    v_exists := v_row IS NOT NULL;

    IF v_table = 'customer' AND NOT v_exists THEN
        NULL;  -- a new customer: it becomes the caller's
    ELSIF v_customer IS NULL OR NOT EXISTS (SELECT 1 FROM crm.customer WHERE id = v_customer) THEN
        outcome := 'rejected'; detail := 'its customer is not on the server'; RETURN;
    ELSIF v_table = 'follow_up' AND NOT v_exists AND v_owner IS DISTINCT FROM p_rep AND NOT sync.is_manager()
          AND sync.held_at(p_rep, v_customer, (v_changes->>'at')::timestamptz) THEN
        NULL;  -- history belongs to the customer: logged while the rep held it, kept whoever holds it now
    ELSIF v_owner IS DISTINCT FROM p_rep AND NOT sync.is_manager() THEN
        outcome := 'rejected';
        detail := CASE WHEN v_owner IS NULL THEN 'the customer is in the pool now'
                       ELSE 'the customer is no longer yours' END;
        RETURN;
    END IF;
    IF v_table <> 'customer' AND v_changes ? 'customer_id' AND v_changes->>'customer_id' <> v_customer THEN
        -- A record moved to another customer (a merge): the caller must hold that one too.
        v_new_customer := v_changes->>'customer_id';
    ELSIF v_table = 'customer' AND v_changes->>'merged_into' IS NOT NULL AND v_changes->>'merged_into' <> v_id
          AND (v_row->>'merged_into') IS DISTINCT FROM (v_changes->>'merged_into') THEN
        v_new_customer := v_changes->>'merged_into';  -- a merge takes the customer's records there
    END IF;
    IF v_new_customer IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM crm.customer WHERE id = v_new_customer AND (owner = p_rep OR sync.is_manager())) THEN
        outcome := 'rejected'; detail := 'the customer it moves to is not yours'; RETURN;
    END IF;

    IF v_exists THEN
        v_changes := v_changes - 'created_at';  -- set once, by the insert
    END IF;
    IF NOT v_exists THEN
        IF v_table = 'customer' THEN
            v_changes := v_changes || jsonb_build_object('owner', p_rep);
        ELSIF v_table IN ('deal_stage_change', 'payment') THEN
            v_changes := v_changes || jsonb_build_object('customer_id', v_customer);
        END IF;
        SELECT string_agg(quote_ident(k), ', ') INTO v_cols FROM jsonb_object_keys(v_changes) k;
        EXECUTE format('INSERT INTO crm.%I (id, stamps, %s) SELECT $1, $2, %s FROM jsonb_populate_record(NULL::crm.%I, $3) r',
                       v_table, v_cols, (SELECT string_agg('r.' || quote_ident(k), ', ') FROM jsonb_object_keys(v_changes) k),
                       v_table)
            USING v_id, v_stamps, v_changes;
        v_win := v_changes;
        v_win_stamps := v_stamps;
        outcome := 'applied';
    ELSE
        FOR v_field IN SELECT jsonb_object_keys(v_changes) LOOP
            v_in := v_stamps->>v_field;
            v_stored := v_row->'stamps'->>v_field;
            IF v_in IS NULL THEN
                CONTINUE;
            ELSIF v_stored IS NULL OR v_in > v_stored THEN
                v_win := v_win || jsonb_build_object(v_field, v_changes->v_field);
                v_win_stamps := v_win_stamps || jsonb_build_object(v_field, v_in);
                IF v_stored IS NOT NULL AND v_kind <> 'repush' AND v_field NOT IN ('created_at', 'updated_at')
                   AND (v_base->>v_field) IS DISTINCT FROM v_stored
                   AND (v_row->v_field) IS DISTINCT FROM (v_changes->v_field) THEN
                    -- The writer never saw the value it overwrites: a real conflict; the older one lost.
                    INSERT INTO sync.conflict (record_table, record_id, customer_id, field, kept_value, kept_by,
                                               kept_stamp, lost_value, lost_by, lost_stamp)
                    VALUES (v_table, v_id, v_customer, v_field, v_changes->v_field, p_rep, v_in,
                            v_row->v_field, sync.rep_of_stamp(v_stored), v_stored);
                END IF;
            ELSIF v_in < v_stored AND v_kind <> 'repush' AND v_field NOT IN ('created_at', 'updated_at')
                  AND (v_row->v_field) IS DISTINCT FROM (v_changes->v_field) THEN
                INSERT INTO sync.conflict (record_table, record_id, customer_id, field, kept_value, kept_by,
                                           kept_stamp, lost_value, lost_by, lost_stamp)
                VALUES (v_table, v_id, v_customer, v_field, v_row->v_field, sync.rep_of_stamp(v_stored), v_stored,
                        v_changes->v_field, p_rep, v_in);
            END IF;
        END LOOP;
        IF v_win = '{}'::jsonb THEN
            outcome := 'superseded'; detail := 'a newer value was already on the server';
        ELSE
            SELECT string_agg(format('%I = r.%I', k, k), ', ') INTO v_cols FROM jsonb_object_keys(v_win) k;
            EXECUTE format('UPDATE crm.%I t SET %s, stamps = t.stamps || $2 FROM jsonb_populate_record(NULL::crm.%I, $3) r'
                           ' WHERE t.id = $1', v_table, v_cols, v_table)
                USING v_id, v_win_stamps, v_win;
            IF v_table <> 'customer' AND v_win ? 'customer_id' THEN
                -- Children of a moved record follow it (their customer_id is denormalised).
                IF v_table = 'deal' THEN
                    UPDATE crm.deal_stage_change SET customer_id = v_win->>'customer_id' WHERE deal_id = v_id;
                ELSIF v_table = 'contract' THEN
                    UPDATE crm.payment SET customer_id = v_win->>'customer_id' WHERE contract_id = v_id;
                END IF;
            END IF;
            outcome := 'applied';
        END IF;
    END IF;

    IF v_table = 'customer' AND v_win->>'merged_into' IS NOT NULL AND v_win->>'merged_into' <> v_id THEN
        PERFORM sync.move_merged(v_id, v_win->>'merged_into', v_win_stamps->>'merged_into');
    END IF;
    -- Everything a record refers to belongs to its own customer: a laptop holds whole customers, and a
    -- reference into another one is a row the pull of whoever holds this customer could not store.
    v_crossing := sync.crossing_reference(v_table, v_id,
                                          v_exists AND v_table <> 'customer' AND v_win ? 'customer_id');
    IF v_crossing IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', DETAIL = v_crossing,
              MESSAGE = CASE WHEN v_crossing LIKE '%.%' THEN 'records of another customer refer to it'
                             ELSE 'it refers to a record of another customer' END;
    END IF;
    IF v_table = 'follow_up' AND NOT v_exists THEN
        PERFORM sync.restore_first_contact(
            p_rep, p_client, v_customer, v_id, (v_changes->>'at')::timestamptz,
            to_timestamp(split_part(v_stamps->>'at', '-', 1)::float8 / 1000));
    END IF;
    EXECUTE format('SELECT to_jsonb(t) - ''txid'' FROM crm.%I t WHERE id = $1', v_table) INTO row_after USING v_id;
END $$;
""".replace("{BACKDATED}", BACKDATED)

GRANTS = r"""
DROP FUNCTION sync.restore_first_contact(text, text, timestamptz);
-- Owners and grants like their neighbours': whoever owns and may call sync.push owns and may call these;
-- nothing for PUBLIC. The new table belongs to the tables' owner, written only by the functions' owner.
DO $$
DECLARE
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
    v_owner regrole := (SELECT relowner::regrole FROM pg_class WHERE oid = 'crm.customer'::regclass);
    v_grantee text;
    v_fn text;
BEGIN
    FOREACH v_fn IN ARRAY ARRAY['sync.crossing_reference(text, text, boolean)', 'sync.move_merged(text, text, text)',
                                'sync.restore_first_contact(text, text, text, text, timestamptz, timestamptz)',
                                'sync.begin_pull(text)'] LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %s', v_fn, v_api);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_fn);
    END LOOP;
    EXECUTE format('ALTER TABLE sync.backdated_follow_up OWNER TO %s', v_owner);
    REVOKE ALL ON sync.backdated_follow_up FROM PUBLIC;
    ALTER TABLE sync.backdated_follow_up ENABLE ROW LEVEL SECURITY;
    ALTER TABLE sync.backdated_follow_up FORCE ROW LEVEL SECURITY;
    EXECUTE format('GRANT SELECT, INSERT ON sync.backdated_follow_up TO %s', v_api);
    EXECUTE format('GRANT USAGE ON SEQUENCE sync.backdated_follow_up_id_seq TO %s', v_api);
    EXECUTE format('CREATE POLICY api_all ON sync.backdated_follow_up TO %s USING (true) WITH CHECK (true)', v_api);
    -- A rep sees the decisions on their own follow-ups; a manager sees everyone's.
    CREATE POLICY read_own_or_manager ON sync.backdated_follow_up FOR SELECT
        USING (rep = session_user OR sync.is_manager());
    FOR v_grantee IN
        SELECT DISTINCT a.grantee::regrole::text
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'sync.push(text, jsonb)'::regprocedure AND a.privilege_type = 'EXECUTE'
           AND a.grantee <> p.proowner AND a.grantee <> 0
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION sync.begin_pull(text) TO %s', v_grantee);
        EXECUTE format('GRANT SELECT ON sync.backdated_follow_up TO %s', v_grantee);
    END LOOP;
END $$;
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(FUNCTIONS)
    op.execute(GRANTS)


def _s0001_function(name: str) -> str:
    """One function's definition as revision s0001 made it, to put back on a downgrade."""
    from importlib import import_module

    s0001 = import_module("crmtui.server.migrations.versions.s0001_team_schema")
    found = re.search(rf"CREATE FUNCTION sync\.{name}\(.*?END \$\$;\n", s0001.FUNCTIONS, re.S)  # plpgsql ones
    assert found, name
    return found.group(0).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def downgrade() -> None:
    op.execute("DROP FUNCTION sync.begin_pull(text), sync.move_merged(text, text, text),"
               " sync.crossing_reference(text, text, boolean),"
               " sync.restore_first_contact(text, text, text, text, timestamptz, timestamptz)")
    op.execute(_s0001_function("apply_mutation"))
    op.execute(_s0001_function("restore_first_contact"))
    op.execute("""
DO $$
DECLARE
    v_api regrole := (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure);
BEGIN
    EXECUTE format('ALTER FUNCTION sync.restore_first_contact(text, text, timestamptz) OWNER TO %s', v_api);
    REVOKE ALL ON FUNCTION sync.restore_first_contact(text, text, timestamptz) FROM PUBLIC;
END $$;
""")
    op.execute("DROP TABLE sync.backdated_follow_up")
    op.execute("ALTER TABLE sync.client DROP COLUMN last_pull_at")
    for index in ("crm.follow_up_deal", "crm.follow_up_contact", "crm.contract_deal", "crm.deal_stage_change_deal",
                  "crm.payment_contract"):
        op.execute(f"DROP INDEX IF EXISTS {index}")
