"""The `calendar_file` setting: the iCalendar file is rewritten after every write that commits, from the services
(so the app) and from `crm log` in a real process; a failure to refresh it is a warning, never a failed write."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import icalendar
import pytest

from crmtui.core.clock import Clock
from crmtui.core.config import Settings, load_settings
from crmtui.core.errors import InvalidInput
from crmtui.services.context import open_context
from crmtui.services.customers import add_customer
from crmtui.services.follow_ups import log_follow_up

from .conftest import ZONE


def _starts(path: Path) -> dict[str, datetime]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(event["uid"]): event.decoded("dtstart") for event in calendar.walk("VEVENT")}


@pytest.fixture
def calendar_ctx(home: Path, tmp_path: Path):
    target = tmp_path / "crm.ics"
    context = open_context(home / "data" / "crm.db", clock=Clock(ZONE),
                           settings=Settings(timezone="Asia/Shanghai", language="en", calendar_file=str(target)))
    yield context, target
    context.close()


def test_a_service_write_refreshes_the_calendar_file(calendar_ctx):
    ctx, target = calendar_ctx
    acme = add_customer(ctx, "Acme")
    ctx.settle()  # the refresh runs in the background
    assert target.exists() and _starts(target) == {}  # written after the first write, nothing planned yet
    log_follow_up(ctx, acme.id, channel="phone", goal="needs", goal_met=True, notes="ok", next_plan="quote",
                  next_at="2026-11-26 14:00")
    ctx.settle()
    assert _starts(target) == {f"follow-up-{acme.id}@crmtui": datetime(2026, 11, 26, 14, 0, tzinfo=ZONE)}
    assert ctx.warnings == []
    assert [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")] == []  # renamed into place


def test_a_calendar_file_that_cannot_be_written_is_a_warning_and_the_write_stands(home: Path, tmp_path: Path):
    target = tmp_path / "no-such-folder" / "crm.ics"
    ctx = open_context(home / "data" / "crm.db", clock=Clock(ZONE),
                       settings=Settings(timezone="Asia/Shanghai", language="en", calendar_file=str(target)))
    try:
        acme = add_customer(ctx, "Acme")
        ctx.settle()
        with ctx.db.raw_read() as connection:
            assert connection.execute("SELECT name FROM customer WHERE id = ?", (acme.id,)).fetchone() == ("Acme",)
        assert len(ctx.warnings) == 1 and "could not be refreshed" in ctx.warnings[0] and str(target) in ctx.warnings[0]
    finally:
        ctx.close()


def test_without_the_setting_no_calendar_is_written(ctx, tmp_path: Path):
    add_customer(ctx, "Acme")
    assert ctx.db.after_commit is None
    assert not list(tmp_path.rglob("*.ics"))


def test_the_setting_is_a_path_in_quotes(home: Path):
    config = home / "config" / "config.toml"
    config.write_text('calendar_file = 3\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="calendar_file"):
        load_settings(config)
    config.write_text('calendar_file = "~/crm.ics"\n', encoding="utf-8")
    assert load_settings(config).calendar_file == "~/crm.ics"


def _crm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crmtui", *args], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_crm_log_in_a_real_process_refreshes_the_calendar_file(subprocess_env, home: Path, tmp_path: Path):
    target = tmp_path / "subscribed.ics"
    config = home / "config" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'calendar_file = "{target.as_posix()}"\n',
                      encoding="utf-8")
    assert _crm(subprocess_env, "add", "customer", "Acme").returncode == 0
    child = _crm(subprocess_env, "log", "Acme", "--via", "phone", "--goal", "g", "--met", "--notes", "n",
                 "--next-plan", "send the quote", "--next", "2026-11-27 15:00")
    assert child.returncode == 0, child.stderr
    assert child.stderr == ""
    (start,) = _starts(target).values()
    assert start == datetime(2026, 11, 27, 15, 0, tzinfo=ZONE)
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert "send the quote" in str(calendar.walk("VEVENT")[0]["summary"])


def test_crm_log_warns_on_stderr_when_the_calendar_cannot_be_refreshed(subprocess_env, home: Path, tmp_path: Path):
    target = tmp_path / "missing" / "subscribed.ics"
    config = home / "config" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'calendar_file = "{target.as_posix()}"\n',
                      encoding="utf-8")
    assert _crm(subprocess_env, "add", "customer", "Acme").returncode == 0
    child = _crm(subprocess_env, "log", "Acme", "--via", "phone", "--goal", "g", "--met", "--notes", "n",
                 "--next-plan", "p", "--next", "2026-11-27 15:00")
    assert child.returncode == 0  # the follow-up is logged
    assert "logged for Acme" in child.stdout
    (line,) = child.stderr.splitlines()
    assert line == f"warning: the calendar file {target} could not be refreshed (No such file or directory)"


async def test_the_app_shows_a_calendar_that_could_not_be_refreshed_as_a_warning(home: Path, tmp_path: Path):
    from crmtui.tui.app import build_app  # Textual only for this test

    target = tmp_path / "gone" / "crm.ics"
    ctx = open_context(home / "data" / "crm.db", clock=Clock(ZONE),
                       settings=Settings(timezone="Asia/Shanghai", language="en", calendar_file=str(target)))
    app = build_app(ctx, watch_seconds=0.05)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            add_customer(ctx, "Acme")  # the service the app's forms call: the same hook runs
            for _ in range(400):
                if any("could not be refreshed" in str(n.message) for n in app._notifications):
                    break
                await pilot.pause(0.01)
            (shown,) = [n for n in app._notifications if "could not be refreshed" in str(n.message)]
            assert shown.severity == "warning" and ctx.warnings == []
    finally:
        ctx.close()


def test_a_write_does_not_wait_for_the_refresh_and_writes_during_one_are_in_the_next(calendar_ctx, monkeypatch):
    import threading

    from crmtui.services.exporting import calendar

    ctx, target = calendar_ctx
    started, release, runs = threading.Event(), threading.Event(), []
    real = calendar.refresh_calendar

    def slow(context):
        runs.append(1)
        started.set()
        release.wait(timeout=60)
        real(context)

    monkeypatch.setattr(calendar, "refresh_calendar", slow)
    first = add_customer(ctx, "Acme")
    assert started.wait(timeout=60)  # the refresh is running, and the write has returned
    second = add_customer(ctx, "Beta")
    log_follow_up(ctx, second.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="p",
                  next_at="2026-11-26 14:00")
    release.set()
    ctx.settle()
    assert len(runs) == 2  # the run in progress, then one more for both writes made meanwhile
    assert set(_starts(target)) == {f"follow-up-{second.id}@crmtui"} and first.id


def test_the_refresh_copies_unchanged_events_and_writes_changed_ones_again(calendar_ctx, frozen):
    ctx, target = calendar_ctx
    acme, beta = add_customer(ctx, "Acme"), add_customer(ctx, "Beta")
    for customer in (acme, beta):
        log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="quote",
                      next_at="2026-11-26 14:00")
    ctx.settle()

    def stamps() -> dict[str, str]:
        calendar = icalendar.Calendar.from_ical(target.read_bytes())
        return {str(e["uid"]): e["dtstamp"].to_ical().decode() for e in calendar.walk("VEVENT")}

    before = stamps()
    frozen.move_to(datetime(2026, 11, 24, 11, 0, tzinfo=ZONE))
    log_follow_up(ctx, beta.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="visit",
                  next_at="2026-11-28 10:00")
    ctx.settle()
    after = stamps()
    assert after[f"follow-up-{acme.id}@crmtui"] == before[f"follow-up-{acme.id}@crmtui"]  # copied as it was
    assert after[f"follow-up-{beta.id}@crmtui"] == "20261124T030000Z"  # written again, now
    assert _starts(target)[f"follow-up-{beta.id}@crmtui"] == datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
