"""The history of changes: when, which record and field, old and new value, by whom, from where; and the actions
that group them (one merge, one import) so one can be undone as a whole.

Revision ID: 0008
Revises: 0007

`change_log` holds one row a changed field (`kind` update, or delete for the row that tombstones a record, whose
`field` is NULL), or one row a new record (`kind` insert, `field` NULL); values are JSON text of what SQLite
holds. Triggers on every synced table write the rows (store/history.py makes them, after the migrations); the transaction that made the
change fills `action_id`, `actor` and `source` before it commits. `undone_by` names the undo action that
reverted the row. `change_action` describes each action: when, from where, by whom, what the rep did in words,
and for an undo the action it reverted.

Existing records get no history: the file starts recording from here.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE TABLE change_log (\n"
        "    seq INTEGER NOT NULL,\n"
        "    action_id VARCHAR,\n"
        "    at DATETIME,\n"
        "    record_table VARCHAR NOT NULL,\n"
        "    record_id VARCHAR NOT NULL,\n"
        "    customer_id VARCHAR,\n"
        "    field VARCHAR,\n"
        "    old_value VARCHAR,\n"
        "    new_value VARCHAR,\n"
        "    kind VARCHAR NOT NULL,\n"
        "    actor VARCHAR,\n"
        "    source VARCHAR,\n"
        "    undone_by VARCHAR,\n"
        "    PRIMARY KEY (seq)\n"
        ")")
    # Two indexes only: every write pays for each. A customer's history reads by customer (a deal's too, within its
    # customer); an action's rows, and the rows not claimed yet (NULL, before each commit), by action; what
    # changed after an action is read by seq, the table's own order.
    op.execute("CREATE INDEX ix_change_log_customer ON change_log (customer_id, seq)")
    op.execute("CREATE INDEX ix_change_log_action ON change_log (action_id)")
    op.execute(
        "CREATE TABLE change_action (\n"
        "    action_id VARCHAR NOT NULL,\n"
        "    at DATETIME,\n"
        "    source VARCHAR NOT NULL,\n"
        "    actor VARCHAR,\n"
        "    what VARCHAR,\n"
        "    undoes VARCHAR,\n"
        "    PRIMARY KEY (action_id)\n"
        ")")
    op.execute("CREATE INDEX ix_change_action_at ON change_action (at)")
    # The triggers are made once the file reaches its target revision (store/migrate.py, refresh_triggers): a
    # later migration may add columns to log, and making them here then again would leave a free page behind.


def downgrade() -> None:
    connection = op.get_bind()
    for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'history!_%' ESCAPE '!'").fetchall():
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE change_action")
    op.execute("DROP TABLE change_log")
