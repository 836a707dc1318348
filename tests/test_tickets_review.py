"""Tickets after a review: the priority picker's deadlines skip the public holidays as the change does, a close with
a low score and its call back are one write (one undo), the history words a change of priority or of the promised
day in the reader's language, and status errors word the statuses. Frozen clock, real SQLite."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner, Result

from crmtui.cli.commands import app
from crmtui.core import i18n
from crmtui.core.errors import InvalidValues
from crmtui.services import agenda_words
from crmtui.services.agenda import agenda_for
from crmtui.services.customers import add_customer, edit_contract_service
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.revisits import revisit_timeline
from crmtui.services.tickets import (
    add_ticket,
    close_and_call_back,
    deadlines_with,
    find_ticket,
    ticket_detail,
    update_ticket,
)
from crmtui.services.undo import undo, undo_plan
from crmtui.store.models import TicketEvent

from .conftest import ZONE


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZONE).replace(tzinfo=None)


def test_the_priority_pickers_deadlines_skip_national_day_as_the_change_does(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    frozen.move_to(datetime(2026, 9, 30, 14, 0, tzinfo=ZONE))  # Wed 30 Sep 14:00; 国庆 Thu 1 to Wed 7 Oct
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")  # normal
    view, _history = ticket_detail(ctx, ticket.id)
    respond, resolve = deadlines_with(ctx, view, "low")  # low: 24 h to answer, 80 h to resolve, 09:00-18:00
    # answer: 4 h Wed (14-18), 9 h Thu 8 Oct (13), 9 h Fri 9 (22), Sat 10 Oct is a make-up day: 09:00 + 2 h = 11:00
    assert _local(respond) == datetime(2026, 10, 10, 11, 0)
    # resolve: 4 h Wed, then 9 h each Thu 8, Fri 9, Sat 10, Mon 12, Tue 13, Wed 14, Thu 15, Fri 16 = 4 + 72 = 76 h;
    # Sun 18 Oct off: Mon 19 Oct 09:00 + 4 h = 13:00
    assert _local(resolve) == datetime(2026, 10, 19, 13, 0)
    changed = update_ticket(ctx, ticket.id, priority="low")
    assert (changed.respond_by.replace(tzinfo=UTC), changed.resolve_by.replace(tzinfo=UTC)) == (respond, resolve)


def test_a_low_score_closes_and_calls_back_in_one_write_and_one_undo(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    closed, call_back = close_and_call_back(ctx, ticket.id, "replaced the seal", 1)
    assert closed.status == "closed"
    # Tue 24 Nov 2026: the call back is the next working day, Wed 25 Nov
    assert call_back is not None and call_back.new and call_back.due_on == date(2026, 11, 25)
    assert [r.due_on for r in revisit_timeline(ctx, acme.id).revisits] == [date(2026, 11, 25)]
    plan = undo_plan(ctx)
    assert plan.refusal is None
    undo(ctx, plan)  # one undo: the close and the call back both go
    assert ticket_detail(ctx, ticket.id)[0].status == "open"
    assert not revisit_timeline(ctx, acme.id).revisits


def test_a_score_that_is_not_low_plans_no_call_back(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    assert close_and_call_back(ctx, ticket.id, "replaced the seal", 4)[1] is None


# ---------------------------------------------------------------- the shell: the call back said, statuses worded

runner = CliRunner()


def _crm(*args: str) -> Result:
    return runner.invoke(app, list(args))


def test_crm_ticket_close_says_the_call_back_as_crm_log_does(ctx):
    acme = add_customer(ctx, "Acme")
    number = add_ticket(ctx, acme.id, "Pump leaks", kind="repair").number
    result = _crm("ticket", "close", number, "--resolution", "replaced the seal", "--satisfaction", "1")
    assert result.exit_code == 0, result.output
    # Tue 24 Nov: the next working day is Wed 25 Nov, worded as `crm log` words it ("tomorrow" is not used there)
    assert result.stdout.splitlines() == [f"closed {number}", "  a low score: call back planned on Wed 25 Nov"]
    other = add_ticket(ctx, acme.id, "Fan noisy", kind="repair").number
    again = _crm("ticket", "close", other, "--resolution", "oiled it", "--satisfaction", "2")
    assert again.stdout.splitlines()[1] == "  a low score: a call back is already planned on Wed 25 Nov"


def test_status_refusals_word_the_statuses_and_offer_what_the_command_takes(ctx):
    acme = add_customer(ctx, "Acme")
    number = add_ticket(ctx, acme.id, "Pump leaks", kind="repair").number
    assert _crm("ticket", "update", number, "--status", "waiting").exit_code == 0
    moved = _crm("ticket", "update", number, "--status", "open")
    assert moved.exit_code == 1
    assert "--status: from Waiting for customer, one of In progress, Resolved" in moved.stderr
    bogus = _crm("ticket", "update", number, "--status", "bogus")
    assert bogus.exit_code == 1
    assert "--status: one of Open, In progress, Waiting for customer, Resolved (got" in bogus.stderr  # no Closed
    listed = _crm("ticket", "list", "--status", "bogus")
    assert listed.exit_code == 1
    assert "--status: one of Open, In progress, Waiting for customer, Resolved, Closed, all (got" in listed.stderr
    closing = _crm("ticket", "update", number, "--status", "closed")
    assert "close a ticket with its resolution" in closing.stderr


def test_status_refusals_in_chinese_name_the_statuses_in_chinese(ctx, home):
    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "zh"\n', encoding="utf-8")
    acme = add_customer(ctx, "Acme")
    number = add_ticket(ctx, acme.id, "Pump leaks", kind="repair").number
    try:
        _crm("ticket", "update", number, "--status", "waiting")
        refused = _crm("ticket", "update", number, "--status", "open")
    finally:
        i18n.set_language("en")
    assert refused.exit_code == 1
    assert "从等待客户只能改为：处理中, 已解决" in refused.stderr
    assert "waiting" not in refused.stderr and "in_progress" not in refused.stderr


# ---------------------------------------------------------------- Today: under an hour late reads in minutes


def _ticket_reasons(ctx) -> list[str]:
    return [agenda_words.reason(ctx, item) for item in agenda_for(ctx).sections["tickets"]]


def test_today_says_minutes_for_a_ticket_less_than_an_hour_late(ctx, frozen):
    acme = add_customer(ctx, "Acme")
    number = add_ticket(ctx, acme.id, "No power", kind="repair", priority="urgent").number
    # urgent runs on the clock: opened Tue 10:00, answer by 12:00, resolve by 18:00
    frozen.move_to(datetime(2026, 11, 24, 12, 15, tzinfo=ZONE))  # 15 min past the answer's deadline
    assert _ticket_reasons(ctx) == [f"{number} urgent · answer 15 min late"]
    frozen.move_to(datetime(2026, 11, 24, 17, 35, tzinfo=ZONE))  # still not answered; 25 min to resolve
    update_ticket(ctx, find_ticket(ctx, number), note="on my way")
    assert _ticket_reasons(ctx) == [f"{number} urgent · due in 25 min"]
    frozen.move_to(datetime(2026, 11, 24, 18, 40, tzinfo=ZONE))  # 40 min past 18:00
    assert _ticket_reasons(ctx) == [f"{number} urgent · 40 min late"]
    frozen.move_to(datetime(2026, 11, 24, 19, 10, tzinfo=ZONE))  # 70 min: whole hours again
    assert _ticket_reasons(ctx) == [f"{number} urgent · 1 h late"]
    i18n.set_language("zh")
    try:
        frozen.move_to(datetime(2026, 11, 24, 18, 40, tzinfo=ZONE))
        # the number, its priority and the minutes, whatever words the translation puts around them
        [reason] = _ticket_reasons(ctx)
        assert reason.startswith(f"{number} 紧急") and "40 分钟" in reason
    finally:
        i18n.set_language("en")


# ---------------------------------------------------------------- the history read in the reader's language


def test_a_change_of_priority_or_day_is_worded_in_the_readers_language(ctx):
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")  # normal, opened Tue 24 Nov 10:00 Shanghai
    update_ticket(ctx, ticket.id, priority="high", due="2026-11-27")
    # high from Tue 10:00: respond 4 working hours = 14:00; resolve 24 = 8 Tue + 9 Wed + 7 Thu = Thu 26 Nov 16:00
    i18n.set_language("zh")
    try:
        notes = [step.note for step in ticket_detail(ctx, ticket.id)[1][1:]]
    finally:
        i18n.set_language("en")
    # the labels and the days in Chinese (the sentence around them is the translators')
    assert "11月24日 周二 14:00" in notes[0] and "11月26日 周四 16:00" in notes[0] and "高" in notes[0]
    assert "11月27日 周五" in notes[1]
    english = [step.note for step in ticket_detail(ctx, ticket.id)[1][1:]]
    assert english == ["priority Normal → High; respond by Tue 24 Nov 14:00, resolve by Thu 26 Nov 16:00",
                       "promised day none → Fri 27 Nov"]


def test_a_change_kept_in_english_words_before_still_shows_as_written(ctx):
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    old = ("priority normal -> high; deadlines moved to respond by 2026-11-24 14:00 +08:00,"
           " resolve by 2026-11-26 16:00 +08:00")
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:  # a step as an older version stored it
        session.add(TicketEvent(ticket_id=ticket.id, at=now, note=old, created_at=now, updated_at=now))
    step = ticket_detail(ctx, ticket.id)[1][-1]
    assert (step.note, step.change) == (old, None)


def test_a_reps_note_is_never_read_as_a_change(ctx):
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    typed = '\x1f{"change": "promised", "from": null, "to": "2026-11-27"}'
    update_ticket(ctx, ticket.id, note=typed)  # stripped as it is kept: a note as written
    step = ticket_detail(ctx, ticket.id)[1][-1]
    assert (step.note, step.change) == (typed.strip(), None)


def test_crm_ticket_show_words_the_history_and_the_promised_day_in_chinese(ctx, home):
    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    update_ticket(ctx, ticket.id, priority="urgent", due="2026-11-27")
    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "zh"\n', encoding="utf-8")
    try:
        shown = _crm("ticket", "show", ticket.number)
    finally:
        i18n.set_language("en")
    assert shown.exit_code == 0, shown.output
    assert "2026-11-27" not in shown.stdout
    assert "  承诺日期: 11月27日 周五" in shown.stdout.splitlines()  # the promised day as every other date reads
    (changed,) = [line for line in shown.stdout.splitlines() if "普通 → 紧急" in line]
    # urgent on the clock from Tue 10:00: respond 2 h = 12:00, resolve 8 h = 18:00
    assert "11月24日 周二 12:00" in changed and "11月24日 周二 18:00" in changed
    assert any("无 → 11月27日 周五" in line for line in shown.stdout.splitlines())


# ---------------------------------------------------------------- crm contract edit: every wrong value at once


def test_crm_contract_edit_names_every_wrong_value_at_once_and_changes_nothing(ctx):
    acme = add_customer(ctx, "Pump Co")
    deal = add_deal(ctx, acme.id, "Pumps", amount="10000")
    move_stage(ctx, deal.id, "won", contract_no="HT-7", signed="2026-08-31", complete_schedule=True)
    result = _crm("contract", "edit", "HT-7", "--service-months", "abc", "--service-from", "2026-09-01",
                  "--warranty-until", "xyz")
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["service months", "warranty until"]
    assert lines[0] == 'error: service months: a whole number of months from 1 to 120 (got "abc")'
    assert lines[1].startswith('error: warranty until: could not understand the date "xyz"')
    with ctx.db.raw_read() as conn:
        assert conn.execute("SELECT service_months, service_from, warranty_until FROM contract").fetchone() == (
            None, None, None)
    with pytest.raises(InvalidValues) as refused:  # the service says them all too, in the options' order
        edit_contract_service(ctx, "HT-7", {"service_months": "0", "warranty_until": "xyz"})
    assert [problem.field for problem in refused.value.problems] == ["service_months", "warranty_until"]


# ---------------------------------------------------------------- crm remind --install: the rep's language


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the systemd timer is Linux's")
@pytest.mark.parametrize(("language", "carried"), [("auto", True), ("en", False)])
def test_the_timer_carries_the_locale_when_the_language_follows_it(home, tmp_path, monkeypatch, language, carried):
    (home / "config" / "config.toml").write_text(f'timezone = "Asia/Shanghai"\nlanguage = "{language}"\n',
                                                 encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no systemctl: the units are written, the commands said
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_MESSAGES", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.setenv("PYTHONPATH", "/somewhere/src")
    try:
        result = _crm("remind", "--install")
    finally:
        i18n.set_language("en")
    assert result.exit_code == 0, result.output
    service = (tmp_path / "xdg" / "systemd" / "user" / "crmtui-remind.service").read_text(encoding="utf-8")
    assert f'Environment="CRMTUI_HOME={home}"\n' in service
    assert ('Environment="LANG=zh_CN.UTF-8"\n' in service) is carried
    assert ('Environment="LC_MESSAGES=zh_CN.UTF-8"\n' in service) is carried
    assert "LC_ALL" not in service and "PYTHONPATH" not in service  # unset: not written; never the path


# ---------------------------------------------------------------- the app's close says the call back


async def test_the_apps_close_with_a_low_score_says_the_call_back(ctx):
    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.pick import PickScreen
    from crmtui.tui.screens.tickets import TextForm, TicketsScreen
    from crmtui.tui.screens.today import TodayScreen
    from tests.pilot import until

    acme = add_customer(ctx, "Acme")
    ticket = add_ticket(ctx, acme.id, "Pump leaks", kind="repair")
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, TicketsScreen) and app.screen.loaded, workers=True)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, TextForm))
        await pilot.press(*"new seal", "enter")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("down", "down", "down", "down", "enter")  # 5, 4, 3, 2, then 1 Very dissatisfied
        # Tue 24 Nov: the call back is the next working day, Wed 25 Nov
        said = f"Closed {ticket.number}\na low score: call back planned on Wed 25 Nov"
        await until(pilot, lambda: said in [str(note.message) for note in app._notifications], workers=True)
    assert ticket_detail(ctx, ticket.id)[0].satisfaction == 1
    assert [r.due_on for r in revisit_timeline(ctx, acme.id).revisits] == [date(2026, 11, 25)]
