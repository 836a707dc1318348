"""The Tickets screen's keys for a ticket's priority (`P`) and promised day (`d`), on the list and on the ticket's
own screen; the list's column headers and its columns at 80 columns; the keys a closed ticket does not take; the
new-ticket form's words. Each change is checked in the database through the services, on the frozen clock
(Tue 2026-11-24 10:00 Shanghai) and a real SQLite file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input, OptionList, Static

from crmtui.core import i18n
from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.tickets import add_ticket, close_ticket, list_tickets, ticket_detail, update_ticket
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.screens.tickets import DayForm, NewTicketForm, TicketScreen, TicketsScreen
from crmtui.tui.screens.today import TodayScreen
from tests.pilot import until

SIZE = (100, 30)


def text(widget: Static) -> str:
    return str(widget.render())


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(note.message) for note in app._notifications]


async def _open_list(app, pilot) -> TicketsScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, TodayScreen))
    await pilot.press("T")
    await until(pilot, lambda: isinstance(app.screen, TicketsScreen) and app.screen.loaded, workers=True)
    return app.screen  # type: ignore[no-any-return]


def from_cell(line: str, cell: int) -> str:
    """What `line` shows from the terminal cell `cell` on."""
    for index in range(len(line) + 1):
        if cell_len(line[:index]) >= cell:
            return line[index:]
    return ""


def footer_keys(app) -> set[str]:  # type: ignore[no-untyped-def]
    """The actions the screen offers now (what check_action lets the footer and the keys do)."""
    return {action for action in ("note", "status", "close_ticket", "priority", "promise")
            if app.screen.check_action(action, ())}


async def test_p_changes_the_priority_says_the_new_deadlines_and_keeps_it_in_the_history(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")  # normal, opened Tue 24 Nov 10:00
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        listing = app.screen.query_one("#pick-list", OptionList)
        assert listing.highlighted == 1  # low, normal, high, urgent: the cursor on the current one
        # each with the deadlines it would give, from the opening (Tue 10:00, days of 9 working hours): low 24 to
        # respond = 8 (Tue) + 9 (Wed) + 7 (Thu to 16:00); 80 to resolve = 8 + 9 * 8 (Wed to Fri, Mon to Fri) =
        # Fri 4 Dec 18:00; normal 8 = Tue 18:00 and 40 = 8 + 27 (Wed to Fri) + 5 (Mon to 14:00) = Mon 30 Nov
        # 14:00; high 4 and 24 = Tue 14:00, Thu 16:00; urgent 2 and 8 clock hours
        offered = [" ".join(str(option.prompt).split()) for option in listing.options]
        assert offered == ["Low respond by 26 Nov 16:00, resolve by 4 Dec 18:00",
                           "Normal respond by 24 Nov 18:00, resolve by 30 Nov 14:00",
                           "High respond by 24 Nov 14:00, resolve by 26 Nov 16:00",
                           "Urgent respond by 24 Nov 12:00, resolve by 24 Nov 18:00"]
        await pilot.press("down", "enter")  # high
        await until(pilot, lambda: ticket_detail(ctx, ticket.id)[0].priority == "high", workers=True)
        # high from Tue 10:00: respond 4 working hours = Tue 14:00; resolve 24 working hours = 8 (Tue 10-18)
        # + 9 (Wed) + 7 (Thu 09-16) = Thu 26 Nov 16:00
        said = f"{ticket.number}: High · respond by Tue 24 Nov 14:00, resolve by Thu 26 Nov 16:00"
        await until(pilot, lambda: said in notes(app), workers=True)
    view, history = ticket_detail(ctx, ticket.id)
    assert (view.respond_by.hour, view.resolve_by.day) == (6, 26)  # 14:00 and 16:00 in Shanghai are 06:00, 08:00 UTC
    assert history[-1].note == "priority Normal → High; respond by Tue 24 Nov 14:00, resolve by Thu 26 Nov 16:00"


async def test_d_reads_the_promised_day_in_either_language_and_refuses_a_past_one(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DayForm))
        form = app.screen
        read = lambda: text(form.query_one("#day-read", Static))  # noqa: E731
        form.query_one("#text", Input).value = "下周一"  # Tue 24 Nov: next week's Monday is Mon 30 Nov
        await until(pilot, lambda: read() == "→ Mon 30 Nov")
        form.query_one("#text", Input).value = "fri"
        await until(pilot, lambda: read() == "→ Fri 27 Nov")
        form.query_one("#text", Input).value = "昨天"  # yesterday: refused on Enter, naming the field
        await pilot.press("enter")
        await until(pilot, lambda: form.query_one("#text", Input).has_class("missing"))
        assert read() == 'Promised for: a day from today on (got "昨天")'
        assert isinstance(app.screen, DayForm) and ticket_detail(ctx, ticket.id)[0].due_on is None
        form.query_one("#text", Input).value = "fri"
        await pilot.press("enter")
        await until(pilot, lambda: ticket_detail(ctx, ticket.id)[0].due_on == date(2026, 11, 27), workers=True)
        await until(pilot, lambda: f"{ticket.number} promised for Fri 27 Nov" in notes(app), workers=True)
        # again: the form opens with the day kept; emptied, it takes the promise back
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen))
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DayForm))
        assert app.screen.query_one("#text", Input).value == "2026-11-27"
        app.screen.query_one("#text", Input).value = ""
        await pilot.press("enter")
        await until(pilot, lambda: ticket_detail(ctx, ticket.id)[0].due_on is None, workers=True)
    notes_kept = [step.note for step in ticket_detail(ctx, ticket.id)[1] if step.note]
    assert notes_kept == ["promised day none → Fri 27 Nov", "promised day Fri 27 Nov → none"]


async def test_the_ticket_screen_takes_p_and_d_too(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.view is not None, workers=True)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("end", "enter")  # urgent
        await until(pilot, lambda: ticket_detail(ctx, ticket.id)[0].priority == "urgent", workers=True)
        await until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.view is not None
                    and app.screen.view.priority == "urgent", workers=True)
        # urgent counts clock hours from Tue 10:00: respond by 12:00, resolve by 18:00
        fields = text(app.screen.query_one("#ticket-fields", Static))
        assert "Respond by" in fields and "Tue 24 Nov 12:00" in fields and "Tue 24 Nov 18:00" in fields
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DayForm))
        await pilot.press(*"mon", "enter")
        await until(pilot, lambda: ticket_detail(ctx, ticket.id)[0].due_on == date(2026, 11, 30), workers=True)


async def test_a_closed_ticket_offers_no_key_that_cannot_apply_and_every_other_status_all(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    made = {}
    for status in ("open", "in_progress", "waiting", "resolved", "closed"):
        ticket = add_ticket(ctx, acme.id, f"Ticket {status}", kind="repair")
        if status in ("in_progress", "waiting", "resolved"):
            update_ticket(ctx, ticket.id, status=status)
        if status == "closed":
            close_ticket(ctx, ticket.id, "done")
        made[ticket.id] = status
    every = {"note", "status", "close_ticket", "priority", "promise"}
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_list(app, pilot)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("end", "enter")  # all
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen) and len(screen.views) == 5, workers=True)
        listing = screen.query_one("#ticket-list", OptionList)
        for index, view in enumerate(screen.views):
            listing.highlighted = index
            await pilot.pause()
            assert footer_keys(app) == (set() if made[view.id] == "closed" else every), made[view.id]
        closed_at = next(i for i, view in enumerate(screen.views) if made[view.id] == "closed")
        listing.highlighted = closed_at
        await pilot.press("c", "a", "s", "P", "d")  # none of them opens anything on a closed ticket
        await pilot.pause()
        assert app.screen is screen
        footer = " ".join(str(key.description) for key in app.screen.query("FooterKey"))
        assert "Close ticket" not in footer and "Note" not in footer
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.view is not None, workers=True)
        assert footer_keys(app) == set()
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        listing.highlighted = next(i for i, view in enumerate(screen.views) if made[view.id] == "resolved")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.view is not None, workers=True)
        assert footer_keys(app) == every
    assert ticket_detail(ctx, next(i for i, s in made.items() if s == "closed"))[0].status == "closed"


async def test_an_empty_list_offers_no_ticket_keys(ctx: Context) -> None:
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        assert footer_keys(app) == set()
        assert app.screen.check_action("new_ticket", ()) is True


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_at_80_columns_the_headers_and_every_needed_column_are_whole(ctx: Context, home: Path,
                                                                         language: str) -> None:
    acme = add_customer(ctx, "上海精工机械制造有限公司")
    for priority, title in (("urgent", "Production line stopped since the night shift"), ("low", "Invoice"),
                            ("high", "Driver was rude"), ("normal", "Yearly maintenance")):
        ticket = add_ticket(ctx, acme.id, title, kind="repair", priority=priority)
        if priority == "low":
            update_ticket(ctx, ticket.id, status="waiting")
    i18n.set_language(language)
    try:
        app = build_app(ctx)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _open_list(app, pilot)
            header = text(screen.query_one("#ticket-header", Static))
            shown = [str(option.prompt) for option in screen.query_one("#ticket-list", OptionList).options]
    finally:
        i18n.set_language("en")
    words = {"en": ("Ticket", "Customer", "Title", "Priority", "Status", "Resolve by", "Urgent", "Waiting"),
             "zh": ("工单", "客户", "标题", "优先级", "状态", "解决期限", "紧急", "等待客户")}[language]
    for word in words[:6]:
        assert word in header
    priority_at = cell_len(header[:header.index(words[3])])  # in terminal cells: Chinese takes two
    by_number = {view.number: view for view in list_tickets(ctx)}
    for line in shown:
        view = by_number[line.split()[0]]
        priority = {"en": view.priority.capitalize(), "zh": {"urgent": "紧急", "high": "高", "normal": "普通",
                                                             "low": "低"}[view.priority]}[language]
        assert from_cell(line, priority_at).startswith(priority), line  # under its header, whole
        assert not line.rstrip().endswith("…")  # only the customer and the title are ever cut
    assert words[7] in "\n".join(shown)  # the waiting ticket's status, whole


async def test_the_new_ticket_form_names_the_promised_day_and_counts_the_customers_it_does_not_list(
        ctx: Context) -> None:
    for place in ("North", "South", "East", "West", "Centre", "Harbour"):
        add_customer(ctx, f"Acme {place}")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(app, pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewTicketForm))
        form = app.screen
        problem = lambda: text(form.query_one("#ticket-problem", Static))  # noqa: E731
        await pilot.press(*"Acme", "tab", *"Pump leaks")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Acme" in problem(), workers=True)
        # six match, four are listed: the other two are counted
        assert '"Acme" matches 6 customers' in problem() and problem().endswith("… and 2 more")
        form.query_one("#customer", Input).value = "Acme Harbour"
        form.query_one("#ticket_title", Input).value = ""
        form.query_one("#due", Input).value = "下周八"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.query_one("#due", Input).has_class("missing"), workers=True)
        # both refusals at once, each by its label; a day not understood suggests days ahead (today + 7)
        assert form.query_one("#ticket_title", Input).has_class("missing")
        assert problem().splitlines() == [
            'Title: a value (it cannot be empty) (got "")',
            'Promised for: could not understand the date "下周八" (try e.g. "fri", "下周一", "2026-12-01")']
    assert list_tickets(ctx) == []
