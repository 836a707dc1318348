"""`crm stage DEAL won` with its revisit plan (proposed, replaced with --revisit, skipped with --no-revisits) and
`crm log ... --satisfaction --nps --revisit` completing a revisit. Frozen clock: Tue 2026-11-24 10:00 Shanghai."""

from __future__ import annotations

import json
from datetime import date, datetime

from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal
from crmtui.services.revisits import revisit_timeline

from .conftest import ZONE
from .test_cli import LOG_OK, fails, ok


def _deal(ctx, title="Seats"):  # type: ignore[no-untyped-def]
    acme = add_customer(ctx, "Acme")
    add_deal(ctx, acme.id, title, amount="120000")
    return acme


def _dues(ctx, customer_id):  # type: ignore[no-untyped-def]
    return [(r.due_on, r.channel, r.purpose) for r in revisit_timeline(ctx, customer_id).revisits]


def test_won_plans_the_proposed_revisits_and_prints_them(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _deal(ctx)
    result = ok("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today")
    # Tue 24 Nov + 3 = Fri 27 Nov, + 30 = Thu 24 Dec, + 90 = Mon 22 Feb 2027
    assert "revisit Fri 27 Nov · Phone · Confirm delivery" in result.stdout
    assert "revisit Thu 24 Dec · Visit · Check how it is used" in result.stdout
    assert "revisit Mon 22 Feb 2027 · Meeting · Review" in result.stdout
    assert _dues(ctx, acme.id) == [(date(2026, 11, 27), "phone", "Confirm delivery"),
                                   (date(2026, 12, 24), "visit", "Check how it is used"),
                                   (date(2027, 2, 22), "meeting", "Review")]


def test_revisit_options_replace_the_plan_and_a_weekend_is_said(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _deal(ctx)
    result = ok("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today",
                "--revisit", "30 visit 检查安装", "--revisit", "4 电话 确认交付")
    # + 4 = Sat 28 Nov: moved to Mon 30 Nov; + 30 = Thu 24 Dec
    assert "revisit Mon 30 Nov · Phone · 确认交付 (Sat 28 Nov is a weekend: moved to the next working day)" in result.stdout
    assert _dues(ctx, acme.id) == [(date(2026, 11, 30), "phone", "确认交付"), (date(2026, 12, 24), "visit", "检查安装")]


def test_no_revisits_plans_none(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _deal(ctx)
    result = ok("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today", "--no-revisits")
    assert "no revisits planned" in result.stdout
    assert _dues(ctx, acme.id) == []


def test_a_wrong_revisit_is_refused_naming_the_option_and_nothing_moves(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _deal(ctx)
    result = fails("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today", "--revisit", "visit 检查")
    assert "--revisit" in result.stderr and "DAYS [CHANNEL] PURPOSE" in result.stderr
    assert "Seats" in ok("show", "Acme").stdout and _dues(ctx, acme.id) == []
    both = fails("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today", "--revisit", "3 x",
                 "--no-revisits")
    assert "not both" in both.stderr
    other = fails("stage", "Seats", "proposal", "--revisit", "3 phone x")
    assert "--revisit" in other.stderr and "only with a move to Won" in other.stderr


def test_log_with_a_satisfaction_completes_the_revisit_due(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = _deal(ctx)
    ok("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today")
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))  # Fri 27 Nov: the 3-day call is due
    result = ok("log", "Acme", *LOG_OK, "--next", "2027-01-05", "--satisfaction", "2", "--nps", "6")
    assert "revisit done: Fri 27 Nov · Phone · Confirm delivery (satisfaction 2/5)" in result.stdout
    # the next working day after Fri 27 Nov is Mon 30 Nov: a call back of its own
    assert "a low score: call back planned on Mon 30 Nov" in result.stdout
    # the next follow-up stays as typed: Tue 5 Jan 2027 at the usual 09:00
    assert "next: Send the quote → Tue 5 Jan 2027 09:00" in result.stdout
    first = revisit_timeline(ctx, acme.id).revisits[0]
    assert (first.done, first.satisfaction, first.nps) == (True, 2, 6)
    assert (date(2026, 11, 30), "phone", "Call back: satisfaction 2/5 on the revisit, put it right") in _dues(ctx, acme.id)
    again = ok("log", "Acme", *LOG_OK, "--next", "2027-01-05", "--satisfaction", "1")
    assert "a low score: a call back is already planned on Mon 30 Nov" in again.stdout


def test_show_lists_the_revisits_and_the_open_tickets(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    from crmtui.services.tickets import add_ticket, close_ticket

    acme = _deal(ctx)
    ok("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today")
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=ZONE))  # Fri 27 Nov: the 3-day call is due
    ok("log", "Acme", *LOG_OK, "--next", "2027-01-05", "--satisfaction", "4")
    pump = add_ticket(ctx, acme.id, "Noisy pump", kind="repair")
    done = add_ticket(ctx, acme.id, "Manual", kind="consultation")
    close_ticket(ctx, done.id, "sent it")
    frozen.move_to(datetime(2026, 12, 25, 10, 0, tzinfo=ZONE))  # Fri 25 Dec: the visit of Thu 24 Dec is overdue
    shown = ok("show", "Acme").stdout
    assert "Revisits (3)" in shown
    assert "✓  Fri 27 Nov  Phone  Confirm delivery  done Fri 27 Nov  satisfaction 4/5" in shown
    assert "○  Thu 24 Dec  Visit  Check how it is used  overdue" in shown
    assert "○  Mon 22 Feb 2027  Meeting  Review" in shown
    assert "Open tickets (1)" in shown and f"{pump.number}  Open  Normal  Noisy pump" in shown
    assert "Manual" not in shown  # closed
    data = json.loads(ok("show", "Acme", "--json").stdout)
    assert [(r["due_on"], r["done"]) for r in data["revisits"]] == [
        ("2026-11-27", True), ("2026-12-24", False), ("2027-02-22", False)]
    assert [t["number"] for t in data["tickets"]] == [pump.number]


def test_log_refuses_a_score_out_of_range_naming_the_option(ctx) -> None:  # type: ignore[no-untyped-def]
    _deal(ctx)
    result = fails("log", "Acme", *LOG_OK, "--next", "2027-01-05", "--satisfaction", "7")
    assert result.stderr.strip() == 'error: --satisfaction: a whole number from 1 to 5 (got "7")'
    result = fails("log", "Acme", *LOG_OK, "--next", "2027-01-05", "--satisfaction", "3", "--nps", "11")
    assert "--nps" in result.stderr and "0 to 10" in result.stderr


def test_log_asks_which_revisit_when_two_are_due(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    acme = _deal(ctx)
    ok("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today")
    frozen.move_to(datetime(2026, 12, 28, 10, 0, tzinfo=ZONE))  # Fri 27 Nov and Thu 24 Dec both due
    result = fails("log", "Acme", *LOG_OK, "--next", "2027-01-05", "--satisfaction", "4", code=3)
    assert "Confirm delivery" in result.stderr and "Check how it is used" in result.stderr
    result = ok("log", "Acme", *LOG_OK, "--next", "2027-01-05", "--satisfaction", "4", "--revisit", "2026-12-24")
    assert "revisit done: Thu 24 Dec · Visit · Check how it is used (satisfaction 4/5)" in result.stdout
    assert [r.done for r in revisit_timeline(ctx, acme.id).revisits] == [False, True, False]


def test_log_with_a_score_and_nothing_due_keeps_it(ctx) -> None:  # type: ignore[no-untyped-def]
    acme = _deal(ctx)
    ok("stage", "Seats", "won", "--contract-no", "HT-1", "--signed", "today")
    result = ok("log", "Acme", *LOG_OK, "--next", "2027-01-05", "--satisfaction", "5")
    assert "no revisit due: satisfaction 5/5 kept with the follow-up" in result.stdout
    assert [s.satisfaction for s in revisit_timeline(ctx, acme.id).scores] == [5]
