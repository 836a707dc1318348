"""A follow-up's author: set by the team server from the pushing rep's login, never by a laptop; it stays
with the follow-up when the customer changes hands (real PostgreSQL)."""

from __future__ import annotations

import psycopg
from psycopg.types.json import Jsonb

from crmtui.services import customers as customer_service
from crmtui.services.customers import customer_detail
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.views import other_author
from crmtui.store import replica
from crmtui.store.outbox import format_stamp, parse_stamp
from crmtui.sync import client as sync

from .teamserver import Team
from .test_cli import ok
from .test_cli_team import _set_up


def _log(ctx, customer_id: str, notes: str) -> None:
    log_follow_up(ctx, customer_id, channel="phone", goal="intro", goal_met=True, notes=notes,
                  next_plan="send deck", next_at="in 3 days")


def _authors(team: Team) -> dict[str, str | None]:
    return {row["notes"]: row["author"] for row in team.server_rows("follow_up")}


def test_the_author_is_the_pushing_rep_and_stays_when_the_customer_moves(team: Team) -> None:
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme")
    _log(wang, acme.id, "first call")
    sync.sync_round(wang)
    assert _authors(team) == {"first call": team.role("wang")}
    # The pushing laptop gets the author back with its own row: its own follow-up names nobody.
    (mine,) = customer_detail(wang, acme.id).follow_ups
    assert mine.author == team.role("wang") and other_author(wang, mine.author) is None

    sync.sync_round(boss)
    sync.reassign(boss, acme.id, team.role("li"))
    sync.sync_round(li)
    _log(li, acme.id, "li calls")
    sync.sync_round(li)
    assert _authors(team) == {"first call": team.role("wang"), "li calls": team.role("li")}
    by_notes = {f.notes: f for f in customer_detail(li, acme.id).follow_ups}
    assert other_author(li, by_notes["first call"].author) == team.role("wang")
    assert other_author(li, by_notes["li calls"].author) is None
    # The manager sees both names.
    sync.sync_round(boss)
    seen = {f.notes: other_author(boss, f.author) for f in customer_detail(boss, acme.id).follow_ups}
    assert seen == {"first call": team.role("wang"), "li calls": team.role("li")}


def test_a_laptop_cannot_set_or_change_the_author(team: Team) -> None:
    wang, _li = team.add_rep("wang"), team.add_rep("li")
    acme = customer_service.add_customer(wang, "Acme")
    sync.sync_round(wang)
    _log(wang, acme.id, "forged")

    def push(ctx, name: str, batch: list[dict]) -> list[dict]:
        with ctx.db.raw_read() as conn:
            client_id = replica.get_meta(conn, "client_id")
        with psycopg.connect(team.rep_url(name), autocommit=True) as conn:
            return conn.execute("SELECT sync.push(%s, %s)", (client_id, Jsonb(batch))).fetchone()[0]

    with wang.db.raw_read() as conn:
        batch = replica.pending_batch(conn)
    for mutation in batch:  # wang's laptop claims li wrote it
        if mutation["table"] == "follow_up":
            mutation["changes"]["author"] = team.role("li")
            mutation["stamps"]["author"] = mutation["stamps"]["at"]
    assert all(r["outcome"] == "applied" for r in push(wang, "wang", batch))
    assert _authors(team) == {"forged": team.role("wang")}
    (row,) = team.server_rows("follow_up")
    # An update naming another author is taken for its other fields, never for the author.
    millis, _counter, node = parse_stamp(row["stamps"]["notes"])
    later = format_stamp(millis + 1000, 0, node)
    update = {"seq": batch[-1]["seq"] + 1, "mutation_id": "m-author", "kind": "update", "table": "follow_up",
              "id": row["id"], "format": 1, "changes": {"author": team.role("li"), "notes": "edited"},
              "stamps": {"author": later, "notes": later}, "base": {}}
    assert push(wang, "wang", [update])[0]["outcome"] == "applied"
    assert _authors(team) == {"edited": team.role("wang")}


def test_rows_from_before_the_column_get_the_author_from_their_insert_stamp(team: Team) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from crmtui.server import admin

    wang = team.add_rep("wang")
    acme = customer_service.add_customer(wang, "Acme")
    _log(wang, acme.id, "old call")
    sync.sync_round(wang)
    engine = create_engine(team.dsn.replace("postgresql:", "postgresql+psycopg:", 1), poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(admin.MIGRATIONS))
    with engine.begin() as connection:  # the server as it was before authors
        config.attributes["connection"] = connection
        command.downgrade(config, "s0006")
    engine.dispose()
    with team.admin() as conn:  # a row whose inserting laptop the server does not know
        conn.execute("INSERT INTO crm.follow_up (id, created_at, updated_at, customer_id, at, channel, goal,"
                     " goal_met, notes) SELECT 'imported', now(), now(), id, now(), 'phone', 'g', true, 'imported'"
                     " FROM crm.customer")
    assert admin.init(team.dsn).revision_after == admin.head_revision()
    assert _authors(team) == {"old call": team.role("wang"), "imported": None}


def test_crm_show_names_the_previous_owner_on_the_new_owners_laptop(team: Team) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(wang, "Acme Health")
    _log(wang, acme.id, "first call")
    sync.sync_round(wang)
    li, _ = _set_up(team, "li")
    sync.sync_round(boss)
    sync.reassign(boss, acme.id, li)
    ok("sync")
    ok("log", "Acme Health", "--via", "phone", "--goal", "demo", "--met", "--notes", "li calls",
       "--next-plan", "quote", "--next", "in 2 days")
    ok("sync")
    shown = ok("show", "Acme Health").stdout
    first = next(line for line in shown.splitlines() if "intro" in line)
    assert first.endswith(f"by {team.role('wang')}")
    mine = next(line for line in shown.splitlines() if "demo" in line)
    assert "by " not in mine


async def test_the_timeline_names_another_reps_follow_ups(ctx, home, memory_keyring) -> None:
    """A laptop that pulled wang's follow-up (author as the server sent it) and li's own: only wang's is named."""
    from crmtui.tui.app import build_app
    from crmtui.tui.screens.customer import CustomerScreen

    from .test_manager_today import _become_manager
    from .test_tui import SIZE, _settle

    acme = customer_service.add_customer(ctx, "Acme")
    _log(ctx, acme.id, "wang's call")
    _log(ctx, acme.id, "li's call")
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):  # as a pull writes the server's rows
        conn.execute("UPDATE follow_up SET author = 'wang' WHERE notes = ?", ("wang's call",))
        conn.execute("UPDATE follow_up SET author = 'li' WHERE notes = ?", ("li's call",))
    _become_manager(ctx, home, user="li")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        app.open_customer(acme.id)
        await _settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        lines = str(app.screen.query_one("#timeline-text").render()).splitlines()
        heads = [line for line in lines if "intro" in line]
        assert len(heads) == 2
        assert sum(line.rstrip().endswith("by wang") for line in heads) == 1
        assert not any("by li" in line for line in lines)
