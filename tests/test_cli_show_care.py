"""`crm show` says a customer's and a contract's service cycle (with the next visit) and warranty (with the days
left), in text and in --json. The clock is the suite's frozen one (Tue 2026-11-24 10:00 Asia/Shanghai); every
expected day is worked out by hand in a comment."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from crmtui.cli.commands import app
from crmtui.services.context import Context
from crmtui.services.customers import add_customer, edit_contract_service, edit_customer
from crmtui.services.deals import add_deal, move_stage

runner = CliRunner()


def ok(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
    return result


def _won(ctx: Context, name: str, number: str, signed: str) -> str:
    customer = add_customer(ctx, name)
    deal = add_deal(ctx, customer.id, "Pumps", amount="10000")
    move_stage(ctx, deal.id, "won", contract_no=number, signed=signed, complete_schedule=True)
    return customer.id


def _cared_for(ctx: Context) -> None:
    """Acme: a cycle of 6 months from its contract's signing (10 May), a warranty to 4 Dec; the contract HT-7 its
    own cycle of 3 months from 1 Sep and a warranty that ended 20 Nov."""
    customer_id = _won(ctx, "Acme", "HT-7", "2026-05-10")
    edit_customer(ctx, customer_id, {"service_months": "6", "warranty_until": "2026-12-04"})
    edit_contract_service(ctx, "HT-7", {"service_months": "3", "service_from": "2026-09-01",
                                        "warranty_until": "2026-11-20"})


def test_show_says_the_service_cycle_the_next_visit_and_the_warranty(ctx: Context) -> None:
    _cared_for(ctx)
    lines = ok("show", "Acme").stdout.splitlines()
    # The customer's cycle counts from the first contract's signing, 10 May: 10 Nov is past (Tue 24 Nov), so the
    # next visit is 10 May 2027 (a Monday). Warranty 4 Dec 2026 (a Friday): 30 - 24 + 4 = 10 days ahead.
    assert "  service: every 6 months from Sun 10 May · next Mon 10 May 2027" in lines
    assert "  warranty: until Fri 4 Dec (ends in 10 days)" in lines
    # The contract's own: 1 Sep + 3 months = 1 Dec (a Tuesday), a week ahead; its warranty ended 20 Nov.
    at = lines.index(next(line for line in lines if line.startswith("  HT-7")))
    assert lines[at + 1] == "      service: every 3 months from Tue 1 Sep · next Tue 1 Dec"
    assert lines[at + 2] == "      warranty: until Fri 20 Nov (ended)"


def test_show_json_gives_the_care_days_of_the_customer_and_of_each_contract(ctx: Context) -> None:
    _cared_for(ctx)
    data = json.loads(ok("show", "Acme", "--json").stdout)
    # As worked out above: next visits 10 May 2027 and 1 Dec 2026; 10 days left, and 20 - 24 = -4 (ended).
    assert {key: data[key] for key in ("service_months", "service_from", "next_service_on", "warranty_until",
                                       "warranty_days_left")} == {
        "service_months": 6, "service_from": "2026-05-10", "next_service_on": "2027-05-10",
        "warranty_until": "2026-12-04", "warranty_days_left": 10}
    contract = data["contracts"][0]
    assert {key: contract[key] for key in ("number", "service_months", "service_from", "next_service_on",
                                           "warranty_until", "warranty_days_left")} == {
        "number": "HT-7", "service_months": 3, "service_from": "2026-09-01", "next_service_on": "2026-12-01",
        "warranty_until": "2026-11-20", "warranty_days_left": -4}


def test_show_says_nothing_of_care_a_customer_does_not_have(ctx: Context) -> None:
    _won(ctx, "Plain", "HT-8", "2026-05-10")
    result = ok("show", "Plain")
    assert "service:" not in result.stdout and "warranty:" not in result.stdout
    data = json.loads(ok("show", "Plain", "--json").stdout)
    assert data["service_months"] is None and data["next_service_on"] is None and data["warranty_days_left"] is None
    assert data["contracts"][0]["service_months"] is None


def test_a_warranty_ending_today_and_an_ended_contract_have_no_next_visit(ctx: Context) -> None:
    customer_id = _won(ctx, "Lasting", "HT-9", "2025-11-01")
    edit_customer(ctx, customer_id, {"warranty_until": "2026-11-24"})
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _outbox):
        conn.execute("UPDATE contract SET end_on = '2026-11-01' WHERE number = 'HT-9'")
    edit_contract_service(ctx, "HT-9", {"service_months": "1"})
    result = ok("show", "Lasting")
    assert "  warranty: until Tue 24 Nov (ends today)" in result.stdout.splitlines()
    # The contract ended 1 Nov, before today: its cycle is said, with no next visit (Today reminds none).
    assert "      service: every 1 month from Sat 1 Nov 2025" in result.stdout.splitlines()
    contract = json.loads(ok("show", "Lasting", "--json").stdout)["contracts"][0]
    assert contract["next_service_on"] is None and contract["service_months"] == 1
