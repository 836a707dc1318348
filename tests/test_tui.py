"""The TUI driven by keys (App.run_test): what the database holds and what the screen shows afterwards."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from datetime import timedelta

import pytest
from textual.widgets import Input, OptionList, TextArea

from crmtui.tui.app import build_app
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.dialogs.follow_up import FollowUpForm
from crmtui.tui.screens.pipeline import PipelineScreen
from crmtui.tui.dialogs.stage import GateForm
from crmtui.tui.screens.today import TodayScreen
from crmtui.services.agenda import agenda_for
from crmtui.services import agenda_words
from crmtui.services.customers import add_customer, customer_detail
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up, record_follow_up

from .conftest import NOW, PYTHON

SIZE = (100, 30)


def _log(ctx, customer_id, next_at):
    return log_follow_up(ctx, customer_id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                         next_at=next_at)


@pytest.fixture
def late(ctx, frozen):
    """张三科技, 3 days overdue, with an open deal."""
    frozen.move_to(NOW - timedelta(days=5))
    customer = add_customer(ctx, "张三科技", phone="13800138000")
    _log(ctx, customer.id, "in 2 days")
    add_deal(ctx, customer.id, "CRM seats", amount="50000")
    frozen.move_to(NOW)
    return customer


async def _settle(pilot, seconds: float = 0.05) -> None:
    """Lets thread workers finish and their results reach the screen."""
    await pilot.pause()
    await asyncio.sleep(seconds)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _type(pilot, text: str) -> None:
    for character in text:
        await pilot.press(character)


async def test_today_lists_sections_and_focuses_the_first_row(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        item = screen.current_item()
        assert item is not None and item.customer_name == "张三科技" and agenda_words.reason(ctx, item) == "overdue 3 d"
        assert app.focused is screen.query_one("#agenda", OptionList)
        prompts = [str(option.prompt) for option in screen.query_one("#agenda", OptionList).options]
        assert prompts[0].rstrip() == "Overdue (1)"  # a band across the list
        assert "50,000" in prompts[1] and "→ call" in prompts[1]


async def test_log_a_follow_up_from_today_in_few_keys(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        keys = 0
        for key in ("l", "1", "y"):
            await pilot.press(key)
            keys += 1
        await pilot.pause()
        assert isinstance(app.screen, FollowUpForm)
        for text in ("确认需求", "预算已批", "发报价"):
            await _type(pilot, text)
            await pilot.press("tab")
            keys += 1
        await _type(pilot, "明天下午3点")
        assert str(app.screen.query_one("#preview").render()) == "→ Wed 25 Nov 15:00"
        await pilot.press("enter")
        keys += 1
        await _settle(pilot)
        assert keys <= 10
        assert isinstance(app.screen, TodayScreen)
        (follow_up,) = customer_detail(ctx, late.id).follow_ups[:1]
        assert (follow_up.channel, follow_up.goal, follow_up.goal_met, follow_up.notes, follow_up.next_plan) == (
            "phone", "确认需求", True, "预算已批", "发报价")
        assert agenda_for(ctx).sections["overdue"] == []
        assert all(item.section != "overdue" for item in app.screen.items.values())  # the row left "overdue" at once


async def test_an_incomplete_form_cannot_be_saved_and_marks_what_is_missing(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("l")
        await pilot.press("3")  # channel, but no goal-met answer
        await pilot.press("ctrl+s")
        await _settle(pilot)  # the save's worker reports back
        form = app.screen
        assert isinstance(form, FollowUpForm)
        missing = {widget.id for widget in form.query(".missing")}
        assert missing == {"picker", "goal", "notes", "next-plan", "next"}
        assert len(customer_detail(ctx, late.id).follow_ups) == 1  # only the seed's
        await pilot.press("y")
        await _type(pilot, "goal")
        await pilot.press("tab")
        await _type(pilot, "notes")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert {w.id for w in form.query(".missing")} == {"next-plan", "next"}
        assert form.query_one("#goal", Input).value == "goal"  # nothing typed is lost


async def test_a_past_or_unreadable_date_is_shown_and_refused(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("l", "2", "n")
        form = app.screen
        form.query_one("#goal", Input).value = "g"
        form.query_one("#notes", TextArea).text = "n"
        form.query_one("#next-plan", Input).value = "p"
        form.query_one("#next", Input).focus()
        await _type(pilot, "下周八")
        await pilot.pause()
        assert "下周八" in str(form.query_one("#preview").render())
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen is form and "next" in {w.id for w in form.query(".missing")}
        assert len(customer_detail(ctx, late.id).follow_ups) == 1


class HeldSave:
    """Stands in front of a real service write: notes the thread each call runs in and holds it until released,
    so a test can act while a save is under way."""

    def __init__(self, write=record_follow_up) -> None:
        self.write = write
        self.threads: list[threading.Thread] = []
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, *args, **kwargs):
        self.threads.append(threading.current_thread())
        self.started.set()
        self.release.wait(timeout=5)  # bounded: a save on the event loop would freeze the app this long
        return self.write(*args, **kwargs)


async def _fill_follow_up(pilot) -> FollowUpForm:
    await pilot.press("l", "1", "y")
    for text in ("goal", "notes", "plan"):
        await _type(pilot, text)
        await pilot.press("tab")
    await _type(pilot, "tomorrow 3pm")
    await pilot.pause()
    assert isinstance(pilot.app.screen, FollowUpForm)
    return pilot.app.screen


async def test_a_follow_up_is_saved_off_the_event_loop_and_the_form_stays_responsive(ctx, late, monkeypatch):
    import crmtui.tui.dialogs.follow_up as follow_up

    held = HeldSave()
    monkeypatch.setattr(follow_up, "record_follow_up", held)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        form = await _fill_follow_up(pilot)
        await pilot.press("ctrl+s")
        assert await asyncio.to_thread(held.started.wait, 5)
        assert held.threads[0] is not threading.main_thread()
        await pilot.press("shift+tab")  # the app still takes keys while the save runs
        await pilot.pause()
        assert app.screen is form and app.focused is form.query_one("#next-plan", Input)
        held.release.set()
        await _settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert len(customer_detail(ctx, late.id).follow_ups) == 2  # the seed's and this one


async def test_a_second_ctrl_s_while_the_follow_up_saves_logs_it_once(ctx, late, monkeypatch):
    import crmtui.tui.dialogs.follow_up as follow_up

    held = HeldSave()
    monkeypatch.setattr(follow_up, "record_follow_up", held)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await _fill_follow_up(pilot)
        await pilot.press("ctrl+s")
        assert await asyncio.to_thread(held.started.wait, 5)
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        held.release.set()
        await _settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert len(held.threads) == 1
    assert len(customer_detail(ctx, late.id).follow_ups) == 2


async def test_a_refused_follow_up_can_be_saved_again(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        form = await _fill_follow_up(pilot)
        form.query_one("#next", Input).value = "yesterday"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is form and {w.id for w in form.query(".missing")} == {"next"}
        assert form.query_one("#goal", Input).value == "goal"
        form.query_one("#next", Input).value = "tomorrow 3pm"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert len(customer_detail(ctx, late.id).follow_ups) == 2


async def test_a_save_that_fails_is_notified_and_the_form_can_save_again(ctx, late, monkeypatch):
    import crmtui.tui.dialogs.follow_up as follow_up

    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return record_follow_up(*args, **kwargs)

    monkeypatch.setattr(follow_up, "record_follow_up", fails_once)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        form = await _fill_follow_up(pilot)
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert any("disk full" in str(n.message) for n in app._notifications)
        assert app.screen is form and form.query_one("#goal", Input).value == "goal"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert len(calls) == 2 and len(customer_detail(ctx, late.id).follow_ups) == 2


async def test_escape_with_text_typed_asks_before_discarding(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("l", "1", "y")
        await _type(pilot, "half a thought")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FollowUpForm)
        assert app.screen.query_one("#goal", Input).value == "half a thought"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
    assert len(customer_detail(ctx, late.id).follow_ups) == 1


async def test_escape_on_an_empty_form_closes_it_at_once(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("l")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)


async def _board(pilot):
    await pilot.press("p")
    await _settle(pilot)
    assert isinstance(pilot.app.screen, PipelineScreen)
    return pilot.app.screen


async def test_pipeline_moves_through_quote_and_won_with_their_gates(ctx, late):
    deal = customer_detail(ctx, late.id).deals[0]
    app = build_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await _board(pilot)
        assert board.current_card().deal_id == deal.id
        head = str(board.query_one("#head-initial").render())
        # the whole stage name (on two lines if need be), count, sum, weighted at 10%
        assert head.split() == ["Initial", "contact", "1", "·", "Σ", "50k", "≈", "5k"]
        assert "…" not in head
        for _ in range(2):
            await pilot.press("shift+right")
            await _settle(pilot)
        await pilot.press("shift+right")  # proposal -> quote: the gate opens
        await pilot.pause()
        assert isinstance(app.screen, GateForm)
        assert app.screen.query_one("#amount", Input).value == "50,000"  # the deal's amount, to confirm or change
        app.screen.query_one("#amount", Input).value = ""
        await pilot.press("enter")  # nothing filled: the move does not happen
        await _settle(pilot)
        assert isinstance(app.screen, GateForm)
        assert customer_detail(ctx, late.id).deals[0].stage == "proposal"
        await _type(pilot, "6万")
        await pilot.press("enter")
        await _settle(pilot)
        moved = customer_detail(ctx, late.id).deals[0]
        assert (moved.stage, moved.quoted_cents) == ("quote", 6_000_000)
        await pilot.press("s", "6")  # the stage picker: 6 = Won
        await pilot.pause()
        assert isinstance(app.screen, GateForm)
        await _type(pilot, "HT-7")
        await pilot.press("tab")
        await pilot.press("tab")  # the amount is already known
        await _type(pilot, "today")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        detail = customer_detail(ctx, late.id)
        assert detail.deals[0].stage == "won" and [c.number for c in detail.contracts] == ["HT-7"]


async def test_pipeline_lost_needs_a_reason(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await _board(pilot)
        await pilot.press("s", "7")
        await pilot.pause()
        assert isinstance(app.screen, GateForm)
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert customer_detail(ctx, late.id).deals[0].stage == "initial"
        await _type(pilot, "price")
        await pilot.press("enter")
        await _settle(pilot)
        deal = customer_detail(ctx, late.id).deals[0]
        assert (deal.stage, deal.lost_reason) == ("lost", "price")


async def test_a_gate_moves_the_deal_off_the_event_loop_and_once_on_a_second_ctrl_s(ctx, late, monkeypatch):
    import crmtui.tui.dialogs.stage as stage

    from crmtui.services.deals import move_stage

    held = HeldSave(move_stage)
    monkeypatch.setattr(stage, "move_stage", held)
    app = build_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await _board(pilot)
        await pilot.press("s", "7")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, GateForm)
        await _type(pilot, "price")
        await pilot.press("ctrl+s")
        assert await asyncio.to_thread(held.started.wait, 5)
        assert held.threads[0] is not threading.main_thread()
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        assert app.screen is form  # still open while the move runs
        held.release.set()
        await _settle(pilot)
        assert isinstance(app.screen, PipelineScreen)
    assert len(held.threads) == 1
    deal = customer_detail(ctx, late.id).deals[0]
    assert (deal.stage, deal.lost_reason) == ("lost", "price")


async def test_search_as_you_type_and_open(ctx, late):
    add_customer(ctx, "Globex")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("slash")
        await _type(pilot, "zs")
        await _settle(pilot)
        results = app.screen.query_one("#results", OptionList)
        assert [str(o.prompt).split()[0] for o in results.options] == ["张三科技"]
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, CustomerScreen) and app.screen.customer_id == late.id
        assert "张三科技" in str(app.screen.query_one("#customer-title").render())


async def test_a_write_from_another_process_shows_up(ctx, late, subprocess_env):
    other = add_customer(ctx, "Outside Ltd")
    app = build_app(ctx, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert all(i.customer_name != "Outside Ltd" for i in app.screen.items.values())
        subprocess.run(
            [PYTHON, "-m", "crmtui", "log", other.id, "--via", "phone", "--goal", "g", "--met", "--notes", "n",
             "--next-plan", "p", "--next", "today 6pm"],
            env=subprocess_env, check=True, capture_output=True)
        for _ in range(40):  # up to 2 s
            await asyncio.sleep(0.05)
            await pilot.pause()
            if any(i.customer_name == "Outside Ltd" for i in app.screen.items.values()):
                break
        assert any(i.customer_name == "Outside Ltd" and i.section == "due" for i in app.screen.items.values())


async def test_user_data_is_shown_literally(ctx, frozen):
    frozen.move_to(NOW - timedelta(days=2))
    customer = add_customer(ctx, "[bold]x[/] \x1b[31mred")
    _log(ctx, customer.id, "tomorrow")
    frozen.move_to(NOW)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        text = str(app.screen.query_one("#agenda", OptionList).options[1].prompt)
        assert "[bold]x[/] \\x1b[31mred" in text
        await pilot.press("enter")
        await _settle(pilot)
        assert str(app.screen.query_one("#customer-title").render()) == "[bold]x[/] \\x1b[31mred"


async def test_help_lists_every_screens_keys(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        rows = dict((text, keys) for keys, text in app.screen.rows)
        assert rows["Log follow-up"] == "l" and rows["Pipeline"] == "p" and rows["Search"] == "/"
        assert rows["Move forward"] == "⇧→" and rows["Merge a duplicate"] == "m" and rows["Pick the channel"] == "1-7"


async def test_bindings_can_be_remapped_from_config(ctx, late):
    from dataclasses import replace

    ctx.settings = replace(ctx.settings, keys=(("log", "f2"),))
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, FollowUpForm)


async def test_a_failing_load_becomes_a_notification(ctx, late, monkeypatch):
    import crmtui.tui.screens.today as today

    def broken(_ctx, day=None):
        raise RuntimeError("disk on fire")

    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        monkeypatch.setattr(today, "agenda_for", broken)
        app.screen.load()
        await _settle(pilot)
        assert any("disk on fire" in str(n.message) for n in app._notifications)
        assert app.is_running


async def test_a_follow_up_coming_due_while_open_is_announced(ctx, frozen, monkeypatch):
    from dataclasses import replace

    customer = add_customer(ctx, "Soon Ltd")
    _log(ctx, customer.id, "10:30")  # NOW is 10:00
    ctx.settings = replace(ctx.settings, bell=True)
    app = build_app(ctx)
    rings = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app._check_due()
        assert not any("Soon Ltd" in str(n.message) for n in app._notifications)
        frozen.move_to(NOW + timedelta(minutes=31))
        app._check_due()
        await pilot.pause()
        assert any("Follow-up due now: Soon Ltd" in str(n.message) for n in app._notifications)
        assert rings == [1]


async def test_light_and_dark_themes(ctx, late):
    app = build_app(ctx, theme="textual-light")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert app.theme == "textual-light" and not app.current_theme.dark
    dark = build_app(ctx)
    async with dark.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert dark.current_theme.dark


async def test_notifications_show_user_data_literally(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.notify("saved [bold]x[/] \x1b[31m")
        await pilot.pause()
        (note,) = [n for n in app._notifications if "saved" in n.message]
        assert note.message == "saved [bold]x[/] \\x1b[31m" and note.markup is False


async def test_new_lead_warns_about_a_duplicate_and_opens_it(ctx, late):
    from crmtui.tui.dialogs.new_record import NewRecordScreen
    from crmtui.services.customers import list_customers

    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("n", "l")
        await pilot.pause()
        assert isinstance(app.screen, NewRecordScreen) and app.screen.kind == "lead"
        await _type(pilot, "王五")
        await pilot.press("tab", "tab")  # name -> company -> phone
        await _type(pilot, "+86 138-0013-8000")  # the phone of 张三科技
        await _settle(pilot)
        warning = str(app.screen.query_one("#duplicate").render())
        assert warning == "⚠ same Phone as \"张三科技\" — Ctrl+O opens it, Ctrl+S adds anyway"
        await pilot.press("ctrl+o")
        await _settle(pilot)
        assert isinstance(app.screen, CustomerScreen) and app.screen.customer_id == late.id
    assert [c.name for c in list_customers(ctx, ("lead",))] == []  # nothing was added


async def test_new_lead_is_saved_and_converted_from_the_customer_screen(ctx, late):
    from crmtui.services.customers import list_customers

    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("n", "l")
        await _type(pilot, "李雷")
        await pilot.press("tab")
        await _type(pilot, "韩梅梅科技")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        (lead,) = list_customers(ctx, ("lead",))
        assert (lead.name, lead.company) == ("李雷", "韩梅梅科技")
        app.open_customer(lead.id)
        await _settle(pilot)
        await pilot.press("c")
        await _settle(pilot)
        await pilot.press("enter")  # the convert dialog: its proposed next date as it is
        await _settle(pilot)
        detail = customer_detail(ctx, lead.id)
        assert detail.customer.status == "prospect" and detail.customer.name == "韩梅梅科技"
        assert [c.name for c in detail.contacts] == ["李雷"] and len(detail.deals) == 1
        assert "韩梅梅科技" in str(app.screen.query_one("#customer-title").render())  # the screen reloaded


async def test_customer_screen_adds_a_contact_and_a_deal_and_edits_a_field(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(late.id)
        await _settle(pilot)
        await pilot.press("a")
        await _settle(pilot)
        await _type(pilot, "Jane")
        await pilot.press("tab")
        await _type(pilot, "CTO")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        await pilot.press("d")
        await _settle(pilot)
        await _type(pilot, "Support")
        await pilot.press("tab")
        await _type(pilot, "2万")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        await pilot.press("e")
        await _settle(pilot)
        await pilot.press("down", "enter")  # the second field: phone
        await pilot.pause()
        phone = app.screen.query_one("#value", Input)
        phone.value = "not a phone"
        await pilot.press("enter")
        await _settle(pilot)  # the save's worker reports back
        assert phone.value == "not a phone" and not phone.disabled  # refused; the typed value stays
        phone.value = "13912345678"
        await pilot.press("enter")
        await _settle(pilot)
    detail = customer_detail(ctx, late.id)
    assert [(c.name, c.title) for c in detail.contacts] == [("Jane", "CTO")]
    assert {(d.title, d.amount_cents) for d in detail.deals} == {("CRM seats", 5_000_000), ("Support", 2_000_000)}
    assert detail.customer.phone == "13912345678"


async def test_merge_a_duplicate_from_the_customer_screen(ctx, late):
    from crmtui.services.customers import list_customers

    dup = add_customer(ctx, "张三科技(旧)", email="old@zs.example")
    _log(ctx, dup.id, "tomorrow")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(late.id)
        await _settle(pilot)
        await pilot.press("m")
        await _settle(pilot)
        await _type(pilot, "旧")
        await _settle(pilot)
        await pilot.press("enter")  # the first result: one Enter asks to confirm
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await _settle(pilot)
    assert [c.id for c in list_customers(ctx)] == [late.id]
    detail = customer_detail(ctx, late.id)
    assert detail.customer.email == "old@zs.example" and len(detail.follow_ups) == 2


async def test_a_new_record_whose_save_fails_is_notified_and_can_be_saved_again(ctx, late, monkeypatch):
    import crmtui.services.customers as customers

    real, calls = customers.add_lead, []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(customers, "add_lead", fails_once)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("n", "l")
        await _type(pilot, "李雷")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert any("disk full" in str(n.message) for n in app._notifications)
        assert app.screen.query_one("#f-name", Input).value == "李雷"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert len(calls) == 2 and [c.name for c in customers.list_customers(ctx, ("lead",))] == ["李雷"]


async def test_new_deal_from_today_starts_with_the_highlighted_customer(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("n", "d")
        await _settle(pilot)
        assert app.screen.query_one("#f-customer", Input).value == "张三科技"
        await pilot.press("tab")
        await _type(pilot, "Renewal")
        await pilot.press("ctrl+s")
        await _settle(pilot)
    assert "Renewal" in {d.title for d in customer_detail(ctx, late.id).deals}


async def test_a_long_refused_date_wraps_and_the_form_stays_on_screen(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("l")
        await pilot.pause()
        form = app.screen
        form.query_one("#next", Input).focus()
        await _type(pilot, "the day after the harvest festival next year")
        await pilot.pause()
        preview = form.query_one("#preview")
        text = str(preview.render())
        assert 'harvest festival next year" (try e.g.' in text and text.endswith('"2026-12-01")')
        # 12 columns of indent leave 60 for the text: the explanation needs 3 lines, and gets them
        assert preview.content_size.width == 60 and preview.size.height == 3
        dialog, hint = form.query_one("#follow-up"), form.query_one(".hint")
        assert dialog.region.bottom <= 24
        assert hint.region.height >= 1 and hint.region.bottom <= dialog.region.bottom - 1  # above the bottom border


async def test_customer_screen_edits_and_removes_a_contact(ctx, late):
    from crmtui.tui.dialogs.edit import EditContactScreen
    from crmtui.services.customers import add_contact

    add_contact(ctx, late.id, "Jane", title="CTO")
    add_contact(ctx, late.id, "John")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(late.id)
        await _settle(pilot)
        screen = app.screen
        ids = {b.binding.id for b in screen.active_bindings.values()}
        assert {"edit-contact", "remove-contact", "mark-paid"} <= ids  # footer and palette read these
        await pilot.press("shift+tab")  # from the deals to the contacts
        assert app.focused is screen.query_one("#contacts", OptionList)
        await pilot.press("E")  # Jane, the first
        await _settle(pilot)
        edit = app.screen
        assert isinstance(edit, EditContactScreen) and edit.contact.name == "Jane"
        await pilot.press("down", "down", "enter")  # phone
        value = edit.query_one("#value", Input)
        value.value = "no phone"
        await pilot.press("enter")
        await _settle(pilot)  # the save's worker reports back
        assert not value.disabled and value.value == "no phone"  # refused, nothing lost
        value.value = "13912345678"
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # decision maker
        value.value = "y"
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("escape")
        await _settle(pilot)
        assert app.screen is screen
        await pilot.press("down", "x")  # John
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "John" in app.screen.question
        await pilot.press("n")  # kept
        await _settle(pilot)
        assert len(customer_detail(ctx, late.id).contacts) == 2
        await pilot.press("x", "y")
        await _settle(pilot)
        shown = [str(option.prompt) for option in screen.query_one("#contacts", OptionList).options]
        assert len(shown) == 1 and "Jane" in shown[0] and "★" in shown[0]
    contacts = customer_detail(ctx, late.id).contacts
    assert [(c.name, c.phone, c.decision_maker) for c in contacts] == [("Jane", "13912345678", True)]


async def test_customer_screen_marks_an_instalment_paid(ctx, late):
    from datetime import date

    from crmtui.services.deals import PaymentPlan, move_stage

    deal = customer_detail(ctx, late.id).deals[0]
    move_stage(ctx, deal.id, "won", contract_no="HT-9", signed="2026-11-01",
               payments=[PaymentPlan("20000", "2026-11-20"), PaymentPlan("30000", "2026-12-20")])
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(late.id)
        await _settle(pilot)
        screen = app.screen
        rows = [str(option.prompt) for option in screen.query_one("#payments", OptionList).options]
        assert len(rows) == 2
        assert "HT-9" in rows[0] and "due Fri 20 Nov" in rows[0] and "20,000" in rows[0] and "overdue" in rows[0]
        assert "due Sun 20 Dec" in rows[1] and "30,000" in rows[1] and "unpaid" in rows[1]
        await pilot.press("tab")  # from the deals to the instalments
        assert app.focused is screen.query_one("#payments", OptionList)
        await pilot.press("down", "dollar_sign")  # the later one first: refused, the earlier is due first
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("up", "dollar_sign")
        await pilot.pause()
        from crmtui.tui.dialogs.stage import PaidOnForm

        assert isinstance(app.screen, PaidOnForm) and "20,000 due Fri 20 Nov" in app.screen.question
        await pilot.press("escape")
        await _settle(pilot)
        assert all(p.paid_on is None for p in customer_detail(ctx, late.id).payments[screen.detail.contracts[0].id])
        await pilot.press("dollar_sign", "enter")  # the paid date left empty: today
        await _settle(pilot)
        rows = [str(option.prompt) for option in screen.query_one("#payments", OptionList).options]
        assert "paid Tue 24 Nov" in rows[0] and "unpaid" in rows[1]
    detail = customer_detail(ctx, late.id)
    paid = [(p.amount_cents, p.paid_on) for p in detail.payments[detail.contracts[0].id]]
    assert paid == [(2_000_000, date(2026, 11, 24)), (3_000_000, None)]


async def test_customers_without_instalments_show_no_instalment_panel(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(late.id)
        await _settle(pilot)
        assert not app.screen.query_one("#payments").display and not app.screen.query_one("#payments-title").display
        await pilot.press("dollar_sign")
        await pilot.pause()
        assert app.screen.query_one("#payments", OptionList).option_count == 0


async def test_palette_and_help_list_the_customer_screens_contact_and_payment_actions(ctx, late):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(late.id)
        await _settle(pilot)
        await pilot.press("ctrl+p")
        await _type(pilot, "contact")
        await _settle(pilot, 0.3)
        found = [str(option.prompt) for option in app.screen.query_one("CommandList", OptionList).options]
        assert any("Edit contact" in text for text in found) and any("Remove contact" in text for text in found)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        rows = dict((text, keys) for keys, text in app.screen.rows)
        assert rows["Edit contact"] == "E" and rows["Remove contact"] == "x" and rows["Mark instalment paid"] == "$"
