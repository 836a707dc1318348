"""`crm import --kind follow-ups`: follow-up history from a spreadsheet with Chinese headers. Imported entries are
marked, may lack a goal, join the timeline, move the customer's last contact and next follow-up only when newer
than what the book holds (so an old next date does not make the customer overdue), and are not imported twice.
A follow-up logged today still needs every field."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from crmtui.services.agenda import agenda_for
from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.follow_ups import log_follow_up
from tests.conftest import NOW
from tests.test_cli import fails, ok, show

HEADERS = ["客户名称", "跟进时间", "跟进方式", "跟进内容", "跟进目的", "下一步计划", "下次跟进时间", "记录编号"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def imported(*args: str) -> dict:
    return json.loads(ok("import", *args, "--kind", "follow-ups", "--json").stdout)


def test_history_joins_the_timeline_and_moves_dates_only_when_newer(tmp_path: Path, home: Path, ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    # Acme was called yesterday, with a call planned in three days.
    log_follow_up(ctx, acme.id, channel="phone", goal="g", goal_met=True, notes="called", next_plan="demo",
                  next_at=NOW + timedelta(days=3))
    add_customer(ctx, "Globex")
    path = write_csv(tmp_path / "跟进记录.csv", [
        ["Acme", "2026-10-01 14:30", "电话", "问了价格", "", "", "2026-10-08", "F1"],  # older: dates stay
        ["Globex", "2026-09-01", "拜访", "看了工厂", "了解需求", "报价", "2026-09-10", "F2"],
        ["Globex", "2026-11-01 10:00", "WeChat", "发了报价", "", "等回复", "2026-11-20", "F3"],  # newest: overdue
        ["Initech", "2026-11-02", "email", "介绍产品", "", "", "", "F4"],  # not in the book: added
        ["Acme", "2026-08-01", "飞鸽传书", "寄了样品", "", "", "", "F5"],  # a channel of no system: Other
        ["Acme", "2026-12-01", "电话", "未来的事", "", "", "", "F6"],  # in the future: refused
        ["Acme", "", "电话", "没有时间", "", "", "", "F7"],  # no time: refused
    ])
    result = imported(str(path))
    assert result["columns"] == {"客户名称": "customer", "跟进时间": "at", "跟进方式": "channel", "跟进内容": "notes",
                                 "跟进目的": "goal", "下一步计划": "next-plan", "下次跟进时间": "next",
                                 "记录编号": "external_id"}
    assert result["counts"]["created"] == 5 and result["counts"]["customers"] == 1
    assert [(r["row"], r["column"]) for r in result["refused"]] == [(7, "跟进时间"), (8, "跟进时间")]

    acme_now = show("Acme")
    # Yesterday's call is still the last contact and its next date the next follow-up.
    assert acme_now["last_contact"].startswith("2026-11-24") and acme_now["next_follow_up"].startswith("2026-11-27")
    imported_ones = [f for f in acme_now["follow_ups"] if f["imported_from"] == "跟进记录.csv"]
    assert [(f["at"][:16], f["channel"], f["goal"]) for f in imported_ones] == [
        ("2026-10-01T14:30", "phone", ""), ("2026-08-01T09:00", "other", "")]
    assert imported_ones[1]["notes"] == "寄了样品\n跟进方式: 飞鸽传书"
    globex = show("Globex")
    assert globex["last_contact"].startswith("2026-11-01T10:00") and globex["next_follow_up"].startswith("2026-11-20")
    lines = ok("show", "Acme").stdout.splitlines()
    imported_line = next(i for i, line in enumerate(lines) if "问了价格" in line) - 1  # the notes under their line
    assert lines[imported_line].endswith("(imported)") and "not met" not in lines[imported_line]
    assert not next(line for line in lines if "Phone" in line and "(met)" in line).endswith("(imported)")

    agenda = agenda_for(ctx)
    # Globex's newest follow-up planned the 20th: overdue. Acme's old next date (8 Oct) is no one's business.
    assert [i.customer_name for i in agenda.sections["overdue"]] == ["Globex"]
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        assert connection.execute("SELECT count(*) FROM follow_up WHERE imported_from IS NOT NULL").fetchone() == (5,)
        assert connection.execute("SELECT count(*) FROM outbox WHERE record_table = 'follow_up'").fetchone() == (6,)


def test_the_same_file_twice_creates_nothing_with_or_without_an_id_column(tmp_path: Path, ctx: Context) -> None:
    add_customer(ctx, "Acme")
    with_ids = write_csv(tmp_path / "a.csv", [["Acme", "2026-10-01 14:30", "电话", "问了价格", "", "", "", "F1"],
                                             ["Acme", "2026-10-02", "visit", "拜访", "", "", "", "F2"]])
    assert imported(str(with_ids))["counts"]["created"] == 2
    assert imported(str(with_ids))["counts"] == {"created": 0, "merged": 0, "skipped": 2, "refused": 0,
                                                 "contacts": 0, "customers": 0}
    no_ids = tmp_path / "b.csv"
    with no_ids.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["customer", "time", "channel", "notes"],
                                      ["Acme", "2026-09-01 10:00", "call", "first call"],
                                      ["Acme", "2026-09-01 10:00", "call", "first call"]])  # repeated in the file
    first = imported(str(no_ids))
    assert (first["counts"]["created"], first["counts"]["skipped"]) == (1, 1)
    assert imported(str(no_ids))["counts"]["created"] == 0
    dry = json.loads(ok("import", str(with_ids), "--kind", "follow-ups", "--dry-run", "--json").stdout)
    assert dry["counts"]["skipped"] == 2


def test_a_follow_up_logged_today_still_needs_every_field(tmp_path: Path, ctx: Context) -> None:
    add_customer(ctx, "Acme")
    imported(str(write_csv(tmp_path / "a.csv", [["Acme", "2026-10-01", "电话", "问了价格", "", "", "", ""]])))
    refused = fails("log", "Acme", "--via", "phone", "--notes", "called")
    assert "goal" in refused.stderr


def test_a_sheet_of_follow_ups_or_deals_is_read_as_such_without_kind(tmp_path: Path, ctx: Context) -> None:
    add_customer(ctx, "Acme")
    calls = write_csv(tmp_path / "calls.csv", [["Acme", "2026-10-01", "电话", "问了价格", "", "", "", ""]])
    assert json.loads(ok("import", str(calls), "--dry-run", "--json").stdout)["kind"] == "follow-ups"
    deals = tmp_path / "商机.csv"
    deals.write_text("客户名称,商机名称,销售阶段\nAcme,机床,赢单\n", encoding="utf-8")
    assert json.loads(ok("import", str(deals), "--dry-run", "--json").stdout)["kind"] == "deals"
    people = tmp_path / "客户.csv"
    people.write_text("客户名称,手机,状态\nGlobex,13800138000,潜在客户\n", encoding="utf-8")
    assert json.loads(ok("import", str(people), "--dry-run", "--json").stdout)["kind"] == "customers"


def test_a_follow_up_id_of_another_customer_is_another_follow_up(tmp_path: Path, ctx: Context) -> None:
    add_customer(ctx, "Acme")
    add_customer(ctx, "Globex")
    imported(str(write_csv(tmp_path / "a.csv", [["Acme", "2026-10-01", "电话", "问了价格", "", "", "", "1"]])))
    second = imported(str(write_csv(tmp_path / "b.csv", [["Globex", "2026-10-02", "拜访", "看了工厂", "", "", "",
                                                          "1"]])))
    assert (second["counts"]["created"], second["counts"]["skipped"]) == (1, 0)
    assert [f["notes"] for f in show("Globex")["follow_ups"]] == ["看了工厂"]


def test_imported_history_keeps_the_customers_planned_follow_up(tmp_path: Path, ctx: Context) -> None:
    people = tmp_path / "客户.csv"
    people.write_text("客户名称,下次跟进时间\nAcme,2026-11-30\nGlobex,2026-11-30\n", encoding="utf-8")
    ok("import", str(people))
    imported(str(write_csv(tmp_path / "calls.csv", [
        ["Acme", "2026-11-01", "电话", "问了价格", "", "", "", ""],  # no next date: the plan stays
        ["Globex", "2026-11-01", "电话", "问了价格", "", "", "2026-11-05", ""],  # older than the plan: it stays
    ])))
    for name in ("Acme", "Globex"):
        customer = show(name)
        assert customer["next_follow_up"].startswith("2026-11-30") and customer["last_contact"].startswith("2026-11-01")
