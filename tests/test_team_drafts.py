"""A rep's draft in a team (a customer added on the laptop and never sent to the server) is the rep's to delete
outright, against the real PostgreSQL: the records and their pending outbox entries go together, so the outbox
still replays to exactly what is stored, and nothing of it reaches the server. A customer the server has seen
stays a manager's to delete."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from crmtui.core.errors import NotAllowed
from crmtui.services import customers as customer_service
from crmtui.services.deals import add_deal
from crmtui.services.follow_ups import log_follow_up
from crmtui.store import replica
from crmtui.store.models import Contact, Customer, Deal, FollowUp
from crmtui.sync import client as sync

from .teamserver import Team, local_rows
from .test_faults import check_store
from .test_team_rules import _use_laptop


def _outbox_records(ctx) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with ctx.db.raw_read() as conn:
        return {(table, record_id) for table, record_id in conn.execute("SELECT record_table, record_id FROM outbox")}


def _draft(ctx, name: str, phone: str) -> Customer:  # type: ignore[no-untyped-def]
    """A customer with a contact, a deal and a follow-up, all added on the laptop."""
    customer = customer_service.add_customer(ctx, name, phone=phone)
    customer_service.add_contact(ctx, customer.id, "Jane")
    add_deal(ctx, customer.id, "Seats", amount="1000")
    log_follow_up(ctx, customer.id, channel="phone", goal="first call", goal_met=True, notes="wrong number?",
                  next_plan="call again", next_at="2026-12-30 10:00")
    return customer


def test_a_rep_deletes_a_customer_never_sent_and_nothing_of_it_reaches_the_server(team: Team) -> None:
    wang = team.add_rep("wang")
    keep = customer_service.add_customer(wang, "Keep Works", phone="13800138001")
    mistake = _draft(wang, "Mistake Works", "13800138002")
    assert customer_service.delete_refusal(wang, "Mistake Works", mistake.id) is None

    gone = customer_service.delete_customer(wang, mistake.id)
    assert gone.name == "Mistake Works" and gone.deleted_at is not None
    for model in (Contact, Deal, FollowUp):
        assert local_rows(wang, model, customer_id=mistake.id) == []
    assert local_rows(wang, Customer, id=mistake.id) == []
    assert [table for table, record_id in _outbox_records(wang)] == ["customer"]  # Keep Works's insert alone
    check_store(wang.db.path)  # the outbox replays to exactly the records stored, stamps included

    report = sync.sync_round(wang)
    assert (report.pushed, report.applied, report.rejected) == (1, 1, 0)
    assert [row["name"] for row in team.server_rows("customer")] == ["Keep Works"]
    assert team.server_rows("contact") == [] and team.server_rows("follow_up") == []
    assert local_rows(wang, Customer, id=keep.id)[0].deleted_at is None


def test_a_customer_the_server_has_seen_stays_a_managers_to_delete(team: Team) -> None:
    wang = team.add_rep("wang")
    customer = customer_service.add_customer(wang, "Tyrell Foods", phone="13800138003")
    sync.sync_round(wang)
    customer_service.add_contact(wang, customer.id, "Jane")  # pending, but the customer itself was sent

    assert customer_service.delete_refusal(wang, "Tyrell Foods", customer.id) is not None
    with pytest.raises(NotAllowed) as refused:
        customer_service.delete_customer(wang, customer.id)
    assert "only a manager can delete it" in str(refused.value)
    assert local_rows(wang, Customer, id=customer.id)[0].deleted_at is None
    assert len(local_rows(wang, Contact, customer_id=customer.id)) == 1
    with wang.db.raw_read() as conn:
        assert replica.count_outbox(conn, "pending") == 1  # the contact's insert, still to send


def test_a_draft_another_customer_was_merged_into_stays(team: Team) -> None:
    """A draft merged into by another customer is refused: the other's merge still points at it."""
    from crmtui.services.merge import merge_customers

    wang = team.add_rep("wang")
    draft = customer_service.add_customer(wang, "Acme Draft", phone="13800138004")
    other = customer_service.add_customer(wang, "Acme Other", phone="13800138005")
    merge_customers(wang, draft.id, other.id)
    with pytest.raises(NotAllowed):
        customer_service.delete_customer(wang, draft.id)
    assert local_rows(wang, Customer, id=draft.id)[0].deleted_at is None


def test_crm_rm_deletes_a_reps_draft_and_says_it_was_never_sent(team: Team, monkeypatch, home) -> None:
    from crmtui.cli.commands import app

    wang = team.add_rep("wang")
    draft = _draft(wang, "Oops Trading", "13800138006")
    _use_laptop(monkeypatch, team, "wang")
    result = CliRunner().invoke(app, ["rm", "Oops Trading", "--yes"])
    assert result.exit_code == 0, result.output
    assert "deleted customer Oops Trading" in result.output
    assert "never been sent to the team server" in result.output
    assert local_rows(wang, Customer, id=draft.id) == []
    with wang.db.raw_read() as conn:
        assert replica.count_outbox(conn, "pending") == 0
