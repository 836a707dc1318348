"""What a rep does in the app that once needed the shell: edit a deal's amount, close date, competitor and
probability, delete a deal or a customer, give a new contact a WeChat id and the decision-maker flag, a new lead
tags and a region; and the edit dialog's value box says what it holds."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pytest
from textual.widgets import Input, Label, OptionList

from crmtui.core.errors import NotFound
from crmtui.services.context import open_context
from crmtui.services.customers import add_customer, customer_detail, list_customers
from crmtui.services.deals import add_deal, deal_fields, list_deals
from crmtui.services.follow_ups import log_follow_up
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.edit import EditCustomerScreen, EditDealScreen
from crmtui.tui.dialogs.new_record import NewRecordScreen
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.screens.pipeline import PipelineScreen
from crmtui.tui.screens.today import TodayScreen
from tests.pilot import until

from .conftest import NOW

_until = partial(until, workers=True)

SIZE = (100, 30)


@pytest.fixture
def late(ctx, frozen):
    """张三科技, 3 days overdue, with one open deal (CRM seats, 50,000)."""
    frozen.move_to(NOW - timedelta(days=5))
    customer = add_customer(ctx, "张三科技", phone="13800138000")
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at="in 2 days")
    add_deal(ctx, customer.id, "CRM seats", amount="50000")
    frozen.move_to(NOW)
    return customer


async def _type(pilot, text: str) -> None:
    for character in text:
        await pilot.press(character)


def _notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]  # what the toasts said


async def _customer_screen(pilot, customer_id: str) -> CustomerScreen:
    app = pilot.app
    await _until(pilot, lambda: isinstance(app.screen, TodayScreen))
    app.open_customer(customer_id)
    await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
    return app.screen


def _deal_rows(screen: CustomerScreen) -> list[str]:
    return [str(option.prompt) for option in screen.query_one("#deals", OptionList).options]


async def _edit_field(pilot, dialog, down: int) -> Input:
    """Highlights the field `down` rows below the current one and starts editing it."""
    for _ in range(down):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    value = dialog.query_one("#value", Input)
    assert not value.disabled and pilot.app.focused is value
    return value


async def _save(pilot, dialog, value: Input) -> None:
    """Enter, then waits for the save's worker: saved (the box is put away) or refused (a toast)."""
    before = len(pilot.app._notifications)
    await pilot.press("enter")
    await _until(pilot, lambda: len(pilot.app._notifications) > before)


# ---------------------------------------------------------------- editing a deal


async def test_a_deals_amount_close_date_competitor_and_probability_are_edited_in_the_app(ctx, late):
    deal_id = customer_detail(ctx, late.id).deals[0].id
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _customer_screen(pilot, late.id)
        await pilot.press("D")
        await _until(pilot, lambda: isinstance(app.screen, EditDealScreen))
        dialog = app.screen
        assert "CRM seats" in str(dialog.query_one(".title").render())

        amount = await _edit_field(pilot, dialog, 1)
        assert amount.selected_text == "50,000"  # an amount is read whole: what is typed replaces it
        await _type(pilot, "8万")
        await _save(pilot, dialog, amount)

        close = await _edit_field(pilot, dialog, 1)
        await _type(pilot, "月底")  # read as `crm edit --close` reads it: the end of this month
        await _save(pilot, dialog, close)

        competitor = await _edit_field(pilot, dialog, 1)
        await _type(pilot, "Salesforce")
        await _save(pilot, dialog, competitor)

        probability = await _edit_field(pilot, dialog, 1)
        assert probability.selected_text == "10"  # the first stage's
        await _type(pilot, "60%")
        await _save(pilot, dialog, probability)

        shown = [str(option.prompt) for option in dialog.query_one("#fields", OptionList).options]
        assert "80,000" in shown[1] and "Mon 30 Nov" in shown[2] and "Salesforce" in shown[3] and "60%" in shown[4]
        await pilot.press("escape")
        await _until(pilot, lambda: app.screen is screen and any("80,000" in row for row in _deal_rows(screen)))
    deal = deal_fields(ctx, deal_id)
    assert (deal.amount_cents, deal.expected_close, deal.competitor, deal.probability) == (
        8_000_000, date(2026, 11, 30), "Salesforce", 60)


async def test_a_bad_deal_value_is_refused_naming_the_field_and_what_was_typed_stays(ctx, late):
    deal_id = customer_detail(ctx, late.id).deals[0].id
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("D")
        await _until(pilot, lambda: isinstance(app.screen, EditDealScreen))
        dialog = app.screen

        amount = await _edit_field(pilot, dialog, 1)
        await pilot.press("ctrl+u")
        await _type(pilot, "lots")
        await _save(pilot, dialog, amount)
        assert _notes(app)[-1].startswith("amount: ") and '(got "lots")' in _notes(app)[-1]
        assert amount.value == "lots" and not amount.disabled and amount.has_class("missing")
        await pilot.press("escape")  # leaves the field as it was

        probability = await _edit_field(pilot, dialog, 3)
        await pilot.press("ctrl+u")
        await _type(pilot, "150")
        await _save(pilot, dialog, probability)
        assert _notes(app)[-1] == 'probability: a whole number from 0 to 100 (got "150")'
        assert probability.value == "150" and probability.has_class("missing")
        await _type(pilot, "0")  # typing on clears the mark
        assert not probability.has_class("missing")
        await pilot.press("escape")

        await pilot.press("up", "up")
        close = await _edit_field(pilot, dialog, 0)
        await _type(pilot, "someday")
        await _save(pilot, dialog, close)
        assert _notes(app)[-1].startswith("close: ") and "someday" in _notes(app)[-1]
        assert close.value == "someday" and close.has_class("missing")
    deal = deal_fields(ctx, deal_id)
    assert (deal.amount_cents, deal.probability, deal.expected_close) == (5_000_000, 10, None)  # nothing written


async def test_a_won_deals_amount_is_refused_before_anything_is_typed(ctx, late):
    from crmtui.services.deals import move_stage

    deal_id = customer_detail(ctx, late.id).deals[0].id
    move_stage(ctx, deal_id, "won", contract_no="HT-1", amount="50000", signed="2026-11-20")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("D")
        await _until(pilot, lambda: isinstance(app.screen, EditDealScreen))
        dialog = app.screen
        await pilot.press("down", "enter")
        await pilot.pause()
        assert dialog.query_one("#value", Input).disabled  # not opened for typing
        assert "a won deal's amount is its contract's" in _notes(app)[-1]


# ---------------------------------------------------------------- deleting


async def test_deleting_a_deal_asks_first_naming_it_then_it_is_gone_from_the_screens(ctx, late):
    add_deal(ctx, late.id, "Support", amount="20000")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _customer_screen(pilot, late.id)
        deals = screen.query_one("#deals", OptionList)
        deals.highlighted = next(i for i, row in enumerate(_deal_rows(screen)) if "CRM seats" in row)
        await pilot.press("X")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen.question
        assert question.startswith("Delete deal CRM seats of 张三科技?") and "cannot be restored" in question
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and {d.title for d, _c in list_deals(ctx)} == {"CRM seats", "Support"}

        await pilot.press("X")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await _until(pilot, lambda: len(_deal_rows(screen)) == 1)
        assert "Support" in _deal_rows(screen)[0]
        assert "Deleted deal CRM seats" in _notes(app)
        await pilot.press("p")
        await _until(pilot, lambda: isinstance(app.screen, PipelineScreen))
        board = app.screen
        await _until(pilot, lambda: "Support" in _board_text(board))
        assert "CRM seats" not in _board_text(board)
    assert {d.title for d, _c in list_deals(ctx)} == {"Support"}


def _board_text(board: PipelineScreen) -> str:
    return "\n".join(str(option.prompt) for listing in board.query(OptionList) for option in listing.options)


async def test_deleting_a_deal_with_a_contract_says_the_contract_goes_with_it(ctx, late):
    from crmtui.services.deals import move_stage

    deal_id = customer_detail(ctx, late.id).deals[0].id
    move_stage(ctx, deal_id, "won", contract_no="HT-7", amount="50000", signed="2026-11-20")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("X")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Its contract HT-7 (50,000" in app.screen.question  # the words `crm rm` asks with


async def test_deleting_a_customer_asks_first_naming_it_then_it_is_gone_from_the_screens(ctx, late):
    other = add_customer(ctx, "李四贸易")
    log_follow_up(ctx, other.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at="tomorrow")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        today = app.screen
        await _until(pilot, lambda: isinstance(today, TodayScreen) and late.id in _today_ids(today))
        screen = await _customer_screen(pilot, late.id)
        await pilot.press("ctrl+d")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen.question
        assert question.startswith("Delete customer 张三科技 and its contacts and deals?")
        assert "cannot be restored" in question  # a book without a team has no list of deleted customers
        await pilot.press("escape")  # no
        await pilot.pause()
        assert app.screen is screen and len(list_customers(ctx)) == 2

        await pilot.press("ctrl+d")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await _until(pilot, lambda: app.screen is today and late.id not in _today_ids(today))
        assert "Deleted customer 张三科技" in _notes(app)
        assert not any("no longer exists" in note for note in _notes(app))  # its screen closed, not "gone"
    assert [c.name for c in list_customers(ctx)] == ["李四贸易"]
    assert list_deals(ctx) == []
    with pytest.raises(NotFound):
        customer_detail(ctx, late.id)


def _today_ids(today: TodayScreen) -> set[str]:
    return {item.customer_id for item in today.items.values()}


async def test_the_help_lists_the_new_keys_of_the_customer_screen(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("question_mark")
        await pilot.pause()
        rows = {text: keys for keys, text in app.screen.rows}
        assert rows["Edit deal"] == "D" and rows["Delete deal"] == "X" and rows["Delete customer"] == "^d"


# ---------------------------------------------------------------- the new-record forms


async def test_a_new_contact_gets_a_wechat_id_and_the_decision_maker_flag(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, NewRecordScreen) and app.screen.query("#f-wechat"))
        form = app.screen
        labels = [str(label.render()) for label in form.query(Label)]
        assert "WeChat" in labels and "Decision maker" in labels  # whole, in labels widened for it
        await _type(pilot, "Jane")
        form.query_one("#f-wechat", Input).value = "jane_wx"
        form.query_one("#f-decision_maker", Input).value = "maybe"
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: form.query_one("#f-decision_maker", Input).has_class("missing"))
        assert _notes(app)[-1] == 'decision maker: y or n (是 or 否) (got "maybe")'
        assert form.query_one("#f-wechat", Input).value == "jane_wx" and app.screen is form  # nothing typed is lost
        assert customer_detail(ctx, late.id).contacts == []
        form.query_one("#f-decision_maker", Input).value = "是"
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen))
    (contact,) = customer_detail(ctx, late.id).contacts
    assert (contact.name, contact.wechat, contact.decision_maker) == ("Jane", "jane_wx", True)


async def test_a_new_contact_left_without_the_flag_is_no_decision_maker(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, NewRecordScreen) and app.screen.query("#f-name"))
        await _type(pilot, "John")
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen))
    (contact,) = customer_detail(ctx, late.id).contacts
    assert (contact.name, contact.wechat, contact.decision_maker) == ("John", None, False)


async def test_a_new_lead_gets_tags_and_a_region(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("n", "l")
        await _until(pilot, lambda: isinstance(app.screen, NewRecordScreen) and app.screen.query("#f-tag"))
        form = app.screen
        await _type(pilot, "李雷")
        form.query_one("#f-region", Input).value = "华东"
        form.query_one("#f-tag", Input).value = "VIP， 展会 , VIP"
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: isinstance(app.screen, TodayScreen))
    (lead,) = list_customers(ctx, ("lead",))
    detail = customer_detail(ctx, lead.id)
    assert (lead.name, lead.region, detail.tags) == ("李雷", "华东", ["VIP", "展会"])


async def test_a_new_leads_tag_too_long_is_refused_naming_the_tags(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("n", "l")
        await _until(pilot, lambda: isinstance(app.screen, NewRecordScreen) and app.screen.query("#f-tag"))
        form = app.screen
        await _type(pilot, "李雷")
        form.query_one("#f-tag", Input).value = "x" * 41
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: form.query_one("#f-tag", Input).has_class("missing"))
        assert _notes(app)[-1].startswith("tag: at most 40 characters")
        assert form.query_one("#f-name", Input).value == "李雷"
    assert list_customers(ctx, ("lead",)) == []


# ---------------------------------------------------------------- the edit dialog's value box


async def test_the_edit_dialogs_value_box_is_labelled_and_its_cursor_starts_at_the_end(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("e")
        await _until(pilot, lambda: isinstance(app.screen, EditCustomerScreen))
        dialog = app.screen
        label = dialog.query_one("#value-label", Label)
        assert str(label.render()) == "Name"  # the highlighted field, before it is edited
        await pilot.press("down")
        await pilot.pause()
        assert str(label.render()) == "Phone"
        value = await _edit_field(pilot, dialog, 0)
        assert label.region.y == value.region.y and label.region.right <= value.region.x  # beside the box
        assert value.cursor_position == len("13800138000") and value.selected_text == ""  # text: at its end
        await _type(pilot, "9")  # typed at the end: the number is corrected, not replaced
        assert value.value == "138001380009"
        await pilot.press("backspace", "backspace")
        await _type(pilot, "1")
        await _save(pilot, dialog, value)
    assert customer_detail(ctx, late.id).customer.phone == "13800138001"


async def test_a_phone_another_customer_has_is_saved_only_when_entered_again(ctx, late):
    other = add_customer(ctx, "李四商贸", phone="13900139000")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("e")
        await _until(pilot, lambda: isinstance(app.screen, EditCustomerScreen))
        dialog = app.screen
        value = await _edit_field(pilot, dialog, 1)  # Phone
        value.value = "13900139000"
        await _save(pilot, dialog, value)
        said = _notes(app)[-1]
        assert said == ('Customer "李四商贸" has the same Phone: Enter again saves it anyway, or Esc and merge the two '
                        "(m on the customer screen)")
        assert "--force" not in said
        assert customer_detail(ctx, late.id).customer.phone == "13800138000"  # nothing saved yet
        assert value.value == "13900139000"  # what was typed stays
        await _save(pilot, dialog, value)
    assert customer_detail(ctx, late.id).customer.phone == "13900139000"
    assert customer_detail(ctx, other.id).customer.phone == "13900139000"


# ---------------------------------------------------------------- the shell agrees


def test_crm_edit_sets_a_deals_probability_and_refuses_a_wrong_one_as_the_app_does(ctx, late):
    from typer.testing import CliRunner

    from crmtui.cli.commands import app as cli_app

    deal_id = customer_detail(ctx, late.id).deals[0].id
    ctx.close()  # the command opens the book itself
    runner = CliRunner()
    refused = runner.invoke(cli_app, ["edit", "CRM seats", "--probability", "150"])
    assert refused.exit_code == 1
    assert refused.stderr.startswith('error: probability: a whole number from 0 to 100 (got "150")')
    done = runner.invoke(cli_app, ["edit", "CRM seats", "--probability", "75%"])
    assert done.exit_code == 0 and "updated deal CRM seats: Probability" in done.stdout
    reopened = open_context(ctx.db.path, settings=ctx.settings, clock=ctx.clock)
    try:
        assert deal_fields(reopened, deal_id).probability == 75
    finally:
        reopened.close()


# ---------------------------------------------------------------- in a team

SERVER = "postgresql://127.0.0.1:9/team"
"""Nothing listens there: these tests never reach a server (the laptop's copy is all they read)."""


def _join_team(ctx, home, *, manager: bool, sent: bool = True) -> None:
    """The laptop after a sync round: [sync] set (no background rounds), the last round's role, and (`sent`)
    every change of the book answered by the server, so no customer is a draft of this laptop any more."""
    from crmtui.core.config import Settings, SyncSettings
    from crmtui.store import replica

    ctx.settings = Settings(timezone="Asia/Shanghai", language="en",
                            sync=SyncSettings(server=SERVER, user="boss" if manager else "wang", interval=0))
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _writer):
        replica.set_meta(conn, "sync_manager", "1" if manager else "0")
        if sent:
            replica.set_outcomes(conn, [(seq, "applied", None) for seq in replica.pending_seqs(conn)])


async def test_a_manager_is_told_a_deleted_customer_can_be_restored(ctx, late, home, memory_keyring):
    _join_team(ctx, home, manager=True)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("ctrl+d")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question.endswith(
            "It leaves every laptop of the team at their next sync; a manager can restore it from the pool's list"
            " of deleted customers (o, then u).")
        await pilot.press("y")
        await _until(pilot, lambda: isinstance(app.screen, TodayScreen))
        assert ("Deleted customer 张三科技; a manager can restore it from the pool's list of deleted customers"
                in _notes(app))
    assert list_customers(ctx) == []


async def test_a_rep_in_a_team_is_told_who_deletes_a_customer_and_nothing_is_asked(ctx, late, home, memory_keyring):
    _join_team(ctx, home, manager=False)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _customer_screen(pilot, late.id)
        await pilot.press("ctrl+d")
        await _until(pilot, lambda: any("only a manager can delete it" in note for note in _notes(app)))
        assert app.screen is screen  # no question was put
        said = next(note for note in _notes(app) if "only a manager" in note)
        assert said == ("张三科技 belongs to the team: only a manager can delete it; give it back to the pool with P,"
                        " or merge a duplicate into it with m")
    assert [c.id for c in list_customers(ctx)] == [late.id]


async def test_a_rep_deletes_a_draft_of_their_own_told_nothing_of_it_was_sent(ctx, late, home, memory_keyring):
    _join_team(ctx, home, manager=False, sent=False)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(pilot, late.id)
        await pilot.press("ctrl+d")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question.endswith(
            "It was never sent to the team server: nothing of it is sent now, and it cannot be restored.")
        await pilot.press("y")
        await _until(pilot, lambda: isinstance(app.screen, TodayScreen) and "Deleted customer 张三科技" in _notes(app))
    assert list_customers(ctx) == []
