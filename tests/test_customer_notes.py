"""A customer's notes: kept on the customer (not as a follow-up), shown by `crm show` and the customer screen,
changed with `crm edit --notes`, exported, synced; an imported sheet's 备注 goes there, so an imported lead is still
a lead nobody has called. A type column (类型: 个人/公司) says whether a row is a person or a company."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from crmtui.core.clock import Clock
from crmtui.services.agenda import agenda_for
from crmtui.services.context import Context, open_context
from crmtui.services.customers import add_customer, edit_customer
from crmtui.services.merge import merge_customers
from crmtui.services.search import search
from crmtui.store.db import Database, open_database
from crmtui.store.migrate import upgrade
from tests.conftest import NOW, ZONE
from tests.test_cli import fails, ok, show


def write_csv(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def test_imported_leads_keep_their_notes_and_stay_on_todays_call_now_list(tmp_path: Path, ctx: Context,
                                                                          frozen) -> None:
    sheet = write_csv(tmp_path / "线索.csv", ["姓名", "手机", "备注", "传真"], [
        ["王小明", "13800138000", "展会上要了报价单", "010-6666"], ["李雷", "13900139000", "", ""]])
    result = json.loads(ok("import", str(sheet), "--kind", "leads", "--json").stdout)
    assert result["counts"]["created"] == 2

    wang = show("王小明")
    assert wang["notes"] == "展会上要了报价单\n传真: 010-6666"
    assert wang["follow_ups"] == [] and wang["last_contact"] is None  # an import is no call
    frozen.move_to(NOW + timedelta(hours=30))  # past the speed-to-lead window
    leads = {item.customer_name for item in agenda_for(ctx).sections["new_leads"]}
    assert leads == {"王小明", "李雷"}

    # the same file again adds nothing, to the notes either
    again = json.loads(ok("import", str(sheet), "--kind", "leads", "--on-duplicate", "merge", "--json").stdout)
    assert (again["counts"]["created"], again["counts"]["merged"]) == (0, 0)
    assert show("王小明")["notes"] == "展会上要了报价单\n传真: 010-6666"


def test_notes_are_shown_edited_exported_and_queued_for_the_server(tmp_path: Path, home: Path, ctx: Context) -> None:
    acme = add_customer(ctx, "Acme Tools")
    ok("edit", "Acme Tools", "--notes", "Buys every spring; ask for Mr. Li")
    assert "  notes: Buys every spring; ask for Mr. Li" in ok("show", "Acme Tools").stdout
    assert edit_customer(ctx, acme.id, {"notes": "line one\nline two"}).notes == "line one\nline two"
    assert "  notes: line one\n    line two" in ok("show", "Acme Tools").stdout
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        changes = [json.loads(row[0]) for row in connection.execute(
            "SELECT changes FROM outbox WHERE record_table = 'customer' AND kind = 'update' ORDER BY seq")]
    assert changes[-1]["notes"] == "line one\nline two"

    out = tmp_path / "customers.csv"
    ok("export", "customers", "--format", "csv", "-o", str(out))
    with out.open(encoding="utf-8-sig") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["notes"] == "line one\nline two"

    ok("edit", "Acme Tools", "--notes", "")
    assert show("Acme Tools")["notes"] is None
    assert fails("edit", "Acme Tools", "--notes", "x" * 20_001).stderr == "error: notes: at most 20000 characters (got 20001)\n"


def test_a_type_column_makes_people_and_keeps_a_persons_employer(tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "客户.csv", ["客户名称", "联系人", "类型", "手机"], [
        ["华信科技", "张三", "个人", "13800138000"],  # 张三 is the customer, 华信科技 his employer
        ["恒通贸易", "李四", "公司", "13900139000"],  # a company, with 李四 its contact
        ["博远", "", "其他", "13700137000"],
    ])
    result = json.loads(ok("import", str(sheet), "--json").stdout)
    assert result["columns"]["类型"] == "type"
    assert result["counts"]["created"] == 2
    assert result["refused"] == [{"row": 4, "column": "类型",
                                  "reason": 'type: person or company (个人 or 公司) (got "其他")'}]
    zhang = show("张三")
    assert (zhang["name"], zhang["kind"], zhang["company"], zhang["contacts"]) == ("张三", "person", "华信科技", [])
    hengtong = show("恒通贸易")
    assert hengtong["kind"] == "company" and [c["name"] for c in hengtong["contacts"]] == ["李四"]


def test_search_finds_a_customer_by_its_notes_also_in_a_book_made_before_notes(tmp_path: Path, settings) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    upgrade(old.engine, "0008")
    old.close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO customer (id, created_at, updated_at, name, name_key, pinyin, kind, status, tier, score)"
                    " VALUES ('c1', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', 'Acme Tools',"
                    " 'acme tools', '', 'company', 'prospect', 'C', 0)")
    open_database(path, tmp_path / "backups").close()
    ctx = open_context(path, settings=settings, clock=Clock(ZONE))
    try:
        assert [hit.customer_name for hit in search(ctx, "Acme")] == ["Acme Tools"]  # the index was made again, whole
        assert search(ctx, "pumps") == []
        edit_customer(ctx, "c1", {"notes": "Buys pumps every spring"})
        assert [(hit.kind, hit.customer_name) for hit in search(ctx, "pumps")] == [("customer", "Acme Tools")]
    finally:
        ctx.close()


def test_a_reimport_with_merge_fills_what_is_empty_and_says_what(tmp_path: Path, ctx: Context) -> None:
    add_customer(ctx, "华信科技", phone="13800138000")
    sheet = write_csv(tmp_path / "客户.csv", ["客户名称", "手机", "邮箱", "行业", "备注"], [
        ["华信科技", "13900139000", "hx@huaxin.cn", "软件", "老客户"]])
    result = json.loads(ok("import", str(sheet), "--on-duplicate", "merge", "--json").stdout)
    assert result["counts"]["merged"] == 1
    [merge] = result["merges"]
    assert merge["row"] == 2 and merge["filled"].startswith('email, industry, notes of "华信科技" (')
    huaxin = show("华信科技")
    assert (huaxin["phone"], huaxin["email"], huaxin["industry"], huaxin["notes"]) == (
        "13800138000", "hx@huaxin.cn", "软件", "老客户")  # the phone in the book is kept
    text = ok("import", str(sheet), "--on-duplicate", "merge").stdout
    assert "merged (" not in text and "skipped" in text  # nothing left to fill: skipped


def test_a_merge_keeps_both_customers_notes(ctx: Context) -> None:
    keep = add_customer(ctx, "华信科技有限公司")
    other = add_customer(ctx, "华信科技", force=True)
    edit_customer(ctx, keep.id, {"notes": "年底采购"})
    edit_customer(ctx, other.id, {"notes": "老板姓王"})
    merge_customers(ctx, keep.id, other.id)
    assert show("华信科技有限公司")["notes"] == "年底采购\n老板姓王"
