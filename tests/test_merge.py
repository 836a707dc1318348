"""Merging duplicates loses nothing and shows its plan first; converting a lead keeps its pending work on Today."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from textual.widgets import Input, Label, Static
from typer.testing import CliRunner

from crmtui.app import build_app
from crmtui.cli import app as cli_app
from crmtui.errors import InvalidInput, NotAllowed
from crmtui.screens.confirm import ConfirmScreen
from crmtui.services.agenda import agenda_for
from crmtui.services.customers import (
    MergeContact,
    add_contact,
    add_customer,
    add_lead,
    convert_lead,
    customer_detail,
    describe_merge,
    edit_customer,
    list_customers,
    merge_customers,
    merge_plan,
)
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.search import search

from .conftest import NOW, ZONE
from .test_tui import SIZE, _settle, _type

runner = CliRunner()


def crm(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli_app, list(args))


def _log(ctx, customer_id, next_at):  # type: ignore[no-untyped-def]
    return log_follow_up(ctx, customer_id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                         next_at=next_at)


def _new_leads(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.customer_id for item in agenda_for(ctx).sections["new_leads"]]


# ---------------------------------------------------------------- merge: the plan and nothing lost


@pytest.fixture
def acmes(ctx):
    keep = add_customer(ctx, "Acme", phone="13800138000", email="sales@acme.example", industry="制造", region="北京",
                        source="展会", tags=["VIP"])
    other = add_customer(ctx, "Acme East", phone="13900139000", email="other@acme.example", wechat="acme_wx",
                         industry="零售", region="北京市", source="官网", interest="CRM", tags=["VIP", "华东"], force=True)
    add_contact(ctx, other.id, "Bob")
    add_deal(ctx, other.id, "Seats")
    _log(ctx, other.id, "in 3 days")
    return keep, other


def test_the_plan_says_what_fills_what_becomes_a_contact_and_what_moves(ctx, acmes):
    keep, other = acmes
    plan = merge_plan(ctx, keep.id, other.id)
    assert plan.filled == (("interest", "CRM"), ("wechat", "acme_wx"))
    # region 北京 / 北京市 say the same; industry and source differ
    assert plan.differing == (("industry", "制造", "零售"), ("source", "展会", "官网"))
    assert plan.new_contact == MergeContact("Acme East", "13900139000", "other@acme.example", "acme_wx",
                                            "merged from Acme East: Industry 零售; Source 官网")
    assert (plan.contacts, plan.deals, plan.follow_ups, plan.contracts, plan.tags) == (1, 1, 1, 0, 1)
    assert plan.next_follow_up_at == datetime(2026, 11, 27, 9, 0, tzinfo=ZONE)  # keep has none: the other's
    assert plan.status is None
    lines = describe_merge(ctx, plan)
    assert lines[0] == "Merge Acme East into Acme; Acme East is then removed."
    assert "  fills empty fields: Interest CRM, WeChat acme_wx" in lines
    assert "  keeps Acme's Industry 制造, Source 展会" in lines
    assert ("  new contact: Acme East (13900139000, other@acme.example, acme_wx)"
            " · merged from Acme East: Industry 零售; Source 官网") in lines
    assert "  moves 1 contacts, 1 deals, 1 follow-ups, 0 contracts, 1 tags" in lines
    # nothing was written by planning
    assert {c.name for c in list_customers(ctx)} == {"Acme", "Acme East"}


def test_merging_applies_the_plan_and_loses_nothing(ctx, acmes):
    keep, other = acmes
    merge_customers(ctx, keep.id, other.id, expected=merge_plan(ctx, keep.id, other.id))
    detail = customer_detail(ctx, keep.id)
    customer = detail.customer
    assert (customer.phone, customer.email, customer.industry, customer.source) == (
        "13800138000", "sales@acme.example", "制造", "展会")  # keep's own values stay
    assert (customer.wechat, customer.interest) == ("acme_wx", "CRM")  # empty ones filled
    made = {c.name: c for c in detail.contacts}
    assert sorted(made) == ["Acme East", "Bob"]
    assert (made["Acme East"].phone, made["Acme East"].email) == ("13900139000", "other@acme.example")
    assert made["Acme East"].title == "merged from Acme East: Industry 零售; Source 官网"
    assert sorted(detail.tags) == ["VIP", "华东"]
    assert [d.title for d in detail.deals] == ["Seats"] and len(detail.follow_ups) == 1
    # the other's phone and email still find the kept customer
    assert keep.id in {hit.customer_id for hit in search(ctx, "other@acme")}
    assert keep.id in {hit.customer_id for hit in search(ctx, "13900139000")}


def test_a_person_lead_merged_into_a_company_becomes_its_contact(ctx):
    globex = add_customer(ctx, "Globex Health", phone="02188886666", industry="医疗")
    lead = add_lead(ctx, "王五", phone="13700001111", email="ww@example.cn", force=True)
    plan = merge_plan(ctx, globex.id, lead.id)
    assert plan.new_contact == MergeContact("王五", "13700001111", "ww@example.cn", None, "merged from 王五")
    merge_customers(ctx, globex.id, lead.id)
    assert plan.filled == ()  # a person's phone and email are theirs, not the company's
    (contact,) = customer_detail(ctx, globex.id).contacts
    assert (contact.name, contact.phone, contact.email) == ("王五", "13700001111", "ww@example.cn")
    customer = customer_detail(ctx, globex.id).customer
    assert (customer.phone, customer.email) == ("02188886666", None)
    assert globex.id in {hit.customer_id for hit in search(ctx, "ww@example")}


def test_no_contact_is_made_when_an_identical_one_exists(ctx):
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Bob Li", phone="13500001111")
    lead = add_lead(ctx, "Bob Li", phone="135 0000 1111", force=True)
    plan = merge_plan(ctx, acme.id, lead.id)
    assert plan.new_contact is None
    merge_customers(ctx, acme.id, lead.id)
    assert [c.name for c in customer_detail(ctx, acme.id).contacts] == ["Bob Li"]


def test_values_written_differently_are_the_same_values_not_differences(ctx):
    keep = add_customer(ctx, "Acme", company="Acme Ltd", region="北京", phone="13800138000", email="Sales@acme.example",
                        industry="Retail")
    other = add_customer(ctx, "ACME Ltd.", company="ACME", region="Beijing", phone="+86 138 0013 8000",
                         email=" sales@ACME.example", industry="retail ", force=True)
    plan = merge_plan(ctx, keep.id, other.id)
    assert (plan.filled, plan.differing, plan.new_contact) == ((), (), None)
    merge_customers(ctx, keep.id, other.id)
    assert customer_detail(ctx, keep.id).contacts == []
    # 北京市 and Beijing name one place too; 上海 is another, and is kept on the contact
    edit_customer(ctx, keep.id, {"region": "北京市"})
    third = add_customer(ctx, "Acme", region="Beijing", force=True)
    assert merge_plan(ctx, keep.id, third.id).differing == ()
    fourth = add_customer(ctx, "Acme", region="上海市", company="Acme Shanghai", force=True)
    plan = merge_plan(ctx, keep.id, fourth.id)
    assert plan.differing == (("company", "Acme Ltd", "Acme Shanghai"), ("region", "北京市", "上海市"))
    assert plan.new_contact is not None
    assert plan.new_contact.title == "merged from Acme: Company Acme Shanghai; Region 上海市"


@pytest.mark.parametrize(("keep_days", "other_days"), [(5, 2), (2, 5)])
def test_the_merged_record_keeps_the_earlier_next_follow_up(ctx, keep_days, other_days):
    keep = add_customer(ctx, "Acme")
    other = add_customer(ctx, "Acme Old")
    _log(ctx, keep.id, f"in {keep_days} days")
    _log(ctx, other.id, f"in {other_days} days")
    merged = merge_customers(ctx, keep.id, other.id)
    earlier = datetime(2026, 11, 24 + min(keep_days, other_days), 9, 0, tzinfo=ZONE)
    assert ctx.clock.to_local(merged.next_follow_up_at) == earlier
    assert ctx.clock.to_local(customer_detail(ctx, keep.id).customer.next_follow_up_at) == earlier


def test_a_plan_that_no_longer_holds_is_refused(ctx, acmes):
    keep, other = acmes
    shown = merge_plan(ctx, keep.id, other.id)
    edit_customer(ctx, other.id, {"phone": "13600136000"})
    with pytest.raises(NotAllowed, match="changed since the merge was shown"):
        merge_customers(ctx, keep.id, other.id, expected=shown)
    assert {c.name for c in list_customers(ctx)} == {"Acme", "Acme East"}


def test_crm_merge_shows_the_plan_before_asking_and_with_yes(ctx, acmes):
    keep, other = acmes
    asked = crm("merge", "Acme", "Acme East")  # not at a terminal: the plan and the question, nothing done
    assert asked.exit_code == 1
    assert "Merge Acme East into Acme; Acme East is then removed." in asked.stderr
    assert "new contact: Acme East (13900139000, other@acme.example, acme_wx)" in asked.stderr
    assert "Pass --yes to confirm" in asked.stderr
    assert {c.name for c in list_customers(ctx)} == {"Acme", "Acme East"}
    done = crm("merge", "Acme", "Acme East", "--yes")
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == "Merge Acme East into Acme; Acme East is then removed."
    assert "  moves 1 contacts, 1 deals, 1 follow-ups, 0 contracts, 1 tags" in lines
    assert lines[-1] == "merged Acme East into Acme"
    assert [c.id for c in list_customers(ctx)] == [keep.id]


async def test_merging_a_lead_in_the_app_shows_the_plan_and_makes_the_contact(ctx):
    globex = add_customer(ctx, "Globex Health", phone="02188886666")
    add_lead(ctx, "王五", phone="13700001111", force=True)
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(globex.id)
        await _settle(pilot)
        await pilot.press("m")
        await _settle(pilot)
        await _type(pilot, "王五")
        await _settle(pilot)
        await pilot.press("enter", "enter")  # to the results, pick 王五
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query(Static).first().render())
        assert "Merge 王五 into Globex Health; 王五 is then removed." in question
        assert "new contact: 王五 (13700001111) · merged from 王五" in question
        assert len(list_customers(ctx)) == 2  # nothing happens before yes
        await pilot.press("y")
        await _settle(pilot)
    assert [c.id for c in list_customers(ctx)] == [globex.id]
    assert [(c.name, c.phone) for c in customer_detail(ctx, globex.id).contacts] == [("王五", "13700001111")]


# ---------------------------------------------------------------- convert keeps the lead on Today


@pytest.fixture
def old_lead(ctx, frozen):
    """李雷 of 韩梅梅科技, a lead created 30 h ago (past the 24 h speed-to-lead window) whom nobody called."""
    frozen.move_to(NOW - timedelta(hours=30))
    lead = add_lead(ctx, "李雷", company="韩梅梅科技", phone="13500001111")
    frozen.move_to(NOW)
    return lead


def test_a_lead_converted_before_anyone_called_stays_among_the_new_leads(ctx, old_lead):
    assert _new_leads(ctx) == [old_lead.id]
    convert_lead(ctx, old_lead.id)
    assert _new_leads(ctx) == [old_lead.id]
    (item,) = agenda_for(ctx).sections["new_leads"]
    assert item.reason == "new lead, not contacted for 30 h"
    _log(ctx, old_lead.id, "tomorrow")  # the first call takes it off
    assert _new_leads(ctx) == []


def test_a_converted_lead_inside_the_window_is_not_yet_late(ctx, frozen):
    frozen.move_to(NOW - timedelta(hours=2))
    lead = add_lead(ctx, "韩梅梅")
    frozen.move_to(NOW)
    convert_lead(ctx, lead.id)
    assert _new_leads(ctx) == []


def test_a_prospect_with_a_follow_up_planned_is_not_a_new_lead(ctx, old_lead):
    convert_lead(ctx, old_lead.id, next_at="tomorrow 10:00")
    customer = customer_detail(ctx, old_lead.id).customer
    assert ctx.clock.to_local(customer.next_follow_up_at) == datetime(2026, 11, 25, 10, 0, tzinfo=ZONE)
    assert _new_leads(ctx) == []
    assert [i.customer_id for i in agenda_for(ctx, NOW.date() + timedelta(days=1)).sections["due"]] == [old_lead.id]


def test_a_past_next_date_is_refused_and_the_lead_stays_a_lead(ctx, old_lead):
    with pytest.raises(InvalidInput, match="next"):
        convert_lead(ctx, old_lead.id, next_at="yesterday")
    with pytest.raises(InvalidInput, match="next"):
        convert_lead(ctx, old_lead.id, next_at=NOW - timedelta(minutes=1))
    assert customer_detail(ctx, old_lead.id).customer.status == "lead"


def test_crm_convert_with_and_without_next(ctx, old_lead):
    other = add_lead(ctx, "韩梅梅", company="李雷科技")
    result = crm("convert", "李雷", "--next", "tomorrow 10:00")
    assert result.exit_code == 0, result.output
    assert "next follow-up: Wed 25 Nov 10:00" in result.stdout
    result = crm("convert", "韩梅梅")
    assert result.exit_code == 0, result.output
    assert "no follow-up planned: it stays among the new leads to call on Today" in result.stdout
    assert customer_detail(ctx, other.id).customer.next_follow_up_at is None
    bad = crm("convert", "李雷", "--next", "tomorrow")  # already converted: not a lead any more
    assert bad.exit_code == 1
    today = json.loads(crm("today", "--json").stdout)
    assert today["totals"]["new_leads"] == 0  # 韩梅梅 is only minutes old


async def test_the_convert_dialog_proposes_tomorrow_10_and_takes_an_edit(ctx, old_lead):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(old_lead.id)
        await _settle(pilot)
        await pilot.press("c")
        await _settle(pilot)
        field = app.screen.query_one("#convert-next", Input)
        assert field.value == "2026-11-25 10:00"
        await pilot.press("escape")  # cancel: still a lead
        await _settle(pilot)
        assert customer_detail(ctx, old_lead.id).customer.status == "lead"
        await pilot.press("c")
        await _settle(pilot)
        field = app.screen.query_one("#convert-next", Input)
        field.value = ""
        await _type(pilot, "fri 3pm")
        await _settle(pilot)
        assert str(app.screen.query_one("#convert-preview", Label).render()) == "→ Fri 27 Nov 15:00"
        await pilot.press("enter")
        await _settle(pilot)
    customer = customer_detail(ctx, old_lead.id).customer
    assert (customer.status, customer.name) == ("prospect", "韩梅梅科技")
    assert ctx.clock.to_local(customer.next_follow_up_at) == datetime(2026, 11, 27, 15, 0, tzinfo=ZONE)
