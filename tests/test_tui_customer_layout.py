"""The customer screen laid out for the terminal it is in: a contact's job title, a deal's stage and the
decision-maker flag whole at 80x24 and 100x30 in English and Chinese, the columns on the same cells whatever the
script of the text before them, the less wanted columns giving way first, and only the theme's colours."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from rich.cells import cell_len
from textual.content import Content
from textual.widgets import OptionList, Static

from crmtui.core import i18n
from crmtui.services.customers import add_contact, add_customer
from crmtui.services.deals import PaymentPlan, add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.tui.app import build_app
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.widgets.columns import NARROWEST, column_widths, columns
from tests.pilot import until

from .conftest import NOW

_until = partial(until, workers=True)

TITLE = "Head of Procurement"
TITLE_ZH = "华东区采购部经理"
EMAIL = "daniel.williams@example.com"
FLAG = {"en": "★ decision maker", "zh": "★ 决策人"}
STAGE = {"en": "Needs confirmed", "zh": "需求确认"}
DAYS = {"en": "12 d in stage", "zh": "本阶段 12 天"}


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest):
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


@pytest.fixture
def aperture(ctx, frozen):
    """A customer with a decision maker whose job title is long, a contact named and titled in Chinese, a deal
    12 days in Needs confirmed and another one won, with an instalment."""
    frozen.move_to(NOW - timedelta(days=12))
    customer = add_customer(ctx, "Aperture Health", phone="18201582661")
    add_contact(ctx, customer.id, "Daniel Williams", title=TITLE, phone="13914740597", email=EMAIL,
                decision_maker=True, birthday="1980-03-12")
    add_contact(ctx, customer.id, "欧阳娜娜", title=TITLE_ZH, phone="13114759231")
    add_deal(ctx, customer.id, "Data platform", amount="270000", stage="needs")
    won = add_deal(ctx, customer.id, "年度维保", amount="95000")
    move_stage(ctx, won.id, "quote", amount="95000")
    move_stage(ctx, won.id, "won", contract_no="HT-2026-001", signed="today",
               payments=[PaymentPlan("95000", "2026-11-20")])
    log_follow_up(ctx, customer.id, channel="phone", goal="Product demo", goal_met=True, notes="went well",
                  next_plan="Send the draft contract", next_at="in 20 days")
    frozen.move_to(NOW)
    return customer


async def _open(app, pilot, customer_id: str) -> CustomerScreen:
    app.open_customer(customer_id)
    await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
    await pilot.pause()
    return app.screen


def _shown(screen: CustomerScreen, selector: str) -> list[str]:
    """The lines of a list as the terminal shows them (inside the list's padding, trailing blanks dropped)."""
    listing = screen.query_one(selector, OptionList)
    return [listing.render_line(y).text.rstrip() for y in range(listing.option_count)]


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_titles_stages_and_the_decision_maker_flag_are_whole(ctx, aperture, language, size):
    app = build_app(ctx)
    async with app.run_test(size=size) as pilot:
        screen = await _open(app, pilot, aperture.id)
        daniel, ouyang = _shown(screen, "#contacts")
        assert "Daniel Williams" in daniel and TITLE in daniel and FLAG[language] in daniel
        assert "13914740597" in daniel
        assert "欧阳娜娜" in ouyang and TITLE_ZH in ouyang
        deals = _shown(screen, "#deals")
        needs = next(line for line in deals if "Data platform" in line)
        assert STAGE[language] in needs and DAYS[language] in needs and "270,000" in needs
        assert not [line for line in [daniel, ouyang, *deals] if "…" in line]


async def test_the_columns_start_on_the_same_cells_whatever_the_script(ctx, aperture, language):
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(app, pilot, aperture.id)
        daniel, ouyang = _shown(screen, "#contacts")
        assert cell_len(daniel[:daniel.index(TITLE)]) == cell_len(ouyang[:ouyang.index(TITLE_ZH)])
        assert cell_len(daniel[:daniel.index("139")]) == cell_len(ouyang[:ouyang.index("131")])
        deals = _shown(screen, "#deals")
        ends = [cell_len(line[:line.index(amount) + len(amount)]) for line, amount in zip(
            sorted(deals, key=lambda line: "Data platform" not in line), ("270,000", "95,000"), strict=True)]
        assert ends[0] == ends[1]  # amounts right-aligned on the same cell after an English and a Chinese title


async def test_the_email_gives_way_at_80_columns_and_comes_back_at_100(ctx, aperture):
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(app, pilot, aperture.id)
        assert EMAIL in _shown(screen, "#contacts")[0]
        await pilot.resize_terminal(80, 24)
        await _until(pilot, lambda: EMAIL not in _shown(screen, "#contacts")[0])
        daniel = _shown(screen, "#contacts")[0]
        assert TITLE in daniel and FLAG["en"] in daniel and "…" not in daniel
        await pilot.resize_terminal(100, 30)
        await _until(pilot, lambda: EMAIL in _shown(screen, "#contacts")[0])


def _styles(content: Content) -> set[str]:
    return {str(span.style) for span in content.spans}


async def test_the_lines_are_coloured_with_the_theme_only(ctx, aperture):
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(app, pilot, aperture.id)
        prompts = [option.prompt for selector in ("#contacts", "#deals", "#payments")
                   for option in screen.query_one(selector, OptionList).options]
        timeline = screen.query_one("#timeline-text", Static).render()
        assert all(isinstance(prompt, Content) for prompt in [*prompts, timeline])
        styles = set().union(*(_styles(prompt) for prompt in [*prompts, timeline]))
        words = {word for style in styles for word in style.split()}
        colours = {word for word in words if word not in ("bold", "italic", "not")}
        # the flag, the stage, the days, the instalment's state, met or not, the next plan: all themed
        assert colours and all(word.startswith("$") for word in colours), colours


def test_optional_columns_go_first_and_come_back_when_they_fit():
    lines = [("Daniel Williams", TITLE, "13914740597", EMAIL, "12 Mar 1980", FLAG["en"])]
    whole = [15, 19, 11, 27, 11, 16]
    assert column_widths(lines, 200, optional=(4, 3), cut=(0, 1)) == whole
    # 98 cells: the birthday goes, and then the email fits
    assert column_widths(lines, 98, optional=(4, 3), cut=(0, 1)) == [15, 19, 11, 27, 0, 16]
    # 78 cells: both go, and the birthday, the less wanted, is not taken back (it would need 13 of 11)
    assert column_widths(lines, 78, optional=(4, 3), cut=(0, 1)) == [15, 19, 11, 0, 0, 16]
    # 80 cells: with both gone there is room for the birthday again
    assert column_widths(lines, 80, optional=(4, 3), cut=(0, 1)) == [15, 19, 11, 0, 11, 16]


def test_cut_columns_keep_the_narrowest_and_the_others_stay_whole():
    lines = [("A very long deal title indeed", STAGE["en"], DAYS["en"], "270,000", "")]
    widths = column_widths(lines, 50, cut=(0,))
    assert widths[1:] == [15, 13, 7, 0] and widths[0] == 50 - 15 - 13 - 7 - 3 * 2
    assert column_widths(lines, 20, cut=(0,))[0] == NARROWEST  # never narrower, whatever the line
    line = columns(lines[0], column_widths(lines, 50, cut=(0,)), ("bold", "", "", "", ""))
    assert line.plain.startswith("A very l…") and line.plain.endswith("270,000")


def test_widths_are_display_cells_and_blanks_are_spans_of_their_own():
    lines = [("欧阳娜娜", "x"), ("Ann", "y")]
    widths = column_widths(lines, 80)
    assert widths == [8, 1]
    first, second = (columns(line, widths, ("bold", "")) for line in lines)
    assert cell_len(first.plain[:first.plain.index("x")]) == cell_len(second.plain[:second.plain.index("y")]) == 10
    # a picture of the screen (SVG) drops the blanks a span starts with: no span holding text starts with one
    assert not [second.plain[s.start:s.end] for s in second.spans
                if second.plain[s.start:s.end].startswith(" ") and second.plain[s.start:s.end].strip()]
