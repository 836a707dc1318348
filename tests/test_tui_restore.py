"""A manager restores a deleted team customer in the app, against the embedded PostgreSQL: the pool screen's
deleted customers, the question naming who gets it back, the restore and the holder's laptop after its sync."""

from __future__ import annotations

import re

from crmtui.core.dates import format_when
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.screens.deleted_customers import DeletedCustomersScreen
from crmtui.tui.screens.pool import PoolScreen
from crmtui.services import customers as customer_service
from crmtui.store.models import Contact, Customer
from crmtui.sync import client as sync

from .teamserver import Team, local_rows
from .test_tui_team import SIZE, _option_texts, _until


def _deleted_by_the_manager(team: Team, rep: str, name: str) -> str:
    """A customer the rep added with a contact, synced, then deleted on the manager's laptop and synced."""
    laptop, boss = team.laptops[rep], team.laptops["boss"]
    customer = customer_service.add_customer(laptop, name, phone="13800138000")
    customer_service.add_contact(laptop, customer.id, "Jane", title="CTO")
    sync.sync_round(laptop)
    sync.sync_round(boss)
    customer_service.delete_customer(boss, customer.id)
    sync.sync_round(boss)
    sync.sync_round(laptop)
    assert local_rows(laptop, Customer, id=customer.id) == []  # gone from the holder's laptop
    return customer.id


async def test_a_manager_restores_a_deleted_customer_from_the_pool_screen(team: Team) -> None:
    wang = team.add_rep("wang")
    boss = team.add_rep("boss", manager=True)
    customer_id = _deleted_by_the_manager(team, "wang", "Tyrell Foods")
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.is_manager)
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen))
        assert app.screen.check_action("deleted", ()) is True
        await pilot.press("u")
        await _until(pilot, lambda: isinstance(app.screen, DeletedCustomersScreen) and app.screen.customers)
        listed = _option_texts(app, "#deleted-list")
        assert len(listed) == 1 and "Tyrell Foods" in listed[0] and team.role("wang") in listed[0]
        deleted_at = app.screen.customers[customer_id].deleted_at
        shown = format_when(boss.clock.to_local(deleted_at), True, "en", boss.clock.today())
        assert f"deleted {shown}" in listed[0]  # as the app shows dates ("Tue 24 Nov 10:00"), not ISO
        assert not re.search(r"\d{4}-\d{2}-\d{2}", listed[0])
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == (f"Restore Tyrell Foods? It goes back to {team.role('wang')}"
                                       " with the records deleted with it")
        await pilot.press("y")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen))
    server = team.server_rows("customer", "id = %s", (customer_id,))[0]
    assert (server["deleted_at"], server["owner"]) == (None, team.role("wang"))
    assert local_rows(boss, Customer, id=customer_id)[0].deleted_at is None  # the round after the restore
    sync.sync_round(wang)
    assert local_rows(wang, Customer, id=customer_id)[0].deleted_at is None
    assert [c.deleted_at for c in local_rows(wang, Contact, customer_id=customer_id)] == [None]


async def test_a_customer_deleted_in_the_pool_is_offered_back_to_the_pool(team: Team) -> None:
    wang = team.add_rep("wang")
    boss = team.add_rep("boss", manager=True)
    customer = customer_service.add_customer(wang, "Pool Co")
    sync.sync_round(wang)
    from crmtui.sync import pool_view

    pool_view.release(wang, customer.id, "no-budget")
    sync.sync_round(boss)
    customer_service.delete_customer(boss, customer.id)
    sync.sync_round(boss)
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.is_manager)
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen))
        await pilot.press("u")
        await _until(pilot, lambda: isinstance(app.screen, DeletedCustomersScreen) and app.screen.customers)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Restore Pool Co? It goes back to the pool with the records deleted with it"
        await pilot.press("y")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen) and app.screen.customers)
        assert [c.name for c in app.screen.customers.values()] == ["Pool Co"]
    assert team.server_rows("customer", "id = %s", (customer.id,))[0]["owner"] is None


async def test_a_restore_that_fails_on_the_way_is_a_notification(team: Team, monkeypatch) -> None:
    import crmtui.tui.screens.deleted_customers as deleted_screen

    def broken(*args, **kwargs):
        raise OSError("connection reset by peer")

    team.add_rep("wang")
    boss = team.add_rep("boss", manager=True)
    customer_id = _deleted_by_the_manager(team, "wang", "Tyrell Foods")
    monkeypatch.setattr(deleted_screen, "restore_team_customer", broken)
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.is_manager)
        app.push_screen(DeletedCustomersScreen())
        await _until(pilot, lambda: isinstance(app.screen, DeletedCustomersScreen) and app.screen.customers)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        # the restore's worker belongs to the deleted customers' screen, whose worker handler says what went wrong
        await _until(pilot, lambda: any("connection reset" in str(n.message) for n in app._notifications))
        assert isinstance(app.screen, DeletedCustomersScreen)
    assert team.server_rows("customer", "id = %s", (customer_id,))[0]["deleted_at"] is not None


async def test_a_rep_has_no_deleted_customers_key(team: Team) -> None:
    ann = team.add_rep("ann")
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen))
        assert app.screen.check_action("deleted", ()) is False
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, PoolScreen)


async def test_without_the_server_the_deleted_customers_list_says_so(team: Team) -> None:
    from dataclasses import replace

    from crmtui.core.config import SyncSettings
    from crmtui.sync.connection import store_password

    boss = team.add_rep("boss", manager=True)
    boss.settings = replace(boss.settings, sync=SyncSettings(server="postgresql://127.0.0.1:1/x", user="boss"))
    store_password(boss.settings.sync, "pw")
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(DeletedCustomersScreen())
        await _until(pilot, lambda: isinstance(app.screen, DeletedCustomersScreen)
                     and "Loading" not in _option_texts(app, "#deleted-list")[0])
        text = _option_texts(app, "#deleted-list")[0]
        assert text.startswith("cannot reach the team server"), text
        assert app.screen.customers == {}
