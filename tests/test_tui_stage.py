"""Moving a deal in the app (pilot): the stage picker marks the current stage and will not take it, the gate forms
start with what the deal already knows (its amount, today), name missing fields by their labels, offer the list of
lost reasons, ask for the gates of skipped stages, and refuse a skip the settings forbid before any form.

The clock is frozen at Tue 2026-11-24 10:00 Asia/Shanghai (conftest).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from rich.cells import cell_len
from textual.widgets import Input, Label, OptionList, Static

from crmtui.core import i18n
from crmtui.services.customers import add_customer, customer_detail
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.stage import GateForm, StagePicker

from .conftest import NOW


async def _settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _type(pilot, text):
    for character in text:
        await pilot.press(character)


async def _pick(pilot, customer_id, key):
    """On the customer's screen: s, then the stage's number."""
    await _settle(pilot)
    pilot.app.open_customer(customer_id)
    await _settle(pilot)
    await pilot.press("s", key)
    await _settle(pilot)
    return pilot.app.screen


def _said(app):
    return [str(note.message) for note in app._notifications]


def _deal(ctx, customer_id):
    (deal,) = customer_detail(ctx, customer_id).deals
    return deal


@pytest.fixture
def seats(ctx):
    """Acme's deal "Seats" (120,000) in Initial contact."""
    return add_deal(ctx, add_customer(ctx, "Acme").id, "Seats", amount="120000")


async def test_the_won_form_starts_with_the_deals_amount_and_today_and_its_labels_fit(ctx, seats):
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _pick(pilot, seats.customer_id, "6")
        assert isinstance(form, GateForm)
        values = {field.id: field.value for field in form.query(Input)}
        # the revisit plan proposed by the default [revisits] template: a call at 3 days, a visit at 30, a review at 90
        assert values == {"quoted": "120,000", "contract_no": "", "amount": "120,000", "signed": "2026-11-24",
                          "end": "", "payment": "",
                          "revisits": "3 Phone Confirm delivery; 30 Visit Check how it is used; 90 Meeting Review"}
        assert app.focused is form.query_one("#contract_no", Input)  # the first field still to fill
        # Every label as wide as the widest ("Quoted amount", 13 cells) and two cells more: never touching its field.
        widths = {label.region.width for label in form.query(".field-row > .label").results(Label)}
        assert widths == {15}
        await _type(pilot, "HT-7")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert not isinstance(app.screen, GateForm)
    detail = customer_detail(ctx, seats.customer_id)
    (contract,) = detail.contracts
    assert (contract.number, contract.amount_cents, contract.signed_on) == ("HT-7", 12_000_000, date(2026, 11, 24))
    assert detail.deals[0].quoted_cents == 12_000_000


async def test_in_chinese_the_won_form_labels_are_one_width_by_display_cells(ctx, seats):
    ctx.settings = replace(ctx.settings, language="zh")
    i18n.set_language("zh")
    try:
        app = build_app(ctx)
        async with app.run_test(size=(80, 24)) as pilot:
            form = await _pick(pilot, seats.customer_id, "6")
            labels = list(form.query(".field-row > .label").results(Label))
            widest = max(cell_len(str(label.content)) for label in labels)
            assert {label.region.width for label in labels} == {widest + 2}
            assert any(ord(character) > 0x2E80 for label in labels for character in str(label.content))
    finally:
        i18n.set_language("en")


async def test_the_won_form_names_missing_fields_by_their_labels(ctx):
    deal = add_deal(ctx, add_customer(ctx, "Acme").id, "Seats", stage="negotiation")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _pick(pilot, deal.customer_id, "6")
        assert isinstance(form, GateForm)
        form.query_one("#signed", Input).value = ""
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is form
        assert {field.id for field in form.query(".missing")} == {"contract_no", "amount", "signed"}
        assert _said(app)[-1] == "moving to Won needs: Contract no., Amount, Signed on"
    assert _deal(ctx, deal.customer_id).stage == "negotiation"


async def test_the_lost_form_offers_the_reasons_and_saves_the_one_picked(ctx, seats):
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _pick(pilot, seats.customer_id, "7")
        assert isinstance(form, GateForm)
        reasons = form.query_one("#reasons", OptionList)
        assert [str(reasons.get_option_at_index(i).prompt) for i in range(reasons.option_count)] == [
            "1  price", "2  competitor", "3  no budget", "4  no decision", "5  timing", "6  no response", "7  other"]
        assert app.focused is reasons
        await pilot.press("down", "down", "enter")
        await _settle(pilot)
        assert not isinstance(app.screen, GateForm)
    deal = _deal(ctx, seats.customer_id)
    assert (deal.stage, deal.lost_reason) == ("lost", "no budget")


async def test_the_lost_form_takes_the_reps_own_words_for_other(ctx, seats):
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _pick(pilot, seats.customer_id, "7")
        await pilot.press("7")  # other
        assert app.focused is form.query_one("#reason", Input)
        await _type(pilot, "merged with a rival")
        await pilot.press("enter")
        await _settle(pilot)
    assert _deal(ctx, seats.customer_id).lost_reason == "merged with a rival"


async def test_picking_a_stage_from_today_marks_the_current_one_and_refuses_it(ctx, frozen):
    frozen.move_to(NOW - timedelta(days=5))
    customer = add_customer(ctx, "Overdue Ltd")
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at="in 2 days")
    add_deal(ctx, customer.id, "Seats", amount="50000", stage="proposal")
    frozen.move_to(NOW)
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        await pilot.press("s")
        await _settle(pilot)
        picker = app.screen
        assert isinstance(picker, StagePicker)
        stages = picker.query_one("#stages", OptionList)
        current = stages.get_option("proposal")
        assert str(current.prompt).endswith("← now") and current.disabled
        assert not any(str(stages.get_option_at_index(i).prompt).endswith("← now")
                       for i in range(stages.option_count) if i != 2)
        await pilot.press("3")  # Proposal, where it is
        await _settle(pilot)
        assert app.screen is picker
        assert _said(app)[-1] == "Seats is already in Proposal: pick another stage"
    assert _deal(ctx, customer.id).stage == "proposal"


async def test_a_move_past_quote_asks_for_the_quoted_amount_first(ctx):
    deal = add_deal(ctx, add_customer(ctx, "Acme").id, "Seats")
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _pick(pilot, deal.customer_id, "5")  # Negotiation, from Initial contact
        assert isinstance(form, GateForm)
        assert [field.id for field in form.query(Input)] == ["quoted"]
        assert str(form.query_one(".skipped", Static).render()) == "Skips Needs confirmed, Proposal, Quote"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is form and form.query_one("#quoted", Input).has_class("missing")
        assert _said(app)[-1] == "moving to Negotiation past Quote needs: Quoted amount"
        assert _deal(ctx, deal.customer_id).stage == "initial"
        await _type(pilot, "5万")
        await pilot.press("enter")
        await _settle(pilot)
        assert not isinstance(app.screen, GateForm)
    moved = _deal(ctx, deal.customer_id)
    assert (moved.stage, moved.quoted_cents) == ("negotiation", 5_000_000)


async def test_a_skip_the_settings_forbid_is_refused_before_any_form(ctx, seats):
    ctx.settings = replace(ctx.settings, skip_stages=False)
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _pick(pilot, seats.customer_id, "6")
        assert not isinstance(screen, GateForm | StagePicker)
        assert _said(app)[-1] == ("Sales stage: the next stage, Needs confirmed: deals move one stage at a time (the "
                                  'skip_stages setting is false) (got "won")')
        assert _deal(ctx, seats.customer_id).stage == "initial"
        await pilot.press("s", "2")  # the next stage moves at once
        await _settle(pilot)
    assert _deal(ctx, seats.customer_id).stage == "needs"


async def test_esc_on_a_won_form_the_rep_typed_in_asks_before_throwing_it_away(ctx, seats):
    from crmtui.tui.dialogs.confirm import ConfirmScreen

    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _pick(pilot, seats.customer_id, "6")
        assert isinstance(form, GateForm)
        await pilot.press("escape")  # nothing typed: the form just closes
        await _settle(pilot)
        assert not isinstance(app.screen, GateForm | ConfirmScreen)
        await pilot.press("s", "6")
        await _settle(pilot)
        form = app.screen
        await _type(pilot, "HT-9")  # the contract number, the first field still to fill
        await pilot.press("escape")
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await _settle(pilot)
        assert app.screen is form and form.query_one("#contract_no", Input).value == "HT-9"
        await pilot.press("escape")
        await _settle(pilot)
        await pilot.press("y")
        await _settle(pilot)
        assert not isinstance(app.screen, GateForm | ConfirmScreen)
    assert _deal(ctx, seats.customer_id).stage == "initial"


async def test_a_move_says_where_the_deal_went(ctx, seats):
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await _pick(pilot, seats.customer_id, "2")
        await _settle(pilot)
        assert "Seats moved to Needs confirmed" in _said(app)
