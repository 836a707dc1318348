"""A person's erasure takes exactly them: another record's history that merely holds their name keeps its rows
(the name cut out) and is not half undone; what a contacts import put into the company's notes, a person's
address, deal titles and the names kept beside rejected changes go too; the plan shown is the plan erased."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crmtui.core.errors import NotAllowed
from crmtui.services import personal_data
from crmtui.services.customers import (
    add_customer,
    add_lead,
    customer_detail,
    edit_customer,
)
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up
from crmtui.store import history

from .test_cli import crm, ok


def _raw(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "data" / "crm.db")


def _file_bytes(path: Path) -> bytes:
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("VACUUM")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_erasing_a_person_keeps_another_records_history_that_holds_their_name(ctx, home: Path) -> None:
    add_lead(ctx, "王伟", phone="13800138111")
    company = add_customer(ctx, "王伟明商贸", industry="retail")
    edit_customer(ctx, company.id, {"name": "王伟明商贸有限公司", "industry": "wholesale"})  # one edit, two fields
    with _raw(home) as raw:
        rows_before = raw.execute("SELECT count(*) FROM change_log WHERE record_id = ?", (company.id,)).fetchone()[0]

    ok("person", "erase", "王伟", "--notes", "none", "--yes")

    with _raw(home) as raw:
        rows = raw.execute("SELECT field, old_value, new_value FROM change_log WHERE record_id = ?",
                           (company.id,)).fetchall()
        cut = raw.execute("SELECT count(*) FROM change_action WHERE cut_by_erasure").fetchone()[0]
        undoable = history.undoable_actions(raw.execute, None, 10)
    raw.close()
    assert len(rows) == rows_before  # the company's rename row stays
    renamed = [(old, new) for field, old, new in rows if field == "name"]
    assert renamed == [('"…明商贸"', '"…明商贸有限公司"')]  # only the erased name is cut out
    assert all("王伟" not in (old or "") + (new or "") for _field, old, new in rows)
    assert cut >= 1
    # undo passes over the cut edit: it would revert the industry and leave the name half-undone
    crm("undo", "--yes")
    after = customer_detail(ctx, company.id).customer
    assert (after.name, after.industry) == ("王伟明商贸有限公司", "wholesale")
    assert all(action.what is None or "王伟" not in action.what for action in undoable)


def test_a_contacts_import_an_address_and_a_deal_title_leave_nothing_of_them(ctx, home: Path, tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("姓名,客户名称,手机,电话,邮箱,备注,爱好\n"
                        "赵敏,华信科技,13700137001,13700137002,zhaomin@huaxin.example,喜欢喝茶 老客户介绍,登山滑雪\n",
                        encoding="utf-8-sig")
    people = tmp_path / "people.csv"
    people.write_text("姓名,手机,详细地址\n周芷若,13600136001,杭州市西湖区文三路88号\n", encoding="utf-8-sig")
    ok("import", str(contacts), "--kind", "contacts")
    ok("import", str(people))
    zhou_id = _id_of(home, "周芷若")
    huaxin_id = _id_of(home, "华信科技")
    assert "13700137002" in (customer_detail(ctx, huaxin_id).customer.notes or "")  # the import put it there
    other = add_customer(ctx, "峨眉派")
    edit_customer(ctx, other.id, {"notes": "年会\n找赵敏谈合作"})  # another customer's notes naming her
    add_deal(ctx, huaxin_id, "赵敏的茶叶订单")

    plan = personal_data.erasure_plan(ctx, personal_data.find_person(ctx, "赵敏"))
    kinds = {(hit.table, hit.whole) for hit in plan.notes}
    assert kinds == {("customer", True), ("customer", False), ("deal", False)}
    result = ok("person", "erase", "赵敏", "--notes", "all", "--yes")
    assert "notes of their company" in result.stdout and "deal title" in result.stdout
    ok("person", "erase", "周芷若", "--yes")

    assert customer_detail(ctx, huaxin_id).customer.notes is None
    assert customer_detail(ctx, other.id).customer.notes == "年会"  # only the line naming her goes
    assert [d.title for d in customer_detail(ctx, huaxin_id).deals] == ["…的茶叶订单"]
    assert customer_detail(ctx, zhou_id).customer.region is None
    data = _file_bytes(home / "data" / "crm.db")
    for value in ("赵敏", "13700137001", "13700137002", "zhaomin@huaxin", "喜欢喝茶", "登山滑雪", "周芷若",
                  "13600136001", "文三路88号"):
        assert value.encode("utf-8") not in data, value


def test_a_persons_export_lists_every_text_the_erasure_offers_to_blank(ctx, home: Path, tmp_path: Path) -> None:
    import json

    contacts = tmp_path / "contacts.csv"
    contacts.write_text("姓名,客户名称,手机,邮箱,备注\n赵敏,华信科技,13700137001,zhaomin@huaxin.example,喜欢喝茶\n",
                        encoding="utf-8-sig")
    ok("import", str(contacts), "--kind", "contacts")
    huaxin_id = _id_of(home, "华信科技")
    other = add_customer(ctx, "峨眉派")
    edit_customer(ctx, other.id, {"notes": "年会\n找赵敏谈合作\n订了茶叶"})  # one line of three names her
    deal = add_deal(ctx, huaxin_id, "赵敏的茶叶订单")
    add_deal(ctx, huaxin_id, "年度框架协议")  # names nobody
    log_follow_up(ctx, other.id, channel="phone", goal="intro", goal_met=True, notes="赵敏 (13700137001) 推荐了我们",
                  next_plan="send deck", next_at="in 3 days")

    target = tmp_path / "zm.json"
    summary = ok("person", "export", "赵敏", "-o", str(target)).stdout.splitlines()[-1]
    data = json.loads(target.read_text(encoding="utf-8"))
    assert "texts" in data["header"]["sections"]
    texts = {(t["table"], t["field"], t["id"], t["whole"]): (t["text"], t["names"]) for t in data["texts"]}
    assert texts == {
        ("customer", "notes", huaxin_id, True): ("喜欢喝茶", []),  # the import kept her remark in the company's notes
        ("customer", "notes", other.id, False): ("找赵敏谈合作", ["赵敏"]),  # the line naming her, not the other two
        ("deal", "title", deal.id, False): ("赵敏的茶叶订单", ["赵敏"]),
    }
    assert [f["notes"] for f in data["follow_ups"]] == ["赵敏 (13700137001) 推荐了我们"]
    assert "other texts 3" in summary and "follow-ups 1" in summary
    # the erasure offers the same texts (and that follow-up)
    plan = personal_data.erasure_plan(ctx, personal_data.find_person(ctx, "赵敏"))
    assert {(hit.table, hit.id) for hit in plan.notes} == {
        *((table, ident) for table, _field, ident, _whole in texts), ("follow_up", data["follow_ups"][0]["id"])}


def _id_of(home: Path, name: str) -> str:
    with _raw(home) as raw:
        found = raw.execute("SELECT id FROM customer WHERE name = ?", (name,)).fetchone()
    raw.close()
    assert found, name
    return found[0]


def test_the_names_kept_beside_rejected_changes_and_conflicts_are_scrubbed(ctx, home: Path) -> None:
    lead = add_lead(ctx, "王伟", phone="13800138111")
    with _raw(home) as raw:
        raw.execute("INSERT INTO meta (key, value) VALUES ('rejected_customer.7', '王伟'),"
                    " ('conflict_customer.x1', '王伟明商贸'), ('hlc_other', '王伟')")
    raw.close()
    ok("person", "erase", lead.id, "--yes")
    with _raw(home) as raw:
        meta = dict(raw.execute("SELECT key, value FROM meta WHERE key IN"
                                " ('rejected_customer.7', 'conflict_customer.x1', 'hlc_other')").fetchall())
    raw.close()
    assert meta == {"rejected_customer.7": "…", "conflict_customer.x1": "…明商贸", "hlc_other": "王伟"}


def test_an_erasure_refuses_a_plan_that_changed_since_it_was_shown(ctx, frozen) -> None:
    lead = add_lead(ctx, "王伟", phone="13800138111")
    plan = personal_data.erasure_plan(ctx, personal_data.find_person(ctx, "王伟"))
    other = add_customer(ctx, "Globex")
    log_follow_up(ctx, other.id, channel="phone", goal="intro", goal_met=True, notes="王伟 recommended us",
                  next_plan="send deck", next_at="in 3 days")  # written after the plan was shown
    with pytest.raises(NotAllowed, match="changed since"):
        personal_data.erase_person(ctx, plan, [])
    assert customer_detail(ctx, lead.id).customer.name == "王伟"  # nothing erased
    fresh = personal_data.erasure_plan(ctx, personal_data.find_person(ctx, "王伟"))
    personal_data.erase_person(ctx, fresh, [])
    assert customer_detail(ctx, lead.id).customer.erased_at is not None


def test_messages_name_the_company_the_options_and_the_sections_in_words(ctx, home: Path, tmp_path: Path) -> None:
    acme = add_customer(ctx, "Acme Tools")
    lead = add_lead(ctx, "张伟", phone="13800138001")
    log_follow_up(ctx, lead.id, channel="phone", goal="intro", goal_met=True, notes="called",
                  next_plan="send deck", next_at="in 3 days")
    refused = crm("edit", "Acme Tools", "--do-not-contact")
    assert refused.exit_code == 1 and "is a company, set it on one of its contacts" in refused.stderr, refused.output
    assert not customer_detail(ctx, acme.id).customer.do_not_contact
    mixed = crm("edit", "张伟", "--phone", "13800138002", "--do-not-contact")
    assert "--do-not-contact" in mixed.stderr and "do_not_contact" not in mixed.stderr
    lifted = crm("edit", "张伟", "--industry", "retail", "--contact-ok")
    assert "--contact-ok" in lifted.stderr
    summary = ok("person", "export", "张伟", "-o", str(tmp_path / "zw.json")).stdout.splitlines()[-1]
    assert "follow-ups 1" in summary and "own records 1" in summary and "_" not in summary
