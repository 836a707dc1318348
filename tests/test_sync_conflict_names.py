"""A conflict keeps its customer's name after the customer left the laptop, and only while it needs it: the kept
name goes when the conflict goes or the customer is back (against the real PostgreSQL)."""

from __future__ import annotations

from crmtui.store import replica
from crmtui.sync import client as sync

from .teamserver import Team
from .test_sync_notices import _phone_race


def _kept_names(ctx) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with ctx.db.raw_read() as conn:
        return dict(conn.execute("SELECT key, value FROM meta WHERE key LIKE 'conflict_customer.%'").fetchall())


def test_a_conflicts_customer_name_is_kept_while_needed_and_then_pruned(team: Team, frozen) -> None:
    wang, boss, acme = _phone_race(team, frozen)
    team.add_rep("li")
    sync.sync_round(wang)  # wang's phone loses to boss's: a conflict
    sync.reassign(boss, acme.id, team.role("li"))
    sync.sync_round(wang)  # Acme leaves; its conflict stays listed
    assert _kept_names(wang) == {f"conflict_customer.{acme.id}": "Acme Health"}
    assert {c.customer for c in sync.conflicts(wang)[0]} == {"Acme Health"}
    sync.sync_round(wang)
    assert _kept_names(wang) == {f"conflict_customer.{acme.id}": "Acme Health"}  # still needed

    sync.reassign(boss, acme.id, team.role("wang"))
    sync.sync_round(wang)
    sync.sync_round(wang)
    assert _kept_names(wang) == {}  # back here: its own row names it
    assert {c.customer for c in sync.conflicts(wang)[0]} == {"Acme Health"}


def test_the_kept_name_goes_with_the_last_conflict_that_needs_it(team: Team, frozen) -> None:
    wang, boss, acme = _phone_race(team, frozen)
    team.add_rep("li")
    sync.sync_round(wang)
    sync.reassign(boss, acme.id, team.role("li"))
    sync.sync_round(wang)
    with wang.db.raw_write(wang.clock.utcnow()) as (conn, _):
        conn.execute("DELETE FROM sync_conflict")  # as an erasure of the customer's data does
        assert replica.get_meta(conn, f"conflict_customer.{acme.id}") == "Acme Health"
    sync.sync_round(wang)
    assert _kept_names(wang) == {}
