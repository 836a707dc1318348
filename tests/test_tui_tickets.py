"""The Tickets screen: `T` from Today opens it, the overdue first; Enter opens a ticket with its history; `a` adds
a note, `s` moves it on, `c` closes it (the resolution, then the satisfaction question), `n` opens a new one
for a customer (a name meaning several is listed, never guessed), `f` filters by status. Each action is checked
in the database through the services, on the frozen clock (Tue 2026-11-24 10:00 Shanghai)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from textual.widgets import Input, OptionList, Static

from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.tickets import add_ticket, list_tickets, ticket_detail, update_ticket
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.screens.tickets import NewTicketForm, TextForm, TicketScreen, TicketsScreen
from crmtui.tui.screens.today import TodayScreen
from tests.pilot import until

SIZE = (100, 30)
ZONE = ZoneInfo("Asia/Shanghai")


def lines(screen: TicketsScreen | TicketScreen, list_id: str) -> list[str]:
    return [str(option.prompt).rstrip() for option in screen.query_one(list_id, OptionList).options]


async def _open_list(app, pilot) -> TicketsScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, TodayScreen))
    await pilot.press("T")
    await until(pilot, lambda: isinstance(app.screen, TicketsScreen) and app.screen.loaded, workers=True)
    return app.screen  # type: ignore[no-any-return]


async def test_t_lists_the_overdue_first_and_enter_shows_the_history(ctx: Context,
                                                                     frozen: time_machine.Coordinates) -> None:
    acme = add_customer(ctx, "Acme")
    beta = add_customer(ctx, "Beta")
    low = add_ticket(ctx, acme.id, "Yearly check", kind="maintenance", priority="low")
    urgent = add_ticket(ctx, beta.id, "Line down", kind="repair", priority="urgent")
    update_ticket(ctx, urgent.id, note="engineer on the way")
    # urgent resolves by Tue 18:00 (8 clock hours); at 19:00 it is overdue and listed first
    frozen.move_to(datetime(2026, 11, 24, 19, 0, tzinfo=ZONE))
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_list(app, pilot)
        shown = lines(screen, "#ticket-list")
        assert [line.split()[0] for line in shown] == [urgent.number, low.number]
        assert "Overdue" in shown[0] and "Beta" in shown[0] and "Overdue" not in shown[1]
        assert "Tickets · Not closed (2)" in str(screen.query_one("#tickets-title", Static).render())
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.view is not None, workers=True)
        history = lines(app.screen, "#ticket-history")  # type: ignore[arg-type]
        assert "Note" in history[0] and "engineer on the way" in history[0]  # newest first
        assert "Opened" in history[1]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen))


async def test_a_adds_a_note_and_s_moves_the_ticket_on(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, TextForm))
        await pilot.press("enter")  # empty: refused, the form stays
        await until(pilot, lambda: app.screen.query_one("#text", Input).has_class("missing"))
        assert isinstance(app.screen, TextForm)
        await pilot.press(*"called back")
        await pilot.press("enter")
        await until(pilot, lambda: len(ticket_detail(ctx, ticket.id)[1]) == 2, workers=True)
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen))
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        # from open: in progress, waiting, resolved, closed - the second is waiting
        await pilot.press("down", "enter")
        await until(pilot, lambda: ticket_detail(ctx, ticket.id)[0].status == "waiting", workers=True)
    view, history = ticket_detail(ctx, ticket.id)
    assert [(e.from_status, e.to_status, e.note) for e in history] == [
        (None, "open", None), (None, None, "called back"), ("open", "waiting", None)]
    assert view.responded_at is not None


async def test_c_asks_the_resolution_then_the_satisfaction_and_closes(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, TextForm))
        await pilot.press(*"new seal", "enter")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("down", "enter")  # 4 Satisfied
        await until(pilot, lambda: ticket_detail(ctx, ticket.id)[0].status == "closed", workers=True)
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen) and "(0)" in str(
            app.screen.query_one("#tickets-title", Static).render()), workers=True)
    view, _history = ticket_detail(ctx, ticket.id)
    assert (view.resolution, view.satisfaction) == ("new seal", 4)


async def test_closing_may_skip_the_satisfaction_and_esc_keeps_the_resolution(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    first = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, TextForm))
        await pilot.press(*"x", "enter")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        assert "Esc back to the resolution" in str(app.screen.query_one(".hint", Static).render())
        await pilot.press("escape")  # the question cancelled: back to the resolution, still typed
        await until(pilot, lambda: isinstance(app.screen, TextForm))
        assert app.screen.query_one("#text", Input).value == "x"
        assert ticket_detail(ctx, first.id)[0].status == "open"
        await pilot.press("backspace", *"answered", "enter")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("end", "enter")  # Not asked
        await until(pilot, lambda: ticket_detail(ctx, first.id)[0].status == "closed", workers=True)
    view, _history = ticket_detail(ctx, first.id)
    assert (view.resolution, view.satisfaction) == ("answered", None)


async def test_n_opens_a_ticket_for_a_customer_and_an_ambiguous_name_is_listed(ctx: Context) -> None:
    add_customer(ctx, "Acme North")
    add_customer(ctx, "Acme South")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewTicketForm))
        await pilot.press(*"Acme", "tab", *"Pump leaks")
        await pilot.press("ctrl+s")
        problem = lambda: str(app.screen.query_one("#ticket-problem", Static).render())  # noqa: E731
        await until(pilot, lambda: "Acme North" in problem(), workers=True)
        assert "Acme South" in problem() and list_tickets(ctx) == []
        app.screen.query_one("#customer", Input).value = "Acme South"
        app.screen.query_one("#due", Input).value = "2026-11-20"  # a past day: refused, naming the field
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen.query_one("#due", Input).has_class("missing"), workers=True)
        app.screen.query_one("#due", Input).value = "fri"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen) and len(app.screen.views) == 1,
                    workers=True)
    (view,) = list_tickets(ctx)
    assert (view.customer_name, view.title, view.kind, view.priority, str(view.due_on)) == (
        "Acme South", "Pump leaks", "repair", "normal", "2026-11-27")


async def test_f_filters_by_status(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    waiting = add_ticket(ctx, acme.id, "Invoice", kind="consultation")
    update_ticket(ctx, waiting.id, status="waiting")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_list(app, pilot)
        assert len(screen.views) == 2
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("down", "down", "down", "enter")  # not closed, open, in progress, waiting
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen) and screen.shown == "waiting"
                    and len(screen.views) == 1, workers=True)
        assert screen.views[0].number == waiting.number


async def test_esc_on_a_typed_note_asks_before_dropping_it(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, TextForm))
        await pilot.press("escape")  # nothing typed: closed at once
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen))
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, TextForm))
        await pilot.press(*"called", "escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Discard this note?" in app.screen.question
        await pilot.press("n")  # keep it: the form is back with the text
        await until(pilot, lambda: isinstance(app.screen, TextForm))
        assert app.screen.query_one("#text", Input).value == "called"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen))
    assert len(ticket_detail(ctx, ticket.id)[1]) == 1  # only the opening: no note written


async def test_esc_on_the_resolution_and_the_new_ticket_form_asks_too(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, TextForm))
        await pilot.press(*"seal", "escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Discard this resolution?" in app.screen.question
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewTicketForm))
        await pilot.press("escape")  # nothing typed: closed at once
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewTicketForm))
        await pilot.press(*"Acme", "tab", *"Noise", "escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Discard this new ticket?" in app.screen.question
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewTicketForm))
        assert app.screen.query_one("#ticket_title", Input).value == "Noise"
    assert ticket_detail(ctx, ticket.id)[0].status == "open" and len(list_tickets(ctx)) == 1


async def test_in_a_team_the_list_says_whose_each_ticket_is(ctx: Context) -> None:
    for name, owner in (("Li Pumps", "li"), ("Wang Valves", "wang")):
        customer = add_customer(ctx, name)
        with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
            conn.execute("UPDATE customer SET owner = ? WHERE id = ?", (owner, customer.id))
        add_ticket(ctx, customer.id, "Pump leaks", kind="repair")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_list(app, pilot)
        shown = sorted(lines(screen, "#ticket-list"), key=lambda line: line.split()[1])
        # number, customer (14), then the owner column
        assert [line.split()[1:4] for line in shown] == [["Li", "Pumps", "li"], ["Wang", "Valves", "wang"]]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.view is not None, workers=True)
        assert "Owner" in str(app.screen.query_one("#ticket-fields", Static).render())
