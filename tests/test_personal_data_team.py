"""A person erased on one laptop is erased on the team server (its rows and the conflicts it kept) and on the
other laptops at their next pull, against a real PostgreSQL."""

from __future__ import annotations

import sqlite3

from crmtui.core.clock import Clock
from crmtui.services import customers as customer_service
from crmtui.services import personal_data
from crmtui.services.context import open_context
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.search import search
from crmtui.sync import client as sync

from .teamserver import Team, travel

NAME, PHONE, EMAIL = "张伟", "13800138001", "zhangwei@example.com"


def _file_bytes(path) -> bytes:  # type: ignore[no-untyped-def]
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("VACUUM")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_an_erasure_reaches_the_server_and_the_other_laptops(team: Team, frozen) -> None:
    from datetime import timedelta

    ann = team.add_rep("ann")
    zhang = customer_service.add_lead(ann, NAME, phone=PHONE, email=EMAIL, wechat="zw_wechat")
    log_follow_up(ann, zhang.id, channel="phone", goal="intro", goal_met=True, notes=f"met {NAME} at the fair",
                  next_plan="send deck", next_at="in 3 days")
    assert sync.sync_round(ann).rejected == 0
    second = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = second
    sync.sync_round(second)
    assert [c.name for c in customer_service.list_customers(second)] == [NAME]
    # Both laptops change the email: the server keeps the later one and records the conflict, values and all.
    customer_service.edit_customer(ann, zhang.id, {"email": "zw.old@example.com"})
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(second, zhang.id, {"email": "zw.new@example.com"})
    sync.sync_round(ann)
    sync.sync_round(second)
    sync.sync_round(ann)
    with team.admin() as conn:
        kept = conn.execute("SELECT count(*) FROM sync.conflict WHERE record_id = %s", (zhang.id,)).fetchone()[0]
    assert kept >= 1

    record = personal_data.find_person(ann, NAME)
    plan = personal_data.erasure_plan(ann, record)
    personal_data.erase_person(ann, plan, [hit.id for hit in plan.notes])
    # The second laptop, offline meanwhile, changes the phone of the person just erased.
    customer_service.edit_customer(second, zhang.id, {"phone": "13900000009"})
    report = sync.sync_round(ann)
    assert report.rejected == 0

    [row] = team.server_rows("customer")
    assert row["name"].startswith("erased person ") and row["erased_at"] is not None
    assert (row["phone"], row["email"], row["wechat"], row["phone_key"]) == (None, None, None, None)
    assert [f["notes"] for f in team.server_rows("follow_up")] == [""]
    with team.admin() as conn:
        held = conn.execute("SELECT count(*) FROM sync.conflict WHERE kept_value::text LIKE '%%example.com%%'"
                            " OR lost_value::text LIKE '%%example.com%%' OR record_id = %s", (zhang.id,)).fetchone()[0]
    assert held == 0

    sync.sync_round(second)  # pushes its late phone (the server keeps the record erased), then pulls the erasure
    sync.sync_round(second)
    [row] = team.server_rows("customer")
    assert row["phone"] is None and row["name"].startswith("erased person ")
    with team.admin() as conn:  # the late phone was not kept as a conflict's lost value either
        assert conn.execute("SELECT count(*) FROM sync.conflict WHERE record_id = %s", (zhang.id,)).fetchone()[0] == 0
    [local] = customer_service.list_customers(second)
    assert local.name == row["name"] and local.phone is None and local.erased_at is not None
    assert not search(second, NAME) and not search(second, PHONE)
    data = _file_bytes(second.db.path)
    for value in (NAME, PHONE, EMAIL, "zw.old@example.com", "zw.new@example.com", "zw_wechat", "13900000009"):
        assert value.encode() not in data, value
    data = _file_bytes(ann.db.path)
    for value in (NAME, PHONE, EMAIL, "zw.old@example.com", "zw.new@example.com", "zw_wechat"):
        assert value.encode() not in data, value


def test_the_server_keeps_another_records_conflict_naming_them_with_the_name_cut_out(team: Team, frozen) -> None:
    from datetime import timedelta

    ann = team.add_rep("ann")
    customer_service.add_lead(ann, NAME, phone=PHONE)
    company = customer_service.add_customer(ann, "张伟明商贸")
    assert sync.sync_round(ann).rejected == 0
    second = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = second
    sync.sync_round(second)
    # both laptops rename the company: the server keeps the later name and records the other as a conflict
    customer_service.edit_customer(ann, company.id, {"name": "张伟明商贸有限公司"})
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(second, company.id, {"name": "张伟明商贸集团"})
    sync.sync_round(ann)
    sync.sync_round(second)
    with team.admin() as conn:
        before = conn.execute("SELECT count(*) FROM sync.conflict WHERE record_id = %s", (company.id,)).fetchone()[0]
    assert before >= 1

    plan = personal_data.erasure_plan(ann, personal_data.find_person(ann, NAME))
    personal_data.erase_person(ann, plan, [])
    assert sync.sync_round(ann).rejected == 0

    with team.admin() as conn:
        kept = conn.execute("SELECT kept_value #>> '{}', lost_value #>> '{}' FROM sync.conflict"
                            " WHERE record_id = %s", (company.id,)).fetchall()
    assert len(kept) == before  # the company's conflict stays
    assert all(NAME not in (k or "") + (lost or "") for k, lost in kept)
    assert any("…明商贸" in (k or "") + (lost or "") for k, lost in kept)
