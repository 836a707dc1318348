"""`crm server`, `crm sync` and `crm pool` in-process against the embedded PostgreSQL, keyring in memory."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from crmtui.server import admin
from crmtui.store.models import Customer
from crmtui.sync.connection import KEYRING_SERVICE

from .teamserver import MemoryKeyring, Team, local_rows
from .test_cli import crm, fails, names, ok


def _add_rep_by_cli(team: Team, name: str) -> tuple[str, str]:
    role = team.role(name)
    result = ok("server", "add-rep", role, "--dsn", team.dsn)
    password = result.stdout.strip().splitlines()[-1]
    team.passwords[name] = password  # dropped with the team
    return role, password


def _set_up(team: Team, name: str = "cli") -> tuple[str, str]:
    role, password = _add_rep_by_cli(team, name)
    result = crm("sync", "setup", "--server", team.server_url, "--user", role, input=password + "\n")
    assert result.exit_code == 0 and result.exception is None, result.output
    assert result.stderr.startswith(f"Password for {role}:")  # the prompt, on stderr
    assert f"connected to {team.server_url} as {role}" in result.stdout
    return role, password


def test_server_init_twice_says_up_to_date(team: Team) -> None:
    result = ok("server", "init", "--dsn", team.dsn)
    assert f"up to date ({admin.head_revision()})" in result.stdout
    assert "sync epoch:" in result.stdout


def test_setup_keeps_the_password_in_the_keyring_only(team: Team, home: Path, memory_keyring: MemoryKeyring) -> None:
    role, password = _set_up(team)
    config = (home / "config" / "config.toml").read_text(encoding="utf-8")
    assert f'user = "{role}"' in config and team.server_url in config
    assert 'timezone = "Asia/Shanghai"' in config  # the rest of the file kept
    assert password not in config
    assert memory_keyring.secrets == {(KEYRING_SERVICE, f"{role}@{team.server_url}"): password}
    ok("add", "customer", "上海宏达", "--phone", "13800000001")
    result = ok("sync")
    # The pushed row came back with its owner set; the pull then had nothing new for this laptop.
    assert result.stdout.startswith("synced: 1 sent (1 applied, 0 superseded, 0 rejected), 0 received")
    assert [r["name"] for r in team.server_rows("customer")] == ["上海宏达"]
    status = json.loads(ok("sync", "status", "--json").stdout)
    assert status["pending"] == 0 and status["user"] == role
    assert status["server_versions"] == {"schema": 1, "format_min": 1, "format_max": 1}
    # Nowhere on disk: not in the config, not in the database file (status, errors, outbox).
    for path in home.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path


def test_setup_has_no_password_option(team: Team) -> None:
    result = crm("sync", "setup", "--server", team.server_url, "--user", "x", "--password", "secret")
    assert result.exit_code == 2 and "No such option" in result.output
    assert "--password" not in ok("sync", "setup", "--help").stdout


def test_setup_with_a_wrong_password_saves_nothing(team: Team, home: Path, memory_keyring: MemoryKeyring) -> None:
    role, _ = _add_rep_by_cli(team, "wrong")
    result = crm("sync", "setup", "--server", team.server_url, "--user", role, input="not-the-password\n")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"refused the password for {role}: it is not that login's password" in result.stderr
    assert "not-the-password" not in result.output
    assert "[sync]" not in (home / "config" / "config.toml").read_text(encoding="utf-8")
    assert memory_keyring.secrets == {}


def test_setup_refuses_a_remote_server_without_tls(memory_keyring: MemoryKeyring) -> None:
    result = fails("sync", "setup", "--server", "postgresql://crm.example.com/team?sslmode=disable",
                   "--user", "ann", input="pw\n")
    assert "verified TLS" in result.stderr and "--insecure" in result.stderr
    assert memory_keyring.secrets == {}


def test_setup_refuses_a_bad_url_naming_the_field(memory_keyring: MemoryKeyring) -> None:
    result = fails("sync", "setup", "--server", "crm.example.com", "--user", "ann", input="pw\n")
    assert result.stderr.startswith("error: server:") and "postgresql://" in result.stderr


def test_pool_list_claim_release_from_the_shell(team: Team) -> None:
    _set_up(team)
    import uuid

    with team.admin() as conn:
        for name in ("广州新锐", "深圳前海"):
            conn.execute("INSERT INTO crm.customer (id, created_at, updated_at, name, name_key, pinyin)"
                         " VALUES (%s, sync.now(), sync.now(), %s, %s, %s)",
                         (str(uuid.uuid4()), name, name, "guangzhou" if name == "广州新锐" else "shenzhen"))
    listed = json.loads(ok("pool", "--json").stdout)
    assert sorted(c["name"] for c in listed) == ["广州新锐", "深圳前海"]
    result = ok("pool", "claim", "guangzhou")
    assert "claimed 广州新锐" in result.stdout and "within 48 h" in result.stdout
    assert [row["name"] for row in json.loads(ok("list", "leads", "--json").stdout)] == ["广州新锐"]
    assert [c["name"] for c in json.loads(ok("pool", "--json").stdout)] == ["深圳前海"]
    assert "released 广州新锐 to the pool (no budget)" in ok("pool", "release", "广州新锐", "--reason", "no-budget",
                                                         "--yes").stdout
    assert "广州新锐" not in ok("list", "leads").stdout + ok("list", "customers").stdout
    refused = fails("pool", "claim", "广州新锐")
    assert "claim it again after Tue 1 Dec 10:00" in refused.stderr  # NOW and relock_days 7, as the pool list says


def test_rules_show_and_set(team: Team) -> None:
    assert "claim-limit: 3" in ok("server", "rules", "--dsn", team.dsn).stdout
    result = ok("server", "rules", "--dsn", team.dsn, "--claim-limit", "5", "--max-held", "200")
    assert "claim-limit: 5" in result.stdout and "max-held: 200" in result.stdout
    assert admin.rules(team.dsn, {})["claim_limit"] == 5
    assert "import-checks-per-day: 900" in ok("server", "rules", "--dsn", team.dsn, "--import-checks-per-day",
                                             "900").stdout
    result = crm("server", "rules", "--dsn", team.dsn, "--reclaim-days", "0")
    assert result.exit_code == 2 and "--reclaim-days" in result.output


def test_remove_rep_returns_customers_and_blocks_login(team: Team) -> None:
    role, _ = _set_up(team)
    ok("add", "customer", "Acme")
    ok("sync")
    result = ok("server", "remove-rep", role, "--dsn", team.dsn)
    assert "1 customer went back to the pool" in result.stdout
    assert team.server_rows("customer")[0]["owner"] is None
    refused = fails("sync")
    assert f"the login {role} was disabled on the team server" in refused.stderr


def test_conflicts_lists_a_rejected_change(team: Team, home: Path) -> None:
    role, _ = _set_up(team)
    ok("add", "customer", "Acme")
    ok("sync")
    ok("edit", "Acme", "--industry", "零售")
    customer_id = team.server_rows("customer")[0]["id"]
    ok("server", "reassign", customer_id, "pool", "--dsn", team.dsn)
    result = ok("sync")
    assert "1 rejected" in result.stdout and "the customer is in the pool now" in result.stdout
    listing = ok("sync", "conflicts").stdout
    assert "Rejected changes" in listing and "the customer is in the pool now" in listing and '"零售"' in listing


def test_unreachable_server_is_one_line_and_local_work_goes_on(home: Path, memory_keyring: MemoryKeyring) -> None:
    from crmtui.core.config import SyncSettings, save_sync_settings
    from crmtui.sync.connection import store_password

    sync = SyncSettings(server="postgresql://127.0.0.1:1/team", user="ann")
    save_sync_settings(sync, home / "config" / "config.toml")
    store_password(sync, "pw")
    ok("add", "lead", "Offline Lead")
    result = fails("sync")
    assert result.stderr.count("\n") == 1 and "cannot reach the team server" in result.stderr
    assert "Offline Lead" in ok("list", "leads").stdout
    status = ok("sync", "status").stdout
    assert "pending changes: 1" in status and "cannot reach the team server" in status
    with sqlite3.connect(home / "data" / "crm.db") as conn:
        assert conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0] == 1


def test_admin_mistakes_are_one_line_naming_what_is_wrong(team: Team) -> None:
    ok("add", "customer", "Acme")  # a laptop customer; the server has none: reassign finds nothing
    assert "no customer matches" in fails("server", "reassign", "Acme", "pool", "--dsn", team.dsn).stderr
    _set_up(team, "ann")
    ok("sync")
    refused = fails("server", "reassign", "Acme", "nobody", "--dsn", team.dsn)
    assert "no active rep named nobody" in refused.stderr
    refused = fails("server", "rules", "--dsn", team.dsn, "--max-held", "99999999999999")
    assert "max_held" in refused.stderr and "100000" in refused.stderr
    for name in ("pool", "crm_rep", "pg_x"):
        assert "a name other than pool" in fails("server", "add-rep", name, "--dsn", team.dsn).stderr


def test_add_rep_again_says_the_password_changed(team: Team) -> None:
    role, _ = _add_rep_by_cli(team, "twice")
    result = ok("server", "add-rep", role, "--dsn", team.dsn)
    assert "a new password replaces the old one" in result.stdout


def test_a_malformed_dsn_or_url_is_one_line_without_the_password() -> None:
    result = fails("server", "reps", "--dsn", "postgresql://admin:Sup3r%zzSecret@127.0.0.1:1/team")
    assert "Sup3r" not in result.stderr and result.stderr.count("\n") == 1
    result = fails("sync", "setup", "--server", "postgresql://loc%zzalhost/db", "--user", "ann", input="pw\n")
    assert result.stderr.startswith("error: server:")
    result = fails("sync", "setup", "--server", "postgresql://host:notaport/db", "--user", "ann", input="pw\n")
    assert result.stderr.startswith("error: server:")


def test_no_keyring_is_said_before_the_password_is_typed(team: Team) -> None:
    import keyring
    from keyring.backends import fail

    role, _ = _add_rep_by_cli(team, "nokeyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        result = crm("sync", "setup", "--server", team.server_url, "--user", role, input="pw\n")
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 1 and "this computer has no keyring to keep the sync password in" in result.stderr
    assert "Password for" not in result.stderr  # refused before asking


def test_reassign_takes_part_of_a_name_or_an_id_prefix(team: Team) -> None:
    _set_up(team, "ann")
    ok("add", "customer", "宏达机械制造有限公司")
    ok("sync")
    customer_id = team.server_rows("customer")[0]["id"]
    assert "now belongs to pool" in ok("server", "reassign", "宏达机械", "pool", "--dsn", team.dsn).stdout
    role = team.role("ann")
    assert f"now belongs to {role}" in ok("server", "reassign", customer_id[:8], role, "--dsn", team.dsn).stdout


def test_reassign_with_several_matches_lists_them(team: Team) -> None:
    _set_up(team, "ann")
    ok("add", "customer", "宏达机械")
    ok("add", "customer", "宏达贸易")
    ok("sync")
    result = fails("server", "reassign", "宏达", "pool", "--dsn", team.dsn, code=3)
    assert "宏达机械" in result.stderr and "宏达贸易" in result.stderr


def test_reps_lists_each_rep_with_their_customers(team: Team) -> None:
    assert "no reps yet" in ok("server", "reps", "--dsn", team.dsn).stdout
    role, _ = _set_up(team, "ann")
    ok("add", "customer", "Acme")
    ok("sync")
    team.add_rep("boss", manager=True)
    lines = ok("server", "reps", "--dsn", team.dsn).stdout.splitlines()
    assert f"{role}: 1 customer" in lines
    assert f"{team.role('boss')}: 0 customers  (manager)" in lines


def test_adding_a_customer_another_rep_holds_is_refused_naming_no_one(team: Team) -> None:
    bob = team.add_rep("bob")
    from crmtui.services import customers as customer_service
    from crmtui.sync import client as sync

    customer_service.add_customer(bob, "深圳前海科技", phone="13800000001")
    sync.sync_round(bob)
    _set_up(team, "ann")
    refused = fails("add", "customer", "Another Name", "--phone", "138 0000 0001")
    assert "same phone is on the team server, held by a colleague" in refused.stderr
    assert team.role("bob") not in refused.stderr  # a rep does not learn who holds it
    assert names() == []  # nothing added
    assert "added customer" in ok("add", "customer", "Another Name", "--phone", "138 0000 0001", "--force").stdout
    with team.admin() as conn:
        conn.execute("UPDATE crm.customer SET owner = NULL WHERE name = '深圳前海科技'")
    refused = fails("add", "lead", "深圳前海科技")
    assert "in the team's pool" in refused.stderr and "crm pool claim" in refused.stderr
    ok("add", "lead", "Unrelated Lead")  # nothing on the server: added


# ---------------------------------------------------------------- deleted customers, a manager's own login, dates


def _deleted_by_a_manager(team: Team, *names: str) -> dict[str, str]:
    """Customers the manager boss added, synced and then deleted (synced again): their ids by name."""
    from crmtui.services import customers as customer_service
    from crmtui.sync import client as sync

    boss = team.laptops.get("boss") or team.add_rep("boss", manager=True)
    ids = {name: customer_service.add_customer(boss, name, force=True).id for name in names}
    sync.sync_round(boss)
    for customer_id in ids.values():
        customer_service.delete_customer(boss, customer_id)
    sync.sync_round(boss)
    return ids


def test_restore_finds_a_deleted_customer_by_pinyin_initials_and_never_picks_one_of_two(team: Team) -> None:
    ids = _deleted_by_a_manager(team, "长沙宏达", "长沙华达")
    # cshd is the initials of both: listed, neither restored.
    refused = fails("server", "restore", "cshd", "--dsn", team.dsn, code=3)
    assert "长沙宏达" in refused.stderr and "长沙华达" in refused.stderr
    assert all(row["deleted_at"] is not None for row in team.server_rows("customer"))
    assert "restored 长沙宏达" in ok("server", "restore", "changshahongda", "--dsn", team.dsn).stdout
    # Only one deleted customer is left whose initials are cshd: the same reference now names it alone.
    assert "restored 长沙华达" in ok("server", "restore", "CSHD", "--dsn", team.dsn).stdout
    assert [row["deleted_at"] for row in team.server_rows("customer")] == [None, None]
    assert "no deleted customer cshd" in fails("server", "restore", "cshd", "--dsn", team.dsn).stderr
    # An id prefix and a part of the name work as on the laptop.
    _deleted_by_a_manager(team, "Tyrell Foods")
    tyrell = next(row["id"] for row in team.server_rows("customer") if row["name"] == "Tyrell Foods")
    assert "restored Tyrell Foods" in ok("server", "restore", tyrell[:6], "--dsn", team.dsn).stdout
    assert set(ids.values()) < {row["id"] for row in team.server_rows("customer", "deleted_at IS NULL")}


def test_a_manager_runs_manager_commands_with_the_laptops_own_login(team: Team, monkeypatch) -> None:
    from typer.testing import CliRunner

    from crmtui.cli.commands import app
    from crmtui.services import customers as customer_service
    from crmtui.sync import client as sync

    from .test_team_rules import _use_laptop

    wang = team.add_rep("wang")
    boss = team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    sync.sync_round(boss)
    monkeypatch.delenv("CRMTUI_SERVER_DSN", raising=False)
    _use_laptop(monkeypatch, team, "boss")
    runner = CliRunner()

    listed = runner.invoke(app, ["server", "reps"])
    assert listed.exit_code == 0, listed.output
    assert f"{team.role('wang')}: 1 customer" in listed.output.splitlines()
    assert f"{team.role('boss')}: 0 customers  (manager)" in listed.output.splitlines()
    moved = runner.invoke(app, ["server", "reassign", "acme", team.role("boss")])
    assert moved.exit_code == 0, moved.output
    assert f"Acme Health now belongs to {team.role('boss')}" in moved.output
    assert team.server_rows("customer", "id = %s", (acme.id,))[0]["owner"] == team.role("boss")
    assert local_rows(boss, Customer, id=acme.id)[0].owner == team.role("boss")  # the laptop synced after it

    # A rep's own login is refused before anything is read or changed.
    _use_laptop(monkeypatch, team, "wang")
    refused = runner.invoke(app, ["server", "reps"])
    assert refused.exit_code == 1 and "only a manager can do that" in refused.output
    refused = runner.invoke(app, ["server", "reassign", "acme", "pool"])
    assert refused.exit_code == 1 and "only a manager can do that" in refused.output
    assert team.server_rows("customer", "id = %s", (acme.id,))[0]["owner"] == team.role("boss")


def test_admin_only_commands_say_they_need_the_admins_dsn(home: Path, monkeypatch) -> None:
    monkeypatch.delenv("CRMTUI_SERVER_DSN", raising=False)
    for args in (["init"], ["add-rep", "wang"], ["remove-rep", "wang"], ["rules"], ["reclaim"]):
        refused = fails("server", *args)
        assert f"`crm server {args[0]}` is the admin's" in refused.stderr and "--dsn" in refused.stderr
        assert refused.stderr.count("\n") == 1
    # A laptop not set up for a team cannot stand in for the admin either.
    assert "crm sync setup" in fails("server", "reps").stderr


def test_team_commands_print_dates_as_the_app_does(team: Team, monkeypatch) -> None:
    import psycopg
    from typer.testing import CliRunner

    from crmtui.cli.commands import app
    from crmtui.services import customers as customer_service
    from crmtui.services.follow_ups import log_follow_up
    from crmtui.sync import client as sync

    from .test_team_rules import _use_laptop

    wang = team.add_rep("wang")
    team.add_rep("li")
    released = customer_service.add_customer(wang, "Acme Health")
    log_follow_up(wang, released.id, channel="phone", goal="intro", goal_met=True, notes="first call",
                  next_plan="call again", next_at="2026-12-30 10:00")
    sync.sync_round(wang)
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn:
        conn.execute("SELECT sync.release(%s, 'no-budget')", (released.id,))
    _deleted_by_a_manager(team, "Tyrell Foods")
    monkeypatch.delenv("CRMTUI_SERVER_DSN", raising=False)
    runner = CliRunner()

    # NOW is Tue 24 Nov 2026 10:00 in Shanghai; wang released it then, and relock_days is 7.
    _use_laptop(monkeypatch, team, "wang")
    pool = runner.invoke(app, ["pool"]).output
    assert "claim again from Tue 1 Dec 10:00" in pool and "2026-" not in pool
    status = runner.invoke(app, ["sync", "status"]).output
    assert "last success: Tue 24 Nov 10:00" in status
    _use_laptop(monkeypatch, team, "li")  # li may claim it: the follow-up's day instead
    assert "released: no budget  ·  last Tue 24 Nov" in runner.invoke(app, ["pool"]).output

    _use_laptop(monkeypatch, team, "boss")
    deleted = runner.invoke(app, ["server", "deleted"])
    assert deleted.exit_code == 0, deleted.output
    assert f"Tyrell Foods  ·  deleted Tue 24 Nov 10:00  ·  back to {team.role('boss')}" in deleted.output
    listed = json.loads(runner.invoke(app, ["server", "deleted", "--json"]).output)
    assert [(row["name"], row["deleted_at"]) for row in listed] == [("Tyrell Foods", "2026-11-24T02:00:00+00:00")]


def test_a_reference_matching_more_customers_than_are_weighed_is_refused_not_resolved(team: Team,
                                                                                        monkeypatch) -> None:
    """The server weighs a reference among at most admin.FIND_AT_MOST matches (500; 2 here): past that the
    strongest match may not have been read, so a vague reference is refused; an exact name or id still works."""
    from crmtui.core.errors import InvalidInput
    from crmtui.services import customers as customer_service
    from crmtui.sync import client as sync

    rep = team.add_rep("wang")
    for name in ("Acme Foods", "Acme Health", "Acme Tools"):
        customer_service.add_customer(rep, name)
    sync.sync_round(rep)
    monkeypatch.setattr(admin, "FIND_AT_MOST", 2)
    with team.admin() as conn:
        try:
            admin.find_customer(conn, "acme")
        except InvalidInput as refused:
            assert refused.field == "customer" and "over 2 customers match" in refused.message()
        else:
            raise AssertionError("a reference matching 3 customers was resolved with 2 read")
        assert admin.find_customer(conn, "Acme Tools")[1] == "Acme Tools"
