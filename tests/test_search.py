"""Search: names, companies, phones, emails, WeChat ids, notes, pinyin; any input searched literally."""

from __future__ import annotations

import subprocess

import pytest

from crmtui.services.customers import add_contact, add_customer, delete_customer
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.search import search

from .conftest import PYTHON


@pytest.fixture
def people(ctx):
    zhang = add_customer(ctx, "张三", kind="person", phone="+86 138-0013-8000", wechat="zhangsan_wx")
    shan = add_customer(ctx, "单田芳", kind="person")
    zeng = add_customer(ctx, "曾国藩", kind="person")
    acme = add_customer(ctx, "Acme Analytics", company="北京某某科技有限公司", email="buyer@acme.example")
    add_contact(ctx, acme.id, "解缙", phone="13911112222")
    log_follow_up(ctx, acme.id, channel="visit", goal="演示", goal_met=True,
                  notes='客户说 "预算" OR [bold] 都批了 50% off*', next_plan="发报价", next_at="下周一")
    return {"zhang": zhang.id, "shan": shan.id, "zeng": zeng.id, "acme": acme.id}


def _found(ctx, query):
    return [(hit.kind, hit.customer_id) for hit in search(ctx, query)]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("zs", "zhang"), ("zhangsan", "zhang"), ("zhang san", "zhang"), ("张三", "zhang"), ("三", "zhang"),
        ("shantianfang", "shan"), ("stf", "shan"), ("zengguofan", "zeng"), ("zgf", "zeng"),
        ("13800138000", "zhang"), ("0013", "zhang"), ("zhangsan_wx", "zhang"),
        ("acme", "acme"), ("ANALYTICS", "acme"), ("某某科技", "acme"), ("buyer@acme", "acme"),
    ],
)
def test_customers_are_found_by_every_key(ctx, people, query, who):
    assert ("customer", people[who]) in _found(ctx, query)


def test_contacts_and_notes_lead_to_their_customer(ctx, people):
    assert ("contact", people["acme"]) in _found(ctx, "xiejin")  # 解 read as a surname: xie
    assert ("contact", people["acme"]) in _found(ctx, "1391111")
    assert ("follow_up", people["acme"]) in _found(ctx, "预算")  # a two-character Chinese word reaches the notes
    assert ("follow_up", people["acme"]) in _found(ctx, "都批了")
    assert _found(ctx, "ff") == []  # two Latin letters search names only (they would match most notes)


# Each query is the literal text of one seeded record (two for a lone quote): FTS5 operators must not
# widen, narrow or break the match. No seeded record holds another query's text unless listed here.
_LITERAL_SEEDS = {
    "star": "Star*Tools",
    "dash": "Dash-Line Trading",
    "caret": "Caret^Labs",
    "empty": 'The ""Empty"" Shop',
    "quoted": 'Tag a"b Co',
    "bold": "[bold] Media",
    "orbit": "ORBIT Holdings",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("*", {("customer", "star")}),
        ("-", {("customer", "dash")}),
        ("^", {("customer", "caret")}),
        ('""', {("customer", "empty")}),
        ('"', {("customer", "empty"), ("customer", "quoted")}),
        ('a"b', {("customer", "quoted")}),
        ("[bold]", {("customer", "bold")}),
        ("OR", {("customer", "orbit")}),
        ("NEAR(x y)", {("follow_up", "near")}),
        ('"预算"', {("follow_up", "budget")}),
    ],
)
def test_fts_syntax_is_searched_literally_and_never_errors(ctx, query, expected):
    ids = {key: add_customer(ctx, name).id for key, name in _LITERAL_SEEDS.items()}
    for key, name, notes in (("near", "Proximity Ltd", "asked whether NEAR(x y) applies"),
                             ("budget", "Budget 公司", '客户说 "预算" 批了')):
        ids[key] = add_customer(ctx, name).id
        log_follow_up(ctx, ids[key], channel="visit", goal="intro", goal_met=True, notes=notes,
                      next_plan="send deck", next_at="下周一")
    assert set(_found(ctx, query)) == {(kind, ids[key]) for kind, key in expected}


def test_literal_matches_of_special_text(ctx, people):
    assert ("follow_up", people["acme"]) in _found(ctx, "[bold]")
    assert ("follow_up", people["acme"]) in _found(ctx, "50% off*")
    assert ("follow_up", people["acme"]) in _found(ctx, '"预算"')
    assert _found(ctx, "50%x") == []  # % is not a wildcard


def test_every_term_must_match(ctx, people):
    assert _found(ctx, "acme analytics") == [("customer", people["acme"])]
    assert _found(ctx, "acme zhangsan") == []


def test_deleted_customers_are_not_found(ctx, people):
    delete_customer(ctx, people["zhang"])
    assert _found(ctx, "zhangsan") == []


def test_empty_and_huge_queries(ctx, people):
    assert search(ctx, "   ") == []
    assert search(ctx, "x" * 100_000) == []


def test_searching_never_imports_pypinyin(ctx, people, subprocess_env):
    script = (
        "import sys; from crmtui.services.context import open_context; from crmtui.services.search import search;"
        " hits = search(open_context(), 'zs'); print(len(hits), 'pypinyin' in sys.modules)"
    )
    result = subprocess.run([PYTHON, "-c", script], env=subprocess_env, capture_output=True, text=True, check=True)
    count, loaded = result.stdout.split()
    assert int(count) >= 1 and loaded == "False"


# ---------------------------------------------------------------- phones in every form, wider search, regions


@pytest.fixture
def book(ctx):
    from crmtui.services.deals import add_deal, move_stage

    acme = add_customer(ctx, "Acme 咖啡", phone="+86 138 0013 8000", region="北京", tags=["雀巢客户"])
    globex = add_customer(ctx, "Globex Health", region="北京市")
    initech = add_customer(ctx, "Initech", region="Beijing")
    umbrella = add_customer(ctx, "Umbrella", region="上海")
    add_contact(ctx, globex.id, "李雷", title="采购总监", phone="010-6552 1234")
    add_deal(ctx, acme.id, "年度保养", amount="12万", competitor="雀巢")
    won = add_deal(ctx, umbrella.id, "设备采购", amount="5万")
    move_stage(ctx, won.id, "won", amount="5万", contract_no="HT-002", signed="2026-11-20", complete_schedule=True)
    return {"acme": acme.id, "globex": globex.id, "initech": initech.id, "umbrella": umbrella.id}


@pytest.mark.parametrize("query", ["+8613800138000", "008613800138000", "0086 138 0013 8000", "13800138000",
                                   "+86 138 0013 8000", "138-0013-8000", "(+86) 138 0013 8000"])
def test_a_mobile_number_is_found_in_every_form_it_is_written(ctx, book, query):
    assert ("customer", book["acme"]) in _found(ctx, query)


@pytest.mark.parametrize("query", ["01065521234", "+86 10 6552 1234", "6552 1234"])
def test_a_landline_is_found_with_or_without_its_codes(ctx, book, query):
    assert ("contact", book["globex"]) in _found(ctx, query)


def test_phone_keys_are_e164(ctx, book):
    from crmtui.services.customers import customer_detail

    detail = customer_detail(ctx, book["acme"])
    assert (detail.customer.phone, detail.customer.phone_key) == ("+86 138 0013 8000", "+8613800138000")
    (lei,) = customer_detail(ctx, book["globex"]).contacts
    assert lei.phone_key == "+861065521234"


def test_the_duplicate_check_uses_the_phone_key(ctx, book):
    from crmtui.core.errors import DuplicateFound

    for typed in ("008613800138000", "13800138000", "+86 13800138000"):
        with pytest.raises(DuplicateFound):
            add_customer(ctx, "Someone else", phone=typed)


@pytest.mark.parametrize(
    ("query", "kind", "who", "detail"),
    [
        ("年度保养", "deal", "acme", "年度保养 · competitor: 雀巢"),
        ("雀巢", "deal", "acme", "年度保养 · competitor: 雀巢"),
        ("雀巢", "tag", "acme", "雀巢客户"),
        ("HT-002", "contract", "umbrella", "HT-002"),
        ("ht-0", "contract", "umbrella", "HT-002"),
        ("采购总监", "contact", "globex", "李雷 · 采购总监"),
        ("总监", "contact", "globex", "李雷 · 采购总监"),  # two characters: the LIKE path
        ("保养", "deal", "acme", "年度保养 · competitor: 雀巢"),
    ],
)
def test_deals_contracts_tags_competitors_and_titles_lead_to_their_customer(ctx, book, query, kind, who, detail):
    hits = [(h.kind, h.customer_id, h.detail) for h in search(ctx, query)]
    assert (kind, book[who], detail) in hits


def test_a_deleted_deal_is_not_found(ctx, book):
    from crmtui.services.deals import delete_deal, list_deals

    (deal,) = [d for d, c in list_deals(ctx) if d.title == "年度保养"]
    delete_deal(ctx, deal.id)
    assert [h for h in search(ctx, "年度保养") if h.kind == "deal"] == []


@pytest.mark.parametrize("query", ["北京", "北京市", "Beijing", "beijing shi"])
def test_a_region_is_found_in_each_of_its_spellings(ctx, book, query):
    found = {cid for kind, cid in _found(ctx, query) if kind == "customer"}
    assert found == {book["acme"], book["globex"], book["initech"]}


def test_a_region_hit_says_the_region_matched(ctx, book):
    (hit,) = [h for h in search(ctx, "北京市") if h.customer_id == book["acme"] and h.kind == "customer"]
    assert hit.detail == "region: 北京"
    (hit,) = [h for h in search(ctx, "Acme") if h.kind == "customer"]
    assert hit.detail == ""  # the name matched: nothing to explain


def test_a_customer_hit_says_which_field_matched_when_the_name_does_not(ctx, book):
    def detail(query):
        (hit,) = [h for h in search(ctx, query) if h.kind == "customer" and h.customer_id == book["acme"]]
        return hit.detail

    assert detail("008613800138000") == "phone: +86 138 0013 8000"  # matched through its key
    assert detail("0013") == "phone: +86 138 0013 8000"
    assert detail("Acme 北京") == "region: 北京"
    assert detail("Acme") == ""


def test_a_chinese_place_does_not_find_the_pinyin_of_other_words(ctx):
    # 西安 is also written "xian", the pinyin of 有限 in every 有限公司: only a customer in Xi'an (or Xian) is meant
    add_customer(ctx, "北京华信科技有限公司")
    in_xian = add_customer(ctx, "秦川机械", region="西安")
    in_latin = add_customer(ctx, "Qinchuan Tools", region="Xian")
    contact_owner = add_customer(ctx, "Acme")
    add_contact(ctx, contact_owner.id, "张先")  # zhang xian
    found = {(h.kind, h.customer_id) for h in search(ctx, "西安")}
    assert found == {("customer", in_xian.id), ("customer", in_latin.id)}
    # typed as pinyin, it is pinyin: 有限 matches
    assert "北京华信科技有限公司" in {h.customer_name for h in search(ctx, "xian")}
