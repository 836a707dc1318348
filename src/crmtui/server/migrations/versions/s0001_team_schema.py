"""The team schema: data tables under row-level security, the sync bookkeeping, the pool, the write functions.

Revision ID: s0001
Revises:

Roles (created by `crm server init` before this runs, since roles belong to the cluster):
crm_owner (NOLOGIN) owns the tables; crm_api (NOLOGIN) owns the SECURITY DEFINER functions and is
the only role allowed to write; crm_rep and crm_manager (groups) may SELECT, through policies that
name `session_user`; crm_admin (group) may run the admin functions.
"""

from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None

COMMON = """
    id text PRIMARY KEY,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stamps jsonb NOT NULL DEFAULT '{}'::jsonb,
"""

# Same columns as the local store (crmtui.store.models); a test keeps the two in step. Every child
# table carries customer_id on the server (denormalised for deal_stage_change and payment) so that
# row-level security and the pull can ask one question: whose customer is this?
TABLES = {
    "customer": """
    name text NOT NULL, name_key text NOT NULL, pinyin text NOT NULL DEFAULT '',
    kind text NOT NULL DEFAULT 'company', company text, industry text, region text, source text,
    interest text, phone text, phone_key text, email text, email_key text, wechat text,
    status text NOT NULL DEFAULT 'lead', tier text NOT NULL DEFAULT 'C', score integer NOT NULL DEFAULT 0,
    owner text, next_follow_up_at timestamptz, last_contact_at timestamptz, merged_into text,
    claimed_at timestamptz
    """,
    "contact": """
    customer_id text NOT NULL REFERENCES crm.customer(id), name text NOT NULL,
    name_key text NOT NULL DEFAULT '', pinyin text NOT NULL DEFAULT '', title text, phone text,
    phone_key text, email text, email_key text, wechat text,
    decision_maker boolean NOT NULL DEFAULT false, birthday date
    """,
    "deal": """
    customer_id text NOT NULL REFERENCES crm.customer(id), title text NOT NULL, amount_cents bigint,
    quoted_cents bigint, expected_close date, stage text NOT NULL, probability integer NOT NULL DEFAULT 0,
    competitor text, lost_reason text, stage_entered_at timestamptz NOT NULL
    """,
    "deal_stage_change": """
    deal_id text NOT NULL REFERENCES crm.deal(id), customer_id text NOT NULL REFERENCES crm.customer(id),
    from_stage text, to_stage text NOT NULL, at timestamptz NOT NULL
    """,
    "follow_up": """
    customer_id text NOT NULL REFERENCES crm.customer(id), contact_id text REFERENCES crm.contact(id),
    deal_id text REFERENCES crm.deal(id), at timestamptz NOT NULL, channel text NOT NULL, goal text NOT NULL,
    goal_met boolean NOT NULL, notes text NOT NULL, next_plan text, next_at timestamptz
    """,
    "contract": """
    deal_id text NOT NULL REFERENCES crm.deal(id), customer_id text NOT NULL REFERENCES crm.customer(id),
    number text NOT NULL, amount_cents bigint NOT NULL, signed_on date NOT NULL, end_on date
    """,
    "payment": """
    contract_id text NOT NULL REFERENCES crm.contract(id), customer_id text NOT NULL REFERENCES crm.customer(id),
    amount_cents bigint NOT NULL, due_on date NOT NULL, paid_on date
    """,
    "customer_tag": """
    customer_id text NOT NULL REFERENCES crm.customer(id), tag text NOT NULL
    """,
}

SCHEMA = r"""
-- The team's clock: now() plus an offset only the admin can set (tests move it; keep it 0 in production).
CREATE TABLE sync.server_info (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO sync.server_info VALUES
    ('schema_version', '1'), ('format_min', '1'), ('format_max', '1'),
    ('epoch', gen_random_uuid()::text), ('clock_offset_seconds', '0'), ('last_reclaim', '-infinity');

CREATE FUNCTION sync.now() RETURNS timestamptz LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$ SELECT now() + make_interval(secs => (SELECT value::float8 FROM sync.server_info
                                                WHERE key = 'clock_offset_seconds')) $$;

CREATE TABLE crm.rep (
    name text PRIMARY KEY,
    manager boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE crm.pool_rule (
    id integer PRIMARY KEY CHECK (id = 1),
    reclaim_days integer NOT NULL DEFAULT 30 CHECK (reclaim_days > 0),
    claim_limit integer NOT NULL DEFAULT 3 CHECK (claim_limit >= 0),
    first_contact_hours integer NOT NULL DEFAULT 48 CHECK (first_contact_hours > 0),
    relock_days integer NOT NULL DEFAULT 7 CHECK (relock_days >= 0),
    max_held integer CHECK (max_held > 0),
    warn_days integer NOT NULL DEFAULT 3 CHECK (warn_days >= 0),
    timezone text NOT NULL DEFAULT 'Asia/Shanghai',  -- where a claim "day" starts
    txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
INSERT INTO crm.pool_rule (id) VALUES (1);

-- When a customer changes hands: read by the reps it concerns (docs/sync.md).
CREATE TABLE crm.access_change (
    id bigserial PRIMARY KEY,
    customer_id text NOT NULL,
    rep text NOT NULL,
    change text NOT NULL CHECK (change IN ('gained', 'lost')),
    reason text NOT NULL,   -- claim | release | reassign | reclaim | first_contact | removed | restored
    at timestamptz NOT NULL,
    claimed_at timestamptz, -- the claim a loss ends (the 48 h rule may give it back)
    txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX access_change_rep ON crm.access_change (rep, txid);
CREATE INDEX access_change_customer ON crm.access_change (customer_id, rep, at);

CREATE TABLE sync.client (
    client_id text PRIMARY KEY,
    rep text NOT NULL,
    last_seq bigint NOT NULL DEFAULT 0,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sync.applied_mutation (
    client_id text NOT NULL REFERENCES sync.client(client_id),
    seq bigint NOT NULL,
    mutation_id text NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('applied', 'superseded', 'rejected')),
    detail text,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, seq)
);

-- A same-field conflict: the value kept and the value lost, and whose each was.
CREATE TABLE sync.conflict (
    id bigserial PRIMARY KEY,
    record_table text NOT NULL,
    record_id text NOT NULL,
    customer_id text,
    field text NOT NULL,
    kept_value jsonb,
    kept_by text,
    kept_stamp text NOT NULL,
    lost_value jsonb,
    lost_by text,
    lost_stamp text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX conflict_txid ON sync.conflict (txid);

CREATE FUNCTION sync.set_txid() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$ BEGIN NEW.txid := pg_current_xact_id(); RETURN NEW; END $$;
"""

FUNCTIONS = r"""
-- Who may do what ---------------------------------------------------------------------------------
CREATE FUNCTION sync.is_manager() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$ SELECT pg_has_role(session_user, 'crm_manager', 'MEMBER')
                 OR pg_has_role(session_user, 'crm_admin', 'MEMBER') $$;

CREATE FUNCTION sync.caller() RETURNS text LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM crm.rep WHERE name = session_user AND active) THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'not_a_rep', DETAIL = session_user;
    END IF;
    RETURN session_user;
END $$;

CREATE FUNCTION sync.rep_of_stamp(p_stamp text) RETURNS text LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$ SELECT rep FROM sync.client WHERE client_id = regexp_replace(p_stamp, '^[0-9]+-[0-9]+-', '') $$;

-- The customer a record belongs to: its own row on the server, else its parent named in the change.
CREATE FUNCTION sync.customer_of(p_table text, p_id text, p_changes jsonb) RETURNS text LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v text;
BEGIN
    IF p_table = 'customer' THEN
        RETURN p_id;
    END IF;
    EXECUTE format('SELECT customer_id FROM crm.%I WHERE id = $1', p_table) INTO v USING p_id;
    IF v IS NOT NULL THEN
        RETURN v;
    END IF;
    IF p_table = 'deal_stage_change' THEN
        SELECT customer_id INTO v FROM crm.deal WHERE id = p_changes->>'deal_id';
    ELSIF p_table = 'payment' THEN
        SELECT customer_id INTO v FROM crm.contract WHERE id = p_changes->>'contract_id';
    ELSE
        v := p_changes->>'customer_id';
    END IF;
    RETURN v;
END $$;

-- One mutation, per-field last-writer-wins by hybrid logical clock. Returns outcome, detail, row.
-- Did the rep hold the customer at that moment? (Its last hand-over to or from the rep before then, or,
-- with none before, a loss after: the rep had it from the start.)
CREATE FUNCTION sync.held_at(p_rep text, p_customer text, p_at timestamptz) RETURNS boolean LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
    SELECT coalesce(
        (SELECT change = 'gained' FROM crm.access_change
          WHERE customer_id = p_customer AND rep = p_rep AND at <= p_at ORDER BY at DESC, id DESC LIMIT 1),
        (SELECT change = 'lost' FROM crm.access_change
          WHERE customer_id = p_customer AND rep = p_rep AND at > p_at ORDER BY at, id LIMIT 1),
        false)
$$;

-- The server's copy of a record, for the rep who may see it (sent back with every outcome).
CREATE FUNCTION sync.row_for(p_rep text, p_table text, p_id text) RETURNS jsonb LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v jsonb;
BEGIN
    EXECUTE format('SELECT to_jsonb(t) - ''txid'' FROM crm.%I t WHERE id = $1', p_table) INTO v USING p_id;
    IF v IS NULL THEN
        RETURN NULL;
    END IF;
    IF sync.is_manager() OR EXISTS (SELECT 1 FROM crm.customer c
                                     WHERE c.id = coalesce(v->>'customer_id', v->>'id') AND c.owner = p_rep) THEN
        RETURN v;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION sync.apply_mutation(p_rep text, p_client text, m jsonb, p_now_ms bigint,
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
BEGIN
    IF v_table NOT IN ('customer', 'contact', 'deal', 'deal_stage_change', 'follow_up', 'contract',
                       'payment', 'customer_tag') THEN
        outcome := 'rejected'; detail := format('unknown table %s', v_table); RETURN;
    END IF;
    IF coalesce((m->>'format')::int, 0) NOT BETWEEN 1 AND 1 THEN
        outcome := 'rejected'; detail := format('mutation format %s is not supported (1)', m->>'format'); RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_each_text(v_stamps) s
               WHERE split_part(s.value, '-', 1)::bigint > p_now_ms + 300000) THEN
        outcome := 'rejected'; detail := 'stamp from the future: the laptop clock is ahead of the server'; RETURN;
    END IF;
    IF v_kind <> 'repush' AND EXISTS (SELECT 1 FROM jsonb_each_text(v_stamps) s
                                      WHERE regexp_replace(s.value, '^[0-9]+-[0-9]+-', '') <> p_client) THEN
        -- A stamp names the laptop that made the change; only a re-push after a restore carries others'.
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
        IF NOT sync.is_manager() AND NOT EXISTS (SELECT 1 FROM crm.customer WHERE id = v_new_customer
                                                 AND owner = p_rep) THEN
            outcome := 'rejected'; detail := 'the customer it moves to is not yours'; RETURN;
        END IF;
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

    IF v_table = 'follow_up' AND NOT v_exists THEN
        PERFORM sync.restore_first_contact(p_rep, v_customer, (v_changes->>'at')::timestamptz);
    END IF;
    EXECUTE format('SELECT to_jsonb(t) - ''txid'' FROM crm.%I t WHERE id = $1', v_table) INTO row_after USING v_id;
END $$;

-- Push: one batch of mutations of one client, in order; a retried batch is a no-op.
CREATE FUNCTION sync.push(p_client text, p_mutations jsonb) RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_rep text := sync.caller();
    v_client_rep text;
    v_last bigint;
    v_now_ms bigint := (extract(epoch FROM sync.now()) * 1000)::bigint;
    m jsonb;
    v_seq bigint;
    v_known text;
    v_result jsonb := '[]'::jsonb;
    r record;
BEGIN
    INSERT INTO sync.client (client_id, rep) VALUES (p_client, v_rep) ON CONFLICT (client_id) DO NOTHING;
    SELECT rep, last_seq INTO v_client_rep, v_last FROM sync.client WHERE client_id = p_client FOR UPDATE;
    IF v_client_rep <> v_rep THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'client_of_another_rep', DETAIL = v_client_rep;
    END IF;
    FOR m IN SELECT value FROM jsonb_array_elements(p_mutations) ORDER BY (value->>'seq')::bigint LOOP
        v_seq := (m->>'seq')::bigint;
        IF v_seq <= v_last THEN
            SELECT a.mutation_id, a.outcome, a.detail INTO r FROM sync.applied_mutation a
             WHERE a.client_id = p_client AND a.seq = v_seq;
            IF FOUND AND r.mutation_id <> m->>'mutation_id' THEN
                -- The same client id and sequence for another mutation: a restored or copied file.
                RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'sequence_reused', DETAIL = v_seq::text;
            END IF;
            v_result := v_result || jsonb_build_array(jsonb_build_object(
                'seq', v_seq, 'outcome', coalesce(r.outcome, 'applied'), 'detail', r.detail, 'row', NULL));
            CONTINUE;
        END IF;
        BEGIN
            SELECT * INTO r FROM sync.apply_mutation(v_rep, p_client, m, v_now_ms);
        EXCEPTION
            -- The mutation itself is wrong (bad value, broken reference, a rule): rejected and kept aside.
            -- Anything else (deadlock, disk full, shutdown) fails the batch, which the laptop retries.
            WHEN data_exception OR integrity_constraint_violation OR syntax_error_or_access_rule_violation
                 OR SQLSTATE 'CRM01' THEN
                SELECT 'rejected' AS outcome, SQLERRM AS detail,
                       sync.row_for(v_rep, m->>'table', m->>'id') AS row_after INTO r;
        END;
        IF r.outcome = 'rejected' AND r.row_after IS NULL AND m->>'table' IN ('customer', 'contact', 'deal',
           'deal_stage_change', 'follow_up', 'contract', 'payment', 'customer_tag') THEN
            r.row_after := sync.row_for(v_rep, m->>'table', m->>'id');  -- the laptop shows the server's truth
        END IF;
        INSERT INTO sync.applied_mutation (client_id, seq, mutation_id, outcome, detail)
        VALUES (p_client, v_seq, m->>'mutation_id', r.outcome, r.detail);
        v_last := v_seq;
        v_result := v_result || jsonb_build_array(jsonb_build_object(
            'seq', v_seq, 'outcome', r.outcome, 'detail', r.detail, 'row', r.row_after));
    END LOOP;
    UPDATE sync.client SET last_seq = v_last, last_seen = now() WHERE client_id = p_client;
    RETURN v_result;
END $$;

-- Pool ---------------------------------------------------------------------------------------------
CREATE FUNCTION sync.hand_over(p_customer text, p_from text, p_to text, p_reason text, p_claimed timestamptz)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
BEGIN
    UPDATE crm.customer SET owner = p_to, updated_at = sync.now(),
           claimed_at = CASE WHEN p_reason IN ('claim', 'restored') THEN p_claimed END
     WHERE id = p_customer;
    IF p_from IS NOT NULL THEN
        INSERT INTO crm.access_change (customer_id, rep, change, reason, at, claimed_at)
        VALUES (p_customer, p_from, 'lost', p_reason, sync.now(), p_claimed);
    END IF;
    IF p_to IS NOT NULL THEN
        INSERT INTO crm.access_change (customer_id, rep, change, reason, at, claimed_at)
        VALUES (p_customer, p_to, 'gained', p_reason, sync.now(), p_claimed);
    END IF;
END $$;

-- Customers that go back to the pool: no follow-up for N days and no won deal, or claimed and not
-- contacted within H hours (judged by the follow-ups' own times). Idempotent.
CREATE FUNCTION sync.reclaim() RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    rules crm.pool_rule;
    c record;
    n integer := 0;
    v_now timestamptz := sync.now();
BEGIN
    SELECT * INTO rules FROM crm.pool_rule WHERE id = 1;
    FOR c IN
        SELECT cu.id, cu.owner, cu.claimed_at,
               (cu.claimed_at IS NOT NULL AND v_now > cu.claimed_at + make_interval(hours => rules.first_contact_hours)
                AND NOT EXISTS (SELECT 1 FROM crm.follow_up f WHERE f.customer_id = cu.id AND f.deleted_at IS NULL
                                AND f.at >= cu.claimed_at
                                AND f.at <= cu.claimed_at + make_interval(hours => rules.first_contact_hours)))
                   AS missed_first_contact
          FROM crm.customer cu
         WHERE cu.owner IS NOT NULL AND cu.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM crm.deal d WHERE d.customer_id = cu.id AND d.stage = 'won'
                           AND d.deleted_at IS NULL)
           AND ((cu.claimed_at IS NOT NULL AND v_now > cu.claimed_at + make_interval(hours => rules.first_contact_hours)
                 AND NOT EXISTS (SELECT 1 FROM crm.follow_up f WHERE f.customer_id = cu.id AND f.deleted_at IS NULL
                                 AND f.at >= cu.claimed_at
                                 AND f.at <= cu.claimed_at + make_interval(hours => rules.first_contact_hours)))
                OR greatest(cu.created_at, cu.claimed_at,
                            (SELECT max(f.at) FROM crm.follow_up f WHERE f.customer_id = cu.id AND f.deleted_at IS NULL))
                   < v_now - make_interval(days => rules.reclaim_days))
           FOR UPDATE OF cu SKIP LOCKED
    LOOP
        -- Re-check on a fresh snapshot now that the row is locked: a follow-up may have just committed.
        IF NOT EXISTS (SELECT 1 FROM crm.customer cu WHERE cu.id = c.id AND cu.owner IS NOT DISTINCT FROM c.owner
                         AND NOT EXISTS (SELECT 1 FROM crm.deal d WHERE d.customer_id = cu.id AND d.stage = 'won'
                                         AND d.deleted_at IS NULL)
                         AND ((cu.claimed_at IS NOT NULL
                               AND v_now > cu.claimed_at + make_interval(hours => rules.first_contact_hours)
                               AND NOT EXISTS (SELECT 1 FROM crm.follow_up f WHERE f.customer_id = cu.id
                                               AND f.deleted_at IS NULL AND f.at >= cu.claimed_at
                                               AND f.at <= cu.claimed_at + make_interval(hours => rules.first_contact_hours)))
                              OR greatest(cu.created_at, cu.claimed_at,
                                          (SELECT max(f.at) FROM crm.follow_up f WHERE f.customer_id = cu.id
                                           AND f.deleted_at IS NULL))
                                 < v_now - make_interval(days => rules.reclaim_days))) THEN
            CONTINUE;
        END IF;
        PERFORM sync.hand_over(c.id, c.owner, NULL,
                               CASE WHEN c.missed_first_contact THEN 'first_contact' ELSE 'reclaim' END, c.claimed_at);
        n := n + 1;
    END LOOP;
    UPDATE sync.server_info SET value = v_now::text WHERE key = 'last_reclaim';
    RETURN n;
END $$;

-- Reclaim at most once a minute when a rep pulls or claims (cron runs `crm server reclaim` too).
CREATE FUNCTION sync.reclaim_lazily() RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
BEGIN
    PERFORM sync.caller();
    IF (SELECT value::timestamptz FROM sync.server_info WHERE key = 'last_reclaim') > sync.now() - interval '1 minute'
       OR NOT pg_try_advisory_xact_lock(hashtext('crmtui.reclaim')) THEN
        RETURN 0;
    END IF;
    RETURN sync.reclaim();
END $$;

-- A follow-up that arrives late but was made within H hours of the claim gives the customer back
-- to the rep who lost it by the first-contact rule, if it is still in the pool.
CREATE FUNCTION sync.restore_first_contact(p_rep text, p_customer text, p_at timestamptz) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_loss crm.access_change;
    v_hours integer := (SELECT first_contact_hours FROM crm.pool_rule WHERE id = 1);
BEGIN
    SELECT * INTO v_loss FROM crm.access_change
     WHERE customer_id = p_customer AND rep = p_rep ORDER BY id DESC LIMIT 1;
    IF FOUND AND v_loss.change = 'lost' AND v_loss.reason = 'first_contact'
       AND p_at >= v_loss.claimed_at AND p_at <= v_loss.claimed_at + make_interval(hours => v_hours)
       AND EXISTS (SELECT 1 FROM crm.customer WHERE id = p_customer AND owner IS NULL AND deleted_at IS NULL) THEN
        PERFORM sync.hand_over(p_customer, NULL, p_rep, 'restored', v_loss.claimed_at);
    END IF;
END $$;

CREATE FUNCTION sync.claim(p_customer text) RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_rep text := sync.caller();
    rules crm.pool_rule;
    c crm.customer;
    v_lost timestamptz;
    v_count integer;
    v_now timestamptz := sync.now();
BEGIN
    PERFORM sync.reclaim_lazily();
    SELECT * INTO rules FROM crm.pool_rule WHERE id = 1;
    PERFORM 1 FROM crm.rep WHERE name = v_rep FOR UPDATE;  -- one claim of this rep at a time
    SELECT * INTO c FROM crm.customer WHERE id = p_customer AND deleted_at IS NULL FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'no_such_customer', DETAIL = p_customer;
    END IF;
    IF c.owner = v_rep THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'already_yours', DETAIL = c.name;
    ELSIF c.owner IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'already_taken', DETAIL = c.name;
    END IF;
    SELECT max(at) INTO v_lost FROM crm.access_change
     WHERE customer_id = p_customer AND rep = v_rep AND change = 'lost';
    IF v_lost IS NOT NULL AND v_lost > v_now - make_interval(days => rules.relock_days) THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'relocked',
              DETAIL = to_char((v_lost + make_interval(days => rules.relock_days)) AT TIME ZONE 'UTC',
                               'YYYY-MM-DD"T"HH24:MI:SS"+00:00"');
    END IF;
    SELECT count(*) INTO v_count FROM crm.access_change
     WHERE rep = v_rep AND change = 'gained' AND reason = 'claim'
       AND at >= (date_trunc('day', v_now AT TIME ZONE rules.timezone) AT TIME ZONE rules.timezone);
    IF v_count >= rules.claim_limit THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'claim_limit', DETAIL = rules.claim_limit::text;
    END IF;
    IF rules.max_held IS NOT NULL THEN
        SELECT count(*) INTO v_count FROM crm.customer WHERE owner = v_rep AND deleted_at IS NULL;
        IF v_count >= rules.max_held THEN
            RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'max_held', DETAIL = rules.max_held::text;
        END IF;
    END IF;
    PERFORM sync.hand_over(p_customer, NULL, v_rep, 'claim', v_now);
    RETURN (SELECT to_jsonb(t) - 'txid' FROM crm.customer t WHERE id = p_customer);
END $$;

CREATE FUNCTION sync.release(p_customer text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    v_rep text := sync.caller();
    c crm.customer;
BEGIN
    SELECT * INTO c FROM crm.customer WHERE id = p_customer AND deleted_at IS NULL FOR UPDATE;
    IF NOT FOUND OR c.owner IS DISTINCT FROM v_rep THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'not_yours', DETAIL = coalesce(c.name, p_customer);
    END IF;
    PERFORM sync.hand_over(p_customer, v_rep, NULL, 'release', c.claimed_at);
END $$;

-- A manager or the admin gives a customer to a rep (or to the pool with NULL).
CREATE FUNCTION sync.reassign(p_customer text, p_rep text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    c crm.customer;
BEGIN
    IF NOT sync.is_manager() THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'managers_only', DETAIL = session_user;
    END IF;
    IF p_rep IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.rep WHERE name = p_rep AND active) THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'no_such_rep', DETAIL = p_rep;
    END IF;
    SELECT * INTO c FROM crm.customer WHERE id = p_customer AND deleted_at IS NULL FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'no_such_customer', DETAIL = p_customer;
    END IF;
    IF c.owner IS DISTINCT FROM p_rep THEN
        PERFORM sync.hand_over(p_customer, c.owner, p_rep, 'reassign', NULL);
    END IF;
END $$;

-- A rep leaves the team: their customers go back to the pool (the role itself is kept, NOLOGIN).
CREATE FUNCTION sync.retire_rep(p_rep text) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
DECLARE
    c record;
    n integer := 0;
BEGIN
    IF NOT pg_has_role(session_user, 'crm_admin', 'MEMBER') THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'admins_only', DETAIL = session_user;
    END IF;
    UPDATE crm.rep SET active = false WHERE name = p_rep;
    FOR c IN SELECT id, claimed_at FROM crm.customer WHERE owner = p_rep FOR UPDATE LOOP
        PERFORM sync.hand_over(c.id, p_rep, NULL, 'removed', c.claimed_at);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

-- The last change of this laptop the server holds: a laptop that was told of later ones knows the
-- server lost commits (a crash, a restore) and sends its copy again.
CREATE FUNCTION sync.last_seq(p_client text) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$ SELECT coalesce((SELECT last_seq FROM sync.client WHERE client_id = p_client AND rep = session_user), 0) $$;

-- Which of these record ids exist on the server at all (a laptop's reconcile tells "left me" from
-- "the server lost it"); answers nothing about records the caller did not name.
CREATE FUNCTION sync.known_rows(p_table text, p_ids text[]) RETURNS SETOF text LANGUAGE plpgsql STABLE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$
BEGIN
    PERFORM sync.caller();
    IF p_table NOT IN ('customer', 'contact', 'deal', 'deal_stage_change', 'follow_up', 'contract', 'payment',
                       'customer_tag') THEN
        RAISE EXCEPTION USING ERRCODE = 'CRM01', MESSAGE = 'unknown_table', DETAIL = p_table;
    END IF;
    RETURN QUERY EXECUTE format('SELECT id FROM crm.%I WHERE id = ANY($1)', p_table) USING p_ids;
END $$;

-- A team-wide duplicate check that answers minimally: which field matched and who holds it.
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
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    for table, columns in TABLES.items():
        op.execute(f"CREATE TABLE crm.{table} ({COMMON}{columns})")
        op.execute(f"CREATE INDEX {table}_txid ON crm.{table} (txid)")
        op.execute(f"CREATE TRIGGER {table}_txid BEFORE INSERT OR UPDATE ON crm.{table}"
                   " FOR EACH ROW EXECUTE FUNCTION sync.set_txid()")
        if table != "customer":
            op.execute(f"CREATE INDEX {table}_customer ON crm.{table} (customer_id)")
    for table in ("access_change", "pool_rule"):
        op.execute(f"CREATE TRIGGER {table}_txid BEFORE INSERT OR UPDATE ON crm.{table}"
                   " FOR EACH ROW EXECUTE FUNCTION sync.set_txid()")
    op.execute("CREATE TRIGGER conflict_txid BEFORE INSERT OR UPDATE ON sync.conflict"
               " FOR EACH ROW EXECUTE FUNCTION sync.set_txid()")
    op.execute("CREATE INDEX customer_owner ON crm.customer (owner)")
    op.execute("CREATE INDEX customer_keys ON crm.customer (phone_key, email_key)")
    op.execute("CREATE INDEX follow_up_customer_at ON crm.follow_up (customer_id, at)")
    op.execute(FUNCTIONS)
    op.execute(PRIVILEGES)


PRIVILEGES = r"""
-- Ownership: tables to crm_owner, functions to crm_api (the only writer); nothing for PUBLIC.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('crm', 'sync')
             AND tablename <> 'alembic_version' LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO crm_owner', r.schemaname, r.tablename);
        EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', r.schemaname, r.tablename);
        EXECUTE format('ALTER TABLE %I.%I FORCE ROW LEVEL SECURITY', r.schemaname, r.tablename);
        EXECUTE format('REVOKE ALL ON %I.%I FROM PUBLIC', r.schemaname, r.tablename);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.%I TO crm_api', r.schemaname, r.tablename);
        EXECUTE format('CREATE POLICY api_all ON %I.%I TO crm_api USING (true) WITH CHECK (true)',
                       r.schemaname, r.tablename);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'sync' LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO crm_api', r.sig);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', r.sig);
    END LOOP;
END $$;
ALTER SCHEMA crm OWNER TO crm_owner;
ALTER SCHEMA sync OWNER TO crm_owner;
REVOKE ALL ON SCHEMA crm, sync FROM PUBLIC;
GRANT USAGE ON SCHEMA crm, sync TO crm_api, crm_rep, crm_manager, crm_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA crm, sync TO crm_api;
-- The api role runs the functions that reps call: it needs EXECUTE on the helpers it calls.
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA sync TO crm_api;

-- Reads: a rep sees their own customers, everything hanging off them, and the pool; a manager all.
CREATE POLICY rep_read ON crm.customer FOR SELECT TO crm_rep USING (owner = session_user OR owner IS NULL);
CREATE POLICY manager_read ON crm.customer FOR SELECT TO crm_manager USING (true);
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contact', 'deal', 'deal_stage_change', 'follow_up', 'contract', 'payment',
                             'customer_tag'] LOOP
        EXECUTE format('CREATE POLICY rep_read ON crm.%I FOR SELECT TO crm_rep USING ('
                       'EXISTS (SELECT 1 FROM crm.customer c WHERE c.id = customer_id))', t);
        EXECUTE format('CREATE POLICY manager_read ON crm.%I FOR SELECT TO crm_manager USING (true)', t);
        EXECUTE format('GRANT SELECT ON crm.%I TO crm_rep, crm_manager', t);
    END LOOP;
END $$;
GRANT SELECT ON crm.customer, crm.access_change, crm.pool_rule, crm.rep, sync.conflict, sync.server_info
    TO crm_rep, crm_manager;
CREATE POLICY rep_read ON crm.access_change FOR SELECT TO crm_rep USING (rep = session_user);
CREATE POLICY manager_read ON crm.access_change FOR SELECT TO crm_manager USING (true);
CREATE POLICY everyone_read ON crm.pool_rule FOR SELECT TO crm_rep, crm_manager USING (true);
CREATE POLICY everyone_read ON crm.rep FOR SELECT TO crm_rep, crm_manager USING (true);
CREATE POLICY everyone_read ON sync.server_info FOR SELECT TO crm_rep, crm_manager
    USING (key IN ('schema_version', 'format_min', 'format_max', 'epoch'));
CREATE POLICY rep_read ON sync.conflict FOR SELECT TO crm_rep
    USING (kept_by = session_user OR lost_by = session_user);
CREATE POLICY manager_read ON sync.conflict FOR SELECT TO crm_manager USING (true);

GRANT EXECUTE ON FUNCTION sync.now(), sync.push(text, jsonb), sync.claim(text), sync.release(text),
    sync.reclaim_lazily(), sync.find_duplicate(text, text, text), sync.is_manager(), sync.known_rows(text, text[]), sync.last_seq(text)
    TO crm_rep, crm_manager;
GRANT EXECUTE ON FUNCTION sync.reassign(text, text) TO crm_manager, crm_admin;
GRANT EXECUTE ON FUNCTION sync.reclaim(), sync.retire_rep(text), sync.now() TO crm_admin;
"""


def downgrade() -> None:
    op.execute("DROP SCHEMA crm CASCADE")
    op.execute("DROP TABLE sync.server_info, sync.client, sync.applied_mutation, sync.conflict CASCADE")
