"""Fields have one identity (core/fields.py): the services name a wrong or missing field by its key, and the
English and Chinese messages, the CLI's option hint and the forms' marked widget are all read from that key.

The expected texts are what `crm` printed before the fields had keys (the labels' msgids did not change).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from textual.widgets import Input
from typer.testing import CliRunner

from crmtui.cli.commands import app as cli_app
from crmtui.core import errors, i18n
from crmtui.core.errors import InvalidInput, MissingFields
from crmtui.core.fields import FIELDS, Field
from crmtui.services.customers import add_contact, add_customer, edit_contact
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up

runner = CliRunner()


@pytest.fixture
def chinese():  # type: ignore[no-untyped-def]
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


@pytest.fixture
def chinese_config(home: Path):  # type: ignore[no-untyped-def]
    """`crm` in Chinese (it sets the language from the config; set back to English afterwards)."""
    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "zh"\n', encoding="utf-8")
    yield
    i18n.set_language("en")


def _missing(ctx, **given) -> MissingFields:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme")
    values = {"channel": None, "goal": None, "goal_met": None, "notes": None, "next_plan": None, "next_at": None}
    with pytest.raises(MissingFields) as caught:
        log_follow_up(ctx, acme.id, **{**values, **given})
    return caught.value


# ---------------------------------------------------------------- the services name fields by key


def test_a_follow_up_names_its_missing_fields_by_key(ctx):
    assert _missing(ctx).fields == ["channel", "goal", "goal_met", "notes", "next_plan", "next_at"]


def test_the_gates_name_their_missing_fields_by_key(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats")
    # Won from Initial contact skips Quote: its quoted amount is asked too
    gates = {"quote": ["quoted_amount"], "won": ["quoted", "contract_no", "amount", "signed_on"], "lost": ["lost_reason"]}
    for stage, keys in gates.items():
        with pytest.raises(MissingFields) as caught:
            move_stage(ctx, deal.id, stage)
        assert caught.value.fields == keys
        assert all(key in FIELDS for key in keys)


def test_a_wrong_next_date_and_a_wrong_yes_no_are_named_by_key(ctx):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput) as caught:
        log_follow_up(ctx, acme.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p", next_at="昨天")
    assert caught.value.field == "next_at"
    wang = add_contact(ctx, acme.id, "Wang")
    with pytest.raises(InvalidInput) as caught:
        edit_contact(ctx, wang.id, {"decision_maker": "maybe"})
    assert caught.value.field == "decision_maker"
    assert str(caught.value) == 'decision maker: y or n (是 or 否) (got "maybe")'


def test_a_contacts_title_is_its_job_title_not_a_deals_title(ctx):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput) as caught:
        add_contact(ctx, acme.id, "Wang", title="x" * 201)
    assert caught.value.field == "job_title"
    assert str(caught.value) == "title: at most 200 characters (got 201)"
    wang = add_contact(ctx, acme.id, "Wang")
    with pytest.raises(InvalidInput) as caught:
        edit_contact(ctx, wang.id, {"title": "Head\nof sales"})
    assert caught.value.field == "job_title"
    assert str(caught.value).startswith("title: a single line (no line breaks)")


def test_a_contacts_wrong_title_is_named_job_title_in_chinese(ctx, chinese):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput) as caught:
        add_contact(ctx, acme.id, "Wang", title="Head\nof sales")
    assert caught.value.message().startswith("职位：")


def test_an_error_takes_a_field_object_as_well_as_its_key():
    assert MissingFields([FIELDS["goal_met"], "notes"], "a follow-up").fields == ["goal_met", "notes"]
    assert InvalidInput(FIELDS["paid_on"], "a date").field == "paid_on"


# ---------------------------------------------------------------- the messages read as before


def test_english_messages_name_missing_fields_as_before(ctx):
    assert str(_missing(ctx)) == "a follow-up needs: channel, goal, goal met (yes/no), notes, next plan, next date"
    acme = add_customer(ctx, "Beta")
    deal = add_deal(ctx, acme.id, "Seats")
    with pytest.raises(MissingFields) as caught:
        move_stage(ctx, deal.id, "lost")
    assert str(caught.value) == ("moving to Lost needs: reason (e.g. price, competitor, no budget, no decision, timing,"
                                 " no response, other)")
    with pytest.raises(MissingFields) as caught:
        move_stage(ctx, deal.id, "quote")
    assert str(caught.value) == "moving to Quote needs: amount (the quoted amount)"


def test_chinese_messages_name_missing_fields_by_their_labels_as_before(ctx, chinese):
    assert _missing(ctx).message() == "跟进记录还缺少：沟通方式, 本次目标, 是否达成？, 跟进内容, 下次计划, 下次联系"
    acme = add_customer(ctx, "Beta")
    deal = add_deal(ctx, acme.id, "Seats", stage="negotiation")  # Won skips no stage from here
    with pytest.raises(MissingFields) as caught:
        move_stage(ctx, deal.id, "won")
    assert caught.value.message() == "移到赢单阶段还缺少：合同编号, 金额, 签约日期"
    with pytest.raises(MissingFields) as caught:
        move_stage(ctx, deal.id, "lost")
    assert caught.value.message() == "移到丢单阶段还缺少：丢单原因（如 价格、竞品、没有预算、时机）"


def test_the_cli_hint_names_met_not_met_for_goal_met(ctx):
    add_customer(ctx, "Acme")
    result = runner.invoke(cli_app, ["log", "Acme", "--via", "phone", "--goal", "g", "--notes", "n",
                                     "--next-plan", "p", "--next", "明天"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: a follow-up needs: goal met (yes/no) (give --met/--not-met)"


def test_the_cli_in_chinese_words_missing_fields_and_options_as_before(ctx, chinese_config):
    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, "Seats", stage="negotiation")  # Won skips no stage from here
    result = runner.invoke(cli_app, ["stage", "Seats", "won"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "错误：移到赢单阶段还缺少：合同编号, 金额, 签约日期 （请补上 --contract-no, --amount, --signed）"
    result = runner.invoke(cli_app, ["stage", "Seats", "won", "--contract-no", "X1", "--amount", "1000",
                                     "--signed", "2026-11-25"])
    assert result.stderr.strip() == '错误：签约日期：不晚于今天的日期（输入的是 "2026-11-25"）'


# ---------------------------------------------------------------- the registry holds together


def test_every_option_a_field_names_is_an_option_of_the_command_that_fills_it():
    import typer.main

    group = typer.main.get_command(cli_app)
    commands = {"log": ("channel", "goal", "goal_met", "notes", "next_plan", "next_at"),
                "stage": ("amount", "quoted_amount", "contract_no", "signed_on", "end_on", "payment", "payment_due",
                          "payment_amount", "lost_reason"),
                "paid": ("paid_on",)}
    for name, keys in commands.items():
        options = {opt for param in group.commands[name].params for opt in (*param.opts, *param.secondary_opts)}
        for key in keys:
            assert set(FIELDS[key].flag.split("/")) <= options, (name, key)


def test_a_registered_field_is_never_named_by_its_code_key_in_english():
    # a key like next_at is the code's; the rep reads "next date"
    for field in FIELDS.values():
        assert "_" not in field.name, field.key


def test_an_unregistered_field_is_shown_as_it_is():
    error = InvalidInput("config phone_region", "a code", "XX")
    assert str(error) == 'config phone_region: a code (got "XX")'
    assert Field("dsn").shown() == "dsn"


def test_errors_import_what_they_word_at_the_top():
    tree = ast.parse(inspect.getsource(errors))
    inner = [node for function in ast.walk(tree) if isinstance(function, ast.FunctionDef)
             for node in ast.walk(function) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert inner == []


# ---------------------------------------------------------------- the forms mark the field's widget


async def _settle(pilot):  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _gate(pilot, customer_id, key):  # type: ignore[no-untyped-def]
    from crmtui.tui.dialogs.stage import GateForm

    await _settle(pilot)
    pilot.app.open_customer(customer_id)
    await _settle(pilot)
    await pilot.press("s", key)
    await _settle(pilot)
    assert isinstance(pilot.app.screen, GateForm)
    return pilot.app.screen


async def test_the_won_gate_marks_the_amount_and_the_signed_date_it_is_missing(ctx):
    from crmtui.tui.app import build_app

    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, "Seats")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _gate(pilot, acme.id, "6")
        form.query_one("#contract_no", Input).value = "HT-001"
        form.query_one("#signed", Input).value = ""  # it starts with today
        await pilot.press("ctrl+s")
        await _settle(pilot)
        # Won from Initial contact skips Quote: its quoted amount is asked too
        assert {widget.id for widget in form.query(".missing")} == {"quoted", "amount", "signed"}


async def test_the_quote_gate_marks_the_amount_for_the_quoted_amount(ctx):
    from crmtui.tui.app import build_app

    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, "Seats")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _gate(pilot, acme.id, "4")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert {widget.id for widget in form.query(".missing")} == {"amount"}


async def test_the_won_gate_focuses_a_signed_date_in_the_future(ctx):
    from crmtui.tui.app import build_app

    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, "Seats", amount="1000")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _gate(pilot, acme.id, "6")
        form.query_one("#contract_no", Input).value = "HT-001"
        form.query_one("#signed", Input).value = "2026-11-25"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert {widget.id for widget in form.query(".missing")} == {"signed"}
        assert app.focused is form.query_one("#signed", Input)


async def test_the_new_contact_form_marks_the_title_it_refuses(ctx):
    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.new_record import NewRecordScreen

    add_customer(ctx, "Acme")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        await pilot.press("n", "t")
        await _settle(pilot)
        form = app.screen
        assert isinstance(form, NewRecordScreen) and form.kind == "contact"
        form.query_one("#f-customer", Input).value = "Acme"
        form.query_one("#f-name", Input).value = "Wang"
        form.query_one("#f-title", Input).value = "x" * 201
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.screen is form
        assert {widget.id for widget in form.query(".missing")} == {"f-title"}
        assert app.focused is form.query_one("#f-title", Input)



async def test_the_new_contact_form_labels_the_title_as_a_job_title(ctx, chinese):
    from textual.widgets import Label

    from crmtui.tui.app import build_app

    add_customer(ctx, "Acme")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        await pilot.press("n", "t")
        await _settle(pilot)
        title_row = app.screen.query_one("#f-title", Input).parent
        assert str(title_row.query_one(Label).render()) == "职位"  # as its refusal names it; a deal's title is 标题


# ---------------------------------------------------------------- no prose as a key


def test_every_field_is_keyed_by_a_code_name_not_by_words_or_an_option():
    for key in FIELDS:
        assert key.isidentifier() and key.islower(), key


def test_converting_names_a_wrong_deal_title_by_its_key(ctx, chinese):
    from crmtui.services.convert import convert_lead
    from crmtui.services.customers import add_lead

    lead = add_lead(ctx, "Li Lei", company="LiCo")
    with pytest.raises(InvalidInput) as caught:
        convert_lead(ctx, lead.id, deal_title="a\nb")
    assert caught.value.field == "deal_title" and caught.value.field in FIELDS
    assert str(caught.value).startswith("deal title: ")  # English as before
    assert caught.value.message().startswith(FIELDS["deal_title"].shown() + "：")  # Chinese by its label


def test_an_unreadable_config_file_is_named_by_its_key(tmp_path):
    from crmtui.core.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text("timezone = \n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_settings(path)
    assert caught.value.field == "config_file" and caught.value.field in FIELDS
    assert str(caught.value).startswith("config file: valid TOML in ")


def test_a_wrong_rejected_change_to_dismiss_is_named_by_its_key(ctx):
    ctx.close()
    result = runner.invoke(cli_app, ["sync", "conflicts", "--dismiss", "x1"])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1
    assert result.stderr.startswith("error: --dismiss: the number of a rejected change")  # the option the rep typed


def test_a_wrong_rejected_change_to_dismiss_is_named_by_its_label_in_chinese(ctx, chinese_config):
    ctx.close()
    result = runner.invoke(cli_app, ["sync", "conflicts", "--dismiss", "x1"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"错误：{FIELDS['dismiss'].shown()}：")
    assert FIELDS["dismiss"].shown() != "dismiss"
