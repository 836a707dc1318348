"""What a sync tells a rep: edits that lost (until seen), rejected changes by customer and field with what to do
and a way to dismiss them, no internal fields, and which customers came or went, named, with plural forms."""

from __future__ import annotations

import json
from datetime import timedelta

from textual.widgets import OptionList

from crmtui.tui.app import build_app
from crmtui.tui.screens.conflicts import ConflictsScreen
from crmtui.services import customers as customer_service
from crmtui.services import team_words
from crmtui.sync import client as sync

from .teamserver import Team, travel
from .test_tui_team import SIZE, _footer, _option_texts, _until


def _phone_race(team: Team, frozen):  # type: ignore[no-untyped-def]
    """wang changes Acme's phone, then boss (a manager) changes it a minute later; both sync, boss first."""
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health", phone="13800000001")
    sync.sync_round(wang)
    sync.sync_round(boss)
    customer_service.edit_customer(wang, acme.id, {"phone": "13800000002"})
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(boss, acme.id, {"phone": "13900000009"})
    sync.sync_round(boss)
    return wang, boss, acme


LOST_TEXT = 'your change lost: Acme Health · Phone: "13900000009" ({boss}) was kept, your "13800000002" was not'


def test_an_edit_that_lost_is_announced_to_the_loser_and_marked_until_seen(team: Team, frozen) -> None:
    wang, boss, _acme = _phone_race(team, frozen)
    report = sync.sync_round(wang)
    assert [(c.field, c.kept, c.lost, c.kept_by) for c in report.lost_edits] == [
        ("phone", "13900000009", "13800000002", team.role("boss"))]  # once: not again as phone_key
    assert (LOST_TEXT.format(boss=team.role("boss")), True) in team_words.report_notes(report)
    assert "1 edit lost" in team_words.status_line(wang)[0]
    assert team_words.status_line(wang, short=True)[0].endswith("1≠")
    sync.sync_round(wang)
    assert "1 edit lost" in team_words.status_line(wang)[0]  # still there: not seen yet
    sync.mark_conflicts_seen(wang)
    assert "lost" not in team_words.status_line(wang)[0]
    assert sync.sync_round(boss).lost_edits == []  # the winner is not told he lost


def test_an_edit_overwritten_later_by_someone_who_never_saw_it_is_announced_at_the_next_pull(team: Team,
                                                                                             frozen) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health", phone="13800000001")
    sync.sync_round(wang)
    sync.sync_round(boss)
    customer_service.edit_customer(wang, acme.id, {"phone": "13800000002"})
    assert sync.sync_round(wang).lost_edits == []  # his change is on the server
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(boss, acme.id, {"phone": "13900000009"})  # boss had not pulled wang's
    sync.sync_round(boss)
    report = sync.sync_round(wang)
    assert [(c.customer, c.field, c.kept, c.lost) for c in report.lost_edits] == [
        ("Acme Health", "phone", "13900000009", "13800000002")]


def test_crm_sync_prints_the_edit_that_lost(team: Team, frozen, home) -> None:  # type: ignore[no-untyped-def]
    from .test_cli import ok

    from crmtui.core.config import save_sync_settings

    wang, _boss, _acme = _phone_race(team, frozen)
    wang.close()
    save_sync_settings(wang.settings.sync)
    out = ok("sync", env={"CRMTUI_DB": str(wang.db.path)}).stdout
    assert LOST_TEXT.format(boss=team.role("boss")) in out


async def test_the_app_toasts_the_lost_edit_and_the_footer_marks_it_until_the_conflicts_are_seen(
        team: Team, frozen) -> None:
    wang, _boss, _acme = _phone_race(team, frozen)
    app = build_app(wang, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        await _until(pilot, lambda: "1 edit lost" in _footer(app))
        assert any(LOST_TEXT.format(boss=team.role("boss")) in str(n.message) for n in app._notifications)
        await pilot.press("C")
        await _until(pilot, lambda: isinstance(app.screen, ConflictsScreen)
                     and app.screen.query_one("#conflict-list", OptionList).option_count >= 2)
        texts = _option_texts(app, "#conflict-list")
        assert any("Acme Health" in t and "Phone" in t for t in texts)
        assert not any("phone_key" in t or "Phone key" in t for t in texts)
        app._show_sync_state()
        await _until(pilot, lambda: "lost" not in _footer(app))


# Rejected changes --------------------------------------------------------------------------------------

def _rejected_email(team: Team):  # type: ignore[no-untyped-def]
    """wang changes Acme's email offline while boss gives Acme to li: the change is rejected."""
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health", email="info@acme.example")
    sync.sync_round(wang)
    customer_service.edit_customer(wang, acme.id, {"email": "wang-new@acme.example"})
    sync.reassign(boss, acme.id, team.role("li"))
    report = sync.sync_round(wang)
    assert report.rejected == 1
    return wang, li, acme


def test_a_rejection_names_the_customer_and_the_fields_by_label_and_says_what_to_do(team: Team) -> None:
    wang, _li, _acme = _rejected_email(team)
    _, rejected = sync.conflicts(wang)
    [rejection] = rejected
    assert rejection.customer == "Acme Health"  # kept although Acme has left wang's laptop
    assert team_words.change_fields(wang, rejection.table, rejection.changes) == [
        ("Email", "wang-new@acme.example")]  # not email_key, not updated_at
    assert team_words.raw_fields(rejection) == [{"field": "email", "label": "Email", "value": "wang-new@acme.example"}]
    li = team.role("li")
    assert team_words.advice(rejection) == f"{li} holds it now: ask {li} or a manager to make this change"  # li has it now
    assert rejection.dismissable


def test_a_rejected_follow_up_gives_its_note_to_copy() -> None:
    rejection = sync.Rejection(7, "follow_up", "f-1", "insert",
                               {"customer_id": "c-1", "notes": "they want 40 seats", "created_at": "2026-11-24",
                                "channel": "phone"}, "the customer is no longer yours", "", "Acme Health")
    assert team_words.advice(rejection) == ("a colleague holds it now: ask them or a manager to make this change; your note,"
                                  " to copy: they want 40 seats")  # who holds it is not known here
    assert [field["value"] for field in team_words.raw_fields(rejection)] == ["they want 40 seats", "phone"]


def test_rejections_are_dismissed_one_or_all_and_the_count_goes(team: Team) -> None:
    wang, _li, acme = _rejected_email(team)
    beta = customer_service.add_customer(wang, "Beta")
    sync.sync_round(wang)
    customer_service.edit_customer(wang, beta.id, {"region": "深圳"})
    with team.admin() as conn:
        conn.execute("SELECT sync.reassign(%s, NULL)", (beta.id,))
    sync.sync_round(wang)
    _, rejected = sync.conflicts(wang)
    assert [r.customer for r in rejected] == ["Acme Health", "Beta"]
    assert sync.status(wang).rejected == 2 and "2 rejected" in team_words.status_line(wang)[0]
    assert sync.dismiss_rejected(wang, rejected[0].seq) == 1
    assert [r.customer for r in sync.conflicts(wang)[1]] == ["Beta"]
    assert sync.dismiss_rejected(wang, None) == 1
    assert sync.conflicts(wang)[1] == [] and sync.status(wang).rejected == 0
    assert "rejected" not in team_words.status_line(wang)[0]
    sync.sync_round(wang)  # nothing comes back
    assert sync.status(wang).rejected == 0 and acme.id


async def test_the_conflicts_view_shows_the_customer_and_dismisses_with_d(team: Team) -> None:
    wang, _li, _acme = _rejected_email(team)
    app = build_app(wang, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        app._show_sync_state()
        await _until(pilot, lambda: "1 rejected" in _footer(app))
        await pilot.press("C")
        await _until(pilot, lambda: isinstance(app.screen, ConflictsScreen)
                     and app.screen.query_one("#conflict-list", OptionList).option_count >= 3)
        texts = _option_texts(app, "#conflict-list")
        assert any("Acme Health" in t and "Email=wang-new@acme.example" in t and "no longer yours" in t
                   for t in texts)
        assert not any("email_key" in t or "updated_at" in t for t in texts)
        assert any(f"{team.role('li')} holds it now" in t for t in texts)
        await pilot.press("d")
        await _until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("y")
        await _until(pilot, lambda: not any("Acme Health" in t for t in _option_texts(app, "#conflict-list")))
        await _until(pilot, lambda: "rejected" not in _footer(app))
    assert sync.status(wang).rejected == 0


# Customers that came and went --------------------------------------------------------------------------

def test_notices_name_the_customers_and_who_took_them_with_plural_forms(team: Team) -> None:
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    names = ["Acme", "Beta", "Cobalt", "Delta"]
    ids = [customer_service.add_customer(wang, name).id for name in names]
    sync.sync_round(wang)
    sync.sync_round(li)
    for customer_id in ids:
        sync.reassign(boss, customer_id, team.role("li"))
    gained = [text for text, _ in team_words.report_notes(sync.sync_round(li))]
    assert "4 customers came to you: Acme, Beta, Cobalt and 1 more" in gained
    went = [text for text, _ in team_words.report_notes(sync.sync_round(wang))]
    # The manager who did it is named: the server records who made a change of hands.
    assert f"{team.role('boss')} gave 4 customers to {team.role('li')}: Acme, Beta, Cobalt and 1 more" in went
    sync.reassign(boss, ids[0], team.role("wang"))
    assert "Acme came to you" in [text for text, _ in team_words.report_notes(sync.sync_round(wang))]
    sync.reassign(boss, ids[0], None)
    assert f"{team.role('boss')} put Acme back in the pool" in [
        text for text, _ in team_words.report_notes(sync.sync_round(wang))]


def test_names_text_lists_a_few_then_how_many_more() -> None:
    from crmtui.core.i18n import names_text

    assert names_text(["A"]) == "A"
    assert names_text(["A", "B", "C"]) == "A, B, C"
    assert names_text(["A", "B", "C", "D", "E"]) == "A, B, C and 2 more"


def test_crm_sync_conflicts_lists_by_name_and_dismisses(team: Team, home) -> None:  # type: ignore[no-untyped-def]
    from crmtui.core.config import save_sync_settings

    from .test_cli import fails, ok

    wang, _li, _acme = _rejected_email(team)
    wang.close()
    save_sync_settings(wang.settings.sync)
    env = {"CRMTUI_DB": str(wang.db.path)}
    listed = ok("sync", "conflicts", env=env).stdout
    assert "Acme Health · customer: the customer is no longer yours" in listed
    assert "Email=\"wang-new@acme.example\"" in listed and "email_key" not in listed
    assert "--dismiss" in listed
    data = json.loads(ok("sync", "conflicts", "--json", env=env).stdout)
    assert data["rejected"][0]["customer"] == "Acme Health"
    assert data["rejected"][0]["fields"] == [{"field": "email", "label": "Email", "value": "wang-new@acme.example"}]
    assert data["rejected"][0]["reason_code"] == "not_yours" and "shown_changes" not in data["rejected"][0]
    assert "--dismiss" in fails("sync", "conflicts", "--dismiss", "x1", env=env).output
    assert "dismissed 1 rejected change" in ok("sync", "conflicts", "--dismiss", "all", env=env).stdout
    assert "no conflicts and no rejected changes" in ok("sync", "conflicts", env=env).stdout
    assert json.loads(ok("sync", "status", "--json", env=env).stdout)["rejected"] == 0


# A removed rep's laptop ----------------------------------------------------------------------------------

def test_a_removed_reps_laptop_drops_the_teams_customers_but_keeps_unsent_work(team: Team) -> None:
    import pytest

    from crmtui.core.errors import NotAllowed
    from crmtui.server import admin

    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "Acme Health")
    customer_service.add_customer(wang, "Beta")
    sync.sync_round(wang)
    customer_service.edit_customer(wang, acme.id, {"region": "深圳"})  # unsent
    customer_service.add_customer(wang, "Gamma (never sent)")
    admin.remove_rep(team.dsn, team.role("wang"))
    with pytest.raises(NotAllowed) as refused:
        sync.sync_round(wang)
    text = str(refused.value)
    assert "was disabled on the team server" in text
    assert "The team's customers were removed from this laptop (1)" in text and "stay (2)" in text
    with wang.db.raw_read() as conn:
        assert sorted(r[0] for r in conn.execute("SELECT name FROM customer")) == ["Acme Health", "Gamma (never sent)"]
    assert sync.status(wang).pending == 2  # the unsent work is still there to copy


def test_a_wrong_password_drops_nothing(team: Team) -> None:
    import pytest

    from crmtui.core.errors import NotAllowed
    from crmtui.sync.connection import store_password

    wang = team.add_rep("wang")
    customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    store_password(wang.settings.sync, "not-the-password")
    with pytest.raises(NotAllowed):
        sync.sync_round(wang)
    with wang.db.raw_read() as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM customer")] == ["Acme Health"]


def test_crm_server_reps_and_remove_rep_say_one_customer(team: Team) -> None:
    from .test_cli import ok

    wang = team.add_rep("wang")
    customer_service.add_customer(wang, "Acme Health")
    sync.sync_round(wang)
    assert f"{team.role('wang')}: 1 customer\n" in ok("server", "reps", "--dsn", team.dsn).stdout + "\n"
    assert "1 customer went back to the pool" in ok("server", "remove-rep", team.role("wang"), "--dsn",
                                                      team.dsn).stdout


def test_a_new_laptop_is_not_told_of_old_lost_edits(team: Team, frozen) -> None:
    from crmtui.core.clock import Clock
    from crmtui.services.context import open_context

    wang, _boss, _acme = _phone_race(team, frozen)
    sync.sync_round(wang)  # the edit lost: wang's laptop was told
    laptop = open_context(team.home / "wang-2.db", settings=wang.settings, clock=Clock(team.zone))
    team.laptops["wang-2"] = laptop
    report = sync.sync_round(laptop)  # a first, full pull brings the old conflict
    assert report.full and report.lost_edits == []
    assert "lost" not in team_words.status_line(laptop)[0]
    assert [c.field for c in sync.conflicts(laptop)[0]] == ["phone"]  # still listed


def test_dismissing_a_rejection_that_is_not_there_says_so(team: Team) -> None:
    import pytest

    from crmtui.core.errors import NotFound

    wang = team.add_rep("wang")
    with pytest.raises(NotFound) as missing:
        sync.dismiss_rejected(wang, 99)
    assert str(missing.value) == 'no rejected change matches "#99"'
