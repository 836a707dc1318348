"""The customer screen after the sale: a planned revisit moved, dropped or done from its keys (one open revisit
is taken at once, several are picked from a list, the most due first), the keys shown only while one is open, the
customer's tickets in a panel of their own. Each test drives the app on a real SQLite file and reads the store
afterwards.

The clock is frozen at Tue 2026-11-24 10:00 Asia/Shanghai (conftest); every day below is worked out by hand.
"""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, Label, OptionList, Select, Static, TextArea

from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.history import history_of
from crmtui.services.revisits import RevisitLine, revisit_timeline
from crmtui.services.tickets import add_ticket, close_ticket
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.dialogs.revisit import RevisitChangeForm, RevisitFollowUpForm
from crmtui.tui.screens.customer import CustomerScreen
from tests.pilot import until

SIZE = (100, 30)
PLAN = [RevisitLine(3, "phone", "Confirm delivery"), RevisitLine(30, "visit", "Check how it is used"),
        RevisitLine(90, "meeting", "Review")]
"""Signed Tue 24 Nov: + 3 = Fri 27 Nov, + 30 = Thu 24 Dec, + 90 = Mon 22 Feb 2027 (all working days)."""


def _won(ctx: Context, name: str = "Acme", plan: list[RevisitLine] = PLAN, signed: str = "today") -> str:
    customer = add_customer(ctx, name)
    deal = add_deal(ctx, customer.id, "Seats", amount="120000")
    move_stage(ctx, deal.id, "won", contract_no=f"HT-{name}", signed=signed, revisits=plan)
    return customer.id


def _open(ctx: Context, customer_id: str) -> list[tuple[date, str]]:
    return [(r.due_on, r.purpose) for r in revisit_timeline(ctx, customer_id).revisits if not r.done]


async def _customer(pilot, app, customer_id: str) -> CustomerScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: app.screen.__class__.__name__ == "TodayScreen")
    app.open_customer(customer_id)
    await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, CustomerScreen)
    return screen


def _footer_keys(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {active.binding.id for active in app.screen.active_bindings.values()
            if active.binding.show and active.enabled}


async def test_one_open_revisit_moves_without_a_picker_a_past_day_refused_keeping_the_text(ctx: Context) -> None:
    acme = _won(ctx, plan=[RevisitLine(3, "phone", "Confirm delivery")])  # Fri 27 Nov
    app = build_app(ctx)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await _customer(pilot, app, acme)
        app.notify = lambda message, **_kw: notes.append(str(message))  # type: ignore[method-assign]
        await pilot.press("V")
        await until(pilot, lambda: isinstance(app.screen, RevisitChangeForm))  # no picker for the only one
        form = app.screen
        await pilot.press(*"someday")
        preview = form.query_one("#revisit-day-preview", Label)
        await until(pilot, lambda: preview.has_class("error") and "New day" in str(preview.content))
        form.query_one("#revisit-day", Input).value = "2026-11-20"  # a Friday already past
        await until(pilot, lambda: str(preview.content) == "→ Fri 20 Nov")
        await pilot.press("enter")
        await until(pilot, lambda: any("today or a later day" in note for note in notes))
        # refused: the form stays with what was typed, the field marked, the store unchanged
        assert app.screen is form and form.query_one("#revisit-day", Input).value == "2026-11-20"
        assert form.query_one("#revisit-day", Input).has_class("missing")
        assert _open(ctx, acme) == [(date(2026, 11, 27), "Confirm delivery")]
        form.query_one("#revisit-day", Input).value = "下周一"  # next week's Monday: Tue 24 Nov + 6 = Mon 30 Nov
        await until(pilot, lambda: str(preview.content) == "→ Mon 30 Nov")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        await until(pilot, lambda: any(note.startswith("Revisit moved to Mon 30 Nov") for note in notes))
    assert _open(ctx, acme) == [(date(2026, 11, 30), "Confirm delivery")]
    assert history_of(ctx, customer_id=acme)[0].what == "Revisit moved (Confirm delivery): 2026-11-27 → 2026-11-30"


async def test_several_open_revisits_are_picked_most_due_first_and_one_is_dropped_with_its_reason(
        ctx: Context) -> None:
    acme = _won(ctx)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer(pilot, app, acme)
        await pilot.press("Z")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        listing = app.screen.query_one("#pick-list", OptionList)
        shown = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert shown == ["Fri 27 Nov · Phone · Confirm delivery", "Thu 24 Dec · Visit · Check how it is used",
                         "Mon 22 Feb 2027 · Meeting · Review"]
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, RevisitChangeForm))
        form = app.screen
        await pilot.press(*"Customer asked")
        await pilot.press("escape")  # something typed: asks first
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        assert form.query_one("#revisit-reason", Input).value == "Customer asked"  # kept
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        await until(pilot, lambda: len(app.screen.open_revisits) == 2)
    assert _open(ctx, acme) == [(date(2026, 11, 27), "Confirm delivery"), (date(2027, 2, 22), "Review")]
    assert history_of(ctx, customer_id=acme)[0].what == "Revisit dropped (Check how it is used): Customer asked"


async def test_a_revisit_dropped_without_a_reason_says_so_in_the_history(ctx: Context) -> None:
    acme = _won(ctx, plan=[RevisitLine(90, "meeting", "Review")])
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer(pilot, app, acme)
        await pilot.press("Z")
        await until(pilot, lambda: isinstance(app.screen, RevisitChangeForm))
        await pilot.press("escape")  # nothing typed: closes at once, nothing dropped
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        assert _open(ctx, acme) == [(date(2027, 2, 22), "Review")]
        await pilot.press("Z")
        await until(pilot, lambda: isinstance(app.screen, RevisitChangeForm))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and not app.screen.open_revisits)
        assert "revisit-done" not in _footer_keys(app)  # none open any more: the keys leave the footer
    assert _open(ctx, acme) == []
    assert history_of(ctx, customer_id=acme)[0].what == "Revisit dropped (Review)"


async def test_doing_a_revisit_logs_it_with_its_scores_and_a_low_one_plans_the_call_back(ctx: Context) -> None:
    # Signed Fri 20 Nov: + 3 = Mon 23 Nov (due, one day late), + 30 = Sun 20 Dec -> Mon 21 Dec.
    acme = _won(ctx, plan=[RevisitLine(3, "phone", "Confirm delivery"), RevisitLine(30, "visit", "Check use")],
                signed="2026-11-20")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer(pilot, app, acme)
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        listing = app.screen.query_one("#pick-list", OptionList)
        assert str(listing.get_option_at_index(0).prompt) == "Mon 23 Nov · Phone · Confirm delivery  (late)"
        await pilot.press("enter")  # the most due, first
        await until(pilot, lambda: isinstance(app.screen, RevisitFollowUpForm))
        form = app.screen
        assert form.query_one("#revisit", Select).value == revisit_timeline(ctx, acme).revisits[0].id
        assert form.query_one("#goal", Input).value == "Confirm delivery"
        await pilot.press("y")  # the channel is the revisit's (phone); goal met
        form.query_one("#satisfaction", Input).value = "2"
        form.query_one("#nps", Input).value = "5"
        form.query_one("#notes", TextArea).text = "Delivery late, unhappy"
        form.query_one("#next-plan", Input).value = "Visit"
        form.query_one("#next", Input).value = "2026-12-01 10:00"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        await until(pilot, lambda: len(app.screen.open_revisits) == 2)
    revisits = revisit_timeline(ctx, acme).revisits
    done = [r for r in revisits if r.done]
    assert [(r.purpose, r.satisfaction, r.nps, r.channel) for r in done] == [("Confirm delivery", 2, 5, "phone")]
    # 2 is at or below the low mark (2 by default): a call back the next working day, Wed 25 Nov
    assert [(r.due_on, r.purpose.startswith("Call back: satisfaction 2/5")) for r in revisits if not r.done] == [
        (date(2026, 11, 25), True), (date(2026, 12, 21), False)]


async def test_the_revisit_keys_show_only_while_one_is_open(ctx: Context) -> None:
    acme = _won(ctx, plan=[RevisitLine(3, "phone", "Confirm delivery")])
    plain = add_customer(ctx, "Plain").id
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _customer(pilot, app, acme)
        assert {"revisit-done", "move-revisit", "drop-revisit"} <= _footer_keys(app)
        described = {active.binding.id: active.binding.description for active in screen.active_bindings.values()}
        assert (described["revisit-done"], described["move-revisit"], described["drop-revisit"]) == (
            "Revisit done", "Move revisit", "Drop revisit")
        app.pop_screen()
        await _customer(pilot, app, plain)
        assert not {"revisit-done", "move-revisit", "drop-revisit"} & _footer_keys(app)
        await pilot.press("v")  # no revisit: the key does nothing, no dialog opens
        await pilot.pause()
        assert isinstance(app.screen, CustomerScreen)


async def test_the_tickets_panel_lists_the_not_closed_first_and_opens_one(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme").id
    plain = add_customer(ctx, "Plain").id
    first = add_ticket(ctx, acme, "Pump leaks", kind="repair", priority="urgent")
    close_ticket(ctx, first.id, "Seal replaced")
    add_ticket(ctx, acme, "Annual check", kind="maintenance", priority="low", due="2026-11-30")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _customer(pilot, app, acme)
        listing = screen.query_one("#customer-tickets", OptionList)
        assert listing.display and listing.option_count == 2
        lines = [str(listing.get_option_at_index(i).prompt) for i in range(2)]
        assert "Annual check" in lines[0] and "Low" in lines[0] and "30 Nov" in lines[0]  # promised Mon 30 Nov
        assert "Pump leaks" in lines[1] and "Urgent" in lines[1] and "Closed" in lines[1]
        assert "(1 not closed of 2)" in str(screen.query_one("#tickets-title").content)
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "TicketScreen")
        assert app.screen.ticket_id == listing.get_option_at_index(0).id  # type: ignore[attr-defined]
        app.pop_screen()
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        await pilot.press("n")
        await until(pilot, lambda: app.screen.__class__.__name__ == "NewTicketForm")
        assert app.screen.query_one("#customer", Input).value == "Acme"
        app.pop_screen()
        app.pop_screen()
        screen = await _customer(pilot, app, plain)
        assert not screen.query_one("#customer-tickets").display and not screen.query_one("#tickets-title").display


def _text(widget: Static) -> str:
    """What a Static holding a Rich renderable (the profile's table) shows, as plain text."""
    from rich.console import Console

    console = Console(width=200, force_terminal=False, color_system=None)
    with console.capture() as captured:
        console.print(widget.content)
    return captured.get()


def _care(ctx: Context, number: str) -> tuple[object, ...]:
    with ctx.db.raw_read() as conn:
        return conn.execute("SELECT service_months, service_from, warranty_until FROM contract WHERE number = ?",
                            (number,)).fetchone()


async def test_a_contracts_service_cycle_and_warranty_are_set_from_the_customer_screen(ctx: Context) -> None:
    from crmtui.tui.dialogs.service import ContractServiceForm

    acme = _won(ctx, plan=[], signed="2026-09-01")
    app = build_app(ctx)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await _customer(pilot, app, acme)
        assert "contract-service" in _footer_keys(app)
        app.notify = lambda message, **_kw: notes.append(str(message))  # type: ignore[method-assign]
        await pilot.press("W")  # one contract: its form at once
        await until(pilot, lambda: isinstance(app.screen, ContractServiceForm))
        form = app.screen
        months = form.query_one("#service-months", Input)
        await pilot.press(*"200")
        form.query_one("#warranty-until", Input).value = "2027-08-31"
        preview = form.query_one("#warranty-until-preview", Label)
        await until(pilot, lambda: str(preview.content) == "→ Tue 31 Aug 2027")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("from 1 to 120" in note for note in notes))
        # refused: the months marked, everything typed kept, nothing saved
        assert app.screen is form and months.has_class("missing") and months.value == "200"
        assert _care(ctx, "HT-Acme") == (None, None, None)
        months.value = "3"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        await until(pilot, lambda: "Contract HT-Acme" in _text(screen.query_one("#profile", Static)))
        profile = _text(screen.query_one("#profile", Static))
    # From the signing day, 1 Sep: + 3 months = 1 Dec (a Tuesday), the next visit after Tue 24 Nov.
    assert _care(ctx, "HT-Acme") == (3, None, "2027-08-31")
    assert "Contract HT-Acme · Service   every 3 months from Tue 1 Sep · next Tue 1 Dec" in profile
    assert "Contract HT-Acme · Warranty  until Tue 31 Aug 2027 (ends in 280 days)" in profile  # 6 (Nov) + 31 + 31 + 28 + 31 + 30 + 31 + 30 + 31 + 31
    assert any(note == "Service and warranty of contract HT-Acme saved" for note in notes)


async def test_a_revisit_done_without_a_score_asks_first_then_logs_it_as_crm_revisit_done(ctx: Context) -> None:
    from crmtui.store.follow_ups import last_follow_up

    acme = _won(ctx, plan=[RevisitLine(3, "visit", "Install check")], signed="2026-11-20")  # Mon 23 Nov, late
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer(pilot, app, acme)
        await pilot.press("v")  # the only open revisit: its form at once
        await until(pilot, lambda: isinstance(app.screen, RevisitFollowUpForm))
        form = app.screen
        await pilot.press("y")
        form.query_one("#notes", TextArea).text = "Installed and running"
        form.query_one("#next-plan", Input).value = "Renewal talk"
        form.query_one("#next", Input).value = "2026-12-10 10:00"
        await pilot.press("ctrl+s")  # no score: asks first
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # back to the form, to give one; nothing saved
        await until(pilot, lambda: app.screen is form and form.focused is form.query_one("#satisfaction", Input))
        assert _open(ctx, acme) == [(date(2026, 11, 23), "Install check")]
        assert form.query_one("#notes", TextArea).text == "Installed and running"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and not app.screen.open_revisits)
    done = [r for r in revisit_timeline(ctx, acme).revisits if r.done]
    assert [(r.purpose, r.satisfaction) for r in done] == [("Install check", None)]
    with ctx.db.raw_read() as conn:
        logged = last_follow_up(conn, acme)
    assert logged is not None
    assert (logged.channel, logged.goal, logged.goal_met, logged.notes, logged.next_plan) == (
        "visit", "Install check", True, "Installed and running", "Renewal talk")
