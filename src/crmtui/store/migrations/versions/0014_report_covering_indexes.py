"""Indexes the activity report reads whole: a span's live follow-ups in time order, and each customer's live
follow-ups in time order, each holding every column those reads use.

Revision ID: 0014
Revises: 0013

The activity report reads every follow-up of its period (some 200k for 90 days of a big book) twice: counted by
hour, channel and goal met, and in time order to work out who was overdue at the end of each week; and, for each
customer, the next date its latest follow-up before a moment planned. Read through the indexes of 0012 and
(customer_id, at), each of those follow-ups is a second read of its row in the table, scattered over the file.
These indexes carry the columns those queries use (deleted_at too, so SQLite reads the index alone), and only live
rows:

- ix_follow_up_live_span: live follow-ups by (at, created_at), with their customer, next date, channel, goal met
  and goal: a period's follow-ups are one range of it, already in the order the overdue count needs.
- ix_follow_up_live_plan: live follow-ups by (customer_id, at, created_at), with their next date and id: the latest
  one of a customer before a moment is one step back in it (the id finds a correction that supersedes it).

A new follow-up adds one entry to each; on the bench's book (500k follow-ups) they take about 150 MB.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_follow_up_live_span ON follow_up (at, created_at, customer_id, next_at, channel,"
               " goal_met, goal, deleted_at) WHERE deleted_at IS NULL")
    op.execute("CREATE INDEX ix_follow_up_live_plan ON follow_up (customer_id, at, created_at, next_at, id,"
               " deleted_at) WHERE deleted_at IS NULL")


def downgrade() -> None:
    op.execute("DROP INDEX ix_follow_up_live_plan")
    op.execute("DROP INDEX ix_follow_up_live_span")
