"""A manager's change of hands names the manager, against the real PostgreSQL: the server records who made it from
the session's login (never from what a laptop or an insert says), the laptop learns it on pull, and `crm sync`,
the app's notes and the customer screen's departure notice name them. A server from before keeps working and
says "a manager"; after its upgrade, the next change names its maker."""

from __future__ import annotations

import psycopg
import pytest

from crmtui.server import admin
from crmtui.services import customers as customer_service
from crmtui.services import team_words
from crmtui.sync import client as sync

from .teamserver import Team
from .test_server_admin import _downgrade


def _notes(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    return [text for text, _warning in team_words.report_notes(sync.sync_round(ctx), ctx)]


def test_each_access_change_of_a_manager_names_the_manager(team: Team) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    boss_role, li_role = team.role("boss"), team.role("li")
    acme, beta, cyan = (customer_service.add_customer(wang, name) for name in ("Acme Health", "Beta", "Cyan"))
    sync.sync_round(wang)
    sync.sync_round(boss)
    sync.reassign(boss, acme.id, li_role)
    sync.reassign(boss, beta.id, None)
    customer_service.delete_customer(boss, cyan.id)
    sync.sync_round(boss)

    assert sorted(_notes(wang)) == [f"{boss_role} deleted Cyan; a manager can restore it",
                                    f"{boss_role} gave Acme Health to {li_role}",
                                    f"{boss_role} put Beta back in the pool"]
    assert team_words.departure_notice(wang, acme.id) == f"{boss_role} gave this customer to {li_role}"
    assert team_words.departure_notice(wang, beta.id) == f"{boss_role} put this customer back in the pool"
    assert team_words.departure_notice(wang, cyan.id) == f"{boss_role} deleted this customer; a manager can restore it"
    with psycopg.connect(team.rep_url("boss"), autocommit=True) as conn:
        conn.execute("SELECT sync.restore(%s)", (cyan.id,))
    assert _notes(wang) == [f"{boss_role} restored Cyan: it is yours again"]


def test_the_actor_is_the_sessions_login_whatever_an_insert_or_update_says(team: Team) -> None:
    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    with team.admin() as conn:
        login = conn.execute("SELECT session_user").fetchone()[0]
        conn.execute("INSERT INTO crm.access_change (customer_id, rep, change, reason, at, actor)"
                     " VALUES (%s, %s, 'lost', 'reassign', now(), 'someone_else')", (acme.id, team.role("wang")))
        conn.execute("UPDATE crm.access_change SET actor = 'someone_else'")
        actors = {row[0] for row in conn.execute("SELECT actor FROM crm.access_change")}
    assert actors == {login}  # the claim-free add has no access change; the forged ones became the login's
    # A rep cannot write the table at all: the functions that change hands are the only writers.
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn, pytest.raises(
            psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE crm.access_change SET actor = 'boss'")


def test_the_pools_own_reclaim_names_no_one(team: Team, frozen) -> None:
    from datetime import timedelta

    from .teamserver import travel

    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    travel(team, frozen, timedelta(days=31))
    assert admin.reclaim(team.dsn) == 1
    with team.admin() as conn:
        assert conn.execute("SELECT actor FROM crm.access_change WHERE customer_id = %s",
                            (acme.id,)).fetchall() == [(None,)]
    assert _notes(wang) == ["Acme Health went back to the pool"]


def test_a_server_from_before_says_a_manager_and_names_the_manager_once_upgraded(team: Team) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    acme, beta = (customer_service.add_customer(wang, name) for name in ("Acme Health", "Beta"))
    sync.sync_round(wang)
    _downgrade(team, "s0012")
    sync.reassign(boss, acme.id, team.role("li"))
    assert _notes(wang) == [f"Acme Health went to {team.role('li')} (a manager's reassignment)"]
    assert team_words.departure_notice(wang, acme.id) == f"This customer went to {team.role('li')}" \
        " (a manager's reassignment)"

    assert admin.init(team.dsn).revision_after == admin.head_revision()
    with team.admin() as conn:  # the rows from before name no one
        assert conn.execute("SELECT actor FROM crm.access_change").fetchall() == [(None,), (None,)]
    sync.reassign(boss, beta.id, None)
    assert _notes(wang) == [f"{team.role('boss')} put Beta back in the pool"]


def test_crm_sync_names_the_manager(team: Team, home) -> None:  # type: ignore[no-untyped-def]
    from crmtui.core.config import save_sync_settings

    from .test_cli import ok

    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    sync.sync_round(boss)
    customer_service.delete_customer(boss, acme.id)
    sync.sync_round(boss)
    wang.close()
    save_sync_settings(wang.settings.sync)
    out = ok("sync", env={"CRMTUI_DB": str(wang.db.path)}).stdout
    assert f"{team.role('boss')} deleted Acme Health; a manager can restore it" in out
