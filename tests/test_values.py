"""Values as a rep types them: amounts (Chinese numerals, currency marks, cents), birthdays without a
year, regions in their spellings; and how --json writes them back."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from crmtui.core.errors import InvalidInput
from crmtui.core.formatting import amount_number, amount_text, birthday_iso, format_birthday, parse_amount
from crmtui.core.normalize import region_aliases, region_key
from crmtui.services.agenda import agenda_for
from crmtui.services import agenda_words
from crmtui.services.customers import add_contact, add_customer, customer_detail, edit_contact

from .conftest import ZONE
from .test_cli import fails, ok

# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12000", 1_200_000), ("12,000.50", 1_200_050), ("１２，０００", 1_200_000),
        ("0.01", 1), ("0.005", 1), ("12.345", 1_235),  # to the cent, half up
        ("50k", 5_000_000), ("5w", 5_000_000), ("1.2m", 120_000_000),
        ("1.5万", 1_500_000), ("12万5千", 12_500_000), ("1万5", 1_500_000), ("3千5", 350_000),
        ("1.5亿", 15_000_000_000), ("1亿2000万", 12_000_000_000),
        ("十二万", 12_000_000), ("两万", 2_000_000), ("一百零五", 10_500), ("二十五", 2_500), ("十", 1_000),
        ("一千零一十", 101_000), ("壹万", 1_000_000),
        ("¥5,000", 500_000), ("￥5,000", 500_000), ("RMB 5000", 500_000), ("CNY5000", 500_000),
        ("人民币5000", 500_000), ("5000元", 500_000), ("5000块", 500_000), ("¥1.5万元", 1_500_000),
        (12000, 1_200_000),
    ],
)
def test_amounts_a_rep_types_are_read(typed, cents):
    assert parse_amount(typed) == cents


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0", "a positive amount"), ("-5", "a positive amount"), ("0.00", "a positive amount"),
        ("0.001", "at least 0.01"), ("abc", "a positive amount"), ("万", "a positive amount"),
        ("一二", "a positive amount"), ("1.2.3", "a positive amount"),
        ("$5000", "an amount in yuan"), ("USD 5000", "an amount in yuan"), ("5000美元", "an amount in yuan"),
        ("10000000000001", "below 10 trillion"),
        # a decimal comma or a misplaced separator is a question, not 1,234 or 12,345
        ("12,34", "every three digits"), ("1,2345", "every three digits"), ("12,000,00", "every three digits"),
        ("１２，３４", "every three digits"),
    ],
)
def test_amounts_that_are_not_refused_naming_the_field(typed, expected):
    with pytest.raises(InvalidInput) as caught:
        parse_amount(typed, "deal amount")
    assert caught.value.field == "deal amount"
    assert expected in str(caught.value)


def test_an_empty_amount_is_no_amount():
    assert parse_amount("") is None and parse_amount("  ") is None and parse_amount(None) is None


def test_amounts_as_json_numbers_and_back():
    assert (amount_number(12_000_000), amount_number(1_200_050), amount_number(None)) == (120000, 12000.5, None)
    assert isinstance(amount_number(12_000_000), int)
    assert (amount_text(120000), amount_text(12000.5), amount_text(None)) == ("120,000", "12,000.50", "")


def test_cli_takes_chinese_amounts_and_writes_numbers_in_json(ctx):
    add_customer(ctx, "Acme")
    ok("add", "deal", "Acme", "Seats", "--amount", "12万5千")
    ok("add", "deal", "Acme", "Support", "--amount", "¥1,000.50")
    deals = {d["title"]: d["amount"] for d in json.loads(ok("show", "Acme", "--json").stdout)["deals"]}
    assert deals == {"Seats": 125000, "Support": 1000.5}
    listed = {d["title"]: d["amount"] for d in json.loads(ok("list", "deals", "--json").stdout)}
    assert listed == {"Seats": 125000, "Support": 1000.5}
    shown = ok("show", "Acme").stdout
    assert "125,000" in shown and "1,000.50" in shown  # the text output keeps the separators


def test_cli_refuses_a_zero_amount_with_a_message(ctx):
    add_customer(ctx, "Acme")
    result = fails("add", "deal", "Acme", "Seats", "--amount", "0")
    assert "amount" in result.stderr and "positive" in result.stderr


# ---------------------------------------------------------------- birthdays


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("3月12日", date(1604, 3, 12)), ("12月25日", date(1604, 12, 25)), ("Mar 12", date(1604, 3, 12)),
        ("12 Mar", date(1604, 3, 12)), ("2月29日", date(1604, 2, 29)), ("--03-12", date(1604, 3, 12)),
        ("1985-03-12", date(1985, 3, 12)), ("1985年3月12日", date(1985, 3, 12)),
        ("yesterday", date(2026, 11, 23)),  # a relative word names a real date
    ],
)
def test_a_birthday_without_a_year_gets_no_invented_year(ctx, typed, stored):
    acme = add_customer(ctx, "Acme")
    assert add_contact(ctx, acme.id, "Jane", birthday=typed).birthday == stored


def test_a_birthday_in_the_future_or_impossible_is_refused(ctx):
    acme = add_customer(ctx, "Acme")
    for typed in ("2027-01-01", "tomorrow", "2月30日", "--02-30"):
        with pytest.raises(InvalidInput) as caught:
            add_contact(ctx, acme.id, f"P {typed}", birthday=typed)
        assert caught.value.field == "birthday"


def test_birthdays_are_shown_without_1604():
    assert format_birthday(date(1604, 3, 12)) == "12 Mar"
    assert format_birthday(date(1604, 3, 12), "zh") == "3月12日"
    assert format_birthday(date(1985, 3, 12)) == "12 Mar 1985"
    assert format_birthday(date(1985, 3, 12), "zh_CN") == "1985年3月12日"
    assert (birthday_iso(date(1604, 3, 12)), birthday_iso(date(1985, 3, 12)), birthday_iso(None)) == (
        "--03-12", "1985-03-12", None)


def test_crm_show_lists_birthdays_and_json_writes_iso_8601(ctx):
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Jane", birthday="3月12日")
    add_contact(ctx, acme.id, "Bob", birthday="1985-07-01")
    add_contact(ctx, acme.id, "Ann")
    lines = ok("show", "Acme").stdout.splitlines()
    assert any("Jane" in line and line.rstrip().endswith("birthday 12 Mar") for line in lines)
    assert any("Bob" in line and line.rstrip().endswith("birthday 1 Jul 1985") for line in lines)
    assert not any("Ann" in line and "birthday" in line for line in lines)
    contacts = {c["name"]: c["birthday"] for c in json.loads(ok("show", "Acme", "--json").stdout)["contacts"]}
    assert contacts == {"Jane": "--03-12", "Bob": "1985-07-01", "Ann": None}


def test_editing_a_birthday_to_a_day_without_a_year(ctx):
    acme = add_customer(ctx, "Acme")
    jane = add_contact(ctx, acme.id, "Jane", birthday="1985-03-12")
    assert edit_contact(ctx, jane.id, {"birthday": "3月14日"}).birthday == date(1604, 3, 14)


def test_the_agenda_lists_birthdays_with_and_without_a_year(ctx, frozen):
    # Frozen at Tue 2026-11-24: 11-24 is today, 11-27 in 3 days, 12-10 is beyond the 7-day window.
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Yearless", birthday="11月27日")
    add_contact(ctx, acme.id, "Full", birthday="1990-11-24")
    add_contact(ctx, acme.id, "Later", birthday="12月10日")
    assert [agenda_words.reason(ctx, i) for i in agenda_for(ctx).sections["birthdays"]] == [
        "Full's birthday today", "Yearless's birthday in 3 d"]


def test_a_29_february_birthday_is_listed_on_the_28th_in_other_years(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Leap", birthday="2月29日")
    frozen.move_to(datetime(2027, 2, 25, 9, 0, tzinfo=ZONE))  # 2027 has no 29 February: 28th is in 3 days
    assert [agenda_words.reason(ctx, i) for i in agenda_for(ctx).sections["birthdays"]] == ["Leap's birthday in 3 d"]
    frozen.move_to(datetime(2028, 2, 27, 9, 0, tzinfo=ZONE))  # 2028 has one: in 2 days, not on the 28th
    assert [agenda_words.reason(ctx, i) for i in agenda_for(ctx).sections["birthdays"]] == ["Leap's birthday in 2 d"]


# ---------------------------------------------------------------- regions


@pytest.mark.parametrize(
    ("typed", "aliases"),
    [
        ("北京市", ["北京", "beijing"]), ("北京", ["北京", "beijing"]), ("Beijing", ["北京", "beijing"]),
        ("广西壮族自治区", ["广西", "guangxi"]), ("北京市朝阳区", ["北京朝阳区"]), ("Acme", []), ("市场", []),
    ],
)
def test_region_aliases_for_search(typed, aliases):
    assert region_aliases(typed) == aliases


def test_regions_typed_differently_are_one_region():
    assert region_key("北京市") == region_key("北京") == region_key("Beijing") == region_key("beijing shi") == "北京"


def test_a_customer_edited_to_another_spelling_of_its_region_is_found_by_both(ctx):
    from crmtui.services.customers import edit_customer
    from crmtui.services.search import search

    acme = add_customer(ctx, "Acme", region="北京市")
    assert [h.customer_id for h in search(ctx, "北京") if h.kind == "customer"] == [acme.id]
    edit_customer(ctx, acme.id, {"region": "Beijing"})
    assert [h.customer_id for h in search(ctx, "北京市") if h.kind == "customer"] == [acme.id]
    assert customer_detail(ctx, acme.id).customer.region == "Beijing"  # kept as typed


# ---------------------------------------------------------------- phone keys of rows pulled from a team server


def test_a_pulled_row_gets_its_phone_key_from_the_number_not_from_the_server(ctx, home):
    import sqlite3

    from crmtui.store import replica

    acme = add_customer(ctx, "Acme", phone="13800138000")
    server_row = {  # as an older client pushed it: digits only
        "id": "c-from-server", "created_at": "2026-11-01T00:00:00+00:00", "updated_at": "2026-11-01T00:00:00+00:00",
        "deleted_at": None, "name": "Globex", "name_key": "globex", "pinyin": "", "kind": "company",
        "status": "customer", "tier": "C", "score": 0, "phone": "0086 139 0000 1111", "phone_key": "13900001111",
    }
    changed = {"id": acme.id, "phone": "+86 137 0000 2222", "phone_key": "13700002222"}
    with sqlite3.connect(home / "data" / "crm.db") as conn:
        replica.put_rows(conn, "customer", [server_row, changed], {})
        keys = dict(conn.execute("SELECT name, phone_key FROM customer"))
    assert keys == {"Globex": "+8613900001111", "Acme": "+8613700002222"}


def test_a_pulled_row_keeps_the_key_of_a_number_changed_here_and_not_yet_pushed(ctx, home):
    import sqlite3

    from crmtui.store import replica

    acme = add_customer(ctx, "Acme", phone="13800138000")
    server_row = {"id": acme.id, "phone": "13700002222", "phone_key": "13700002222"}
    with sqlite3.connect(home / "data" / "crm.db") as conn:
        replica.put_rows(conn, "customer", [server_row], {("customer", acme.id): {"phone"}})
        assert conn.execute("SELECT phone, phone_key FROM customer").fetchall() == [("13800138000", "+8613800138000")]


# ---------------------------------------------------------------- birthdays in the app


async def test_the_customer_screen_shows_birthdays_and_edits_them_without_1604(ctx):
    from textual.widgets import Input, OptionList

    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.edit import EditContactScreen

    from .test_tui import SIZE, _settle

    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Jane", birthday="3月12日")
    add_contact(ctx, acme.id, "Bob", birthday="1985-07-01")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(acme.id)
        await _settle(pilot)
        screen = app.screen
        shown = {str(o.prompt).split()[0]: str(o.prompt) for o in screen.query_one("#contacts", OptionList).options}
        assert "12 Mar" in shown["Jane"] and "1604" not in shown["Jane"]
        assert "1 Jul 1985" in shown["Bob"]
        screen.query_one("#contacts", OptionList).focus()
        screen.query_one("#contacts", OptionList).highlighted = 1  # Jane (contacts are listed by name)
        await pilot.press("E")
        await _settle(pilot)
        edit = app.screen
        assert isinstance(edit, EditContactScreen) and edit.contact.name == "Jane"
        fields = edit.query_one("#fields", OptionList)
        (row,) = [str(o.prompt) for o in fields.options if o.id == "birthday"]
        assert "12 Mar" in row and "1604" not in row
        fields.focus()
        fields.highlighted = [o.id for o in fields.options].index("birthday")
        await pilot.press("enter")
        value = edit.query_one("#value", Input)
        assert value.value == "12 Mar"  # what the rep edits is what was shown
        value.value = "3月14日"
        await pilot.press("enter")
        await _settle(pilot)
    (jane,) = [c for c in customer_detail(ctx, acme.id).contacts if c.name == "Jane"]
    assert jane.birthday == date(1604, 3, 14)


def test_the_duplicate_check_treats_spellings_of_a_region_as_one(ctx):
    from crmtui.core.errors import DuplicateFound

    first = add_customer(ctx, "北京市某某科技有限公司", region="北京市")
    # The check compares names (region words inside a name folded), phones and emails; the region field
    # itself never makes two equal names different.
    for name, region in (("北京某某科技", "北京"), ("北京市某某科技", "Beijing")):
        with pytest.raises(DuplicateFound) as caught:
            add_customer(ctx, name, region=region)
        assert caught.value.existing_id == first.id


# ---------------------------------------------------------------- the phone_region setting


def test_phone_region_is_checked_and_upper_cased():
    from crmtui.core.config import settings_from_dict

    assert settings_from_dict({}).phone_region == "CN"
    assert settings_from_dict({"phone_region": "us"}).phone_region == "US"
    for wrong in ("XX", "China", "", 86):
        with pytest.raises(InvalidInput) as caught:
            settings_from_dict({"phone_region": wrong})
        assert caught.value.field == "config phone_region"


def test_numbers_without_a_country_code_are_read_in_the_phone_region(home, frozen):
    from crmtui.core import normalize
    from crmtui.core.clock import Clock
    from crmtui.core.config import Settings
    from crmtui.services.context import open_context

    us = open_context(home / "data" / "us.db", settings=Settings(timezone="Asia/Shanghai", phone_region="US"),
                      clock=Clock(ZONE))
    try:
        acme = add_customer(us, "Acme", phone="(415) 555-2671")
        assert customer_detail(us, acme.id).customer.phone_key == "+14155552671"
        ali = add_customer(us, "Ali", phone="+86 138 0013 8000")  # a country code always wins
        assert customer_detail(us, ali.id).customer.phone_key == "+8613800138000"
    finally:
        us.close()
        normalize.set_phone_region(normalize.DEFAULT_PHONE_REGION)
