"""A quiet day (nothing overdue, nothing due today) looks ahead: the agenda, `crm today` and its --json list the
follow-ups planned for the next seven days; a busy day does not."""

from __future__ import annotations

import json
from datetime import timedelta

from crmtui.services import agenda_words
from crmtui.services.agenda import COMING, agenda_for
from crmtui.services.customers import add_customer
from crmtui.services.follow_ups import log_follow_up

from .conftest import NOW
from .test_cli import ok


def _log(ctx, name: str, next_at: str, plan: str = "call back") -> None:
    customer = add_customer(ctx, name)
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan=plan,
                  next_at=next_at)


def _week(ctx) -> None:
    """Tue 24 Nov: nothing due today; Wed, Fri and the next Tue ahead, and one a day too far."""
    _log(ctx, "Tomorrow Ltd", "tomorrow 10:00", "send the quote")
    _log(ctx, "Friday Ltd", "fri 15:00")
    _log(ctx, "Next Tuesday Ltd", "2026-12-01 9:00")
    _log(ctx, "Too Far Ltd", "2026-12-02 9:00")


def test_a_quiet_day_lists_the_next_seven_days_soonest_first(ctx) -> None:
    _week(ctx)
    agenda = agenda_for(ctx)
    assert agenda.quiet and agenda.items() == []  # the look-ahead is not today's work
    coming = agenda.sections[COMING]
    assert [(item.customer_name, agenda_words.reason(ctx, item)) for item in coming] == [
        ("Tomorrow Ltd", "tomorrow 10:00"), ("Friday Ltd", "Fri 27 Nov 15:00"), ("Next Tuesday Ltd", "Tue 1 Dec 09:00")]
    assert [item.days for item in coming] == [1, 3, 7] and coming[0].next_plan == "send the quote"
    assert agenda.totals[COMING] == 3
    assert agenda_words.section_title(COMING) == "Coming up in the next 7 days"


def test_a_busy_day_does_not_look_ahead(ctx, frozen) -> None:
    _week(ctx)
    frozen.move_to(NOW - timedelta(days=3))
    _log(ctx, "Late Ltd", "tomorrow")  # due two days before NOW
    frozen.move_to(NOW)
    agenda = agenda_for(ctx)
    assert not agenda.quiet and agenda.sections[COMING] == [] and agenda.totals[COMING] == 0


def test_crm_today_on_a_quiet_day_shows_the_week(ctx) -> None:
    _week(ctx)
    out = ok("today").stdout
    assert out.startswith("Today, 2026-11-24\nNothing due today.\n\nComing up in the next 7 days (3)\n")
    assert "  Tomorrow Ltd  ·  tomorrow 10:00  ·  → send the quote\n" in out
    assert "Next Tuesday Ltd  ·  Tue 1 Dec 09:00" in out and "Too Far Ltd" not in out
    assert "either" not in out
    data = json.loads(ok("today", "--json").stdout)
    assert [row["customer"] for row in data["sections"][COMING]] == ["Tomorrow Ltd", "Friday Ltd", "Next Tuesday Ltd"]
    assert data["sections"][COMING][0]["reason"] == "tomorrow 10:00" and data["totals"][COMING] == 3


def test_crm_today_says_when_the_week_is_empty_too(ctx) -> None:
    _log(ctx, "Too Far Ltd", "2026-12-02 9:00")
    out = ok("today").stdout
    assert out == "Today, 2026-11-24\nNothing due today.\nNothing planned in the next 7 days either.\n"
