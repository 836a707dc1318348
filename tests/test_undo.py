"""`crm undo`: the rep's last action reverted as a new change (in the outbox, in the history), one level further
back each time: an edit, a merge, a Won move with its contract, a delete, a whole import. An undo a later change
stands on is refused with the reason, and a colleague's or a pulled change is never undone."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from crmtui.core.config import SyncSettings
from crmtui.core.errors import NotAllowed
from crmtui.services import history
from crmtui.services.context import Context
from crmtui.services.customers import (
    add_contact,
    add_customer,
    delete_customer,
    edit_customer,
)
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.history import history_of
from crmtui.services.merge import merge_customers
from crmtui.services.undo import undo, undo_plan, undoable
from crmtui.store import history as store_history
from crmtui.store import replica

from .test_cli import fails, ok
from .test_import import GOOD, excel_csv


def query(home: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        return connection.execute(sql, params).fetchall()


def pull(ctx: Context, table: str, row: dict) -> None:
    """A row received from the team server, written as a sync round writes it."""
    with store_history.acting("sync", None, None), ctx.db.raw_write(ctx.clock.utcnow()) as (connection, _):
        replica.put_rows(connection, table, [row], {})


def test_an_edit_is_undone_as_a_new_change_that_syncs_and_is_in_the_history(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    edit_customer(ctx, acme.id, {"industry": "mining"})
    pending = query(home, "SELECT count(*) FROM outbox")[0][0]

    plan = undo_plan(ctx)
    assert plan.what == "edit customer Acme" and plan.refusal is None
    # the plan says what the undo will do: the industry goes from mining back to steel
    assert [(line.field, line.old, line.new) for line in plan.changes] == [("Industry", "mining", "steel")]
    undo(ctx, plan)

    assert query(home, "SELECT industry FROM customer")[0][0] == "steel"
    newest = query(home, "SELECT kind, changes FROM outbox ORDER BY seq DESC LIMIT 1")[0]
    assert query(home, "SELECT count(*) FROM outbox")[0][0] == pending + 1
    assert newest[0] == "update" and json.loads(newest[1])["industry"] == "steel"
    shown = history_of(ctx, customer_id=acme.id)
    assert shown[0].what == "undo: edit customer Acme" and shown[0].source == "undo"
    assert shown[1].undone and not shown[0].undone


def test_undo_goes_back_one_action_each_time_and_never_undoes_an_undo(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    edit_customer(ctx, acme.id, {"industry": "mining"})
    edit_customer(ctx, acme.id, {"industry": "textiles"})

    undo(ctx)
    assert query(home, "SELECT industry FROM customer")[0][0] == "mining"
    undo(ctx)
    assert query(home, "SELECT industry FROM customer")[0][0] == "steel"
    assert undo_plan(ctx).what == "add customer Acme"  # not the undos
    undo(ctx)
    assert query(home, "SELECT deleted_at IS NOT NULL FROM customer")[0][0] == 1
    with pytest.raises(NotAllowed, match="nothing to undo"):
        undo(ctx)


def test_a_merge_is_undone_the_merged_customer_back_with_its_contacts_and_deals(ctx: Context, home: Path) -> None:
    keep = add_customer(ctx, "Acme Ltd", phone="13800138000")
    other = add_customer(ctx, "Acme Trading", email="sales@acme.cn", industry="steel", force=True)
    wang = add_contact(ctx, other.id, "Wang Wei")
    deal = add_deal(ctx, other.id, "ERP rollout", amount="10000")
    contacts_before = query(home, "SELECT id FROM contact WHERE deleted_at IS NULL ORDER BY id")
    merge_customers(ctx, keep.id, other.id)
    assert query(home, "SELECT email FROM customer WHERE id = ?", (keep.id,))[0][0] == "sales@acme.cn"

    assert undo(ctx).what == "merge Acme Trading into Acme Ltd"

    assert query(home, "SELECT deleted_at, merged_into FROM customer WHERE id = ?", (other.id,)) == [(None, None)]
    assert query(home, "SELECT customer_id FROM contact WHERE id = ?", (wang.id,))[0][0] == other.id
    assert query(home, "SELECT customer_id FROM deal WHERE id = ?", (deal.id,))[0][0] == other.id
    assert query(home, "SELECT email, industry FROM customer WHERE id = ?", (keep.id,)) == [(None, None)]
    # the contact the merge made for the other record's name is gone again
    assert query(home, "SELECT id FROM contact WHERE deleted_at IS NULL ORDER BY id") == contacts_before


def test_a_won_move_is_undone_with_its_contract_and_instalments(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme")
    deal = add_deal(ctx, acme.id, "ERP rollout", amount="10000")
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="2026-11-20",
               payments=None, amount="12000")
    assert query(home, "SELECT count(*) FROM payment WHERE deleted_at IS NULL")[0][0] >= 1

    assert undo(ctx).what == "move deal ERP rollout to Won"

    assert query(home, "SELECT stage, amount_cents FROM deal") == [("initial", 1_000_000)]
    assert query(home, "SELECT count(*) FROM contract WHERE deleted_at IS NULL")[0][0] == 0
    assert query(home, "SELECT count(*) FROM payment WHERE deleted_at IS NULL")[0][0] == 0
    assert query(home, "SELECT to_stage FROM deal_stage_change WHERE deleted_at IS NULL") == [("initial",)]
    assert query(home, "SELECT status FROM customer")[0][0] == "prospect"
    # the contract number is free again: the deal can be won anew
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="2026-11-20", amount="12000")


def test_a_delete_is_undone_its_tombstones_lifted_with_its_children(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme")
    add_contact(ctx, acme.id, "Wang Wei")
    add_deal(ctx, acme.id, "ERP rollout")
    delete_customer(ctx, acme.id)
    assert query(home, "SELECT count(*) FROM contact WHERE deleted_at IS NULL")[0][0] == 0

    assert undo(ctx).what == "delete customer Acme"

    for table in ("customer", "contact", "deal"):
        assert query(home, f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL")[0][0] == 1
    assert ok("show", "Acme").stdout.count("Wang Wei") >= 1


def test_a_whole_import_is_undone_created_records_deleted_and_merged_fields_emptied(ctx: Context, home: Path,
                                                                                   tmp_path: Path) -> None:
    existing = add_customer(ctx, "上海恒通贸易有限公司")  # the sheet's second row merges into it
    sheet = excel_csv(tmp_path / "客户.csv", GOOD)
    ok("import", str(sheet), "--on-duplicate", "merge", "--json")
    assert query(home, "SELECT industry FROM customer WHERE id = ?", (existing.id,))[0][0] == "贸易"

    result = ok("undo", "--yes")

    assert "import 客户.csv" in result.stdout
    assert query(home, "SELECT name FROM customer WHERE deleted_at IS NULL") == [("上海恒通贸易有限公司",)]
    assert query(home, "SELECT industry FROM customer WHERE id = ?", (existing.id,))[0][0] is None
    assert query(home, "SELECT count(*) FROM contact WHERE deleted_at IS NULL")[0][0] == 0
    assert query(home, "SELECT count(*) FROM customer_tag WHERE deleted_at IS NULL")[0][0] == 0


def test_an_undo_is_refused_when_a_colleague_changed_the_field_since(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    edit_customer(ctx, acme.id, {"industry": "mining"})
    pull(ctx, "customer", {"id": acme.id, "industry": "textiles", "changed_by": "li.lei"})

    plan = undo_plan(ctx)
    assert plan.refusal is not None
    assert "Industry of customer Acme was changed again since" in plan.refusal and "li.lei" in plan.refusal
    with pytest.raises(NotAllowed, match="changed again since"):
        undo(ctx)
    assert query(home, "SELECT industry FROM customer")[0][0] == "textiles"
    refused = fails("undo", "--yes")
    assert "cannot undo edit customer Acme" in refused.stderr


def test_an_import_is_refused_once_a_follow_up_was_logged_on_a_customer_it_created(ctx: Context, home: Path,
                                                                                  tmp_path: Path) -> None:
    ok("import", str(excel_csv(tmp_path / "客户.csv", GOOD[:1])), "--json")
    customer = query(home, "SELECT id FROM customer")[0][0]
    pull(ctx, "follow_up", {
        "id": "f-1", "customer_id": customer, "at": "2026-11-24T01:00:00+00:00", "channel": "phone", "goal": "g",
        "goal_met": True, "notes": "n", "author": "han.mei", "created_at": "2026-11-24T01:00:00+00:00",
        "updated_at": "2026-11-24T01:00:00+00:00"})

    plan = undo_plan(ctx)

    assert plan.refusal is not None and plan.refusal.startswith("cannot undo import 客户.csv: follow-up")
    assert "was added since" in plan.refusal and "han.mei" in plan.refusal
    assert query(home, "SELECT count(*) FROM customer WHERE deleted_at IS NULL")[0][0] == 1


def test_a_pulled_change_and_a_colleagues_action_are_never_undone(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    pull(ctx, "customer", {"id": acme.id, "region": "Beijing"})
    with store_history.acting("app", "bob", None):  # a manager's laptop: an action of another rep
        edit_customer(ctx, acme.id, {"tier": "A"})

    assert [entry.what for entry in undoable(ctx)] == ["add customer Acme"]


def test_in_a_team_a_rep_undoes_only_their_own_actions(ctx: Context, home: Path) -> None:
    ctx.settings = replace(ctx.settings, sync=SyncSettings(server="postgresql://localhost:5432/crm", user="alice"))
    acme = add_customer(ctx, "Acme", industry="steel")
    with store_history.acting("app", "bob", None):
        edit_customer(ctx, acme.id, {"tier": "A"})
    with store_history.acting("cli", "alice", None):
        edit_customer(ctx, acme.id, {"industry": "mining"})

    assert [entry.what for entry in undoable(ctx)] == ["edit customer Acme", "add customer Acme"]
    assert history_of(ctx, customer_id=acme.id)[1].who == "bob"


def test_a_plan_shown_before_another_action_is_refused(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    shown = undo_plan(ctx)
    edit_customer(ctx, acme.id, {"industry": "mining"})

    with pytest.raises(NotAllowed, match="look at it again"):
        undo(ctx, shown)


def test_crm_undo_shows_what_it_reverts_and_needs_yes_off_a_terminal(ctx: Context, home: Path) -> None:
    acme = add_customer(ctx, "Acme", industry="steel")
    edit_customer(ctx, acme.id, {"industry": "mining"})

    refused = fails("undo")
    assert "Pass --yes" in refused.stderr
    assert query(home, "SELECT industry FROM customer")[0][0] == "mining"

    listed = ok("undo", "--list").stdout.splitlines()
    assert listed[0].endswith("edit customer Acme") and listed[1] == "    customer Acme: Industry steel → mining"

    done = ok("undo", "--yes").stdout.splitlines()
    assert done[0].startswith("Undo edit customer Acme (Tue 24 Nov 10:00, app):")
    assert done[1] == "    customer Acme: Industry mining → steel"  # what the undo does
    assert done[-1] == "Undone: edit customer Acme."
    assert query(home, "SELECT industry FROM customer")[0][0] == "steel"


def test_crm_undo_with_nothing_to_undo_says_so(ctx: Context) -> None:
    assert "nothing to undo" in fails("undo", "--yes").stderr
    assert ok("undo", "--list").stdout.strip() == "Nothing to undo."




def test_an_action_whose_changes_are_all_gone_is_passed_over(ctx: Context, home: Path) -> None:
    # a person's erasure deletes the history rows of their records: an action left with none has nothing to revert
    acme = add_customer(ctx, "Acme", industry="steel")
    edit_customer(ctx, acme.id, {"industry": "mining"})
    last = query(home, "SELECT action_id FROM change_action ORDER BY rowid DESC LIMIT 1")[0][0]
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        connection.execute("DELETE FROM change_log WHERE action_id = ?", (last,))

    plan = undo_plan(ctx)
    assert plan.what == "add customer Acme"
    assert [entry.what for entry in undoable(ctx)] == ["add customer Acme"]


def test_the_undo_question_and_the_list_build_only_the_lines_shown_with_a_count(ctx: Context, tmp_path: Path) -> None:
    ok("import", str(excel_csv(tmp_path / "客户.csv", GOOD)), "--json")
    every = undoable(ctx)[0]

    listed = undoable(ctx, most=3)[0]
    plan = undo_plan(ctx, most=2)

    assert every.total == len(every.changes) > 3
    assert listed.changes == every.changes[:3] and listed.total == every.total
    assert plan.changes == tuple(history.reverted(line) for line in every.changes[:2]) and plan.total == every.total
    shown = ok("undo", "--list").stdout.splitlines()
    assert shown[1:4] == ["    " + history.change_text(line) for line in every.changes[:3]]
    assert shown[4] == f"    … and {every.total - 3} more"


def test_a_large_import_is_undone_in_bulk_one_delete_a_record_in_the_outbox(ctx: Context, home: Path,
                                                                          tmp_path: Path) -> None:
    rows = [[f"测试公司{n:04d}", f"联系人{n:04d}", f"138{n:08d}", "", "", "", "", "", "VIP", "", "", "", "", ""]
            for n in range(300)]
    ok("import", str(excel_csv(tmp_path / "客户.csv", rows)), "--json")
    created = query(home, "SELECT count(*) FROM change_log WHERE kind = 'insert'")[0][0]

    undo(ctx)

    assert query(home, "SELECT count(*) FROM customer WHERE deleted_at IS NULL")[0][0] == 0
    assert query(home, "SELECT count(*) FROM contact WHERE deleted_at IS NULL")[0][0] == 0
    assert query(home, "SELECT count(*) FROM customer_tag WHERE deleted_at IS NULL")[0][0] == 0
    deletes = query(home, "SELECT record_table, record_id, changes FROM outbox WHERE kind = 'delete'")
    assert len(deletes) == len({(table, record_id) for table, record_id, _changes in deletes}) == created
    assert all(set(json.loads(changes)) == {"deleted_at", "updated_at"} for _t, _i, changes in deletes)
    undone = query(home, "SELECT DISTINCT source FROM change_log WHERE kind = 'delete'")
    assert undone == [("undo",)]  # the history has the undo's deletes, as any change
