"""Derived fields (lead score, search keys) on the team server: never conflicts, keys as laptops write them."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from crmtui.core.clock import Clock
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


# Dates derived from follow-ups (last contact, next follow-up) ------------------------------------------

def _log(ctx, customer_id: str, *, next_at: str, at: str | None = None) -> None:  # type: ignore[no-untyped-def]
    from crmtui.services.follow_ups import log_follow_up

    log_follow_up(ctx, customer_id, channel="phone", goal="intro", goal_met=True, notes="called",
                  next_plan="send deck", next_at=next_at)


def _dates(ctx, customer_id: str) -> tuple[str | None, str | None]:  # type: ignore[no-untyped-def]
    with ctx.db.raw_read() as conn:
        last, upcoming = conn.execute("SELECT last_contact_at, next_follow_up_at FROM customer WHERE id = ?",
                                      (customer_id,)).fetchone()
    return last, upcoming


def _server_dates(team: Team, customer_id: str) -> tuple[str | None, str | None]:
    with team.admin() as conn:
        last, upcoming = conn.execute(
            "SELECT to_char(last_contact_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),"
            " to_char(next_follow_up_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM crm.customer WHERE id = %s",
            (customer_id,)).fetchone()
    return last, upcoming


def test_an_offline_follow_up_on_a_reassigned_customer_moves_its_dates_everywhere(team: Team, frozen) -> None:
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health")
    _log(wang, acme.id, next_at="2026-11-25 09:00")  # logged on NOW, 2026-11-24 10:00 Shanghai (02:00 UTC)
    sync.sync_round(wang)
    sync.sync_round(boss)
    travel(team, frozen, timedelta(days=2))  # 2026-11-26 10:00 Shanghai
    _log(wang, acme.id, next_at="2026-12-01 10:00")  # wang offline
    sync.reassign(boss, acme.id, team.role("li"))
    sync.sync_round(li)
    report = sync.sync_round(wang)
    # The follow-up kept; the customer's dates it moved are the server's to derive: not a rejection of wang's.
    assert (report.applied, report.superseded, report.rejected) == (1, 1, 0)
    assert sync.conflicts(wang)[1] == [] and sync.status(wang).rejected == 0
    # The server derived the dates from the follow-up it kept (times in UTC: Shanghai is UTC+8).
    assert _server_dates(team, acme.id) == ("2026-11-26 02:00", "2026-12-01 02:00")
    sync.sync_round(li)
    assert _dates(li, acme.id) == ("2026-11-26 02:00:00.000000", "2026-12-01 02:00:00.000000")
    sync.sync_round(boss)
    assert _dates(boss, acme.id) == ("2026-11-26 02:00:00.000000", "2026-12-01 02:00:00.000000")


def test_a_customer_row_with_older_dates_does_not_take_them_back_whatever_the_order(team: Team, frozen) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    laptop = _second_laptop(team, ann)
    travel(team, frozen, timedelta(hours=1))
    _log(ann, acme.id, next_at="2026-11-30 09:00")  # the newest call, logged on one laptop (at 03:00 UTC)
    travel(team, frozen, timedelta(minutes=5))
    with laptop.db.raw_write(laptop.clock.utcnow()) as (conn, outbox):  # the other laptop, offline, types an
        from crmtui.store.follow_ups import FollowUpRow, insert_follow_up  # older call in after it

        from datetime import datetime as _dt

        insert_follow_up(conn, outbox, FollowUpRow(acme.id, _dt(2026, 11, 23, 1, 0), "phone", "intro", True,
                                                   "older call", None, _dt(2026, 11, 28, 1, 0)))
    sync.sync_round(ann)
    sync.sync_round(laptop)  # pushes its older call and the customer's older dates with a newer stamp
    assert _server_dates(team, acme.id) == ("2026-11-24 03:00", "2026-11-30 01:00")
    sync.sync_round(ann)
    for ctx in (ann, laptop):
        assert _dates(ctx, acme.id) == ("2026-11-24 03:00:00.000000", "2026-11-30 01:00:00.000000")


def test_a_last_contact_no_kept_follow_up_backs_moves_nothing_on_the_server(team: Team, frozen) -> None:
    """A customer update pushed without its follow-up (rejected, or left out by hand) keeps the old dates."""
    from psycopg.types.json import Jsonb

    from crmtui.store import replica

    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    beta = customer_service.add_customer(ann, "Beta")
    _log(ann, beta.id, next_at="2026-11-26 09:00")  # Beta: one kept call at NOW (02:00 UTC)
    sync.sync_round(ann)
    travel(team, frozen, timedelta(hours=1))
    _log(ann, acme.id, next_at="2026-12-03 09:00")
    _log(ann, beta.id, next_at="2026-12-04 09:00")
    with ann.db.raw_read() as conn:
        batch = [m for m in replica.pending_batch(conn) if m["table"] != "follow_up"]
        client_id = replica.get_meta(conn, "client_id")
    assert {m["table"] for m in batch} == {"customer"}  # only the customers' new dates go
    with psycopg.connect(team.rep_url("ann"), autocommit=True) as conn:
        results = conn.execute("SELECT sync.push(%s, %s)", (client_id, Jsonb(batch))).fetchone()[0]
    assert {r["outcome"] for r in results} == {"applied"}
    assert _server_dates(team, acme.id) == (None, None)  # no follow-up on the server: nothing moved
    assert _server_dates(team, beta.id) == ("2026-11-24 02:00", "2026-11-26 01:00")  # its kept call's


def test_a_laptop_derives_the_dates_from_the_follow_ups_a_pull_brings(team: Team, frozen) -> None:
    """Against a server that does not derive them (before revision s0009), the laptop does."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from crmtui.server import admin

    engine = create_engine(team.dsn.replace("postgresql:", "postgresql+psycopg:", 1), poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(admin.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "s0008")
    engine.dispose()
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health")
    _log(wang, acme.id, next_at="2026-11-25 09:00")
    sync.sync_round(wang)
    sync.sync_round(boss)
    travel(team, frozen, timedelta(days=2))
    _log(wang, acme.id, next_at="2026-12-01 10:00")
    sync.reassign(boss, acme.id, team.role("li"))
    sync.sync_round(li)
    sync.sync_round(wang)
    assert _server_dates(team, acme.id) == ("2026-11-24 02:00", "2026-11-25 01:00")  # the server lags behind
    sync.sync_round(li)
    assert _dates(li, acme.id) == ("2026-11-26 02:00:00.000000", "2026-12-01 02:00:00.000000")


def test_a_customer_change_beside_its_dates_is_still_refused_when_the_customer_left(team: Team, frozen) -> None:
    """Only the dates are the server's: a rep's own edit riding with them is refused and listed as before."""
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    sync.sync_round(boss)
    _log(wang, acme.id, next_at="2026-12-01 10:00")
    customer_service.edit_customer(wang, acme.id, {"industry": "化工"})  # offline
    sync.reassign(boss, acme.id, None)
    report = sync.sync_round(wang)
    assert report.rejected == 1
    [rejection] = sync.conflicts(wang)[1]
    assert rejection.table == "customer" and rejection.reason == "the customer is in the pool now"
    assert rejection.changes.get("industry") == "化工"


def test_server_stamps_are_on_the_team_clock(team: Team, frozen) -> None:
    """A conflict, a pushed change and a laptop's visit are dated by sync.now(), the clock every rule reads (in
    the tests a year before the machine's)."""
    travel(team, frozen, timedelta(days=-400))
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme", phone="13800000001")
    sync.sync_round(ann)
    laptop = _second_laptop(team, ann)
    customer_service.edit_customer(ann, acme.id, {"phone": "13800000002"})
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(laptop, acme.id, {"phone": "13900000009"})
    for ctx in (ann, laptop):
        sync.sync_round(ctx)
    with team.admin() as conn:
        gaps = conn.execute(
            "SELECT (SELECT max(abs(extract(epoch FROM at - sync.now()))) FROM sync.conflict),"
            " (SELECT max(abs(extract(epoch FROM at - sync.now()))) FROM sync.applied_mutation"
            "   WHERE at > sync.now() - interval '1 day'),"
            " (SELECT min(abs(extract(epoch FROM last_seen - sync.now()))) FROM sync.client),"
            " (SELECT count(*) FROM sync.applied_mutation WHERE at > sync.now() - interval '1 day')").fetchone()
    # Within the hour, not the 400 days of the machine's clock (the first push is a minute and a slow machine's
    # seconds before the team clock's now).
    assert [float(gap) < 3600 for gap in gaps[:3]] == [True, True, True] and gaps[3] >= 2, gaps
