"""`crm ticket`: add, list, show, update and close from the shell, on the frozen clock (Tue 2026-11-24 10:00
Shanghai); bad input names the option, every wrong one at once, and exits with 1 as `crm log` does."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from typer.testing import CliRunner, Result

from crmtui.cli.commands import app
from crmtui.core import i18n
from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.tickets import add_ticket, list_tickets, ticket_detail

runner = CliRunner()
ZONE = ZoneInfo("Asia/Shanghai")


def crm(*args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(*args: str) -> Result:
    result = crm(*args)
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
    assert result.stderr == ""
    return result


def fails(*args: str, code: int) -> Result:
    result = crm(*args)
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert result.exit_code == code, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.output and result.stdout == ""
    return result


def test_add_prints_the_number_and_deadlines(ctx: Context) -> None:
    add_customer(ctx, "Acme")
    result = ok("ticket", "add", "Acme", "Pump leaks", "--type", "repair", "--priority", "high", "--due", "fri")
    # high: respond 4 working hours after Tue 10:00 = 14:00; resolve 24 h = Thu 16:00 (8 Tue + 9 Wed + 7 Thu)
    (view,) = list_tickets(ctx)
    assert result.stdout.strip() == \
        f"opened {view.number} for Acme: respond by Tue 24 Nov 14:00, resolve by Thu 26 Nov 16:00"
    assert (view.kind, view.priority, str(view.due_on)) == ("repair", "high", "2026-11-27")


@pytest.mark.parametrize(("args", "said"), [
    (("--type", "fix"), "--type: one of repair, maintenance, complaint, consultation"),
    (("--type", "repair", "--priority", "asap"), "--priority: one of low, normal, high, urgent"),
    ((), "--type: required: one of repair"),
    (("--type", "repair", "--due", "last year"), "--due:"),
])
def test_a_bad_option_is_named_with_exit_1(ctx: Context, args: tuple[str, ...], said: str) -> None:
    add_customer(ctx, "Acme")
    result = fails("ticket", "add", "Acme", "Pump leaks", *args, code=1)
    assert said in result.stderr
    assert list_tickets(ctx) == []


def test_an_ambiguous_customer_is_never_chosen(ctx: Context) -> None:
    add_customer(ctx, "Acme North")
    add_customer(ctx, "Acme South")
    result = fails("ticket", "add", "Acme", "Pump leaks", "--type", "repair", code=3)
    assert "Acme North" in result.stderr and "Acme South" in result.stderr
    assert list_tickets(ctx) == []


def test_list_puts_the_overdue_first_and_filters(ctx: Context, frozen: time_machine.Coordinates) -> None:
    acme = add_customer(ctx, "Acme")
    beta = add_customer(ctx, "Beta")
    low = add_ticket(ctx, acme.id, "Yearly check", kind="maintenance", priority="low")
    urgent = add_ticket(ctx, beta.id, "Line down", kind="repair", priority="urgent")
    # urgent: 8 clock hours = Tue 18:00; at 19:00 it is overdue, the low one (80 working hours) is not
    frozen.move_to(datetime(2026, 11, 24, 19, 0, tzinfo=ZONE))
    lines = ok("ticket", "list").stdout.splitlines()
    assert [line.split()[0] for line in lines] == [urgent.number, low.number]
    assert lines[0].endswith("Overdue") and "resolve by Tue 24 Nov 18:00" in lines[0]
    data = json.loads(ok("ticket", "list", "--overdue", "--json").stdout)
    assert [row["number"] for row in data] == [urgent.number] and data[0]["overdue"] is True
    assert set(data[0]) >= {"id", "number", "customer", "title", "type", "priority", "status", "respond_by",
                            "resolve_by", "due_on", "overdue", "due_soon"}
    only_acme = json.loads(ok("ticket", "list", "--customer", "Acme", "--json").stdout)
    assert [row["number"] for row in only_acme] == [low.number]
    assert ok("ticket", "list", "--status", "closed").stdout.strip() == "(none)"
    fails("ticket", "list", "--status", "done", code=1)


def test_update_and_close_keep_the_history_that_show_prints(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    number, short = ticket.number, ticket.number[2:6].lower()  # the first 4 characters, typed in lower case
    assert ok("ticket", "update", short, "--status", "in_progress", "--note", "on site friday").stdout.strip() == \
        f"{number} is In progress"
    ok("ticket", "update", number, "--status", "resolved")
    assert ok("ticket", "close", short, "--resolution", "new seal", "--satisfaction", "5").stdout.strip() == \
        f"closed {number}"
    data = json.loads(ok("ticket", "show", number, "--json").stdout)
    assert (data["status"], data["resolution"], data["satisfaction"]) == ("closed", "new seal", 5)
    assert [(h["from"], h["to"], h["note"]) for h in data["history"]] == [
        (None, "open", None), ("open", "in_progress", None), (None, None, "on site friday"),
        ("in_progress", "resolved", None), ("resolved", "closed", "new seal")]
    shown = ok("ticket", "show", number).stdout
    assert "History (5)" in shown and "Open → In progress" in shown and "satisfaction: 5/5" in shown
    assert ticket_detail(ctx, ticket.id)[0].status == "closed"


def test_update_and_close_refuse_clearly(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    number = add_ticket(ctx, acme.id, "Pump leaks", kind="repair").number
    assert "--status, --note, --priority or --due" in fails("ticket", "update", number, code=1).stderr
    ok("ticket", "update", number, "--status", "waiting")
    assert "--status: from Waiting for customer, one of In progress, Resolved" in fails(
        "ticket", "update", number, "--status", "open", code=1).stderr
    assert "--resolution:" in fails("ticket", "close", number, code=1).stderr
    assert "--satisfaction: a whole number from 1 to 5" in fails(
        "ticket", "close", number, "--resolution", "ok", "--satisfaction", "9", code=1).stderr
    assert 'no ticket matches "T-0009"' in fails("ticket", "show", "T-0009", code=1).stderr
    assert list_tickets(ctx)[0].status == "waiting"


def test_chinese_messages_name_the_option_too(ctx: Context, home: Path) -> None:
    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "zh"\n', encoding="utf-8")
    acme = add_customer(ctx, "Acme")
    number = add_ticket(ctx, acme.id, "Pump leaks", kind="repair").number
    try:
        result = fails("ticket", "update", number, "--priority", "asap", code=1)
    finally:
        i18n.set_language("en")  # the command switched this process to Chinese: the next tests read English
    assert "(--priority)" in result.stderr


def _team_book(ctx: Context, home: Path) -> dict[str, str]:
    """A manager's laptop (boss) holding li's and wang's customers, one open ticket each; the ticket ids."""
    config = home / "config" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[sync]\nserver = "postgresql://127.0.0.1:9/team"\nuser = "boss"\ninterval = 0\n',
                      encoding="utf-8")
    ids = {}
    for name, owner in (("Li Pumps", "li"), ("Wang Valves", "wang")):
        customer = add_customer(ctx, name)
        with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
            conn.execute("UPDATE customer SET owner = ? WHERE id = ?", (owner, customer.id))
        ids[owner] = add_ticket(ctx, customer.id, "Pump leaks", kind="repair").id
    return ids


def test_a_manager_sees_whose_each_ticket_is_and_lists_one_reps(ctx: Context, home: Path) -> None:
    ids = _team_book(ctx, home)
    every = json.loads(ok("ticket", "list", "--json").stdout)
    assert sorted((row["customer"], row["owner"]) for row in every) == [("Li Pumps", "li"), ("Wang Valves", "wang")]
    lines = ok("ticket", "list").stdout.splitlines()
    assert any("Li Pumps  ·  li  ·  Pump leaks" in line for line in lines)
    only_li = json.loads(ok("ticket", "list", "--rep", "LI", "--json").stdout)  # a rep's name in any case
    assert [row["id"] for row in only_li] == [ids["li"]]
    only_wang = json.loads(ok("ticket", "list", "--rep", "wa", "--json").stdout)  # the one name it begins
    assert [row["id"] for row in only_wang] == [ids["wang"]]
    assert len(json.loads(ok("ticket", "list", "--rep", "all", "--json").stdout)) == 2
    assert "--rep" in fails("ticket", "list", "--rep", "zhao", code=1).stderr
    assert "owner: li" in ok("ticket", "show", json.loads(ok("ticket", "list", "--rep", "li", "--json").stdout)[0][
        "number"]).stdout


def test_rep_on_a_laptop_of_one_says_it_works_in_a_team(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    result = fails("ticket", "list", "--rep", "li", code=1)
    assert "--rep works in a team" in result.stderr


def test_update_due_and_close_give_the_ticket_as_json(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    number = add_ticket(ctx, acme.id, "Pump leaks", kind="repair").number
    changed = json.loads(ok("ticket", "update", number, "--due", "fri", "--json").stdout)
    # Tue 24 Nov: "fri" is Fri 27 Nov
    assert (changed["number"], changed["due_on"]) == (number, "2026-11-27")
    assert changed["history"][-1]["note"] == "promised day none → Fri 27 Nov"
    assert changed["history"][-1]["change"] == {"change": "promised", "from": None, "to": "2026-11-27"}
    closed = json.loads(ok("ticket", "close", number, "--resolution", "new seal", "--json").stdout)
    shown = json.loads(ok("ticket", "show", number, "--json").stdout)
    assert closed == shown and closed["status"] == "closed" and closed["resolution"] == "new seal"
