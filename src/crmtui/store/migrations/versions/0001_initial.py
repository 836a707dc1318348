"""The first schema: customers, contacts, deals and their stage history, follow-ups, contracts, payments, tags, the outbox.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written out as SQL so this migration never changes when the models do.
STATEMENTS = """
CREATE TABLE customer (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL,
    pinyin VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    company VARCHAR,
    industry VARCHAR,
    region VARCHAR,
    source VARCHAR,
    interest VARCHAR,
    phone VARCHAR,
    phone_key VARCHAR,
    email VARCHAR,
    email_key VARCHAR,
    wechat VARCHAR,
    status VARCHAR NOT NULL,
    tier VARCHAR NOT NULL,
    score INTEGER NOT NULL,
    owner VARCHAR,
    next_follow_up_at DATETIME,
    last_contact_at DATETIME,
    merged_into VARCHAR,
    PRIMARY KEY (id)
);
CREATE INDEX ix_customer_email_key ON customer (email_key);
CREATE INDEX ix_customer_name_key ON customer (name_key);
CREATE INDEX ix_customer_next_follow_up_at ON customer (next_follow_up_at);
CREATE INDEX ix_customer_phone_key ON customer (phone_key);
CREATE TABLE meta (
    "key" VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    PRIMARY KEY ("key")
);
CREATE TABLE outbox (
    seq INTEGER NOT NULL,
    mutation_id VARCHAR NOT NULL,
    client_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    record_table VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    changes VARCHAR NOT NULL,
    stamps VARCHAR NOT NULL,
    format_version INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    state VARCHAR NOT NULL,
    detail VARCHAR,
    PRIMARY KEY (seq)
);
CREATE TABLE contact (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    customer_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL,
    pinyin VARCHAR NOT NULL,
    title VARCHAR,
    phone VARCHAR,
    phone_key VARCHAR,
    email VARCHAR,
    email_key VARCHAR,
    wechat VARCHAR,
    decision_maker BOOLEAN NOT NULL,
    birthday DATE,
    PRIMARY KEY (id),
    FOREIGN KEY(customer_id) REFERENCES customer (id)
);
CREATE INDEX ix_contact_customer_id ON contact (customer_id);
CREATE INDEX ix_contact_email_key ON contact (email_key);
CREATE INDEX ix_contact_phone_key ON contact (phone_key);
CREATE TABLE customer_tag (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    customer_id VARCHAR NOT NULL,
    tag VARCHAR NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(customer_id) REFERENCES customer (id)
);
CREATE INDEX ix_customer_tag_customer_id ON customer_tag (customer_id);
CREATE TABLE deal (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    customer_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    amount_cents INTEGER,
    quoted_cents INTEGER,
    expected_close DATE,
    stage VARCHAR NOT NULL,
    probability INTEGER NOT NULL,
    competitor VARCHAR,
    lost_reason VARCHAR,
    stage_entered_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(customer_id) REFERENCES customer (id)
);
CREATE INDEX ix_deal_customer_id ON deal (customer_id);
CREATE INDEX ix_deal_stage ON deal (stage);
CREATE TABLE contract (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    deal_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    number VARCHAR NOT NULL,
    amount_cents INTEGER NOT NULL,
    signed_on DATE NOT NULL,
    end_on DATE,
    PRIMARY KEY (id),
    FOREIGN KEY(deal_id) REFERENCES deal (id),
    FOREIGN KEY(customer_id) REFERENCES customer (id)
);
CREATE INDEX ix_contract_customer_id ON contract (customer_id);
CREATE INDEX ix_contract_deal_id ON contract (deal_id);
CREATE TABLE deal_stage_change (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    deal_id VARCHAR NOT NULL,
    from_stage VARCHAR,
    to_stage VARCHAR NOT NULL,
    at DATETIME NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(deal_id) REFERENCES deal (id)
);
CREATE INDEX ix_deal_stage_change_deal_id ON deal_stage_change (deal_id);
CREATE TABLE follow_up (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    customer_id VARCHAR NOT NULL,
    contact_id VARCHAR,
    deal_id VARCHAR,
    at DATETIME NOT NULL,
    channel VARCHAR NOT NULL,
    goal VARCHAR NOT NULL,
    goal_met BOOLEAN NOT NULL,
    notes VARCHAR NOT NULL,
    next_plan VARCHAR,
    next_at DATETIME,
    PRIMARY KEY (id),
    FOREIGN KEY(customer_id) REFERENCES customer (id),
    FOREIGN KEY(contact_id) REFERENCES contact (id),
    FOREIGN KEY(deal_id) REFERENCES deal (id)
);
CREATE INDEX ix_follow_up_customer_id ON follow_up (customer_id);
CREATE TABLE payment (
    id VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    contract_id VARCHAR NOT NULL,
    amount_cents INTEGER NOT NULL,
    due_on DATE NOT NULL,
    paid_on DATE,
    PRIMARY KEY (id),
    FOREIGN KEY(contract_id) REFERENCES contract (id)
);
CREATE INDEX ix_payment_contract_id ON payment (contract_id);
"""


def upgrade() -> None:
    for statement in STATEMENTS.split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    for table in ("payment", "follow_up", "deal_stage_change", "contract", "deal", "customer_tag",
                  "contact", "outbox", "meta", "customer"):
        op.execute(f"DROP TABLE {table}")
