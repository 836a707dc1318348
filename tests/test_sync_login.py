"""What a rep and an admin are told when the team server refuses a login, and how passwords are kept out of the
messages: against the embedded PostgreSQL, real logins, `crm` in-process, the keyring in memory."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from crmtui.core.config import SyncSettings
from crmtui.server import admin
from crmtui.sync.connection import KEYRING_SERVICE, LoginRefused, connect, hide_password

from .teamserver import MemoryKeyring, Team
from .test_cli import crm, fails, ok
from .test_cli_team import _add_rep_by_cli, _set_up


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


# ---------------------------------------------------------------- a refused login


def test_a_removed_rep_is_told_the_login_was_disabled_and_to_ask_the_admin(team: Team) -> None:
    role, _ = _set_up(team)
    ok("server", "remove-rep", role, "--dsn", team.dsn)
    line = _one_line(fails("sync").stderr)
    assert line == (f"error: the login {role} was disabled on the team server (the admin removed it from the team);"
                    " ask your team's admin")
    assert "crm sync setup" not in line  # a new password would not help


def test_a_rep_taken_out_of_the_teams_groups_is_told_it_is_not_in_the_team(team: Team) -> None:
    role, _ = _set_up(team)
    with team.admin() as conn:  # LOGIN stays: only the membership that carried CONNECT on the database goes
        conn.execute(f'REVOKE "crm_{team.database}_rep" FROM "{role}"')
    line = _one_line(fails("sync").stderr)
    assert line == (f"error: the login {role} may not connect to the team database {team.database}: it is not, or"
                    " no longer, in that team; ask your team's admin (or check the server URL)")
    with pytest.raises(LoginRefused) as refused, connect(SyncSettings(server=team.server_url, user=role)):
        pass
    assert refused.value.why == "not_in_team"  # what a laptop acts on, whatever the language


def test_a_wrong_password_at_setup_is_said_to_be_wrong_for_that_login(team: Team, home: Path,
                                                                      memory_keyring: MemoryKeyring) -> None:
    role, _ = _add_rep_by_cli(team, "typo")
    result = crm("sync", "setup", "--server", team.server_url, "--user", role, input="not-the-password\n")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    line = result.stderr.split(":", 1)[1].strip()  # after the prompt (whose newline went to stdout with the typing)
    assert line == (f"error: the team server refused the password for {role}: it is not that login's password (or"
                    " there is no such login); type the password your admin gave you")
    assert "not-the-password" not in result.output
    assert "[sync]" not in (home / "config" / "config.toml").read_text(encoding="utf-8")
    assert memory_keyring.secrets == {}


def test_a_password_the_admin_changed_tells_the_rep_to_run_setup_again(team: Team) -> None:
    role, _ = _set_up(team)
    ok("server", "add-rep", role, "--dsn", team.dsn)  # a new password: the one in the keyring stops working
    line = _one_line(fails("sync").stderr)
    assert line == (f"error: the team server refused the password stored for {role}; if your admin gave you a new"
                    " password, run `crm sync setup` again")  # our words only, never libpq's


def test_a_short_stored_password_does_not_garble_the_servers_words(team: Team, memory_keyring: MemoryKeyring) -> None:
    role, _ = _set_up(team)
    # A one-letter password found inside "password authentication failed" once hid the words the refusal is
    # recognised by, and the rep was told the server could not be reached.
    memory_keyring.secrets[(KEYRING_SERVICE, f"{role}@{team.server_url}")] = "e"
    line = _one_line(fails("sync").stderr)
    assert line.startswith(f"error: the team server refused the password stored for {role};") and "***" not in line


# ---------------------------------------------------------------- the admin's DSN in messages


def test_a_short_admin_password_is_masked_only_in_its_field(team_factory) -> None:
    team = team_factory()
    with psycopg.connect(team.cluster.url(), autocommit=True) as conn:
        conn.execute(f"ALTER ROLE {team.admin_user} PASSWORD 'e'")
    wrong = f"postgresql://{team.admin_user}:a@{team.cluster.host}:{team.cluster.port}/{team.database}"
    line = _one_line(fails("server", "reps", "--dsn", wrong).stderr)
    assert f'password authentication failed for user "{team.admin_user}"' in line and "***" not in line
    # The password's letters are everywhere in the message; only a password field is masked.
    right = team.cluster.url(team.database, user=team.admin_user, password="e")
    assert "no reps yet" in ok("server", "reps", "--dsn", right).stdout


@pytest.mark.parametrize(("dsn", "secret"), [
    ("postgresql//admin:s3cret@db.example.com/team", "s3cret"),     # the scheme mistyped: libpq echoes it all
    ("admin:s3cret@db.example.com/team", "s3cret"),                 # no scheme
    ("postgresql://admin:sec ret@db.example.com/team", "sec ret"),  # libpq quotes the password alone
    ("postgresql://admin:p%zz@db.example.com/team", "p%zz"),
    ("postgresql://admin:p@ss@127.0.0.1:1/team", "ss@"),            # read as the password p and the host ss@...
    ("host=127.0.0.1 port=1 password='a b' nonsense", "a b"),
])
def test_a_malformed_admin_dsn_never_shows_its_password(dsn: str, secret: str) -> None:
    line = _one_line(fails("server", "reps", "--dsn", dsn).stderr)
    assert secret not in line, line


def test_masking_keeps_other_words_whole() -> None:
    dsn = "postgresql://admin:x@db.example.com/team"
    assert admin.mask("could not translate host name \"db.example.com\" to address", dsn) == \
        "could not translate host name \"db.example.com\" to address"
    assert admin.mask(f"bad URI: \"{dsn}\"", dsn) == "bad URI: \"postgresql://admin:***@db.example.com/team\""
    assert hide_password("x password=x y password='x x' z", "x") == "x password=*** y password=*** z"


# ---------------------------------------------------------------- the admin's commands with another login


@pytest.mark.parametrize("manager", [False, True])
def test_reps_with_a_reps_or_managers_login_is_refused_and_counts_nothing(team: Team, manager: bool) -> None:
    ok("add", "customer", "Acme")  # nothing to do with the refusal: the admin's list would count it
    team.add_rep("ann", manager=manager)
    refused = fails("server", "reps", "--dsn", team.rep_url("ann"))
    assert _one_line(refused.stderr) == (f"error: {team.role('ann')} is not this team's admin: use the login that"
                                         " ran `crm server init`")
    assert refused.stdout == ""
    assert [rep[0] for rep in admin.reps(team.dsn)] == [team.role("ann")]
