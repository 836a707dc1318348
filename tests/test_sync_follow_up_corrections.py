"""A corrected follow-up on the team server (real PostgreSQL): the correction reaches the other laptops, the
customer's dates follow it everywhere, and the server refuses corrections a laptop could not make."""

from __future__ import annotations

from datetime import timedelta

import psycopg
from psycopg.types.json import Jsonb

from crmtui.services import customers as customer_service
from crmtui.services.customer_view import customer_360
from crmtui.services.customers import customer_detail
from crmtui.services.deals import voided_contracts
from crmtui.services.follow_ups import amend_follow_up, log_follow_up
from crmtui.services.pool import pool_customer_detail
from crmtui.store import replica
from crmtui.store.raw import from_db
from crmtui.sync import client as sync
from crmtui.sync import pool_view
from crmtui.sync.protocol import reason_code

from .teamserver import Team, travel


def _log(ctx, customer_id: str, notes: str):  # type: ignore[no-untyped-def]
    return log_follow_up(ctx, customer_id, channel="phone", goal="demo", goal_met=True, notes=notes,
                         next_plan="send quote", next_at="in 3 days")


def _next_date(ctx, customer_id: str):  # type: ignore[no-untyped-def]
    with ctx.db.raw_read() as connection:
        return from_db(connection.execute("SELECT next_follow_up_at FROM customer WHERE id = ?",
                                          (customer_id,)).fetchone()[0])


def test_a_correction_reaches_another_laptop_and_moves_the_dates_there(team: Team, frozen) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health")
    wrong = _log(wang, acme.id, "went badly")
    sync.sync_round(wang)
    sync.sync_round(boss)
    assert [f.notes for f in customer_detail(boss, acme.id).follow_ups] == ["went badly"]
    travel(team, frozen, timedelta(hours=2))
    fixed = amend_follow_up(wang, acme.id, notes="went well", next_at="in 7 days")
    sync.sync_round(wang)
    (server_customer,) = team.server_rows("customer")
    assert from_db(server_customer["next_follow_up_at"].replace("T", " ")) == fixed.next_at
    assert {row["id"]: row["corrects_id"] for row in team.server_rows("follow_up")} == {wrong.id: None,
                                                                                        fixed.id: wrong.id}
    sync.sync_round(boss)
    view = customer_360(boss, customer_detail(boss, acme.id), voided_contracts(boss, acme.id))
    assert [(line.notes, line.corrected) for line in view.follow_ups] == [("went well", True)]
    assert _next_date(boss, acme.id) == fixed.next_at != wrong.next_at


def _push(team: Team, ctx, name: str, batch: list[dict]) -> list[dict]:  # type: ignore[no-untyped-def]
    with ctx.db.raw_read() as conn:
        client_id = replica.get_meta(conn, "client_id")
    with psycopg.connect(team.rep_url(name), autocommit=True) as conn:
        return conn.execute("SELECT sync.push(%s, %s)", (client_id, Jsonb(batch))).fetchone()[0]


def _as_correction(batch: list[dict], corrects: str) -> list[dict]:
    """The laptop's pending follow-up turned by hand into a correction of `corrects`."""
    for mutation in batch:
        if mutation["table"] == "follow_up":
            mutation["changes"]["corrects_id"] = corrects
            mutation["stamps"]["corrects_id"] = mutation["stamps"]["at"]
    return batch


def test_the_server_refuses_a_correction_of_another_customers_or_colleagues_follow_up(team: Team) -> None:
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health")
    other = customer_service.add_customer(wang, "Other Co")
    wangs = _log(wang, acme.id, "wang's call")
    kept = _log(wang, other.id, "a call of Other Co")
    sync.sync_round(wang)
    _log(wang, acme.id, "hides Other Co's call")
    with wang.db.raw_read() as conn:
        batch = replica.pending_batch(conn)
    outcomes = _push(team, wang, "wang", _as_correction(batch, kept.id))
    assert [r["detail"] for r in outcomes if r["outcome"] == "rejected"] == [
        "it corrects a follow-up its customer does not have"]
    # Acme goes to li, who holds wang's follow-up as its history: li cannot correct it.
    sync.sync_round(boss)
    sync.reassign(boss, acme.id, team.role("li"))
    sync.sync_round(li)
    _log(li, acme.id, "li rewrites wang's call")
    with li.db.raw_read() as conn:
        batch = replica.pending_batch(conn)
    outcomes = _push(team, li, "li", _as_correction(batch, wangs.id))
    assert [r["detail"] for r in outcomes if r["outcome"] == "rejected"] == [
        "only the rep who logged a follow-up can correct it"]


def test_the_server_refuses_a_correction_made_after_the_window(team: Team, frozen) -> None:
    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "Acme Health")
    first = _log(wang, acme.id, "first")
    sync.sync_round(wang)
    travel(team, frozen, timedelta(hours=30))
    _log(wang, acme.id, "a late 'correction'")
    with wang.db.raw_read() as conn:
        batch = replica.pending_batch(conn)
    outcomes = _push(team, wang, "wang", _as_correction(batch, first.id))
    assert [r["detail"] for r in outcomes if r["outcome"] == "rejected"] == [
        "a follow-up can be corrected only within 24 hours of logging it"]


def test_a_pool_customers_history_shows_the_correction_not_what_it_corrects(team: Team, frozen) -> None:
    wang, li = team.add_rep("wang"), team.add_rep("li")
    acme = customer_service.add_customer(wang, "Acme Health")
    _log(wang, acme.id, "went badly")
    travel(team, frozen, timedelta(hours=1))
    amend_follow_up(wang, acme.id, notes="went well")
    sync.sync_round(wang)
    pool_view.release(wang, acme.id, "no-budget")
    read = pool_customer_detail(li, acme.id)  # li reads it before claiming it
    assert [(f.notes, f.corrects_id is not None) for f in read.follow_ups] == [("went well", True)]


def test_the_servers_refusals_of_a_correction_are_worded_in_the_reps_language() -> None:
    from crmtui.core import i18n
    from crmtui.services.team_words import reason_text

    i18n.set_language("en")
    for detail in ("it corrects a follow-up its customer does not have",
                   "only the rep who logged a follow-up can correct it",
                   "a follow-up can be corrected only within 24 hours of logging it"):
        assert reason_text(detail) == detail
    assert reason_code("only the rep who logged a follow-up can correct it") == "correction_of_colleague"
