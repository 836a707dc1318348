"""What a rep and a manager may do to a team's customers, against the real PostgreSQL: the owner is the server's
to set, deleting a customer is a manager's action (the server refuses a rep's tombstone, whatever path it
takes), a manager restores a deleted customer, and a manager's reassignment does not lock a rep out of the pool."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from textual.widgets import Input, OptionList
from typer.testing import CliRunner

from crmtui.core.dates import format_when
from crmtui.core.errors import InvalidInput, NotAllowed, ServerRefused
from crmtui.server import admin
from crmtui.services import customers as customer_service
from crmtui.services.context import Context
from crmtui.store import replica
from crmtui.store.models import Contact, Customer
from crmtui.sync import client as sync

from .teamserver import Team, local_rows, travel


def _shared_customer(team: Team, rep: str, name: str, phone: str = "13800138000") -> str:
    """A customer the rep added on their laptop, with a contact, synced to the server."""
    laptop = team.laptops[rep]
    customer = customer_service.add_customer(laptop, name, phone=phone)
    customer_service.add_contact(laptop, customer.id, "Jane", title="CTO")
    sync.sync_round(laptop)
    return customer.id


def _access_changes(team: Team, customer_id: str) -> list[tuple[str, str, str]]:
    with team.admin() as conn:
        return [(rep.removesuffix(f"_{team.database}"), change, reason) for rep, change, reason in conn.execute(
            "SELECT rep, change, reason FROM crm.access_change WHERE customer_id = %s ORDER BY id", (customer_id,))]


# Owner -------------------------------------------------------------------------------------------------

def test_in_a_team_the_owner_is_not_edited_on_the_laptop(team: Team) -> None:
    wang = team.add_rep("wang")
    customer_id = _shared_customer(team, "wang", "Acme Health")

    with pytest.raises(InvalidInput) as refused:
        customer_service.edit_customer(wang, customer_id, {"owner": "li", "phone": "13900139000"})
    assert refused.value.field == "owner"
    assert "crm pool release" in str(refused.value) and "manager" in str(refused.value)
    stored = local_rows(wang, Customer, id=customer_id)[0]
    assert (stored.owner, stored.phone) == (team.role("wang"), "13800138000")  # nothing of the edit was saved


def test_alone_the_owner_stays_editable(ctx) -> None:
    customer = customer_service.add_customer(ctx, "Acme Health")
    edited = customer_service.edit_customer(ctx, customer.id, {"owner": "li"})
    assert edited.owner == "li"


def test_crm_edit_owner_in_a_team_is_one_line_naming_the_field(team: Team, monkeypatch, home) -> None:
    from crmtui.cli.commands import app

    team.add_rep("wang")
    _shared_customer(team, "wang", "Acme Health")
    _use_laptop(monkeypatch, team, "wang")
    result = CliRunner().invoke(app, ["edit", "Acme Health", "--owner", "li"])
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: owner: set by the team server"), result.output


def _use_laptop(monkeypatch, team: Team, rep: str) -> None:
    """The CLI opens this rep's laptop (its database and settings) instead of the user's."""
    from crmtui.services import context

    laptop = team.laptops[rep]
    monkeypatch.setattr(context, "open_context", lambda *a, **k: _Borrowed(laptop.db, laptop.settings, laptop.clock))


class _Borrowed(Context):
    """A laptop's context handed to the CLI, which closes it when done: the test goes on using it."""

    def close(self) -> None:
        pass


async def test_the_app_shows_the_owner_read_only_in_a_team(team: Team) -> None:
    from crmtui.tui.app import build_app
    from crmtui.tui.dialogs.edit import EditCustomerScreen

    wang = team.add_rep("wang")
    customer_id = _shared_customer(team, "wang", "Acme Health")
    app = build_app(wang, watch_seconds=0.2)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        app.open_customer(customer_id)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        edit = app.screen
        assert isinstance(edit, EditCustomerScreen)
        fields = edit.query_one("#fields", OptionList)
        fields.highlighted = fields.get_option_index("owner")
        await pilot.press("enter")
        await pilot.pause()
        assert edit.editing is None and edit.query_one("#value", Input).disabled  # no box to type a name in
        shown = [n.message for n in app._notifications]
        assert any(m.startswith("owner: set by the team server") and "back with P on its screen" in m
                   for m in shown), shown  # the app's keys, not the shell's command
        await pilot.press(*"li", "enter")  # typing on goes nowhere near the owner
        await pilot.pause()
    assert local_rows(wang, Customer, id=customer_id)[0].owner == team.role("wang")


# Deleting a team customer ------------------------------------------------------------------------------

def test_a_rep_cannot_delete_a_team_customer_on_the_laptop(team: Team) -> None:
    wang = team.add_rep("wang")
    customer_id = _shared_customer(team, "wang", "Tyrell Foods")

    with pytest.raises(NotAllowed) as refused:
        customer_service.delete_customer(wang, customer_id)
    assert "crm pool release" in str(refused.value)
    assert local_rows(wang, Customer, id=customer_id)[0].deleted_at is None
    with wang.db.raw_read() as conn:
        assert replica.count_outbox(conn, "pending") == 0  # nothing queued for the server either


def test_crm_rm_of_a_team_customer_by_a_rep_is_refused_before_asking(team: Team, monkeypatch, home) -> None:
    from crmtui.cli.commands import app

    team.add_rep("wang")
    customer_id = _shared_customer(team, "wang", "Tyrell Foods")
    _use_laptop(monkeypatch, team, "wang")
    result = CliRunner().invoke(app, ["rm", "Tyrell Foods", "--yes"])
    assert result.exit_code != 0
    assert "only a manager can delete it" in result.output and "crm pool release" in result.output
    assert team.server_rows("customer", "id = %s", (customer_id,))[0]["deleted_at"] is None


def test_the_server_refuses_a_reps_forged_customer_tombstone(team: Team) -> None:
    """A rep with psql calls sync.push by hand with a tombstone of their own customer: rejected, kept live."""
    team.add_rep("wang")
    customer_id = _shared_customer(team, "wang", "Tyrell Foods")
    client_id = str(uuid.uuid4())
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn:
        millis = int(conn.execute("SELECT extract(epoch FROM sync.now()) * 1000").fetchone()[0])
        stamp = f"{millis:015d}-00000-{client_id}"
        forged = [{"seq": 1, "mutation_id": str(uuid.uuid4()), "kind": "update", "table": "customer",
                   "id": customer_id, "format": 1, "base": {},
                   "changes": {"deleted_at": "2026-11-25T09:00:00+00:00"}, "stamps": {"deleted_at": stamp}}]
        result = conn.execute("SELECT sync.push(%s, %s::jsonb)", (client_id, json.dumps(forged))).fetchone()[0]
    assert result[0]["outcome"] == "rejected"
    assert result[0]["detail"] == "only a manager can delete a customer of the team: release it to the pool instead"
    assert team.server_rows("customer", "id = %s", (customer_id,))[0]["deleted_at"] is None
    assert _access_changes(team, customer_id) == []


def test_a_rep_still_deletes_a_contact_of_their_own_customer(team: Team) -> None:
    wang = team.add_rep("wang")
    customer_id = _shared_customer(team, "wang", "Tyrell Foods")
    contact = local_rows(wang, Contact, customer_id=customer_id)[0]
    customer_service.delete_contact(wang, contact.id)
    report = sync.sync_round(wang)
    assert report.rejected == 0
    assert team.server_rows("contact", "id = %s", (contact.id,))[0]["deleted_at"] is not None


def test_a_managers_delete_is_told_to_the_holder_and_a_restore_brings_it_back_everywhere(team: Team) -> None:
    wang = team.add_rep("wang")
    boss = team.add_rep("boss", manager=True)
    customer_id = _shared_customer(team, "wang", "Tyrell Foods")
    sync.sync_round(boss)
    assert customer_service.delete_refusal(boss, "Tyrell Foods") is None

    customer_service.delete_customer(boss, customer_id)
    report = sync.sync_round(boss)
    assert (report.applied, report.rejected) == (report.pushed, 0) and report.pushed >= 2  # customer and contact
    assert _access_changes(team, customer_id) == [("wang", "lost", "deleted")]
    assert sync.sync_round(wang).lost == 1  # a customer left wang's lists (the round's notice says so)
    assert local_rows(wang, Customer, id=customer_id) == [] and local_rows(wang, Contact, customer_id=customer_id) == []
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn:  # nor can wang read it on the server
        assert conn.execute("SELECT count(*) FROM crm.customer WHERE id = %s", (customer_id,)).fetchone()[0] == 0

    assert admin.restore(team.dsn, "Tyrell") == "Tyrell Foods"
    assert _access_changes(team, customer_id) == [("wang", "lost", "deleted"), ("wang", "gained", "undeleted")]
    server = team.server_rows("customer", "id = %s", (customer_id,))[0]
    assert (server["deleted_at"], server["owner"]) == (None, team.role("wang"))
    assert all(row["deleted_at"] is None for row in team.server_rows("contact", "customer_id = %s", (customer_id,)))
    for laptop in (wang, boss):
        sync.sync_round(laptop)
        assert local_rows(laptop, Customer, id=customer_id)[0].deleted_at is None
        assert [c.deleted_at for c in local_rows(laptop, Contact, customer_id=customer_id)] == [None]
    # The restore's stamp is newer than the deletion's: wang's laptop edits the customer as before.
    customer_service.edit_customer(wang, customer_id, {"phone": "13900139000"})
    assert sync.sync_round(wang).rejected == 0
    assert team.server_rows("customer", "id = %s", (customer_id,))[0]["phone"] == "13900139000"


def test_a_contact_deleted_before_the_customer_stays_deleted_after_the_restore(team: Team, frozen) -> None:
    from datetime import timedelta

    team.add_rep("wang")
    boss = team.add_rep("boss", manager=True)
    customer_id = _shared_customer(team, "wang", "Tyrell Foods")
    wang = team.laptops["wang"]
    early = customer_service.add_contact(wang, customer_id, "Old Contact")
    customer_service.delete_contact(wang, early.id)
    sync.sync_round(wang)
    travel(team, frozen, timedelta(minutes=10))
    sync.sync_round(boss)
    customer_service.delete_customer(boss, customer_id)
    sync.sync_round(boss)

    admin.restore(team.dsn, customer_id)
    contacts = {row["name"]: row["deleted_at"] for row in team.server_rows("contact", "customer_id = %s", (customer_id,))}
    assert contacts["Jane"] is None and contacts["Old Contact"] is not None


def test_only_a_manager_restores(team: Team) -> None:
    team.add_rep("wang")
    boss = team.add_rep("boss", manager=True)
    customer_id = _shared_customer(team, "wang", "Tyrell Foods")
    sync.sync_round(boss)
    customer_service.delete_customer(boss, customer_id)
    sync.sync_round(boss)
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn, pytest.raises(ServerRefused) as refused:
        admin.restore_on(conn, "Tyrell Foods")
    assert refused.value.key == "managers_only"
    assert team.server_rows("customer", "id = %s", (customer_id,))[0]["deleted_at"] is not None


def test_a_manager_restores_from_the_laptop_with_crm_server_restore(team: Team, monkeypatch, home) -> None:
    from crmtui.cli.commands import app

    wang = team.add_rep("wang")
    boss = team.add_rep("boss", manager=True)
    customer_id = _shared_customer(team, "wang", "Tyrell Foods")
    sync.sync_round(boss)
    customer_service.delete_customer(boss, customer_id)
    sync.sync_round(boss)
    monkeypatch.delenv("CRMTUI_SERVER_DSN", raising=False)
    _use_laptop(monkeypatch, team, "boss")
    result = CliRunner().invoke(app, ["server", "restore", "Tyrell Foods"])
    assert result.exit_code == 0, result.output
    assert "restored Tyrell Foods" in result.output
    assert local_rows(boss, Customer, id=customer_id)[0].deleted_at is None  # the round after it brought it back
    sync.sync_round(wang)
    assert local_rows(wang, Customer, id=customer_id)[0].deleted_at is None


# Re-claiming after a manager's decision ------------------------------------------------------------------

def test_a_managers_reassignment_does_not_lock_the_rep_out_of_the_pool(team: Team) -> None:
    wang = team.add_rep("wang")
    team.add_rep("boss", manager=True)
    customer_id = _shared_customer(team, "wang", "Acme Health")
    with psycopg.connect(team.rep_url("boss"), autocommit=True) as conn:
        conn.execute("SELECT sync.reassign(%s, NULL)", (customer_id,))  # to the pool, a manager's decision

    pool = {c.id: c for c in sync.pool(wang)}
    assert pool[customer_id].claimable_after is None
    name, _report = sync.claim(wang, customer_id)
    assert name == "Acme Health"
    assert team.server_rows("customer", "id = %s", (customer_id,))[0]["owner"] == team.role("wang")


def test_a_reps_own_release_still_locks_and_the_pool_list_says_until_when(team: Team, monkeypatch, home) -> None:
    from crmtui.cli.commands import app

    wang = team.add_rep("wang")
    customer_id = _shared_customer(team, "wang", "Acme Health")
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn:
        released_at = conn.execute("SELECT sync.now()").fetchone()[0]
        try:
            conn.execute("SELECT sync.release(%s)", (customer_id,))
        except psycopg.errors.UndefinedFunction:  # a later revision asks for a reason
            conn.execute("SELECT sync.release(%s, 'no-budget')", (customer_id,))

    with pytest.raises(ServerRefused) as refused:
        sync.claim(wang, customer_id)
    assert refused.value.key == "relocked"
    until = {c.id: c for c in sync.pool(wang)}[customer_id].claimable_after
    # relock_days is 7 by default: a week after the release, to the second the server counted.
    assert abs((until - released_at).total_seconds() - 7 * 86400) < 5
    _use_laptop(monkeypatch, team, "wang")
    result = CliRunner().invoke(app, ["pool"])
    day = format_when(wang.clock.to_local(until), True, "en", wang.clock.today())
    assert f"claim again from {day}" in result.output, result.output  # the app's words and dates


def test_s0006_goes_down_and_up_again_on_a_live_server(team: Team) -> None:
    """Down to s0005: a rep's tombstone goes through again and the old claim counts every loss; up: the rules
    are back."""
    from .test_server_admin import _downgrade

    team.add_rep("wang")
    team.add_rep("boss", manager=True)
    customer_id = _shared_customer(team, "wang", "Acme Health")
    with psycopg.connect(team.rep_url("boss"), autocommit=True) as conn:
        conn.execute("SELECT sync.reassign(%s, NULL)", (customer_id,))
    _downgrade(team, "s0005")
    with team.admin() as conn:
        assert conn.execute("SELECT to_regprocedure('sync.restore(text)')").fetchone()[0] is None
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn, pytest.raises(psycopg.Error) as old:
        conn.execute("SELECT sync.claim(%s)", (customer_id,))
    assert old.value.diag.message_primary == "relocked"  # s0001's rule: every loss locks
    admin.init(team.dsn)
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn:
        conn.execute("SELECT sync.claim(%s)", (customer_id,))
    assert team.server_rows("customer", "id = %s", (customer_id,))[0]["owner"] == team.role("wang")


def test_a_reps_merge_of_two_own_customers_still_syncs(team: Team) -> None:
    """Merging is not deleting: the merged customer's tombstone goes through, its records now the kept one's."""
    from crmtui.services.merge import merge_customers

    wang = team.add_rep("wang")
    keep = _shared_customer(team, "wang", "Tyrell Foods")
    other = customer_service.add_customer(wang, "Tyrell Foods Ltd", force=True)
    customer_service.add_contact(wang, other.id, "Bob")
    sync.sync_round(wang)
    merge_customers(wang, keep, other.id)
    assert sync.sync_round(wang).rejected == 0
    merged = team.server_rows("customer", "id = %s", (other.id,))[0]
    assert merged["deleted_at"] is not None and merged["merged_into"] == keep
    assert sorted(r["name"] for r in team.server_rows("contact", "customer_id = %s AND deleted_at IS NULL", (keep,))) \
        == ["Bob", "Jane"]


def test_a_customer_deleted_in_the_pool_is_restored_to_the_pool(team: Team) -> None:
    wang = team.add_rep("wang")
    boss = team.add_rep("boss", manager=True)
    customer_id = _shared_customer(team, "wang", "Tyrell Foods")
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn:
        try:
            conn.execute("SELECT sync.release(%s)", (customer_id,))
        except psycopg.errors.UndefinedFunction:  # a later revision asks for a reason
            conn.execute("SELECT sync.release(%s, 'no-budget')", (customer_id,))
    sync.sync_round(boss)
    customer_service.delete_customer(boss, customer_id)
    sync.sync_round(boss)
    assert admin.restore(team.dsn, customer_id[:8]) == "Tyrell Foods"
    server = team.server_rows("customer", "id = %s", (customer_id,))[0]
    assert (server["deleted_at"], server["owner"]) == (None, None)
    assert customer_id in {c.id for c in sync.pool(wang)}


async def test_the_pool_screen_marks_a_customer_the_rep_cannot_claim_yet(team: Team) -> None:
    import asyncio

    from crmtui.tui.app import build_app
    from crmtui.tui.screens.pool import PoolScreen

    wang = team.add_rep("wang")
    team.add_rep("boss", manager=True)
    released = _shared_customer(team, "wang", "Acme Health")
    reassigned = _shared_customer(team, "wang", "Globex", phone="13700137000")
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn:
        try:
            conn.execute("SELECT sync.release(%s)", (released,))
        except psycopg.errors.UndefinedFunction:  # a later revision asks for a reason
            conn.execute("SELECT sync.release(%s, 'no-budget')", (released,))
    with psycopg.connect(team.rep_url("boss"), autocommit=True) as conn:
        conn.execute("SELECT sync.reassign(%s, NULL)", (reassigned,))
    until = {c.id: c for c in sync.pool(wang)}[released].claimable_after
    day = format_when(wang.clock.to_local(until), True, "en", wang.clock.today())
    app = build_app(wang, watch_seconds=0.2)
    async with app.run_test(size=(140, 30)) as pilot:
        app.push_screen(PoolScreen())
        listing = None
        for _ in range(200):  # the list loads from the server in a worker
            await pilot.pause()
            if isinstance(app.screen, PoolScreen) and app.screen.customers:
                listing = app.screen.query_one("#pool-list", OptionList)
                break
            await asyncio.sleep(0.05)
        assert listing is not None, "the pool never loaded"
        texts = {listing.get_option_at_index(i).id: str(listing.get_option_at_index(i).prompt)
                 for i in range(listing.option_count)}
    assert f"claim again from {day}" in texts[released]
    assert "claim again" not in texts[reassigned]  # a manager's decision does not lock wang out
