"""Today laid out for the terminal it is in: every reason whole at 80x24 and 100x30, the columns on the same cells
whatever the script of the text before them, the header's counts kept when narrow, a key to jump from section to
section, urgency in the theme's colours, and a quiet day that shows the week ahead."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from rich.cells import cell_len
from textual.color import Color
from textual.content import Content

from crmtui.services.customers import add_customer, add_lead
from crmtui.services.deals import PaymentPlan, add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.tui.app import build_app
from crmtui.tui.screens.today import AgendaList, TodayScreen, lay_out

from .conftest import NOW
from .test_tui import _settle

STALLED = "stalled 25 d in Negotiation"
PAYMENT = "payment overdue 14 d (HT-2026-001)"


def _customer(ctx, name: str, next_at: str, plan: str, amount: str | None = None):
    customer = add_customer(ctx, name)
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan=plan,
                  next_at=next_at)
    if amount:
        add_deal(ctx, customer.id, "Seats", amount=amount)
    return customer


@pytest.fixture
def busy(ctx, frozen):
    """Tue 24 Nov: two overdue (an English plan and a Chinese one), one due, a deal stalled 25 days in
    Negotiation, an instalment 14 days overdue and a lead nobody has called."""
    frozen.move_to(NOW - timedelta(days=40))
    paying = add_customer(ctx, "Pay Late Trading")
    deal = add_deal(ctx, paying.id, "Licence", amount="36000")
    move_stage(ctx, deal.id, "quote", amount="36000")
    move_stage(ctx, deal.id, "won", contract_no="HT-2026-001", signed="today",
               payments=[PaymentPlan("36000", "2026-11-10")])
    log_follow_up(ctx, paying.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="chase",
                  next_at="in 60 days")
    frozen.move_to(NOW - timedelta(days=25))
    stuck = _customer(ctx, "武汉瑞达医疗器械有限公司", "in 40 days", "发送修改后的报价")
    deal = add_deal(ctx, stuck.id, "Platform", amount="370000")
    move_stage(ctx, deal.id, "quote", amount="370000")
    move_stage(ctx, deal.id, "negotiation")
    frozen.move_to(NOW - timedelta(days=5))
    _customer(ctx, "Blue Sky Foods", "in 2 days", "Check on the payment", "75000")
    _customer(ctx, "广州云帆贸易有限公司", "in 2 days", "确认付款进度", "85000")
    frozen.move_to(NOW - timedelta(hours=30))
    add_lead(ctx, "New Lead Co")
    frozen.move_to(NOW)
    _customer(ctx, "Today Ltd", "15:00", "Send the contract")


def _rows(screen: TodayScreen) -> dict[str, Content]:
    """Each row's prompt by the customer it lists (the first row of each)."""
    listing = screen.query_one("#agenda", AgendaList)
    prompts: dict[str, Content] = {}
    for key, item in screen.items.items():
        prompts.setdefault(item.customer_name, listing.get_option(key).prompt)
    return prompts


def _span_cells(prompt: Content, text: str) -> int:
    """The cell where the span that holds exactly `text` starts (fails when no span holds it alone)."""
    for span in prompt.spans:
        if prompt.plain[span.start:span.end] == text:
            return cell_len(prompt.plain[:span.start])
    raise AssertionError(f"no span of its own for {text!r} in {prompt.plain!r}")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_reason_is_whole_and_rows_use_the_whole_width(ctx, busy, size):
    app = build_app(ctx)
    async with app.run_test(size=size) as pilot:
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        listing = screen.query_one("#agenda", AgendaList)
        rows = _rows(screen)
        assert STALLED in rows["武汉瑞达医疗器械有限公司"].plain
        assert PAYMENT in rows["Pay Late Trading"].plain
        assert "added 30 h ago, not contacted yet" in rows["New Lead Co"].plain
        assert "→ Check on the payment" in rows["Blue Sky Foods"].plain  # an overdue row keeps its plan whole
        assert rows["广州云帆贸易有限公司"].plain.startswith(" 广州云帆贸易有限公司 ")  # a 20-cell name whole
        width = listing.scrollable_content_region.width
        assert {cell_len(row.plain) for row in rows.values() if "," in row.plain} == {width}  # amounts at the edge


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_amount_sits_on_the_same_cells_after_an_english_or_a_chinese_plan(ctx, busy, size):
    app = build_app(ctx)
    async with app.run_test(size=size) as pilot:
        await _settle(pilot)
        rows = _rows(app.screen)
        english, chinese = rows["Blue Sky Foods"], rows["广州云帆贸易有限公司"]
        assert _span_cells(english, "75,000") == _span_cells(chinese, "85,000")
        # In a picture of the screen each amount is a text of its own, placed by its cell, not after the plan.
        svg = app.export_screenshot()
        places = {amount: re.findall(rf'<text[^>]* x="([\d.]+)"[^>]*>{amount}</text>', svg)
                  for amount in ("75,000", "85,000")}
        assert places["75,000"] and places["75,000"] == places["85,000"]


async def test_a_resize_lays_the_rows_out_again(ctx, busy):
    app = build_app(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await _settle(pilot)
        listing = app.screen.query_one("#agenda", AgendaList)
        wide = {cell_len(row.plain) for row in _rows(app.screen).values() if "," in row.plain}
        await pilot.resize_terminal(80, 24)
        await _settle(pilot)
        narrow = {cell_len(row.plain) for row in _rows(app.screen).values() if "," in row.plain}
        assert wide == {118} and narrow == {listing.scrollable_content_region.width} == {78}
        assert STALLED in _rows(app.screen)["武汉瑞达医疗器械有限公司"].plain


@pytest.mark.parametrize("size, counts", [
    ((80, 24), "overdue 2 · due today 1 · stalled 1 · new leads 1"),
    ((120, 30), "Overdue 2  Due today 1  High intent, stalled 1  New leads to call now 1"),
])
async def test_the_header_keeps_every_count_with_shorter_words_when_narrow(ctx, busy, size, counts):
    app = build_app(ctx)
    async with app.run_test(size=size) as pilot:
        await _settle(pilot)
        title = str(app.screen.query_one("#today-title").render())
        assert title == "Today · Tue 24 Nov   " + counts


async def test_tab_jumps_to_the_next_section_and_shift_tab_back(ctx, busy):
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        listing = app.screen.query_one("#agenda", AgendaList)

        def section() -> str:
            option = listing.highlighted_option
            assert option is not None and option.id is not None and not option.disabled
            assert option.id.endswith("|0")  # the first row of its section
            return option.id.split("|")[0]

        assert listing.highlighted_option.id == "overdue|0"
        visited = []
        for _ in range(5):
            await pilot.press("tab")
            visited.append(section())
        assert visited == ["due", "stalled", "new_leads", "payments", "overdue"]  # round the end
        await pilot.press("shift+tab")
        assert section() == "payments"
        await pilot.press("shift+tab")
        assert section() == "new_leads"
        await pilot.press("tab", "tab", "down")
        assert listing.highlighted_option.id == "overdue|1"
        await pilot.press("shift+tab")  # from inside a section: the one before it (round the start)
        assert section() == "payments"
        await pilot.press("tab", "tab", "tab")
        assert section() == "stalled"
        assert listing.scroll_offset.y <= listing.get_option_index("section|stalled")  # its header in view


async def test_the_section_keys_are_bound_with_a_tooltip(ctx, busy):
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        active = {key: shown.binding for key, shown in app.screen.active_bindings.items()}
        assert (active["tab"].id, active["shift+tab"].id) == ("next-section", "previous-section")
        assert active["tab"].tooltip == "Jump to the first row of the next section"
        assert active["shift+tab"].description == "Previous section"


async def test_urgency_has_a_colour_of_the_theme_and_headers_a_band(ctx, busy):
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        rows = _rows(app.screen)
        variables = app.get_css_variables()

        def colour(name: str, reason: str) -> Color:
            prompt = rows[name]
            (span,) = [s for s in prompt.spans if prompt.plain[s.start:s.end].strip() == reason]
            return span.style.foreground

        seen = {
            "text-error": colour("Blue Sky Foods", "overdue 3 d"),
            "text-warning": colour("Today Ltd", "due today 15:00"),
            "text-primary": colour("武汉瑞达医疗器械有限公司", STALLED),
            "text-success": colour("New Lead Co", "added 30 h ago, not contacted yet"),
        }
        assert {name: shade.hex for name, shade in seen.items()} == {
            name: Color.parse(variables[name]).hex for name in seen}
        assert colour("Pay Late Trading", PAYMENT).hex == Color.parse(variables["text-error"]).hex  # past due
        listing = app.screen.query_one("#agenda", AgendaList)
        header = listing.get_option("section|overdue")
        assert header.disabled and header.prompt.plain.startswith("Overdue (2)")
        styles = [span.style for span in header.prompt.spans]
        assert any(s.bold for s in styles) and any(s.background.a > 0 for s in styles)
        assert all(span.style.background is None or span.style.background.a == 0
                   for span in rows["Blue Sky Foods"].spans)  # rows have no band


async def test_a_quiet_day_shows_the_week_ahead(ctx):
    _customer(ctx, "Tomorrow Ltd", "tomorrow 10:00", "send the quote")
    _customer(ctx, "Friday Ltd", "fri 15:00", "call back")
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = app.screen
        listing = screen.query_one("#agenda", AgendaList)
        prompts = [option.prompt.plain.rstrip() for option in listing.options]
        assert prompts[:2] == ["Nothing due today.", "Coming up in the next 7 days (2)"]
        assert "tomorrow 10:00" in prompts[2] and "→ send the quote" in prompts[2]
        assert "Fri 27 Nov 15:00" in prompts[3]
        item = screen.current_item()
        assert item is not None and item.customer_name == "Tomorrow Ltd"
        await pilot.press("l")  # a follow-up can be logged ahead of its day
        await pilot.pause()
        assert type(app.screen).__name__ == "FollowUpForm"


def test_the_plan_is_cut_before_the_reason_and_the_name_last():
    sections = {"stalled": (27, 25), "overdue": (12, 23)}
    names = ["武汉瑞达医疗器械有限公司"]  # 24 cells
    wide = lay_out(118, names, ["370,000"], sections)
    assert wide["stalled"].name == 24 and wide["stalled"].reason == 27 and wide["stalled"].plan >= 25
    narrow = lay_out(77, names, ["370,000"], sections)
    assert narrow["stalled"].name == 20  # the name gives up its tail first, down to 20 cells
    assert narrow["stalled"].reason == 27 and 10 <= narrow["stalled"].plan < 25  # then the plan is cut
    assert narrow["overdue"].plan >= 23  # a section with short reasons keeps its plans whole
    tiny = lay_out(60, names, ["370,000"], sections)
    assert tiny["stalled"].plan == 0 and tiny["stalled"].reason >= 27 and tiny["stalled"].name == 20
    tinier = lay_out(40, names, ["370,000"], sections)
    assert tinier["stalled"].reason >= 12 and tinier["stalled"].name < 20  # the name is cut last


async def test_a_new_theme_paints_the_rows_in_its_own_colours(ctx, busy):
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)

        def overdue_colour() -> str:
            prompt = _rows(app.screen)["Blue Sky Foods"]
            (span,) = [s for s in prompt.spans if prompt.plain[s.start:s.end].strip() == "overdue 3 d"]
            return span.style.foreground.hex

        dark = overdue_colour()
        assert dark == Color.parse(app.get_css_variables()["text-error"]).hex
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await _settle(pilot)
        assert overdue_colour() == Color.parse(app.get_css_variables()["text-error"]).hex != dark
