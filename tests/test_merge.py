"""Merging duplicates loses nothing and shows its plan first; converting a lead keeps its pending work on Today."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

import pytest
from textual.widgets import Input, Label, Static
from typer.testing import CliRunner

from crmtui.tui.app import build_app
from crmtui.cli.commands import app as cli_app
from crmtui.core.errors import Ambiguous, InvalidInput, NotAllowed
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.services.agenda import agenda_for
from crmtui.services import agenda_words
from crmtui.services.convert import SeveralCustomersNamed, conversion_target, convert_lead
from crmtui.services.customers import add_contact, add_customer, add_lead, customer_detail, edit_customer, list_customers
from crmtui.services.merge import MergeContact, describe_merge, merge_customers, merge_plan
from crmtui.services.customers import delete_contact
from crmtui.services.deals import add_deal, delete_deal, mark_paid, move_stage, parse_schedule, voided_contracts
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
    assert (plan.contacts, plan.deals, plan.follow_ups, plan.contracts, plan.instalments, plan.tags) == (1, 1, 1, 0, 0, 1)
    assert plan.voided_contracts == ()
    assert plan.next_follow_up_at == datetime(2026, 11, 27, 9, 0, tzinfo=ZONE)  # keep has none: the other's
    assert plan.status is None
    lines = describe_merge(ctx, plan)
    assert lines[0] == "Merge Acme East into Acme; Acme East is then removed."
    assert "  fills empty fields: Interest CRM, WeChat acme_wx" in lines
    assert "  keeps Acme's Industry 制造, Source 展会" in lines
    assert ("  new contact: Acme East (13900139000, other@acme.example, acme_wx)"
            " · merged from Acme East: Industry 零售; Source 官网") in lines
    assert "  moves 1 contacts, 1 deals, 1 follow-ups, 0 contracts with 0 instalments, 1 tags" in lines
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
    assert "  moves 1 contacts, 1 deals, 1 follow-ups, 0 contracts with 0 instalments, 1 tags" in lines
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


@pytest.fixture
def east_with_history(ctx, frozen):
    """Acme, and its duplicate Acme East holding every kind of record, live and tombstoned:
    deal Seats won as HT-001 (2 instalments, 60,000 paid) then reopened on 25 Nov, so HT-001 is voided;
    deal Old won as HT-003 (1 instalment) then removed on 26 Nov; deal Support won as HT-002 (1 instalment), live;
    contact Bob, and contact Carl who was removed after a follow-up named him and deal Old; tags VIP and 华东."""
    keep = add_customer(ctx, "Acme", tags=["VIP"])
    east = add_customer(ctx, "Acme East", tags=["VIP", "华东"], force=True)
    seats = add_deal(ctx, east.id, "Seats", amount="120000")
    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="2026-11-01",
               payments=parse_schedule("60000@2026-11-20, 60000@2027-01-20"))
    mark_paid(ctx, east.id, paid_on="2026-11-20")
    old = add_deal(ctx, east.id, "Old", amount="5000")
    move_stage(ctx, old.id, "won", contract_no="HT-003", signed="today")
    support = add_deal(ctx, east.id, "Support", amount="30000")
    move_stage(ctx, support.id, "won", contract_no="HT-002", signed="today")
    add_contact(ctx, east.id, "Bob")
    carl = add_contact(ctx, east.id, "Carl")
    log_follow_up(ctx, east.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at="in 3 days", contact_id=carl.id, deal_id=old.id)
    frozen.move_to(NOW + timedelta(days=1))
    move_stage(ctx, seats.id, "negotiation", reopen=True)
    frozen.move_to(NOW + timedelta(days=2))
    delete_deal(ctx, old.id)
    delete_contact(ctx, carl.id)
    return keep, east


def _rows_naming(ctx, customer_id):  # type: ignore[no-untyped-def]
    """(table, row id) of every synced row whose customer_id is this customer, tombstones included, in every table
    that has the column (so a table added later is checked too)."""
    connection = sqlite3.connect(ctx.db.path)
    try:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if {"customer_id", "deleted_at"} <= {row[1] for row in connection.execute(f"PRAGMA table_info({name})")}]
        return sorted((table, row_id) for table in tables
                      for (row_id,) in connection.execute(f"SELECT id FROM {table} WHERE customer_id = ?", (customer_id,)))
    finally:
        connection.close()


def test_the_plan_names_the_voided_contracts_and_the_instalments_that_move(ctx, east_with_history):
    keep, east = east_with_history
    plan = merge_plan(ctx, keep.id, east.id)
    # live: Seats (reopened) and Support; HT-002 with its one instalment; HT-003 voided on 26 Nov, HT-001 on 25 Nov
    assert (plan.contacts, plan.deals, plan.follow_ups, plan.contracts, plan.instalments, plan.tags) == (1, 2, 1, 1, 1, 1)
    assert plan.voided_contracts == ("HT-003 (5,000)", "HT-001 (120,000)")
    lines = describe_merge(ctx, plan)
    assert "  moves 1 contacts, 2 deals, 1 follow-ups, 1 contracts with 1 instalments, 1 tags" in lines
    assert "  also moves Acme East's voided contracts, as history: HT-003 (5,000), HT-001 (120,000)" in lines


def test_a_merge_moves_every_record_tombstones_too_and_the_history_shows_on_the_kept_customer(ctx, east_with_history):
    keep, east = east_with_history
    before = _rows_naming(ctx, east.id)
    assert len(before) == 11  # 3 deals, 3 contracts, 2 contacts, 1 follow-up, 2 tags
    merge_customers(ctx, keep.id, east.id, expected=merge_plan(ctx, keep.id, east.id))
    assert _rows_naming(ctx, east.id) == []
    assert set(before) <= set(_rows_naming(ctx, keep.id))
    history = [(v.number, v.paid_cents, v.deal_removed, v.to_stage) for v in voided_contracts(ctx, keep.id)]
    assert history == [("HT-003", 0, True, None), ("HT-001", 6_000_000, False, "negotiation")]
    detail = customer_detail(ctx, keep.id)
    assert [c.number for c in detail.contracts] == ["HT-002"]
    assert sorted(d.title for d in detail.deals) == ["Seats", "Support"] and detail.tags == ["VIP", "华东"]
    # the follow-up and the removed contact and deal it names belong to one customer, as the server requires
    follow_up = detail.follow_ups[0]
    assert _raw(ctx, "SELECT customer_id FROM contact WHERE id = ?", follow_up.contact_id) == [(keep.id,)]
    assert _raw(ctx, "SELECT customer_id FROM deal WHERE id = ?", follow_up.deal_id) == [(keep.id,)]
    # every move is synced: the voided contract's move is in the outbox like the live one's
    moved = _raw(ctx, "SELECT record_id FROM outbox WHERE record_table = 'contract' AND kind = 'update'"
                      " AND json_extract(changes, '$.customer_id') = ?", keep.id)
    assert len(moved) == 3
    shown = crm("show", "Acme")
    assert "contract HT-001 (120,000) voided: Seats moved from Won to Negotiation (60,000 had been paid)" in shown.stdout


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
    assert agenda_words.reason(ctx, item) == "added 30 h ago, not contacted yet"
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


# ---------------------------------------------------------------- convert: a company that is already a customer


def _raw(ctx, sql, *params):  # type: ignore[no-untyped-def]
    connection = sqlite3.connect(ctx.db.path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


@pytest.fixture
def company_and_lead(ctx):
    """Customer 北京某某科技 (制造, from a 展会), and lead 张三 whose company is written 北京市某某科技有限公司."""
    company = add_customer(ctx, "北京某某科技", industry="制造", source="展会")
    lead = add_lead(ctx, "张三", company="北京市某某科技有限公司", phone="+86 138 0013 8000", source="官网",
                    interest="年度保养", region="北京", tags=["华北"])
    _log(ctx, lead.id, "in 3 days")
    return company, lead


def test_a_lead_whose_company_is_a_customer_joins_it_instead_of_making_a_second(ctx, company_and_lead):
    company, lead = company_and_lead
    assert conversion_target(ctx, lead.id).id == company.id  # what the dialog says before converting
    customer, contact, deal = convert_lead(ctx, lead.id)
    assert customer.id == company.id and contact.customer_id == company.id and deal.customer_id == company.id
    assert [c.id for c in list_customers(ctx)] == [company.id]  # no second 北京某某科技, no lead left
    assert _raw(ctx, "SELECT merged_into FROM customer WHERE id = ?", lead.id) == [(company.id,)]
    detail = customer_detail(ctx, company.id)
    assert [(c.name, c.phone) for c in detail.contacts] == [("张三", "+86 138 0013 8000")]
    # the company's own values stay; the lead's fill what was empty; what differs is kept on the contact
    assert (detail.customer.industry, detail.customer.source) == ("制造", "展会")
    assert (detail.customer.interest, detail.customer.region, detail.customer.phone) == ("年度保养", "北京", None)
    assert detail.contacts[0].title == "from lead 张三: Source 官网"
    assert [(d.title, d.stage) for d in detail.deals] == [("年度保养", "initial")]
    assert [f.goal for f in detail.follow_ups] == ["g"] and detail.tags == ["华北"]
    assert ctx.clock.to_local(detail.customer.next_follow_up_at) == datetime(2026, 11, 27, 9, 0, tzinfo=ZONE)
    assert detail.customer.status == "prospect"


def test_a_joining_lead_already_a_contact_there_is_not_doubled(ctx):
    company = add_customer(ctx, "Acme", status="customer")
    add_contact(ctx, company.id, "Bob Li", phone="13500001111")
    lead = add_lead(ctx, "Bob Li", company="ACME Inc.", phone="135 0000 1111", force=True)
    customer, contact, _deal = convert_lead(ctx, lead.id)
    detail = customer_detail(ctx, company.id)
    assert [c.id for c in detail.contacts] == [contact.id] and contact.title is None
    assert customer.status == "customer"  # a new deal does not make a customer a prospect again


@pytest.mark.parametrize(("company_days", "asked", "expected_day"), [(5, "tomorrow 10:00", 25), (1, "in 3 days", 25)])
def test_a_joining_leads_next_date_counts_when_it_comes_first(ctx, company_days, asked, expected_day):
    company = add_customer(ctx, "Acme")
    _log(ctx, company.id, f"in {company_days} days")  # 2026-11-29 09:00 or 2026-11-25 09:00
    lead = add_lead(ctx, "Bob", company="Acme")
    customer, _contact, _deal = convert_lead(ctx, lead.id, next_at=asked)
    expected_hour = 10 if asked.startswith("tomorrow") else 9
    assert ctx.clock.to_local(customer.next_follow_up_at) == datetime(2026, 11, expected_day, expected_hour, 0, tzinfo=ZONE)


def test_a_company_naming_several_customers_is_refused_listing_them_and_into_or_new_company_decide(ctx):
    first = add_customer(ctx, "Acme")
    second = add_customer(ctx, "ACME Ltd", force=True)
    lead = add_lead(ctx, "Bob", company="acme", phone="13600001111")
    with pytest.raises(SeveralCustomersNamed) as caught:
        convert_lead(ctx, lead.id)
    assert isinstance(caught.value, Ambiguous)
    assert {m.id for m in caught.value.matches} == {first.id, second.id}
    assert str(caught.value) == ('2 customers are named "acme": say which one Bob joins (crm convert --into ID, or '
                                 "--new-company), or merge them first")
    assert customer_detail(ctx, lead.id).customer.status == "lead"  # nothing changed
    with pytest.raises(SeveralCustomersNamed):
        conversion_target(ctx, lead.id)
    with pytest.raises(InvalidInput, match="into"):
        convert_lead(ctx, lead.id, into_id=second.id, new_company=True)
    customer, contact, _deal = convert_lead(ctx, lead.id, into_id=second.id)
    assert customer.id == second.id and contact.customer_id == second.id
    assert customer_detail(ctx, first.id).contacts == []


def test_new_company_makes_a_new_customer_all_the_same(ctx, company_and_lead):
    company, lead = company_and_lead
    customer, _contact, _deal = convert_lead(ctx, lead.id, new_company=True)
    assert customer.id == lead.id and customer.name == "北京市某某科技有限公司"
    assert sorted(c.id for c in list_customers(ctx)) == sorted([company.id, lead.id])


def test_a_lead_whose_company_is_new_still_becomes_the_customer(ctx):
    lead = add_lead(ctx, "张三", company="北京某某科技")
    add_customer(ctx, "北京某某", force=True)  # a fragment of the name is another company
    assert conversion_target(ctx, lead.id) is None
    customer, _contact, _deal = convert_lead(ctx, lead.id)
    assert customer.id == lead.id and customer.name == "北京某某科技"


def test_crm_convert_joins_the_existing_customer_and_says_so(ctx):
    assert crm("add", "customer", "北京某某科技").exit_code == 0
    assert crm("add", "lead", "张三", "--company", "北京某某科技", "--phone", "+86 138 0013 8000").exit_code == 0
    result = crm("convert", "张三")
    assert result.exit_code == 0, result.output
    (company,) = list_customers(ctx)
    assert result.stdout.splitlines()[0] == (
        f"converted into the existing customer 北京某某科技 ({company.id[:8]}): contact 张三, deal 北京某某科技")
    assert company.name == "北京某某科技"
    assert [c.name for c in customer_detail(ctx, company.id).contacts] == ["张三"]
    shown = crm("show", "张三")
    assert shown.exit_code == 0 and "北京某某科技" in shown.stdout.splitlines()[0]


def test_crm_convert_with_two_customers_of_that_name_lists_them_then_into_or_new_company(ctx):
    first = add_customer(ctx, "Acme")
    second = add_customer(ctx, "ACME Ltd", force=True)
    add_lead(ctx, "Bob", company="Acme")
    refused = crm("convert", "Bob")
    assert refused.exit_code == 3  # ambiguous
    assert '2 customers are named "Acme": say which one Bob joins' in refused.stderr
    assert f"  {first.id[:8]}  Acme (prospect)" in refused.stderr and f"  {second.id[:8]}  ACME Ltd (prospect)" in refused.stderr
    both = crm("convert", "Bob", "--into", second.id[:8], "--new-company")
    assert both.exit_code == 1 and "into" in both.stderr
    joined = crm("convert", "Bob", "--into", second.id[:8])
    assert joined.exit_code == 0, joined.output
    assert joined.stdout.startswith(f"converted into the existing customer ACME Ltd ({second.id[:8]})")
    assert [c.name for c in customer_detail(ctx, second.id).contacts] == ["Bob"]
    add_lead(ctx, "Carol", company="Acme")
    apart = crm("convert", "Carol", "--new-company")
    assert apart.exit_code == 0 and apart.stdout.startswith("converted: customer Acme, contact Carol")
    assert len(list_customers(ctx)) == 3


async def test_the_convert_dialog_says_the_lead_joins_the_existing_customer_and_shows_it_after(ctx, company_and_lead):
    company, lead = company_and_lead
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(lead.id)
        await _settle(pilot)
        await pilot.press("c")
        await _settle(pilot)
        said = str(app.screen.query_one("#convert-joins", Static).render())
        assert said == "北京某某科技 is already a customer: 张三 joins it as a contact, with the new deal"
        assert len(list_customers(ctx)) == 2  # nothing happens before Enter
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen.customer_id == company.id  # the screen now shows the customer the lead joined
        assert str(app.screen.query_one("#customer-title", Static).render()) == "北京某某科技"
    assert [c.id for c in list_customers(ctx)] == [company.id]
    assert [c.name for c in customer_detail(ctx, company.id).contacts] == ["张三"]
    assert ctx.clock.to_local(customer_detail(ctx, company.id).customer.next_follow_up_at) == datetime(
        2026, 11, 25, 10, 0, tzinfo=ZONE)  # the proposed tomorrow 10:00 comes before the lead's 27 Nov


async def test_the_convert_dialog_of_a_lead_whose_company_is_new_says_nothing_more(ctx, old_lead):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(old_lead.id)
        await _settle(pilot)
        await pilot.press("c")
        await _settle(pilot)
        assert list(app.screen.query("#convert-joins")) == []


# The dialog when the company names several customers (the rep picks one): tests/test_tui_convert.py.


def test_a_lead_never_joins_a_customer_in_the_pool(ctx) -> None:
    # joining would take a pool customer without the server's claim (and its daily limit)
    from crmtui.core.errors import NotAllowed as _NotAllowed
    from crmtui.services.customers import add_customer as _add_customer
    from crmtui.services.customers import add_lead as _add_lead
    from crmtui.services.convert import convert_lead as _convert_lead
    from crmtui.services.customers import customer_detail as _detail

    pooled = _add_customer(ctx, "Acme")
    with ctx.db.raw_write(ctx.clock.utcnow()) as (connection, _outbox):
        connection.execute("UPDATE customer SET status = 'pool', owner = NULL WHERE id = ?", (pooled.id,))
    bob = _add_lead(ctx, "Bob", company="Acme", force=True)
    with pytest.raises(_NotAllowed, match="claim it first"):
        _convert_lead(ctx, bob.id, into_id=pooled.id)
    customer, _contact, _deal = _convert_lead(ctx, bob.id)  # the company's pool customer is not joined
    assert customer.id != pooled.id
    assert _detail(ctx, pooled.id).deals == [] and _detail(ctx, pooled.id).customer.status == "pool"
