"""The rules of a rep's day, through the services on a real SQLite file at a frozen moment."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from crmtui.core.config import Settings
from crmtui.core.errors import Ambiguous, DuplicateFound, InvalidInput, MissingFields, NotAllowed, NotFound
from crmtui.services.customers import (
    add_contact,
    add_customer,
    add_lead,
    customer_detail,
    delete_customer,
    edit_customer,
    list_customers,
)
from crmtui.services.convert import convert_lead
from crmtui.services.merge import merge_customers
from crmtui.services.deals import PaymentPlan, add_deal, days_in_stage, edit_deal, move_stage
from crmtui.services.lookup import resolve_customer, resolve_deal
from crmtui.services.follow_ups import log_follow_up

from .conftest import NOW, ZONE


def _log(ctx, customer_id, **overrides):
    values = dict(channel="phone", goal="confirm needs", goal_met=True, notes="talked", next_plan="send quote",
                  next_at="fri 3pm")
    values.update(overrides)
    return log_follow_up(ctx, customer_id, **values)


# ------------------------------------------------------------------ customers, leads, contacts


def test_add_customer_stores_keys_for_duplicates_and_pinyin(ctx):
    customer = add_customer(ctx, "张三", kind="person", phone="+86 138-0013-8000", email="ZS@Example.com ")
    stored = customer_detail(ctx, customer.id).customer
    assert stored.phone == "+86 138-0013-8000"  # kept as typed
    assert stored.phone_key == "+8613800138000"  # E.164
    assert stored.email_key == "zs@example.com"
    assert "zs" in stored.pinyin.split() and "zhangsan" in stored.pinyin.split()


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        (dict(name="Acme", phone="13800138000"), dict(name="Other", phone="+86 138 0013 8000"), "phone"),
        (dict(name="Acme", email="buyer@acme.example"), dict(name="Other", email=" BUYER@ACME.EXAMPLE"), "email"),
        (dict(name="北京市某某科技有限公司"), dict(name="北京某某科技"), "name"),
        (dict(name="Ａｃｍｅ  Inc."), dict(name="acme"), "name"),
        (dict(name="上海广达 贸易"), dict(name="上海市广达贸易有限公司"), "name"),
    ],
)
def test_duplicates_are_refused_naming_the_existing_record(ctx, first, second, reason):
    existing = add_customer(ctx, **first)
    with pytest.raises(DuplicateFound) as caught:
        add_customer(ctx, **second)
    assert caught.value.reason == reason
    assert caught.value.existing_id == existing.id
    assert existing.name in str(caught.value)
    assert len(list_customers(ctx)) == 1
    forced = add_customer(ctx, **second, force=True)
    assert {c.id for c in list_customers(ctx)} == {existing.id, forced.id}


def test_a_contacts_phone_counts_as_a_duplicate_for_a_new_customer(ctx):
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Jane", phone="139 1111 2222")
    with pytest.raises(DuplicateFound, match="Acme"):
        add_lead(ctx, "Jane Doe", phone="13911112222")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(name=""), "name"),
        (dict(name="   "), "name"),
        (dict(name="x" * 201), "name"),
        (dict(name="two\nlines"), "name"),
        (dict(name="Acme", email="not-an-email"), "email"),
        (dict(name="Acme", phone="call me"), "phone"),
        (dict(name="Acme", phone="12"), "phone"),
        (dict(name="!!!"), "name"),
        (dict(name="Acme", tier="Z"), "tier"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(ctx, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        add_customer(ctx, **kwargs)
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ":")
    assert list_customers(ctx) == []


def test_markup_and_control_characters_are_stored_literally(ctx):
    customer = add_customer(ctx, "[bold]x[/] \x1b[31mred")
    assert customer_detail(ctx, customer.id).customer.name == "[bold]x[/] \x1b[31mred"
    assert resolve_customer(ctx, "[bold]").id == customer.id


def test_lead_score_and_tier_follow_the_weights(ctx):
    lead = add_lead(ctx, "王五", phone="13700001111", source="referral", interest="CRM seats")
    assert (lead.score, lead.tier) == (70, "A")  # phone 20 + interest 20 + quality source 30
    cold = add_lead(ctx, "Cold Caller", source="cold call")
    assert (cold.score, cold.tier) == (0, "C")
    add_contact(ctx, cold.id, "Boss", decision_maker=True, phone="13600001111")
    assert customer_detail(ctx, cold.id).customer.score == 50  # reachable through a contact + decision maker


def test_edit_changes_fields_keys_and_refuses_a_duplicate(ctx):
    acme = add_customer(ctx, "Acme", phone="13800138000")
    other = add_customer(ctx, "Globex")
    edited = edit_customer(ctx, other.id, {"phone": "139-0000-1111", "region": "北京市", "tags": ["VIP", "重点"]})
    assert edited.phone_key == "+8613900001111"
    detail = customer_detail(ctx, other.id)
    assert detail.customer.region == "北京市" and detail.tags == ["VIP", "重点"]
    with pytest.raises(DuplicateFound):
        edit_customer(ctx, other.id, {"phone": "+8613800138000"})
    assert customer_detail(ctx, other.id).customer.phone == "139-0000-1111"  # the refused edit changed nothing
    with pytest.raises(InvalidInput, match="nickname"):
        edit_customer(ctx, acme.id, {"nickname": "x"})


def test_soft_delete_keeps_a_tombstone_and_hides_the_record(ctx):
    acme = add_customer(ctx, "Acme")
    contact = add_contact(ctx, acme.id, "Jane")
    deal = add_deal(ctx, acme.id, "Seats")
    delete_customer(ctx, acme.id)
    assert list_customers(ctx) == []
    with pytest.raises(NotFound):
        resolve_customer(ctx, "Acme")
    with ctx.db.read() as session:
        from crmtui.store.models import Contact, Customer, Deal

        assert session.get(Customer, acme.id).deleted_at is not None
        assert session.get(Contact, contact.id).deleted_at is not None
        assert session.get(Deal, deal.id).deleted_at is not None


def test_resolve_by_id_prefix_name_fragment_and_pinyin_initials(ctx):
    zhang = add_customer(ctx, "张三丰", kind="person")
    zhao = add_customer(ctx, "赵四", kind="person")
    add_customer(ctx, "Acme East")
    acme = add_customer(ctx, "Acme")
    assert resolve_customer(ctx, zhang.id[:6]).id == zhang.id
    assert resolve_customer(ctx, "三丰").id == zhang.id
    assert resolve_customer(ctx, "zsf").id == zhang.id
    assert resolve_customer(ctx, "zhaosi").id == zhao.id
    assert resolve_customer(ctx, "acme").id == acme.id  # an exact name wins over the fragment match
    with pytest.raises(Ambiguous) as caught:
        resolve_customer(ctx, "ac")
    assert len(caught.value.matches) == 2
    with pytest.raises(NotFound):
        resolve_customer(ctx, "nobody")
    with pytest.raises(NotFound):
        resolve_customer(ctx, "100%")  # a LIKE wildcard is literal


def test_convert_lead_makes_customer_contact_and_deal_in_one_step(ctx):
    lead = add_lead(ctx, "李雷", company="北京某某科技", phone="13500001111", interest="数据平台")
    _log(ctx, lead.id)
    customer, contact, deal = convert_lead(ctx, lead.id)
    assert customer.id == lead.id  # the follow-ups stay with it
    detail = customer_detail(ctx, lead.id)
    assert detail.customer.status == "prospect" and detail.customer.name == "北京某某科技"
    assert [c.name for c in detail.contacts] == ["李雷"] and detail.contacts[0].phone == "13500001111"
    assert [(d.title, d.stage) for d in detail.deals] == [("数据平台", "initial")]
    assert len(detail.follow_ups) == 1
    with pytest.raises(NotAllowed, match="not a lead"):
        convert_lead(ctx, lead.id)


# ------------------------------------------------------------------ follow-ups


def test_follow_up_updates_last_contact_and_next_follow_up(ctx):
    acme = add_customer(ctx, "Acme")
    follow_up = _log(ctx, acme.id, next_at="明天下午3点")
    customer = customer_detail(ctx, acme.id).customer
    assert ctx.clock.to_local(customer.next_follow_up_at) == datetime(2026, 11, 25, 15, 0, tzinfo=ZONE)
    assert ctx.clock.to_local(customer.last_contact_at) == NOW
    assert follow_up.next_at == customer.next_follow_up_at


def test_an_incomplete_follow_up_names_every_missing_field_and_stores_nothing(ctx):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(MissingFields) as caught:
        log_follow_up(ctx, acme.id, channel=None, goal="", goal_met=None, notes=" ", next_plan=None, next_at=None)
    assert caught.value.fields == ["channel", "goal", "goal_met", "notes", "next_plan", "next_at"]
    assert customer_detail(ctx, acme.id).follow_ups == []


@pytest.mark.parametrize("text", ["昨天", "2020-01-01", "today 9am", "这周一"])
def test_a_next_date_in_the_past_is_refused_quoting_it(ctx, text):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput) as caught:
        _log(ctx, acme.id, next_at=text)
    assert caught.value.field == "next_at" and text in str(caught.value)
    assert customer_detail(ctx, acme.id).follow_ups == []


def test_an_unparseable_next_date_is_refused_quoting_it(ctx):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput, match="下周八"):
        _log(ctx, acme.id, next_at="下周八")


def test_a_dormant_customer_needs_no_next_step(ctx):
    acme = add_customer(ctx, "Acme")
    edit_customer(ctx, acme.id, {"status": "dormant"})
    follow_up = _log(ctx, acme.id, next_plan=None, next_at=None)
    assert follow_up.next_at is None
    assert customer_detail(ctx, acme.id).customer.next_follow_up_at is None


def test_channels_by_name_chinese_name_and_number(ctx):
    acme = add_customer(ctx, "Acme")
    assert _log(ctx, acme.id, channel="微信").channel == "wechat"
    assert _log(ctx, acme.id, channel="3").channel == "visit"
    with pytest.raises(InvalidInput, match="channel"):
        _log(ctx, acme.id, channel="pigeon")


def test_follow_ups_are_append_only_and_newest_first(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    _log(ctx, acme.id, notes="first")
    frozen.shift(3600)
    _log(ctx, acme.id, notes="second")
    assert [f.notes for f in customer_detail(ctx, acme.id).follow_ups] == ["second", "first"]
    # That no write changes a logged follow-up is checked in test_rules.py, over every service.


def test_a_follow_up_logged_after_the_clock_stepped_back_leaves_the_customer_on_its_newest(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    frozen.shift(3600)
    newest = _log(ctx, acme.id, notes="at eleven", next_at="明天下午3点")
    frozen.shift(-1800)  # the laptop's clock corrected back half an hour
    older = _log(ctx, acme.id, notes="at half past ten", next_at="后天上午9点")
    customer = customer_detail(ctx, acme.id).customer
    assert older.at < newest.at
    assert customer.last_contact_at == newest.at
    assert customer.next_follow_up_at == newest.next_at
    assert [f.notes for f in customer_detail(ctx, acme.id).follow_ups] == ["at eleven", "at half past ten"]


def test_long_notes_are_refused_with_the_limit(ctx):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput, match="notes: at most 20000 characters"):
        _log(ctx, acme.id, notes="x" * 100_000)


# ------------------------------------------------------------------ deals and stage gates


def test_quote_needs_the_quoted_amount(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats")
    with pytest.raises(MissingFields, match="amount"):
        move_stage(ctx, deal.id, "quote")
    moved = move_stage(ctx, deal.id, "报价", amount="12万")
    assert (moved.stage, moved.quoted_cents, moved.amount_cents, moved.probability) == ("quote", 12_000_000, 12_000_000, 60)


def test_won_needs_contract_number_amount_and_signed_date_and_creates_the_contract(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats")
    with pytest.raises(MissingFields) as caught:
        move_stage(ctx, deal.id, "won")
    assert caught.value.fields == ["quoted", "contract_no", "amount", "signed_on"]  # past Quote: its quoted amount
    assert customer_detail(ctx, acme.id).contracts == []
    move_stage(ctx, deal.id, "won", contract_no="HT-1", amount="50000", signed="today",
               payments=[PaymentPlan("20000", "2026-12-31"), PaymentPlan("30000", "2027-03-31")])
    detail = customer_detail(ctx, acme.id)
    assert detail.customer.status == "customer"
    (contract,) = detail.contracts
    assert (contract.number, contract.amount_cents, contract.signed_on) == ("HT-1", 5_000_000, date(2026, 11, 24))
    assert contract.end_on == date(2027, 11, 24)
    assert [(p.amount_cents, p.due_on) for p in detail.payments[contract.id]] == [
        (2_000_000, date(2026, 12, 31)), (3_000_000, date(2027, 3, 31))]
    with pytest.raises(NotAllowed):
        move_stage(ctx, deal.id, "negotiation")


def test_a_bad_payment_rolls_back_the_whole_move(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="1000")
    with pytest.raises(InvalidInput, match="payment"):
        move_stage(ctx, deal.id, "won", contract_no="HT-2", signed="today", payments=[PaymentPlan("lots", "tomorrow")])
    detail = customer_detail(ctx, acme.id)
    assert detail.contracts == [] and detail.deals[0].stage == "initial"


def test_lost_needs_a_reason(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats")
    with pytest.raises(MissingFields, match="reason"):
        move_stage(ctx, deal.id, "lost", reason="  ")
    moved = move_stage(ctx, deal.id, "lost", reason="竞争对手价格更低")
    assert (moved.stage, moved.lost_reason, moved.probability) == ("lost", "竞争对手价格更低", 0)


def test_moving_forward_schedules_a_follow_up_only_when_none_is_pending(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats")
    move_stage(ctx, deal.id, "needs")
    scheduled = ctx.clock.to_local(customer_detail(ctx, acme.id).customer.next_follow_up_at)
    assert scheduled == datetime(2026, 11, 26, 9, 0, tzinfo=ZONE)  # stage_follow_up_days = 2, at default_time
    _log(ctx, acme.id, next_at="12月10日")
    move_stage(ctx, deal.id, "proposal")
    kept = ctx.clock.to_local(customer_detail(ctx, acme.id).customer.next_follow_up_at)
    assert kept == datetime(2026, 12, 10, 9, 0, tzinfo=ZONE)


def test_stage_history_and_days_in_stage(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats")
    frozen.shift(timedelta(days=3))
    move_stage(ctx, deal.id, "needs")
    frozen.shift(timedelta(days=4))
    with ctx.db.read() as session:
        from crmtui.store.deals import get_deal, stage_history

        history = [(c.from_stage, c.to_stage) for c in stage_history(session, deal.id)]
        current = get_deal(session, deal.id)
    assert history == [(None, "initial"), ("initial", "needs")]
    assert days_in_stage(ctx, current) == 4


def test_unknown_stage_names_the_choices(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats")
    with pytest.raises(InvalidInput, match="initial, needs, proposal, quote, negotiation, won, lost"):
        move_stage(ctx, deal.id, "closing")


def test_configured_stages_replace_the_defaults(ctx):
    from crmtui.core.config import settings_from_dict

    settings = settings_from_dict({"stages": [
        {"key": "talk", "name": "Talk", "probability": 30}, {"key": "won", "probability": 100},
        {"key": "lost", "probability": 0}]})
    ctx.settings = settings
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats")
    assert (deal.stage, deal.probability) == ("talk", 30)


def test_edit_deal_and_resolve(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="5k", close="2026-12-31")
    assert (deal.amount_cents, deal.expected_close) == (500_000, date(2026, 12, 31))
    edit_deal(ctx, deal.id, {"amount": "1.5万", "title": "More seats"})
    found = resolve_deal(ctx, "more")
    assert (found.id, found.title, found.customer_name) == (deal.id, "More seats", "Acme")
    with ctx.db.read() as session:
        from crmtui.store.deals import get_deal

        assert get_deal(session, deal.id).amount_cents == 1_500_000
    with pytest.raises(InvalidInput, match="amount"):
        edit_deal(ctx, deal.id, {"amount": "lots"})
    with pytest.raises(InvalidInput, match="stage"):
        edit_deal(ctx, deal.id, {"stage": "won"})


# ------------------------------------------------------------------ merge


def test_merge_moves_everything_fills_gaps_and_tombstones_the_other(ctx, frozen):
    keep = add_customer(ctx, "Acme", phone="13800138000", tags=["VIP"])
    other = add_customer(ctx, "ACME Ltd (old)", email="old@acme.example", region="上海", tags=["VIP", "老客户"])
    add_contact(ctx, other.id, "Jane")
    add_deal(ctx, other.id, "Seats")
    _log(ctx, other.id, notes="from the other")
    merged = merge_customers(ctx, keep.id, other.id)
    assert merged.id == keep.id
    detail = customer_detail(ctx, keep.id)
    assert (detail.customer.phone, detail.customer.email, detail.customer.region) == (
        "13800138000", "old@acme.example", "上海")
    # the other's differing name is kept as a contact (see docs/merge.md)
    assert [c.name for c in detail.contacts] == ["ACME Ltd (old)", "Jane"]
    assert [d.title for d in detail.deals] == ["Seats"]
    assert [f.notes for f in detail.follow_ups] == ["from the other"]
    assert detail.tags == ["VIP", "老客户"]
    assert detail.customer.next_follow_up_at is not None
    assert [c.id for c in list_customers(ctx)] == [keep.id]
    with ctx.db.read() as session:
        from crmtui.store.models import Customer

        tombstone = session.get(Customer, other.id)
    assert tombstone.deleted_at is not None and tombstone.merged_into == keep.id
    with pytest.raises(InvalidInput):
        merge_customers(ctx, keep.id, keep.id)


def test_settings_validation_names_the_setting():
    from crmtui.core.config import settings_from_dict

    with pytest.raises(InvalidInput, match="config stall_days"):
        settings_from_dict({"stall_days": "seven"})
    with pytest.raises(InvalidInput, match="unknown: stal_days"):
        settings_from_dict({"stal_days": 3})
    assert settings_from_dict({"stall_days": 3}).stall_days == 3
    with pytest.raises(InvalidInput, match="config language"):
        settings_from_dict({"language": "fr"})
    with pytest.raises(InvalidInput, match="config timezone"):
        settings_from_dict({"timezone": "Mars/Olympus"})
    assert Settings().stage("方案").key == "proposal"


def test_a_contact_with_another_customers_phone_is_refused_but_its_own_is_fine(ctx):
    lead = add_lead(ctx, "王小明", phone="13700001111")
    acme = add_customer(ctx, "Acme", phone="02188886666")
    with pytest.raises(DuplicateFound, match="王小明") as caught:
        add_contact(ctx, acme.id, "Someone", phone="137-0000-1111")
    assert caught.value.existing_id == lead.id
    assert add_contact(ctx, acme.id, "Front desk", phone="021 8888 6666").phone_key == "+862188886666"
    with pytest.raises(DuplicateFound, match="a contact with the same name"):
        add_contact(ctx, acme.id, "front desk")
    assert [c.name for c in customer_detail(ctx, acme.id).contacts] == ["Front desk"]


def test_edit_refuses_a_name_of_only_punctuation(ctx):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput, match="name"):
        edit_customer(ctx, acme.id, {"name": "!!!"})
    assert customer_detail(ctx, acme.id).customer.name == "Acme"


def test_short_amounts_for_narrow_places():
    from crmtui.core.formatting import format_short

    assert [format_short(c) for c in (0, 95_000, 10_270_000_00, 12_345_678_900)] == ["0", "950", "10.3M", "123.5M"]
    assert [format_short(c, "zh") for c in (95_000, 10_270_000_00, 20_000_000_000)] == ["950", "1027万", "2亿"]


def test_reopening_a_lost_deal_clears_its_reason_and_a_won_amount_is_fixed(ctx):
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="1000")
    move_stage(ctx, deal.id, "lost", reason="price")
    assert move_stage(ctx, deal.id, "needs").lost_reason is None
    move_stage(ctx, deal.id, "won", contract_no="HT-3", signed="today")
    with pytest.raises(NotAllowed, match="contract"):
        edit_deal(ctx, deal.id, {"amount": "1"})


def test_a_manual_tier_survives_later_edits(ctx):
    acme = add_customer(ctx, "Acme", tier="A")
    edit_customer(ctx, acme.id, {"status": "dormant"})
    add_contact(ctx, acme.id, "Jane", decision_maker=True)
    assert customer_detail(ctx, acme.id).customer.tier == "A"


@pytest.mark.parametrize(("typed", "stored"), [("3月12日", date(1604, 3, 12)), ("12月25日", date(1604, 12, 25)),
                                               ("1985-03-12", date(1985, 3, 12)), ("today", date(2026, 11, 24))])
def test_birthdays_are_in_the_past(ctx, typed, stored):
    acme = add_customer(ctx, "Acme")
    assert add_contact(ctx, acme.id, f"P {typed}", birthday=typed).birthday == stored


def test_a_birthday_in_the_future_is_refused(ctx):
    acme = add_customer(ctx, "Acme")
    with pytest.raises(InvalidInput, match="birthday"):
        add_contact(ctx, acme.id, "Future", birthday="2099-01-01")


def test_pinyin_initials_that_match_whole_win_over_fragments(ctx):
    zhang = add_customer(ctx, "张三", kind="person")
    add_customer(ctx, "杭州盛世", kind="company")  # pinyin hangzhoushengshi hzss: contains "zs"? no - "zss"
    add_customer(ctx, "深圳盛世科技", kind="company")
    assert resolve_customer(ctx, "zs").id == zhang.id


def test_a_huge_reference_is_a_clear_error(ctx):
    with pytest.raises(InvalidInput, match="1-200 characters"):
        resolve_customer(ctx, "x" * 100_000)


def test_payments_are_checked_and_marked_paid_in_order(ctx):
    from crmtui.services.deals import mark_paid

    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "Seats", amount="1000")
    for plans, field in (([PaymentPlan("0", "2026-12-01")], "payment_amount"),
                         ([PaymentPlan("100", "2020-01-01")], "payment_due"),
                         ([PaymentPlan("600", "2026-12-01"), PaymentPlan("600", "2027-01-01")], "payment")):
        with pytest.raises(InvalidInput) as caught:
            move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today", payments=plans)
        assert caught.value.field == field
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today",
               payments=[PaymentPlan("400", "2027-01-01"), PaymentPlan("600", "2026-12-01")])
    first = mark_paid(ctx, acme.id)
    assert (first.amount_cents, first.due_on, first.paid_on) == (60_000, date(2026, 12, 1), date(2026, 11, 24))
    with pytest.raises(InvalidInput):  # paid before the contract was signed (today)
        mark_paid(ctx, acme.id, contract_no="HT-1", paid_on="2026-11-20")
    mark_paid(ctx, acme.id, contract_no="HT-1", paid_on="2026-11-24")
    with pytest.raises(NotFound):
        mark_paid(ctx, acme.id)


def test_a_wrong_score_table_names_the_setting():
    from crmtui.core.config import settings_from_dict

    for data, name in (({"score": 3}, "config score"), ({"score": {"has_interest": "x"}}, "config score.has_interest"),
                       ({"score": {"quality_sources": "referral"}}, "config score.quality_sources")):
        with pytest.raises(InvalidInput) as caught:
            settings_from_dict(data)
        assert caught.value.field == name


# ---------------------------------------------------------------- contacts: edit and remove


def test_edit_contact_changes_fields_keys_and_score(ctx):
    from crmtui.services.customers import add_contact, customer_detail, edit_contact
    from crmtui.services.search import search

    customer = add_customer(ctx, "Acme")
    contact = add_contact(ctx, customer.id, "Jane Doe", title="CTO")
    before = customer_detail(ctx, customer.id).customer.score
    edited = edit_contact(ctx, contact.id, {"name": "王小明", "phone": "139 1234 5678", "decision_maker": "是",
                                           "birthday": "1985-03-12", "title": ""})
    assert (edited.name, edited.title, edited.phone, edited.decision_maker) == ("王小明", None, "139 1234 5678", True)
    assert edited.birthday == date(1985, 3, 12) and edited.phone_key and "wxm" in edited.pinyin
    detail = customer_detail(ctx, customer.id)
    assert [c.name for c in detail.contacts] == ["王小明"]
    assert detail.customer.score > before  # a decision maker and a phone raise the lead score
    assert any(hit.customer_id == customer.id for hit in search(ctx, "wxm"))


def test_edit_contact_refuses_bad_values_naming_the_field(ctx):
    from crmtui.services.customers import add_contact, customer_detail, edit_contact

    customer = add_customer(ctx, "Acme")
    contact = add_contact(ctx, customer.id, "Jane", email="jane@acme.example")
    add_contact(ctx, customer.id, "John", phone="13800138000")
    with pytest.raises(InvalidInput, match="^email:"):
        edit_contact(ctx, contact.id, {"email": "not an email"})
    with pytest.raises(InvalidInput, match="^decision maker: y or n"):
        edit_contact(ctx, contact.id, {"decision_maker": "maybe"})
    with pytest.raises(InvalidInput, match="^name:"):
        edit_contact(ctx, contact.id, {"name": "  "})
    with pytest.raises(InvalidInput, match="^customer_id: a contact field"):
        edit_contact(ctx, contact.id, {"customer_id": "x"})
    with pytest.raises(DuplicateFound, match="phone"):
        edit_contact(ctx, contact.id, {"phone": "138 0013 8000"})  # John's
    edit_contact(ctx, contact.id, {"email": "jane@acme.example", "name": "Jane"})  # unchanged values are not duplicates
    assert [c.email for c in customer_detail(ctx, customer.id).contacts if c.name == "Jane"] == ["jane@acme.example"]


def test_delete_contact_leaves_a_tombstone(ctx):
    from crmtui.services.customers import add_contact, customer_detail, delete_contact, edit_contact

    customer = add_customer(ctx, "Acme")
    keep = add_contact(ctx, customer.id, "Jane")
    gone = add_contact(ctx, customer.id, "John", decision_maker=True)
    scored = customer_detail(ctx, customer.id).customer.score
    delete_contact(ctx, gone.id)
    detail = customer_detail(ctx, customer.id)
    assert [c.id for c in detail.contacts] == [keep.id]
    assert detail.customer.score < scored
    with ctx.db.read() as session:
        from crmtui.store.customers import get_contact

        assert get_contact(session, gone.id).deleted_at is not None
    with pytest.raises(NotFound):
        delete_contact(ctx, gone.id)
    with pytest.raises(NotFound):
        edit_contact(ctx, gone.id, {"title": "CEO"})
