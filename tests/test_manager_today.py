"""A manager's Today: the team's waiting work per rep, each rep's own Today, `--rep` in the shell and the
board's rep filter. The manager's laptop holds two reps' customers (owners set as a pull would set them)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import OptionList

from crmtui.tui.app import build_app
from crmtui.core import fields
from crmtui.core.config import Settings, SyncSettings
from crmtui.core.errors import Ambiguous, InvalidInput, NotAllowed
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.screens.pipeline import PipelineScreen
from crmtui.tui.screens.today import TodayScreen
from crmtui.services.agenda import ALL_REPS, agenda_for, resolve_rep, team_load
from crmtui.services import agenda_words
from crmtui.services.customers import add_customer, add_lead, edit_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.store import replica

from .conftest import NOW
from .test_cli import fails, ok
from .test_tui import SIZE, _settle

SERVER = "postgresql://127.0.0.1:9/team"
"""Nothing listens there: these tests never reach a server (the laptop's copy is all they read)."""


def _log(ctx, customer_id: str, next_at: str) -> None:
    log_follow_up(ctx, customer_id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at=next_at)


def _become_manager(ctx, home: Path, user: str = "boss") -> None:
    """The laptop of a manager after a sync: [sync] set, and the last round said "manager"."""
    ctx.settings = Settings(timezone="Asia/Shanghai", language="en",
                            sync=SyncSettings(server=SERVER, user=user, interval=0))
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        replica.set_meta(conn, "sync_manager", "1")
        replica.set_meta(conn, "sync_rep", user)
    config = home / "config" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\n[sync]\nserver = "{SERVER}"\nuser = "{user}"\ninterval = 0\n', encoding="utf-8")


@pytest.fixture
def team_book(ctx, frozen, home):
    """wang: two customers 3 and 4 days overdue, one due today at 15:00, a quote of 100,000 untouched for
    9 days. li: one customer 3 days overdue, a lead added 30 hours ago and never called. boss (the manager):
    one customer due today at 16:00."""
    owners: dict[str, str] = {}
    frozen.move_to(NOW - timedelta(days=9))
    quote = add_customer(ctx, "Wang Quote")
    deal = add_deal(ctx, quote.id, "Fleet", amount="100000")
    move_stage(ctx, deal.id, "quote", amount="100000")
    _log(ctx, quote.id, "in 30 days")
    owners[quote.id] = "wang"
    frozen.move_to(NOW - timedelta(days=5))
    for name, next_at, owner in (("Wang Late One", "in 2 days", "wang"), ("Wang Late Two", "in 1 day", "wang"),
                                 ("Li Late", "in 2 days", "li")):
        customer = add_customer(ctx, name)
        _log(ctx, customer.id, next_at)
        owners[customer.id] = owner
    frozen.move_to(NOW - timedelta(hours=30))
    owners[add_lead(ctx, "Li New Lead").id] = "li"
    frozen.move_to(NOW)
    for name, next_at, owner in (("Wang Today", "下午3点", "wang"), ("Boss Today", "下午4点", "boss")):
        customer = add_customer(ctx, name)
        _log(ctx, customer.id, next_at)
        owners[customer.id] = owner
    for customer_id, owner in owners.items():
        edit_customer(ctx, customer_id, {"owner": owner})
    _become_manager(ctx, home)
    return ctx


def _names(agenda, section: str) -> set[str]:
    return {item.customer_name for item in agenda.sections[section]}


def test_the_team_section_counts_each_reps_waiting_work(team_book) -> None:
    ctx = team_book
    loads = [(load.rep, load.overdue, load.due, load.stalled, load.stalled_cents, load.new_leads)
             for load in team_load(ctx)]
    assert loads == [("wang", 2, 1, 1, 10_000_000, 0), ("li", 1, 0, 0, 0, 1)]  # most overdue first; boss aside
    # wang's follow-up 4 days late is past the escalation line (more than 3 days); the one 3 days late is not
    assert agenda_words.load_text(team_load(ctx)[0]) == "overdue 2 · due today 1 · stalled 1 (100,000) · escalated 1"
    assert agenda_words.load_text(team_load(ctx)[1]) == "overdue 1 · not yet called 1"
    own = agenda_for(ctx)
    assert [load.rep for load in own.team] == ["wang", "li"]
    assert _names(own, "due") == {"Boss Today"} and _names(own, "overdue") == set()


def test_a_reps_agenda_and_everyones(team_book) -> None:
    ctx = team_book
    wang = agenda_for(ctx, rep="wang")
    assert _names(wang, "overdue") == {"Wang Late One", "Wang Late Two"}
    assert {agenda_words.reason(ctx, item) for item in wang.sections["overdue"]} == {"overdue 3 d", "overdue 4 d"}
    assert _names(wang, "due") == {"Wang Today"} and _names(wang, "stalled") == {"Wang Quote"}
    assert wang.team == []  # another rep's Today has no team section
    li = agenda_for(ctx, rep="li")
    assert _names(li, "overdue") == {"Li Late"} and _names(li, "new_leads") == {"Li New Lead"}
    everyone = agenda_for(ctx, rep=ALL_REPS)
    assert everyone.totals["overdue"] == 3 and everyone.totals["due"] == 2 and everyone.totals["new_leads"] == 1


def test_rep_names_resolve_whole_or_by_a_unique_beginning(team_book) -> None:
    ctx = team_book
    assert resolve_rep(ctx, "WANG") == "wang" and resolve_rep(ctx, "wa") == "wang"
    assert resolve_rep(ctx, " all ") == ALL_REPS
    with pytest.raises(InvalidInput) as unknown:
        resolve_rep(ctx, "zhao")
    assert str(unknown.value) == '--rep: a rep whose customers this laptop holds (boss, li, wang) or all (got "zhao")'
    assert unknown.value.field == "rep" and fields.get("rep").flag == "--rep"  # a field's key, not prose
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):  # a third rep, liu, as a pull would bring them
        conn.execute("UPDATE customer SET owner = 'liu' WHERE name = 'Li Late'")
    with pytest.raises(Ambiguous) as two:
        resolve_rep(ctx, "l")
    assert [m.id for m in two.value.matches] == ["li", "liu"]
    assert resolve_rep(ctx, "li") == "li"  # a whole name is never ambiguous


def test_without_a_team_rep_is_refused(ctx) -> None:
    with pytest.raises(NotAllowed, match="--rep works in a team"):
        resolve_rep(ctx, "wang")
    assert agenda_for(ctx).team == []


def test_crm_today_shows_the_team_and_a_reps_today(team_book) -> None:
    out = ok("today").stdout
    assert "Team (2)\n  wang  ·  overdue 2 · due today 1 · stalled 1 (100,000) · escalated 1\n  li  ·  overdue 1 · not yet called 1\n" in out
    assert "Boss Today" in out and "Wang Today" not in out
    wang = ok("today", "--rep", "wang").stdout
    assert wang.startswith("Today, 2026-11-24  ·  wang\n")
    assert "Wang Late Two  ·  overdue 4 d" in wang and "Team (" not in wang and "Li Late" not in wang
    data = json.loads(ok("today", "--rep", "all", "--json").stdout)
    assert data["rep"] == "all" and data["totals"]["overdue"] == 3 and data["team"] == []
    own = json.loads(ok("today", "--json").stdout)
    assert own["team"][0] == {"rep": "wang", "overdue": 2, "due": 1, "stalled": 1, "stalled_amount": 100000,
                              "new_leads": 0, "escalated": 1}
    result = fails("today", "--rep", "zhao")
    assert "--rep: a rep whose customers this laptop holds (boss, li, wang) or all" in result.stderr


def test_crm_list_filters_by_rep(team_book) -> None:
    def listed(*args: str) -> list[str]:
        return sorted(row["customer"] if "customer" in row else row["name"] for row in json.loads(ok("list", *args, "--json").stdout))

    assert listed("customers", "--rep", "li") == ["Li Late"]
    assert listed("leads", "--rep", "li") == ["Li New Lead"]
    assert listed("deals", "--rep", "wang") == ["Wang Quote"]
    assert listed("deals", "--rep", "li") == []
    assert len(listed("customers", "--rep", "all")) == 6
    assert "Li Late" in ok("list", "customers", "--rep", "li").stdout


def test_a_manager_with_nothing_of_their_own_is_not_told_nothing_is_due(team_book) -> None:
    with team_book.db.raw_write(team_book.clock.utcnow()) as (conn, _):
        conn.execute("UPDATE customer SET owner = 'wang' WHERE owner = 'boss'")
    out = ok("today").stdout
    assert "Team (2)" in out and "Nothing of your own due today." in out and "Nothing due today." not in out


async def test_enter_on_a_rep_opens_their_today_and_escape_comes_back(team_book, memory_keyring) -> None:
    app = build_app(team_book)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        prompts = [str(option.prompt) for option in screen.query_one("#agenda", OptionList).options]
        assert prompts[0].rstrip() == "Team (2)"  # a band across the list
        assert prompts[1].split() == "wang overdue 2 · due today 1 · stalled 1 (100,000) · escalated 1".split()
        assert prompts[2].split() == "li overdue 1 · not yet called 1".split()
        await pilot.press("enter")
        await _settle(pilot)
        wang = app.screen
        assert isinstance(wang, TodayScreen) and wang.rep == "wang"
        assert {item.customer_name for item in wang.items.values()} == {
            "Wang Late One", "Wang Late Two", "Wang Today", "Wang Quote"}
        assert "wang" in str(wang.query_one("#today-title").render())
        await pilot.press("escape")
        await _settle(pilot)
        assert app.screen is screen
        await pilot.press("down", "enter")
        await _settle(pilot)
        assert app.screen.rep == "li"  # type: ignore[attr-defined]
        assert {item.customer_name for item in app.screen.items.values()} == {"Li Late", "Li New Lead"}  # type: ignore[attr-defined]
        await pilot.press("t")  # Today is the manager's own again
        await _settle(pilot)
        assert app.screen is screen


async def test_the_board_filters_by_rep(team_book, memory_keyring) -> None:
    app = build_app(team_book)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("p")
        await _settle(pilot)
        board = app.screen
        assert isinstance(board, PipelineScreen)
        assert {card.customer_name for card in board.cards.values()} == {"Wang Quote"}
        await pilot.press("@")
        await _settle(pilot)
        assert isinstance(app.screen, PickScreen)
        assert [label for _value, label in app.screen.choices] == ["Everyone", "boss", "li", "wang"]
        await pilot.press("down", "down", "enter")  # li
        await _settle(pilot)
        assert app.screen is board and board.rep == "li" and board.cards == {}
        assert "@li" in str(board.query_one("#board-title").render())
        await pilot.press("@", "end", "enter")  # wang
        await _settle(pilot)
        assert {card.customer_name for card in board.cards.values()} == {"Wang Quote"}


def test_a_managers_laptop_after_sync_counts_each_reps_work(team, frozen) -> None:
    """On the real server: wang and li log on day 0; on day 8 the manager syncs. wang: follow-ups due on days
    6 and 7 (2 overdue), one due on day 8 (due today), a quote of 100,000 not touched since day 0 (stalled
    8 d > 7). li: a follow-up due on day 5 (overdue), a lead added on day 0 and never called."""
    from crmtui.sync import client as sync

    from .teamserver import travel

    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    for name, next_at in (("A", "in 6 days"), ("B", "in 7 days"), ("C", "in 8 days"), ("F", "in 30 days")):
        customer = add_customer(wang, name)
        _log(wang, customer.id, next_at)
        if name == "F":
            deal = add_deal(wang, customer.id, "Fleet", amount="100000")
            move_stage(wang, deal.id, "quote", amount="100000")
    _log(li, add_customer(li, "D").id, "in 5 days")
    add_lead(li, "E")
    sync.sync_round(wang)
    sync.sync_round(li)
    travel(team, frozen, timedelta(days=8))
    sync.sync_round(boss)
    loads = [(load.rep, load.overdue, load.due, load.stalled, load.stalled_cents, load.new_leads)
             for load in agenda_for(boss).team]
    assert loads == [(team.role("wang"), 2, 1, 1, 10_000_000, 0), (team.role("li"), 1, 0, 0, 0, 1)]
    assert _names(agenda_for(boss, rep=resolve_rep(boss, team.role("li"))), "overdue") == {"D"}
    assert agenda_for(wang).team == []  # a rep's laptop has no team section


def test_pool_customers_on_a_managers_laptop_are_nobodys_work(team_book, frozen) -> None:
    """A manager's laptop holds the pool too (no owner, as pulled): its overdue and uncalled customers are
    nobody's Today. A lead the manager adds offline has no owner either until the server gives it one, and it
    is the manager's."""
    ctx = team_book
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        conn.execute("UPDATE outbox SET state = 'applied'")  # all of it reached the server
        conn.execute("UPDATE customer SET owner = NULL WHERE name IN ('Li Late', 'Li New Lead')")  # now in the pool
    own = agenda_for(ctx)
    assert _names(own, "overdue") == set() and _names(own, "new_leads") == set()
    assert _names(own, "due") == {"Boss Today"}
    assert [(load.rep, load.overdue, load.new_leads) for load in own.team] == [("wang", 2, 0)]
    frozen.move_to(NOW - timedelta(hours=30))  # past the speed-to-lead line by now
    add_lead(ctx, "Boss New Lead")
    frozen.move_to(NOW)
    assert _names(agenda_for(ctx), "new_leads") == {"Boss New Lead"}


async def test_a_managers_lists_say_whose_customer_each_row_is(team_book, memory_keyring) -> None:
    """The owner note is one rule (services.lookup.owner_note) for the board, the search and `crm list`: another
    rep's customer names its rep, the manager's own customer names nobody."""
    from .test_tui import _type

    app = build_app(team_book)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("p")
        await _settle(pilot)
        card = str(app.screen.query_one("#list-quote", OptionList).options[0].prompt)
        assert card.lstrip().startswith("Wang Quote") and card.splitlines()[-1].strip() == "@wang"  # a manager's last line
        await pilot.press("slash")
        await _settle(pilot)
        await _type(pilot, "Today")
        await _settle(pilot, 0.2)
        hits = [str(option.prompt) for option in app.screen.query_one("#results", OptionList).options]
    wang, boss = (next(hit for hit in hits if name in hit) for name in ("Wang Today", "Boss Today"))
    assert wang.rstrip().endswith(" · wang") and "· boss" not in boss and "· pool" not in boss
    listed = {line.split("  ·  ")[0].split("  ", 1)[1]: line for line in ok("list", "customers").stdout.splitlines()}
    assert listed["Wang Today"].endswith("  ·  wang") and listed["Li Late"].endswith("  ·  li")
    assert not listed["Boss Today"].endswith("boss")
