"""Today with the sections of the work after the sale, at 100x30 in English and in Chinese, on a small book made
here (the suite's frozen clock, Tue 2026-11-24 10:00 Shanghai): a service request 5 hours late, a revisit 3 days
late, a tier A customer 20 days without a contact (past its 14), a service visit in 6 days, a warranty ending in
30 days, and New Year's Day in 38 days with the tier A customer to greet (holiday_days set to 40 for it).

Review a changed snapshot before accepting it: `pytest tests/test_snapshots_agenda_after_sales.py
--snapshot-update`, then read the pictures' text.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.widgets import OptionList

from crmtui.core import i18n
from crmtui.core.clock import Clock
from crmtui.core.config import AgendaSettings, Settings
from crmtui.services.context import open_context
from crmtui.tui.app import build_app
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.screens.today import TodayScreen
from tests.pilot import until

from .conftest import NOW, ZONE
from .test_agenda_after_sales import _at, _customer, _revisit, _ticket

SIZE = (100, 30)
DAY = date(2026, 11, 24)


def _book(ctx) -> None:
    acme = _customer(ctx, "Acme 设备")
    _ticket(ctx, acme, "T-1", NOW - timedelta(hours=5), priority="urgent", title="Pump leaks")
    _revisit(ctx, _customer(ctx, "Beta"), "2026-11-21", "Satisfaction call")  # Sat 21 -> Tue 24: 3 days
    _customer(ctx, "Cobalt 科技", tier="A", last=_at(DAY - timedelta(days=20)))
    _customer(ctx, "Delta", service_months=6, service_from=date(2026, 5, 31))  # 30 Nov: 6 days
    _customer(ctx, "Echo", warranty_until=date(2026, 12, 24))  # 30 days
    # 24 Nov -> 1 Jan: 6 days left in November, 31 in December, and the 1st: 38 days.


@pytest.fixture(params=["en", "zh"])
def book_app(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    language = request.param
    monkeypatch.delenv("NO_COLOR")  # the pictures are reviewed in the theme's colours, as a rep sees them
    i18n.set_language(language)
    settings = Settings(timezone="Asia/Shanghai", language=language,
                        agenda=replace(AgendaSettings(), holidays=(("元旦", ""),), holiday_days=40))
    ctx = open_context(tmp_path / "crm.db", settings=settings, clock=Clock(ZONE))
    _book(ctx)
    yield build_app(ctx)
    ctx.close()
    i18n.set_language("en")


def _loaded(app) -> bool:  # type: ignore[no-untyped-def]
    return isinstance(app.screen, TodayScreen) and app.screen.agenda is not None and bool(app.screen.items)


def test_today_shows_the_work_after_the_sale(snap_compare, book_app):
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await until(pilot, lambda: _loaded(pilot.app), workers=True)
        await pilot.pause()

    assert snap_compare(book_app, terminal_size=SIZE, run_before=run)


async def test_the_sections_come_in_order_and_enter_opens_the_customer(book_app, memory_keyring):
    app = book_app
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: _loaded(app), workers=True)
        screen = app.screen
        headers = [option.id for option in screen.query_one("#agenda", OptionList).options
                   if option.id and option.id.startswith("section|")]
        assert headers == ["section|tickets", "section|revisits", "section|touch", "section|service",
                           "section|holidays"]
        assert [item.customer_name for item in screen.items.values()] == [
            "Acme 设备", "Beta", "Cobalt 科技", "Delta", "Echo", "Cobalt 科技"]
        await pilot.press("tab")  # the first row of the next section: Beta's revisit
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
        assert app.screen.view.name == "Beta"  # type: ignore[attr-defined]
