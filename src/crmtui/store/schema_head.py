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
    '    merged_into VARCHAR, claimed_at DATETIME,\n'
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
    '    birthday DATE,\n'
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
    '    stage_entered_at DATETIME NOT NULL,\n'
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
    '    next_at DATETIME, author VARCHAR, corrects_id VARCHAR,\n'
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
)
