"""Imported follow-up history on the team server: the customer's next follow-up the server derives keeps the plan
as the laptop's import does (an imported follow-up with no next date, or made before the planned day, leaves the
plan; one made on or after the planned day with a next date of its own replaces it), and the plan comes back to
every laptop. Times: the laptops are in Shanghai (UTC+8), a date alone is taken at the default 09:00, 01:00 UTC."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crmtui.core.clock import Clock
from crmtui.services.context import Context, open_context
from crmtui.services.importing.run import Options, run_import
from crmtui.sync import client as sync

from .teamserver import Team, travel

CUSTOMERS = "客户名称,下次跟进时间\n"
CALLS = "客户名称,跟进时间,跟进方式,跟进内容,下次跟进时间\n"


def _import(ctx: Context, path: Path, text: str, kind: str | None = None) -> None:
    path.write_text(text, encoding="utf-8")
    result = run_import(ctx, path, Options(kind=kind))
    assert result.refused == 0 and result.created >= 1, result


def _ids(ctx: Context) -> dict[str, str]:
    with ctx.db.raw_read() as conn:
        return dict(conn.execute("SELECT name, id FROM customer"))


def _local(ctx: Context) -> dict[str, tuple[str | None, str | None]]:
    """Each customer's (last contact, next follow-up) on a laptop, in UTC to the minute."""
    with ctx.db.raw_read() as conn:
        return {name: (last and last[:16], upcoming and upcoming[:16]) for name, last, upcoming in conn.execute(
            "SELECT name, last_contact_at, next_follow_up_at FROM customer")}


def _server(team: Team) -> dict[str, tuple[str | None, str | None]]:
    with team.admin() as conn:
        return {name: (last, upcoming) for name, last, upcoming in conn.execute(
            "SELECT name, to_char(last_contact_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),"
            " to_char(next_follow_up_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM crm.customer")}


def _second_laptop(team: Team, ann: Context) -> Context:
    laptop = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = laptop
    sync.sync_round(laptop)
    return laptop


def test_the_server_derives_the_plan_an_import_keeps_when_it_alone_derives_it(team: Team, frozen,
                                                                               tmp_path: Path) -> None:
    """The customers change hands while wang imports offline: his own update of their dates is refused, the
    follow-ups are kept, and the server alone derives the dates li's laptop receives."""
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    _import(wang, tmp_path / "customers.csv", CUSTOMERS + "Acme,2026-11-30\nGlobex,2026-11-30\n"
            "Initech,2026-11-25\nHooli,2026-11-25\nUmbrella,2026-11-25\n")
    sync.sync_round(wang)
    sync.sync_round(boss)
    travel(team, frozen, timedelta(days=3))  # Fri 2026-11-27 10:00 Shanghai: the calls below have happened
    _import(wang, tmp_path / "calls.csv", CALLS + (
        "Acme,2026-11-01,电话,问了价格,\n"  # no next date: the plan (30 Nov) stays
        "Globex,2026-11-26,电话,问了价格,2026-12-03\n"  # 26 Nov is before the planned 30 Nov: the plan stays
        "Initech,2026-11-26,电话,问了价格,2026-12-03\n"  # 26 Nov is after the planned 25 Nov: 3 Dec replaces it
        "Hooli,2026-11-26,电话,问了价格,\n"  # after the plan but no next date: it stays
        "Umbrella,2026-11-25,电话,问了价格,2026-12-03\n"), kind="follow-ups")  # on the planned moment: not before it,
    # so its next date replaces the plan
    expected = {
        "Acme": ("2026-11-01 01:00", "2026-11-30 01:00"),
        "Globex": ("2026-11-26 01:00", "2026-11-30 01:00"),
        "Initech": ("2026-11-26 01:00", "2026-12-03 01:00"),
        "Hooli": ("2026-11-26 01:00", "2026-11-25 01:00"),
        "Umbrella": ("2026-11-25 01:00", "2026-12-03 01:00"),
    }
    assert _local(wang) == expected  # the laptop's rule
    ids = _ids(wang)
    for name in expected:
        sync.reassign(boss, ids[name], team.role("li"))
    report = sync.sync_round(wang)
    # The follow-ups kept; the dates they gave their customers are the server's to derive (superseded).
    assert (report.applied, report.superseded, report.rejected) == (5, 5, 0), report
    assert _server(team) == expected
    sync.sync_round(li)
    assert _local(li) == expected


def _two_laptops_import_history(team: Team, frozen, tmp_path: Path) -> tuple[Context, Context]:  # type: ignore[no-untyped-def]
    """Acme planned for 30 Nov; ann's laptop imports a call of 1 Nov, her other laptop (which has not seen it) one
    of 20 Oct, a minute later; both without a next date. Each laptop keeps the plan; the second pushes Acme's
    older dates with the newer stamp, so they reach the server's check of the dates."""
    ann = team.add_rep("ann")
    _import(ann, tmp_path / "customers.csv", CUSTOMERS + "Acme,2026-11-30\n")
    sync.sync_round(ann)
    laptop = _second_laptop(team, ann)
    _import(ann, tmp_path / "calls.csv", CALLS + "Acme,2026-11-01,电话,问了价格,\n", kind="follow-ups")
    travel(team, frozen, timedelta(minutes=1))
    _import(laptop, tmp_path / "old-calls.csv", CALLS + "Acme,2026-10-20,拜访,看了工厂,\n", kind="follow-ups")
    assert _local(ann) == {"Acme": ("2026-11-01 01:00", "2026-11-30 01:00")}
    assert _local(laptop) == {"Acme": ("2026-10-20 01:00", "2026-11-30 01:00")}
    sync.sync_round(ann)
    sync.sync_round(laptop)
    return ann, laptop


def test_older_dates_pushed_after_imported_history_do_not_empty_the_plan(team: Team, frozen, tmp_path: Path) -> None:
    ann, laptop = _two_laptops_import_history(team, frozen, tmp_path)
    # The newest call (1 Nov, imported) gives the last contact; it has no next date, so the plan stays.
    assert _server(team) == {"Acme": ("2026-11-01 01:00", "2026-11-30 01:00")}
    sync.sync_round(ann)
    for ctx in (ann, laptop):
        assert _local(ctx) == {"Acme": ("2026-11-01 01:00", "2026-11-30 01:00")}
    with ann.db.raw_read() as conn:  # both calls are in the history, each marked imported
        assert sorted(conn.execute("SELECT at, imported_from FROM follow_up")) == [
            ("2026-10-20 01:00:00.000000", "old-calls.csv"), ("2026-11-01 01:00:00.000000", "calls.csv")]


def test_before_the_revision_the_server_emptied_the_plan(team: Team, frozen, tmp_path: Path) -> None:
    """The same story on a server at s0015 loses the plan (what the revision mends); upgrading puts the rule back."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from crmtui.server import admin

    engine = create_engine(team.dsn.replace("postgresql:", "postgresql+psycopg:", 1), poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(admin.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "s0015")
    engine.dispose()
    _two_laptops_import_history(team, frozen, tmp_path)
    assert _server(team) == {"Acme": ("2026-11-01 01:00", None)}
    assert admin.init(team.dsn).revision_after == admin.head_revision()
    with team.admin() as conn:  # the derivation reads the imported mark again
        source = conn.execute("SELECT prosrc FROM pg_proc WHERE proname = 'customer_keeps_dates'").fetchone()[0]
    assert "imported_from" in source
