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


def _book(ctx) -> list[tuple]:
    """What a rep sees of the sample, ids aside (they are new on every build): customers with their status,
    score and dates, then every deal with its stage, amount and when it entered the stage."""
    customers = [(c.name, c.phone, c.status, c.tier, c.score, c.last_contact_at, c.next_follow_up_at)
                 for c in list_customers(ctx)]
    deals = sorted((c.name, d.title, d.stage, d.amount_cents, d.stage_entered_at) for d, c in list_deals(ctx))
    return customers + deals


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
    # pinyin keys were computed for the sample: each city's pinyin, written out by hand (重庆, 长沙 and 厦门
    # begin with characters that have two readings), finds every company named after that city and
    # nothing that is not in that city (by name, region, or a lead's company)
    by_id = {c.id: c for c in customers}
    for city, spelled in (("北京", "beijing"), ("重庆", "chongqing"), ("长沙", "changsha"), ("厦门", "xiamen")):
        named = {c.id for c in customers if c.name.startswith(city) and c.status != "lead"}
        found = {h.customer_id for h in search(ctx, spelled, limit=500) if h.kind == "customer"}
        assert named and named <= found, city
        where = {i: (by_id[i].name, by_id[i].region or "", by_id[i].company or "") for i in found}
        assert all(any(city in text for text in texts) for texts in where.values()), where

    other = open_context(tmp_path / "second.db", settings=settings, clock=Clock(ZONE))
    try:
        assert load_demo(other) == counts
        assert _book(other) == _book(ctx)
    finally:
        other.close()

    with pytest.raises(NotAllowed, match="already has data"):
        load_demo(ctx)


def test_demo_refuses_a_database_with_one_customer(ctx):
    add_customer(ctx, "Mine")
    with pytest.raises(NotAllowed):
        load_demo(ctx)
    assert [c.name for c in list_customers(ctx)] == ["Mine"]


def test_demo_refuses_a_team_laptop_and_writes_nothing(tmp_path, settings):
    from dataclasses import replace

    from crmtui.config import SyncSettings
    from crmtui.services.context import open_context

    team = replace(settings, sync=SyncSettings(server="postgresql://db.example.com/team", user="wang"))
    laptop = open_context(tmp_path / "team.db", settings=team)
    try:
        assert laptop.settings.sync.configured
        with pytest.raises(NotAllowed, match="team server"):
            load_demo(laptop)
        assert list_customers(laptop) == []
    finally:
        laptop.close()


def test_demo_is_the_same_sample_at_any_hour_of_one_day(tmp_path, settings, frozen):
    from datetime import datetime

    from crmtui.services.customers import customer_detail

    samples = []
    for hour, minute in ((0, 5), (8, 30), (23, 55)):
        frozen.move_to(datetime(2026, 11, 24, hour, minute, tzinfo=ZONE))
        ctx = open_context(tmp_path / f"demo-{hour}.db", settings=settings, clock=Clock(ZONE))
        try:
            counts = load_demo(ctx)
            customers = list_customers(ctx)
            newest = max(f.at for c in customers[:40] for f in customer_detail(ctx, c.id).follow_ups)
            samples.append((counts, _book(ctx)))
            # nothing in the sample lies after the start of the day it was made on
            assert newest <= datetime(2026, 11, 24, 0, 0, tzinfo=ZONE)
        finally:
            ctx.close()
    assert samples[0] == samples[1] == samples[2]
