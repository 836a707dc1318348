"""Snapshots of the team screens at 100x30, in English and in Chinese, on a real team server: the conflicts
screen (`C`) of a rep whose edit lost and whose changes were rejected, the pool screen (`o`) of a rep with
customers released for several reasons, and a manager's Today with three reps' waiting work.

What keeps them the same on every run:
- the laptops' clock is the suite's frozen clock, moved only to exact moments;
- the team clock is set to the same moments before anything happens on the server, and the server's own
  stamps that a screen shows (when a customer was released) are set to exact moments afterwards, so a slow
  machine's seconds never reach the screen;
- the reps' logins are plain names (wang, li, zhang, boss), not the suite's per-database names;
- the app's automatic first sync (2 s after it starts) is waited for, and its notices cleared, before the
  keys are pressed, so the footer and the list never change while the picture is taken.

Review a changed snapshot before accepting it: `pytest tests/test_snapshots_team.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from crmtui.core import i18n
from crmtui.server import admin
from crmtui.services import customers as customer_service
from crmtui.services import deals as deal_service
from crmtui.services import follow_ups as follow_up_service
from crmtui.services import team_words
from crmtui.services.agenda import agenda_for
from crmtui.services.context import Context
from crmtui.sync import client as sync
from crmtui.sync import notices, pool_view
from crmtui.tui.app import build_app
from crmtui.tui.screens.conflicts import ConflictsScreen
from crmtui.tui.screens.pool import PoolScreen
from crmtui.tui.screens.today import TodayScreen
from tests.pilot import until

from .conftest import NOW, ZONE
from .pgcluster import Cluster
from .teamserver import MemoryKeyring, Team, _databases, _drop_team


SIZE = (100, 30)


class NamedTeam(Team):
    """A team whose reps log in under their plain names, as a team's admin would name them (the suite's other
    teams add the database's name so that teams can share the cluster; a snapshot must not show it)."""

    def role(self, name: str) -> str:
        return name


@pytest.fixture
def named_team(pg_cluster: Cluster, tmp_path: Path, memory_keyring: MemoryKeyring, frozen) -> Iterator[NamedTeam]:
    """teamserver's `team`, with reps under their plain names."""
    database = f"team{next(_databases)}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {database}")
    team = NamedTeam(pg_cluster, database, tmp_path / "laptops", ZONE)
    team.home.mkdir()
    admin.init(team.dsn)
    team.set_server_clock(NOW)
    yield team
    for ctx in team.laptops.values():
        ctx.close()
    _drop_team(team)


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.delenv("NO_COLOR")  # the pictures are reviewed in the theme's colours, as a rep sees them
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def _at(team: Team, frozen, moment: datetime) -> None:
    """The laptops' clock and the team clock both show `moment`."""
    frozen.move_to(moment)
    team.set_server_clock(moment)


def _stamp_release(team: Team, customer_id: str, moment: datetime) -> None:
    """The server stamped the customer's going to the pool with its running clock (a few seconds after
    `moment`, more on a slow machine); the pool screen shows the minute a rep may claim it again, so the
    stamp is put at `moment`."""
    with team.admin() as conn:
        conn.execute("UPDATE crm.access_change SET at = %s WHERE customer_id = %s AND change = 'lost'",
                     (moment, customer_id))


def _log(ctx: Context, customer_id: str, next_at: datetime, notes: str, plan: str) -> None:
    follow_up_service.log_follow_up(ctx, customer_id, channel="phone", goal="了解需求", goal_met=True, notes=notes,
                                    next_plan=plan, next_at=next_at)


def _viewer(ctx: Context, language: str) -> Context:
    """The laptop whose app is pictured: in `language`, and without the periodic sync (a slow run must not
    start a second round while the picture is taken; the app's first round still runs)."""
    ctx.settings = replace(ctx.settings, language=language, sync=replace(ctx.settings.sync, interval=0))
    return ctx


async def _settle(pilot) -> None:
    """Waits until the app is at rest: no worker running and the screen drawn alike at two polls in a row."""
    app = pilot.app
    drawn: list[str] = []

    def at_rest() -> bool:
        if any(worker.is_running for worker in app.workers):
            drawn.clear()
            return False
        drawn.append(app.export_screenshot())
        return len(drawn) > 1 and drawn[-1] == drawn[-2]

    await app.workers.wait_for_complete()
    await until(pilot, at_rest)


def _after_first_sync(*keys: str, ready=lambda app: True):  # type: ignore[no-untyped-def]
    """run_before for snap_compare: waits for the app's own first sync round to end, clears its notices, then
    presses `keys` and waits until `ready(app)`."""

    async def run(pilot) -> None:
        app = pilot.app
        rounds: list[bool] = []
        after_sync = app._after_sync

        def counted(*args: object) -> None:
            after_sync(*args)
            rounds.append(True)

        app._after_sync = counted
        await until(pilot, lambda: bool(rounds))
        await _settle(pilot)
        app.clear_notifications()
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)
        await until(pilot, lambda: ready(app))
        await _settle(pilot)

    return run


# ------------------------------------------------------------------ the conflicts screen


def _conflicts_story(team: Team, frozen) -> Context:
    """wang, offline for three hours, and his manager boss edit the same fields of two customers; boss gives
    Acme Health to li while wang changes its email and logs a call on it. wang syncs at NOW: his phone edit
    lost to boss's later one, boss's region edit lost to wang's later one, his changes to Acme Health are
    rejected."""
    start = NOW - timedelta(hours=3)
    _at(team, frozen, start)
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    hongda = customer_service.add_customer(wang, "上海宏达机械", phone="13800000001", region="上海")
    zhilian = customer_service.add_customer(wang, "北京智联科技", region="北京")
    acme = customer_service.add_customer(wang, "Acme Health", email="info@acme.example", region="深圳")
    sync.sync_round(wang)
    sync.sync_round(boss)
    _at(team, frozen, start + timedelta(minutes=10))
    customer_service.edit_customer(wang, hongda.id, {"phone": "13800000002"})  # wang is offline from here
    _at(team, frozen, start + timedelta(minutes=20))
    customer_service.edit_customer(boss, hongda.id, {"phone": "13900000009"})  # later: boss's is kept
    customer_service.edit_customer(boss, zhilian.id, {"region": "天津"})
    sync.sync_round(boss)
    sync.reassign(boss, acme.id, "li")
    _at(team, frozen, start + timedelta(minutes=30))
    customer_service.edit_customer(wang, zhilian.id, {"region": "河北廊坊"})  # later: wang's is kept
    customer_service.edit_customer(wang, acme.id, {"email": "wang-new@acme.example"})
    _log(wang, acme.id, NOW + timedelta(days=3), "客户要40个账号，下周报价", "发报价单")
    _at(team, frozen, NOW)
    report = sync.sync_round(wang)
    assert [c.field for c in report.lost_edits] == ["phone"]
    # rejected: the email, the follow-up, and the customer's next date and last contact that the follow-up moved;
    # all three stay in the outbox, the dates listed and counted with the follow-up: two changes of wang's
    _, rejected = sync.conflicts(wang)
    assert len(rejected) == 3 and [len(c.companions) for c in notices.rejected_changes(rejected)] == [0, 1]
    return wang


def test_conflicts_screen(snap_compare, named_team: NamedTeam, frozen, language: str) -> None:
    wang = _viewer(_conflicts_story(named_team, frozen), language)
    app = build_app(wang, watch_seconds=0.2)
    ready = _after_first_sync("C", ready=lambda app: isinstance(app.screen, ConflictsScreen)
                              and app.screen.query_one("#conflict-list").option_count >= 5)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


# ------------------------------------------------------------------ the pool screen


def _pool_story(team: Team, frozen) -> Context:
    """wang works four customers and releases three with reasons; boss puts a fifth back in the pool; li
    releases one of her own two hours ago (she may claim it again after seven days). li opens the pool."""
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    customers = {}
    for days, owner, name, industry, region in (
            (20, wang, "上海宏达机械", "制造", "上海"), (12, wang, "北京智联科技", "软件", "北京"),
            (6, wang, "杭州绿源农业", "农业", "杭州"), (3, li, "Acme Health", "医疗", "深圳"),
            (2, wang, "广州天河贸易", "贸易", "广州")):
        moment = NOW - timedelta(days=days)
        _at(team, frozen, moment)
        customer = customer_service.add_customer(owner, name, industry=industry, region=region)
        if name != "广州天河贸易":  # never called
            _log(owner, customer.id, moment + timedelta(days=25), "介绍了产品", "再约时间")
        sync.sync_round(owner)
        customers[name] = customer.id
    released = NOW - timedelta(days=1)
    _at(team, frozen, released)
    sync.sync_round(boss)
    for name, reason in (("上海宏达机械", "no-budget"), ("北京智联科技", "not-my-territory"),
                         ("杭州绿源农业", "other: 客户已搬到国外")):
        pool_view.release(wang, customers[name], team_words.parse_reason_option(reason))  # as `--reason` reads it
        _stamp_release(team, customers[name], released)
    sync.reassign(boss, customers["广州天河贸易"], None)
    _stamp_release(team, customers["广州天河贸易"], released)
    _at(team, frozen, NOW - timedelta(hours=2))
    pool_view.release(li, customers["Acme Health"], "duplicate")
    _stamp_release(team, customers["Acme Health"], NOW - timedelta(hours=2))
    _at(team, frozen, NOW)
    return li


def test_pool_screen(snap_compare, named_team: NamedTeam, frozen, language: str) -> None:
    li = _viewer(_pool_story(named_team, frozen), language)
    app = build_app(li, watch_seconds=0.2)
    ready = _after_first_sync("o", ready=lambda app: isinstance(app.screen, PoolScreen)
                              and len(app.screen.customers) == 5)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


# ------------------------------------------------------------------ the manager's Today


def _team_today_story(team: Team, frozen) -> Context:
    """Three reps' week on the server, then their manager boss syncs on Tuesday at 10:00.
    wang: a 120,000 quote untouched for 9 days, two customers 3 and 4 days overdue, one due at 15:00.
    li: one customer 3 days overdue, a lead added 30 hours ago and never called.
    zhang: one customer 1 day overdue, one due at 14:30.
    boss's own: two customers due at 11:30 and 16:00."""
    wang, li, zhang = team.add_rep("wang"), team.add_rep("li"), team.add_rep("zhang")
    boss = team.add_rep("boss", manager=True)
    _at(team, frozen, NOW - timedelta(days=9))
    hongda = customer_service.add_customer(wang, "上海宏达机械", region="上海")
    deal = deal_service.add_deal(wang, hongda.id, "数控机床采购", amount="120000")
    deal_service.move_stage(wang, deal.id, "quote", amount="120000")
    _log(wang, hongda.id, NOW + timedelta(days=21), "报价已发，等采购部回复", "问采购部的决定")
    sync.sync_round(wang)
    _at(team, frozen, NOW - timedelta(days=5))
    for rep, name, due, plan in ((wang, "北京智联科技", 2, "确认试用账号"), (wang, "Acme Health", 1, "send the contract"),
                                 (li, "广州天河贸易", 2, "约见采购经理"), (zhang, "南京金陵酒店", 4, "回访满意度")):
        customer = customer_service.add_customer(rep, name)
        _log(rep, customer.id, NOW - timedelta(days=5 - due), "电话沟通", plan)
    for rep in (wang, li, zhang):
        sync.sync_round(rep)
    _at(team, frozen, NOW - timedelta(hours=30))
    customer_service.add_lead(li, "陈静", company="深圳华南电子", phone="13700000001")
    sync.sync_round(li)
    _at(team, frozen, NOW - timedelta(hours=1))
    for rep, name, at, plan in ((wang, "杭州绿源农业", NOW + timedelta(hours=5), "演示新版本"),
                                (zhang, "苏州园林设计", NOW + timedelta(hours=4, minutes=30), "送样品"),
                                (boss, "成都天府软件", NOW + timedelta(hours=6), "谈年度框架协议"),
                                (boss, "Initech", NOW + timedelta(hours=1, minutes=30), "renewal call")):
        customer = customer_service.add_customer(rep, name)
        _log(rep, customer.id, at, "电话沟通", plan)
        sync.sync_round(rep)
    _at(team, frozen, NOW)
    sync.sync_round(boss)
    loads = [(load.rep, load.overdue, load.due, load.stalled, load.new_leads) for load in agenda_for(boss).team]
    assert loads == [("wang", 2, 1, 1, 0), ("zhang", 1, 1, 0, 0), ("li", 1, 0, 0, 1)]
    return boss


def test_manager_today(snap_compare, named_team: NamedTeam, frozen, language: str) -> None:
    boss = _viewer(_team_today_story(named_team, frozen), language)
    app = build_app(boss, watch_seconds=0.2)
    ready = _after_first_sync(ready=lambda app: isinstance(app.screen, TodayScreen) and app.screen.agenda is not None
                              and len(app.screen.agenda.team) == 3)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
