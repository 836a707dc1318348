"""The schema of a new database: the statements SQLite holds for a file brought to REVISION by every
migration. Written by `python -m crmtui.store.schema` (store/schema.py); do not edit by hand."""

REVISION = '0015'

STATEMENTS = (
    'CREATE TABLE alembic_version (\n'
    '\tversion_num VARCHAR(32) NOT NULL, \n'
    '\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n'
    ')',
    'CREATE TABLE customer (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    name VARCHAR NOT NULL,\n'
    '    name_key VARCHAR NOT NULL,\n'
    '    pinyin VARCHAR NOT NULL,\n'
    '    kind VARCHAR NOT NULL,\n'
    '    company VARCHAR,\n'
    '    industry VARCHAR,\n'
    '    region VARCHAR,\n'
    '    source VARCHAR,\n'
    '    interest VARCHAR,\n'
    '    phone VARCHAR,\n'
    '    phone_key VARCHAR,\n'
    '    email VARCHAR,\n'
    '    email_key VARCHAR,\n'
    '    wechat VARCHAR,\n'
    '    status VARCHAR NOT NULL,\n'
    '    tier VARCHAR NOT NULL,\n'
    '    score INTEGER NOT NULL,\n'
    '    owner VARCHAR,\n'
    '    next_follow_up_at DATETIME,\n'
    '    last_contact_at DATETIME,\n'
    '    merged_into VARCHAR, claimed_at DATETIME, notes VARCHAR, consent_source VARCHAR, consent_on DATE, do_not_contact BOOLEAN NOT NULL DEFAULT 0, do_not_contact_on DATE, do_not_contact_reason VARCHAR, erased_at DATETIME, service_months INTEGER, service_from DATE, warranty_until DATE,\n'
    '    PRIMARY KEY (id)\n'
    ')',
    'CREATE TABLE meta (\n'
    '    "key" VARCHAR NOT NULL,\n'
    '    value VARCHAR NOT NULL,\n'
    '    PRIMARY KEY ("key")\n'
    ')',
    'CREATE TABLE outbox (\n'
    '    seq INTEGER NOT NULL,\n'
    '    mutation_id VARCHAR NOT NULL,\n'
    '    client_id VARCHAR NOT NULL,\n'
    '    kind VARCHAR NOT NULL,\n'
    '    record_table VARCHAR NOT NULL,\n'
    '    record_id VARCHAR NOT NULL,\n'
    '    changes VARCHAR NOT NULL,\n'
    '    stamps VARCHAR NOT NULL,\n'
    '    format_version INTEGER NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    state VARCHAR NOT NULL,\n'
    '    detail VARCHAR, base VARCHAR,\n'
    '    PRIMARY KEY (seq)\n'
    ')',
    'CREATE TABLE contact (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    customer_id VARCHAR NOT NULL,\n'
    '    name VARCHAR NOT NULL,\n'
    '    name_key VARCHAR NOT NULL,\n'
    '    pinyin VARCHAR NOT NULL,\n'
    '    title VARCHAR,\n'
    '    phone VARCHAR,\n'
    '    phone_key VARCHAR,\n'
    '    email VARCHAR,\n'
    '    email_key VARCHAR,\n'
    '    wechat VARCHAR,\n'
    '    decision_maker BOOLEAN NOT NULL,\n'
    '    birthday DATE, consent_source VARCHAR, consent_on DATE, do_not_contact BOOLEAN NOT NULL DEFAULT 0, do_not_contact_on DATE, do_not_contact_reason VARCHAR, erased_at DATETIME,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(customer_id) REFERENCES customer (id)\n'
    ')',
    'CREATE TABLE customer_tag (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    customer_id VARCHAR NOT NULL,\n'
    '    tag VARCHAR NOT NULL,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(customer_id) REFERENCES customer (id)\n'
    ')',
    'CREATE TABLE deal (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    customer_id VARCHAR NOT NULL,\n'
    '    title VARCHAR NOT NULL,\n'
    '    amount_cents INTEGER,\n'
    '    quoted_cents INTEGER,\n'
    '    expected_close DATE,\n'
    '    stage VARCHAR NOT NULL,\n'
    '    probability INTEGER NOT NULL,\n'
    '    competitor VARCHAR,\n'
    '    lost_reason VARCHAR,\n'
    '    stage_entered_at DATETIME NOT NULL, external_id VARCHAR, owner_name VARCHAR, imported_from VARCHAR,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(customer_id) REFERENCES customer (id)\n'
    ')',
    'CREATE TABLE contract (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    deal_id VARCHAR NOT NULL,\n'
    '    customer_id VARCHAR NOT NULL,\n'
    '    number VARCHAR NOT NULL,\n'
    '    amount_cents INTEGER NOT NULL,\n'
    '    signed_on DATE NOT NULL,\n'
    '    end_on DATE, service_months INTEGER, service_from DATE, warranty_until DATE,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(deal_id) REFERENCES deal (id),\n'
    '    FOREIGN KEY(customer_id) REFERENCES customer (id)\n'
    ')',
    'CREATE TABLE deal_stage_change (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    deal_id VARCHAR NOT NULL,\n'
    '    from_stage VARCHAR,\n'
    '    to_stage VARCHAR NOT NULL,\n'
    '    at DATETIME NOT NULL,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(deal_id) REFERENCES deal (id)\n'
    ')',
    'CREATE TABLE follow_up (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    customer_id VARCHAR NOT NULL,\n'
    '    contact_id VARCHAR,\n'
    '    deal_id VARCHAR,\n'
    '    at DATETIME NOT NULL,\n'
    '    channel VARCHAR NOT NULL,\n'
    '    goal VARCHAR NOT NULL,\n'
    '    goal_met BOOLEAN NOT NULL,\n'
    '    notes VARCHAR NOT NULL,\n'
    '    next_plan VARCHAR,\n'
    '    next_at DATETIME, author VARCHAR, corrects_id VARCHAR, imported_from VARCHAR, external_id VARCHAR, satisfaction INTEGER, nps INTEGER,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(customer_id) REFERENCES customer (id),\n'
    '    FOREIGN KEY(contact_id) REFERENCES contact (id),\n'
    '    FOREIGN KEY(deal_id) REFERENCES deal (id)\n'
    ')',
    'CREATE TABLE payment (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    contract_id VARCHAR NOT NULL,\n'
    '    amount_cents INTEGER NOT NULL,\n'
    '    due_on DATE NOT NULL,\n'
    '    paid_on DATE,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(contract_id) REFERENCES contract (id)\n'
    ')',
    "CREATE VIRTUAL TABLE follow_up_fts USING fts5(ref UNINDEXED, body, tokenize='trigram')",
    'CREATE TABLE sync_stamp (\n'
    '    record_table VARCHAR NOT NULL,\n'
    '    record_id VARCHAR NOT NULL,\n'
    '    stamps VARCHAR NOT NULL,\n'
    '    PRIMARY KEY (record_table, record_id)\n'
    ')',
    'CREATE TABLE sync_conflict (\n'
    '    id INTEGER NOT NULL,\n'
    '    record_table VARCHAR NOT NULL,\n'
    '    record_id VARCHAR NOT NULL,\n'
    '    customer_id VARCHAR,\n'
    '    field VARCHAR NOT NULL,\n'
    '    kept_value VARCHAR,\n'
    '    kept_by VARCHAR,\n'
    '    lost_value VARCHAR,\n'
    '    lost_by VARCHAR,\n'
    '    at DATETIME NOT NULL,\n'
    '    PRIMARY KEY (id)\n'
    ')',
    "CREATE VIRTUAL TABLE contact_fts USING fts5(ref UNINDEXED, body, tokenize='trigram')",
    "CREATE VIRTUAL TABLE deal_fts USING fts5(ref UNINDEXED, body, tokenize='trigram')",
    "CREATE VIRTUAL TABLE contract_fts USING fts5(ref UNINDEXED, body, tokenize='trigram')",
    "CREATE VIRTUAL TABLE customer_tag_fts USING fts5(ref UNINDEXED, body, tokenize='trigram')",
    'CREATE TABLE sync_set_aside (\n'
    '    record_table VARCHAR NOT NULL,\n'
    '    record_id VARCHAR NOT NULL,\n'
    '    row VARCHAR NOT NULL,\n'
    '    reason VARCHAR NOT NULL,\n'
    '    reference VARCHAR,\n'
    '    at DATETIME NOT NULL,\n'
    '    PRIMARY KEY (record_table, record_id)\n'
    ')',
    'CREATE TABLE change_log (\n'
    '    seq INTEGER NOT NULL,\n'
    '    action_id VARCHAR,\n'
    '    at DATETIME,\n'
    '    record_table VARCHAR NOT NULL,\n'
    '    record_id VARCHAR NOT NULL,\n'
    '    customer_id VARCHAR,\n'
    '    field VARCHAR,\n'
    '    old_value VARCHAR,\n'
    '    new_value VARCHAR,\n'
    '    kind VARCHAR NOT NULL,\n'
    '    actor VARCHAR,\n'
    '    source VARCHAR,\n'
    '    undone_by VARCHAR,\n'
    '    PRIMARY KEY (seq)\n'
    ')',
    'CREATE TABLE change_action (\n'
    '    action_id VARCHAR NOT NULL,\n'
    '    at DATETIME,\n'
    '    source VARCHAR NOT NULL,\n'
    '    actor VARCHAR,\n'
    '    what VARCHAR,\n'
    '    undoes VARCHAR, cut_by_erasure BOOLEAN NOT NULL DEFAULT 0,\n'
    '    PRIMARY KEY (action_id)\n'
    ')',
    "CREATE VIRTUAL TABLE customer_fts USING fts5(ref UNINDEXED, body, tokenize='trigram')",
    'CREATE TABLE revisit (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    customer_id VARCHAR NOT NULL,\n'
    '    deal_id VARCHAR,\n'
    '    due_on DATE NOT NULL,\n'
    '    purpose VARCHAR NOT NULL,\n'
    '    channel VARCHAR,\n'
    '    follow_up_id VARCHAR,\n'
    '    done_at DATETIME,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(customer_id) REFERENCES customer (id),\n'
    '    FOREIGN KEY(deal_id) REFERENCES deal (id)\n'
    ')',
    'CREATE TABLE ticket (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    customer_id VARCHAR NOT NULL,\n'
    '    contract_id VARCHAR,\n'
    '    number VARCHAR NOT NULL,\n'
    '    title VARCHAR NOT NULL,\n'
    '    kind VARCHAR NOT NULL,\n'
    '    priority VARCHAR NOT NULL,\n'
    '    status VARCHAR NOT NULL,\n'
    '    opened_at DATETIME NOT NULL,\n'
    '    respond_by DATETIME NOT NULL,\n'
    '    resolve_by DATETIME NOT NULL,\n'
    '    due_on DATE,\n'
    '    responded_at DATETIME,\n'
    '    resolved_at DATETIME,\n'
    '    closed_at DATETIME,\n'
    '    resolution VARCHAR,\n'
    '    satisfaction INTEGER,\n'
    '    author VARCHAR,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(customer_id) REFERENCES customer (id),\n'
    '    FOREIGN KEY(contract_id) REFERENCES contract (id)\n'
    ')',
    'CREATE TABLE ticket_event (\n'
    '    id VARCHAR NOT NULL,\n'
    '    created_at DATETIME NOT NULL,\n'
    '    updated_at DATETIME NOT NULL,\n'
    '    deleted_at DATETIME,\n'
    '    ticket_id VARCHAR NOT NULL,\n'
    '    at DATETIME NOT NULL,\n'
    '    from_status VARCHAR,\n'
    '    to_status VARCHAR,\n'
    '    note VARCHAR,\n'
    '    author VARCHAR,\n'
    '    PRIMARY KEY (id),\n'
    '    FOREIGN KEY(ticket_id) REFERENCES ticket (id)\n'
    ')',
    'CREATE INDEX ix_customer_email_key ON customer (email_key)',
    'CREATE INDEX ix_customer_name_key ON customer (name_key)',
    'CREATE INDEX ix_customer_next_follow_up_at ON customer (next_follow_up_at)',
    'CREATE INDEX ix_customer_phone_key ON customer (phone_key)',
    'CREATE INDEX ix_contact_customer_id ON contact (customer_id)',
    'CREATE INDEX ix_contact_email_key ON contact (email_key)',
    'CREATE INDEX ix_contact_phone_key ON contact (phone_key)',
    'CREATE INDEX ix_customer_tag_customer_id ON customer_tag (customer_id)',
    'CREATE INDEX ix_deal_customer_id ON deal (customer_id)',
    'CREATE INDEX ix_deal_stage ON deal (stage)',
    'CREATE INDEX ix_contract_customer_id ON contract (customer_id)',
    'CREATE INDEX ix_contract_deal_id ON contract (deal_id)',
    'CREATE INDEX ix_deal_stage_change_deal_id ON deal_stage_change (deal_id)',
    'CREATE INDEX ix_follow_up_customer_id ON follow_up (customer_id)',
    'CREATE INDEX ix_payment_contract_id ON payment (contract_id)',
    'CREATE INDEX ix_follow_up_customer_at ON follow_up (customer_id, at)',
    'CREATE INDEX ix_customer_status ON customer (status)',
    'CREATE INDEX ix_contract_end_on ON contract (end_on)',
    'CREATE INDEX ix_payment_due_on ON payment (due_on)',
    'CREATE INDEX ix_outbox_state_seq ON outbox (state, seq)',
    'CREATE INDEX ix_follow_up_corrects_id ON follow_up (corrects_id)',
    'CREATE INDEX ix_change_log_customer ON change_log (customer_id, seq)',
    'CREATE INDEX ix_change_log_action ON change_log (action_id)',
    'CREATE INDEX ix_change_action_at ON change_action (at)',
    'CREATE INDEX ix_deal_external_id ON deal (external_id)',
    'CREATE INDEX ix_follow_up_external_id ON follow_up (external_id)',
    'CREATE INDEX ix_contact_name_key ON contact (name_key)',
    'CREATE INDEX ix_follow_up_live_at ON follow_up (at, customer_id, deleted_at) WHERE deleted_at IS NULL',
    'CREATE INDEX ix_follow_up_deleted ON follow_up (customer_id) WHERE deleted_at IS NOT NULL',
    'CREATE INDEX ix_deal_stage_change_live_at ON deal_stage_change (at, deal_id, deleted_at) WHERE deleted_at IS NULL',
    'CREATE INDEX ix_revisit_customer_id ON revisit (customer_id)',
    'CREATE INDEX ix_revisit_open_due ON revisit (due_on) WHERE follow_up_id IS NULL AND deleted_at IS NULL',
    'CREATE INDEX ix_ticket_customer_id ON ticket (customer_id)',
    'CREATE INDEX ix_ticket_open_resolve_by ON ticket (resolve_by) WHERE closed_at IS NULL AND deleted_at IS NULL',
    'CREATE INDEX ix_ticket_event_ticket_id ON ticket_event (ticket_id)',
    'CREATE INDEX ix_follow_up_live_span ON follow_up (at, created_at, customer_id, next_at, channel, goal_met, goal, deleted_at) WHERE deleted_at IS NULL',
    'CREATE INDEX ix_follow_up_live_plan ON follow_up (customer_id, at, created_at, next_at, id, deleted_at) WHERE deleted_at IS NULL',
    "CREATE INDEX ix_customer_open_next ON customer (next_follow_up_at, owner, id, deleted_at, status, do_not_contact) WHERE deleted_at IS NULL AND status IN ('lead', 'prospect', 'customer') AND NOT do_not_contact",
    "CREATE INDEX ix_customer_open_new ON customer (created_at, next_follow_up_at, owner, id, last_contact_at, deleted_at, status, do_not_contact) WHERE last_contact_at IS NULL AND deleted_at IS NULL AND status IN ('lead', 'prospect', 'customer') AND NOT do_not_contact",
    "CREATE INDEX ix_customer_open_touch ON customer (tier, last_contact_at, next_follow_up_at, owner, id, name, deleted_at, status, do_not_contact) WHERE deleted_at IS NULL AND status IN ('prospect', 'customer') AND NOT do_not_contact",
    "CREATE INDEX ix_customer_open_id ON customer (id, last_contact_at, owner, deleted_at, status, do_not_contact) WHERE deleted_at IS NULL AND status IN ('lead', 'prospect', 'customer') AND NOT do_not_contact",
    'CREATE INDEX ix_deal_open_stage ON deal (stage, customer_id, stage_entered_at, amount_cents, id, deleted_at) WHERE deleted_at IS NULL',
    "CREATE INDEX ix_contact_birthday ON contact (strftime('%m-%d', birthday), customer_id, deleted_at, birthday) WHERE deleted_at IS NULL AND birthday IS NOT NULL",
    'CREATE INDEX ix_payment_unpaid_due ON payment (due_on, contract_id, deleted_at, paid_on) WHERE deleted_at IS NULL AND paid_on IS NULL',
    'CREATE INDEX ix_customer_service ON customer (service_months) WHERE service_months IS NOT NULL',
    'CREATE INDEX ix_customer_warranty ON customer (warranty_until) WHERE warranty_until IS NOT NULL',
    'CREATE INDEX ix_contract_service ON contract (service_months) WHERE service_months IS NOT NULL',
    'CREATE INDEX ix_contract_warranty ON contract (warranty_until) WHERE warranty_until IS NOT NULL',
    'CREATE INDEX ix_ticket_open_due_on ON ticket (due_on) WHERE closed_at IS NULL AND deleted_at IS NULL',
    "CREATE TRIGGER follow_up_fts_insert AFTER INSERT ON follow_up BEGIN INSERT INTO follow_up_fts(ref, body) VALUES (new.id, coalesce(new.notes,'') || ' ' || coalesce(new.goal,'') || ' ' || coalesce(new.next_plan,'')); END",
    "CREATE TRIGGER follow_up_fts_update AFTER UPDATE OF notes, goal, next_plan ON follow_up BEGIN DELETE FROM follow_up_fts WHERE ref = old.id; INSERT INTO follow_up_fts(ref, body) VALUES (new.id, coalesce(new.notes,'') || ' ' || coalesce(new.goal,'') || ' ' || coalesce(new.next_plan,'')); END",
    'CREATE TRIGGER follow_up_fts_delete AFTER DELETE ON follow_up BEGIN DELETE FROM follow_up_fts WHERE ref = old.id; END',
    "CREATE TRIGGER contact_fts_insert AFTER INSERT ON contact BEGIN INSERT INTO contact_fts(ref, body) VALUES (new.id, coalesce(new.name,'') || ' ' || coalesce(new.phone,'') || ' ' || coalesce(new.phone_key,'') || ' ' || coalesce(new.email,'') || ' ' || coalesce(new.wechat,'') || ' ' || coalesce(new.pinyin,'') || ' ' || coalesce(new.title,'')); END",
    "CREATE TRIGGER contact_fts_update AFTER UPDATE OF name, phone, phone_key, email, wechat, pinyin, title ON contact BEGIN DELETE FROM contact_fts WHERE ref = old.id; INSERT INTO contact_fts(ref, body) VALUES (new.id, coalesce(new.name,'') || ' ' || coalesce(new.phone,'') || ' ' || coalesce(new.phone_key,'') || ' ' || coalesce(new.email,'') || ' ' || coalesce(new.wechat,'') || ' ' || coalesce(new.pinyin,'') || ' ' || coalesce(new.title,'')); END",
    'CREATE TRIGGER contact_fts_delete AFTER DELETE ON contact BEGIN DELETE FROM contact_fts WHERE ref = old.id; END',
    "CREATE TRIGGER deal_fts_insert AFTER INSERT ON deal BEGIN INSERT INTO deal_fts(ref, body) VALUES (new.id, coalesce(new.title,'') || ' ' || coalesce(new.competitor,'')); END",
    "CREATE TRIGGER deal_fts_update AFTER UPDATE OF title, competitor ON deal BEGIN DELETE FROM deal_fts WHERE ref = old.id; INSERT INTO deal_fts(ref, body) VALUES (new.id, coalesce(new.title,'') || ' ' || coalesce(new.competitor,'')); END",
    'CREATE TRIGGER deal_fts_delete AFTER DELETE ON deal BEGIN DELETE FROM deal_fts WHERE ref = old.id; END',
    "CREATE TRIGGER contract_fts_insert AFTER INSERT ON contract BEGIN INSERT INTO contract_fts(ref, body) VALUES (new.id, coalesce(new.number,'')); END",
    "CREATE TRIGGER contract_fts_update AFTER UPDATE OF number ON contract BEGIN DELETE FROM contract_fts WHERE ref = old.id; INSERT INTO contract_fts(ref, body) VALUES (new.id, coalesce(new.number,'')); END",
    'CREATE TRIGGER contract_fts_delete AFTER DELETE ON contract BEGIN DELETE FROM contract_fts WHERE ref = old.id; END',
    "CREATE TRIGGER customer_tag_fts_insert AFTER INSERT ON customer_tag BEGIN INSERT INTO customer_tag_fts(ref, body) VALUES (new.id, coalesce(new.tag,'')); END",
    "CREATE TRIGGER customer_tag_fts_update AFTER UPDATE OF tag ON customer_tag BEGIN DELETE FROM customer_tag_fts WHERE ref = old.id; INSERT INTO customer_tag_fts(ref, body) VALUES (new.id, coalesce(new.tag,'')); END",
    'CREATE TRIGGER customer_tag_fts_delete AFTER DELETE ON customer_tag BEGIN DELETE FROM customer_tag_fts WHERE ref = old.id; END',
    "CREATE TRIGGER customer_fts_insert AFTER INSERT ON customer BEGIN INSERT INTO customer_fts(ref, body) VALUES (new.id, coalesce(new.name,'') || ' ' || coalesce(new.company,'') || ' ' || coalesce(new.phone,'') || ' ' || coalesce(new.phone_key,'') || ' ' || coalesce(new.email,'') || ' ' || coalesce(new.wechat,'') || ' ' || coalesce(new.pinyin,'') || ' ' || coalesce(new.region,'') || ' ' || coalesce(new.notes,'')); END",
    "CREATE TRIGGER customer_fts_update AFTER UPDATE OF name, company, phone, phone_key, email, wechat, pinyin, region, notes ON customer BEGIN DELETE FROM customer_fts WHERE ref = old.id; INSERT INTO customer_fts(ref, body) VALUES (new.id, coalesce(new.name,'') || ' ' || coalesce(new.company,'') || ' ' || coalesce(new.phone,'') || ' ' || coalesce(new.phone_key,'') || ' ' || coalesce(new.email,'') || ' ' || coalesce(new.wechat,'') || ' ' || coalesce(new.pinyin,'') || ' ' || coalesce(new.region,'') || ' ' || coalesce(new.notes,'')); END",
    'CREATE TRIGGER customer_fts_delete AFTER DELETE ON customer BEGIN DELETE FROM customer_fts WHERE ref = old.id; END',
    'CREATE TRIGGER history_customer_insert AFTER INSERT ON customer BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'customer', NEW.id, NEW.id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_customer_update AFTER UPDATE ON customer BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'customer', NEW.id, NEW.id, f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'name' AS f, OLD.name AS o, NEW.name AS n\n"
    "  UNION ALL SELECT 'name_key' AS f, OLD.name_key AS o, NEW.name_key AS n\n"
    "  UNION ALL SELECT 'pinyin' AS f, OLD.pinyin AS o, NEW.pinyin AS n\n"
    "  UNION ALL SELECT 'kind' AS f, OLD.kind AS o, NEW.kind AS n\n"
    "  UNION ALL SELECT 'company' AS f, OLD.company AS o, NEW.company AS n\n"
    "  UNION ALL SELECT 'industry' AS f, OLD.industry AS o, NEW.industry AS n\n"
    "  UNION ALL SELECT 'region' AS f, OLD.region AS o, NEW.region AS n\n"
    "  UNION ALL SELECT 'source' AS f, OLD.source AS o, NEW.source AS n\n"
    "  UNION ALL SELECT 'interest' AS f, OLD.interest AS o, NEW.interest AS n\n"
    "  UNION ALL SELECT 'phone' AS f, OLD.phone AS o, NEW.phone AS n\n"
    "  UNION ALL SELECT 'phone_key' AS f, OLD.phone_key AS o, NEW.phone_key AS n\n"
    "  UNION ALL SELECT 'email' AS f, OLD.email AS o, NEW.email AS n\n"
    "  UNION ALL SELECT 'email_key' AS f, OLD.email_key AS o, NEW.email_key AS n\n"
    "  UNION ALL SELECT 'wechat' AS f, OLD.wechat AS o, NEW.wechat AS n\n"
    "  UNION ALL SELECT 'status' AS f, OLD.status AS o, NEW.status AS n\n"
    "  UNION ALL SELECT 'tier' AS f, OLD.tier AS o, NEW.tier AS n\n"
    "  UNION ALL SELECT 'score' AS f, OLD.score AS o, NEW.score AS n\n"
    "  UNION ALL SELECT 'owner' AS f, OLD.owner AS o, NEW.owner AS n\n"
    "  UNION ALL SELECT 'next_follow_up_at' AS f, OLD.next_follow_up_at AS o, NEW.next_follow_up_at AS n\n"
    "  UNION ALL SELECT 'last_contact_at' AS f, OLD.last_contact_at AS o, NEW.last_contact_at AS n\n"
    "  UNION ALL SELECT 'merged_into' AS f, OLD.merged_into AS o, NEW.merged_into AS n\n"
    "  UNION ALL SELECT 'claimed_at' AS f, OLD.claimed_at AS o, NEW.claimed_at AS n\n"
    "  UNION ALL SELECT 'notes' AS f, OLD.notes AS o, NEW.notes AS n\n"
    "  UNION ALL SELECT 'consent_source' AS f, OLD.consent_source AS o, NEW.consent_source AS n\n"
    "  UNION ALL SELECT 'consent_on' AS f, OLD.consent_on AS o, NEW.consent_on AS n\n"
    "  UNION ALL SELECT 'do_not_contact' AS f, OLD.do_not_contact AS o, NEW.do_not_contact AS n\n"
    "  UNION ALL SELECT 'do_not_contact_on' AS f, OLD.do_not_contact_on AS o, NEW.do_not_contact_on AS n\n"
    "  UNION ALL SELECT 'do_not_contact_reason' AS f, OLD.do_not_contact_reason AS o, NEW.do_not_contact_reason AS n\n"
    "  UNION ALL SELECT 'erased_at' AS f, OLD.erased_at AS o, NEW.erased_at AS n\n"
    "  UNION ALL SELECT 'service_months' AS f, OLD.service_months AS o, NEW.service_months AS n\n"
    "  UNION ALL SELECT 'service_from' AS f, OLD.service_from AS o, NEW.service_from AS n\n"
    "  UNION ALL SELECT 'warranty_until' AS f, OLD.warranty_until AS o, NEW.warranty_until AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_contact_insert AFTER INSERT ON contact BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'contact', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_contact_update AFTER UPDATE ON contact BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'contact', NEW.id, NEW.customer_id, f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, OLD.customer_id AS o, NEW.customer_id AS n\n"
    "  UNION ALL SELECT 'name' AS f, OLD.name AS o, NEW.name AS n\n"
    "  UNION ALL SELECT 'name_key' AS f, OLD.name_key AS o, NEW.name_key AS n\n"
    "  UNION ALL SELECT 'pinyin' AS f, OLD.pinyin AS o, NEW.pinyin AS n\n"
    "  UNION ALL SELECT 'title' AS f, OLD.title AS o, NEW.title AS n\n"
    "  UNION ALL SELECT 'phone' AS f, OLD.phone AS o, NEW.phone AS n\n"
    "  UNION ALL SELECT 'phone_key' AS f, OLD.phone_key AS o, NEW.phone_key AS n\n"
    "  UNION ALL SELECT 'email' AS f, OLD.email AS o, NEW.email AS n\n"
    "  UNION ALL SELECT 'email_key' AS f, OLD.email_key AS o, NEW.email_key AS n\n"
    "  UNION ALL SELECT 'wechat' AS f, OLD.wechat AS o, NEW.wechat AS n\n"
    "  UNION ALL SELECT 'decision_maker' AS f, OLD.decision_maker AS o, NEW.decision_maker AS n\n"
    "  UNION ALL SELECT 'birthday' AS f, OLD.birthday AS o, NEW.birthday AS n\n"
    "  UNION ALL SELECT 'consent_source' AS f, OLD.consent_source AS o, NEW.consent_source AS n\n"
    "  UNION ALL SELECT 'consent_on' AS f, OLD.consent_on AS o, NEW.consent_on AS n\n"
    "  UNION ALL SELECT 'do_not_contact' AS f, OLD.do_not_contact AS o, NEW.do_not_contact AS n\n"
    "  UNION ALL SELECT 'do_not_contact_on' AS f, OLD.do_not_contact_on AS o, NEW.do_not_contact_on AS n\n"
    "  UNION ALL SELECT 'do_not_contact_reason' AS f, OLD.do_not_contact_reason AS o, NEW.do_not_contact_reason AS n\n"
    "  UNION ALL SELECT 'erased_at' AS f, OLD.erased_at AS o, NEW.erased_at AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_deal_insert AFTER INSERT ON deal BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'deal', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_deal_update AFTER UPDATE ON deal BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'deal', NEW.id, NEW.customer_id, f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, OLD.customer_id AS o, NEW.customer_id AS n\n"
    "  UNION ALL SELECT 'title' AS f, OLD.title AS o, NEW.title AS n\n"
    "  UNION ALL SELECT 'amount_cents' AS f, OLD.amount_cents AS o, NEW.amount_cents AS n\n"
    "  UNION ALL SELECT 'quoted_cents' AS f, OLD.quoted_cents AS o, NEW.quoted_cents AS n\n"
    "  UNION ALL SELECT 'expected_close' AS f, OLD.expected_close AS o, NEW.expected_close AS n\n"
    "  UNION ALL SELECT 'stage' AS f, OLD.stage AS o, NEW.stage AS n\n"
    "  UNION ALL SELECT 'probability' AS f, OLD.probability AS o, NEW.probability AS n\n"
    "  UNION ALL SELECT 'competitor' AS f, OLD.competitor AS o, NEW.competitor AS n\n"
    "  UNION ALL SELECT 'lost_reason' AS f, OLD.lost_reason AS o, NEW.lost_reason AS n\n"
    "  UNION ALL SELECT 'stage_entered_at' AS f, OLD.stage_entered_at AS o, NEW.stage_entered_at AS n\n"
    "  UNION ALL SELECT 'external_id' AS f, OLD.external_id AS o, NEW.external_id AS n\n"
    "  UNION ALL SELECT 'owner_name' AS f, OLD.owner_name AS o, NEW.owner_name AS n\n"
    "  UNION ALL SELECT 'imported_from' AS f, OLD.imported_from AS o, NEW.imported_from AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_deal_stage_change_insert AFTER INSERT ON deal_stage_change BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'deal_stage_change', NEW.id, (SELECT customer_id FROM deal WHERE id = NEW.deal_id), 'insert');\n"
    'END',
    'CREATE TRIGGER history_deal_stage_change_update AFTER UPDATE ON deal_stage_change BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'deal_stage_change', NEW.id, (SELECT customer_id FROM deal WHERE id = NEW.deal_id), f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'deal_id' AS f, OLD.deal_id AS o, NEW.deal_id AS n\n"
    "  UNION ALL SELECT 'from_stage' AS f, OLD.from_stage AS o, NEW.from_stage AS n\n"
    "  UNION ALL SELECT 'to_stage' AS f, OLD.to_stage AS o, NEW.to_stage AS n\n"
    "  UNION ALL SELECT 'at' AS f, OLD.at AS o, NEW.at AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_follow_up_insert AFTER INSERT ON follow_up BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'follow_up', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_follow_up_update AFTER UPDATE ON follow_up BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'follow_up', NEW.id, NEW.customer_id, f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, OLD.customer_id AS o, NEW.customer_id AS n\n"
    "  UNION ALL SELECT 'contact_id' AS f, OLD.contact_id AS o, NEW.contact_id AS n\n"
    "  UNION ALL SELECT 'deal_id' AS f, OLD.deal_id AS o, NEW.deal_id AS n\n"
    "  UNION ALL SELECT 'at' AS f, OLD.at AS o, NEW.at AS n\n"
    "  UNION ALL SELECT 'channel' AS f, OLD.channel AS o, NEW.channel AS n\n"
    "  UNION ALL SELECT 'goal' AS f, OLD.goal AS o, NEW.goal AS n\n"
    "  UNION ALL SELECT 'goal_met' AS f, OLD.goal_met AS o, NEW.goal_met AS n\n"
    "  UNION ALL SELECT 'notes' AS f, OLD.notes AS o, NEW.notes AS n\n"
    "  UNION ALL SELECT 'next_plan' AS f, OLD.next_plan AS o, NEW.next_plan AS n\n"
    "  UNION ALL SELECT 'next_at' AS f, OLD.next_at AS o, NEW.next_at AS n\n"
    "  UNION ALL SELECT 'author' AS f, OLD.author AS o, NEW.author AS n\n"
    "  UNION ALL SELECT 'corrects_id' AS f, OLD.corrects_id AS o, NEW.corrects_id AS n\n"
    "  UNION ALL SELECT 'imported_from' AS f, OLD.imported_from AS o, NEW.imported_from AS n\n"
    "  UNION ALL SELECT 'external_id' AS f, OLD.external_id AS o, NEW.external_id AS n\n"
    "  UNION ALL SELECT 'satisfaction' AS f, OLD.satisfaction AS o, NEW.satisfaction AS n\n"
    "  UNION ALL SELECT 'nps' AS f, OLD.nps AS o, NEW.nps AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_contract_insert AFTER INSERT ON contract BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'contract', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_contract_update AFTER UPDATE ON contract BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'contract', NEW.id, NEW.customer_id, f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'deal_id' AS f, OLD.deal_id AS o, NEW.deal_id AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, OLD.customer_id AS o, NEW.customer_id AS n\n"
    "  UNION ALL SELECT 'number' AS f, OLD.number AS o, NEW.number AS n\n"
    "  UNION ALL SELECT 'amount_cents' AS f, OLD.amount_cents AS o, NEW.amount_cents AS n\n"
    "  UNION ALL SELECT 'signed_on' AS f, OLD.signed_on AS o, NEW.signed_on AS n\n"
    "  UNION ALL SELECT 'end_on' AS f, OLD.end_on AS o, NEW.end_on AS n\n"
    "  UNION ALL SELECT 'service_months' AS f, OLD.service_months AS o, NEW.service_months AS n\n"
    "  UNION ALL SELECT 'service_from' AS f, OLD.service_from AS o, NEW.service_from AS n\n"
    "  UNION ALL SELECT 'warranty_until' AS f, OLD.warranty_until AS o, NEW.warranty_until AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_payment_insert AFTER INSERT ON payment BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'payment', NEW.id, (SELECT customer_id FROM contract WHERE id = NEW.contract_id), 'insert');\n"
    'END',
    'CREATE TRIGGER history_payment_update AFTER UPDATE ON payment BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'payment', NEW.id, (SELECT customer_id FROM contract WHERE id = NEW.contract_id), f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'contract_id' AS f, OLD.contract_id AS o, NEW.contract_id AS n\n"
    "  UNION ALL SELECT 'amount_cents' AS f, OLD.amount_cents AS o, NEW.amount_cents AS n\n"
    "  UNION ALL SELECT 'due_on' AS f, OLD.due_on AS o, NEW.due_on AS n\n"
    "  UNION ALL SELECT 'paid_on' AS f, OLD.paid_on AS o, NEW.paid_on AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_customer_tag_insert AFTER INSERT ON customer_tag BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'customer_tag', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_customer_tag_update AFTER UPDATE ON customer_tag BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'customer_tag', NEW.id, NEW.customer_id, f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, OLD.customer_id AS o, NEW.customer_id AS n\n"
    "  UNION ALL SELECT 'tag' AS f, OLD.tag AS o, NEW.tag AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_revisit_insert AFTER INSERT ON revisit BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'revisit', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_revisit_update AFTER UPDATE ON revisit BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'revisit', NEW.id, NEW.customer_id, f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, OLD.customer_id AS o, NEW.customer_id AS n\n"
    "  UNION ALL SELECT 'deal_id' AS f, OLD.deal_id AS o, NEW.deal_id AS n\n"
    "  UNION ALL SELECT 'due_on' AS f, OLD.due_on AS o, NEW.due_on AS n\n"
    "  UNION ALL SELECT 'purpose' AS f, OLD.purpose AS o, NEW.purpose AS n\n"
    "  UNION ALL SELECT 'channel' AS f, OLD.channel AS o, NEW.channel AS n\n"
    "  UNION ALL SELECT 'follow_up_id' AS f, OLD.follow_up_id AS o, NEW.follow_up_id AS n\n"
    "  UNION ALL SELECT 'done_at' AS f, OLD.done_at AS o, NEW.done_at AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_ticket_insert AFTER INSERT ON ticket BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'ticket', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_ticket_update AFTER UPDATE ON ticket BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'ticket', NEW.id, NEW.customer_id, f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, OLD.customer_id AS o, NEW.customer_id AS n\n"
    "  UNION ALL SELECT 'contract_id' AS f, OLD.contract_id AS o, NEW.contract_id AS n\n"
    "  UNION ALL SELECT 'number' AS f, OLD.number AS o, NEW.number AS n\n"
    "  UNION ALL SELECT 'title' AS f, OLD.title AS o, NEW.title AS n\n"
    "  UNION ALL SELECT 'kind' AS f, OLD.kind AS o, NEW.kind AS n\n"
    "  UNION ALL SELECT 'priority' AS f, OLD.priority AS o, NEW.priority AS n\n"
    "  UNION ALL SELECT 'status' AS f, OLD.status AS o, NEW.status AS n\n"
    "  UNION ALL SELECT 'opened_at' AS f, OLD.opened_at AS o, NEW.opened_at AS n\n"
    "  UNION ALL SELECT 'respond_by' AS f, OLD.respond_by AS o, NEW.respond_by AS n\n"
    "  UNION ALL SELECT 'resolve_by' AS f, OLD.resolve_by AS o, NEW.resolve_by AS n\n"
    "  UNION ALL SELECT 'due_on' AS f, OLD.due_on AS o, NEW.due_on AS n\n"
    "  UNION ALL SELECT 'responded_at' AS f, OLD.responded_at AS o, NEW.responded_at AS n\n"
    "  UNION ALL SELECT 'resolved_at' AS f, OLD.resolved_at AS o, NEW.resolved_at AS n\n"
    "  UNION ALL SELECT 'closed_at' AS f, OLD.closed_at AS o, NEW.closed_at AS n\n"
    "  UNION ALL SELECT 'resolution' AS f, OLD.resolution AS o, NEW.resolution AS n\n"
    "  UNION ALL SELECT 'satisfaction' AS f, OLD.satisfaction AS o, NEW.satisfaction AS n\n"
    "  UNION ALL SELECT 'author' AS f, OLD.author AS o, NEW.author AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_ticket_event_insert AFTER INSERT ON ticket_event BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'ticket_event', NEW.id, (SELECT customer_id FROM ticket WHERE id = NEW.ticket_id), 'insert');\n"
    'END',
    'CREATE TRIGGER history_ticket_event_update AFTER UPDATE ON ticket_event BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'ticket_event', NEW.id, (SELECT customer_id FROM ticket WHERE id = NEW.ticket_id), f, json_quote(o), json_quote(n), CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, OLD.deleted_at AS o, NEW.deleted_at AS n\n"
    "  UNION ALL SELECT 'ticket_id' AS f, OLD.ticket_id AS o, NEW.ticket_id AS n\n"
    "  UNION ALL SELECT 'at' AS f, OLD.at AS o, NEW.at AS n\n"
    "  UNION ALL SELECT 'from_status' AS f, OLD.from_status AS o, NEW.from_status AS n\n"
    "  UNION ALL SELECT 'to_status' AS f, OLD.to_status AS o, NEW.to_status AS n\n"
    "  UNION ALL SELECT 'note' AS f, OLD.note AS o, NEW.note AS n\n"
    "  UNION ALL SELECT 'author' AS f, OLD.author AS o, NEW.author AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
)
