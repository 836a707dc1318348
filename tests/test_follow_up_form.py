"""The follow-up form in the app: whom the rep spoke to and which deal (preselected when only one), the title
with a long name, and correcting the last follow-up from the customer screen (`L`)."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, Select

from crmtui.services.customers import add_contact, add_customer, customer_detail
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up
from crmtui.store.raw import from_db
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.follow_up import FollowUpForm
from crmtui.tui.screens.customer import CustomerScreen
from tests.pilot import until

from .conftest import NOW


SIZE = (100, 30)


async def _type(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    for character in text:
        await pilot.press(character)


async def _customer_screen(app, pilot, customer_id: str) -> CustomerScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: app.screen.__class__.__name__ == "TodayScreen")
    app.open_customer(customer_id)
    await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
    return app.screen


def _timeline(screen: CustomerScreen) -> str:
    return str(screen.query_one("#timeline-text").render())


async def test_the_only_contact_and_open_deal_are_preselected_saved_and_shown(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    zhang = add_contact(ctx, acme.id, "Zhang San", title="CTO")
    erp = add_deal(ctx, acme.id, "ERP upgrade")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _customer_screen(app, pilot, acme.id)
        await pilot.press("l", "1", "y")
        await until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        form = app.screen
        assert (form.query_one("#contact", Select).value, form.query_one("#deal", Select).value) == (zhang.id, erp.id)
        for text in ("demo", "went well", "send quote"):
            await _type(pilot, text)
            await pilot.press("tab")
        await _type(pilot, "fri 3pm")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen and "went well" in _timeline(screen))
        assert "with Zhang San · about ERP upgrade" in _timeline(screen)
    (saved,) = customer_detail(ctx, acme.id).follow_ups
    assert (saved.contact_id, saved.deal_id) == (zhang.id, erp.id)


async def test_several_contacts_are_offered_none_preselected_and_one_is_picked(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    add_contact(ctx, acme.id, "Zhang San")
    li = add_contact(ctx, acme.id, "Li Si")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(app, pilot, acme.id)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        form = app.screen
        contact = form.query_one("#contact", Select)
        assert contact.value == Select.NULL and form.query_one("#deal", Select).disabled  # no deal to offer
        await pilot.press("tab")  # from the channel picker to the contacts
        assert form.focused is contact
        await pilot.press("enter")
        await until(pilot, lambda: contact.expanded)
        await pilot.press("down", "enter")  # from the blank to the first listed by name: Li Si
        await until(pilot, lambda: not contact.expanded)
        assert contact.value == li.id


async def test_a_long_name_stays_in_the_forms_title(ctx) -> None:  # type: ignore[no-untyped-def]
    name = "上海浦东新区张江高科技园区国际医疗器械贸易发展股份有限公司华东大区"
    customer = add_customer(ctx, name)
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await _customer_screen(app, pilot, customer.id)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        title = app.screen.query_one("#follow-up-title")
        lines = [str(strip.text) for strip in [title.render_line(0)]]
        shown = lines[0]
        assert "上海浦东新区张江" in shown and shown.rstrip().endswith("…")
        assert not app.screen.query_one("#about-row").display  # no contact nor deal: no empty pickers


async def test_the_last_follow_up_is_corrected_from_the_customer_screen(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    add_deal(ctx, acme.id, "ERP upgrade")
    wrong = log_follow_up(ctx, acme.id, channel="phone", goal="demo", goal_met=True, notes="went badly",
                          next_plan="send quote", next_at="in 3 days")
    frozen.move_to(NOW + timedelta(hours=2))
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _customer_screen(app, pilot, acme.id)
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        form = app.screen
        assert form.query_one("#goal", Input).value == "demo"  # filled with the last follow-up
        notes = form.query_one("#notes")
        notes.text = "went well"
        next_date = form.query_one("#next", Input)
        next_date.value = "in 7 days"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen and "went well" in _timeline(screen))
        timeline = _timeline(screen)
        assert "(corrected)" in timeline and "went badly" not in timeline
    (fixed,) = customer_detail(ctx, acme.id).follow_ups
    assert fixed.corrects_id == wrong.id
    with ctx.db.raw_read() as connection:
        next_at = connection.execute("SELECT next_follow_up_at FROM customer WHERE id = ?", (acme.id,)).fetchone()[0]
    assert from_db(next_at) == fixed.next_at != wrong.next_at


async def test_focusing_a_filled_sentence_puts_the_cursor_at_its_end_so_typing_corrects_it(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    log_follow_up(ctx, acme.id, channel="phone", goal="confirm budget", goal_met=True, notes="n",
                  next_plan="send quote", next_at="in 3 days")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(app, pilot, acme.id)
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        form = app.screen
        for field_id, added in (("goal", "s"), ("next-plan", "s")):
            field = form.query_one(f"#{field_id}", Input)
            field.focus()
            await pilot.pause()
            await pilot.press(added)
            assert field.value in ("confirm budgets", "send quotes"), field.value  # appended, not replaced


async def test_a_follow_up_too_old_to_correct_is_refused_with_the_reason(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme Health")
    log_follow_up(ctx, acme.id, channel="phone", goal="demo", goal_met=True, notes="n", next_plan="p",
                  next_at="in 3 days")
    frozen.move_to(NOW + timedelta(days=2))
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _customer_screen(app, pilot, acme.id)
        await pilot.press("L")
        await until(pilot, lambda: any("within 24 hours" in str(n.message) for n in app._notifications))
        assert app.screen is screen
