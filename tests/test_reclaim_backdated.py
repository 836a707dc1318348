"""A follow-up logged offline before the pool's reclaim deadline and pushed after the reclaim, against the real
PostgreSQL: it gives the customer back to its rep (and lifts the re-claim ban of that reclaim) unless a
colleague claimed it meanwhile; one dated back after the laptop saw the reclaim does not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg.types.json import Jsonb

from crmtui.server import admin
from crmtui.services import customers as customer_service
from crmtui.services import team_words
from crmtui.services.follow_ups import log_follow_up
from crmtui.store import replica
from crmtui.store.follow_ups import FollowUpRow, insert_follow_up
from crmtui.store.models import Customer, FollowUp
from crmtui.sync import client as sync

from .teamserver import Team, local_rows, travel


def _log(ctx, customer_id: str) -> str:  # type: ignore[no-untyped-def]
    return log_follow_up(ctx, customer_id, channel="phone", goal="intro", goal_met=True, notes="called",
                         next_plan="send deck", next_at="in 3 days").id


def _access_changes(team: Team, customer_id: str) -> list[tuple[str, str, str, bool]]:
    """(rep, change, reason, undone) of a customer's changes of hands, in order."""
    with team.admin() as conn:
        return [(rep.removesuffix(f"_{team.database}"), change, reason, undone) for rep, change, reason, undone
                in conn.execute("SELECT rep, change, reason, undone_at IS NOT NULL FROM crm.access_change"
                                " WHERE customer_id = %s ORDER BY id", (customer_id,))]


def _owner(team: Team, customer_id: str) -> str | None:
    [row] = team.server_rows("customer", "id = %s", (customer_id,))
    return row["owner"] and row["owner"].removesuffix(f"_{team.database}")


def _held_then_reclaimed(team: Team, frozen, wang) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Wang's customer, last called at NOW (the reclaim line: NOW + 30 days). Offline, wang calls it on day 29;
    on day 31 the pool's reclaim takes it back. Returns the customer's id and the offline follow-up's."""
    acme = customer_service.add_customer(wang, "Acme Health")
    _log(wang, acme.id)
    sync.sync_round(wang)
    travel(team, frozen, timedelta(days=29))
    follow_up = _log(wang, acme.id)  # offline: made in time
    travel(team, frozen, timedelta(days=2))
    assert admin.reclaim(team.dsn) == 1
    assert _owner(team, acme.id) is None
    return acme.id, follow_up


def test_a_follow_up_made_before_the_reclaim_gives_the_customer_back_and_lifts_the_ban(team: Team, frozen) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    customer_id, follow_up = _held_then_reclaimed(team, frozen, wang)

    report = sync.sync_round(wang)

    assert (report.applied, report.rejected) == (2, 0)  # the follow-up and its customer's dates
    assert _owner(team, customer_id) == "wang"
    assert follow_up in {r["id"] for r in team.server_rows("follow_up", "customer_id = %s", (customer_id,))}
    assert _access_changes(team, customer_id) == [("wang", "lost", "reclaim", True), ("wang", "gained", "restored", False)]
    # The laptop keeps the customer and the call: it learned the reclaim and the return in one pull.
    assert [c.owner for c in local_rows(wang, Customer, id=customer_id)] == [team.role("wang")]
    assert follow_up in {f.id for f in local_rows(wang, FollowUp, customer_id=customer_id)}
    assert sync.conflicts(wang)[1] == []
    # The reclaim was undone, so it bars no re-claim: after a manager puts the customer in the pool (which does
    # not lock either), wang may claim it at once.
    sync.reassign(boss, customer_id, None)
    sync.sync_round(wang)
    assert [(c.name, c.claimable_after) for c in sync.pool(wang)] == [("Acme Health", None)]
    name, _ = sync.claim(wang, "Acme Health")
    assert name == "Acme Health" and _owner(team, customer_id) == "wang"


def test_a_colleague_who_claimed_it_meanwhile_keeps_it_and_the_call_stays_as_history(team: Team, frozen) -> None:
    wang, li = team.add_rep("wang"), team.add_rep("li")
    customer_id, follow_up = _held_then_reclaimed(team, frozen, wang)
    sync.claim(li, "Acme Health")

    report = sync.sync_round(wang)

    assert _owner(team, customer_id) == "li"
    assert follow_up in {r["id"] for r in team.server_rows("follow_up", "customer_id = %s", (customer_id,))}
    assert report.rejected == 0 and sync.conflicts(wang)[1] == []  # its dates are the server's to derive
    li_role = team.role("li")
    assert [(gone.name, gone.why, gone.holder, gone.actor) for gone in report.lost_customers] == [
        ("Acme Health", "reclaim_claimed", li_role, None)]  # the pool's reclaim names no one
    # wang reads that li holds it now, not only that it went back to the pool, and that the call was kept.
    assert team_words.report_notes(report, wang) == [
        (f"{li_role} claimed Acme Health from the pool; your follow-up of Wed 23 Dec is kept in its history", True)]
    assert team_words.departure_notice(wang, customer_id) == (
        f"This customer went back to the pool; {li_role} has claimed it since")
    assert local_rows(wang, Customer, id=customer_id) == []
    assert ("wang", "gained", "restored", False) not in _access_changes(team, customer_id)


def test_a_follow_up_dated_back_after_the_laptop_saw_the_reclaim_does_not_win_it_back(team: Team, frozen) -> None:
    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "Acme Health")
    _log(wang, acme.id)
    sync.sync_round(wang)
    travel(team, frozen, timedelta(days=31))
    assert admin.reclaim(team.dsn) == 1
    assert sync.sync_round(wang).lost == 1  # the laptop knows the customer went back to the pool
    travel(team, frozen, timedelta(hours=1))
    # Barred from claiming it back for 7 days, wang types in a call "made" before the reclaim. The customer has
    # left the laptop, so it goes by psql, as the laptop would send it.
    with wang.db.raw_read() as conn:
        laptop = replica.get_meta(conn, "client_id")
    made = datetime.now().astimezone()
    at = made - timedelta(days=3)  # "called" on day 29, before the reclaim
    stamp = f"{int(made.timestamp() * 1000):015d}-00000-{laptop}"
    fields = {"customer_id": acme.id, "at": at.isoformat(), "channel": "phone", "goal": "intro",
              "goal_met": True, "notes": "called", "created_at": made.isoformat(), "updated_at": made.isoformat()}
    mutation = {"seq": 1000, "mutation_id": str(uuid.uuid4()), "format": 1, "table": "follow_up",
                "id": str(uuid.uuid4()), "kind": "insert", "changes": fields, "stamps": dict.fromkeys(fields, stamp)}
    with psycopg.connect(team.rep_url("wang"), autocommit=True) as conn:
        [result] = conn.execute("SELECT sync.push(%s, %s)", (laptop, Jsonb([mutation]))).fetchone()[0]
    assert result["outcome"] == "applied"  # kept as history: wang held the customer on day 29
    assert _owner(team, acme.id) is None
    with team.admin() as conn:
        [(counted, lost_at_reclaim)] = conn.execute(
            "SELECT b.counted, b.lost_at = (SELECT max(at) FROM crm.access_change WHERE customer_id = b.customer_id)"
            " FROM sync.backdated_follow_up b").fetchall()
    assert counted is False and lost_at_reclaim is True
    assert _access_changes(team, acme.id) == [("wang", "lost", "reclaim", False)]


def test_a_follow_up_older_than_the_reclaim_line_does_not_win_it_back(team: Team, frozen) -> None:
    """A call made more than N days before the reclaim would not have kept the customer either."""
    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "Acme Health")
    _log(wang, acme.id)
    sync.sync_round(wang)
    travel(team, frozen, timedelta(days=40))
    with wang.db.raw_write(wang.clock.utcnow()) as (conn, outbox):  # typed in now, dated day 5: backdated
        insert_follow_up(conn, outbox, FollowUpRow(acme.id, datetime(2026, 11, 29, 2, 0, tzinfo=UTC), "phone", "intro", True,
                                                   "old call", None, None))
    assert admin.reclaim(team.dsn) == 1  # day 40: the last call on the server is day 0
    sync.sync_round(wang)
    assert _owner(team, acme.id) is None
    assert _access_changes(team, acme.id) == [("wang", "lost", "reclaim", False)]
