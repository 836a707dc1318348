"""A revisit plan line (DAYS [CHANNEL] PURPOSE) with a mistyped channel is refused instead of silently becoming a
phone call whose purpose starts with the typo; days out of 0-3650 say so; the Won form names its own field
("Revisits"), the command line its option (--revisit). Frozen clock: Tue 2026-11-24 10:00 Asia/Shanghai."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from crmtui.core.errors import InvalidInput
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal, deal_fields
from crmtui.services.revisits import RevisitLine, parse_line, plan_preview, revisit_timeline
from crmtui.tui.app import build_app
from tests.pilot import until

from .test_cli import fails
from .test_tui_revisits import SIZE, _customer_screen, _plan_preview, _won_form


@pytest.mark.parametrize(("text", "typed", "meant"), [
    ("1 phnoe call", "phnoe", "phone"),
    ("30 vist check", "vist", "visit"),
    ("30 emial the manual", "emial", "email"),
    ("30 meetign review", "meetign", "meeting"),
    ("3 wechta send photos", "wechta", "wechat"),
    ("3 点话 确认交付", "点话", "电话"),  # the same pinyin (dianhua)
    ("3 电活 确认交付", "电活", "电话"),  # dianhuo: one letter off
    ("30 拜仿 检查安装", "拜仿", "拜访"),
])
def test_a_word_close_to_a_channel_is_refused_naming_the_field_and_the_channels(text, typed, meant):
    with pytest.raises(InvalidInput) as caught:
        parse_line(text)
    refusal = caught.value
    assert refusal.field == "revisit_plan"
    assert str(refusal) == (f'--revisit: "{typed}" is no channel (did you mean {meant}?): one of phone, wechat, '
                            f'visit, email, meeting, sms, other, or no channel for a phone call (got "{text}")')


@pytest.mark.parametrize(("text", "line"), [
    ("30 check the installation", RevisitLine(30, "phone", "check the installation")),
    ("30 test the machine", RevisitLine(30, "phone", "test the machine")),  # test/text: 0.75, under 0.8
    ("30 next steps", RevisitLine(30, "phone", "next steps")),
    ("30 main unit check", RevisitLine(30, "phone", "main unit check")),  # main/mail: 0.75
    ("30 上午 确认", RevisitLine(30, "phone", "上午 确认")),  # shangwu is not shangmen (上门)
    ("30 检查 安装", RevisitLine(30, "phone", "检查 安装")),
    ("30 vist", RevisitLine(30, "phone", "vist")),  # one word: the purpose, there is no channel to mistype
    ("30 visit check", RevisitLine(30, "visit", "check")),
    ("30 上门 检查", RevisitLine(30, "visit", "检查")),
])
def test_a_word_unlike_any_channel_stays_in_the_purpose(text, line):
    assert parse_line(text) == line


@pytest.mark.parametrize("text", ["99999 phone x", "3651 phone x", "-3 phone x"])
def test_days_out_of_range_say_the_range(text):
    with pytest.raises(InvalidInput) as caught:
        parse_line(text)
    assert str(caught.value) == f'--revisit: days after signing from 0 to 3650 (got "{text}")'


def test_the_forms_preview_names_the_forms_field(ctx):
    assert plan_preview(ctx, "1 phnoe call", "today").startswith('Revisits: "phnoe" is no channel (did you mean phone?)')
    assert plan_preview(ctx, "99999 phone x", "today") == 'Revisits: days after signing from 0 to 3650 (got "99999 phone x")'


def test_the_command_line_names_its_option_and_moves_nothing(ctx):
    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, "Seats", amount="120000")
    result = fails("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today", "--revisit", "30 vist check")
    assert result.exit_code == 1
    assert '--revisit: "vist" is no channel (did you mean visit?)' in result.stderr
    assert revisit_timeline(ctx, acme.id).revisits == ()


async def test_the_won_form_names_revisits_and_moves_nothing(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="120000")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _customer_screen(app, pilot, acme.id)
        form = await _won_form(app, pilot)
        form.query_one("#revisits", Input).value = "3 phone Confirm; 30 vist check"
        await until(pilot, lambda: "is no channel" in _plan_preview(form))
        assert _plan_preview(form).startswith('Revisits: "vist" is no channel (did you mean visit?)')
        assert "--revisit" not in _plan_preview(form)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: form.query_one("#revisits", Input).has_class("missing"), workers=True)
        said = [str(n.message) for n in app._notifications]
        assert any(m.startswith('Revisits: "vist" is no channel') for m in said), said
        assert not any("--revisit" in m for m in said)
        assert app.screen is form
    assert deal_fields(ctx, deal.id).stage == "initial"
    assert revisit_timeline(ctx, acme.id).revisits == ()
