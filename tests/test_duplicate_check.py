"""The team-wide duplicate check: one key a call, a rate and a daily budget no rollback can undo, and a rep
told only "a colleague" or "the pool" (a manager hears the name). Against the real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest

from crmtui.core.errors import NotAllowed
from crmtui.server import admin
from crmtui.services import customers as customer_service
from crmtui.sync import client as sync
from .teamserver import Team



def _check(conn: psycopg.Connection, kind: str, key: str) -> list[tuple]:
    return conn.execute("SELECT * FROM sync.check_duplicate(%s, %s)", (kind, key)).fetchall()


def _refused(conn: psycopg.Connection, kind: str, key: str) -> str | None:
    """The refusal's detail, or None when the server answered."""
    try:
        _check(conn, kind, key)
    except psycopg.Error as error:
        assert error.sqlstate == "CRM01", error
        assert error.diag.message_primary == "duplicate_check_limit"
        return error.diag.message_detail
    return None


def _minute(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT floor(extract(epoch FROM sync.now() + (clock_timestamp() - now())) / 60)"
                        ).fetchone()[0]


def test_a_rep_hears_a_colleague_or_the_pool_and_a_manager_hears_the_name(team: Team) -> None:
    ann, _bob = team.add_rep("ann"), team.add_rep("bob")
    team.add_rep("boss", manager=True)
    customer_service.add_customer(ann, "上海宏达", phone="13800000001", email="hd@example.com")
    customer_service.add_customer(ann, "Pool Co", phone="13800000002")
    sync.sync_round(ann)
    pool_co = team.server_rows("customer", "name = 'Pool Co'")[0]["id"]
    sync.release(ann, pool_co)
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn:
        assert _check(conn, "phone", "+8613800000001") == [("colleague", None)]
        assert _check(conn, "email", "hd@example.com") == [("colleague", None)]
        assert _check(conn, "phone", "+8613800000002") == [("pool", None)]
        assert _check(conn, "phone", "+8613900000000") == []
        with pytest.raises(psycopg.Error, match="bad_duplicate_check"):  # one key a call, of a known kind
            _check(conn, "owner", "ann")
    with psycopg.connect(team.rep_url("boss"), autocommit=True) as conn:
        assert _check(conn, "phone", "+8613800000001") == [("colleague", team.role("ann"))]
    with psycopg.connect(team.rep_url("ann"), autocommit=True) as conn:
        assert _check(conn, "phone", "+8613800000001") == [("mine", None)]


def test_a_loop_of_a_thousand_checks_is_cut_off_by_the_rate_and_says_so(team: Team) -> None:
    team.add_rep("bob")
    admin.rules(team.dsn, {"duplicate_checks_per_minute": 20, "duplicate_checks_per_day": 100_000})
    answered, refusals = 0, set()
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn:
        first = _minute(conn)
        for n in range(1000):
            detail = _refused(conn, "phone", f"+86139{n:08d}")
            if detail is None:
                answered += 1
            else:
                refusals.add(detail)
        last = _minute(conn)
    windows = last - first + 1  # the rate is per minute: a slow machine may cross into the next one
    assert answered == 20 if windows == 1 else 20 <= answered <= 20 * windows
    assert refusals == {"minute:20"}
    team.add_rep("boss", manager=True)
    with psycopg.connect(team.rep_url("boss"), autocommit=True) as conn:  # every refusal counted
        usage = {rep: (checks, refused) for rep, checks, refused in
                 conn.execute("SELECT * FROM sync.duplicate_checks_today()").fetchall()}
    assert usage[team.role("bob")] == (1000, 1000 - answered)


def test_the_daily_budget_holds_across_rolled_back_transactions_and_managers_see_the_refusals(team: Team) -> None:
    team.add_rep("bob")
    team.add_rep("boss", manager=True)
    admin.rules(team.dsn, {"duplicate_checks_per_minute": 100_000, "duplicate_checks_per_day": 30})
    with psycopg.connect(team.rep_url("bob")) as conn:  # one transaction, then rolled back
        for n in range(25):
            assert _refused(conn, "phone", f"+86139{n:08d}") is None
        conn.rollback()
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn:
        results = [_refused(conn, "name", f"guess{n}") for n in range(10)]
    # The rollback undid nothing: 25 + 5 = 30 answered, then the budget is spent.
    assert results == [None] * 5 + ["day:30"] * 5
    with psycopg.connect(team.rep_url("boss"), autocommit=True) as conn:
        usage = {rep: (checks, refused) for rep, checks, refused in
                 conn.execute("SELECT * FROM sync.duplicate_checks_today()").fetchall()}
        assert usage[team.role("bob")] == (35, 5)
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn, pytest.raises(psycopg.Error,
                                                                                        match="managers_only"):
        conn.execute("SELECT * FROM sync.duplicate_checks_today()")


def test_the_budget_starts_again_the_next_day_in_the_teams_time_zone(team: Team) -> None:
    from datetime import timedelta

    from tests.conftest import NOW, ZONE

    team.add_rep("bob")
    admin.rules(team.dsn, {"duplicate_checks_per_minute": 100_000, "duplicate_checks_per_day": 2})
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn:
        assert [_refused(conn, "name", f"g{n}") for n in range(3)] == [None, None, "day:2"]
    midnight = (NOW.astimezone(ZONE) + timedelta(days=1)).replace(hour=0, minute=0, second=1)
    team.set_server_clock(midnight)
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn:
        assert _refused(conn, "name", "g3") is None


def test_crm_add_in_a_team_names_no_colleague_and_says_when_the_check_is_used_up(team: Team) -> None:
    ann, bob = team.add_rep("ann"), team.add_rep("bob")
    customer_service.add_customer(ann, "上海宏达", phone="13800000001")
    sync.sync_round(ann)
    found = customer_service.team_duplicate(bob, name="宏达 Shanghai", phone="138 0000 0001", email=None)
    assert isinstance(found, NotAllowed)
    assert "held by a colleague" in str(found) and team.role("ann") not in str(found)
    assert customer_service.team_duplicate(bob, name="Nobody Ltd", phone="13900000009", email=None) is None
    admin.rules(team.dsn, {"duplicate_checks_per_day": 0})
    used_up = customer_service.team_duplicate(bob, name="Another Ltd", phone=None, email=None)
    assert isinstance(used_up, NotAllowed)
    assert "used up (0 checks a day)" in str(used_up)
