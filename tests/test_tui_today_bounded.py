"""Today costs the same whatever the size of the book: each section lists its most urgent rows (SECTION_ROWS) under
a header that counts them all, its last line shows the next rows on Enter, and a row is made only when it is
drawn. The list underneath, LineList, lays out a line an option without measuring any."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList

from crmtui.services.agenda import SHOWN, Agenda, AgendaItem
from crmtui.tui.app import build_app
from crmtui.tui.screens import today
from crmtui.tui.screens.today import AgendaList, TodayScreen
from crmtui.tui.widgets.line_list import LazyOption, LineList

from .conftest import NOW, ZONE
from .test_tui import _settle


class Pair(App[None]):
    """A LineList beside Textual's own OptionList, the same height."""

    def compose(self) -> ComposeResult:
        yield LineList(id="lines")
        yield OptionList(id="options")


async def test_a_line_list_lays_out_its_lines_as_the_option_list_does() -> None:
    # 30 one-line options, rows 0-29, dividers after row 4 and row 12 (None in a list of options marks one)
    prompts: list[str | None] = [f"row {n}" for n in range(30)]
    prompts.insert(13, None)
    prompts.insert(5, None)
    app = Pair()
    async with app.run_test(size=(40, 20)) as pilot:
        lines, options = app.query_one("#lines", LineList), app.query_one("#options", OptionList)
        lines.set_options(prompts)
        options.set_options(prompts)
        await pilot.pause()
        # 30 options + 2 divider lines = 32 lines; each option's line as OptionList measures it
        assert list(lines._lines) == list(options._lines) and len(lines._lines) == 32
        assert lines._index_to_line[12] == options._index_to_line[12] == 12 + 1  # after row 4's divider
        assert lines._index_to_line[13] == options._index_to_line[13] == 13 + 2  # after both
        assert lines.virtual_size.height == options.virtual_size.height == 32
        lines.highlighted = options.highlighted = 20
        await pilot.pause()
        assert lines.scroll_offset == options.scroll_offset


async def test_a_line_list_of_a_thousand_options_makes_only_the_lines_it_draws() -> None:
    made: list[int] = []

    def row(n: int) -> str:
        made.append(n)
        return f"row {n}"

    app = Pair()
    async with app.run_test(size=(40, 20)) as pilot:
        listing = app.query_one("#lines", LineList)
        # each list has half the screen: 10 lines, the border's two among them, so 8 rows are drawn
        listing.set_options([LazyOption(lambda n=n: row(n), id=str(n)) for n in range(1000)])
        await pilot.pause()
        assert listing.option_count == 1000 and listing.virtual_size.height == 1000
        height = listing.scrollable_content_region.height
        assert made and sorted(made) == list(range(height))
        listing.highlighted = 500
        await pilot.pause()
        assert 500 in made and len(made) <= 2 * height  # the rows round row 500, none between
        assert not listing.get_option("300").made
        assert str(listing.get_option("300").prompt) == "row 300"  # read by code: made then
        assert listing.get_option("300").made


async def test_a_move_repaints_the_two_lines_it_changes_and_leaves_the_same_picture() -> None:
    app = Pair()
    async with app.run_test(size=(40, 20)) as pilot:
        listing = app.query_one("#lines", LineList)
        listing.set_options([f"row {n}" for n in range(5)])
        listing.highlighted = 0
        listing.focus()
        await pilot.press("down", "down")
        await pilot.pause()
        assert listing.highlighted == 2
        moved = app.export_screenshot()
        listing.refresh()  # the whole list drawn again
        await pilot.pause()
        assert app.export_screenshot() == moved
        assert listing.highlighted_option is not None and listing.highlighted_option.prompt == "row 2"


def _item(section: str, n: int, **extra: object) -> AgendaItem:
    return AgendaItem(section, f"id-{section}-{n}", f"Customer {section} {n:04d}",
                      when=datetime(2026, 11, 21, 9, 0, tzinfo=ZONE), **extra)  # type: ignore[arg-type]


def _big_agenda() -> Agenda:
    """A rep's day at five times the bench book's size, as the service hands it over: the store kept the 200 most
    overdue of 9,026, and the 1,500 instalments due (a section the store does not cut) are all there."""
    agenda = Agenda(day=NOW.date(), sections={name: [] for name in SHOWN})
    agenda.sections["overdue"] = [_item("overdue", n, days=3) for n in range(200)]
    agenda.totals["overdue"] = 9026
    agenda.sections["payments"] = [_item("payments", n, days=5, amount_cents=1_000_000, contract_number=f"HT-{n}")
                                   for n in range(1500)]
    agenda.totals["payments"] = 1500
    return agenda


def _texts(listing: AgendaList) -> list[str]:
    return [str(option.prompt).rstrip() for option in listing.options]


async def test_a_big_day_lists_the_first_rows_of_each_section_under_its_full_count(ctx) -> None:
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        listing = screen.query_one("#agenda", AgendaList)
        screen.show_agenda(_big_agenda())
        await pilot.pause()
        # only the rows drawn were made: the screen's 28 lines of list at most, not the 120 rows listed
        rows = [option for option in listing.options if isinstance(option, LazyOption)]
        made = [option for option in rows if option.made]
        assert len(rows) == 120 and 0 < len(made) <= listing.scrollable_content_region.height
        assert not listing.get_option("payments|59").made
        texts = _texts(listing)  # (reading every prompt makes them all)
        # overdue: header, 60 rows, the line of the rest; payments: the same = 2 x 62 lines
        assert len(texts) == 124 and today.SECTION_ROWS == 60
        assert texts[0].startswith("Overdue (9,026)")
        assert texts[61] == " … and 8,966 more · Enter shows 60 more"  # 9,026 - 60
        assert texts[62].startswith("Payments due (1,500)")
        assert texts[123] == " … and 1,440 more · Enter shows 60 more"  # 1,500 - 60
        title = str(screen.query_one("#today-title").render())
        assert "Overdue 9,026" in title or "overdue 9,026" in title  # the title groups thousands as the headers do


async def test_enter_on_the_last_line_lists_more_until_the_agenda_holds_no_more(ctx) -> None:
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        screen = app.screen
        listing = screen.query_one("#agenda", AgendaList)
        screen.show_agenda(_big_agenda())
        await pilot.pause()
        assert listing.highlighted_option.id == "overdue|0"
        for _ in range(60):  # down the 60 rows: the 60th press lands on the line of the rest
            await pilot.press("down")
        assert listing.highlighted_option.id == "more|overdue"
        await pilot.press("l")  # not a customer: nothing to log
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        top = listing.scroll_offset.y
        await pilot.press("enter")
        await pilot.pause()
        assert listing.highlighted_option.id == "overdue|60"  # the first of the new rows, where the line was
        assert listing.scroll_offset.y == top  # the rows above did not move
        assert _texts(listing)[121] == " … and 8,906 more · Enter shows 60 more"  # 9,026 - 120
        await pilot.press("tab")  # the next section's first row, as before
        assert listing.highlighted_option.id == "payments|0"
        await pilot.press("end", "tab")  # from the last line (payments' line of the rest): round to the first
        assert listing.highlighted_option.id == "overdue|0"
        for _ in range(3):  # 120 -> 180 -> 200: the agenda holds 200 of them (the third asks in vain)
            screen.show_more("overdue")
        await pilot.pause()
        texts = _texts(listing)
        assert texts[201] == " … and 8,826 more"  # 9,026 - 200: no Enter, the rest are not in the agenda
        assert listing.get_option_at_index(201).disabled
        assert texts[202].startswith("Payments due (1,500)")


async def test_a_reload_keeps_the_rows_asked_for(ctx) -> None:
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = app.screen
        listing = screen.query_one("#agenda", AgendaList)
        agenda = _big_agenda()
        screen.show_agenda(agenda)
        screen.show_more("payments")
        screen.show_agenda(agenda)  # a reload or a resize lays the same agenda out again
        await pilot.pause()
        texts = _texts(listing)
        assert texts[62].startswith("Payments due (1,500)")
        assert texts[183] == " … and 1,380 more · Enter shows 60 more"  # 120 payments listed: 1,500 - 120
        assert texts[61] == " … and 8,966 more · Enter shows 60 more"  # overdue untouched


@pytest.fixture
def seven_overdue(ctx, frozen):  # type: ignore[no-untyped-def]
    """Seven customers overdue by 1 to 7 days (Customer 7 the most), their calls planned ten days ago."""
    from crmtui.services.customers import add_customer
    from crmtui.services.follow_ups import log_follow_up

    frozen.move_to(NOW - timedelta(days=10))
    for n in range(1, 8):
        customer = add_customer(ctx, f"Customer {n}")
        log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                      next_at=NOW - timedelta(days=n))
    frozen.move_to(NOW)


async def test_a_real_book_a_section_longer_than_its_first_rows(ctx, seven_overdue, monkeypatch) -> None:
    # a short page so that seven customers are a long section; the store keeps the 5 most overdue of them
    monkeypatch.setattr(today, "SECTION_ROWS", 2)
    monkeypatch.setattr("crmtui.store.agenda.LIMIT", 5)
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        listing = app.screen.query_one("#agenda", AgendaList)
        texts = _texts(listing)
        assert texts[0].startswith("Overdue (7)")
        assert [text.split("  ")[0].strip() for text in texts[1:3]] == ["Customer 7", "Customer 6"]
        assert texts[3] == " … and 5 more · Enter shows 2 more"  # 7 - 2
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert listing.highlighted_option.id == "overdue|2"
        assert _texts(listing)[5] == " … and 3 more · Enter shows 1 more"  # 7 - 4; the store held 5: 1 more
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        texts = _texts(listing)
        assert [text.split("  ")[0].strip() for text in texts[1:6]] == [f"Customer {n}" for n in (7, 6, 5, 4, 3)]
        assert texts[6] == " … and 2 more"  # the two least overdue are not in the agenda
        assert listing.get_option_at_index(6).disabled and listing.highlighted_option.id == "overdue|4"


async def test_the_first_today_shows_the_agenda_read_while_the_app_started(ctx, monkeypatch) -> None:
    from concurrent.futures import Future

    def read_again(*args: object, **kwargs: object) -> Agenda:
        raise AssertionError("the agenda was read a second time")

    monkeypatch.setattr(today, "agenda_for", read_again)
    first: Future[Agenda] = Future()
    first.set_result(_big_agenda())
    app = build_app(ctx, first_agenda=first)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.first is None
        assert str(screen.query_one("#agenda", AgendaList).get_option_at_index(0).prompt).startswith(
            "Overdue (9,026)")
        monkeypatch.undo()  # a reload reads the book again (empty: nothing due)
        screen.action_reload()
        await _settle(pilot)
        assert screen.agenda is not None and screen.agenda.totals["overdue"] == 0
