"""Follow-ups carry their author, set by the server from the pushing rep's login.

Revision ID: s0007
Revises: s0006

`crm.follow_up.author` is the login that put the follow-up on the server: a trigger sets it to
`session_user` on every insert (inside the SECURITY DEFINER push, `session_user` is still the rep who
called it, while `current_user` is the functions' owner) and keeps the stored value on every update, so no
laptop can set or change it, whatever it sends. A customer moved from one rep to another keeps the
history of who made each call.

Follow-ups already on the server get the rep of the laptop that inserted them, read off the stamp of their
`created_at` (written once, by the insert, and never changed by an update); where that laptop is unknown,
`author` stays NULL and nothing is shown.
"""

from alembic import op

revision = "s0007"
down_revision = "s0006"
branch_labels = None
depends_on = None

UP = r"""
ALTER TABLE crm.follow_up ADD COLUMN author text;

-- Before the trigger exists: it would keep these rows' NULL.
UPDATE crm.follow_up
   SET author = sync.rep_of_stamp(coalesce(stamps->>'created_at', stamps->>'at'))
 WHERE coalesce(stamps->>'created_at', stamps->>'at') IS NOT NULL;

CREATE FUNCTION sync.follow_up_author() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.author := session_user;
    ELSE
        NEW.author := OLD.author;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER follow_up_author BEFORE INSERT OR UPDATE ON crm.follow_up
    FOR EACH ROW EXECUTE FUNCTION sync.follow_up_author();

-- Owned like its neighbours (whoever owns sync.push), nothing for PUBLIC.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION sync.follow_up_author() OWNER TO %s',
                   (SELECT proowner::regrole FROM pg_proc WHERE oid = 'sync.push(text, jsonb)'::regprocedure));
END $$;
REVOKE ALL ON FUNCTION sync.follow_up_author() FROM PUBLIC;
"""

DOWN = r"""
DROP TRIGGER follow_up_author ON crm.follow_up;
DROP FUNCTION sync.follow_up_author();
ALTER TABLE crm.follow_up DROP COLUMN author;
"""


def upgrade() -> None:
    op.execute(UP)


def downgrade() -> None:
    op.execute(DOWN)
