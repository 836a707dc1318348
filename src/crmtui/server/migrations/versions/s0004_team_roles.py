"""Group roles scoped by team, and an admin who needs no superuser.

Revision ID: s0004
Revises: s0003

Roles belong to the whole PostgreSQL cluster, so the literal group roles of s0001 (crm_owner, crm_api,
crm_rep, crm_manager, crm_admin) would be shared by every team database of a cluster: a rep of one team
would be crm_rep in the other's database too. Here they take the team's name (crm_<team>_rep, ...).
Policies, grants and ownership follow a role's OID, so a rename carries them all; what named the roles
by text (sync.is_manager() and sync.retire_rep()) now reads them from sync.team_role, by OID, through
sync.is_manager() and sync.is_admin(). Functions that need to know who is a manager or the admin call
those two and never name a role.

The team name comes from `crm server init` (config attribute "team"); init also creates the literal
roles for a new database inside the same transaction, so another session never sees them.
"""

import re

from alembic import context, op

revision = "s0004"
down_revision = "s0003"
branch_labels = None
depends_on = None

KINDS = ("owner", "api", "rep", "manager", "admin")

UP = r"""
CREATE TABLE sync.team_role (
    kind text PRIMARY KEY CHECK (kind IN ('owner', 'api', 'rep', 'manager', 'admin')),
    role oid NOT NULL
);
INSERT INTO sync.team_role (kind, role)
    SELECT k, format('crm_%s', k)::regrole::oid FROM unnest(ARRAY['owner', 'api', 'rep', 'manager', 'admin']) k;
INSERT INTO sync.server_info (key, value) VALUES ('team', {team_literal});

CREATE FUNCTION sync.team_role(p_kind text) RETURNS oid LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$ SELECT role FROM sync.team_role WHERE kind = p_kind $$;

CREATE FUNCTION sync.is_admin() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$ SELECT coalesce(pg_has_role(session_user, sync.team_role('admin'), 'MEMBER'), false) $$;

CREATE OR REPLACE FUNCTION sync.is_manager() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
    AS $$ SELECT coalesce(pg_has_role(session_user, sync.team_role('manager'), 'MEMBER'), false)
                 OR sync.is_admin() $$;

{retire_rep}

ALTER TABLE sync.team_role OWNER TO crm_owner;
ALTER TABLE sync.team_role ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.team_role FORCE ROW LEVEL SECURITY;
REVOKE ALL ON sync.team_role FROM PUBLIC;
GRANT SELECT ON sync.team_role TO crm_api;
CREATE POLICY api_all ON sync.team_role TO crm_api USING (true) WITH CHECK (true);
ALTER FUNCTION sync.team_role(text) OWNER TO crm_api;
ALTER FUNCTION sync.is_admin() OWNER TO crm_api;
REVOKE ALL ON FUNCTION sync.team_role(text), sync.is_admin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.is_admin() TO crm_rep, crm_manager, crm_admin;
GRANT EXECUTE ON FUNCTION sync.is_manager() TO crm_admin;

ALTER ROLE crm_owner RENAME TO {owner};
ALTER ROLE crm_api RENAME TO {api};
ALTER ROLE crm_rep RENAME TO {rep};
ALTER ROLE crm_manager RENAME TO {manager};
ALTER ROLE crm_admin RENAME TO {admin};
"""


def _s0001_function(name: str) -> str:
    """One function's definition as revision s0001 made it (plpgsql ones end with `END $$;`)."""
    from importlib import import_module

    s0001 = import_module("crmtui.server.migrations.versions.s0001_team_schema")
    found = re.search(rf"CREATE FUNCTION sync\.{name}\(.*?(END \$\$;|\$\$;)\n", s0001.FUNCTIONS, re.S)
    assert found, name
    return found.group(0).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade() -> None:
    from psycopg import sql

    team = context.config.attributes.get("team")
    if not team:
        raise RuntimeError("revision s0004 needs the team's name: run it through `crm server init`")
    names = {kind: sql.Identifier(f"crm_{team}_{kind}").as_string(None) for kind in KINDS}
    retire_rep = _s0001_function("retire_rep").replace(
        "pg_has_role(session_user, 'crm_admin', 'MEMBER')", "sync.is_admin()")
    assert "sync.is_admin()" in retire_rep
    op.execute(UP.format(team_literal=sql.Literal(team).as_string(None), retire_rep=retire_rep, **names))


DOWN = r"""
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT kind, role::regrole::text AS name FROM sync.team_role LOOP
        EXECUTE format('ALTER ROLE %s RENAME TO %I', r.name, 'crm_' || r.kind);
    END LOOP;
END $$;
DROP TABLE sync.team_role;
DELETE FROM sync.server_info WHERE key = 'team';
"""


def downgrade() -> None:
    op.execute(DOWN)
    op.execute(_s0001_function("is_manager"))
    op.execute(_s0001_function("retire_rep"))
    op.execute("DROP FUNCTION sync.is_admin(), sync.team_role(text)")
