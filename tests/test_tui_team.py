"""The app in team mode (App.run_test) against the embedded PostgreSQL: the sync key and footer, the pool, conflicts."""

from __future__ import annotations

import uuid

from textual.widgets import Label, OptionList

from crmtui.services import customers as customer_service
from crmtui.store.models import Customer
from crmtui.sync import client as sync
from crmtui.tui.app import build_app
from crmtui.tui.screens.conflicts import ConflictsScreen
from crmtui.tui.screens.pool import PoolScreen
from tests.pilot import until

from .teamserver import Team

_until = until

SIZE = (140, 30)
"""Wide: the footer spells the sync state out (a narrow one abbreviates it)."""


def _footer(app) -> str:
    labels = app.screen.query("#sync-status")
    return str(labels.first(Label).render()) if labels else ""


def _option_texts(app, selector: str) -> list[str]:
    listing = app.screen.query_one(selector, OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_the_sync_key_pushes_and_the_footer_says_so(team: Team) -> None:
    ann = team.add_rep("ann")
    customer_service.add_customer(ann, "上海宏达")
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: _footer(app) != "")
        await _until(pilot, lambda: "synced" in _footer(app))  # the first round runs by itself after 2 s
        customer_service.add_customer(ann, "北京新客户")
        app._show_sync_state()
        assert "1 pending" in _footer(app)
        await pilot.press("S")
        await _until(pilot, lambda: _footer(app).startswith("S synced"))  # the key, then the state
        assert "pending" not in _footer(app)
    assert sorted(r["name"] for r in team.server_rows("customer")) == ["上海宏达", "北京新客户"]


async def test_offline_shows_in_the_footer_and_the_app_keeps_working(team: Team) -> None:
    from dataclasses import replace

    from crmtui.core.config import SyncSettings
    from crmtui.sync.connection import store_password

    ann = team.add_rep("ann")
    ann.settings = replace(ann.settings, sync=SyncSettings(server="postgresql://127.0.0.1:1/x", user="ann"))
    store_password(ann.settings.sync, "pw")
    customer_service.add_customer(ann, "Offline Co")
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await _until(pilot, lambda: _footer(app).startswith("S offline"))
        assert "1 pending" in _footer(app)
        await pilot.resize_terminal(80, 24)
        app._show_sync_state()
        await pilot.pause()
        assert _footer(app) == "S offline · 1↑"  # short, so the keys keep their room
        await pilot.press("n")  # the app still answers: the new-record dialog opens
        await pilot.pause()
        assert app.screen.__class__.__name__ != "TodayScreen"


async def test_the_pool_screen_claims_with_a_key(team: Team) -> None:
    ann = team.add_rep("ann")
    with team.admin() as conn:
        conn.execute("INSERT INTO crm.customer (id, created_at, updated_at, name, name_key, region)"
                     " VALUES (%s, sync.now(), sync.now(), '公海一号', '公海一号', '杭州')", (str(uuid.uuid4()),))
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen) and app.screen.customers)
        assert any("公海一号" in text and "杭州" in text for text in _option_texts(app, "#pool-list"))
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen) and not app.screen.customers
                     and app.screen.query_one("#pool-list", OptionList).option_count == 1)
        assert "The pool is empty." in _option_texts(app, "#pool-list")[0]
    from sqlmodel import select

    with ann.db.read() as session:
        assert [c.name for c in session.exec(select(Customer)).all()] == ["公海一号"]
    assert team.server_rows("customer")[0]["owner"] == team.role("ann")


async def test_the_conflicts_view_lists_a_rejected_change(team: Team) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    customer_service.edit_customer(ann, acme.id, {"region": "深圳"})
    with team.admin() as conn:
        conn.execute("SELECT sync.reassign(%s, NULL)", (acme.id,))
    sync.sync_round(ann)
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("C")
        await _until(pilot, lambda: isinstance(app.screen, ConflictsScreen)
                     and app.screen.query_one("#conflict-list", OptionList).option_count >= 3)
        texts = _option_texts(app, "#conflict-list")
        assert any("the customer is in the pool now" in t and "深圳" in t for t in texts)
        assert "rejected" in _footer(app)


async def test_team_keys_are_hidden_without_team_sync(ctx) -> None:
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, PoolScreen)
        assert _footer(app) == ""


async def test_a_manager_reassigns_from_the_customer_screen(team: Team) -> None:
    from crmtui.tui.dialogs.pick import PickScreen
    from crmtui.tui.screens.customer import CustomerScreen

    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    team.add_rep("bob")
    acme = customer_service.add_customer(ann, "宏达机械")
    sync.sync_round(ann)
    sync.sync_round(boss)
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.is_manager)
        app.open_customer(acme.id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)
        await pilot.press("R")
        await _until(pilot, lambda: isinstance(app.screen, PickScreen))
        assert [label for _value, label in app.screen.choices] == sorted(
            [team.role("ann"), team.role("boss"), team.role("bob")]) + ["pool"]
        await pilot.press("down", "down", "down")  # from ann (the owner), past bob and boss, to the pool
        await pilot.press("enter")
        await _until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("y")
        await _until(pilot, lambda: team.server_rows("customer")[0]["owner"] is None)
    sync.sync_round(ann)
    with ann.db.raw_read() as conn:
        assert conn.execute("SELECT count(*) FROM customer").fetchone()[0] == 0


async def test_a_rep_has_no_reassign_key(team: Team) -> None:
    from crmtui.tui.screens.customer import CustomerScreen

    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        app.open_customer(acme.id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, CustomerScreen)  # R did nothing: no picker opened
        assert app.screen.check_action("reassign", ()) is False


async def test_a_manager_sees_whose_customer_in_search_and_on_the_board(team: Team) -> None:
    from textual.widgets import Input

    from crmtui.services import deals as deal_service
    from crmtui.tui.dialogs.search import SearchScreen
    from crmtui.tui.screens.pipeline import PipelineScreen

    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(ann, "宏达机械")
    deal_service.add_deal(ann, acme.id, "设备采购", amount="50000")
    sync.sync_round(ann)
    sync.sync_round(boss)
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.is_manager)
        await pilot.press("slash")
        await _until(pilot, lambda: isinstance(app.screen, SearchScreen))
        app.screen.query_one("#query", Input).value = "宏达"
        await _until(pilot, lambda: app.screen.hits)
        assert any(team.role("ann") in text for text in _option_texts(app, "#results"))
        await pilot.press("escape")
        await pilot.press("p")
        await _until(pilot, lambda: isinstance(app.screen, PipelineScreen) and app.screen.cards)
        shown = [str(option.prompt) for listing in app.screen.query(OptionList)
                 for option in [listing.get_option_at_index(i) for i in range(listing.option_count)]]
        assert any("设备采购" in text and team.role("ann") in text for text in shown)


async def test_the_new_record_form_asks_the_team_server_as_crm_add_does(team: Team) -> None:
    """The same rule as `crm add` (tests/test_cli_team.py): a customer another rep holds is named only as "a
    colleague", nothing is added until the rep saves again; one in the pool points to the pool."""
    from textual.widgets import Input, Static

    from crmtui.tui.dialogs.new_record import NewRecordScreen

    bob = team.add_rep("bob")
    customer_service.add_customer(bob, "深圳前海科技", phone="13800000001")
    customer_service.add_customer(bob, "Pool Co", email="hello@pool.example")
    sync.sync_round(bob)
    pool_co = team.server_rows("customer", "name = 'Pool Co'")[0]["id"]
    sync.release(bob, pool_co)
    ann = team.add_rep("ann")
    app = build_app(ann, watch_seconds=0)

    def warning() -> str:
        return str(app.screen.query_one("#duplicate", Static).render())

    def local_names() -> list[str]:
        return [c.name for c in customer_service.list_customers(ann)]

    async with app.run_test(size=SIZE) as pilot:
        for name, field, value, expected in (
            ("Another Name", "f-phone", "138 0000 0001", "is held by a colleague on the team server"),
            ("Some Lead", "f-email", "Hello@Pool.example", "is in the team's pool"),
        ):
            await pilot.press("n", "c")
            await _until(pilot, lambda: isinstance(app.screen, NewRecordScreen) and app.screen.query("#f-name"))
            app.screen.query_one("#f-name", Input).value = name
            app.screen.query_one(f"#{field}", Input).value = value
            await pilot.press("ctrl+s")
            await _until(pilot, lambda: "Ctrl+S adds anyway" in warning())
            assert expected in warning() and team.role("bob") not in warning()
            assert isinstance(app.screen, NewRecordScreen) and name not in local_names()  # nothing added yet
            await pilot.press("ctrl+s")
            await _until(pilot, lambda: not isinstance(app.screen, NewRecordScreen))
            assert name in local_names()


async def test_a_team_warning_holds_only_for_the_values_it_was_about(team: Team) -> None:
    """Warned about one colleague's phone, the rep types another colleague's: Ctrl+S asks the server again and
    adds nothing, instead of taking the earlier warning as leave to add anything."""
    from textual.widgets import Input, Static

    from crmtui.tui.dialogs.new_record import NewRecordScreen

    bob = team.add_rep("bob")
    customer_service.add_customer(bob, "深圳前海科技", phone="13800000001")
    customer_service.add_customer(bob, "广州天河贸易", phone="13800000002")
    sync.sync_round(bob)
    ann = team.add_rep("ann")
    app = build_app(ann, watch_seconds=0)

    def warning() -> str:
        return str(app.screen.query_one("#duplicate", Static).render())

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "c")
        await _until(pilot, lambda: isinstance(app.screen, NewRecordScreen) and app.screen.query("#f-name"))
        app.screen.query_one("#f-name", Input).value = "Another Name"
        app.screen.query_one("#f-phone", Input).value = "138 0000 0001"
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: "Ctrl+S adds anyway" in warning())
        app.screen.query_one("#f-phone", Input).value = "138 0000 0002"
        await _until(pilot, lambda: not app.screen.team_warned)
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: "Ctrl+S adds anyway" in warning() and not app.screen.saving)
        assert isinstance(app.screen, NewRecordScreen)
        assert "Another Name" not in [c.name for c in customer_service.list_customers(ann)]
