"""Setting a customer's and a contract's service cycle and warranty end (`crm edit`, `crm contract edit`, the
service), and what the agenda makes of them. The clock is the suite's frozen one (Tue 2026-11-24 10:00
Asia/Shanghai); every expected day is worked out by hand in a comment."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner, Result

from crmtui.cli.commands import app
from crmtui.core.errors import InvalidInput, NotFound
from crmtui.services import agenda_words
from crmtui.services.agenda import agenda_for
from crmtui.services.context import Context
from crmtui.services.customers import add_customer, customer_detail, edit_contract_service, edit_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.tui.app import build_app
from tests.pilot import until

runner = CliRunner()


def crm(*args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(*args: str) -> Result:
    result = crm(*args)
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
    return result


def fails(*args: str) -> Result:
    result = crm(*args)
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert result.exit_code != 0 and "Traceback" not in result.output
    return result


def _care(ctx: Context, table: str, where: str, value: str) -> tuple[object, ...]:
    with ctx.db.raw_read() as conn:
        return conn.execute(f"SELECT service_months, service_from, warranty_until FROM {table} WHERE {where} = ?",
                            (value,)).fetchone()


def _won(ctx: Context, name: str, number: str, signed: str, *, end: str | None = None) -> str:
    customer = add_customer(ctx, name)
    deal = add_deal(ctx, customer.id, "Pumps", amount="10000")
    move_stage(ctx, deal.id, "won", contract_no=number, signed=signed, complete_schedule=True)
    if end:
        with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
            conn.execute("UPDATE contract SET end_on = ? WHERE number = ?", (end, number))
    return customer.id


def _service(ctx: Context) -> list[tuple[str, str]]:
    return [(item.customer_name, agenda_words.reason(ctx, item)) for item in agenda_for(ctx).sections["service"]]


# ---------------------------------------------------------------- a customer's


def test_crm_edit_sets_a_customers_cycle_and_warranty_and_today_reminds(ctx: Context) -> None:
    customer = add_customer(ctx, "Acme")
    result = ok("edit", "Acme", "--service-months", "6", "--service-from", "2026-05-31",
                "--warranty-until", "2026-12-24")
    assert result.stdout.strip() == "updated Acme: Service every (months), Service from, Warranty until"
    assert _care(ctx, "customer", "id", customer.id) == (6, "2026-05-31", "2026-12-24")
    # 31 May + 6 months = 30 Nov (no 31st): 6 days after Tue 24 Nov; warranty 24 Dec: 6 + 24 = 30 days ahead.
    assert _service(ctx) == [("Acme", "service visit in 6 d"), ("Acme", "warranty ends in 30 d")]
    ok("edit", "Acme", "--service-months", "", "--warranty-until", "")  # "" clears them
    assert _care(ctx, "customer", "id", customer.id) == (None, "2026-05-31", None)
    assert _service(ctx) == []


@pytest.mark.parametrize(("args", "said"), [
    (("--service-months", "0"), 'service months: a whole number of months from 1 to 120 (got "0")'),
    (("--service-months", "121", "--service-from", "2026-01-01"), "service months: a whole number of months from 1"),
    (("--service-months", "2.5"), 'service months: a whole number of months from 1 to 120 (got "2.5")'),
    (("--service-months", "six"), "service months: a whole number"),
    (("--service-from", "someday"), 'service from: could not understand the date "someday"'),
    (("--warranty-until", "31/31/2026"), "warranty until: could not understand the date"),
    (("--service-months", "6"), "service from: the day the service cycle of Acme starts (it has no signed contract"),
])
def test_bad_care_values_name_the_field_and_change_nothing(ctx: Context, args: tuple[str, ...], said: str) -> None:
    customer = add_customer(ctx, "Acme")
    result = fails("edit", "Acme", *args)
    assert said in result.output
    assert _care(ctx, "customer", "id", customer.id) == (None, None, None)


def test_the_service_reads_full_width_months_and_dates_in_any_form(ctx: Context) -> None:
    customer = add_customer(ctx, "Acme")
    # "3月1日" has no year: a service start is the most recent 1 March (2026); a warranty end the coming 1 May (2027).
    edit_customer(ctx, customer.id, {"service_months": "１２", "service_from": "3月1日", "warranty_until": "5月1日"})
    assert _care(ctx, "customer", "id", customer.id) == (12, "2026-03-01", "2027-05-01")
    with pytest.raises(InvalidInput) as refused:
        edit_customer(ctx, customer.id, {"service_months": "-3"})
    assert refused.value.field == "service_months"


def test_a_customer_with_a_signed_contract_counts_its_cycle_from_the_signing_day(ctx: Context) -> None:
    customer_id = _won(ctx, "Signed Co", "HT-1", "2026-08-31")
    edit_customer(ctx, customer_id, {"service_months": "3"})  # no start needed: the contract was signed
    # 31 Aug + 3 months = 30 Nov: 6 days ahead.
    assert _service(ctx) == [("Signed Co", "service visit in 6 d")]


# ---------------------------------------------------------------- a contract's


def test_crm_contract_edit_sets_a_contracts_cycle_from_its_signing_day(ctx: Context) -> None:
    _won(ctx, "Pump Co", "HT-7", "2026-08-31")
    result = ok("contract", "edit", "HT-7", "--service-months", "3", "--warranty-until", "2026-11-24")
    assert result.stdout.strip() == "updated contract HT-7 of Pump Co: Service every (months), Warranty until"
    assert _care(ctx, "contract", "number", "HT-7") == (3, None, "2026-11-24")
    # signed 31 Aug + 3 months = 30 Nov, 6 days; the warranty ends today (0 days).
    assert _service(ctx) == [("Pump Co", "warranty ends today (HT-7)"), ("Pump Co", "service visit in 6 d (HT-7)")]
    ok("contract", "edit", "HT-7", "--service-from", "2026-09-20")
    # 20 Sep + 2 months = 20 Nov (past), + 3 = 20 Dec: 26 days ahead, not within the 7.
    assert _service(ctx) == [("Pump Co", "warranty ends today (HT-7)")]


def test_contract_edit_refuses_bad_input_naming_the_field(ctx: Context) -> None:
    _won(ctx, "Pump Co", "HT-7", "2026-08-31")
    assert "service months: a whole number of months from 1 to 120" in fails(
        "contract", "edit", "HT-7", "--service-months", "200").output
    assert 'no contract matches "HT-9"' in fails("contract", "edit", "HT-9", "--service-months", "3").output
    assert "give at least one of --service-months" in fails("contract", "edit", "HT-7").output
    with pytest.raises(NotFound):
        edit_contract_service(ctx, "nope", {"service_months": "3"})
    assert _care(ctx, "contract", "number", "HT-7") == (None, None, None)


# ---------------------------------------------------------------- when the cycle stops


def test_an_ended_contracts_cycle_stops_but_its_warranty_is_still_told(ctx: Context) -> None:
    _won(ctx, "Ended Co", "HT-1", "2026-08-31", end="2026-11-23")  # ended yesterday
    _won(ctx, "Ends Today Co", "HT-2", "2026-08-31", end="2026-11-24")  # runs through today
    for number in ("HT-1", "HT-2"):
        edit_contract_service(ctx, number, {"service_months": "3", "warranty_until": "2026-12-01"})
    # both: 31 Aug + 3 months = 30 Nov, 6 days; warranty 1 Dec: 7 days. Only the running contract keeps its cycle.
    assert _service(ctx) == [
        ("Ends Today Co", "service visit in 6 d (HT-2)"),
        ("Ended Co", "warranty ends in 7 d (HT-1)"),
        ("Ends Today Co", "warranty ends in 7 d (HT-2)"),
    ]


def test_a_pool_customers_contracts_are_not_on_the_agenda(ctx: Context) -> None:
    customer_id = _won(ctx, "Pool Co", "HT-1", "2026-08-31")
    edit_contract_service(ctx, "HT-1", {"service_months": "3", "warranty_until": "2026-12-01"})
    assert len(_service(ctx)) == 2
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("UPDATE customer SET status = 'pool' WHERE id = ?", (customer_id,))
    assert _service(ctx) == []


# ---------------------------------------------------------------- the app's edit form


async def _edit(pilot, dialog, name: str, typed: str) -> None:
    from textual.widgets import Input, OptionList

    fields = dialog.query_one("#fields", OptionList)
    ids = [fields.get_option_at_index(i).id for i in range(fields.option_count)]
    fields.highlighted = ids.index(name)
    fields.focus()
    await pilot.press("enter")
    dialog.query_one("#value", Input).value = typed
    await pilot.press("enter")


async def test_the_customer_edit_form_sets_the_cycle_and_says_a_bad_month_count(ctx: Context) -> None:
    from textual.widgets import Input, OptionList

    from crmtui.tui.dialogs.edit import EditCustomerScreen

    customer = add_customer(ctx, "Acme")
    app = build_app(ctx)
    notes: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = EditCustomerScreen(customer_detail(ctx, customer.id).customer, [])
        app.push_screen(dialog)
        await until(pilot, lambda: app.screen is dialog and bool(dialog.query("#fields")))
        dialog.notify = lambda message, **_kw: notes.append(str(message))  # type: ignore[method-assign]
        assert {"service_months", "service_from", "warranty_until"} <= set(dialog.labels())
        await _edit(pilot, dialog, "service_months", "200")
        await until(pilot, lambda: any("a whole number of months from 1 to 120" in n for n in notes))
        assert dialog.query_one("#value", Input).has_class("missing")  # the box is marked, what was typed kept
        assert dialog.query_one("#value", Input).value == "200"
        await pilot.press("escape")
        await _edit(pilot, dialog, "service_from", "2026-05-31")
        await until(pilot, lambda: dialog.customer.service_from is not None)
        await _edit(pilot, dialog, "service_months", "6")
        await until(pilot, lambda: dialog.customer.service_months == 6)
        await _edit(pilot, dialog, "warranty_until", "2026-12-24")
        await until(pilot, lambda: dialog.customer.warranty_until is not None)
        fields = dialog.query_one("#fields", OptionList)
        shown = [str(fields.get_option_at_index(i).prompt) for i in range(fields.option_count)]
        assert any("2026-12-24" in line for line in shown) and any("2026-05-31" in line for line in shown)
    assert _care(ctx, "customer", "id", customer.id) == (6, "2026-05-31", "2026-12-24")
    # 31 May + 6 months = 30 Nov: 6 days ahead; the warranty's 24 Dec is 30 days ahead.
    assert _service(ctx) == [("Acme", "service visit in 6 d"), ("Acme", "warranty ends in 30 d")]


# ---------------------------------------------------------------- import and export


def _sheet(path, headers: list[str], rows: list[list[str]]):
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def _imported(*args: str) -> dict:
    import json

    return json.loads(ok("import", *args, "--json").stdout)


def test_import_reads_the_care_columns_in_chinese_and_english(ctx: Context, tmp_path) -> None:
    chinese = _sheet(tmp_path / "客户.csv", ["客户名称", "服务周期（月）", "服务起始日", "保修截止"],
                     [["瑞达制造", "6", "2026-05-31", "2026-12-24"], ["华南物流", "", "", "2027-03-01"]])
    assert _imported(str(chinese))["counts"]["created"] == 2
    english = _sheet(tmp_path / "customers.csv", ["Company", "Service months", "Service from", "Warranty until"],
                     [["Acme", "12", "2025-12-02", ""]])
    assert _imported(str(english))["counts"]["created"] == 1
    with ctx.db.raw_read() as conn:
        rows = conn.execute("SELECT name, service_months, service_from, warranty_until FROM customer"
                            " ORDER BY name").fetchall()
    assert rows == [("Acme", 12, "2025-12-02", None), ("华南物流", None, None, "2027-03-01"),
                    ("瑞达制造", 6, "2026-05-31", "2026-12-24")]
    # 31 May + 6 = 30 Nov: 6 days; 24 Dec: 30 days; 2 Dec 2025 + 12 = 2 Dec 2026: 8 days, not within 7.
    assert _service(ctx) == [("瑞达制造", "service visit in 6 d"), ("瑞达制造", "warranty ends in 30 d")]


def test_import_refuses_a_bad_care_cell_naming_its_column(ctx: Context, tmp_path) -> None:
    sheet = _sheet(tmp_path / "客户.csv", ["客户名称", "服务周期(月)", "保修截止"],
                   [["好的", "3", ""], ["零个月", "0", ""], ["日期坏", "", "下辈子"]])
    result = _imported(str(sheet))
    refused = {r["row"]: (r["column"], r["reason"]) for r in result["refused"]}
    assert refused[3] == ("服务周期(月)", 'service months: a whole number of months from 1 to 120 (got "0")')
    assert refused[4][0] == "保修截止" and refused[4][1].startswith("warranty until: could not understand the date")
    assert result["counts"]["created"] == 1


def test_export_writes_the_care_columns_and_they_import_back(ctx: Context, tmp_path) -> None:
    import csv

    from crmtui.services.exporting import export

    customer = add_customer(ctx, "Acme")
    edit_customer(ctx, customer.id, {"service_months": "6", "service_from": "2026-05-31",
                                     "warranty_until": "2026-12-24"})
    add_customer(ctx, "Plain Co")
    target = tmp_path / "customers.csv"
    export(ctx, "customers", "csv", target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted((r["customer"], r["service months"], r["service from"], r["warranty until"]) for r in rows) == [
        ("Acme", "6", "2026-05-31", "2026-12-24"), ("Plain Co", "", "", "")]
    # into an empty book: the same care comes back
    import shutil

    from crmtui.services.customers import delete_customer

    delete_customer(ctx, customer.id)
    shutil.copy(target, tmp_path / "again.csv")
    _imported(str(tmp_path / "again.csv"), "--kind", "customers")
    with ctx.db.raw_read() as conn:
        assert conn.execute("SELECT service_months, service_from, warranty_until FROM customer WHERE name = 'Acme'"
                            " AND deleted_at IS NULL").fetchone() == (6, "2026-05-31", "2026-12-24")


def test_two_contracts_of_one_number_are_listed_and_one_is_chosen_by_its_id(ctx: Context) -> None:
    from crmtui.core.errors import Ambiguous

    _won(ctx, "Pump Co", "HT-7", "2026-08-31")
    _won(ctx, "Valve Co", "HT-8", "2026-09-30")
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):  # another rep's HT-7, pulled to a manager's laptop
        conn.execute("UPDATE contract SET number = 'HT-7' WHERE number = 'HT-8'")
        valve_contract = conn.execute("SELECT k.id FROM contract k JOIN customer c ON c.id = k.customer_id"
                                      " WHERE c.name = 'Valve Co'").fetchone()[0]
    with pytest.raises(Ambiguous) as asked:
        edit_contract_service(ctx, "HT-7", {"service_months": "3"})
    assert [m.label for m in asked.value.matches] == ["HT-7 · Pump Co · 2026-08-31", "HT-7 · Valve Co · 2026-09-30"]
    result = fails("contract", "edit", "HT-7", "--service-months", "3")
    assert '"HT-7" matches 2 contracts' in result.output and valve_contract[:8] in result.output
    care = edit_contract_service(ctx, valve_contract[:8], {"service_months": "3"})
    assert (care.customer_name, care.service_months) == ("Valve Co", 3)
    with ctx.db.raw_read() as conn:
        assert conn.execute("SELECT c.name, k.service_months FROM contract k JOIN customer c ON c.id = k.customer_id"
                            " ORDER BY c.name").fetchall() == [("Pump Co", None), ("Valve Co", 3)]
