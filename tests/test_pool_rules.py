"""Pool rules pinned on the real team server (the rules live in its SQL functions), with the team clock set
by the test: the daily claim limit counts claims per day of the team's time zone, not per UTC day."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg

from crmtui.server import admin

from .teamserver import Team


def _pool_customer(team: Team, name: str) -> str:
    customer_id = str(uuid.uuid4())
    with team.admin() as conn:
        conn.execute(
            "INSERT INTO crm.customer (id, created_at, updated_at, name, name_key)"
            " VALUES (%s, sync.now() - interval '60 days', sync.now() - interval '60 days', %s, %s)",
            (customer_id, name, name.casefold()),
        )
    return customer_id


def _claim_at(team: Team, rep: str, customer_id: str, moment: datetime) -> str:
    """The rep claims at `moment` on the team clock: "won", or the server's refusal key."""
    team.set_server_clock(moment)
    with psycopg.connect(team.rep_url(rep), autocommit=True) as conn:
        try:
            conn.execute("SELECT sync.claim(%s)", (customer_id,))
        except psycopg.Error as error:
            return error.diag.message_primary or ""
    return "won"


def _team_rules(team: Team, *, timezone: str, claim_limit: int) -> None:
    admin.rules(team.dsn, {"claim_limit": claim_limit})
    with team.admin() as conn:
        conn.execute("UPDATE crm.pool_rule SET timezone = %s WHERE id = 1", (timezone,))


def test_claims_early_in_the_morning_in_shanghai_count_toward_that_shanghai_day(team: Team) -> None:
    """23:30 UTC on the 24th is 07:30 on the 25th in Shanghai: those claims use up the 25th's limit."""
    team.add_rep("ann")
    _team_rules(team, timezone="Asia/Shanghai", claim_limit=2)
    first, second, third = (_pool_customer(team, name) for name in ("甲公司", "乙公司", "丙公司"))

    assert _claim_at(team, "ann", first, datetime(2026, 11, 24, 23, 30, tzinfo=UTC)) == "won"
    assert _claim_at(team, "ann", second, datetime(2026, 11, 24, 23, 40, tzinfo=UTC)) == "won"
    # 09:00 and 23:59:59 on the 25th in Shanghai, a new day in UTC: the limit of the 25th is used up.
    assert _claim_at(team, "ann", third, datetime(2026, 11, 25, 1, 0, tzinfo=UTC)) == "claim_limit"
    assert _claim_at(team, "ann", third, datetime(2026, 11, 25, 15, 59, 59, tzinfo=UTC)) == "claim_limit"
    # 00:00 on the 26th in Shanghai: a new day, still the 25th in UTC.
    assert _claim_at(team, "ann", third, datetime(2026, 11, 25, 16, 0, tzinfo=UTC)) == "won"
    owned = team.server_rows("customer", "owner = %s", (team.role("ann"),))
    assert sorted(row["name"] for row in owned) == sorted(["甲公司", "乙公司", "丙公司"])


def test_the_claim_day_follows_the_zone_the_team_set(team: Team) -> None:
    """In New York (UTC-5 in November) the day turns at 05:00 UTC."""
    team.add_rep("ann")
    _team_rules(team, timezone="America/New_York", claim_limit=1)
    first, second = _pool_customer(team, "Acme"), _pool_customer(team, "Globex")

    assert _claim_at(team, "ann", first, datetime(2026, 11, 25, 3, 0, tzinfo=UTC)) == "won"  # 22:00 on the 24th
    assert _claim_at(team, "ann", second, datetime(2026, 11, 25, 4, 59, 59, tzinfo=UTC)) == "claim_limit"
    assert _claim_at(team, "ann", second, datetime(2026, 11, 25, 5, 0, tzinfo=UTC)) == "won"  # 00:00 on the 25th
