"""Which record a reference means (customers, contacts, deals), duplicates against contacts, and pinyin readings.

A reference resolves to one record only when it is unambiguous across customer names, pinyin
keys and contact names; otherwise every candidate is listed (docs/references.md).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from crmtui.cli.commands import app
from crmtui.core.errors import Ambiguous, DuplicateFound, NotFound
from crmtui.services.customers import (
    add_contact,
    add_customer,
    add_lead,
    customer_detail,
    duplicate_of,
    list_customers,
)
from crmtui.services.convert import convert_lead
from crmtui.services.deals import add_deal
from crmtui.services.lookup import resolve_customer, resolve_deal
from crmtui.services.search import search

from .test_tui import SIZE, _settle, _type

EXIT_AMBIGUOUS = 3
"""The exit code of an ambiguous reference (its own code, apart from usage errors' 2)."""

runner = CliRunner()


def crm(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


@pytest.fixture
def zhang_converted(ctx):
    """Lead 赵四, and lead 张三 of 北京某某科技 converted: 张三 is now a contact of that customer."""
    zhao = add_lead(ctx, "赵四")
    zhang = add_lead(ctx, "张三", company="北京某某科技", phone="13800138000", email="zs@example.cn")
    company, _contact, _deal = convert_lead(ctx, zhang.id)
    return zhao, company


def _names(caught: pytest.ExceptionInfo[Ambiguous]) -> list[str]:
    return [match.label for match in caught.value.matches]


# ---------------------------------------------------------------- customers


def test_a_latin_word_shared_by_two_names_is_ambiguous(ctx):
    coffee = add_lead(ctx, "Acme 咖啡")
    tools = add_lead(ctx, "Acme Tools")
    with pytest.raises(Ambiguous) as caught:
        resolve_customer(ctx, "Acme")
    assert {m.id for m in caught.value.matches} == {coffee.id, tools.id}
    # the whole name of one of them is exact
    assert resolve_customer(ctx, "acme tools").id == tools.id
    assert resolve_customer(ctx, "ACME 咖啡").id == coffee.id
    assert resolve_customer(ctx, "咖啡").id == coffee.id


def test_pinyin_initials_shared_by_a_lead_and_a_contact_are_ambiguous(ctx, zhang_converted):
    zhao, company = zhang_converted
    with pytest.raises(Ambiguous) as caught:
        resolve_customer(ctx, "zs")
    assert {m.id for m in caught.value.matches} == {zhao.id, company.id}
    assert "北京某某科技 (prospect)  via contact 张三" in _names(caught)
    assert "赵四 (lead)" in _names(caught)


def test_a_contacts_name_and_pinyin_lead_to_its_customer(ctx, zhang_converted):
    zhao, company = zhang_converted
    for ref in ("张三", "zhangsan", "zhang san", "ZhangSan"):
        found = resolve_customer(ctx, ref)
        assert (found.id, found.via_contact) == (company.id, "张三"), ref
    # the customer's own name carries no "via"
    assert resolve_customer(ctx, "北京某某科技").via_contact is None
    assert resolve_customer(ctx, "zhaosi").id == zhao.id


def test_an_exact_name_of_two_records_is_ambiguous_not_the_customer_first(ctx):
    acme = add_customer(ctx, "Acme")
    lead = add_lead(ctx, "李雷")
    add_contact(ctx, acme.id, "李雷", force=True)
    with pytest.raises(Ambiguous) as caught:
        resolve_customer(ctx, "李雷")
    assert {m.id for m in caught.value.matches} == {acme.id, lead.id}


def test_an_exact_name_wins_over_fragments_and_whole_words(ctx):
    acme = add_customer(ctx, "Acme")
    add_customer(ctx, "Acme East")
    add_customer(ctx, "Acme 咖啡")
    assert resolve_customer(ctx, "acme").id == acme.id
    # legal forms, case and full-width letters are ignored when names are compared
    assert resolve_customer(ctx, "ＡＣＭＥ Inc.").id == acme.id


def test_a_whole_word_wins_over_a_fragment_of_another_name(ctx):
    zhang = add_customer(ctx, "张三", kind="person")
    add_customer(ctx, "黄振山", kind="person")  # initials hzs: "zs" only inside them
    add_customer(ctx, "Amazsoft")
    assert resolve_customer(ctx, "zs").id == zhang.id
    with pytest.raises(Ambiguous):
        resolve_customer(ctx, "z")


def test_only_leads_are_considered_when_only_leads_are_asked_for(ctx, zhang_converted):
    zhao, _company = zhang_converted
    with pytest.raises(NotFound, match='no lead matches "张三"'):
        resolve_customer(ctx, "张三", ("lead",))
    assert resolve_customer(ctx, "zs", ("lead",)).id == zhao.id


def test_an_exact_id_wins(ctx):
    first = add_customer(ctx, "Acme")
    second = add_customer(ctx, first.id)  # a name that happens to be another's id
    assert resolve_customer(ctx, first.id).id == first.id
    assert second.id != first.id


# ---------------------------------------------------------------- deals


def test_a_deal_title_does_not_silently_beat_a_customer_of_that_name(ctx):
    acme = add_customer(ctx, "Acme")
    globex = add_customer(ctx, "Globex")
    seats = add_deal(ctx, acme.id, "Seats")
    titled = add_deal(ctx, globex.id, "Acme")
    with pytest.raises(Ambiguous) as caught:
        resolve_deal(ctx, "acme")
    assert {m.id for m in caught.value.matches} == {seats.id, titled.id}
    assert resolve_deal(ctx, "seats").id == seats.id


def test_deal_references_follow_the_same_tiers(ctx, zhang_converted):
    zhao, company = zhang_converted
    (converted_deal,) = customer_detail(ctx, company.id).deals
    renewal = add_deal(ctx, company.id, "CRM seats renewal")
    seats = add_deal(ctx, zhao.id, "CRM seats")
    assert resolve_deal(ctx, "crm seats").id == seats.id  # exact title
    with pytest.raises(Ambiguous) as caught:
        resolve_deal(ctx, "seats")  # a whole word of two titles
    assert {m.id for m in caught.value.matches} == {seats.id, renewal.id}
    with pytest.raises(Ambiguous) as caught:
        resolve_deal(ctx, "张三")  # the contact's customer has two deals
    assert {m.id for m in caught.value.matches} == {converted_deal.id, renewal.id}
    assert all("via contact 张三" in label for label in _names(caught))


# ---------------------------------------------------------------- the command line


def test_crm_show_lists_both_acmes_and_exits_ambiguous(ctx):
    add_lead(ctx, "Acme 咖啡")
    add_lead(ctx, "Acme Tools")
    result = crm("show", "Acme")
    assert result.exit_code == EXIT_AMBIGUOUS, result.output
    assert '"Acme" matches 2 customers' in result.stderr
    assert "Acme 咖啡 (lead)" in result.stderr and "Acme Tools (lead)" in result.stderr
    assert result.stdout == ""


def test_crm_log_zs_refuses_to_guess_between_a_lead_and_a_contact(ctx, zhang_converted):
    zhao, company = zhang_converted
    result = crm("log", "zs", "--via", "phone", "--goal", "g", "--met", "--notes", "n", "--next-plan", "p",
                 "--next", "tomorrow 10:00")
    assert result.exit_code == EXIT_AMBIGUOUS, result.output
    assert "赵四 (lead)" in result.stderr and "北京某某科技 (prospect)  via contact 张三" in result.stderr
    assert customer_detail(ctx, zhao.id).follow_ups == []
    assert customer_detail(ctx, company.id).follow_ups == []


def test_crm_show_finds_the_customer_of_a_converted_lead_by_the_persons_name(ctx):
    assert crm("add", "lead", "张三", "--company", "北京某某科技").exit_code == 0
    assert crm("convert", "张三").exit_code == 0
    result = crm("show", "张三")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("北京某某科技  [prospect]")
    assert "via contact 张三" in result.stdout


# ---------------------------------------------------------------- duplicates against contacts


def test_a_new_lead_with_a_contacts_name_phone_or_email_is_a_duplicate(ctx):
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "张三", phone="13800138000", email="zs@example.cn")
    for name, kwargs, reason in (("张 三", {}, "name"), ("Someone", dict(phone="+86 138 0013 8000"), "phone"),
                                 ("Someone", dict(email="ZS@example.cn"), "email")):
        with pytest.raises(DuplicateFound) as caught:
            add_lead(ctx, name, **kwargs)
        assert (caught.value.reason, caught.value.kind) == (reason, "contact")
        assert caught.value.existing_id == acme.id  # the customer to open or merge with
        assert '"张三 @ Acme"' in str(caught.value)
    assert list_customers(ctx, ("lead",)) == []
    assert add_lead(ctx, "张三", force=True).status == "lead"


def test_a_converted_leads_person_is_a_duplicate_by_name(ctx, zhang_converted):
    _zhao, company = zhang_converted
    with pytest.raises(DuplicateFound) as caught:
        add_lead(ctx, "张三")
    assert (caught.value.reason, caught.value.kind, caught.value.existing_id) == ("name", "contact", company.id)


def test_the_live_duplicate_warning_names_the_contact(ctx, zhang_converted):
    _zhao, company = zhang_converted
    found = duplicate_of(ctx, name=" 张三 ")
    assert found is not None and (found.reason, found.kind, found.existing_id) == ("name", "contact", company.id)
    assert found.existing_name == "张三 @ 北京某某科技"
    assert duplicate_of(ctx, name="张三丰") is None


def test_crm_add_lead_with_a_contacts_name_is_refused_naming_the_contact(ctx, zhang_converted):
    _zhao, company = zhang_converted
    result = crm("add", "lead", "张三")
    assert result.exit_code == 1
    assert f'a contact with the same name exists: "张三 @ 北京某某科技" ({company.id[:8]})' in result.stderr
    assert crm("add", "lead", "张三", "--force").exit_code == 0


async def test_the_new_lead_form_warns_about_a_contact_with_that_name(ctx, zhang_converted):
    from crmtui.tui.app import build_app
    from crmtui.tui.screens.customer import CustomerScreen

    _zhao, company = zhang_converted
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("n", "l")
        await pilot.pause()
        await _type(pilot, "张三")
        await _settle(pilot)
        warning = str(app.screen.query_one("#duplicate").render())
        assert warning == '⚠ same Name as "张三 @ 北京某某科技" — Ctrl+O opens it, Ctrl+S adds anyway'
        await pilot.press("ctrl+o")
        await _settle(pilot)
        assert isinstance(app.screen, CustomerScreen) and app.screen.customer_id == company.id


# ---------------------------------------------------------------- pinyin readings


def test_a_customer_filed_as_a_company_is_found_by_both_readings(ctx):
    zeng = add_customer(ctx, "曾小明")  # kind company by default
    assert resolve_customer(ctx, "zxm").id == zeng.id  # the surname reading
    assert resolve_customer(ctx, "cxm").id == zeng.id  # the company reading
    assert resolve_customer(ctx, "zengxiaoming").id == zeng.id
    assert zeng.id in {hit.customer_id for hit in search(ctx, "zxm")}


def test_a_person_has_only_the_surname_reading(ctx):
    add_customer(ctx, "曾小明", kind="person")
    with pytest.raises(NotFound):
        resolve_customer(ctx, "cxm")


def test_both_readings_follow_a_rename(ctx):
    from crmtui.services.customers import edit_customer

    acme = add_customer(ctx, "Acme")
    edit_customer(ctx, acme.id, {"name": "单田芳"})
    assert resolve_customer(ctx, "stf").id == acme.id
    assert resolve_customer(ctx, "dtf").id == acme.id


# ---------------------------------------------------------------- crm rm: a customer or a deal


def test_crm_rm_of_a_deals_whole_title_removes_the_deal_not_a_customer_with_that_word(ctx) -> None:
    from crmtui.services.customers import list_customers
    from crmtui.services.deals import list_deals

    add_customer(ctx, "北京宏达机械")
    shanghai = add_customer(ctx, "上海某某")
    add_deal(ctx, shanghai.id, "宏达", amount="5万")
    acme = add_customer(ctx, "Acme Tools")
    globex = add_customer(ctx, "Globex")
    add_deal(ctx, globex.id, "Tool")
    for ref, gone in (("宏达", "宏达"), ("tool", "Tool")):
        result = CliRunner().invoke(app, ["rm", ref, "--yes"])
        assert result.exit_code == 0, result.output
        assert f"deleted deal {gone}" in result.stdout
    assert sorted(c.name for c in list_customers(ctx)) == ["Acme Tools", "Globex", "上海某某", "北京宏达机械"]
    assert list_deals(ctx) == []
    assert acme.id  # still there, above


def test_crm_rm_of_a_name_that_is_a_customer_and_a_deal_title_lists_both(ctx) -> None:
    from crmtui.services.customers import list_customers
    from crmtui.services.deals import list_deals

    tool = add_customer(ctx, "Tool")
    globex = add_customer(ctx, "Globex")
    deal = add_deal(ctx, globex.id, "Tool")
    result = CliRunner().invoke(app, ["rm", "tool", "--yes"])
    assert result.exit_code == 3
    assert tool.id[:8] in result.stderr and deal.id[:8] in result.stderr and "deal Tool @ Globex" in result.stderr
    assert len(list_customers(ctx)) == 2 and len(list_deals(ctx)) == 1


def test_crm_rm_of_a_fragment_of_a_customers_name_and_of_a_deals_title_lists_both(ctx) -> None:
    from crmtui.services.customers import list_customers
    from crmtui.services.deals import list_deals

    orion = add_customer(ctx, "Orion Tools")
    globex = add_customer(ctx, "Globex")
    deal = add_deal(ctx, globex.id, "Orion upgrade")
    result = CliRunner().invoke(app, ["rm", "orio", "--yes"])
    assert result.exit_code == 3
    assert orion.id[:8] in result.stderr and deal.id[:8] in result.stderr
    assert len(list_customers(ctx)) == 2 and len(list_deals(ctx)) == 1
