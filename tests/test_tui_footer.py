"""The footer as the terminal shows it, at 80 and 100 columns, in English and in Chinese: every key it shows is
whole (no wide character cut in half), Help and Quit are always there, and nothing runs past the edge."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets._footer import FooterKey

from crmtui.core import i18n
from crmtui.core.clock import Clock
from crmtui.core.config import Settings
from crmtui.services.context import Context, open_context
from crmtui.services.customers import add_contact, add_customer
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up
from crmtui.tui.app import build_app
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.screens.pipeline import PipelineScreen
from crmtui.tui.screens.today import TodayScreen
from crmtui.tui.widgets.status_footer import StatusFooter
from tests.pilot import until

from .conftest import NOW, ZONE

_until = partial(until, workers=True)

HELP_AND_QUIT = {"en": ("? Help", "q Quit"), "zh": ("? 帮助", "q 退出")}


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


@pytest.fixture
def book(home: Path, language: str, frozen) -> Iterator[tuple[Context, str]]:
    """A customer with a contact and an open deal, overdue, so every screen offers its keys."""
    ctx = open_context(home / "data" / "crm.db", settings=Settings(timezone="Asia/Shanghai", language=language),
                       clock=Clock(ZONE))
    frozen.move_to(NOW - timedelta(days=5))
    customer = add_customer(ctx, "华信科技有限公司", phone="13800138000")
    add_contact(ctx, customer.id, "王建华", title="采购经理")
    add_deal(ctx, customer.id, "CRM seats", amount="50000")
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at="in 2 days")
    frozen.move_to(NOW)
    yield ctx, customer.id
    ctx.close()


def _footer_line(app) -> str:
    """The footer's line as the screen shows it, composited (so a key drawn over another shows as it is seen)."""
    return app.screen._compositor.render_strips()[-1].text  # the composited frame, as a terminal gets it


def _shown_keys(app) -> list[FooterKey]:
    return list(app.screen.query_one(StatusFooter).query(FooterKey))


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@pytest.mark.parametrize("screen", ["today", "customer", "pipeline"])
async def test_the_footer_shows_whole_keys_with_help_and_quit(book, language, size, screen) -> None:
    ctx, customer_id = book
    app = build_app(ctx)
    async with app.run_test(size=size) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, TodayScreen) and _shown_keys(app))
        if screen == "customer":
            app.open_customer(customer_id)
            await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and _shown_keys(app))
        elif screen == "pipeline":
            await pilot.press("p")
            await _until(pilot, lambda: isinstance(app.screen, PipelineScreen) and _shown_keys(app))
        await _until(pilot, lambda: all(key.region.width for key in _shown_keys(app)))
        line = _footer_line(app)
        keys = _shown_keys(app)

        assert cell_len(line) == size[0]
        palette = [key for key in keys if key.has_class("-command-palette")]
        assert palette and f"{palette[0].key_display} {palette[0].description}" in line
        for key in keys:  # each key it shows is readable whole, where it is laid out
            assert f"{key.key_display} {key.description}" in line, (key.description, line)
            assert key.region.right <= size[0]
        for text in HELP_AND_QUIT[language]:
            assert text in line, line
        beside_palette = [key for key in keys if key is not palette[0]]
        assert max(key.region.right for key in beside_palette) <= palette[0].region.x  # nothing runs under it


async def test_a_narrower_terminal_chooses_the_keys_again(book, language) -> None:
    ctx, customer_id = book
    app = build_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        app.open_customer(customer_id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and _shown_keys(app))
        wide = len(_shown_keys(app))
        await pilot.resize_terminal(80, 24)
        await _until(pilot, lambda: len(_shown_keys(app)) < wide and cell_len(_footer_line(app)) == 80)
        line = _footer_line(app)
        for text in HELP_AND_QUIT[language]:
            assert text in line, line
        for key in _shown_keys(app):
            assert f"{key.key_display} {key.description}" in line, (key.description, line)
