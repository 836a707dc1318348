"""The schema of a new database: the statements SQLite holds for a file brought to REVISION by every
migration. Written by `python -m crmtui.store.schema` (store/schema.py); do not edit by hand."""

REVISION = '0010'

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
    '    merged_into VARCHAR, claimed_at DATETIME, notes VARCHAR, consent_source VARCHAR, consent_on DATE, do_not_contact BOOLEAN NOT NULL DEFAULT 0, do_not_contact_on DATE, do_not_contact_reason VARCHAR, erased_at DATETIME,\n'
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
    '    end_on DATE,\n'
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
    '    next_at DATETIME, author VARCHAR, corrects_id VARCHAR, imported_from VARCHAR, external_id VARCHAR,\n'
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
    "CREATE VIRTUAL TABLE customer_fts USING fts5(ref UNINDEXED, body, tokenize='trigram')",
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
    '    undoes VARCHAR,\n'
    '    PRIMARY KEY (action_id)\n'
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
    'CREATE INDEX ix_change_log_record ON change_log (record_id, seq)',
    'CREATE INDEX ix_change_log_action ON change_log (action_id)',
    'CREATE INDEX ix_change_log_unclaimed ON change_log (seq) WHERE action_id IS NULL',
    'CREATE INDEX ix_change_action_at ON change_action (at)',
    'CREATE INDEX ix_deal_external_id ON deal (external_id)',
    'CREATE INDEX ix_follow_up_external_id ON follow_up (external_id)',
    "CREATE TRIGGER follow_up_fts_insert AFTER INSERT ON follow_up BEGIN INSERT INTO follow_up_fts(ref, body) VALUES (new.id, coalesce(new.notes,'') || ' ' || coalesce(new.goal,'') || ' ' || coalesce(new.next_plan,'')); END",
    "CREATE TRIGGER follow_up_fts_update AFTER UPDATE OF notes, goal, next_plan ON follow_up BEGIN DELETE FROM follow_up_fts WHERE ref = old.id; INSERT INTO follow_up_fts(ref, body) VALUES (new.id, coalesce(new.notes,'') || ' ' || coalesce(new.goal,'') || ' ' || coalesce(new.next_plan,'')); END",
    'CREATE TRIGGER follow_up_fts_delete AFTER DELETE ON follow_up BEGIN DELETE FROM follow_up_fts WHERE ref = old.id; END',
    "CREATE TRIGGER customer_fts_insert AFTER INSERT ON customer BEGIN INSERT INTO customer_fts(ref, body) VALUES (new.id, coalesce(new.name,'') || ' ' || coalesce(new.company,'') || ' ' || coalesce(new.phone,'') || ' ' || coalesce(new.phone_key,'') || ' ' || coalesce(new.email,'') || ' ' || coalesce(new.wechat,'') || ' ' || coalesce(new.pinyin,'') || ' ' || coalesce(new.region,'')); END",
    "CREATE TRIGGER customer_fts_update AFTER UPDATE OF name, company, phone, phone_key, email, wechat, pinyin, region ON customer BEGIN DELETE FROM customer_fts WHERE ref = old.id; INSERT INTO customer_fts(ref, body) VALUES (new.id, coalesce(new.name,'') || ' ' || coalesce(new.company,'') || ' ' || coalesce(new.phone,'') || ' ' || coalesce(new.phone_key,'') || ' ' || coalesce(new.email,'') || ' ' || coalesce(new.wechat,'') || ' ' || coalesce(new.pinyin,'') || ' ' || coalesce(new.region,'')); END",
    'CREATE TRIGGER customer_fts_delete AFTER DELETE ON customer BEGIN DELETE FROM customer_fts WHERE ref = old.id; END',
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
    'CREATE TRIGGER history_customer_insert AFTER INSERT ON customer BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'customer', NEW.id, NEW.id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_customer_update AFTER UPDATE ON customer BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'customer', NEW.id, NEW.id, f, o, n, CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, json_quote(OLD.deleted_at) AS o, json_quote(NEW.deleted_at) AS n\n"
    "  UNION ALL SELECT 'name' AS f, json_quote(OLD.name) AS o, json_quote(NEW.name) AS n\n"
    "  UNION ALL SELECT 'name_key' AS f, json_quote(OLD.name_key) AS o, json_quote(NEW.name_key) AS n\n"
    "  UNION ALL SELECT 'pinyin' AS f, json_quote(OLD.pinyin) AS o, json_quote(NEW.pinyin) AS n\n"
    "  UNION ALL SELECT 'kind' AS f, json_quote(OLD.kind) AS o, json_quote(NEW.kind) AS n\n"
    "  UNION ALL SELECT 'company' AS f, json_quote(OLD.company) AS o, json_quote(NEW.company) AS n\n"
    "  UNION ALL SELECT 'industry' AS f, json_quote(OLD.industry) AS o, json_quote(NEW.industry) AS n\n"
    "  UNION ALL SELECT 'region' AS f, json_quote(OLD.region) AS o, json_quote(NEW.region) AS n\n"
    "  UNION ALL SELECT 'source' AS f, json_quote(OLD.source) AS o, json_quote(NEW.source) AS n\n"
    "  UNION ALL SELECT 'interest' AS f, json_quote(OLD.interest) AS o, json_quote(NEW.interest) AS n\n"
    "  UNION ALL SELECT 'phone' AS f, json_quote(OLD.phone) AS o, json_quote(NEW.phone) AS n\n"
    "  UNION ALL SELECT 'phone_key' AS f, json_quote(OLD.phone_key) AS o, json_quote(NEW.phone_key) AS n\n"
    "  UNION ALL SELECT 'email' AS f, json_quote(OLD.email) AS o, json_quote(NEW.email) AS n\n"
    "  UNION ALL SELECT 'email_key' AS f, json_quote(OLD.email_key) AS o, json_quote(NEW.email_key) AS n\n"
    "  UNION ALL SELECT 'wechat' AS f, json_quote(OLD.wechat) AS o, json_quote(NEW.wechat) AS n\n"
    "  UNION ALL SELECT 'status' AS f, json_quote(OLD.status) AS o, json_quote(NEW.status) AS n\n"
    "  UNION ALL SELECT 'tier' AS f, json_quote(OLD.tier) AS o, json_quote(NEW.tier) AS n\n"
    "  UNION ALL SELECT 'score' AS f, json_quote(OLD.score) AS o, json_quote(NEW.score) AS n\n"
    "  UNION ALL SELECT 'owner' AS f, json_quote(OLD.owner) AS o, json_quote(NEW.owner) AS n\n"
    "  UNION ALL SELECT 'next_follow_up_at' AS f, json_quote(OLD.next_follow_up_at) AS o, json_quote(NEW.next_follow_up_at) AS n\n"
    "  UNION ALL SELECT 'last_contact_at' AS f, json_quote(OLD.last_contact_at) AS o, json_quote(NEW.last_contact_at) AS n\n"
    "  UNION ALL SELECT 'merged_into' AS f, json_quote(OLD.merged_into) AS o, json_quote(NEW.merged_into) AS n\n"
    "  UNION ALL SELECT 'claimed_at' AS f, json_quote(OLD.claimed_at) AS o, json_quote(NEW.claimed_at) AS n\n"
    "  UNION ALL SELECT 'notes' AS f, json_quote(OLD.notes) AS o, json_quote(NEW.notes) AS n\n"
    "  UNION ALL SELECT 'consent_source' AS f, json_quote(OLD.consent_source) AS o, json_quote(NEW.consent_source) AS n\n"
    "  UNION ALL SELECT 'consent_on' AS f, json_quote(OLD.consent_on) AS o, json_quote(NEW.consent_on) AS n\n"
    "  UNION ALL SELECT 'do_not_contact' AS f, json_quote(OLD.do_not_contact) AS o, json_quote(NEW.do_not_contact) AS n\n"
    "  UNION ALL SELECT 'do_not_contact_on' AS f, json_quote(OLD.do_not_contact_on) AS o, json_quote(NEW.do_not_contact_on) AS n\n"
    "  UNION ALL SELECT 'do_not_contact_reason' AS f, json_quote(OLD.do_not_contact_reason) AS o, json_quote(NEW.do_not_contact_reason) AS n\n"
    "  UNION ALL SELECT 'erased_at' AS f, json_quote(OLD.erased_at) AS o, json_quote(NEW.erased_at) AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_contact_insert AFTER INSERT ON contact BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'contact', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_contact_update AFTER UPDATE ON contact BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'contact', NEW.id, NEW.customer_id, f, o, n, CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, json_quote(OLD.deleted_at) AS o, json_quote(NEW.deleted_at) AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, json_quote(OLD.customer_id) AS o, json_quote(NEW.customer_id) AS n\n"
    "  UNION ALL SELECT 'name' AS f, json_quote(OLD.name) AS o, json_quote(NEW.name) AS n\n"
    "  UNION ALL SELECT 'name_key' AS f, json_quote(OLD.name_key) AS o, json_quote(NEW.name_key) AS n\n"
    "  UNION ALL SELECT 'pinyin' AS f, json_quote(OLD.pinyin) AS o, json_quote(NEW.pinyin) AS n\n"
    "  UNION ALL SELECT 'title' AS f, json_quote(OLD.title) AS o, json_quote(NEW.title) AS n\n"
    "  UNION ALL SELECT 'phone' AS f, json_quote(OLD.phone) AS o, json_quote(NEW.phone) AS n\n"
    "  UNION ALL SELECT 'phone_key' AS f, json_quote(OLD.phone_key) AS o, json_quote(NEW.phone_key) AS n\n"
    "  UNION ALL SELECT 'email' AS f, json_quote(OLD.email) AS o, json_quote(NEW.email) AS n\n"
    "  UNION ALL SELECT 'email_key' AS f, json_quote(OLD.email_key) AS o, json_quote(NEW.email_key) AS n\n"
    "  UNION ALL SELECT 'wechat' AS f, json_quote(OLD.wechat) AS o, json_quote(NEW.wechat) AS n\n"
    "  UNION ALL SELECT 'decision_maker' AS f, json_quote(OLD.decision_maker) AS o, json_quote(NEW.decision_maker) AS n\n"
    "  UNION ALL SELECT 'birthday' AS f, json_quote(OLD.birthday) AS o, json_quote(NEW.birthday) AS n\n"
    "  UNION ALL SELECT 'consent_source' AS f, json_quote(OLD.consent_source) AS o, json_quote(NEW.consent_source) AS n\n"
    "  UNION ALL SELECT 'consent_on' AS f, json_quote(OLD.consent_on) AS o, json_quote(NEW.consent_on) AS n\n"
    "  UNION ALL SELECT 'do_not_contact' AS f, json_quote(OLD.do_not_contact) AS o, json_quote(NEW.do_not_contact) AS n\n"
    "  UNION ALL SELECT 'do_not_contact_on' AS f, json_quote(OLD.do_not_contact_on) AS o, json_quote(NEW.do_not_contact_on) AS n\n"
    "  UNION ALL SELECT 'do_not_contact_reason' AS f, json_quote(OLD.do_not_contact_reason) AS o, json_quote(NEW.do_not_contact_reason) AS n\n"
    "  UNION ALL SELECT 'erased_at' AS f, json_quote(OLD.erased_at) AS o, json_quote(NEW.erased_at) AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_deal_insert AFTER INSERT ON deal BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'deal', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_deal_update AFTER UPDATE ON deal BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'deal', NEW.id, NEW.customer_id, f, o, n, CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, json_quote(OLD.deleted_at) AS o, json_quote(NEW.deleted_at) AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, json_quote(OLD.customer_id) AS o, json_quote(NEW.customer_id) AS n\n"
    "  UNION ALL SELECT 'title' AS f, json_quote(OLD.title) AS o, json_quote(NEW.title) AS n\n"
    "  UNION ALL SELECT 'amount_cents' AS f, json_quote(OLD.amount_cents) AS o, json_quote(NEW.amount_cents) AS n\n"
    "  UNION ALL SELECT 'quoted_cents' AS f, json_quote(OLD.quoted_cents) AS o, json_quote(NEW.quoted_cents) AS n\n"
    "  UNION ALL SELECT 'expected_close' AS f, json_quote(OLD.expected_close) AS o, json_quote(NEW.expected_close) AS n\n"
    "  UNION ALL SELECT 'stage' AS f, json_quote(OLD.stage) AS o, json_quote(NEW.stage) AS n\n"
    "  UNION ALL SELECT 'probability' AS f, json_quote(OLD.probability) AS o, json_quote(NEW.probability) AS n\n"
    "  UNION ALL SELECT 'competitor' AS f, json_quote(OLD.competitor) AS o, json_quote(NEW.competitor) AS n\n"
    "  UNION ALL SELECT 'lost_reason' AS f, json_quote(OLD.lost_reason) AS o, json_quote(NEW.lost_reason) AS n\n"
    "  UNION ALL SELECT 'stage_entered_at' AS f, json_quote(OLD.stage_entered_at) AS o, json_quote(NEW.stage_entered_at) AS n\n"
    "  UNION ALL SELECT 'external_id' AS f, json_quote(OLD.external_id) AS o, json_quote(NEW.external_id) AS n\n"
    "  UNION ALL SELECT 'owner_name' AS f, json_quote(OLD.owner_name) AS o, json_quote(NEW.owner_name) AS n\n"
    "  UNION ALL SELECT 'imported_from' AS f, json_quote(OLD.imported_from) AS o, json_quote(NEW.imported_from) AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_deal_stage_change_insert AFTER INSERT ON deal_stage_change BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'deal_stage_change', NEW.id, (SELECT customer_id FROM deal WHERE id = NEW.deal_id), 'insert');\n"
    'END',
    'CREATE TRIGGER history_deal_stage_change_update AFTER UPDATE ON deal_stage_change BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'deal_stage_change', NEW.id, (SELECT customer_id FROM deal WHERE id = NEW.deal_id), f, o, n, CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, json_quote(OLD.deleted_at) AS o, json_quote(NEW.deleted_at) AS n\n"
    "  UNION ALL SELECT 'deal_id' AS f, json_quote(OLD.deal_id) AS o, json_quote(NEW.deal_id) AS n\n"
    "  UNION ALL SELECT 'from_stage' AS f, json_quote(OLD.from_stage) AS o, json_quote(NEW.from_stage) AS n\n"
    "  UNION ALL SELECT 'to_stage' AS f, json_quote(OLD.to_stage) AS o, json_quote(NEW.to_stage) AS n\n"
    "  UNION ALL SELECT 'at' AS f, json_quote(OLD.at) AS o, json_quote(NEW.at) AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_follow_up_insert AFTER INSERT ON follow_up BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'follow_up', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_follow_up_update AFTER UPDATE ON follow_up BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'follow_up', NEW.id, NEW.customer_id, f, o, n, CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, json_quote(OLD.deleted_at) AS o, json_quote(NEW.deleted_at) AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, json_quote(OLD.customer_id) AS o, json_quote(NEW.customer_id) AS n\n"
    "  UNION ALL SELECT 'contact_id' AS f, json_quote(OLD.contact_id) AS o, json_quote(NEW.contact_id) AS n\n"
    "  UNION ALL SELECT 'deal_id' AS f, json_quote(OLD.deal_id) AS o, json_quote(NEW.deal_id) AS n\n"
    "  UNION ALL SELECT 'at' AS f, json_quote(OLD.at) AS o, json_quote(NEW.at) AS n\n"
    "  UNION ALL SELECT 'channel' AS f, json_quote(OLD.channel) AS o, json_quote(NEW.channel) AS n\n"
    "  UNION ALL SELECT 'goal' AS f, json_quote(OLD.goal) AS o, json_quote(NEW.goal) AS n\n"
    "  UNION ALL SELECT 'goal_met' AS f, json_quote(OLD.goal_met) AS o, json_quote(NEW.goal_met) AS n\n"
    "  UNION ALL SELECT 'notes' AS f, json_quote(OLD.notes) AS o, json_quote(NEW.notes) AS n\n"
    "  UNION ALL SELECT 'next_plan' AS f, json_quote(OLD.next_plan) AS o, json_quote(NEW.next_plan) AS n\n"
    "  UNION ALL SELECT 'next_at' AS f, json_quote(OLD.next_at) AS o, json_quote(NEW.next_at) AS n\n"
    "  UNION ALL SELECT 'author' AS f, json_quote(OLD.author) AS o, json_quote(NEW.author) AS n\n"
    "  UNION ALL SELECT 'corrects_id' AS f, json_quote(OLD.corrects_id) AS o, json_quote(NEW.corrects_id) AS n\n"
    "  UNION ALL SELECT 'imported_from' AS f, json_quote(OLD.imported_from) AS o, json_quote(NEW.imported_from) AS n\n"
    "  UNION ALL SELECT 'external_id' AS f, json_quote(OLD.external_id) AS o, json_quote(NEW.external_id) AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_contract_insert AFTER INSERT ON contract BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'contract', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_contract_update AFTER UPDATE ON contract BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'contract', NEW.id, NEW.customer_id, f, o, n, CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, json_quote(OLD.deleted_at) AS o, json_quote(NEW.deleted_at) AS n\n"
    "  UNION ALL SELECT 'deal_id' AS f, json_quote(OLD.deal_id) AS o, json_quote(NEW.deal_id) AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, json_quote(OLD.customer_id) AS o, json_quote(NEW.customer_id) AS n\n"
    "  UNION ALL SELECT 'number' AS f, json_quote(OLD.number) AS o, json_quote(NEW.number) AS n\n"
    "  UNION ALL SELECT 'amount_cents' AS f, json_quote(OLD.amount_cents) AS o, json_quote(NEW.amount_cents) AS n\n"
    "  UNION ALL SELECT 'signed_on' AS f, json_quote(OLD.signed_on) AS o, json_quote(NEW.signed_on) AS n\n"
    "  UNION ALL SELECT 'end_on' AS f, json_quote(OLD.end_on) AS o, json_quote(NEW.end_on) AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_payment_insert AFTER INSERT ON payment BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'payment', NEW.id, (SELECT customer_id FROM contract WHERE id = NEW.contract_id), 'insert');\n"
    'END',
    'CREATE TRIGGER history_payment_update AFTER UPDATE ON payment BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'payment', NEW.id, (SELECT customer_id FROM contract WHERE id = NEW.contract_id), f, o, n, CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, json_quote(OLD.deleted_at) AS o, json_quote(NEW.deleted_at) AS n\n"
    "  UNION ALL SELECT 'contract_id' AS f, json_quote(OLD.contract_id) AS o, json_quote(NEW.contract_id) AS n\n"
    "  UNION ALL SELECT 'amount_cents' AS f, json_quote(OLD.amount_cents) AS o, json_quote(NEW.amount_cents) AS n\n"
    "  UNION ALL SELECT 'due_on' AS f, json_quote(OLD.due_on) AS o, json_quote(NEW.due_on) AS n\n"
    "  UNION ALL SELECT 'paid_on' AS f, json_quote(OLD.paid_on) AS o, json_quote(NEW.paid_on) AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
    'CREATE TRIGGER history_customer_tag_insert AFTER INSERT ON customer_tag BEGIN\n'
    " INSERT INTO change_log (at, record_table, record_id, customer_id, kind) VALUES (NEW.updated_at, 'customer_tag', NEW.id, NEW.customer_id, 'insert');\n"
    'END',
    'CREATE TRIGGER history_customer_tag_update AFTER UPDATE ON customer_tag BEGIN\n'
    ' INSERT INTO change_log (at, record_table, record_id, customer_id, field, old_value, new_value, kind)\n'
    " SELECT NEW.updated_at, 'customer_tag', NEW.id, NEW.customer_id, f, o, n, CASE WHEN f IS NULL THEN 'delete' ELSE 'update' END FROM (\n"
    "  SELECT CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN NULL ELSE 'deleted_at' END AS f, json_quote(OLD.deleted_at) AS o, json_quote(NEW.deleted_at) AS n\n"
    "  UNION ALL SELECT 'customer_id' AS f, json_quote(OLD.customer_id) AS o, json_quote(NEW.customer_id) AS n\n"
    "  UNION ALL SELECT 'tag' AS f, json_quote(OLD.tag) AS o, json_quote(NEW.tag) AS n\n"
    ' ) WHERE o IS NOT n;\n'
    'END',
)
