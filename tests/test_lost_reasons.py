"""A lost reason of the usual list is stored as its English key whatever language the rep typed it in, so a team's
reasons can be counted together, and it reads in each rep's language; any other text is kept as typed.

The clock is frozen at Tue 2026-11-24 10:00 Asia/Shanghai (conftest).
"""

from __future__ import annotations

import pytest

from crmtui.core import i18n
from crmtui.services.customer_view import customer_360
from crmtui.services.customers import add_customer, customer_detail
from crmtui.services.deals import add_deal, move_stage


@pytest.fixture
def chinese():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def _lost(ctx, reason: str):
    customer = add_customer(ctx, "Acme")
    deal = add_deal(ctx, customer.id, "Seats", amount="5万")
    move_stage(ctx, deal.id, "lost", reason=reason)
    detail = customer_detail(ctx, customer.id)
    return detail.deals[0].lost_reason, detail


def test_a_usual_reason_typed_in_chinese_is_stored_as_its_key_and_reads_in_each_language(ctx, chinese):
    stored, detail = _lost(ctx, " 没有预算 ")
    assert stored == "no budget"
    assert customer_360(ctx, detail, []).deals[0].lost_reason == "没有预算"
    i18n.set_language("en")
    assert customer_360(ctx, detail, []).deals[0].lost_reason == "no budget"


def test_a_usual_reason_typed_in_english_in_any_case_is_its_key(ctx):
    stored, _detail = _lost(ctx, "No Budget")
    assert stored == "no budget"


def test_other_words_are_kept_as_typed(ctx, chinese):
    stored, detail = _lost(ctx, "客户被收购了")
    assert stored == "客户被收购了"
    assert customer_360(ctx, detail, []).deals[0].lost_reason == "客户被收购了"


@pytest.mark.parametrize(("typed", "key"), [("预算不足", "no budget"), ("选了竞品", "competitor"), ("价格太高", "price"),
                                            ("联系不上", "no response")])
def test_a_usual_reason_in_other_words_is_stored_as_its_key(ctx, typed: str, key: str):
    stored, _detail = _lost(ctx, typed)
    assert stored == key
