"""A rep with psql and the functions granted to them, against the real PostgreSQL: references that cross
customers, stamps of another rep's laptop, backdated follow-ups; and a laptop whose pull meets a row it
cannot store (it sets the row aside and goes on)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb
from textual.widgets import OptionList

from crmtui.services import customers as customer_service
from crmtui.services import deals as deal_service
from crmtui.services import merge as merge_service
from crmtui.services.follow_ups import log_follow_up
from crmtui.services import team_words
from crmtui.store import replica
from crmtui.store.models import Contract, Customer, DealStageChange, FollowUp, Payment
from crmtui.sync import client as sync
from crmtui.sync import protocol

from .teamserver import Team, local_rows, travel

CROSSING = {"it refers to a record of another customer", "records of another customer refer to it"}


def _log(ctx, customer_id: str, **refs: str) -> str:
    return log_follow_up(ctx, customer_id, channel="phone", goal="intro", goal_met=True, notes="called",
                         next_plan="send deck", next_at="in 3 days", **refs).id


def _server_one(team: Team, query: str, params: tuple = ()) -> object:
    with team.admin() as conn:
        return conn.execute(query, params).fetchone()[0]


@dataclass
class Book:
    """One customer's whole history on the server: ids of its contact, deal (won: stage change, contract,
    instalment) and a follow-up naming the contact and the deal."""

    customer: str
    contact: str
    deal: str
    stage_change: str
    contract: str
    payment: str
    follow_up: str


def _book(team: Team, ctx, name: str) -> Book:
    customer = customer_service.add_customer(ctx, name)
    contact = customer_service.add_contact(ctx, customer.id, f"{name} buyer")
    deal = deal_service.add_deal(ctx, customer.id, f"{name} deal", amount="1000")
    deal_service.move_stage(ctx, deal.id, "won", contract_no=f"HT-{name}", amount="1000", signed="today",
                            payments=[deal_service.parse_payment("1000@2026-12-31")])
    follow_up = _log(ctx, customer.id, contact_id=contact.id, deal_id=deal.id)
    sync.sync_round(ctx)
    with team.admin() as conn:
        def one(table: str, where: str, value: str) -> str:
            return conn.execute(f"SELECT id FROM crm.{table} WHERE {where} = %s", (value,)).fetchone()[0]

        return Book(customer.id, contact.id, deal.id, one("deal_stage_change", "deal_id", deal.id),
                    one("contract", "deal_id", deal.id), one("payment", "customer_id", customer.id), follow_up)


def _crossings(team: Team) -> int:
    """References anywhere on the server that leave their record's customer."""
    return _server_one(team, """
        SELECT (SELECT count(*) FROM crm.follow_up f JOIN crm.deal d ON d.id = f.deal_id WHERE d.customer_id <> f.customer_id)
             + (SELECT count(*) FROM crm.follow_up f JOIN crm.contact k ON k.id = f.contact_id
                 WHERE k.customer_id <> f.customer_id)
             + (SELECT count(*) FROM crm.deal_stage_change s JOIN crm.deal d ON d.id = s.deal_id
                 WHERE d.customer_id <> s.customer_id)
             + (SELECT count(*) FROM crm.contract c JOIN crm.deal d ON d.id = c.deal_id WHERE d.customer_id <> c.customer_id)
             + (SELECT count(*) FROM crm.payment p JOIN crm.contract c ON c.id = p.contract_id
                 WHERE c.customer_id <> p.customer_id)""")


def _forge(team: Team, rep: str, mutations: list[tuple[str, str, str, dict]], *, client: str | None = None,
           stamp_node: str | None = None, made_at: datetime | None = None) -> list[dict]:
    """Pushes hand-made mutations (kind, table, id, changes) the way a rep with psql can call sync.push."""
    client_id = client or f"{rep}-psql"
    with psycopg.connect(team.rep_url(rep), autocommit=True) as conn:
        if made_at is None:
            millis = conn.execute("SELECT (extract(epoch FROM sync.now()) * 1000)::bigint").fetchone()[0]
        else:
            millis = int(made_at.timestamp() * 1000)
        last = conn.execute("SELECT sync.last_seq(%s)", (client_id,)).fetchone()[0]
        batch = [{"seq": last + index, "mutation_id": str(uuid.uuid4()), "kind": kind, "table": table, "id": record_id,
                  "changes": changes, "base": {}, "format": 1,
                  "stamps": {k: f"{millis:015d}-{index:05d}-{stamp_node or client_id}" for k in changes}}
                 for index, (kind, table, record_id, changes) in enumerate(mutations, 1)]
        return conn.execute("SELECT sync.push(%s, %s)", (client_id, Jsonb(batch))).fetchone()[0]


def _times(team: Team) -> dict[str, str]:
    now = _server_one(team, "SELECT sync.now()")
    return {"created_at": now.isoformat(), "updated_at": now.isoformat()}


def _new_follow_up(team: Team, customer_id: str, **refs: str) -> dict:
    return {**_times(team), "customer_id": customer_id, "at": _times(team)["created_at"], "channel": "phone",
            "goal": "intro", "goal_met": True, "notes": "forged", **refs}


# The server refuses references that cross customers ----------------------------------------------

ATTACKS = {
    # an insert naming the other customer's record
    "follow_up.deal_id insert": lambda team, w, t: ("insert", "follow_up", str(uuid.uuid4()),
                                                    _new_follow_up(team, t.customer, deal_id=w.deal)),
    "follow_up.contact_id insert": lambda team, w, t: ("insert", "follow_up", str(uuid.uuid4()),
                                                       _new_follow_up(team, t.customer, contact_id=w.contact)),
    "contract.deal_id insert": lambda team, w, t: ("insert", "contract", str(uuid.uuid4()), {
        **_times(team), "customer_id": t.customer, "deal_id": w.deal, "number": "HT-X", "amount_cents": 100,
        "signed_on": "2026-11-24"}),
    # an update re-pointing a reference
    "follow_up.deal_id update": lambda team, w, t: ("update", "follow_up", t.follow_up, {"deal_id": w.deal}),
    "follow_up.contact_id update": lambda team, w, t: ("update", "follow_up", t.follow_up, {"contact_id": w.contact}),
    "deal_stage_change.deal_id update": lambda team, w, t: ("update", "deal_stage_change", t.stage_change,
                                                            {"deal_id": w.deal}),
    "contract.deal_id update": lambda team, w, t: ("update", "contract", t.contract, {"deal_id": w.deal}),
    "payment.contract_id update": lambda team, w, t: ("update", "payment", t.payment, {"contract_id": w.contract}),
    # a record moved to the other customer while what it names, or what names it, stays behind
    "follow_up.customer_id move": lambda team, w, t: ("update", "follow_up", w.follow_up, {"customer_id": t.customer}),
    "contract.customer_id move": lambda team, w, t: ("update", "contract", w.contract, {"customer_id": t.customer}),
    "deal.customer_id move": lambda team, w, t: ("update", "deal", w.deal, {"customer_id": t.customer}),
    "contact.customer_id move": lambda team, w, t: ("update", "contact", w.contact, {"customer_id": t.customer}),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_reference_across_customers_is_refused_and_the_next_holder_syncs(team: Team, attack: str) -> None:
    wang, li = team.add_rep("wang"), team.add_rep("li")
    own = _book(team, wang, "Wang Co")
    trap = _book(team, wang, "Trap Co")
    before = {t: team.server_rows(t) for t in ("follow_up", "contract", "deal_stage_change", "payment", "deal", "contact")}

    [result] = _forge(team, "wang", [ATTACKS[attack](team, own, trap)])

    assert result["outcome"] == "rejected" and result["detail"] in CROSSING, result
    assert _crossings(team) == 0
    after = {t: team.server_rows(t) for t in before}
    assert after == before  # nothing of the mutation stayed (nor of a move's cascade)
    # Trap Co goes to the pool; li claims it and keeps syncing.
    sync.release(wang, trap.customer)
    name, report = sync.claim(li, "Trap Co")
    assert name == "Trap Co" and report is not None and report.set_aside == 0
    again = sync.sync_round(li)
    assert again.set_aside == 0 and sync.status(li).last_error is None
    assert [c.name for c in local_rows(li, Customer)] == ["Trap Co"]
    assert [f.id for f in local_rows(li, FollowUp)] == [trap.follow_up]
    assert sync.sync_round(wang).set_aside == 0


def test_a_follow_up_on_ones_own_customer_naming_another_reps_deal_is_refused(team: Team) -> None:
    wang, li = team.add_rep("wang"), team.add_rep("li")
    mine = _book(team, wang, "Wang Co")
    theirs = _book(team, li, "Li Co")
    results = _forge(team, "wang", [
        ("insert", "follow_up", str(uuid.uuid4()), _new_follow_up(team, mine.customer, deal_id=theirs.deal)),
        ("update", "follow_up", mine.follow_up, {"contact_id": theirs.contact}),
        ("update", "deal_stage_change", mine.stage_change, {"deal_id": theirs.deal}),
    ])
    assert [(r["outcome"], r["detail"]) for r in results] == [
        ("rejected", "it refers to a record of another customer")] * 3
    assert _crossings(team) == 0
    assert sync.sync_round(wang).set_aside == 0 and sync.sync_round(li).set_aside == 0


def test_a_manager_cannot_cross_customers_either(team: Team) -> None:
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    one = _book(team, wang, "One")
    two = _book(team, wang, "Two")
    [result] = _forge(team, "boss", [("update", "follow_up", one.follow_up, {"deal_id": two.deal})])
    assert result["outcome"] == "rejected" and result["detail"] == "it refers to a record of another customer"
    assert sync.sync_round(boss).set_aside == 0


def test_a_merge_moves_every_record_of_the_merged_customer_tombstones_too(team: Team) -> None:
    wang = team.add_rep("wang")
    keep = customer_service.add_customer(wang, "Keep")
    other = customer_service.add_customer(wang, "Other")
    deal = deal_service.add_deal(wang, other.id, "Old deal", amount="500")
    follow_up = _log(wang, other.id, deal_id=deal.id)
    deal_service.delete_deal(wang, deal.id)  # the deal goes; the follow-up that names it stays
    sync.sync_round(wang)
    merge_service.merge_customers(wang, keep.id, other.id)
    report = sync.sync_round(wang)
    assert report.rejected == 0, report.rejections
    rows = {r["id"]: r for r in team.server_rows("deal") + team.server_rows("follow_up")}
    assert rows[deal.id]["customer_id"] == keep.id and rows[deal.id]["deleted_at"] is not None
    assert rows[follow_up]["customer_id"] == keep.id
    assert _crossings(team) == 0
    assert [d.customer_id for d in local_rows(wang, FollowUp)] == [keep.id]


def test_a_merge_into_a_customer_the_rep_does_not_hold_is_refused(team: Team) -> None:
    wang, li = team.add_rep("wang"), team.add_rep("li")
    mine = _book(team, wang, "Mine")
    theirs = _book(team, li, "Theirs")
    [result] = _forge(team, "wang", [("update", "customer", mine.customer, {"merged_into": theirs.customer})])
    assert result["outcome"] == "rejected" and result["detail"] == "the customer it moves to is not yours"
    assert {r["customer_id"] for r in team.server_rows("follow_up", "id = %s", (mine.follow_up,))} == {mine.customer}


# The laptop sets aside what it cannot store, goes on, and tries again later -----------------------

# Rows a server could hold from before it refused crossings (or forged by its admin): each names a record
# of Wang Co while it belongs to Trap Co.
PLANTED = {
    "follow_up.deal_id": ("follow_up", FollowUp,
                          "INSERT INTO crm.follow_up (id, created_at, updated_at, customer_id, deal_id, at, channel, goal,"
                          " goal_met, notes) VALUES (%(id)s, sync.now(), sync.now(), %(trap)s, %(deal)s, sync.now(),"
                          " 'phone', 'intro', true, 'planted')", "deal_id"),
    "follow_up.contact_id": ("follow_up", FollowUp,
                             "INSERT INTO crm.follow_up (id, created_at, updated_at, customer_id, contact_id, at, channel,"
                             " goal, goal_met, notes) VALUES (%(id)s, sync.now(), sync.now(), %(trap)s, %(contact)s,"
                             " sync.now(), 'phone', 'intro', true, 'planted')", "contact_id"),
    "deal_stage_change.deal_id": ("deal_stage_change", DealStageChange,
                                  "INSERT INTO crm.deal_stage_change (id, created_at, updated_at, customer_id, deal_id,"
                                  " to_stage, at) VALUES (%(id)s, sync.now(), sync.now(), %(trap)s, %(deal)s, 'won',"
                                  " sync.now())", "deal_id"),
    "contract.deal_id": ("contract", Contract,
                         "INSERT INTO crm.contract (id, created_at, updated_at, customer_id, deal_id, number, amount_cents,"
                         " signed_on) VALUES (%(id)s, sync.now(), sync.now(), %(trap)s, %(deal)s, 'HT-P', 100,"
                         " '2026-11-24')", "deal_id"),
    "payment.contract_id": ("payment", Payment,
                            "INSERT INTO crm.payment (id, created_at, updated_at, customer_id, contract_id, amount_cents,"
                            " due_on) VALUES (%(id)s, sync.now(), sync.now(), %(trap)s, %(contract)s, 100, '2026-12-31')",
                            "contract_id"),
}


@pytest.mark.parametrize("planted", list(PLANTED))
def test_a_pull_sets_aside_a_row_it_cannot_store_goes_on_and_retries_after_an_access_change(
        team: Team, planted: str) -> None:
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    own = _book(team, wang, "Wang Co")
    trap = customer_service.add_customer(wang, "Trap Co")
    sync.sync_round(wang)
    table, model, insert, column = PLANTED[planted]
    row_id = str(uuid.uuid4())
    with team.admin() as conn:
        conn.execute(insert, {"id": row_id, "trap": trap.id, "deal": own.deal, "contact": own.contact,
                              "contract": own.contract})
    sync.release(wang, trap.id)

    name, report = sync.claim(li, "Trap Co")  # it used to end in "FOREIGN KEY constraint failed", for ever

    assert name == "Trap Co" and report is not None and report.set_aside == 1
    assert [c.name for c in local_rows(li, Customer)] == ["Trap Co"]
    assert local_rows(li, model, id=row_id) == []
    _, rejected = sync.conflicts(li)
    [aside] = [r for r in rejected if r.kind == sync.RECEIVED]
    named = {"deal_id": own.deal, "contact_id": own.contact, "contract_id": own.contract}[column]
    assert (aside.seq, aside.table, aside.record_id) == (0, table, row_id)
    assert aside.reason == ("received from the server but not stored here: it refers to a record this laptop does"
                            f" not have ({column} {named})")
    assert aside.changes[column] == named
    # Later rounds go on and the cursor moves.
    with li.db.raw_read() as conn:
        cursor = replica.get_meta(conn, "sync_cursor")
    customer_service.edit_customer(li, trap.id, {"industry": "制造业"})
    later = sync.sync_round(li)
    assert later.applied == 1 and later.set_aside == 1 and sync.status(li).set_aside == 1
    with li.db.raw_read() as conn:
        assert replica.get_meta(conn, "sync_cursor") != cursor
    text, problem = team_words.status_line(li)
    assert "1 set aside" in text and problem
    # Wang Co changes hands to li: what the row named arrives, and the row goes in.
    sync.reassign(boss, own.customer, team.role("li"))
    final = sync.sync_round(li)
    assert final.gained == 1 and final.set_aside == 0
    assert [r.id for r in local_rows(li, model, id=row_id)] == [row_id]
    assert [r for r in sync.conflicts(li)[1] if r.kind == sync.RECEIVED] == []


def test_a_customer_leaving_takes_what_names_it_aside_instead_of_breaking_the_pull(team: Team) -> None:
    wang, li, boss = team.add_rep("wang"), team.add_rep("li"), team.add_rep("boss", manager=True)
    own = _book(team, wang, "Wang Co")
    trap = customer_service.add_customer(wang, "Trap Co")
    sync.sync_round(wang)
    planted = str(uuid.uuid4())
    with team.admin() as conn:  # a follow-up of Trap Co naming Wang Co's deal, from before the server refused it
        conn.execute(PLANTED["follow_up.deal_id"][2], {"id": planted, "trap": trap.id, "deal": own.deal})
    sync.sync_round(wang)
    assert [f.id for f in local_rows(wang, FollowUp, customer_id=trap.id)] == [planted]  # wang holds both: stored
    sync.reassign(boss, own.customer, team.role("li"))

    report = sync.sync_round(wang)  # removing Wang Co's deal would break the planted follow-up's reference

    assert report.lost == 1 and report.set_aside == 1
    assert [c.name for c in local_rows(wang, Customer)] == ["Trap Co"]
    [aside] = [r for r in sync.conflicts(wang)[1] if r.kind == sync.RECEIVED]
    assert aside.record_id == planted
    assert aside.reason == f"set aside: it refers to a record of a customer that left you (deal_id {own.deal})"
    assert sync.sync_round(wang).set_aside == 1
    assert sync.sync_round(li).set_aside == 0


def test_a_row_that_goes_in_later_leaves_the_set_aside_list(team: Team) -> None:
    wang, li = team.add_rep("wang"), team.add_rep("li")
    own = _book(team, wang, "Wang Co")
    trap = customer_service.add_customer(wang, "Trap Co")
    sync.sync_round(wang)
    planted = str(uuid.uuid4())
    with team.admin() as conn:
        conn.execute(PLANTED["follow_up.deal_id"][2], {"id": planted, "trap": trap.id, "deal": own.deal})
    sync.release(wang, trap.id)
    assert sync.claim(li, "Trap Co")[1].set_aside == 1
    with team.admin() as conn:  # the admin repairs the row: its new version reaches li by the delta
        conn.execute("UPDATE crm.follow_up SET deal_id = NULL WHERE id = %s", (planted,))
    assert sync.sync_round(li).set_aside == 0
    assert [f.id for f in local_rows(li, FollowUp)] == [planted]


# Stamps name a laptop of the pushing rep ----------------------------------------------------------

@pytest.mark.parametrize("kind", ["insert", "update", "delete", "repush"])
def test_a_mutation_stamped_with_another_reps_laptop_is_refused(team: Team, kind: str) -> None:
    wang, li = team.add_rep("wang"), team.add_rep("li")
    mine = _book(team, wang, "Wang Co")
    customer_service.add_customer(li, "Li Co")
    sync.sync_round(li)
    with li.db.raw_read() as conn:
        li_laptop = replica.get_meta(conn, "client_id")
    times = _times(team)
    changes = {
        "insert": ("customer", str(uuid.uuid4()), {**times, "name": "Posing", "name_key": "posing"}),
        "update": ("customer", mine.customer, {"industry": "posing"}),
        "delete": ("follow_up", mine.follow_up, {"deleted_at": times["updated_at"]}),
        "repush": ("customer", mine.customer, {"industry": "posing"}),
    }[kind]
    before = team.server_rows(changes[0], "id = %s", (changes[1],))

    [result] = _forge(team, "wang", [(kind, *changes)], stamp_node=li_laptop)

    assert result["outcome"] == "rejected" and result["detail"] == "stamp of another laptop"
    assert team.server_rows(changes[0], "id = %s", (changes[1],)) == before


def test_a_repush_may_carry_stamps_of_the_same_reps_other_laptop(team: Team) -> None:
    wang = team.add_rep("wang")
    mine = _book(team, wang, "Wang Co")
    with wang.db.raw_read() as conn:
        first_laptop = replica.get_meta(conn, "client_id")
    [result] = _forge(team, "wang", [("repush", "customer", mine.customer, {"industry": "钢铁"})],
                      client="wang-second-laptop", stamp_node=first_laptop)
    assert result["outcome"] == "applied"
    assert team.server_rows("customer", "id = %s", (mine.customer,))[0]["industry"] == "钢铁"


def test_a_laptop_resends_a_claimed_customer_after_a_restore_with_its_own_name_on_the_stamps(team: Team) -> None:
    from crmtui.server import admin

    li, wang = team.add_rep("li"), team.add_rep("wang")
    made = customer_service.add_customer(li, "Passed on", industry="化工")
    sync.sync_round(li)
    sync.release(li, made.id)
    sync.claim(wang, "Passed on")
    with wang.db.raw_read() as conn:
        wang_laptop = replica.get_meta(conn, "client_id")
    with team.admin() as conn:  # restored from a backup older than the customer
        conn.execute("TRUNCATE crm.customer, crm.access_change CASCADE")
    admin.init(team.dsn, new_epoch=True)
    report = sync.sync_round(wang)
    assert report.rejected == 0 and report.repushed >= 1
    [row] = team.server_rows("customer")
    assert row["industry"] == "化工" and row["owner"] == team.role("wang")
    assert {stamp.split("-", 2)[2] for stamp in row["stamps"].values()} == {wang_laptop}


# Backdated follow-ups and the 48-hour rule --------------------------------------------------------

def _claimed_then_reclaimed(team: Team, frozen, ann) -> tuple[str, datetime]:
    """A pool customer Ann claims at the start; 50 h later the first-contact rule has taken it back."""
    from crmtui.server import admin

    customer_id = str(uuid.uuid4())
    with team.admin() as conn:
        conn.execute("INSERT INTO crm.customer (id, created_at, updated_at, name, name_key) VALUES"
                     " (%s, sync.now() - interval '60 days', sync.now() - interval '60 days', '新客户', '新客户')",
                     (customer_id,))
    sync.claim(ann, "新客户")
    claimed = datetime.now(UTC)
    travel(team, frozen, timedelta(hours=50))
    assert admin.reclaim(team.dsn) == 1
    return customer_id, claimed


def _backdated(team: Team) -> list[dict]:
    with team.admin() as conn:
        return [r[0] for r in conn.execute("SELECT to_jsonb(b) FROM sync.backdated_follow_up b ORDER BY id")]


def test_a_follow_up_logged_offline_within_48_hours_of_the_claim_and_pushed_late_counts(team: Team, frozen) -> None:
    ann = team.add_rep("ann")
    customer_id, claimed = _claimed_then_reclaimed(team, frozen, ann)
    with ann.db.raw_read() as conn:
        laptop = replica.get_meta(conn, "client_id")
    # Offline since the claim, Ann wrote down at +30 h a call made at +10 h; the laptop pushes it at +50 h.
    at, made = claimed + timedelta(hours=10), claimed + timedelta(hours=30)
    [result] = _forge(team, "ann", [("insert", "follow_up", str(uuid.uuid4()),
                                     {**_new_follow_up(team, customer_id), "at": at.isoformat()})],
                      client=laptop, made_at=made)
    assert result["outcome"] == "applied"
    assert team.server_rows("customer")[0]["owner"] == team.role("ann")  # back to Ann
    [record] = _backdated(team)
    assert record["counted"] is True and record["gap"] == "20:00:00"
    assert record["client_id"] == laptop and record["rep"] == team.role("ann")


def test_a_follow_up_backdated_after_the_laptop_saw_the_reclaim_does_not_count_and_is_recorded(
        team: Team, frozen) -> None:
    ann, boss = team.add_rep("ann"), team.add_rep("boss", manager=True)
    customer_id, claimed = _claimed_then_reclaimed(team, frozen, ann)
    assert sync.sync_round(ann).lost == 1  # the laptop pulls: it knows the customer went back to the pool
    with ann.db.raw_read() as conn:
        laptop = replica.get_meta(conn, "client_id")
    travel(team, frozen, timedelta(hours=1))
    at = claimed + timedelta(hours=20)  # a call "made" inside the 48 hours, typed in now
    follow_up = str(uuid.uuid4())
    [result] = _forge(team, "ann", [("insert", "follow_up", follow_up,
                                     {**_new_follow_up(team, customer_id), "at": at.isoformat()})],
                      client=laptop, made_at=datetime.now(UTC))  # the laptop's clock
    assert result["outcome"] == "applied"  # kept as the customer's history: Ann held it at that time
    assert team.server_rows("customer")[0]["owner"] is None  # but it does not win the customer back
    [record] = _backdated(team)
    assert record["counted"] is False and record["follow_up_id"] == follow_up
    assert record["gap"] == "1 day 07:00:00"  # made at +51 h, dated +20 h
    assert record["last_pull_at"] is not None
    # A stamp dated back too (before the laptop's last pull) is not believed either.
    other = str(uuid.uuid4())
    [result] = _forge(team, "ann", [("insert", "follow_up", other, {**_new_follow_up(team, customer_id),
                                                                     "at": at.isoformat()})],
                      client=laptop, made_at=claimed + timedelta(hours=21))
    assert team.server_rows("customer")[0]["owner"] is None
    assert [r["counted"] for r in _backdated(team)] == [False, False]
    # The manager reads the record; the rep reads their own.
    with psycopg.connect(team.rep_url("boss"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM sync.backdated_follow_up").fetchone()[0] == 2
    with psycopg.connect(team.rep_url("ann"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM sync.backdated_follow_up").fetchone()[0] == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM sync.backdated_follow_up")
    assert boss is not None


def test_a_server_at_s0002_is_upgraded_in_place_and_keeps_its_rows(team: Team) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from crmtui.server import admin

    wang = team.add_rep("wang")
    own = _book(team, wang, "Wang Co")
    trap = customer_service.add_customer(wang, "Trap Co")
    sync.sync_round(wang)
    engine = create_engine(team.cluster.url(team.database).replace("postgresql:", "postgresql+psycopg:", 1),
                           poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(admin.MIGRATIONS))
    with engine.begin() as connection:  # the server as crmtui left it before this revision
        config.attributes["connection"] = connection
        command.downgrade(config, "s0002")
    engine.dispose()
    planted = str(uuid.uuid4())
    with team.admin() as conn:  # a crossing such a server accepted
        conn.execute(PLANTED["follow_up.deal_id"][2], {"id": planted, "trap": trap.id, "deal": own.deal})
        assert conn.execute("SELECT to_regclass('sync.backdated_follow_up')").fetchone()[0] is None

    result = admin.init(team.dsn)

    assert (result.revision_before, result.revision_after) == ("s0002", admin.head_revision())
    assert _crossings(team) == 1  # rows already there are kept as they are: laptops set them aside
    report = sync.sync_round(wang)
    assert report.rejected == 0 and report.set_aside == 0  # wang holds both customers: it stores the row
    assert _server_one(team, "SELECT count(*) FROM sync.client WHERE last_pull_at IS NOT NULL") == 1
    # An edit of the crossing row is refused until its reference is put right.
    [refused] = _forge(team, "wang", [("update", "follow_up", planted, {"notes": "edited"})])
    assert refused["outcome"] == "rejected" and refused["detail"] == "it refers to a record of another customer"


def test_crm_pool_claim_and_crm_sync_go_on_past_a_row_set_aside(team: Team) -> None:
    import json

    from .test_cli import ok
    from .test_cli_team import _set_up

    wang = team.add_rep("wang")
    own = _book(team, wang, "Wang Co")
    trap = customer_service.add_customer(wang, "Trap Co")
    sync.sync_round(wang)
    planted = str(uuid.uuid4())
    with team.admin() as conn:
        conn.execute(PLANTED["follow_up.deal_id"][2], {"id": planted, "trap": trap.id, "deal": own.deal})
    sync.release(wang, trap.id)
    _set_up(team, "li")

    assert "claimed Trap Co; it is in your lists now" in ok("pool", "claim", "Trap").stdout
    synced = ok("sync")
    assert ("1 record received from the server could not be stored here and is set aside; see `crm sync"
            " conflicts`") in synced.stdout
    listed = ok("sync", "conflicts").stdout
    assert listed.endswith("Received from the server but set aside (not stored on this laptop):\n"
                           f"  follow_up {planted[:8]}: received from the server but not stored here: it refers to"
                           f" a record this laptop does not have (deal_id {own.deal})\n"
                           "      it is tried again when customers change hands; the admin can put the record right\n")
    assert json.loads(ok("sync", "status", "--json").stdout)["set_aside"] == 1
    assert "rows received but set aside (see `crm sync conflicts`): 1" in ok("sync", "status").stdout
    assert "Trap Co" in ok("list", "customers").stdout


async def test_the_apps_conflicts_view_and_footer_show_a_row_set_aside(team: Team) -> None:
    from crmtui.tui.app import build_app
    from crmtui.tui.screens.conflicts import ConflictsScreen

    from .test_tui_team import SIZE, _footer, _option_texts, _until

    wang, li = team.add_rep("wang"), team.add_rep("li")
    own = _book(team, wang, "Wang Co")
    trap = customer_service.add_customer(wang, "Trap Co")
    sync.sync_round(wang)
    with team.admin() as conn:
        conn.execute(PLANTED["contract.deal_id"][2], {"id": str(uuid.uuid4()), "trap": trap.id, "deal": own.deal})
    sync.release(wang, trap.id)
    assert sync.claim(li, "Trap Co")[1].set_aside == 1
    app = build_app(li, watch_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: "1 set aside" in _footer(app))
        await pilot.press("C")
        await _until(pilot, lambda: isinstance(app.screen, ConflictsScreen)
                     and app.screen.query_one("#conflict-list", OptionList).option_count >= 3)
        texts = _option_texts(app, "#conflict-list")
        heading = texts.index("Received but set aside: not stored here (1)")
        assert texts[heading + 1].strip().startswith("contract") and "received from the server" in texts[heading + 1]


def test_every_reason_a_row_is_set_aside_for_is_translatable() -> None:
    assert set(replica.SET_ASIDE_REASONS) == set(protocol.SET_ASIDE_REASONS.values())
    assert set(protocol.SET_ASIDE_REASONS) <= set(team_words.REASON_WORDS)
    detail = f"{replica.MISSING_REFERENCE} (deal_id 1a2b)"
    assert protocol.reason_code(detail) == "aside_missing_reference"
    assert team_words.reason_text(detail) == detail  # English: as stored, the reference kept
