"""Undo in a team, against the real PostgreSQL server: what a sync brings back of the rep's own write (the owner
the server sets, its bookkeeping) never stands in the way; a colleague's change on another laptop still does,
named by the most telling of them."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from crmtui.core.clock import Clock
from crmtui.services import customers as customer_service
from crmtui.services.context import Context, open_context
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.importing.run import Options, run_import
from crmtui.services.undo import undo, undo_plan
from crmtui.sync import client as sync

from .teamserver import Team, travel
from .test_import import GOOD, excel_csv


def _second_laptop(team: Team, rep: Context) -> Context:
    laptop = open_context(team.home / "wang-2.db", settings=rep.settings, clock=Clock(team.zone))
    team.laptops["wang-2"] = laptop
    sync.sync_round(laptop)
    return laptop


def _alive(ctx: Context, name: str) -> bool:
    with sqlite3.connect(Path(ctx.db.path)) as connection:
        return connection.execute("SELECT count(*) FROM customer WHERE name = ? AND deleted_at IS NULL",
                                  (name,)).fetchone()[0] == 1


def test_an_add_the_server_has_is_refused_for_the_team_not_blamed_on_a_colleague(team: Team, frozen) -> None:  # type: ignore[no-untyped-def]
    # the owner the server set comes back with the sync: it confirms wang's own write and blames nobody; but the
    # customer is the team's now, and the server refuses a rep's delete of it, so the undo is refused up front
    wang = team.add_rep("wang")
    customer_service.add_customer(wang, "测试同步公司", phone="13255556666")
    sync.sync_round(wang)
    travel(team, frozen, timedelta(minutes=1))
    sync.sync_round(wang)  # the app syncs every minute

    plan = undo_plan(wang)

    assert plan.refusal is not None and "Owner" not in plan.refusal and "colleague" not in plan.refusal
    assert plan.refusal.startswith("cannot undo add customer 测试同步公司: the team server has 测试同步公司 by now")
    assert _alive(wang, "测试同步公司")


def test_an_add_never_sent_is_undone_and_never_reaches_the_server(team: Team, frozen) -> None:  # type: ignore[no-untyped-def]
    wang = team.add_rep("wang")
    customer_service.add_customer(wang, "草稿公司", phone="13255557777")

    plan = undo_plan(wang)
    assert plan.refusal is None, plan.refusal
    undo(wang, plan)
    report = sync.sync_round(wang)

    assert not _alive(wang, "草稿公司")
    assert report.rejected == 0
    assert team.server_rows("customer", "name = %s", ("草稿公司",)) == []


def test_a_follow_up_a_colleague_logged_is_named_not_the_owner(team: Team, frozen) -> None:  # type: ignore[no-untyped-def]
    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "测试同步公司", phone="13255556666")
    sync.sync_round(wang)
    laptop = _second_laptop(team, wang)
    travel(team, frozen, timedelta(minutes=1))
    log_follow_up(laptop, acme.id, channel="phone", goal="intro", goal_met=True, notes="met", next_plan="call",
                  next_at="fri 3pm")
    sync.sync_round(laptop)
    travel(team, frozen, timedelta(minutes=1))
    sync.sync_round(wang)

    plan = undo_plan(wang)

    assert plan.refusal is not None and plan.refusal.startswith("cannot undo add customer 测试同步公司: follow-up")
    assert "was added since" in plan.refusal


def test_a_field_a_colleague_changed_still_stands_in_the_way(team: Team, frozen) -> None:  # type: ignore[no-untyped-def]
    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "测试同步公司", industry="steel")
    sync.sync_round(wang)
    customer_service.edit_customer(wang, acme.id, {"industry": "mining"})
    sync.sync_round(wang)
    laptop = _second_laptop(team, wang)
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(laptop, acme.id, {"industry": "textiles"})
    sync.sync_round(laptop)
    travel(team, frozen, timedelta(minutes=1))
    sync.sync_round(wang)

    plan = undo_plan(wang)

    assert plan.refusal is not None and "Industry of customer 测试同步公司 was changed again since" in plan.refusal


def test_an_import_the_server_has_is_refused_one_never_sent_is_undone(team: Team, frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wang = team.add_rep("wang")
    run_import(wang, excel_csv(tmp_path / "客户.csv", GOOD[:2]), Options())
    sync.sync_round(wang)
    travel(team, frozen, timedelta(minutes=1))
    sync.sync_round(wang)

    plan = undo_plan(wang)
    assert plan.refusal is not None and "the team server has" in plan.refusal

    later = [["广州新桥电子有限公司", "王五", "13700002222", *GOOD[1][3:]]]
    run_import(wang, excel_csv(tmp_path / "更多客户.csv", later), Options())
    plan = undo_plan(wang)
    assert plan.refusal is None, plan.refusal
    undo(wang, plan)
    report = sync.sync_round(wang)
    assert not _alive(wang, "广州新桥电子有限公司") and _alive(wang, GOOD[0][0])
    assert report.rejected == 0
    assert team.server_rows("customer", "name = %s", ("广州新桥电子有限公司",)) == []
