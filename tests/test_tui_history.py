"""The app's history and undo: `h` on the customer screen lists its changes newest first and Esc goes back; `u`
on Today or the customer screen names the last action, asks, undoes it and says so, or says why it cannot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import OptionList, Static

from crmtui.services.context import Context
from crmtui.services.customers import add_customer, edit_customer, list_customers
from crmtui.services.importing.run import Options, run_import
from crmtui.store import history as store_history
from crmtui.store import replica
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.screens.history import HistoryScreen
from crmtui.tui.screens.today import TodayScreen
from tests.pilot import until


SIZE = (100, 30)


def industry(home: Path) -> str | None:
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        return connection.execute("SELECT industry FROM customer WHERE name = 'Acme'").fetchone()[0]


def prompts(screen: HistoryScreen) -> list[str]:
    return [str(option.prompt).rstrip() for option in screen.query_one("#history-list", OptionList).options]


async def test_h_on_the_customer_screen_lists_its_history_newest_first_and_esc_goes_back(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    edit_customer(ctx, acme.id, {"industry": "mining"})
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TodayScreen))
        app.open_customer(acme.id)
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)

        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and len(prompts(app.screen)) > 1)

        lines = prompts(app.screen)  # type: ignore[arg-type]
        assert "edit customer Acme" in lines[0] and lines[0].startswith("Tue 24 Nov 10:00")
        assert lines[1].strip() == "customer Acme: Industry steel → mining"
        assert "add customer Acme" in lines[2]
        assert "History of Acme (2)" in str(app.screen.query_one("#history-title", Static).render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))


async def test_u_on_today_names_the_action_asks_then_undoes_it(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    edit_customer(ctx, acme.id, {"industry": "mining"})
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TodayScreen))

        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen.question  # type: ignore[attr-defined]
        assert question.startswith("Undo edit customer Acme?")
        assert "customer Acme: Industry mining → steel" in question  # what the undo will do
        assert industry(home) == "mining"  # nothing before the yes
        await pilot.press("y")
        await until(pilot, lambda: industry(home) == "steel")
        await until(pilot, lambda: any("Undone: edit customer Acme." in str(n.message)
                                        for n in app._notifications))


async def test_u_on_the_customer_screen_says_plainly_why_it_cannot_undo(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    edit_customer(ctx, acme.id, {"industry": "mining"})
    with store_history.acting("sync", None, None), ctx.db.raw_write(ctx.clock.utcnow()) as (connection, _):
        replica.put_rows(connection, "customer", [{"id": acme.id, "industry": "textiles"}], {})
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TodayScreen))
        app.open_customer(acme.id)
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)

        await pilot.press("u")
        await until(pilot, lambda: any("changed again since" in str(n.message) for n in app._notifications))

        assert isinstance(app.screen, CustomerScreen)  # no question was asked
        assert industry(home) == "textiles"
        shown = [str(n.message) for n in app._notifications]
        assert any(message.startswith("cannot undo edit customer Acme: the Industry of customer Acme") and
                   "a colleague" in message for message in shown)


async def test_u_on_a_large_import_asks_with_a_count_and_says_it_is_undoing(ctx: Context, home: Path,
                                                                            tmp_path: Path) -> None:
    sheet = tmp_path / "客户.csv"
    sheet.write_text("Company,Phone\n" + "".join(f"Firm {n},1380000{n:04d}\n" for n in range(40)), encoding="utf-8")
    run_import(ctx, sheet, Options(kind="customers"))
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TodayScreen))

        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen.question  # type: ignore[attr-defined]
        assert question.startswith("Undo import 客户.csv?") and question.endswith("… and 34 more")
        await pilot.press("y")
        await until(pilot, lambda: any("Undoing import 客户.csv…" in str(n.message) for n in app._notifications))
        await until(pilot, lambda: any("Undone: import 客户.csv." in str(n.message) for n in app._notifications))
    assert list_customers(ctx) == []
