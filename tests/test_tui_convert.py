"""The app's convert dialog when the lead's company names several customers: it lists them with "a new company",
the rep picks one with the keyboard, and nothing is converted before the pick (pilot tests)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static

from crmtui.tui.app import build_app
from crmtui.tui.dialogs.convert import ConvertForm
from crmtui.services.customers import add_customer, add_lead, customer_detail, list_customers

from .test_tui import SIZE, _settle


@pytest.fixture
def two_acmes(ctx):
    """Customers Acme and ACME Ltd (one company name, added twice), and lead Bob whose company is Acme."""
    first = add_customer(ctx, "Acme")
    second = add_customer(ctx, "ACME Ltd", force=True)
    lead = add_lead(ctx, "Bob", company="Acme", phone="13600001111")
    return first, second, lead


async def _open_dialog(pilot, lead_id):  # type: ignore[no-untyped-def]
    await _settle(pilot)
    pilot.app.open_customer(lead_id)
    await _settle(pilot)
    await pilot.press("c")
    await _settle(pilot)
    assert isinstance(pilot.app.screen, ConvertForm)
    return pilot.app.screen


def _said(screen) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one("#convert-joins", Static).render())


def _options(screen) -> list[str]:  # type: ignore[no-untyped-def]
    listing = screen.query_one("#convert-choices", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_the_dialog_lists_the_customers_and_a_new_company_and_the_rep_picks_the_one_to_join(ctx, two_acmes):
    first, second, lead = two_acmes
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_dialog(pilot, lead.id)
        assert _said(form) == '2 customers are named "Acme": choose the one Bob joins, or a new company'
        assert sorted(_options(form)) == sorted([f"Acme (prospect)  {first.id[:8]}", f"ACME Ltd (prospect)  {second.id[:8]}",
                                                 "a new company: Acme"])
        assert _options(form)[-1] == "a new company: Acme"
        listing = form.query_one("#convert-choices", OptionList)
        assert form.focused is listing and listing.highlighted is None  # nothing is picked for the rep
        await pilot.press("enter")  # Enter with nothing highlighted picks nothing
        await _settle(pilot)
        assert form.chosen is None and app.screen is form
        position = next(i for i in range(listing.option_count) if listing.get_option_at_index(i).id == second.id)
        await pilot.press(*["down"] * (position + 1), "enter")
        await _settle(pilot)
        assert _said(form) == "Bob joins ACME Ltd (prospect) as a contact, with the new deal"
        assert form.focused is form.query_one("#convert-next", Input)
        assert customer_detail(ctx, lead.id).customer.status == "lead"  # picking converts nothing yet
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen.customer_id == second.id  # the screen now shows the customer Bob joined
    assert sorted(c.id for c in list_customers(ctx)) == sorted([first.id, second.id])
    assert [c.name for c in customer_detail(ctx, second.id).contacts] == ["Bob"]
    assert customer_detail(ctx, first.id).contacts == [] and customer_detail(ctx, first.id).deals == []


async def test_picking_a_new_company_makes_a_customer_apart_from_the_others(ctx, two_acmes):
    first, second, lead = two_acmes
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_dialog(pilot, lead.id)
        await pilot.press("end", "enter")  # the last option: a new company
        await _settle(pilot)
        assert form.chosen == "new-company"
        assert _said(form) == "Bob becomes a new customer Acme, apart from the others of that name"
        await pilot.press("enter")
        await _settle(pilot)
    customer = customer_detail(ctx, lead.id).customer
    assert (customer.status, customer.name) == ("prospect", "Acme")
    assert len(list_customers(ctx)) == 3
    assert customer_detail(ctx, first.id).contacts == [] and customer_detail(ctx, second.id).contacts == []


async def test_converting_before_picking_is_refused_and_goes_back_to_the_list(ctx, two_acmes):
    _first, _second, lead = two_acmes
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_dialog(pilot, lead.id)
        await pilot.press("tab")  # to the date, skipping the pick
        await _settle(pilot)
        assert form.focused is form.query_one("#convert-next", Input)
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen is form and form.focused is form.query_one("#convert-choices", OptionList)
        assert any(n.message == "Choose the customer Bob joins, or a new company" for n in app._notifications)
        await pilot.press("escape")
        await _settle(pilot)
    assert customer_detail(ctx, lead.id).customer.status == "lead" and len(list_customers(ctx)) == 3
