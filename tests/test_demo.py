"""The demo sample: realistic, deterministic, a living agenda, and it never touches existing data."""

from __future__ import annotations

import re

import pytest

from crmtui.clock import Clock
from crmtui.errors import NotAllowed
from crmtui.services.agenda import agenda_for
from crmtui.services.context import open_context
from crmtui.services.customers import add_customer, list_customers
from crmtui.services.deals import list_deals
from crmtui.services.demo import load_demo
from crmtui.services.search import search

from .conftest import ZONE


def test_demo_fills_an_empty_database_with_a_living_sample(ctx, tmp_path, settings):
    counts = load_demo(ctx)
    customers = list_customers(ctx)
    assert counts["customers"] == len(customers) == 200
    assert counts["follow_ups"] > 800 and counts["contacts"] > 250
    names = [c.name for c in customers]
    assert len(set(names)) == len(names)
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", n)) for n in names) > 80
    assert sum(n.isascii() for n in names) > 50
    assert {d.stage for d, _ in list_deals(ctx)} == {s.key for s in ctx.settings.stages}
    agenda = agenda_for(ctx)
    for section in ("overdue", "due", "stalled", "new_leads"):
        assert agenda.sections[section], section
    from crmtui.pinyin import pinyin_keys

    chinese = next(c for c in customers if re.search(r"[\u4e00-\u9fff]", c.name))
    full, _initials = pinyin_keys(chinese.name, person=False)
    assert chinese.id in {h.customer_id for h in search(ctx, full)}  # pinyin keys were computed for the sample

    other = open_context(tmp_path / "second.db", settings=settings, clock=Clock(ZONE))
    try:
        load_demo(other)
        assert [(c.name, c.phone, c.status) for c in list_customers(other)] == [
            (c.name, c.phone, c.status) for c in customers]
    finally:
        other.close()

    with pytest.raises(NotAllowed, match="already has data"):
        load_demo(ctx)


def test_demo_refuses_a_database_with_one_customer(ctx):
    add_customer(ctx, "Mine")
    with pytest.raises(NotAllowed):
        load_demo(ctx)
    assert [c.name for c in list_customers(ctx)] == ["Mine"]
