"""Indexes the reports read: live follow-ups and live stage changes by time, and the deleted follow-ups.

Revision ID: 0012
Revises: 0011

The reports count follow-ups over a span of months for the whole book (the activity heatmap alone covers a year:
some 200k follow-ups on a big book). The index of (customer_id, at) finds them only customer by customer and cannot
tell a deleted one without reading its row. These indexes hold only live rows (deleted_at IS NULL, which they also
carry so SQLite reads the index alone), in time order, so a span is one range of one index:

- ix_follow_up_live_at: live follow-ups by time, with their customer (whose they are, for the rep asked for).
- ix_follow_up_deleted: the few deleted follow-ups, so those a count must take away are found without reading
  every row.
- ix_deal_stage_change_live_at: live stage changes by time, with their deal (the funnel's deals that moved).

A new follow-up adds one entry to ix_follow_up_live_at (ix_follow_up_deleted only holds deleted ones).
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_follow_up_live_at ON follow_up (at, customer_id, deleted_at)"
               " WHERE deleted_at IS NULL")
    op.execute("CREATE INDEX ix_follow_up_deleted ON follow_up (customer_id) WHERE deleted_at IS NOT NULL")
    op.execute("CREATE INDEX ix_deal_stage_change_live_at ON deal_stage_change (at, deal_id, deleted_at)"
               " WHERE deleted_at IS NULL")
