"""The merge dialog (the likely duplicates offered first, ↓ into the list, one Enter to the confirmation) and the
command palette (customers and deals by name or pinyin; crmtui's actions before Textual's)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from crmtui.services.customers import (
    add_contact,
    add_customer,
    delete_customer,
    list_customers,
)
from crmtui.services.deals import add_deal
from crmtui.services.merge import likely_duplicates
from crmtui.tui.app import CrmApp, build_app
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.merge import MergeScreen
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.screens.today import TodayScreen
from tests.pilot import until


SIZE = (100, 30)


@pytest.fixture
def book(ctx):
    """张三科技 (phone 13800138000, a contact with li@zs.example), a duplicate of it by phone (张三二店), one by a
    contact's email (李四工作室), and 张三一店, a mere namesake that sorts first."""
    keep = add_customer(ctx, "张三科技", phone="13800138000")
    add_contact(ctx, keep.id, "李四", email="li@zs.example")
    namesake = add_customer(ctx, "张三一店")
    by_phone = add_customer(ctx, "张三二店", phone="+86 138 0013 8000", force=True)
    by_email = add_customer(ctx, "李四工作室", email="LI@zs.example", force=True)
    return keep, by_phone, by_email, namesake


async def _type(pilot, text: str) -> None:
    for character in text:
        await pilot.press(character)


async def _open_merge(pilot, customer_id: str) -> MergeScreen:
    app = pilot.app
    app.open_customer(customer_id)
    await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)
    await pilot.press("m")
    await until(pilot, lambda: isinstance(app.screen, MergeScreen))
    await app.workers.wait_for_complete()  # the likely duplicates are looked up
    await pilot.pause()
    return app.screen


def _candidates(screen: MergeScreen) -> list[str]:
    return [str(option.prompt) for option in screen.query_one("#merge-results", OptionList).options]


def test_likely_duplicates_share_a_phone_an_email_or_a_name_with_the_customer_or_its_contacts(ctx, book):
    keep, by_phone, by_email, _namesake = book
    same_name = add_customer(ctx, "张三科技 ", force=True)  # the same normalised name
    lead = add_customer(ctx, "李四", status="lead", kind="person", force=True)  # named as a contact of it
    gone = add_customer(ctx, "旧张三", phone="13800138000", force=True)
    delete_customer(ctx, gone.id)
    other = add_customer(ctx, "王五贸易")
    add_contact(ctx, other.id, "李四")  # a namesake of its contact: common names are no sign of a duplicate
    found = [(d.customer_id, d.reason) for d in likely_duplicates(ctx, keep.id)]
    assert found == [(by_phone.id, "phone"), (by_email.id, "email"), (same_name.id, "name"), (lead.id, "name")]
    # and the other way round: the one found by its phone finds the customer (and the other namesake by name)
    assert [(d.name, d.reason) for d in likely_duplicates(ctx, by_phone.id)] == [("张三科技", "phone")]


async def test_the_merge_dialog_offers_the_known_duplicates_before_anything_is_typed(ctx, book):
    _keep, _by_phone, _by_email, _namesake = book
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_merge(pilot, book[0].id)
        shown = _candidates(screen)
        assert [line.split()[0] for line in shown] == ["张三二店", "李四工作室"]
        assert "likely duplicate: same phone" in shown[0] and "likely duplicate: same email" in shown[1]
        assert app.focused is screen.query_one("#merge-query", Input)
        # typed: what the rule knows still comes first, marked, before the namesake that sorts first
        await _type(pilot, "张三")
        await until(pilot, lambda: "张三一店" in " ".join(_candidates(screen)))
        shown = _candidates(screen)
        assert [line.split()[0] for line in shown] == ["张三二店", "张三一店"]
        assert "likely duplicate" in shown[0] and "likely duplicate" not in shown[1]


async def test_down_moves_into_the_candidates_and_one_enter_asks_to_confirm(ctx, book):
    keep, _by_phone, by_email, namesake = book
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_merge(pilot, keep.id)
        listing = screen.query_one("#merge-results", OptionList)
        await _type(pilot, "店")
        await until(pilot, lambda: "张三一店" in " ".join(_candidates(screen)))
        await pilot.press("down")
        assert app.focused is listing and listing.highlighted == 0
        await pilot.press("down")
        assert listing.highlighted == 1
        await pilot.press("up", "up")  # above the first candidate: back in the box
        assert app.focused is screen.query_one("#merge-query", Input)
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, (ConfirmScreen, MergeScreen)))
    assert {c.id for c in list_customers(ctx)} == {keep.id, by_email.id, namesake.id}


async def test_one_enter_in_the_box_asks_to_confirm_the_first_candidate(ctx, book):
    keep, by_phone, _by_email, _namesake = book
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_merge(pilot, keep.id)
        await _type(pilot, "二店")
        await pilot.press("enter")  # may come before the search's answer: it waits for it
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "张三二店" in app.screen.question
        await pilot.press("y")
        await until(pilot, lambda: app.screen is not screen and not isinstance(app.screen, ConfirmScreen))
    assert by_phone.id not in {c.id for c in list_customers(ctx)}


async def _palette(pilot, text: str) -> list[str]:
    """Opens the palette, types, and returns the hits' first lines once the list stops changing."""
    await pilot.press("ctrl+p")
    await _type(pilot, text)
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete()
    await until(pilot, lambda: app.screen.query_one("CommandList", OptionList).option_count > 0)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return [str(option.prompt).split("\n")[0] for option in app.screen.query_one("CommandList", OptionList).options]


@pytest.mark.parametrize("typed", ["张三科技", "zskj", "zhangsankeji"])
async def test_the_palette_finds_a_customer_by_name_or_pinyin_and_enter_opens_it(ctx, book, typed):
    keep = book[0]
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hits = await _palette(pilot, typed)
        assert hits[0] == "张三科技"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        assert app.screen.customer_id == keep.id


async def test_the_palette_finds_a_deal_and_opens_its_customer_on_that_deal(ctx, book):
    keep = book[0]
    add_deal(ctx, keep.id, "Seats", amount="10000")
    wanted = add_deal(ctx, keep.id, "Annual maintenance", amount="50000")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hits = await _palette(pilot, "maintenance")
        assert hits[0] == "Annual maintenance"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
        assert app.screen.customer_id == keep.id
        deals = app.screen.query_one("#deals", OptionList)
        assert deals.has_focus and deals.get_option_at_index(deals.highlighted).id == wanted.id


@pytest.mark.parametrize(("name", "typed"), [("Omega Trading [HK]", "omega"), ("Zeta [/x] Closing", "zeta"),
                                             ("Eta [red]Red", "eta")])
async def test_the_palette_shows_a_name_with_brackets_as_written(ctx, name, typed):
    wanted = add_customer(ctx, name)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hits = await _palette(pilot, typed)
        assert hits[0] == name
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        assert app.screen.customer_id == wanted.id


@pytest.mark.parametrize("typed", ["", "sc"])
async def test_the_palette_lists_crmtuis_actions_before_textuals(ctx, typed):
    ours = {binding.description for owner in (CrmApp, TodayScreen) for binding in owner.BINDINGS}
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hits = await _palette(pilot, typed)
    mine = [i for i, title in enumerate(hits) if title in ours]
    theirs = [i for i, title in enumerate(hits) if title not in ours]
    assert mine and theirs and max(mine) < min(theirs), hits
    assert "Screenshot" in hits
    if typed == "sc":
        # Textual's Screenshot matches "sc" better than Search does, yet comes after it
        assert hits.index("Search") < hits.index("Screenshot")
    else:
        assert hits.count("Quit") == 1  # Textual's Quit is the app's q, listed once
