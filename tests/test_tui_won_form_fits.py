"""The Won form on a small terminal: with a long revisit plan it is taller than 80x24, and it scrolls so the rep
reaches every field and the keys' hint (it was cut off at the bottom, the last field out of reach)."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from crmtui.core import i18n
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.stage import GateForm
from tests.pilot import until

PLAN = "3 电话 确认交付; 4 电话 周末测试; 30 拜访 检查使用情况; 60 拜访 检查安装; 90 会议 回顾"
"""Five revisits, day 4 a Saturday (signed Tue 24 Nov): its preview line carries the weekend note."""


async def test_a_long_plan_at_80x24_scrolls_to_the_hint(ctx) -> None:  # type: ignore[no-untyped-def]
    i18n.set_language("zh")
    try:
        acme = add_customer(ctx, "合肥智联医疗设备有限公司")
        add_deal(ctx, acme.id, "年度维保合同", amount="120000")
        app = build_app(ctx)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.screen.__class__.__name__ == "TodayScreen")
            app.open_customer(acme.id)
            await until(pilot, lambda: app.screen.__class__.__name__ == "CustomerScreen")
            await pilot.press("s", "6")
            await until(pilot, lambda: isinstance(app.screen, GateForm))
            form = app.screen
            form.query_one("#contract_no", Input).value = "HT-001"
            plan = form.query_one("#revisits", Input)
            plan.value = PLAN
            body = form.query_one(".gate-form", VerticalScroll)
            await until(pilot, lambda: "周末" in str(form.query_one("#revisit-plan", Static).render())
                        and body.max_scroll_y > 0)  # taller than the terminal: this is the case
            plan.focus()
            await until(pilot, lambda: 0 <= plan.region.y < 24 and plan.region.height == 1)
            body.scroll_end(animate=False)
            hint = form.query_one(".hint", Static)
            await until(pilot, lambda: hint.region.height > 0 and hint.region.bottom <= 24)
    finally:
        i18n.set_language("en")
