"""What the app tells a team rep and a manager, and asks before it acts: rejected changes named in the sync toast,
a confirmation before a rejection is dismissed, advice that follows the customer's state, names kept with lost
edits, the footer's form following the width at once, a manager's delete announced as one, natural
reassignment questions, the owner's refusal naming the app's keys, countdowns that never understate the wait, and
an open pool that follows each sync round."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from textual.widgets import OptionList

from crmtui.tui.app import build_app
from crmtui.core.config import SyncSettings
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.screens.conflicts import ConflictsScreen
from crmtui.services import customers as customer_service
from crmtui.services import follow_ups as follow_up_service
from crmtui.services import team_words
from crmtui.services.context import Context
from crmtui.sync import client as sync
from crmtui.sync import notices

from .conftest import NOW
from .teamserver import Team, travel
from .test_tui_team import SIZE, _footer, _option_texts, _until


@pytest.fixture
def offline_rep(ctx: Context, memory_keyring) -> Context:  # type: ignore[no-untyped-def]
    """A laptop set up for a team server that is not there: the footer shows the sync state, nothing connects."""
    from crmtui.sync.connection import store_password

    ctx.settings = replace(ctx.settings, sync=SyncSettings(server="postgresql://127.0.0.1:1/x", user="ann",
                                                           interval=0))
    store_password(ctx.settings.sync, "pw")
    return ctx


# ------------------------------------------------------------------ the footer follows the width at once


async def test_the_footer_form_follows_the_current_width_right_after_a_resize(offline_rep: Context) -> None:
    app = build_app(offline_rep, watch_seconds=0.2)
    async with app.run_test(size=(140, 30)) as pilot:
        await _until(pilot, lambda: _footer(app) != "")
        assert _footer(app) == "S not synced yet"
        await pilot.resize_terminal(80, 24)
        # well within the 30 s after which the footer is redrawn anyway
        await _until(pilot, lambda: _footer(app) == "S …", seconds=5)
        await pilot.resize_terminal(140, 30)
        await _until(pilot, lambda: _footer(app) == "S not synced yet", seconds=5)


# ------------------------------------------------------------------ dismissing asks first


def _rejected_email_and_follow_up(team: Team, frozen) -> tuple[Context, str]:  # type: ignore[no-untyped-def]
    """boss gives Acme Health to li; a minute later wang, offline, changes its email and logs a call on it: both
    are rejected at wang's next round (the customer is no longer his)."""
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    acme = customer_service.add_customer(wang, "Acme Health", email="info@acme.example")
    sync.sync_round(wang)
    sync.reassign(boss, acme.id, team.role("li"))
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(wang, acme.id, {"email": "wang-new@acme.example"})
    follow_up_service.log_follow_up(wang, acme.id, channel="phone", goal="了解需求", goal_met=True,
                                    notes="客户要40个账号", next_plan="发报价单", next_at=NOW + timedelta(days=3))
    sync.sync_round(wang)
    return wang, acme.id


async def test_d_and_D_ask_before_a_rejected_change_is_given_up(team: Team, frozen) -> None:
    wang, _acme = _rejected_email_and_follow_up(team, frozen)
    app = build_app(wang, watch_seconds=0.2)

    def rejected_left() -> int:
        with wang.db.raw_read() as conn:
            return notices.rejected_count(conn)

    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("C")
        await _until(pilot, lambda: isinstance(app.screen, ConflictsScreen) and app.screen.changes)
        listing = app.screen.query_one("#conflict-list", OptionList)
        listing.highlighted = next(i for i in range(listing.option_count)
                                   if "follow-up" in str(listing.get_option_at_index(i).prompt))
        seq = app.screen._chosen_rejection()
        await pilot.press("d")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == (f"Dismiss rejected change #{seq} (Acme Health · follow-up)?"
                                       " It is given up for good")
        await pilot.press("n")
        await _until(pilot, lambda: isinstance(app.screen, ConflictsScreen))
        assert rejected_left() == 2  # no: nothing went
        await pilot.press("D")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Dismiss all 2 rejected changes? They are given up for good"
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, ConflictsScreen))
        assert rejected_left() == 2
        await pilot.press("d")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await _until(pilot, lambda: rejected_left() == 1)


# ------------------------------------------------------------------ a manager's questions


async def test_a_reassignment_and_a_return_to_the_pool_are_asked_in_plain_words(team: Team) -> None:
    from crmtui.tui.screens.customer import CustomerScreen
    from crmtui.tui.dialogs.pick import PickScreen

    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    team.add_rep("bob")
    acme = customer_service.add_customer(ann, "宏达机械")
    sync.sync_round(ann)
    sync.sync_round(boss)
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.is_manager)
        app.open_customer(acme.id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)
        questions = []
        for moves in (("down",), ("down", "down", "down")):  # ann, bob, boss, pool: to bob, then to the pool
            await pilot.press("R")
            await _until(pilot, lambda: isinstance(app.screen, PickScreen))
            await pilot.press(*moves, "enter")
            await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            questions.append(app.screen.question)
            await pilot.press("n")
            await _until(pilot, lambda: isinstance(app.screen, CustomerScreen))
    ann_role, bob_role = team.role("ann"), team.role("bob")
    assert questions == [f"Reassign 宏达机械 from {ann_role} to {bob_role}?",
                         f"Put 宏达机械 ({ann_role}'s customer) back in the pool?"]
    assert team.server_rows("customer")[0]["owner"] == ann_role  # both answered no


# ------------------------------------------------------------------ a lost edit keeps its customer's name


async def test_a_lost_edit_shows_its_customers_name_after_the_customer_left(team: Team, frozen) -> None:
    """Acme's conflict reaches wang while he holds Acme, and Acme leaves him later; Beta's conflict comes in the
    very round Beta leaves him. Both are listed by name on the conflicts screen, never by an id."""
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    acme = customer_service.add_customer(wang, "Acme Health", phone="13800000001")
    beta = customer_service.add_customer(wang, "Beta Foods", phone="13800000002")
    sync.sync_round(wang)
    sync.sync_round(boss)
    customer_service.edit_customer(wang, acme.id, {"phone": "13900000001"})
    customer_service.edit_customer(wang, beta.id, {"phone": "13900000002"})
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(boss, acme.id, {"phone": "13700000001"})
    customer_service.edit_customer(boss, beta.id, {"phone": "13700000002"})
    sync.sync_round(wang)
    sync.sync_round(boss)  # boss's later numbers win over wang's, which boss had not seen: two conflicts
    sync.reassign(boss, beta.id, team.role("li"))
    sync.sync_round(wang)  # Acme's conflict and Beta's, and Beta leaves
    sync.reassign(boss, acme.id, team.role("li"))
    sync.sync_round(wang)  # Acme leaves
    with wang.db.raw_read() as conn:
        assert conn.execute("SELECT count(*) FROM customer").fetchone()[0] == 0
    found, _rejected = sync.conflicts(wang)
    assert sorted((c.customer, c.lost) for c in found) == [("Acme Health", "13900000001"),
                                                           ("Beta Foods", "13900000002")]
    app = build_app(wang, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("C")
        await _until(pilot, lambda: isinstance(app.screen, ConflictsScreen) and app.screen.changes is not None
                     and len(_option_texts(app, "#conflict-list")) >= 4)
        texts = _option_texts(app, "#conflict-list")
    rows = [t for t in texts if "Phone" in t]
    assert len(rows) == 2 and all(("Acme Health" in t) != ("Beta Foods" in t) for t in rows)
    assert not any(customer_id[:8] in t for t in texts for customer_id in (acme.id, beta.id))


# ------------------------------------------------------------------ rejected changes by name, advice by fate


async def test_the_sync_toast_names_the_rejected_changes_and_who_holds_the_customer(team: Team, frozen) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    acme = customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    sync.reassign(boss, acme.id, team.role("li"))
    travel(team, frozen, timedelta(minutes=1))
    follow_up_service.log_follow_up(wang, acme.id, channel="phone", goal="报价", goal_met=True,
                                    notes="客户要40个账号", next_plan="发报价单", next_at=NOW + timedelta(days=3))
    app = build_app(wang, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await _until(pilot, lambda: any("not accepted" in str(n.message) for n in app._notifications))
        shown = [str(n.message) for n in app._notifications if "not accepted" in str(n.message)]
    assert shown == [f"Acme Health: your follow-up was not accepted — {team.role('li')} holds this customer now"
                     " · C to see"]  # one change: the follow-up's move of Acme's dates is part of it


def test_past_two_rejected_changes_the_toast_counts_the_rest(team: Team, frozen) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    names = ["Acme Health", "Beta Foods", "Cyan Labs", "Dune Co"]
    customers = [customer_service.add_customer(wang, name) for name in names]
    sync.sync_round(wang)
    for customer in customers:
        sync.reassign(boss, customer.id, None)
    travel(team, frozen, timedelta(minutes=1))
    for customer in customers:
        customer_service.edit_customer(wang, customer.id, {"region": "深圳"})
    report = sync.sync_round(wang)
    assert report.rejected == 4
    assert team_words.rejected_round_text(wang, report) == (
        "Acme Health: your edit was not accepted — this customer is in the pool now; Beta Foods: your edit was not"
        " accepted — this customer is in the pool now; and 2 more changes · C to see")


def _advice(ctx: Context) -> dict[str, str]:
    return {r.customer: team_words.advice(r) for r in sync.conflicts(ctx)[1]}


def test_the_advice_follows_what_became_of_the_customer(team: Team, frozen) -> None:
    """Acme goes to li, Beta to the pool, Cyan is deleted by boss; wang had changed each of them offline."""
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    acme, beta, cyan = (customer_service.add_customer(wang, name) for name in ("Acme Health", "Beta Foods", "Cyan"))
    sync.sync_round(wang)
    sync.sync_round(boss)
    sync.reassign(boss, acme.id, team.role("li"))
    sync.reassign(boss, beta.id, None)
    customer_service.delete_customer(boss, cyan.id)
    sync.sync_round(boss)
    travel(team, frozen, timedelta(minutes=1))
    for customer in (acme, beta, cyan):
        customer_service.edit_customer(wang, customer.id, {"region": "深圳"})
    follow_up_service.log_follow_up(wang, acme.id, channel="phone", goal="报价", goal_met=True,
                                    notes="客户要40个账号", next_plan="发报价单", next_at=NOW + timedelta(days=3))
    report = sync.sync_round(wang)
    advice = {(r.customer, r.table): team_words.advice(r) for r in sync.conflicts(wang)[1]}
    li = team.role("li")
    assert advice[("Acme Health", "customer")] == f"{li} holds it now: ask {li} or a manager to make this change"
    assert advice[("Acme Health", "follow_up")] == (f"{li} holds it now: ask {li} or a manager to make this change;"
                                                    " your note, to copy: 客户要40个账号")
    assert advice[("Beta Foods", "customer")] == ("claim it back from the pool (o in the app, `crm pool claim` in the"
                                                  " shell), then make the change again")
    assert advice[("Cyan", "customer")] == ("a manager deleted this customer and a manager can restore it: ask one,"
                                            " then make the change again")
    assert not any("claim" in text for (name, _table), text in advice.items() if name != "Beta Foods")
    # The round's own notice says the deletion as one, not as a customer that merely left the list.
    texts = [text for text, _warning in team_words.report_notes(report)]
    assert f"{team.role('boss')} deleted Cyan; a manager can restore it" in texts
    assert not any("Cyan" in text and "left your lists" in text for text in texts)
    sync.claim(wang, "Beta Foods")  # back on wang's laptop, his again
    assert _advice(wang)["Beta Foods"] == "the customer is yours again: make the change again, then dismiss this one"


# ------------------------------------------------------------------ the pool follows a sync round


async def test_an_open_pool_reloads_after_a_sync_round_and_keeps_the_cursor(team: Team) -> None:
    import uuid

    from crmtui.tui.screens.pool import PoolScreen

    def to_pool(name: str) -> None:
        with team.admin() as conn:
            conn.execute("INSERT INTO crm.customer (id, created_at, updated_at, name, name_key)"
                         " VALUES (%s, sync.now(), sync.now(), %s, %s)", (str(uuid.uuid4()), name, name.lower()))

    ann = team.add_rep("ann")
    to_pool("Alpha Co")
    to_pool("Charlie Co")
    app = build_app(ann, watch_seconds=0.2)

    def shown() -> list[str]:
        return [entry.name for entry in app.screen.customers.values()]

    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: "synced" in _footer(app))  # the first round, by itself
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen) and len(app.screen.customers) == 2)
        await pilot.press("j")
        assert app.screen.current().name == "Charlie Co"
        to_pool("Bravo Co")  # a colleague's release, say
        await pilot.press("S")
        await _until(pilot, lambda: len(app.screen.customers) == 3)
        assert shown() == ["Alpha Co", "Bravo Co", "Charlie Co"]
        assert app.screen.current().name == "Charlie Co"  # the cursor stayed on its customer


# ------------------------------------------------------------------ countdowns never understate the wait


async def test_todays_pool_countdown_says_days_and_hours_under_three_days(home, frozen, memory_keyring) -> None:
    """30 days after the last follow-up a customer goes back to the pool: 28 d 1 h after it, 1 d 23 h are left
    (not "1 d"); 29 d 12 h after it, 12 h (not "0 d"); a fresh claim not yet called has 47 h: 1 d 23 h."""
    import json
    import sqlite3

    from crmtui.tui.screens.today import TodayScreen

    from .test_rules import _RULES, _held, _team_laptop

    ann = _team_laptop(home)
    long_ago = NOW - timedelta(days=60)
    _held(ann, "Almost two days", created=long_ago, last=NOW - timedelta(days=28, hours=1))
    _held(ann, "Half a day", created=long_ago, last=NOW - timedelta(days=29, hours=12))
    _held(ann, "Claimed an hour ago", created=long_ago, claimed=NOW - timedelta(hours=1))
    with sqlite3.connect(ann.db.path) as raw:
        raw.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('sync_pool_rules', ?)", (json.dumps(_RULES),))
    app = build_app(ann, watch_seconds=0.2)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: isinstance(app.screen, TodayScreen)
                         and any("Half a day" in t for t in _option_texts(app, "#agenda")))
            texts = _option_texts(app, "#agenda")
    finally:
        ann.close()
    for name, countdown in (("Almost two days", "to the pool in 1 d 23 h"), ("Half a day", "to the pool in 12 h"),
                            ("Claimed an hour ago", "call within 1 d 23 h")):
        assert any(name in t and countdown in t for t in texts), "\n".join(texts)
