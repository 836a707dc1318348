"""Derived fields (lead score, search keys) on the team server: never conflicts, keys as laptops write them."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from crmtui.clock import Clock
from crmtui.services import customers as customer_service
from crmtui.services.context import open_context
from crmtui.sync import client as sync

from .teamserver import Team, travel


def _second_laptop(team: Team, ann):  # type: ignore[no-untyped-def]
    laptop = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = laptop
    sync.sync_round(laptop)
    return laptop


def test_a_score_computed_differently_on_two_laptops_is_no_conflict(team: Team, frozen) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    laptop = _second_laptop(team, ann)
    customer_service.edit_customer(ann, acme.id, {"interest": "CRM seats"})  # score 20 here
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(laptop, acme.id, {"phone": "13900000009", "source": "referral"})  # 50 there
    for ctx in (ann, laptop, ann):
        sync.sync_round(ctx)
    with team.admin() as conn:  # the server did see two different scores: the test exercises the filter
        fields = {r[0] for r in conn.execute("SELECT field FROM sync.conflict")}
    assert "score" in fields
    for ctx in (ann, laptop):
        found, _ = sync.conflicts(ctx)
        assert [c.field for c in found] == []


def test_a_phone_conflict_is_listed_once_not_again_as_its_key(team: Team, frozen) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme", phone="13800000001")
    sync.sync_round(ann)
    laptop = _second_laptop(team, ann)
    customer_service.edit_customer(ann, acme.id, {"phone": "13800000002"})
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(laptop, acme.id, {"phone": "13900000009"})
    for ctx in (ann, laptop, ann):
        sync.sync_round(ctx)
    found, _ = sync.conflicts(ann)
    assert [(c.field, c.kept, c.lost) for c in found] == [("phone", "13900000009", "13800000002")]


def test_the_server_rekeys_phones_pushed_before_e164_keys(team: Team) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from crmtui.server import admin

    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme", phone="+86 138 0013 8000")
    sync.sync_round(ann)
    engine = create_engine(team.dsn.replace("postgresql:", "postgresql+psycopg:", 1), poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(admin.MIGRATIONS))
    with engine.begin() as connection:  # the server as it was before: digits-only keys
        config.attributes["connection"] = connection
        command.downgrade(config, "s0001")
    engine.dispose()
    with team.admin() as conn:
        conn.execute("UPDATE crm.customer SET phone_key = '13800138000' WHERE id = %s", (acme.id,))
    assert admin.init(team.dsn).revision_after == admin.head_revision()
    with team.admin() as conn:
        assert conn.execute("SELECT phone_key FROM crm.customer WHERE id = %s", (acme.id,)).fetchone()[0] == (
            "+8613800138000")
    team.add_rep("bob")
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn:  # bob adding the same number is told
        assert conn.execute("SELECT * FROM sync.check_duplicate('phone', '+8613800138000')").fetchall() == [
            ("colleague", None)]
