"""What a rep is told when the team server turns their laptop away or a round fails: a removed rep's laptop says
once, with the right count, what left it; login refusals are worded in the rep's language when shown (also
later, by `crm sync status`); the app toasts a background round's new error once, not at every retry."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from crmtui.core import i18n
from crmtui.core.errors import NotAllowed
from crmtui.services import customers as customer_service
from crmtui.sync import client as sync
from crmtui.tui.app import build_app

from .teamserver import Team
from .test_tui_team import SIZE, _until

ROOT = Path(__file__).resolve().parents[1]


def _removed_rep_with_unsent_work(team: Team):  # type: ignore[no-untyped-def]
    from crmtui.server import admin

    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    customer_service.edit_customer(wang, acme.id, {"region": "深圳"})  # unsent
    customer_service.add_customer(wang, "Gamma (never sent)")
    customer_service.add_customer(wang, "Beta")
    sync.sync_round(wang)  # Beta reaches the server; the edit of Acme Health too
    customer_service.edit_customer(wang, acme.id, {"region": "广州"})  # unsent again
    admin.remove_rep(team.dsn, team.role("wang"))
    return wang


def test_a_later_round_of_a_removed_rep_claims_no_removal(team: Team) -> None:
    wang = _removed_rep_with_unsent_work(team)
    with pytest.raises(NotAllowed) as first:
        sync.sync_round(wang)
    assert "The team's customers were removed from this laptop (2)" in str(first.value)  # Beta, Gamma
    with pytest.raises(NotAllowed) as later:
        sync.sync_round(wang)
    text = str(later.value)
    assert "was disabled on the team server" in text
    assert "removed from this laptop" not in text  # nothing went this time: no "(0)"
    assert "still on this laptop (1)" in text  # Acme Health, with its unsent edit


def _extracted(path: Path) -> set[str]:
    spec = importlib.util.spec_from_file_location("crmtui_i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with open(path, "rb") as handle:
        return {found[1] for found in tool.extract_python_file(handle)
                if isinstance(found[1], str)}


def test_login_refusals_and_keyring_refusals_are_marked_for_translation() -> None:
    from crmtui.core.config import SyncSettings
    from crmtui.sync import connection

    found = _extracted(ROOT / "src" / "crmtui" / "sync" / "connection.py")
    settings = SyncSettings(server="postgresql://db.example.com/team", user="li")
    for reason, typed in (("password authentication failed for user", True),
                          ("password authentication failed for user", False),
                          ("role is not permitted to log in", False),
                          ("permission denied for database team", False)):
        refusal = connection.login_refused(reason, settings, typed=typed)
        assert refusal is not None and refusal.template in found, refusal
    for kind_found in ("this computer has no keyring to keep the sync password in",
                       "would keep the sync password unencrypted in a file"):
        assert any(kind_found in message for message in found)


def test_the_last_error_is_worded_in_the_language_it_is_shown_in(team: Team, monkeypatch) -> None:
    """A round that failed in English is shown in Chinese by a later `crm sync status` under zh (and the other way
    round): the state keeps the template, not the words."""
    import gettext

    wang = _removed_rep_with_unsent_work(team)
    with pytest.raises(NotAllowed):
        sync.sync_round(wang)
    with pytest.raises(NotAllowed):
        sync.sync_round(wang)  # the later round's words: the refusal and what is still here
    english = sync.status(wang).last_error
    assert english is not None and "still on this laptop" in english

    class Marked(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return "«" + message + "»"

    monkeypatch.setattr(i18n, "_translation", Marked())
    monkeypatch.setattr(i18n, "language", "zh")
    shown = sync.status(wang).last_error
    assert shown is not None and shown.startswith("«") and shown.endswith("»")


async def test_the_app_tells_a_removed_rep_once_what_left_the_laptop(team: Team) -> None:
    wang = _removed_rep_with_unsent_work(team)
    app = build_app(wang, watch_seconds=0.2)

    def told(words: str) -> list[str]:
        return [str(n.message) for n in app._notifications if words in str(n.message)]

    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: told("removed from this laptop"))  # the background round, no key pressed
        assert "removed from this laptop (2)" in told("removed from this laptop")[0]
        app.action_sync_now(quiet=True)
        await _until(pilot, lambda: not app._syncing)
        await pilot.pause()
        assert len(told("removed from this laptop")) == 1
        assert "(0)" not in " ".join(str(n.message) for n in app._notifications)


async def test_a_background_rounds_new_error_is_toasted_once(team: Team) -> None:
    from dataclasses import replace

    from crmtui.core.config import SyncSettings
    from crmtui.sync.connection import store_password

    ann = team.add_rep("ann")
    ann.settings = replace(ann.settings, sync=SyncSettings(server="postgresql://127.0.0.1:1/x", user="ann"))
    store_password(ann.settings.sync, "pw")
    app = build_app(ann, watch_seconds=0.2)

    def told() -> list[str]:
        return [str(n.message) for n in app._notifications if "cannot reach the team server" in str(n.message)]

    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: told())  # the first background round, with no key pressed
        for _ in range(2):  # retries of the same error say nothing more
            app.action_sync_now(quiet=True)
            await _until(pilot, lambda: not app._syncing)
            await pilot.pause()
        assert len(told()) == 1


async def test_an_open_customer_that_went_to_a_colleague_says_so(team: Team) -> None:
    from crmtui.tui.screens.customer import CustomerScreen

    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    acme = customer_service.add_customer(wang, "Acme Health")
    beta = customer_service.add_customer(wang, "Beta")
    sync.sync_round(wang)
    sync.sync_round(boss)
    app = build_app(wang, watch_seconds=0.2)

    def told(words: str) -> list[str]:
        return [str(n.message) for n in app._notifications if words in str(n.message)]

    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: "synced" in str(app.sync_line))
        boss_role, li_role = team.role("boss"), team.role("li")
        for customer_id, rep, words in ((acme.id, li_role, f"{boss_role} gave this customer to {li_role}"),
                                        (beta.id, None, f"{boss_role} put this customer back in the pool")):
            await app.push_screen(CustomerScreen(customer_id))
            await _until(pilot, lambda: app.screen.detail is not None)
            sync.reassign(boss, customer_id, rep)
            await pilot.press("S")
            await _until(pilot, lambda words=words: told(words))
            assert not told("no longer exists")
            assert not isinstance(app.screen, CustomerScreen)


def test_a_customer_put_in_the_pool_by_a_manager_and_claimed_since_is_told_as_such(team: Team) -> None:
    from crmtui.services import team_words

    li, wang, boss = team.add_rep("li"), team.add_rep("wang"), team.add_rep("boss", manager=True)
    globex = customer_service.add_customer(li, "Globex")
    initech = customer_service.add_customer(li, "Initech")
    sync.sync_round(li)
    sync.reassign(boss, globex.id, None)
    assert sync.claim(wang, "Globex")[0] == "Globex"
    sync.reassign(boss, initech.id, team.role("wang"))
    notes = [text for text, _ in team_words.report_notes(sync.sync_round(li))]
    wang_role = team.role("wang")
    boss_role = team.role("boss")
    assert f"{boss_role} put Globex back in the pool; {wang_role} has claimed it since" in notes
    assert f"{boss_role} gave Initech to {wang_role}" in notes
    assert not any("Globex went to" in text for text in notes)


def test_a_keyring_backend_that_cannot_work_here_is_one_line_not_a_traceback(home, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """keyrings.alt's EncryptedKeyring without pycryptodome raises from keyring itself, before any password."""
    import importlib.util as found

    import keyring.core

    from .test_cli import fails

    if found.find_spec("Crypto") is not None or found.find_spec("Cryptodome") is not None:
        pytest.skip("pycryptodome is installed: EncryptedKeyring works here")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # chosen again from the environment
    env = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.EncryptedKeyring"}
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", env["PYTHON_KEYRING_BACKEND"])
    refused = fails("sync", "setup", "--server", "postgresql://localhost/team", "--user", "wang", env=env)
    line = refused.stderr.strip()
    assert "\n" not in line
    assert "keyrings.alt.file.EncryptedKeyring" in line and "pip install pycryptodome" in line
    assert "PYTHON_KEYRING_BACKEND" in line
    from crmtui.core.config import SyncSettings, save_sync_settings

    save_sync_settings(SyncSettings(server="postgresql://localhost/team", user="wang"))
    line = fails("sync", env=env).stderr.strip()
    assert "\n" not in line and "pip install pycryptodome" in line


def test_a_restore_is_told_as_a_managers_restore(team: Team) -> None:
    from crmtui.server import admin
    from crmtui.services import team_words

    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    tyrell = customer_service.add_customer(wang, "Tyrell Foods")
    customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    sync.sync_round(boss)
    customer_service.delete_customer(boss, tyrell.id)
    sync.sync_round(boss)
    sync.sync_round(wang)
    assert admin.restore(team.dsn, "Tyrell") == "Tyrell Foods"  # by the admin's login
    notes = [text for text, _ in team_words.report_notes(sync.sync_round(wang))]
    with team.admin() as conn:
        admin_login = conn.execute("SELECT session_user").fetchone()[0]
    assert notes == [f"{admin_login} restored Tyrell Foods: it is yours again"]
    sync.sync_round(boss)
    customer_service.delete_customer(boss, tyrell.id)
    sync.sync_round(boss)
    sync.sync_round(wang)
    admin.restore(team.dsn, "Tyrell")
    with team.admin() as conn:  # a restore from before the server kept who did it
        conn.execute("ALTER TABLE crm.access_change DISABLE TRIGGER access_change_actor")
        conn.execute("UPDATE crm.access_change SET actor = NULL WHERE id = (SELECT max(id) FROM crm.access_change)")
        conn.execute("ALTER TABLE crm.access_change ENABLE TRIGGER access_change_actor")
    notes = [text for text, _ in team_words.report_notes(sync.sync_round(wang))]
    assert notes == ["a manager restored Tyrell Foods: it is yours again"]


def test_setup_says_where_the_password_went(team: Team, home, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import keyring.core

    from .test_cli_team import _add_rep_by_cli
    from .test_environment import _plaintext_keyring, crm_in_process

    monkeypatch.setattr(keyring.core, "_keyring_backend", _plaintext_keyring(tmp_path))  # back after the test
    role, password = _add_rep_by_cli(team, "plain")
    result = crm_in_process("sync", "setup", "--server", team.server_url, "--user", role, "--allow-plaintext-keyring",
                            input=password + "\n")
    assert result.exit_code == 0, result.output
    assert "the password in the keyring backend keyrings.alt.file.PlaintextKeyring, unencrypted in a file" in result.stdout
    assert "OS keyring" not in result.stdout


def test_a_customer_that_comes_back_has_no_departure_left(team: Team) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    acme = customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    sync.reassign(boss, acme.id, team.role("li"))
    sync.sync_round(wang)
    assert sync.customer_departure(wang, acme.id) == ("reassign", team.role("li"), team.role("boss"))
    sync.reassign(boss, acme.id, team.role("wang"))
    sync.sync_round(wang)
    assert sync.customer_departure(wang, acme.id) is None  # here again: a later delete here is no departure
