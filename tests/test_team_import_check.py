"""An import in a team checks its rows against the team server's customers too, against the real PostgreSQL: a row
whose phone, email or name a colleague's or a pool customer has is not created (skipped, saying who holds it), in
the dry run and the real run alike, with one call of the server a chunk of rows; offline, or with the day's
budget used up, the import goes on against the laptop's own book and says the team check could not be made."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg

from crmtui.core.config import SyncSettings
from crmtui.server import admin
from crmtui.services import customers as customer_service
from crmtui.services.importing import team_check
from crmtui.services.importing.run import Options, run_import
from crmtui.store.models import Customer
from crmtui.sync import client as sync
from crmtui.sync.connection import store_password

from .teamserver import Team, local_rows

ROWS = [
    "Name,Phone,Email",
    "Acme Health,13900000001,info@acme.example",  # new to everyone
    "Someone New,138 0000 0002,",  # li's Globex has this phone
    "Initech Ltd,,",  # in the pool, as Initech
    "Wangco,,",  # wang's own: the laptop's check skips it
    "Dune Co,,sales@globex.example",  # li's Globex has this email
]


def _book(team: Team):  # type: ignore[no-untyped-def]
    """wang and li; li holds Globex, the pool holds Initech, wang holds Wangco."""
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    customer_service.add_customer(li, "Globex", phone="13800000002", email="sales@globex.example")
    initech = customer_service.add_customer(li, "Initech")
    customer_service.add_customer(wang, "Wangco")
    sync.sync_round(li)
    sync.sync_round(wang)
    sync.reassign(boss, initech.id, None)
    return wang, li, boss


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "book.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def _calls(team: Team, rep: str) -> int:
    """The rep's duplicate checks counted this minute on the server (a batched call counts once)."""
    with team.admin() as conn:
        counter = conn.execute("SELECT sync.probe_counter(%s, 'minute')", (team.role(rep),)).fetchone()[0]
        return conn.execute(f"SELECT last_value % 1000000 FROM sync.{counter}").fetchone()[0]


HELD = {
    3: "same phone as a customer held by a colleague on the team server",
    4: 'same name as "Initech" in the pool — claim it instead (`crm pool claim`, o in the app)',
    6: "same email as a customer held by a colleague on the team server",
}


def test_rows_the_team_holds_are_skipped_in_the_dry_run_and_the_real_run_with_one_call(team: Team,
                                                                                      tmp_path: Path) -> None:
    wang, _li, _boss = _book(team)
    path = _file(tmp_path)
    before = _calls(team, "wang")

    dry = run_import(wang, path, Options(dry_run=True))
    assert (dry.created, dry.skipped) == (1, 4)
    assert {s.row: s.reason for s in dry.skips if s.row in HELD} == HELD
    assert dry.team_check is None
    assert _calls(team, "wang") == before + 1  # one call for the whole (small) file
    assert {c.name for c in local_rows(wang, Customer)} == {"Wangco"}

    real = run_import(wang, path, Options())
    assert (real.created, real.skipped) == (1, 4)
    assert {s.row: s.reason for s in real.skips if s.row in HELD} == HELD
    assert _calls(team, "wang") == before + 2
    assert {c.name for c in local_rows(wang, Customer)} == {"Wangco", "Acme Health"}
    sync.sync_round(wang)
    assert {r["name"] for r in team.server_rows("customer")} == {"Globex", "Initech", "Wangco", "Acme Health"}


def test_a_large_file_is_checked_a_chunk_at_a_time(team: Team, tmp_path: Path) -> None:
    wang, _li, _boss = _book(team)
    path = tmp_path / "many.csv"
    rows = [f"Customer {n},1390000{n:04d}," for n in range(team_check.CHUNK * 2 + 1)]
    path.write_text("\n".join(["Name,Phone,Email", *rows, "Globex,,"]) + "\n", encoding="utf-8")
    before = _calls(team, "wang")
    result = run_import(wang, path, Options(dry_run=True))
    assert (result.created, result.skipped) == (team_check.CHUNK * 2 + 1, 1)
    assert _calls(team, "wang") == before + 3  # 1,002 rows: three chunks, three calls


def test_offline_the_import_goes_on_and_says_the_team_check_could_not_be_made(team: Team, tmp_path: Path) -> None:
    wang, _li, _boss = _book(team)
    wang.settings = replace(wang.settings, sync=SyncSettings(server="postgresql://127.0.0.1:1/none",
                                                             user=team.role("wang")))
    store_password(wang.settings.sync, "whatever")
    result = run_import(wang, _file(tmp_path), Options())
    assert (result.created, result.skipped) == (4, 1)  # only wang's own Wangco is known here
    assert result.team_check is not None
    assert result.team_check.startswith("the team server's duplicate check could not be made, so rows were checked"
                                        " against this laptop's book only: cannot reach the team server")
    assert result.as_dict()["team_check"] == result.team_check


def test_with_the_days_import_budget_used_up_the_import_goes_on_and_says_so(team: Team, tmp_path: Path) -> None:
    wang, _li, _boss = _book(team)
    admin.rules(team.dsn, {"import_checks_per_day": 3})
    result = run_import(wang, _file(tmp_path), Options(dry_run=True))
    assert (result.created, result.skipped) == (4, 1)
    assert result.team_check == ("the team server's duplicate check could not be made, so rows were checked against"
                                 " this laptop's book only: the team server's duplicate check is used up (3 checks a"
                                 " day); use --force to add without it, or ask your manager to raise the limit")


def test_create_and_a_managers_laptop_do_not_ask_the_server(team: Team, tmp_path: Path) -> None:
    wang, _li, boss = _book(team)
    sync.sync_round(boss)
    before = _calls(team, "wang"), _calls(team, "boss")
    assert run_import(wang, _file(tmp_path), Options(dry_run=True, on_duplicate="create")).created == 5
    # The manager's laptop holds the whole team's book: its own check finds li's and the pool's customers.
    managers = run_import(boss, _file(tmp_path), Options(dry_run=True))
    assert (managers.created, managers.skipped) == (1, 4)
    assert (_calls(team, "wang"), _calls(team, "boss")) == before


def test_a_rep_cannot_probe_many_keys_past_the_limits(team: Team) -> None:
    team.add_rep("wang")
    admin.rules(team.dsn, {"duplicate_checks_per_minute": 2})
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn:
        query = "SELECT * FROM sync.check_duplicates(%s, %s)"
        for _ in range(2):
            conn.execute(query, (["phone"], ["+8613800000002"]))
        try:
            conn.execute(query, (["phone"], ["+8613800000002"]))
            raise AssertionError("a third call in a minute was answered")
        except psycopg.Error as refused:
            assert refused.diag.message_primary == "duplicate_check_limit"
        try:
            conn.execute(query, (["phone"] * 3001, ["+86138"] * 3001))
            raise AssertionError("a batch over 3,000 keys was answered")
        except psycopg.Error as refused:
            assert refused.diag.message_primary == "bad_duplicate_check"


def test_the_cli_lists_the_rows_the_team_holds(team: Team, tmp_path: Path, home) -> None:  # type: ignore[no-untyped-def]
    from crmtui.core.config import save_sync_settings

    from .test_cli import ok

    wang, _li, _boss = _book(team)
    wang.close()
    save_sync_settings(wang.settings.sync)
    out = ok("import", str(_file(tmp_path)), "--dry-run", env={"CRMTUI_DB": str(wang.db.path)}).stdout
    assert "would create 1, merge 0, skip 4, refuse 0" in out
    assert "row 3: same phone as a customer held by a colleague on the team server" in out


def test_the_apps_import_summary_says_the_team_check_could_not_be_made(team: Team, tmp_path: Path) -> None:
    from crmtui.tui.dialogs.import_file import count_lines

    wang, _li, _boss = _book(team)
    wang.settings = replace(wang.settings, sync=SyncSettings(server="postgresql://127.0.0.1:1/none",
                                                             user=team.role("wang")))
    store_password(wang.settings.sync, "whatever")
    result = run_import(wang, _file(tmp_path), Options(dry_run=True))
    assert count_lines(result)[-1] == result.team_check


def test_deals_and_follow_up_history_of_the_books_customers_ask_the_team_nothing(team: Team, tmp_path: Path) -> None:
    """They name customers of the book: offline, there is no team check to miss."""
    wang, _li, _boss = _book(team)
    wang.settings = replace(wang.settings, sync=SyncSettings(server="postgresql://127.0.0.1:1/none",
                                                             user=team.role("wang")))
    path = tmp_path / "deals.csv"
    path.write_text("customer,title,stage,amount\nWangco,Pumps,Closed Won,5000\n", encoding="utf-8")
    result = run_import(wang, path, Options(kind="deals", dry_run=True))
    assert (result.created, result.team_check) == (1, None)


def test_a_dry_run_then_the_import_pay_the_days_budget_once(team: Team, tmp_path: Path) -> None:
    wang, _li, _boss = _book(team)
    # the file's keys: 3 + 2 + 1 + 1 + 2 (phones, emails and names of its five rows)
    admin.rules(team.dsn, {"import_checks_per_day": 9})
    path = _file(tmp_path)
    dry = run_import(wang, path, Options(dry_run=True))
    assert (dry.skipped, dry.team_check) == (4, None)
    for _ in range(2):  # the real run, and the same sheet read again: keys checked today are free
        real = run_import(wang, path, Options(dry_run=True))
        assert (real.skipped, real.team_check) == (4, None)
    assert run_import(wang, path, Options()).team_check is None
    # a new key still counts: the budget is spent
    path.write_text("Name,Phone,Email\nAnother Firm,,\n", encoding="utf-8")
    assert run_import(wang, path, Options(dry_run=True)).team_check is not None


def test_deals_and_follow_ups_do_not_add_a_customer_the_team_holds(team: Team, tmp_path: Path) -> None:
    wang, _li, _boss = _book(team)
    deals = tmp_path / "deals.csv"
    deals.write_text("customer,title,stage\nGlobex,Pumps,Proposal\nWangco,Valves,Proposal\nNewco,Gears,Proposal\n",
                     encoding="utf-8")
    for dry_run in (True, False):
        result = run_import(wang, deals, Options(kind="deals", dry_run=dry_run))
        assert (result.created, result.customers, result.skipped) == (2, 1, 1)
        assert [(s.row, s.reason) for s in result.skips] == [
            (2, "same name as a customer held by a colleague on the team server")]
    calls = tmp_path / "calls.csv"
    calls.write_text("customer,time,channel,notes\nInitech,2026-10-01,call,asked\n", encoding="utf-8")
    result = run_import(wang, calls, Options(kind="follow-ups"))
    assert (result.created, result.customers, result.skipped) == (0, 0, 1)
    assert "in the pool" in result.skips[0].reason
    assert {c.name for c in local_rows(wang, Customer)} == {"Wangco", "Newco"}
