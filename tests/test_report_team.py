"""The team report: a manager's one row per rep (follow-ups and new customers in the period, deals won, win rate,
overdue now), a rep's and a lone book's single row; every figure worked out by hand below.

The manager's laptop holds two reps' customers (owners set as a pull would set them; no server is reached).
November 2026, the suite's clock at Tue 2026-11-24 10:00 Asia/Shanghai:
- wang  Wang A   added Oct 20; follow-ups Oct 31 23:30 local (October's, though UTC says Oct 31 15:30) and Nov 3
                 (next in 60 days); deal won Nov 10, 100,000
        Wang B   added Nov 1 00:00:00 local, November's first instant (UTC still Oct 31 16:00), with a follow-up
                 then (next in 60 days); follow-up Nov 20, next Nov 22 -> overdue now; deal lost Nov 15
        Wang C   added Nov 5; deal won Nov 12, reopened Nov 13 (not won; the reopening plans a follow-up 2 days
                 later, Nov 15 -> overdue now)
        Wang Gone added Nov 6 with a follow-up, then deleted -> nowhere
- li    Li A     added Nov 2; follow-up Nov 4, next Nov 20 -> overdue now; deal won Nov 20, 30,000
        Li Dup   added Nov 3 with a follow-up (next in 60 days), merged into Li A -> its follow-up counts once, as
                 Li A's; it is no new customer of its own
"""

from __future__ import annotations

from datetime import date

import pytest

from crmtui.services.agenda import team_load
from crmtui.services.customers import add_customer, delete_customer, edit_customer
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.merge import merge_customers
from crmtui.services.reports import module
from crmtui.services.reports.base import Report
from crmtui.store import replica

from .conftest import NOW
from .test_import_deals import _book as import_book
from .test_import_deals import imported
from .test_manager_today import _become_manager
from .test_report_forecast import NOVEMBER, YUAN, at, period


def _log(ctx, customer_id: str, next_at: str) -> None:
    log_follow_up(ctx, customer_id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at=next_at)


@pytest.fixture
def team(ctx, frozen):
    ids: dict[str, str] = {}
    owners: dict[str, str] = {}

    def customer(name: str, owner: str) -> str:
        ids[name] = add_customer(ctx, name).id
        owners[ids[name]] = owner
        return ids[name]

    at(frozen, 2026, 10, 20)
    wang_a = customer("Wang A", "wang")
    deal_a = add_deal(ctx, wang_a, "A", amount=100_000, stage="negotiation").id
    at(frozen, 2026, 10, 31, 23, 30)
    _log(ctx, wang_a, "in 60 days")
    at(frozen, 2026, 11, 1, 0, 0)
    wang_b = customer("Wang B", "wang")
    _log(ctx, wang_b, "in 60 days")
    deal_b = add_deal(ctx, wang_b, "B", amount=20_000, stage="negotiation").id
    at(frozen, 2026, 11, 2)
    li_a = customer("Li A", "li")
    deal_l = add_deal(ctx, li_a, "L", amount=30_000, stage="negotiation").id
    at(frozen, 2026, 11, 3)
    _log(ctx, wang_a, "in 60 days")
    li_dup = customer("Li Dup", "li")
    _log(ctx, li_dup, "in 60 days")
    at(frozen, 2026, 11, 4)
    _log(ctx, li_a, "in 16 days")
    at(frozen, 2026, 11, 5)
    wang_c = customer("Wang C", "wang")
    deal_c = add_deal(ctx, wang_c, "C", amount=50_000, stage="negotiation").id
    at(frozen, 2026, 11, 6)
    gone = customer("Wang Gone", "wang")
    _log(ctx, gone, "in 3 days")
    at(frozen, 2026, 11, 10)
    move_stage(ctx, deal_a, "won", contract_no="K-A", signed=date(2026, 11, 10))
    at(frozen, 2026, 11, 12)
    move_stage(ctx, deal_c, "won", contract_no="K-C", signed=date(2026, 11, 12))
    at(frozen, 2026, 11, 13)
    move_stage(ctx, deal_c, "negotiation", reopen=True)
    at(frozen, 2026, 11, 15)
    move_stage(ctx, deal_b, "lost", reason="price")
    at(frozen, 2026, 11, 20)
    _log(ctx, wang_b, "in 2 days")
    move_stage(ctx, deal_l, "won", contract_no="K-L", signed=date(2026, 11, 20))
    frozen.move_to(NOW)
    merge_customers(ctx, li_a, li_dup)
    delete_customer(ctx, gone)
    for customer_id, owner in owners.items():
        if customer_id not in (li_dup, gone):
            edit_customer(ctx, customer_id, {"owner": owner})
    return ids


def rows(report: Report) -> dict[str, tuple]:
    return {row.key: row.values for row in report.tables[0].rows}


def test_a_manager_sees_one_row_per_rep_and_the_team(ctx, home, team) -> None:
    _become_manager(ctx, home)
    report = module("team").build(ctx, NOVEMBER)
    assert rows(report) == {
        # follow-ups Nov 1 00:00 + Nov 3 + Nov 20 (Oct 31 23:30 is October's; Wang Gone deleted); new: Wang B,
        # Wang C;
        # won A 100,000; closed A won + B lost: 1 / 2; overdue Wang B (Nov 22) and Wang C (Nov 15)
        "wang": ("wang", 3, 2, 1, 100_000 * YUAN, 0.5, 2),
        # follow-ups Li A's Nov 4 and Li Dup's Nov 3 (moved to Li A); new: Li A; won L 30,000, 1 / 1; overdue Li A
        "li": ("li", 2, 1, 1, 30_000 * YUAN, 1.0, 1),
        # 3 + 2 follow-ups, 2 + 1 new, 2 won of 3 closed, 100,000 + 30,000 won, 2 + 1 overdue
        "all": ("Team", 5, 3, 2, 130_000 * YUAN, pytest.approx(2 / 3), 3),
    }
    assert [key for key in rows(report)] == ["li", "wang", "all"]
    # overdue is counted exactly as the manager's Today counts each rep's waiting work
    assert {load.rep: load.overdue for load in team_load(ctx)} == {"wang": 2, "li": 1}
    assert not report.empty and report.notes == ()


def test_october_ends_just_before_novembers_first_instant(ctx, home, team) -> None:
    _become_manager(ctx, home)
    october = rows(module("team").build(ctx, period(date(2026, 10, 1), date(2026, 10, 31), "2026-10")))
    # wang: Wang A's follow-up at 23:30 on Oct 31 and Wang A added Oct 20; Wang B and its follow-up at 00:00 on
    # Nov 1 are November's; nothing closed; overdue is now's: 2
    assert october["wang"] == ("wang", 1, 1, 0, 0, None, 2)


def test_the_records_behind_a_reps_numbers(ctx, home, team) -> None:
    _become_manager(ctx, home)
    wang = next(row for row in module("team").build(ctx, NOVEMBER).tables[0].rows if row.key == "wang")
    follow_ups, customers, won, _amount, closed, overdue = wang.cell_drills[1:]
    assert follow_ups.kind == "follow_ups" and len(follow_ups.ids) == 3
    assert customers.kind == "customers" and set(customers.ids) == {team["Wang B"], team["Wang C"]}
    assert won.kind == "deals" and len(won.ids) == 1 and wang.drill == won
    assert len(closed.ids) == 2
    assert overdue.kind == "customers" and overdue.ids == (team["Wang C"], team["Wang B"])  # most overdue first


def test_a_manager_asks_for_one_rep(ctx, home, team) -> None:
    _become_manager(ctx, home)
    assert rows(module("team").build(ctx, NOVEMBER, rep="li")) == {"li": ("li", 2, 1, 1, 30_000 * YUAN, 1.0, 1)}


def test_a_rep_who_is_not_a_manager_gets_their_own_row(ctx, home, team) -> None:
    _become_manager(ctx, home, user="wang")
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        replica.set_meta(conn, "sync_manager", "0")  # the last sync said: a rep
    report = module("team").build(ctx, NOVEMBER)
    assert rows(report) == {"wang": ("wang", 3, 2, 1, 100_000 * YUAN, 0.5, 2)}  # wang's figures as above
    assert report.notes == ("The team view, one row per rep, is a manager's: this is your own row.",)


def test_a_book_without_a_team_gets_its_own_row_and_a_note(ctx, team) -> None:
    report = module("team").build(ctx, NOVEMBER)
    # everything the book holds: the team's total above, overdue from the rep's own agenda (3 customers)
    assert rows(report) == {"mine": ("Your book", 5, 3, 2, 130_000 * YUAN, pytest.approx(2 / 3), 3)}
    assert report.notes == ("The team view, one row per rep, is a manager's: this is your own row.",)


def test_an_empty_period_says_so(ctx, home) -> None:
    _become_manager(ctx, home)
    report = module("team").build(ctx, period(date(2017, 4, 1), date(2017, 6, 30), "2017Q2"))
    assert report.empty and report.empty_text.startswith("No follow-up was logged, no customer added and no deal")
    assert report.tables[0].rows == ()


def test_imported_deals_count_for_the_rep_their_import_names(tmp_path, ctx, home) -> None:
    """Another CRM's pipeline (tests/test_import_deals.py's file), on a manager's laptop: each sales agent an imported
    deal names gets a row. 2017Q1 closed: D01 Ann won 3/1 (500), D02 Ann won 3/31 (4,800), D18 Cy won 2/5 (450),
    D19 Ann lost 2/6; D03 Bob won 4/1 is April's."""
    pipeline, mapping = import_book(tmp_path)
    assert imported(str(pipeline), "--mapping", str(mapping))["counts"]["created"] == 18
    _become_manager(ctx, home)
    q1 = period(date(2017, 1, 1), date(2017, 3, 31), "2017Q1")
    assert rows(module("team").build(ctx, q1)) == {
        "Ann Lee": ("Ann Lee", 0, 0, 2, 5_300 * YUAN, pytest.approx(2 / 3), 0),  # 500 + 4,800; 2 won of 3 closed
        "Bob Ma": ("Bob Ma", 0, 0, 0, 0, None, 0),
        "Cy Xu": ("Cy Xu", 0, 0, 1, 450 * YUAN, 1.0, 0),
        "all": ("Team", 0, 0, 3, 5_750 * YUAN, 0.75, 0),  # 500 + 4,800 + 450; 3 won of 4 closed
    }
    march = module("forecast").build(ctx, period(date(2017, 3, 1), date(2017, 3, 31), "2017-03"), rep="Ann Lee")
    assert march.tables[0].rows[0].values[5:7] == (2, 5_300 * YUAN)  # D01 and D02, won on 3/1 and 3/31


def test_the_headline_figures_and_the_bars_are_the_teams(ctx, home, team) -> None:
    _become_manager(ctx, home)
    report = module("team").build(ctx, NOVEMBER)
    # the team row: 5 follow-ups, 130,000 won, 2 won of 3 closed, 3 overdue
    assert {figure.key: figure.value for figure in report.figures} == {
        "follow_ups": 5, "won": 130_000 * YUAN, "win_rate": pytest.approx(2 / 3), "overdue": 3}
    assert {figure.key: len(figure.drill.ids) for figure in report.figures} == {
        "follow_ups": 5, "won": 2, "win_rate": 3, "overdue": 3}
    assert [(bar.label, bar.value) for bar in report.charts[0].bars] == [("li", 30_000 * YUAN),
                                                                         ("wang", 100_000 * YUAN)]


def test_overdue_alone_makes_a_period_not_empty_and_due_later_today_is_not_overdue(ctx, home, team) -> None:
    wang_today = add_customer(ctx, "Wang Today")
    _log(ctx, wang_today.id, "下午3点")  # 15:00 today: due, not overdue
    edit_customer(ctx, wang_today.id, {"owner": "wang"})
    _become_manager(ctx, home)
    report = module("team").build(ctx, period(date(2017, 4, 1), date(2017, 6, 30), "2017Q2"))
    # nothing happened in 2017Q2; overdue now: wang 2 (Wang B, Wang C), li 1
    assert rows(report) == {"li": ("li", 0, 0, 0, 0, None, 1), "wang": ("wang", 0, 0, 0, 0, None, 2),
                            "all": ("Team", 0, 0, 0, 0, None, 3)}
    assert not report.empty


def test_who_may_ask_for_whose_figures(ctx, home, team) -> None:
    from crmtui.core.errors import NotAllowed
    from crmtui.services.reports import scope

    # a book without a team: "all" is the whole book, as the app's "everyone"; no rep of a team to pick
    assert scope.resolve(ctx, "all") is None and scope.reps(ctx) == []
    _become_manager(ctx, home, user="wang")
    assert scope.reps(ctx) == ["li", "wang"] and scope.resolve(ctx, "LI") == "li"
    assert scope.resolve(ctx, "all") is None
    with ctx.db.raw_write(ctx.clock.utcnow()) as (conn, _):
        replica.set_meta(conn, "sync_manager", "0")  # the last sync said: a rep
    assert scope.reps(ctx) == []
    with pytest.raises(NotAllowed, match="manager"):
        scope.resolve(ctx, "li")
