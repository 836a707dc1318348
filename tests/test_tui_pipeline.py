"""The pipeline board as a rep sees it at 80x24 and 100x30: as many stages as fit whole, ←/→ sliding the window of
stages (the line under the title names the ones out of sight), Won and Lost saying the period they cover, and
cards drawn as cards in the theme's colours (the stage's edge, the deal's urgency, a distinct cursor)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.color import Color

from crmtui.core import i18n
from crmtui.core.clock import Clock
from crmtui.core.config import Settings
from crmtui.core.formatting import format_short
from crmtui.core.labels import stage_name
from crmtui.services.context import Context, open_context
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.pipeline import board
from crmtui.tui.app import build_app
from crmtui.tui.screens.pipeline import PipelineScreen
from tests.pilot import until

from .conftest import NOW, ZONE

_until = partial(until, workers=True)

CHINESE = "北京华信科技有限公司"
"""Ten Chinese characters: 20 cells, the name the old board cut to its city."""


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def _log(ctx: Context, customer_id: str, next_at: str = "in 3 days") -> None:
    log_follow_up(ctx, customer_id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at=next_at)


def _deal_in(ctx: Context, name: str, stage: str, amount: str, close: date | None = None) -> str:
    """A customer called today with a deal walked to `stage` one step at a time (each gate filled)."""
    customer = add_customer(ctx, name)
    _log(ctx, customer.id)
    deal = add_deal(ctx, customer.id, "CRM seats", amount=amount, close=close or date(2027, 3, 31))
    keys = [s.key for s in ctx.settings.stages]
    for key in keys[1:keys.index(stage) + 1] if stage != "lost" else ["lost"]:
        if key == "won":
            move_stage(ctx, deal.id, "won", contract_no=f"HT-{name[:4]}", signed="today")
        elif key == "lost":
            move_stage(ctx, deal.id, "lost", reason="price")
        else:
            move_stage(ctx, deal.id, key, amount=amount if key == "quote" else None)
    return deal.id


def _book(home: Path, language: str, frozen) -> Context:
    """A deal in every stage; Globex stalls in Proposal, 上海明远's close date passed 14 days ago, one deal was won
    five days ago and another 40 days ago (outside the board's period)."""
    ctx = open_context(home / "data" / "crm.db", settings=Settings(timezone="Asia/Shanghai", language=language),
                       clock=Clock(ZONE))
    frozen.move_to(NOW - timedelta(days=40))
    _deal_in(ctx, "Old Win Ltd", "won", "70000")
    frozen.move_to(NOW - timedelta(days=20))
    _deal_in(ctx, "Globex Logistics", "proposal", "250000")  # no call since: stalled
    frozen.move_to(NOW - timedelta(days=5))
    _deal_in(ctx, "Umbrella Foods", "won", "90000")
    frozen.move_to(NOW)
    _deal_in(ctx, CHINESE, "initial", "1234567")
    _deal_in(ctx, "Acme Analytics", "needs", "80000")
    _deal_in(ctx, "上海明远贸易有限公司", "quote", "120000", close=NOW.date() - timedelta(days=14))
    _deal_in(ctx, "Initech", "negotiation", "300000")
    _deal_in(ctx, "Wonka Foods", "lost", "50000")
    return ctx


@pytest.fixture
def book(home: Path, frozen) -> Iterator[Context]:
    """The book in English."""
    ctx = _book(home, "en", frozen)
    yield ctx
    ctx.close()


@pytest.fixture
def book_in(home: Path, language: str, frozen) -> Iterator[Context]:
    """The book in English and in Chinese."""
    ctx = _book(home, language, frozen)
    yield ctx
    ctx.close()


async def _open_board(pilot) -> PipelineScreen:
    await pilot.pause()
    await pilot.press("p")
    await _until(pilot, lambda: isinstance(pilot.app.screen, PipelineScreen) and pilot.app.screen.cards
                 and pilot.app.focused is not None)
    await pilot.pause()
    return pilot.app.screen


def _lines(app) -> list[str]:
    """The screen as the terminal shows it, composited."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _shown(board: PipelineScreen) -> list[str]:
    return [stage.key for stage in board.crm.ctx.settings.stages if board.query_one(f"#col-{stage.key}").display]


def _focused_stage(board: PipelineScreen) -> str:
    return board.columns[board._focused_index()].stage.key


@pytest.mark.parametrize(("size", "shown"), [((80, 24), 3), ((100, 30), 4)])
async def test_the_board_shows_whole_headers_names_and_amounts(book_in, language, size, shown) -> None:
    app = build_app(book_in)
    async with app.run_test(size=size) as pilot:
        board_screen = await _open_board(pilot)
        stages = book_in.settings.stages
        assert _shown(board_screen) == [stage.key for stage in stages[:shown]]
        lines = _lines(app)
        above_footer = lines[:-1]  # the footer is the app's own, tested with it
        assert not [line for line in above_footer if "…" in line]
        heads = "\n".join(lines[2:5])
        for stage in stages[:shown]:
            assert stage_name(stage) in heads
        assert f"1 · Σ {format_short(123456700, language)}" in heads  # Initial contact's count and sum, whole
        assert any(CHINESE in line and cell_len(line) == size[0] for line in lines)
        assert any("1,234,567" in line for line in lines)
        nav = lines[1]
        assert nav.rstrip().endswith(f"{stage_name(stages[-2])} 1 · {stage_name(stages[-1])} 1 ›"), nav


async def test_right_past_the_last_column_slides_to_the_next_stage_and_left_comes_back(book) -> None:
    app = build_app(book)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await _open_board(pilot)
        assert _focused_stage(board) == "initial" and _shown(board) == ["initial", "needs", "proposal"]
        assert not _lines(app)[1].lstrip().startswith("‹")  # nothing out of sight on the left yet
        await pilot.press("right", "right")
        assert _focused_stage(board) == "proposal" and _shown(board) == ["initial", "needs", "proposal"]
        await pilot.press("right")
        await pilot.pause()
        assert _focused_stage(board) == "quote" and _shown(board) == ["needs", "proposal", "quote"]
        assert board.current_card().customer_name == "上海明远贸易有限公司"
        nav = _lines(app)[1]
        assert nav.lstrip().startswith("‹ Initial contact 1") and nav.rstrip().endswith("Won 1 · Lost 1 ›")
        await pilot.press("right", "right", "right", "right")  # past Lost: nothing further
        await pilot.pause()
        assert _focused_stage(board) == "lost" and _shown(board) == ["negotiation", "won", "lost"]
        assert not _lines(app)[1].rstrip().endswith("›")
        for _ in range(6):
            await pilot.press("h")
        await pilot.pause()
        assert _focused_stage(board) == "initial" and _shown(board) == ["initial", "needs", "proposal"]


async def test_a_wider_terminal_shows_every_stage_and_a_narrower_one_keeps_the_cursor_in_sight(book) -> None:
    app = build_app(book)
    async with app.run_test(size=(200, 60)) as pilot:
        board = await _open_board(pilot)
        assert len(_shown(board)) == 7 and not board.query_one("#board-nav").display
        for _ in range(5):
            await pilot.press("right")
        assert _focused_stage(board) == "won"
        await pilot.resize_terminal(80, 24)
        await _until(pilot, lambda: len(_shown(board)) == 3)
        assert _focused_stage(board) == "won" and "won" in _shown(board)
        assert board.current_card().customer_name == "Umbrella Foods"


async def test_a_deal_moved_past_the_window_is_followed_there(book) -> None:
    app = build_app(book)
    async with app.run_test(size=(100, 30)) as pilot:
        board = await _open_board(pilot)
        for _ in range(3):
            await pilot.press("right")
        assert _focused_stage(board) == "quote" and _shown(board) == ["initial", "needs", "proposal", "quote"]
        await pilot.press("shift+right")  # Quote -> Negotiation: no gate
        await _until(pilot, lambda: "negotiation" in _shown(board))
        assert _focused_stage(board) == "negotiation" and _shown(board) == ["needs", "proposal", "quote", "negotiation"]
        assert board.current_card().customer_name == "上海明远贸易有限公司"


async def test_won_and_lost_say_the_period_they_cover(book) -> None:
    columns = {column.stage.key: column for column in board(book)}
    assert [card.customer_name for card in columns["won"].cards] == ["Umbrella Foods"]  # not Old Win Ltd, 40 d ago
    app = build_app(book)
    async with app.run_test(size=(100, 30)) as pilot:
        board_screen = await _open_board(pilot)
        for _ in range(6):
            await pilot.press("right")
        await pilot.pause()
        assert _shown(board_screen) == ["quote", "negotiation", "won", "lost"]
        heads = _lines(app)[2:5]
        assert heads[2].count("last 30 days") == 2, heads  # under Won and under Lost, not under the open stages
        assert str(board_screen.query_one("#head-quote").render()).splitlines()[-1].startswith("≈ ")


def test_the_board_says_how_long_ago_an_open_deals_close_date_passed(book) -> None:
    columns = {column.stage.key: column for column in board(book)}
    (quote,) = columns["quote"].cards
    assert quote.days_past_close == 14
    assert all(card.days_past_close == 0 for key in ("initial", "won") for card in columns[key].cards)
    (globex,) = columns["proposal"].cards
    assert globex.stalled and not globex.no_next_step


def _style_at(app, text: str, offset: int):
    """The style of the cell `offset` cells from where `text` starts on the screen."""
    for strip in app.screen._compositor.render_strips():
        line = strip.text
        if text in line:
            x = cell_len(line[:line.index(text)]) + offset
            position = 0
            for segment in strip:
                if position <= x < position + segment.cell_length:
                    return segment.style
                position += segment.cell_length
    raise AssertionError(f"{text!r} is not on the screen")


def _colour(app, variable: str) -> str:
    return Color.parse(app.theme_variables[variable]).hex


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_cards_carry_their_stage_colour_their_urgency_and_a_distinct_cursor(book, monkeypatch, theme) -> None:
    monkeypatch.delenv("NO_COLOR")  # the colours themselves are under test
    app = build_app(book)
    async with app.run_test(size=(200, 60)) as pilot:
        app.theme = theme
        board_screen = await _open_board(pilot)
        await pilot.pause()

        def edge(name: str) -> str:
            return Color.from_rich_color(_style_at(app, name, -2).bgcolor).hex

        assert edge("Umbrella Foods") == _colour(app, "success")
        assert edge(CHINESE) == _colour(app, "secondary") and edge("Initech") == _colour(app, "primary")
        assert edge("Wonka Foods") not in {edge("Umbrella Foods"), edge("Initech"), edge(CHINESE)}
        overdue = Color.from_rich_color(_style_at(app, "close overdue 14 d", 0).color).hex
        assert overdue == _colour(app, "text-error")
        stalled = Color.from_rich_color(_style_at(app, "! 20 d", 0).color).hex
        assert stalled == _colour(app, "text-warning")

        def background(name: str) -> str:
            return Color.from_rich_color(_style_at(app, name, 0).bgcolor).hex

        assert board_screen.current_card().customer_name == CHINESE  # the cursor, in the focused column
        await pilot.press("right")
        await pilot.pause()
        cursor, resting = background("Acme Analytics"), background("Initech")
        assert cursor != resting
        assert background(CHINESE) not in {cursor, resting}  # the column left keeps a quieter mark of its card
        strips = app.screen._compositor.render_strips()
        row = next(index for index, strip in enumerate(strips) if "Initech" in strip.text)
        x = cell_len(strips[row].text[:strips[row].text.index("Initech")])

        def background_at(y: int) -> str:
            return Color.from_rich_color(next(iter(strips[y].crop(x, x + 1))).style.bgcolor).hex

        # A card is a block: name, deal, amount; then a row of the column's own background before the next one.
        assert "─" in strips[row + 3].text
        assert background_at(row + 3) != background_at(row) == resting


@pytest.mark.parametrize(("name", "width", "lines"), [
    ("合肥宏图医疗器械有限公司", 23, ["合肥宏图医疗器械", "有限公司"]),  # 24 cells: not "…有限公" and a lone "司"
    ("天津万联医疗器械股份有限公司", 21, ["天津万联医疗器械", "股份有限公司"]),
    ("一二三四五六七八九十一", 20, ["一二三四五", "六七八九十一"]),  # no company form: halves by cells
    ("Umbrella Analytics Holdings Ltd", 20, ["Umbrella Analytics", "Holdings Ltd"]),
])
def test_a_name_too_long_for_one_line_breaks_where_a_reader_would(name, width, lines) -> None:
    from crmtui.tui.screens.pipeline import wrap_cells

    wrapped = wrap_cells(name, width, 2)
    assert [line.rstrip() for line in wrapped] == lines
    assert all(cell_len(line) == width for line in wrapped)
