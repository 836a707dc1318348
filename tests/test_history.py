"""The history of changes: every write path logs old → new (the ORM, the stdlib path of `crm log`, bulk inserts,
pulled rows), one user action is one action id, and `crm history` shows it newest first, worded."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from crmtui.core.clock import Clock
from crmtui.services import history
from crmtui.services.context import Context
from crmtui.services.customers import (
    add_contact,
    add_customer,
    delete_customer,
    edit_customer,
)
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.demo import load_demo
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.history import history_of
from crmtui.services.merge import merge_customers
from crmtui.store import history as store_history
from crmtui.store import replica
from crmtui.store.db import Database, open_database
from crmtui.store.migrate import upgrade

from .conftest import ZONE
from .test_cli import crm, fails, ok


def rows(home: Path, where: str = "1", params: tuple = ()) -> list[sqlite3.Row]:
    """change_log rows of the real file, oldest first."""
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute(f"SELECT * FROM change_log WHERE {where} ORDER BY seq", params).fetchall()


def test_an_edit_through_the_orm_logs_each_changed_field_with_its_old_and_new_value(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")

    edit_customer(ctx, acme.id, {"industry": "logistics", "region": "Beijing"})

    changed = {row["field"]: (json.loads(row["old_value"]), json.loads(row["new_value"]))
               for row in rows(home, "kind = 'update' AND record_id = ?", (acme.id,))}
    assert changed["industry"] == ("steel", "logistics")
    assert changed["region"][0] is None and changed["region"][1]
    logged = rows(home, "record_id = ?", (acme.id,))
    assert logged[0]["kind"] == "insert" and logged[0]["field"] is None
    assert {row["source"] for row in logged} == {"app"} and all(row["action_id"] for row in logged)
    assert "updated_at" not in {row["field"] for row in logged}  # every write sets it: no history of its own


def test_the_stdlib_path_of_crm_log_logs_the_follow_up_and_the_customers_old_next_date(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme")
    log_follow_up(ctx, acme.id, channel="phone", goal="intro", goal_met=True, notes="met", next_plan="call",
                  next_at="2026-11-27 10:00")
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        before = connection.execute("SELECT next_follow_up_at FROM customer").fetchone()[0]

    ok("log", "Acme", "--via", "phone", "--goal", "quote", "--met", "--notes", "talked", "--next-plan", "call back",
       "--next", "2026-12-10 10:00")

    follow_ups = rows(home, "record_table = 'follow_up'")
    assert [row["kind"] for row in follow_ups] == ["insert", "insert"] and follow_ups[1]["customer_id"] == acme.id
    next_date = rows(home, "record_id = ? AND field = 'next_follow_up_at'", (acme.id,))
    assert next_date[-1]["old_value"] == json.dumps(before)
    assert json.loads(next_date[-1]["new_value"]).startswith("2026-12-10 02:00")  # 10:00 in Shanghai, stored in UTC
    # the follow-up and the customer's new dates are one action, from the command line
    assert next_date[-1]["action_id"] == follow_ups[1]["action_id"] and follow_ups[1]["source"] == "cli"


def test_one_service_call_is_one_action_a_merge_with_everything_it_moved(ctx: Context, home: Path) -> None:
    keep = add_customer(ctx, "Acme Ltd", phone="13800138000")
    other = add_customer(ctx, "Acme Trading", email="sales@acme.cn", force=True)
    add_contact(ctx, other.id, "Wang Wei")
    add_deal(ctx, other.id, "ERP rollout", amount="10000")
    before = {row["action_id"] for row in rows(home)}

    merge_customers(ctx, keep.id, other.id)

    merge_rows = [row for row in rows(home) if row["action_id"] not in before]
    assert len({row["action_id"] for row in merge_rows}) == 1
    assert {row["record_table"] for row in merge_rows} >= {"customer", "contact", "deal"}
    tombstone = [row for row in merge_rows if row["record_id"] == other.id and row["kind"] == "delete"]
    assert len(tombstone) == 1 and tombstone[0]["field"] is None


def test_the_demos_bulk_inserts_are_logged_as_one_action_of_the_sample_book(ctx: Context, home: Path) -> None:
    counts = load_demo(ctx)

    with sqlite3.connect(home / "data" / "crm.db") as connection:
        logged = dict(connection.execute(
            "SELECT record_table, count(*) FROM change_log WHERE kind = 'insert' GROUP BY record_table").fetchall())
        actions = connection.execute("SELECT DISTINCT action_id, source FROM change_log").fetchall()
    assert logged["customer"] == counts["customers"] and logged["follow_up"] == counts["follow_ups"]
    assert len(actions) == 1 and actions[0][1] == "demo"


def test_rows_pulled_from_the_server_are_sync_changes_by_the_colleague_the_row_names(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    customer = ctx.db.path
    with store_history.acting("sync", None, None), ctx.db.raw_write(ctx.clock.utcnow()) as (connection, _):
        replica.put_rows(connection, "customer", [{"id": acme.id, "industry": "mining", "changed_by": "li.lei"}], {})
        replica.put_rows(connection, "follow_up", [{
            "id": "f-1", "customer_id": acme.id, "at": "2026-11-23T02:00:00+00:00", "channel": "phone", "goal": "g",
            "goal_met": True, "notes": "n", "author": "han.mei", "created_at": "2026-11-23T02:00:00+00:00",
            "updated_at": "2026-11-23T02:00:00+00:00"}], {})
    assert customer.exists()

    pulled = rows(home, "source = 'sync'")
    by_record = {(row["record_id"], row["field"]): row for row in pulled}
    assert json.loads(by_record[(acme.id, "industry")]["old_value"]) == "steel"
    assert by_record[(acme.id, "industry")]["actor"] == "li.lei"
    assert by_record[("f-1", None)]["actor"] == "han.mei" and by_record[("f-1", None)]["kind"] == "insert"
    shown = history_of(ctx, customer_id=acme.id)
    assert shown[0].who == "li.lei, han.mei"
    assert shown[0].source == "sync"


def test_a_pulled_row_that_names_nobody_is_by_a_colleague(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    with store_history.acting("sync", None, None), ctx.db.raw_write(ctx.clock.utcnow()) as (connection, _):
        replica.put_rows(connection, "customer", [{"id": acme.id, "industry": "mining"}], {})

    newest = history_of(ctx, customer_id=acme.id)[0]
    assert newest.who == "a colleague" and newest.source_label == "sync"
    assert [(line.field, line.old, line.new) for line in newest.changes] == [("Industry", "steel", "mining")]


def test_history_of_a_customer_covers_its_deals_contracts_and_instalments_newest_first(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "ERP rollout", amount="10000")

    move_stage(ctx, deal.id, "won", amount="12000", contract_no="HT-1", signed="2026-11-20")

    shown = history_of(ctx, customer_id=acme.id)
    assert shown[0].what == "move deal ERP rollout to Won"
    records = {line.record for line in shown[0].changes}
    assert {"contract HT-1", "deal ERP rollout"} <= records
    assert any(line.record.startswith("payment HT-1") and line.kind == "insert" for line in shown[0].changes)
    amounts = [line for line in shown[0].changes if line.field == "Amount"]
    assert (amounts[0].old, amounts[0].new) == ("10,000", "12,000")
    assert [entry.what for entry in shown[1:]] == ["add deal ERP rollout", "add customer Acme"]
    # the deal's own history: the same move, without the customer's creation
    of_deal = history_of(ctx, deal_id=deal.id)
    assert [entry.what for entry in of_deal] == ["move deal ERP rollout to Won", "add deal ERP rollout"]


def test_the_history_leaves_out_columns_derived_from_others(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")

    edit_customer(ctx, acme.id, {"name": "Acme Holdings"})

    fields = [line.field for line in history_of(ctx, customer_id=acme.id)[0].changes]
    assert fields == ["Name"]  # not its search keys or pinyin


def test_a_delete_is_one_action_named_by_its_customer(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Wang Wei")

    delete_customer(ctx, acme.id)

    newest = history_of(ctx, customer_id=acme.id)[0]
    assert newest.what == "delete customer Acme"
    assert {(line.record, line.kind) for line in newest.changes} >= {("customer Acme", "delete"),
                                                                     ("contact Wang Wei", "delete")}


def test_crm_history_prints_when_who_where_from_and_old_to_new(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    edit_customer(ctx, acme.id, {"industry": "mining"})

    out = ok("history", "Acme").stdout

    lines = out.splitlines()
    assert lines[0] == "History of Acme, newest first:"
    assert lines[1] == "Tue 24 Nov 10:00  you · app  edit customer Acme"
    assert lines[2] == "    customer Acme: Industry steel → mining"
    assert "add customer Acme" in lines[3]


def test_crm_history_json_and_limit(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    for industry in ("mining", "textiles", "retail"):
        edit_customer(ctx, acme.id, {"industry": industry})

    data = json.loads(ok("history", "Acme", "--json", "--limit", "2").stdout)

    assert [action["what"] for action in data["actions"]] == ["edit customer Acme"] * 2
    assert data["actions"][0]["changes"][0]["new"] == "retail" and data["actions"][1]["changes"][0]["new"] == "textiles"
    assert data["actions"][0]["source"] == "app"


def test_crm_history_refuses_an_ambiguous_reference_with_the_candidates_and_a_bad_limit(ctx: Context) -> None:
    add_customer(ctx, "Acme Steel")
    add_customer(ctx, "Acme Mining")

    refused = fails("history", "Acme", code=3)
    assert "Acme Steel" in refused.stderr and "Acme Mining" in refused.stderr
    bad = fails("history", "Acme Steel", "--limit", "0")
    assert "limit" in bad.stderr and "Traceback" not in bad.output


def test_an_actions_words_follow_the_language_it_is_read_in(ctx: Context) -> None:
    with history.action(ctx, history.IMPORT_WHAT, source="import", file="客户.csv"):
        add_customer(ctx, "Acme")

    acme = add_customer(ctx, "Other")  # a second action, outside
    with ctx.db.raw_read() as connection:
        first = connection.execute("SELECT id FROM customer WHERE name = 'Acme'").fetchone()[0]

    newest = history_of(ctx, customer_id=first)[0]
    assert newest.what == "import 客户.csv" and newest.source == "import" and newest.source_label == "import"
    assert history_of(ctx, customer_id=acme.id)[0].source == "app"


def test_a_file_with_data_is_upgraded_and_logs_from_then_on(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "old.db"
    old = Database(path)
    upgrade(old.engine, "0007")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO customer (id, created_at, updated_at, name, name_key, pinyin, kind, status, tier, score)"
            " VALUES ('c1', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', 'Old Co', 'old co', '',"
            " 'company', 'customer', 'C', 0)")
    old.close()

    ctx = Context(db=open_database(path), settings=settings, clock=Clock(ZONE))
    try:
        assert history_of(ctx, customer_id="c1") == []  # nothing from before the history
        edit_customer(ctx, "c1", {"industry": "steel"})
        assert [line.new for line in history_of(ctx, customer_id="c1")[0].changes] == ["steel"]
    finally:
        ctx.close()


def test_crm_history_of_a_customer_with_none_says_so(ctx: Context, home: Path) -> None:
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        connection.execute(
            "INSERT INTO customer (id, created_at, updated_at, name, name_key, pinyin, kind, status, tier, score)"
            " VALUES ('c1', ?, ?, 'Quiet Co', 'quiet co', '', 'company', 'customer', 'C', 0)",
            (datetime(2026, 1, 1).isoformat(" "), datetime(2026, 1, 1).isoformat(" ")))
        connection.execute("DELETE FROM change_log")

    assert ok("history", "Quiet Co").stdout.strip() == "No history for Quiet Co yet."
    assert crm("history", "Quiet Co", "--json").exit_code == 0


def test_crm_history_of_a_deal_lists_its_stage_moves_not_its_customers_edits(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    deal = add_deal(ctx, acme.id, "ERP rollout", amount="10000")
    edit_customer(ctx, acme.id, {"industry": "mining"})
    move_stage(ctx, deal.id, "needs")

    lines = ok("history", "ERP rollout").stdout.splitlines()

    assert lines[0] == "History of deal ERP rollout @ Acme, newest first:"
    assert lines[1].endswith("move deal ERP rollout to Needs confirmed")
    assert "    deal ERP rollout: Deal stage Initial contact → Needs confirmed" in lines
    assert not any("Industry" in line for line in lines)


def test_a_column_added_by_a_later_migration_is_logged_too(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme")
    with ctx.db.raw_write(ctx.clock.utcnow()) as (connection, _):  # customer.notes comes from a migration after 0008
        connection.execute("UPDATE customer SET notes = 'met at the fair' WHERE id = ?", (acme.id,))

    logged = rows(home, "record_id = ? AND field = 'notes'", (acme.id,))
    assert [(row["old_value"], json.loads(row["new_value"])) for row in logged] == [("null", "met at the fair")]


def test_a_merge_names_the_kept_customer_in_the_history_of_the_merged_one(ctx: Context) -> None:
    # the kept customer has every field the other has: the merge changes nothing of it
    keep = add_customer(ctx, "深圳创新电子科技有限公司", phone="13800138000")
    other = add_customer(ctx, "深圳创新电子", phone="13800138000", force=True)

    merge_customers(ctx, keep.id, other.id)

    merged = history_of(ctx, customer_id=other.id)[0]
    assert merged.what == "merge 深圳创新电子 into 深圳创新电子科技有限公司"


def test_a_stage_change_says_its_stages_and_its_date(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "ERP rollout", amount="10000")
    move_stage(ctx, deal.id, "needs")

    lines = ok("history", "ERP rollout").stdout.splitlines()

    assert "    stage change ERP rollout · Tue 24 Nov 10:00: added, Initial contact → Needs confirmed" in lines
    added = [line for line in lines if line.startswith("    stage change") and "added" in line]
    assert added[-1] == "    stage change ERP rollout · Tue 24 Nov 10:00: added, — → Initial contact"
