"""`crm server` for the admin a managed PostgreSQL gives (CREATEROLE, owner of the database, no superuser),
several teams on one cluster, and a server from before team names, against the embedded PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest

from crmtui.server import admin
from crmtui.services import customers as customer_service
from crmtui.services.follow_ups import log_follow_up
from crmtui.store.models import Customer
from crmtui.sync import client as sync

from .conftest import NOW
from .teamserver import Team
from .test_cli import fails, ok


def _log(ctx, customer_id: str) -> None:
    log_follow_up(ctx, customer_id, channel="phone", goal="intro", goal_met=True, notes="called",
                  next_plan="send deck", next_at="in 3 days")


def _local_names(ctx) -> list[str]:
    from sqlmodel import select

    with ctx.db.read() as session:
        return sorted(c.name for c in session.exec(select(Customer)).all())


def _downgrade(team: Team, revision: str) -> None:
    """The team schema as an older crmtui left it (run as the cluster's superuser)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(team.cluster.url(team.database).replace("postgresql:", "postgresql+psycopg:", 1),
                           poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(admin.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    engine.dispose()


def _roles(team: Team) -> set[str]:
    with psycopg.connect(team.cluster.url(), autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'crm%'")}


def _member_of(team: Team, login: str) -> set[str]:
    with psycopg.connect(team.cluster.url(), autocommit=True) as conn:
        return {row[0] for row in conn.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            " JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = %s", (login,))}


@pytest.mark.parametrize("factory", ["team_factory", "team_factory_pg16"])
def test_an_admin_without_superuser_runs_the_team_from_the_cli(factory: str, request: pytest.FixtureRequest) -> None:
    team = request.getfixturevalue(factory)(init=False)
    with team.admin() as conn:
        assert conn.info.server_version // 10000 == (16 if factory.endswith("pg16") else 18)
    with team.admin() as conn:  # what a managed server gives the admin, and nothing more
        assert conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication FROM pg_roles"
            " WHERE rolname = current_user").fetchone() == (False, True, False, False, False)
        assert conn.execute(
            "SELECT pg_has_role('pg_read_server_files', 'MEMBER') OR pg_has_role('pg_signal_backend', 'MEMBER')"
            " OR pg_has_role('pg_write_server_files', 'MEMBER')").fetchone()[0] is False
        assert conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
                            ).fetchone()[0] == team.admin_user
    db = team.database
    result = ok("server", "init", "--dsn", team.dsn)
    assert f"team schema created or migrated: empty → {admin.head_revision()}" in result.stdout
    assert f"team {db}: group roles crm_{db}_rep, crm_{db}_manager, crm_{db}_admin" in result.stdout
    team.set_server_clock(NOW)  # the admin may set the team clock: it reads and writes past row-level security

    ann, bob = team.add_rep("ann"), team.add_rep("bob")
    manager = ok("server", "add-rep", team.role("lee"), "--manager", "--dsn", team.dsn)
    team.passwords["lee"] = manager.stdout.strip().splitlines()[-1]
    assert _member_of(team, team.role("lee")) == {f"crm_{db}_manager"}
    assert _member_of(team, team.role("ann")) == {f"crm_{db}_rep"}
    team.passwords["cat"], _ = admin.add_rep(team.dsn, team.role("cat"))
    team.passwords["cat"], existed = admin.add_rep(team.dsn, team.role("cat"), manager=True)  # promoted
    assert existed and _member_of(team, team.role("cat")) == {f"crm_{db}_manager"}

    acme = customer_service.add_customer(ann, "Acme Trading")
    _log(ann, acme.id)
    assert sync.sync_round(ann).rejected == 0
    assert [row["owner"] for row in team.server_rows("customer")] == [team.role("ann")]

    assert "claim-limit: 5" in ok("server", "rules", "--claim-limit", "5", "--dsn", team.dsn).stdout
    assert admin.rules(team.dsn, {})["claim_limit"] == 5
    ok("server", "reassign", "Acme", team.role("bob"), "--dsn", team.dsn)
    assert [row["owner"] for row in team.server_rows("customer")] == [team.role("bob")]
    sync.sync_round(bob)
    sync.sync_round(ann)
    assert (_local_names(bob), _local_names(ann)) == (["Acme Trading"], [])
    assert "0 customers went back to the pool" in ok("server", "reclaim", "--dsn", team.dsn).stdout
    reps = ok("server", "reps", "--dsn", team.dsn).stdout
    assert f"{team.role('bob')}: 1 customer" in reps and f"{team.role('cat')}: 0 customers  (manager)" in reps

    # bob keeps a session open; this admin may not end another role's sessions, yet the removal cuts it off.
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as open_session:
        assert open_session.execute("SELECT count(*) FROM crm.customer").fetchone()[0] == 1
        result = ok("server", "remove-rep", team.role("bob"), "--dsn", team.dsn)
        assert f"{team.role('bob')} can no longer log in; 1 customer went back to the pool" in result.stdout
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            open_session.execute("SELECT count(*) FROM crm.customer")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            open_session.execute("SELECT sync.push('laptop', '[]'::jsonb)")
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        psycopg.connect(team.rep_url("bob"))
    assert [row["owner"] for row in team.server_rows("customer")] == [None]
    # ...and a removed rep comes back with the same login.
    team.passwords["bob"], existed = admin.add_rep(team.dsn, team.role("bob"))
    assert existed and _member_of(team, team.role("bob")) == {f"crm_{db}_rep"}
    assert "up to date" in ok("server", "init", "--dsn", team.dsn).stdout
    epoch = admin.init(team.dsn).epoch
    assert admin.init(team.dsn, new_epoch=True).epoch != epoch  # after a restore: restamps every row


def test_two_teams_on_one_cluster_see_nothing_of_each_other(team_factory) -> None:
    a, b = team_factory(), team_factory()
    assert set(a.group_roles).isdisjoint(b.group_roles)
    assert set(a.group_roles) | set(b.group_roles) <= _roles(a)
    a.add_rep("ann")
    a.add_rep("max", manager=True)
    bea = b.add_rep("bea")
    customer_service.add_customer(bea, "Beta Industries")
    sync.sync_round(bea)
    cluster = a.cluster
    outsiders = [(a.role("ann"), a.passwords["ann"]), (a.role("max"), a.passwords["max"]),
                 (a.admin_user, a.admin_password)]
    for user, password in outsiders:
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(cluster.url(b.database, user=user, password=password))
    # Even with CONNECT opened to everyone by mistake, team A's roles hold nothing in B's database.
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f"GRANT CONNECT ON DATABASE {b.database} TO PUBLIC")
    for user, password in outsiders:
        with psycopg.connect(cluster.url(b.database, user=user, password=password), autocommit=True) as conn:
            for query in ("SELECT count(*) FROM crm.customer", "SELECT count(*) FROM crm.rep",
                          "SELECT sync.is_manager()", "SELECT sync.push('laptop', '[]'::jsonb)",
                          "SELECT * FROM sync.check_duplicate('name', 'beta industries')",
                          "SELECT sync.reassign('x', NULL)", "SELECT sync.retire_rep('bea')"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(query)
    # B's own rep still sees B's book.
    with psycopg.connect(b.rep_url("bea"), autocommit=True) as conn:
        assert conn.execute("SELECT name FROM crm.customer").fetchall() == [("Beta Industries",)]


def test_a_login_of_another_team_is_refused_naming_it(team_factory) -> None:
    a, b = team_factory(), team_factory()
    a.add_rep("ann")
    refused = fails("server", "add-rep", a.role("ann"), "--dsn", b.dsn)
    assert (f"{a.role('ann')} is a login of team {a.database} on this cluster, and logins are shared by every"
            " database of a cluster: choose another name for this team's rep") in refused.stderr
    assert _member_of(a, a.role("ann")) == {f"crm_{a.database}_rep"}  # nothing changed in either team
    assert admin.reps(b.dsn) == []


def test_a_server_from_before_team_names_is_upgraded_in_place(team_factory) -> None:
    team = team_factory(managed=False)  # servers were set up by a superuser then
    ann = team.add_rep("ann")
    team.add_rep("lee", manager=True)
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    _downgrade(team, "s0003")
    assert {"crm_owner", "crm_api", "crm_rep", "crm_manager", "crm_admin"} <= _roles(team)
    assert _member_of(team, team.role("ann")) == {"crm_rep"}

    result = admin.init(team.dsn)
    assert (result.revision_before, result.revision_after) == ("s0003", admin.head_revision())
    assert result.roles == admin.team_roles(team.database)
    roles = _roles(team)
    assert not {"crm_owner", "crm_api", "crm_rep", "crm_manager", "crm_admin"} & roles
    assert set(team.group_roles) <= roles
    assert _member_of(team, team.role("ann")) == {f"crm_{team.database}_rep"}
    # Grants, policies and ownership followed the renamed roles; the functions ask the team's roles.
    _log(ann, acme.id)
    assert sync.sync_round(ann).rejected == 0
    with psycopg.connect(team.rep_url("lee"), autocommit=True) as conn:
        assert conn.execute("SELECT sync.is_manager(), count(*) FROM crm.customer").fetchone() == (True, 1)
    with psycopg.connect(team.rep_url("ann"), autocommit=True) as conn:
        assert conn.execute("SELECT sync.is_manager(), sync.is_admin()").fetchone() == (False, False)
        for internal in ("SELECT sync.team_role('admin')", "SELECT * FROM sync.team_role"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(internal)
    assert admin.remove_rep(team.dsn, team.role("ann")) == 1


def test_a_new_team_beside_one_from_before_team_names_asks_to_upgrade_it_first(team_factory) -> None:
    old = team_factory(managed=False)
    _downgrade(old, "s0003")
    new = team_factory(init=False)
    refused = fails("server", "init", "--dsn", new.dsn)
    assert (f"the database {old.database} on this cluster still uses the shared roles crm_rep, crm_manager and so"
            " on: run `crm server init` on it first") in refused.stderr
    with psycopg.connect(new.cluster.url(new.database), autocommit=True) as conn:  # nothing was left behind
        assert conn.execute("SELECT to_regclass('sync.server_info')").fetchone()[0] is None
    ok("server", "init", "--dsn", old.dsn)
    assert f"team {new.database}:" in ok("server", "init", "--dsn", new.dsn).stdout


def test_the_team_name_is_checked_and_kept(team_factory) -> None:
    team = team_factory(init=False)
    refused = fails("server", "init", "--team", "Sales-1", "--dsn", team.dsn)
    assert 'team: lower-case letters, digits and _, starting with a letter' in refused.stderr
    assert '(got "Sales-1")' in refused.stderr
    result = ok("server", "init", "--team", "sales", "--dsn", team.dsn)
    assert "team sales: group roles crm_sales_rep, crm_sales_manager, crm_sales_admin" in result.stdout
    assert "crm_sales_rep" in _roles(team)
    refused = fails("server", "init", "--team", "other", "--dsn", team.dsn)
    assert "this database is team sales; a team's name cannot change" in refused.stderr
    assert "team sales:" in ok("server", "init", "--dsn", team.dsn).stdout
    # The fixture drops the roles it named from the database; these are the team's own.
    with psycopg.connect(team.cluster.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {team.database} WITH (FORCE)")
        conn.execute("DROP ROLE crm_sales_owner, crm_sales_api, crm_sales_rep, crm_sales_manager, crm_sales_admin")
        conn.execute(f"CREATE DATABASE {team.database} OWNER {team.admin_user}")


def test_init_and_the_admin_commands_say_who_may_run_them(team_factory) -> None:
    team = team_factory(init=False)
    with psycopg.connect(team.cluster.url(), autocommit=True) as conn:  # owns the database, no CREATEROLE
        conn.execute(f"ALTER ROLE {team.admin_user} NOCREATEROLE")
    refused = fails("server", "init", "--dsn", team.dsn)
    assert (f"{team.admin_user} cannot set up the team: `crm server init` needs a login that owns the database"
            " and has CREATEROLE (or a superuser)") in refused.stderr
    with psycopg.connect(team.cluster.url(), autocommit=True) as conn:
        conn.execute(f"ALTER ROLE {team.admin_user} CREATEROLE")
    ok("server", "init", "--dsn", team.dsn)
    team.add_rep("ann")
    team.add_rep("lee", manager=True)
    for name in ("ann", "lee"):  # a rep or a manager with their own login is not the admin
        dsn = team.rep_url(name)
        for command in (["add-rep", "eve"], ["remove-rep", team.role("ann")], ["rules", "--claim-limit", "9"],
                        ["reclaim"], ["reps"]):
            refused = fails("server", *command, "--dsn", dsn)
            assert f"{team.role(name)} is not this team's admin" in refused.stderr, command
    assert admin.rules(team.dsn, {})["claim_limit"] == 3
    assert [rep[0] for rep in admin.reps(team.dsn)] == [team.role("ann"), team.role("lee")]


def test_two_databases_sharing_the_old_role_names_are_not_guessed_apart(team_factory) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    a = team_factory(managed=False)
    _downgrade(a, "s0003")
    b = team_factory(managed=False, init=False)  # set up as two teams on one cluster were before: shared roles
    engine = create_engine(b.cluster.url(b.database).replace("postgresql:", "postgresql+psycopg:", 1),
                           poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(admin.MIGRATIONS))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE SCHEMA crm AUTHORIZATION crm_owner; CREATE SCHEMA sync AUTHORIZATION crm_owner")
        config.attributes["connection"] = connection
        command.upgrade(config, "s0003")
    engine.dispose()
    for team, other in ((a, b), (b, a)):
        refused = fails("server", "init", "--dsn", team.dsn)
        assert (f"the roles crm_rep, crm_manager and so on are shared with the database {other.database} on this"
                " cluster, and crmtui cannot tell whose they are") in refused.stderr
    assert {"crm_owner", "crm_rep"} <= _roles(a)  # nothing renamed


# The service the `crm server` commands go through ------------------------------------------------------------

def test_a_driver_error_of_an_admin_command_is_one_line_with_the_password_masked() -> None:
    from crmtui.core.errors import NotAllowed
    from crmtui.services import admin as admin_service

    dsn = "postgresql://admin:s3cret-pw@db.example/team"

    def refused(url: str) -> None:
        raise psycopg.OperationalError(f"connection to {url} failed\nDETAIL:  FATAL: no such database")

    with pytest.raises(NotAllowed) as error:
        admin_service.as_admin(dsn, refused, "init")
    assert str(error.value) == "the server refused: connection to postgresql://admin:***@db.example/team failed"


def test_an_admin_command_without_the_admin_url_says_whose_it_is_and_other_errors_pass_through() -> None:
    from crmtui.core.errors import NotAllowed
    from crmtui.services import admin as admin_service

    with pytest.raises(NotAllowed) as error:
        admin_service.reclaim(None)
    assert str(error.value) == ("`crm server reclaim` is the admin's: give the admin's connection URL with --dsn or"
                                " CRMTUI_SERVER_DSN")

    def broken(url: str) -> None:
        raise KeyError(url)  # a bug of ours is never dressed as the server's refusal

    with pytest.raises(KeyError):
        admin_service.as_admin("postgresql://admin@db.example/team", broken)
