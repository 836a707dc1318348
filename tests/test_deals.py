"""Deals after Won: instalment schedules that always add up, paying them on a given day, reopening a Won deal
(its contract voided, kept in the history) and removing a deal with its contract.

Service rules first, then the CLI (CliRunner), then the app (pilot). The clock is frozen at Tue 2026-11-24
10:00 Asia/Shanghai (conftest); every date below is worked out from it by hand.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime

import pytest
import typer.testing
from textual.widgets import Input, Static
from typer.testing import CliRunner

from crmtui.cli.commands import app as cli_app
from crmtui.core.errors import InvalidInput, MissingFields
from crmtui.services.agenda import agenda_for
from crmtui.services import agenda_words
from crmtui.services.customers import (
    add_contact,
    add_customer,
    customer_detail,
    delete_customer,
    edit_customer,
    removal_note,
)
from crmtui.services.deals import (
    NeedsConfirmation,
    add_deal,
    delete_deal,
    mark_paid,
    move_stage,
    parse_schedule,
    voided_contracts,
)
from crmtui.services.follow_ups import log_follow_up

from .conftest import ZONE

runner = CliRunner()


def _won(ctx, amount="120000", payments=("60000@2026-12-31", "60000@2027-03-31"), number="HT-001", signed="today",
         **more):
    """Acme with a deal "Seats" won under contract `number`; returns (customer, deal)."""
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount=amount)
    plans = [plan for text in payments for plan in parse_schedule(text)]
    move_stage(ctx, deal.id, "won", contract_no=number, signed=signed, payments=plans, **more)
    return acme, deal


def _instalments(ctx, customer_id, include_voided=False):
    detail = customer_detail(ctx, customer_id)
    return [(p.amount_cents, p.due_on) for c in detail.contracts for p in detail.payments[c.id]]


def _raw(ctx, sql, *params):
    connection = sqlite3.connect(ctx.db.path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


# ---------------------------------------------------------------- the schedule (services)


def test_the_one_line_schedule_reads_several_instalments_whatever_the_separator():
    expected = [("60000", "2026-12-31"), ("6万", "2027-03-31")]
    for text in ("60000@2026-12-31, 6万@2027-03-31", "60000@2026-12-31;6万@2027-03-31", "60000@2026-12-31，6万@2027-03-31",
                 " 60000 @ 2026-12-31 ；6万@2027-03-31 "):
        assert [(p.amount, p.due) for p in parse_schedule(text)] == expected, text
    # a comma inside an amount is its thousands; the first comma after a due date ends it
    assert [(p.amount, p.due) for p in parse_schedule("60,000@2026-12-31,60,000@2027-03-31")] == [
        ("60,000", "2026-12-31"), ("60,000", "2027-03-31")]
    assert parse_schedule("") == [] and parse_schedule("  ") == []
    for bad in ("60000", "60000@", "@2026-12-31", "60000@2026-12-31@2027-01-01"):
        with pytest.raises(InvalidInput) as caught:
            parse_schedule(bad)
        assert caught.value.field == "payment"


def test_a_schedule_adding_up_to_the_amount_is_kept_as_given(ctx):
    acme, _deal = _won(ctx, payments=("6万@2027-03-31, 60,000@2026-12-31",))
    assert _instalments(ctx, acme.id) == [(6_000_000, date(2026, 12, 31)), (6_000_000, date(2027, 3, 31))]


def test_a_schedule_over_the_amount_is_refused_naming_both_sums_and_nothing_is_saved(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="120000")
    with pytest.raises(InvalidInput) as caught:
        move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today",
                   payments=parse_schedule("100000@2026-12-31, 6万@2027-03-31"))
    assert caught.value.field == "payment"
    assert "120,000" in str(caught.value) and "160,000" in str(caught.value)
    detail = customer_detail(ctx, acme.id)
    assert detail.contracts == [] and detail.deals[0].stage == "initial"


def test_a_short_schedule_is_completed_only_after_the_rep_confirms(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="120000")
    plans = parse_schedule("60000@2026-12-31")
    with pytest.raises(NeedsConfirmation) as caught:
        move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today", payments=plans)
    assert caught.value.kind == "complete_schedule"
    # 2026-12-31 + 30 days = Sat 2027-01-30, shown as every date is shown (the year: it is not this year's)
    assert str(caught.value) == ("The instalments add up to 60,000 of 120,000: add a final instalment of 60,000 due "
                                 "Sat 30 Jan 2027?")
    detail = customer_detail(ctx, acme.id)
    assert detail.contracts == [] and detail.deals[0].stage == "initial"

    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today", payments=plans, complete_schedule=True)
    assert _instalments(ctx, acme.id) == [(6_000_000, date(2026, 12, 31)), (6_000_000, date(2027, 1, 30))]
    assert sum(cents for cents, _due in _instalments(ctx, acme.id)) == customer_detail(ctx, acme.id).contracts[0].amount_cents


def test_the_final_instalment_is_due_by_the_contract_end_when_that_comes_first(ctx):
    # last given 2026-12-31, +30 would be 2027-01-30, but the contract ends 2027-01-15
    acme, _deal = _won(ctx, payments=("70000@2026-12-31",), end="2027-01-15", complete_schedule=True)
    assert _instalments(ctx, acme.id) == [(7_000_000, date(2026, 12, 31)), (5_000_000, date(2027, 1, 15))]


def test_a_contract_won_without_a_schedule_is_due_whole_thirty_days_after_signing(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="1.5万")
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="2026-11-20")
    assert _instalments(ctx, acme.id) == [(1_500_000, date(2026, 12, 20))]


def test_the_schedule_preview_reads_a_signed_day_without_its_year_as_the_past_one(ctx):
    from crmtui.services.deals import schedule_preview

    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="120000")
    # signed 11/19, five days ago: the whole amount is due 30 days later, this year
    assert schedule_preview(ctx, deal.id, "", "11/19", "", "") == "No instalments given: the whole 120,000 will be due Sat 19 Dec"


def test_the_schedule_preview_and_question_show_dates_as_the_app_does_in_english_and_chinese(ctx):
    from crmtui.core import i18n
    from crmtui.services.deals import schedule_preview

    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="120000")
    preview = schedule_preview(ctx, deal.id, "", "today", "", "60000@2026-12-31")
    assert preview == ("60,000 due Thu 31 Dec\n"
                       "60,000 of 120,000: remainder 60,000, saving asks to add it due Sat 30 Jan 2027")
    # nothing before signing: the refusal names the signed day the same way (Sun 1 Nov, this year: no year)
    with pytest.raises(InvalidInput) as refused:
        move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="2026-11-01", payments=parse_schedule("1000@2026-10-31"))
    assert "a date on or after the signed date Sun 1 Nov" in str(refused.value)
    i18n.set_language("zh")
    try:
        assert schedule_preview(ctx, deal.id, "", "today", "", "") == "未填写回款计划：全部 120,000 将于 12月24日 周四 到期"
        with pytest.raises(NeedsConfirmation) as caught:
            move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today", payments=parse_schedule("60000@2026-12-31"))
        assert caught.value.message().endswith("是否补上最后一期 60,000，2027年1月30日 周六 到期？")
    finally:
        i18n.set_language("en")


def test_instalment_amounts_and_dates_take_what_their_parsers_take(ctx):
    acme, _deal = _won(ctx, amount="12万", payments=("5万@12月31日, 7万@2027-03-31",))
    assert _instalments(ctx, acme.id) == [(5_000_000, date(2026, 12, 31)), (7_000_000, date(2027, 3, 31))]


# ---------------------------------------------------------------- paying (services)


def test_the_paid_date_is_parsed_and_a_future_one_is_refused(ctx):
    acme, _deal = _won(ctx, signed="2026-11-01")
    with pytest.raises(InvalidInput) as caught:
        mark_paid(ctx, acme.id, paid_on="明天")
    assert caught.value.field == "paid_on"
    assert all(p.paid_on is None for ps in customer_detail(ctx, acme.id).payments.values() for p in ps)
    assert mark_paid(ctx, acme.id, paid_on="昨天").paid_on == date(2026, 11, 23)
    assert mark_paid(ctx, acme.id).paid_on == date(2026, 11, 24)


# ---------------------------------------------------------------- reopening a Won deal (services)


def test_leaving_won_asks_first_and_names_the_contract(ctx):
    acme, deal = _won(ctx)
    with pytest.raises(NeedsConfirmation) as caught:
        move_stage(ctx, deal.id, "negotiation")
    assert caught.value.kind == "reopen"
    assert str(caught.value) == ("Moving Seats from Won to Negotiation voids its contract HT-001 (120,000) and its 2 "
                                 "instalments; they stay in the history. Reopen it?")
    detail = customer_detail(ctx, acme.id)
    assert detail.deals[0].stage == "won" and [c.number for c in detail.contracts] == ["HT-001"]


def test_reopening_voids_the_contract_and_its_instalments_and_keeps_the_history(ctx):
    acme, deal = _won(ctx)
    moved = move_stage(ctx, deal.id, "negotiation", reopen=True)
    assert (moved.stage, moved.probability) == ("negotiation", 80)
    detail = customer_detail(ctx, acme.id)
    assert detail.contracts == [] and detail.payments == {}
    # a customer only through this contract is a prospect again, with work scheduled (2 days later, 09:00)
    assert detail.customer.status == "prospect"
    assert detail.customer.next_follow_up_at == datetime(2026, 11, 26, 9, 0, tzinfo=ZONE)
    rows = _raw(ctx, "SELECT number, deleted_at IS NOT NULL FROM contract")
    assert rows == [("HT-001", 1)]
    assert _raw(ctx, "SELECT count(*), sum(deleted_at IS NOT NULL) FROM payment") == [(2, 2)]
    changes = _raw(ctx, "SELECT from_stage, to_stage FROM deal_stage_change WHERE deal_id = ? ORDER BY at, from_stage IS NOT NULL",
                   deal.id)
    assert changes[-1] == ("won", "negotiation")
    (voided,) = voided_contracts(ctx, acme.id)
    assert (voided.number, voided.amount_cents, voided.paid_cents, voided.to_stage) == ("HT-001", 12_000_000, 0, "negotiation")
    assert voided.describe(ctx.settings) == "contract HT-001 (120,000) voided: Seats moved from Won to Negotiation"


def test_reopening_with_paid_instalments_says_so_and_keeps_the_paid_sum_in_the_history(ctx):
    acme, deal = _won(ctx, signed="2026-11-01")
    mark_paid(ctx, acme.id, paid_on="2026-11-20")
    with pytest.raises(NeedsConfirmation) as caught:
        move_stage(ctx, deal.id, "proposal")
    assert "60,000 of it is marked paid: those payments are voided with it." in str(caught.value)
    move_stage(ctx, deal.id, "proposal", reopen=True)
    (voided,) = voided_contracts(ctx, acme.id)
    assert voided.paid_cents == 6_000_000
    assert voided.describe(ctx.settings).endswith("(60,000 had been paid)")


def test_won_to_lost_still_needs_its_reason_and_a_reopened_deal_can_be_won_again_with_the_same_number(ctx):
    acme, deal = _won(ctx)
    with pytest.raises(MissingFields):
        move_stage(ctx, deal.id, "lost", reopen=True)
    assert customer_detail(ctx, acme.id).deals[0].stage == "won"
    lost = move_stage(ctx, deal.id, "lost", reason="budget cut", reopen=True)
    assert (lost.stage, lost.lost_reason) == ("lost", "budget cut")
    move_stage(ctx, deal.id, "won", contract_no="HT-001", signed="today", payments=parse_schedule("120000@2027-01-31"))
    detail = customer_detail(ctx, acme.id)
    assert [c.number for c in detail.contracts] == ["HT-001"] and detail.customer.status == "customer"
    assert _instalments(ctx, acme.id) == [(12_000_000, date(2027, 1, 31))]


def test_a_customer_with_another_contract_stays_a_customer_after_a_reopening(ctx):
    acme, deal = _won(ctx)
    other = add_deal(ctx, acme.id, "Support", amount="1万")
    move_stage(ctx, other.id, "won", contract_no="HT-002", signed="today")
    move_stage(ctx, deal.id, "needs", reopen=True)
    detail = customer_detail(ctx, acme.id)
    assert detail.customer.status == "customer" and [c.number for c in detail.contracts] == ["HT-002"]


def test_a_customer_by_hand_before_the_won_stays_a_customer_when_the_deal_is_reopened_or_removed(ctx, frozen):
    # an existing client entered as a customer, then a new deal won, then corrected: the Won did not make it one
    acme = add_customer(ctx, "Acme", status="customer")
    seats = add_deal(ctx, acme.id, "Seats", amount="120000")
    support = add_deal(ctx, acme.id, "Support", amount="30000")
    frozen.move_to(datetime(2026, 11, 24, 11, 0, tzinfo=ZONE))
    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="today")
    move_stage(ctx, support.id, "won", contract_no="HT-002", signed="today")
    move_stage(ctx, seats.id, "negotiation", reopen=True)
    delete_deal(ctx, support.id)
    detail = customer_detail(ctx, acme.id)
    assert detail.contracts == [] and detail.customer.status == "customer"


def test_a_status_set_by_hand_after_the_won_is_never_overwritten_by_reopening(ctx, frozen):
    acme, deal = _won(ctx)
    assert customer_detail(ctx, acme.id).customer.status == "customer"
    frozen.move_to(datetime(2026, 11, 25, 9, 0, tzinfo=ZONE))
    edit_customer(ctx, acme.id, {"status": "dormant"})
    frozen.move_to(datetime(2026, 11, 25, 9, 5, tzinfo=ZONE))
    edit_customer(ctx, acme.id, {"status": "customer"})  # the rep's own word, after the Won
    move_stage(ctx, deal.id, "negotiation", reopen=True)
    assert customer_detail(ctx, acme.id).customer.status == "customer"


def test_a_hand_set_dormant_is_kept_when_the_won_deal_is_reopened(ctx, frozen):
    acme, deal = _won(ctx)
    frozen.move_to(datetime(2026, 11, 25, 9, 0, tzinfo=ZONE))
    edit_customer(ctx, acme.id, {"status": "dormant"})
    move_stage(ctx, deal.id, "negotiation", reopen=True)
    assert customer_detail(ctx, acme.id).customer.status == "dormant"


def test_another_won_deal_keeps_the_customer_a_customer_even_without_a_live_contract(ctx):
    acme, seats = _won(ctx)
    support = add_deal(ctx, acme.id, "Support", amount="30000")
    move_stage(ctx, support.id, "won", contract_no="HT-002", signed="today")
    # Support's contract gone by other means (written before removing took contracts along): the deal is still Won
    connection = sqlite3.connect(ctx.db.path)
    with connection:
        connection.execute("UPDATE contract SET deleted_at = updated_at WHERE number = 'HT-002'")
    connection.close()
    move_stage(ctx, seats.id, "negotiation", reopen=True)
    assert customer_detail(ctx, acme.id).customer.status == "customer"


def test_the_status_falls_back_when_the_last_won_that_held_it_is_reopened(ctx, frozen):
    acme, seats = _won(ctx)  # this Won made Acme a customer
    frozen.move_to(datetime(2026, 11, 25, 10, 0, tzinfo=ZONE))
    support = add_deal(ctx, acme.id, "Support", amount="30000")
    move_stage(ctx, support.id, "won", contract_no="HT-002", signed="today")  # already a customer: status unchanged
    frozen.move_to(datetime(2026, 11, 26, 10, 0, tzinfo=ZONE))
    move_stage(ctx, seats.id, "negotiation", reopen=True)
    assert customer_detail(ctx, acme.id).customer.status == "customer"  # Support's contract holds it
    delete_deal(ctx, support.id)
    assert customer_detail(ctx, acme.id).customer.status == "prospect"  # a Won made it, and nothing holds it now


def test_a_voided_contract_leaves_today(ctx, frozen):
    frozen.move_to(datetime(2025, 12, 10, 10, 0, tzinfo=ZONE))
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="20000")
    # ends 2026-12-10 (renewal in 16 d); 10,000 was due 2026-11-20 (overdue 4 d), 10,000 due 2026-11-27 (in 3 d)
    move_stage(ctx, deal.id, "won", contract_no="HT-9", signed="today", end="2026-12-10",
               payments=parse_schedule("10000@2026-11-20, 10000@2026-11-27"))
    frozen.move_to(datetime(2026, 11, 24, 10, 0, tzinfo=ZONE))
    agenda = agenda_for(ctx)
    assert sorted(agenda_words.reason(ctx, i) for i in agenda.sections["payments"]) == ["payment due in 3 d (HT-9)", "payment overdue 4 d (HT-9)"]
    assert [agenda_words.reason(ctx, i) for i in agenda.sections["renewals"]] == ["contract HT-9 ends in 16 d"]
    move_stage(ctx, deal.id, "negotiation", reopen=True)
    agenda = agenda_for(ctx)
    assert agenda.sections["payments"] == [] and agenda.sections["renewals"] == []


# ---------------------------------------------------------------- removing a deal (services)


def test_removing_a_deal_takes_its_contract_and_instalments_as_synced_deletes_and_keeps_its_follow_ups(ctx):
    acme, deal = _won(ctx)
    log_follow_up(ctx, acme.id, channel="phone", goal="sign", goal_met=True, notes="signed", next_plan="invoice",
                  next_at="2026-11-30", deal_id=deal.id)
    (contract,) = customer_detail(ctx, acme.id).contracts
    payment_ids = [p.id for p in customer_detail(ctx, acme.id).payments[contract.id]]
    delete_deal(ctx, deal.id)

    detail = customer_detail(ctx, acme.id)
    assert detail.deals == [] and detail.contracts == [] and detail.payments == {}
    assert [f.goal for f in detail.follow_ups] == ["sign"]
    deletes = _raw(ctx, "SELECT record_table, record_id FROM outbox WHERE kind = 'delete'")
    assert sorted(deletes) == sorted([("deal", deal.id), ("contract", contract.id)] + [("payment", pid) for pid in payment_ids])
    (voided,) = voided_contracts(ctx, acme.id)
    assert voided.describe(ctx.settings) == "contract HT-001 (120,000) voided: deal Seats removed"
    assert agenda_for(ctx).sections["payments"] == []


# ---------------------------------------------------------------- removing a customer (services)


def _acme_with_two_contracts(ctx):
    """Acme: deal Seats won as HT-001 (2 instalments), deal Support won as HT-002 (1 instalment), a contact, a tag."""
    acme, seats = _won(ctx)
    support = add_deal(ctx, acme.id, "Support", amount="30000")
    move_stage(ctx, support.id, "won", contract_no="HT-002", signed="today")
    add_contact(ctx, acme.id, "Bob")
    edit_customer(ctx, acme.id, {"tags": ["VIP"]})
    return acme, seats, support


def test_removing_a_customer_takes_its_deals_contracts_and_instalments_as_synced_deletes(ctx):
    acme, seats, support = _acme_with_two_contracts(ctx)
    detail = customer_detail(ctx, acme.id)
    assert agenda_for(ctx, date(2026, 12, 31)).sections["payments"] != []
    assert agenda_for(ctx, date(2027, 11, 24)).sections["renewals"] != []
    contract_ids = [c.id for c in detail.contracts]
    payment_ids = [p.id for ps in detail.payments.values() for p in ps]
    assert (len(contract_ids), len(payment_ids)) == (2, 3)
    tag_ids = [row[0] for row in _raw(ctx, "SELECT id FROM customer_tag WHERE customer_id = ?", acme.id)]
    delete_customer(ctx, acme.id)

    expected = ([("customer", acme.id), ("contact", detail.contacts[0].id), ("deal", seats.id), ("deal", support.id)]
                + [("customer_tag", tag_id) for tag_id in tag_ids]
                + [("contract", cid) for cid in contract_ids] + [("payment", pid) for pid in payment_ids])
    deletes = _raw(ctx, "SELECT record_table, record_id FROM outbox WHERE kind = 'delete'")
    assert sorted(deletes) == sorted(expected) and len(tag_ids) == 1
    for table in ("contract", "payment", "deal", "contact", "customer"):
        assert _raw(ctx, f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL") == [(0,)], table
    assert agenda_for(ctx, date(2026, 12, 31)).sections["payments"] == []
    assert agenda_for(ctx, date(2027, 11, 24)).sections["renewals"] == []


def test_removing_a_customer_takes_a_contract_its_removed_deal_left_behind(ctx):
    # Data written before removing a deal took its contract along: the deal is a tombstone, its contract is not.
    acme, seats = _won(ctx)
    connection = sqlite3.connect(ctx.db.path)
    with connection:
        connection.execute("UPDATE deal SET deleted_at = updated_at WHERE id = ?", (seats.id,))
    connection.close()
    assert [c.number for c in customer_detail(ctx, acme.id).contracts] == ["HT-001"]
    # the confirmation names it before anything goes (the deal that took contracts along is gone already)
    assert removal_note(ctx, acme.id) == ("It has contract HT-001 (120,000) with 2 instalments, left behind by a removed "
                                          "deal: they are removed with it.")
    refused = crm("rm", "Acme")
    assert refused.exit_code == 1 and "left behind by a removed deal" in " ".join(refused.stderr.split())
    delete_customer(ctx, acme.id)
    assert _raw(ctx, "SELECT count(*) FROM contract WHERE deleted_at IS NULL") == [(0,)]
    assert _raw(ctx, "SELECT count(*) FROM payment WHERE deleted_at IS NULL") == [(0,)]
    assert len(_raw(ctx, "SELECT 1 FROM outbox WHERE kind = 'delete' AND record_table IN ('contract', 'payment')")) == 3


# ---------------------------------------------------------------- the CLI


def crm(*args: str, input: str | None = None):
    return runner.invoke(cli_app, list(args), input=input)


@pytest.fixture
def seats(ctx):
    acme = add_customer(ctx, "Acme")
    return add_deal(ctx, acme.id, "Seats", amount="120000")


@pytest.fixture
def at_a_terminal(monkeypatch):
    """CliRunner's stdin claims to be a terminal, so the command asks instead of refusing."""
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True, raising=False)


def test_cli_short_schedule_without_yes_off_a_terminal_refuses_and_says_how(ctx, seats):
    result = crm("stage", "Seats", "won", "--contract-no", "HT-001", "--signed", "today", "--payment", "60000@2026-12-31")
    assert result.exit_code == 1 and result.stdout == ""
    assert "add a final instalment of 60,000 due Sat 30 Jan 2027?" in result.stderr and "--yes" in result.stderr
    assert customer_detail(ctx, seats.customer_id).contracts == []


def test_cli_short_schedule_with_yes_adds_the_final_instalment_and_prints_the_schedule(ctx, seats):
    result = crm("stage", "Seats", "won", "--contract-no", "HT-001", "--signed", "today", "--payment", "60000@2026-12-31",
                 "--yes")
    assert result.exit_code == 0, result.output
    assert "instalment 60,000 due Thu 31 Dec" in result.stdout and "instalment 60,000 due Sat 30 Jan 2027" in result.stdout
    assert _instalments(ctx, seats.customer_id) == [(6_000_000, date(2026, 12, 31)), (6_000_000, date(2027, 1, 30))]


@pytest.mark.parametrize(("answer", "created"), [("y\n", True), ("n\n", False)])
def test_cli_short_schedule_at_a_terminal_asks(ctx, seats, at_a_terminal, answer, created):
    result = crm("stage", "Seats", "won", "--contract-no", "HT-001", "--signed", "today",
                 "--payment", "60000@2026-12-31, 3万@2027-01-31", input=answer)
    assert "add a final instalment of 30,000 due Tue 2 Mar 2027? [y/N]" in result.output  # 2027-01-31 + 30 days
    assert (result.exit_code == 0) is created
    assert len(_instalments(ctx, seats.customer_id)) == (3 if created else 0)


def test_cli_schedule_over_the_amount_names_both_sums(ctx, seats):
    result = crm("stage", "Seats", "won", "--contract-no", "HT-001", "--signed", "today",
                 "--payment", "100000@2026-12-31", "--payment", "60000@2027-03-31", "--yes")
    assert result.exit_code == 1 and "120,000" in result.stderr and "160,000" in result.stderr
    assert customer_detail(ctx, seats.customer_id).contracts == []


def test_cli_reopening_a_won_deal_asks_then_voids_and_show_lists_it(ctx, seats):
    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="today", payments=parse_schedule("120000@2026-12-31"))
    refused = crm("stage", "Seats", "negotiation")
    assert refused.exit_code == 1 and "contract HT-001 (120,000)" in refused.stderr and "--yes" in refused.stderr
    assert customer_detail(ctx, seats.customer_id).deals[0].stage == "won"

    moved = crm("stage", "Seats", "negotiation", "--yes")
    assert moved.exit_code == 0 and "is now in Negotiation" in moved.stdout
    shown = crm("show", "Acme")
    assert "Voided contracts (1)" in shown.stdout
    assert "contract HT-001 (120,000) voided: Seats moved from Won to Negotiation" in shown.stdout
    data = json.loads(crm("show", "Acme", "--json").stdout)
    assert data["contracts"] == []
    assert [(v["number"], v["amount"], v["moved_to"]) for v in data["voided_contracts"]] == [("HT-001", 120000, "negotiation")]
    assert data["voided_contracts"][0]["voided_at"] == "2026-11-24T10:00+08:00"  # local time, like every --json time


def test_cli_reopening_at_a_terminal_asks_and_no_changes_nothing(ctx, seats, at_a_terminal):
    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="today")
    result = crm("stage", "Seats", "lost", "--reason", "price", input="n\n")
    assert "voids its contract HT-001" in result.output and result.exit_code == 1
    assert customer_detail(ctx, seats.customer_id).deals[0].stage == "won"
    assert crm("stage", "Seats", "lost", "--reason", "price", input="y\n").exit_code == 0
    assert customer_detail(ctx, seats.customer_id).deals[0].stage == "lost"


def test_cli_rm_of_a_won_deal_names_its_contract_and_what_was_paid(ctx, seats):
    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="2026-11-01",
               payments=parse_schedule("60000@2026-11-20, 60000@2026-12-31"))
    mark_paid(ctx, seats.customer_id, paid_on="2026-11-20")
    refused = crm("rm", "Seats", "--deal")
    assert refused.exit_code == 1
    assert ("Delete deal Seats of Acme? Its contract HT-001 (120,000, 2 instalments, 60,000 paid) is voided with it"
            " and stays in the customer's history.") in " ".join(refused.stderr.split())
    assert crm("rm", "Seats", "--deal", "--yes").exit_code == 0
    data = json.loads(crm("show", "Acme", "--json").stdout)
    assert data["deals"] == [] and data["contracts"] == []
    assert [v["deal_removed"] for v in data["voided_contracts"]] == [True]


def test_cli_rm_of_a_customer_names_its_contracts_and_takes_them(ctx):
    acme, _seats, _support = _acme_with_two_contracts(ctx)
    refused = crm("rm", "Acme")
    assert refused.exit_code == 1
    assert ("Delete customer Acme and its contacts and deals? It has contract HT-001 (120,000) with 2 instalments: they"
            " are removed with it. It has contract HT-002 (30,000) with one instalment: they are removed with it.") \
        in " ".join(refused.stderr.split())
    assert len(customer_detail(ctx, acme.id).contracts) == 2  # nothing removed without --yes
    assert len(agenda_for(ctx, date(2026, 12, 31)).sections["payments"]) == 2
    done = crm("rm", "Acme", "--yes")
    assert done.exit_code == 0 and done.stdout.strip() == "deleted customer Acme"
    assert _raw(ctx, "SELECT count(*) FROM payment WHERE deleted_at IS NULL") == [(0,)]
    assert agenda_for(ctx, date(2026, 12, 31)).sections["payments"] == []


def test_cli_paid_on_a_day_and_never_in_the_future(ctx, seats):
    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="2026-11-01",
               payments=parse_schedule("60000@2026-11-20, 60000@2026-12-20"))
    future = crm("paid", "Acme", "--on", "2026-11-25")
    assert future.exit_code == 1 and "on:" in future.stderr
    done = crm("paid", "Acme", "--on", "昨天")
    assert done.exit_code == 0 and "60,000 due 2026-11-20 marked paid on 2026-11-23" in done.stdout


def test_cli_paid_and_signed_on_a_day_without_its_year_are_this_years_past_day(ctx, seats, frozen):
    # five days after 5 March, "3/5" is the day that has just gone, not next year's
    frozen.move_to(datetime(2026, 3, 10, 10, 0, tzinfo=ZONE))
    won = crm("stage", "Seats", "won", "--contract-no", "HT-001", "--signed", "march 1",
              "--payment", "60000@2026-03-20, 60000@2026-04-20")
    assert won.exit_code == 0, won.stderr
    assert [c.signed_on for c in customer_detail(ctx, seats.customer_id).contracts] == [date(2026, 3, 1)]
    done = crm("paid", "Acme", "--on", "3/5")
    assert done.exit_code == 0, done.stderr
    assert "60,000 due 2026-03-20 marked paid on 2026-03-05" in done.stdout


# ---------------------------------------------------------------- the app (pilot)


async def _settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _type(pilot, text):
    for character in text:
        await pilot.press(character)


async def _customer_screen(pilot, customer_id):
    await _settle(pilot)
    pilot.app.open_customer(customer_id)
    await _settle(pilot)
    return pilot.app.screen


async def _won_form(pilot, payments):
    """On the customer screen: s 6 (Won), then contract no., amount (the deal's), signed today, the instalments."""
    from crmtui.tui.dialogs.stage import GateForm

    await pilot.press("s", "6")
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, GateForm)
    form.query_one("#contract_no", Input).value = "HT-001"
    form.query_one("#signed", Input).value = "today"
    form.query_one("#payment", Input).value = payments
    await pilot.pause()
    return form


async def test_app_won_form_takes_instalments_and_shows_them_adding_up(ctx, seats):
    from crmtui.tui.app import build_app

    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _customer_screen(pilot, seats.customer_id)
        form = await _won_form(pilot, "6万@2026-12-31, 60,000@2027-03-31")
        preview = str(form.query_one("#schedule", Static).render())
        assert "60,000 due Thu 31 Dec  ·  60,000 due Wed 31 Mar 2027" in preview
        assert "add up to the amount 120,000" in preview
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert not isinstance(app.screen, type(form))
    assert _instalments(ctx, seats.customer_id) == [(6_000_000, date(2026, 12, 31)), (6_000_000, date(2027, 3, 31))]


async def test_app_won_form_shows_the_remainder_and_asks_before_adding_it(ctx, seats):
    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.confirm import ConfirmScreen
    from crmtui.tui.dialogs.stage import GateForm

    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _customer_screen(pilot, seats.customer_id)
        form = await _won_form(pilot, "60000@2026-12-31")
        preview = str(form.query_one("#schedule", Static).render())
        assert "60,000 of 120,000: remainder 60,000, saving asks to add it due Sat 30 Jan 2027" in preview
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "add a final instalment of 60,000 due Sat 30 Jan 2027?" in app.screen.question
        await pilot.press("n")
        await _settle(pilot)
        assert isinstance(app.screen, GateForm) and app.screen.query_one("#payment", Input).value == "60000@2026-12-31"
        assert customer_detail(ctx, seats.customer_id).contracts == []
        await pilot.press("ctrl+s")
        await _settle(pilot)
        await pilot.press("y")
        await _settle(pilot)
        assert not isinstance(app.screen, (GateForm, ConfirmScreen))
    assert _instalments(ctx, seats.customer_id) == [(6_000_000, date(2026, 12, 31)), (6_000_000, date(2027, 1, 30))]


async def test_app_won_form_without_instalments_says_the_whole_amount_falls_due(ctx, seats):
    from crmtui.tui.app import build_app

    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _customer_screen(pilot, seats.customer_id)
        form = await _won_form(pilot, "")
        assert "the whole 120,000 will be due Thu 24 Dec" in str(form.query_one("#schedule", Static).render())
        await pilot.press("ctrl+s")
        await _settle(pilot)
    assert _instalments(ctx, seats.customer_id) == [(12_000_000, date(2026, 12, 24))]


async def test_app_dollar_asks_the_paid_date_refuses_the_future_and_reads_the_date(ctx, seats):
    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.stage import PaidOnForm

    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="2026-11-01",
               payments=parse_schedule("60000@2026-11-20, 60000@2026-12-20"))
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _customer_screen(pilot, seats.customer_id)
        screen.query_one("#payments").focus()
        await pilot.press("dollar_sign")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PaidOnForm) and "60,000 due Fri 20 Nov (contract HT-001)" in form.question
        await _type(pilot, "明天")
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen is form and form.query_one("#paid_on", Input).has_class("missing")
        assert all(p.paid_on is None for ps in customer_detail(ctx, seats.customer_id).payments.values() for p in ps)
        form.query_one("#paid_on", Input).value = "2026-11-21"
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen is screen
    detail = customer_detail(ctx, seats.customer_id)
    assert [p.paid_on for ps in detail.payments.values() for p in ps] == [date(2026, 11, 21), None]


async def test_app_reopening_a_won_deal_confirms_naming_the_contract_and_the_timeline_shows_it_voided(ctx, seats):
    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.confirm import ConfirmScreen
    from crmtui.tui.screens.customer import CustomerScreen

    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="today", payments=parse_schedule("120000@2026-12-31"))
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _customer_screen(pilot, seats.customer_id)
        await pilot.press("s", "5")  # Negotiation
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "voids its contract HT-001 (120,000) and its instalment;" in app.screen.question
        await pilot.press("n")
        await _settle(pilot)
        assert customer_detail(ctx, seats.customer_id).deals[0].stage == "won"
        await pilot.press("s", "5", "y")
        await _settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        timeline = str(screen.query_one("#timeline-text", Static).render())
        assert "contract HT-001 (120,000) voided: Seats moved from Won to Negotiation" in timeline
    detail = customer_detail(ctx, seats.customer_id)
    assert detail.deals[0].stage == "negotiation" and detail.contracts == []


async def test_app_won_to_lost_confirms_first_then_asks_the_reason(ctx, seats):
    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.confirm import ConfirmScreen
    from crmtui.tui.dialogs.stage import GateForm

    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="today")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await _customer_screen(pilot, seats.customer_id)
        await pilot.press("s", "7")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "HT-001" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, GateForm)
        await _type(pilot, "price")
        await pilot.press("enter")
        await _settle(pilot)
    deal = customer_detail(ctx, seats.customer_id).deals[0]
    assert (deal.stage, deal.lost_reason) == ("lost", "price")
    assert [v.to_stage for v in voided_contracts(ctx, seats.customer_id)] == ["lost"]


async def test_app_board_moving_a_won_card_back_asks_first(ctx, seats):
    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.confirm import ConfirmScreen
    from crmtui.tui.screens.pipeline import PipelineScreen

    move_stage(ctx, seats.id, "won", contract_no="HT-001", signed="today")
    app = build_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("p")
        await _settle(pilot)
        board = app.screen
        assert isinstance(board, PipelineScreen) and board.current_card().deal_id == seats.id
        await pilot.press("shift+left")  # Won -> Negotiation
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "voids its contract HT-001" in app.screen.question
        await pilot.press("y")
        await _settle(pilot)
    detail = customer_detail(ctx, seats.customer_id)
    assert detail.deals[0].stage == "negotiation" and detail.contracts == []


# ---------------------------------------------------------------- which instalment was paid, and when


def test_paid_with_two_contracts_owing_asks_which_and_marks_nothing(ctx):
    from crmtui.core.errors import Ambiguous
    from crmtui.services.deals import mark_paid

    acme, _deal = _won(ctx)
    other = add_deal(ctx, acme.id, "Support", amount="20000")
    move_stage(ctx, other.id, "won", contract_no="HT-002", signed="today",
               payments=parse_schedule("20000@2026-12-15"))
    with pytest.raises(Ambiguous) as caught:
        mark_paid(ctx, acme.id)
    assert sorted(m.label.split()[0] for m in caught.value.matches) == ["HT-001", "HT-002"]
    result = runner.invoke(cli_app, ["paid", "Acme"])
    assert result.exit_code == 3 and "HT-001" in result.stderr and "HT-002" in result.stderr
    assert _raw(ctx, "SELECT count(*) FROM payment WHERE paid_on IS NOT NULL") == [(0,)]
    assert mark_paid(ctx, acme.id, contract_no="HT-002").amount_cents == 2_000_000


def test_paid_before_the_contract_was_signed_is_refused(ctx):
    from crmtui.services.deals import mark_paid

    acme, _deal = _won(ctx)  # signed today, Tue 24 Nov
    with pytest.raises(InvalidInput, match="on or after the contract was signed"):
        mark_paid(ctx, acme.id, paid_on="昨天")
    assert mark_paid(ctx, acme.id, paid_on="today").paid_on == date(2026, 11, 24)


def test_a_day_that_is_not_understood_gets_examples_of_days_not_of_next_dates(ctx):
    from crmtui.services.deals import mark_paid

    acme, _deal = _won(ctx)
    with pytest.raises(InvalidInput) as caught:
        mark_paid(ctx, acme.id, paid_on="下周八")
    assert "昨天" in str(caught.value) and "明天下午3点" not in str(caught.value)
