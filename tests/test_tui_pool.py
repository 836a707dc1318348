"""The pool as a team works it, against the embedded PostgreSQL: a pool customer read before claiming it, a
release with a reason (server, CLI and app), a manager's reassignment that starts on the owner and is
confirmed, the pool screen's assignment, and the sync state in every screen's footer."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
from textual.widgets import Input, OptionList, Static

from crmtui.tui.app import build_app
from crmtui.core.errors import InvalidInput
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.screens.pool import PoolScreen
from crmtui.tui.screens.pool_customer import PoolCustomerScreen
from crmtui.tui.dialogs.release import ReleaseReasonForm
from crmtui.services import customers as customer_service
from crmtui.services import deals as deal_service
from crmtui.services import follow_ups as follow_up_service
from crmtui.services import team_words
from crmtui.sync import client as sync
from crmtui.sync import pool_view

from .teamserver import Team
from .test_tui_team import SIZE, _footer, _option_texts, _until


def _held_by(team: Team, customer_id: str) -> str | None:
    return team.server_rows("customer", "id = %s", (customer_id,))[0]["owner"]


def _released_history(team: Team, name: str):  # type: ignore[no-untyped-def]
    """A customer ann had, with a contact, a deal and a follow-up, then released by the old one-argument call."""
    ann = team.laptops.get("ann") or team.add_rep("ann")
    acme = customer_service.add_customer(ann, name, region="杭州")
    customer_service.add_contact(ann, acme.id, "王经理", phone="13800000001")
    deal_service.add_deal(ann, acme.id, "设备采购", amount="50000")
    follow_up_service.log_follow_up(ann, acme.id, channel="phone", goal="介绍产品", goal_met=False,
                                   notes="预算明年才有", next_plan="明年再联系", next_at="2027-01-10 10:00")
    sync.sync_round(ann)
    sync.release(ann, acme.id)
    return acme


# ------------------------------------------------------------------ the reason on the server and in the CLI


def test_release_reasons_from_the_list_or_own_words() -> None:
    assert pool_view.release_reason("no-budget") == "no-budget"
    assert team_words.parse_reason_option("no budget") == "no-budget"  # the label works as well as the code
    assert team_words.parse_reason_option("Other:  moved   abroad ") == "other: moved abroad"
    assert team_words.reason_label("other: moved abroad") == "moved abroad"
    assert team_words.reason_label("wrong-contact") == "wrong contact data"
    with pytest.raises(InvalidInput, match="^reason: other: followed by your words"):
        team_words.parse_reason_option("other:")
    with pytest.raises(InvalidInput, match="^reason: one of not-my-territory, no-budget, duplicate, wrong-contact"):
        team_words.parse_reason_option("no-budgte")


def test_a_release_keeps_its_reason_and_the_pool_shows_why(team: Team) -> None:
    ann, li = team.add_rep("ann"), team.add_rep("li")
    acme = customer_service.add_customer(ann, "Acme")
    globex = customer_service.add_customer(ann, "Globex")
    sync.sync_round(ann)
    pool_view.release(ann, acme.id, "no-budget")
    sync.release(ann, globex.id)  # a laptop from before reasons: still released, without one
    with team.admin() as conn:
        notes = conn.execute("SELECT customer_id, note FROM crm.access_change WHERE change = 'lost'"
                             " AND reason = 'release' ORDER BY customer_id").fetchall()
    assert sorted(notes) == sorted([(acme.id, "no-budget"), (globex.id, None)])
    listed = {c.name: c for c in pool_view.pool_list(li)}  # another rep reads why, not who
    assert team_words.why_text(listed["Acme"]) == "released: no budget"
    assert team_words.why_text(listed["Globex"]) == "released"
    with psycopg.connect(team.rep_url("li"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM crm.access_change").fetchone()[0] == 0  # li's own rows only


def test_the_server_refuses_an_empty_reason_and_releases_nothing(team: Team) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    with psycopg.connect(team.rep_url("ann"), autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as refused:
            conn.execute("SELECT sync.release(%s, '   ')", (acme.id,))
    assert refused.value.diag.message_primary == "bad_release_reason"
    assert _held_by(team, acme.id) == team.role("ann")


def test_release_reasons_survive_a_downgrade_and_upgrade(team: Team) -> None:
    from crmtui.server import admin

    from .test_server_admin import _downgrade

    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    _downgrade(team, "s0007")
    with team.admin() as conn:
        assert conn.execute("SELECT to_regprocedure('sync.release(text, text)')").fetchone()[0] is None
    sync.release(ann, acme.id)  # the one-argument release of s0001 still works there
    assert _held_by(team, acme.id) is None
    admin.init(team.dsn)
    with team.admin() as conn:  # back to ann (she may not claim it again so soon after releasing it)
        conn.execute("SELECT sync.reassign(%s, %s)", (acme.id, team.role("ann")))
    sync.sync_round(ann)
    pool_view.release(ann, acme.id, "duplicate")
    assert [team_words.why_text(c) for c in pool_view.pool_list(ann)] == ["released: duplicate"]


def test_crm_pool_release_asks_why_and_confirms(team: Team) -> None:
    from .test_cli import crm, fails, ok
    from .test_cli_team import _set_up

    role, _password = _set_up(team)
    ok("add", "customer", "上海宏达")
    ok("sync")
    refused = fails("pool", "release", "上海宏达", "--reason", "too far")
    assert "reason: one of not-my-territory, no-budget, duplicate, wrong-contact" in refused.stderr
    unconfirmed = fails("pool", "release", "上海宏达", "--reason", "other: 客户搬走了")
    assert "Release 上海宏达 to the pool (客户搬走了)?" in unconfirmed.stderr and "--yes" in unconfirmed.stderr
    assert team.server_rows("customer")[0]["owner"] == role  # nothing released without a yes
    missing = crm("pool", "release", "上海宏达")
    assert missing.exit_code == 2 and "--reason" in missing.output
    released = ok("pool", "release", "上海宏达", "--reason", "other: 客户搬走了", "--yes")
    assert "released 上海宏达 to the pool (客户搬走了)" in released.stdout
    assert "上海宏达" in ok("pool").stdout and "released: 客户搬走了" in ok("pool").stdout
    import json

    assert json.loads(ok("pool", "--json").stdout)[0]["release_reason"] == "other: 客户搬走了"


# ------------------------------------------------------------------ the app


async def test_enter_on_a_pool_row_shows_its_history_read_only_then_c_claims_it(team: Team) -> None:
    acme = _released_history(team, "宏达机械")
    li = team.add_rep("li")
    app = build_app(li, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen) and app.screen.customers)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, PoolCustomerScreen) and app.screen.detail is not None)
        screen = app.screen
        assert "王经理" in _option_texts(app, "#contacts")[0]
        assert "设备采购" in _option_texts(app, "#deals")[0]
        assert "预算明年才有" in str(screen.query_one("#timeline-text", Static).render())
        with li.db.raw_read() as conn:  # read from the server, not stored on the laptop
            assert conn.execute("SELECT count(*) FROM customer").fetchone()[0] == 0
        await pilot.press("e", "l", "d")  # no editing key works on a customer one does not hold
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("c")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await _until(pilot, lambda: type(app.screen) is CustomerScreen and app.screen.detail is not None)
        assert app.screen.customer_id == acme.id
        assert [type(s) for s in app.screen_stack][-2] is PoolScreen
        # the claim told the pool list below to read the pool again: the customer has left it
        await _until(pilot, lambda: acme.id not in app.screen_stack[-2].customers)
    assert _held_by(team, acme.id) == team.role("li")


async def test_release_from_the_customer_screen_with_a_reason(team: Team) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        app.open_customer(acme.id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)
        await pilot.press("P")
        await _until(pilot, lambda: isinstance(app.screen, ReleaseReasonForm))
        await pilot.press("down")  # not my territory, no budget
        await pilot.press("escape")  # cancelled: nothing asked, nothing released
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        await pilot.press("P")
        await _until(pilot, lambda: isinstance(app.screen, ReleaseReasonForm))
        await pilot.press("down", "down", "down", "down", "enter")  # other: the rep's words
        await _until(pilot, lambda: app.screen.query_one("#note", Input).has_focus)
        await pilot.press("enter")  # no words yet: refused, the form stays
        await pilot.pause()
        assert isinstance(app.screen, ReleaseReasonForm)
        for key in "moved":
            await pilot.press(key)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Release Acme to the pool (moved)? Any rep may claim it then."
        await pilot.press("y")
        await _until(pilot, lambda: _held_by(team, acme.id) is None and not isinstance(app.screen, CustomerScreen))
    with team.admin() as conn:
        assert conn.execute("SELECT note FROM crm.access_change WHERE change = 'lost'").fetchone()[0] == "other: moved"
    with ann.db.raw_read() as conn:
        assert conn.execute("SELECT count(*) FROM customer").fetchone()[0] == 0


async def test_a_release_that_fails_on_the_way_is_a_notification(team: Team, monkeypatch) -> None:
    import crmtui.tui.dialogs.release as release_dialog

    def broken(*args, **kwargs):
        raise OSError("connection reset by peer")

    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    monkeypatch.setattr(release_dialog, "release", broken)
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        app.open_customer(acme.id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)
        await pilot.press("P")
        await _until(pilot, lambda: isinstance(app.screen, ReleaseReasonForm))
        await pilot.press("enter")  # the first reason
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        # the release's worker belongs to the customer screen, whose worker handler says what went wrong
        await _until(pilot, lambda: any("connection reset" in str(n.message) for n in app._notifications))
        assert isinstance(app.screen, CustomerScreen)
    assert _held_by(team, acme.id) == team.role("ann")


def test_a_claim_waits_for_a_round_already_running_and_brings_the_customer(team: Team, monkeypatch) -> None:
    acme = _released_history(team, "宏达机械")
    li = team.add_rep("li")
    waiting = threading.Event()
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:  # the claim's round found the lock held: it waits
        waiting.set()
        real_sleep(seconds)

    monkeypatch.setattr(sync.time, "sleep", sleep)
    result: list[object] = []
    with sync.round_lock(li):  # a round of the app's timer is running when the claim's own round starts
        claiming = threading.Thread(target=lambda: result.append(sync.claim(li, acme.id)))
        claiming.start()
        assert waiting.wait(60), "the claim's round did not wait for the running one"
    claiming.join(60)
    [(name, report)] = result
    assert name == "宏达机械" and report is not None  # its round ran: the customer is on the laptop
    with li.db.raw_read() as conn:
        assert conn.execute("SELECT name FROM customer WHERE id = ?", (acme.id,)).fetchone() == ("宏达机械",)
    assert _held_by(team, acme.id) == li.settings.sync.user  # claimed on the server


async def test_a_claim_that_fails_on_the_way_is_a_notification(team: Team, monkeypatch) -> None:
    import crmtui.tui.dialogs.claim as claim_dialog

    def broken(*args, **kwargs):
        raise OSError("connection reset by peer")

    acme = _released_history(team, "宏达机械")
    li = team.add_rep("li")
    monkeypatch.setattr(claim_dialog, "claim", broken)
    app = build_app(li, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen) and app.screen.customers)
        await pilot.press("c")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        # the claim's worker belongs to the pool screen, whose worker handler says what went wrong
        await _until(pilot, lambda: any("connection reset" in str(n.message) for n in app._notifications))
        assert isinstance(app.screen, PoolScreen) and acme.id in app.screen.customers
    assert _held_by(team, acme.id) is None


async def test_a_rep_has_no_release_key_on_a_customer_of_someone_else(team: Team) -> None:
    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    sync.sync_round(boss)
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        app.open_customer(acme.id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)
        assert app.screen.check_action("release", ()) is False  # ann's customer: the manager reassigns instead


async def test_reassign_starts_on_the_owner_and_confirms_naming_both(team: Team) -> None:
    zoe, boss = team.add_rep("zoe"), team.add_rep("boss", manager=True)
    team.add_rep("ann")
    acme = customer_service.add_customer(zoe, "宏达机械")
    sync.sync_round(zoe)
    sync.sync_round(boss)
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.is_manager)
        app.open_customer(acme.id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)
        await pilot.press("R")
        await _until(pilot, lambda: isinstance(app.screen, PickScreen))
        listing = app.screen.query_one("#pick-list", OptionList)
        # ann, boss, zoe, pool: the cursor on zoe, who holds it (not on the first name, nor on boss himself)
        assert app.screen.choices[listing.highlighted][0] == team.role("zoe")
        await pilot.press("enter")  # Enter at once: nothing moves
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen))
        assert _held_by(team, acme.id) == team.role("zoe")
        await pilot.press("R")
        await _until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("up", "up")  # zoe → boss → ann
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == f"Reassign 宏达机械 from {team.role('zoe')} to {team.role('ann')}?"
        await pilot.press("n")
        await pilot.pause()
        assert _held_by(team, acme.id) == team.role("zoe")
        await pilot.press("R")
        await _until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("up", "up", "enter")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await _until(pilot, lambda: _held_by(team, acme.id) == team.role("ann"))


async def test_a_manager_assigns_a_pool_customer_from_the_pool_screen(team: Team) -> None:
    boss = team.add_rep("boss", manager=True)
    team.add_rep("ann")
    customer_id = str(uuid.uuid4())
    with team.admin() as conn:
        conn.execute("INSERT INTO crm.customer (id, created_at, updated_at, name, name_key)"
                     " VALUES (%s, sync.now(), sync.now(), '公海一号', '公海一号')", (customer_id,))
    app = build_app(boss, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: app.is_manager)
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen) and app.screen.customers)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, PickScreen))
        assert [label for _value, label in app.screen.choices] == sorted([team.role("ann"), team.role("boss")])
        await pilot.press("enter")  # ann
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == f"Give 公海一号 from the pool to {team.role('ann')}?"
        await pilot.press("y")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen) and not app.screen.customers
                     and app.screen.query_one("#pool-list", OptionList).option_count == 1)
    assert _held_by(team, customer_id) == team.role("ann")


async def test_a_rep_cannot_assign_from_the_pool(team: Team) -> None:
    ann = team.add_rep("ann")
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await _until(pilot, lambda: isinstance(app.screen, PoolScreen))
        assert app.screen.check_action("assign", ()) is False


async def test_the_customer_screen_footer_shows_the_sync_state(team: Team) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        app.open_customer(acme.id)
        await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and "synced" in _footer(app))
        await pilot.resize_terminal(80, 24)
        app._show_sync_state()
        await _until(pilot, lambda: _footer(app).startswith("S ✓"))


async def test_today_puts_going_back_to_the_pool_first_and_in_its_header(team: Team) -> None:
    from crmtui.tui.screens.today import TodayScreen

    ann = team.add_rep("ann")
    customer_service.add_customer(ann, "Own Co")  # a new lead of her own: listed under new leads
    customer_id = str(uuid.uuid4())
    with team.admin() as conn:
        conn.execute("INSERT INTO crm.customer (id, created_at, updated_at, name, name_key)"
                     " VALUES (%s, sync.now() - interval '60 days', sync.now() - interval '60 days', '公海一号', '公海一号')",
                     (customer_id,))
    sync.claim(ann, customer_id)  # claimed, not contacted yet: the pool takes it back in 48 h
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.agenda is not None)
        title = str(app.screen.query_one("#today-title", Static).render())
        assert "Going back to the pool 1" in title
        texts = _option_texts(app, "#agenda")
        assert texts[0].rstrip() == "Going back to the pool (1)"  # a band across the list
        assert "公海一号" in texts[1] and "call within 2 d" in texts[1]


@pytest.mark.parametrize("key", ["t", "p", "o", "C", "question_mark"])
async def test_every_screen_shows_the_sync_state(team: Team, key: str) -> None:
    ann = team.add_rep("ann")
    customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    app = build_app(ann, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await _until(pilot, lambda: "synced just now" in _footer(app))  # help is modal: no S key there
