"""`crm ticket` refusals: every wrong option of `add` in one message, each naming its option and what it takes;
the exit status of refused input is 1, as `crm log` and `crm stage` give (2 stays Click's usage error); `update
--priority` prints the new deadlines; a ticket closed with a low score plans the same call back as a revisit's and
its score joins the customer's trend. On the frozen clock (Tue 2026-11-24 10:00 Shanghai), real SQLite files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from crmtui.cli.commands import app
from crmtui.core import i18n
from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.tickets import add_ticket, list_tickets, ticket_detail
from crmtui.services.revisits import revisit_timeline

runner = CliRunner()


def crm(*args: str) -> Result:
    return runner.invoke(app, list(args))


def refused(*args: str) -> list[str]:
    """The lines of a refusal, which must exit with 1 and print nothing on stdout."""
    result = crm(*args)
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert result.exit_code == 1, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    assert result.stdout == "" and "Traceback" not in result.stderr
    return result.stderr.splitlines()


def test_add_names_every_wrong_option_in_one_message(ctx: Context) -> None:
    add_customer(ctx, "Acme")
    lines = refused("ticket", "add", "Acme", "Pump leaks", "--priority", "asap", "--due", "下周八")
    # today is Tue 2026-11-24: the date example a week on is 2026-12-01; no "昨天" suggested for a promised day
    assert lines == [
        "error: --type: required: one of repair, maintenance, complaint, consultation",
        'error: --priority: one of low, normal, high, urgent (got "asap")',
        'error: --due: could not understand the date "下周八" (try e.g. "fri", "下周一", "2026-12-01")',
    ]
    assert list_tickets(ctx) == []


def test_the_options_are_said_before_the_customer_is_looked_up(ctx: Context) -> None:
    lines = refused("ticket", "add", "Nobody", "", "--type", "fix", "--due", "yesterday")
    assert lines == [
        'error: title: a value (it cannot be empty) (got "")',
        'error: --type: one of repair, maintenance, complaint, consultation (got "fix")',
        'error: --due: a day from today on (got "yesterday")',
    ]
    assert refused("ticket", "add", "Nobody", "Pump leaks", "--type", "repair") == ['error: no customer matches "Nobody"']


def test_one_wrong_option_alone_is_said_as_before(ctx: Context) -> None:
    add_customer(ctx, "Acme")
    assert refused("ticket", "add", "Acme", "Pump leaks", "--type", "repair", "--priority", "now") == [
        'error: --priority: one of low, normal, high, urgent (got "now")']


def test_help_marks_the_type_required() -> None:
    result = crm("ticket", "add", "--help")
    assert result.exit_code == 0
    assert "Required: repair, maintenance, complaint or consultation." in " ".join(result.stdout.split())


def test_in_chinese_each_line_names_its_option_too(ctx: Context, home: Path) -> None:
    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "zh"\n', encoding="utf-8")
    add_customer(ctx, "Acme")
    try:
        lines = refused("ticket", "add", "Acme", "Pump leaks", "--priority", "asap", "--due", "下周八")
    finally:
        i18n.set_language("en")  # the command switched this process to Chinese
    assert len(lines) == 3
    assert lines[0].endswith("(--type)") and lines[1].endswith("(--priority)") and lines[2].endswith("(--due)")
    assert "昨天" not in lines[2] and "2026-12-01" in lines[2]


def test_update_refuses_every_wrong_value_at_once_and_writes_nothing(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    lines = refused("ticket", "update", ticket.number, "--status", "done", "--priority", "asap", "--due", "last monday")
    assert [line.split(":")[1].strip() for line in lines] == ["--status", "--priority", "--due"]
    assert len(ticket_detail(ctx, ticket.id)[1]) == 1  # only the opening step


def test_update_priority_prints_the_new_deadlines(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")  # normal, opened Tue 24 Nov 10:00
    result = crm("ticket", "update", ticket.number, "--priority", "high", "--due", "fri")
    assert result.exit_code == 0, result.stderr
    # high from Tue 10:00: respond 4 working hours = Tue 14:00; resolve 24 working hours = 8 (Tue 10-18)
    # + 9 (Wed) + 7 (Thu 09-16) = Thu 26 Nov 16:00; "fri" is Fri 27 Nov
    assert result.stdout.splitlines() == [
        f"{ticket.number} is Open",
        "priority High: respond by Tue 24 Nov 14:00, resolve by Thu 26 Nov 16:00",
        "promised for Fri 27 Nov",
    ]


def test_a_usage_slip_of_update_exits_1_too(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    number = add_ticket(ctx, acme.id, "Pump leaks", kind="repair").number
    assert refused("ticket", "update", number) == ["error: give what changes: --status, --note, --priority or --due"]


def test_closing_with_a_low_score_plans_the_call_back_and_joins_the_trend(ctx: Context) -> None:
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    result = crm("ticket", "close", ticket.number, "--resolution", "seal replaced late", "--satisfaction", "2")
    assert result.exit_code == 0, result.stderr
    timeline = revisit_timeline(ctx, acme.id)
    assert [(score.satisfaction, score.ticket) for score in timeline.scores] == [(2, ticket.number)]
    # the next working day after Tue 24 Nov is Wed 25 Nov, as a low follow-up score's call back
    assert [(str(r.due_on), r.purpose) for r in timeline.revisits if r.deal_id is None and not r.done] == [
        ("2026-11-25", f"Call back: satisfaction 2/5 on ticket {ticket.number}, put it right")]
