"""How the team screens word what they show: a rejected change's fields by their labels with values as the app
shows them (times in the rep's zone, channels and yes/no by name), one rejected change per thing the rep did (a
follow-up's move of its customer's dates goes with it, listed, counted and dismissed with it), pool rows that fit
the screen, a release reason put in one translatable message, and the rep's own words kept as typed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from textual.widgets import OptionList

from crmtui.core import i18n, labels
from crmtui.tui.app import build_app
from crmtui.core.errors import InvalidInput, NotFound
from crmtui.tui.screens.conflicts import ConflictsScreen
from crmtui.tui.screens.pool import PoolScreen
from crmtui.services import customers as customer_service
from crmtui.services import follow_ups as follow_up_service
from crmtui.services import team_words
from crmtui.services.context import Context
from crmtui.store import models, replica
from crmtui.sync import client as sync
from crmtui.sync import notices, pool_view
from crmtui.sync.pool_view import PoolEntry

from .conftest import NOW
from .teamserver import Team, travel
from .test_tui_team import _option_texts, _until


@pytest.fixture
def chinese():  # type: ignore[no-untyped-def]
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


FOLLOW_UP = {"customer_id": "c-1", "contact_id": None, "deal_id": None, "at": "2026-11-23T23:30:00+00:00",
             "channel": "phone", "goal": "了解需求", "goal_met": True, "notes": "客户要40个账号，下周报价",
             "next_plan": "发报价单", "next_at": "2026-11-27T02:00:00+00:00", "created_at": "2026-11-24T02:00:00+00:00",
             "updated_at": "2026-11-24T02:00:00+00:00", "deleted_at": None}
"""A follow-up's mutation as the outbox keeps it: times in UTC (23:30 UTC is 07:30 the next day in Shanghai)."""


# ------------------------------------------------------------------ fields by label, values as shown


def test_a_rejected_follow_up_reads_by_labels_in_the_reps_zone(ctx: Context) -> None:
    assert team_words.change_fields(ctx, "follow_up", FOLLOW_UP) == [
        ("When", "Tue 24 Nov 07:30"), ("Channel", "Phone"), ("Goal", "了解需求"), ("Goal met?", "yes"),
        ("Notes", "客户要40个账号，下周报价"), ("Next plan", "发报价单"), ("Next date", "Fri 27 Nov 10:00")]


def test_in_chinese_the_labels_channel_yes_no_and_dates_are_chinese(ctx: Context, chinese) -> None:
    shown = dict(team_words.change_fields(ctx, "follow_up", {**FOLLOW_UP, "goal_met": False}))
    assert shown["沟通方式"] == "电话" and shown["是否达成？"] == "否"
    assert shown["下次联系"] == "11月27日 周五 10:00" and shown["跟进内容"] == "客户要40个账号，下周报价"
    assert not any(name in shown for name in FOLLOW_UP if name not in ("goal", "notes"))  # no raw column name


def test_derived_and_internal_columns_are_never_shown(ctx: Context) -> None:
    changes = {"id": "c-1", "name_key": "acme", "pinyin": "acme", "phone_key": "13800000001", "email_key": "a@b",
               "score": 40, "last_contact_at": "2026-11-20T01:00:00+00:00", "created_at": "2026-11-01T00:00:00+00:00",
               "updated_at": "2026-11-24T02:00:00+00:00", "owner": "wang", "email": "wang-new@acme.example",
               "next_follow_up_at": "2026-12-31T16:00:00+00:00", "status": "prospect"}
    assert team_words.change_fields(ctx, "customer", changes) == [
        ("Email", "wang-new@acme.example"), ("Next follow-up", "Fri 1 Jan 2027 00:00"), ("Status", "prospect")]


def test_amounts_days_stages_and_decision_makers_read_as_elsewhere(ctx: Context) -> None:
    assert team_words.change_fields(ctx, "deal", {"title": "数控机床", "amount_cents": 12000050, "stage": "quote",
                                               "expected_close": "2026-12-15", "stage_entered_at": "x"}) == [
        ("Title", "数控机床"), ("Amount", "120,000.50"), ("Deal stage", "Quote"), ("Close date", "Tue 15 Dec")]
    assert team_words.change_fields(ctx, "contact", {"title": "采购经理", "decision_maker": 1}) == [
        ("Job title", "采购经理"), ("Decision maker", "yes")]


def test_every_column_of_every_synced_table_has_a_label_or_is_hidden() -> None:
    tables = (models.Customer, models.Contact, models.Deal, models.DealStageChange, models.FollowUp,
              models.Contract, models.Payment, models.CustomerTag)
    unlabelled = [(table.__tablename__, column) for table in tables for column in table.model_fields
                  if column not in notices.hidden_columns(table.__tablename__)
                  and labels.column(table.__tablename__, column) == column]
    assert unlabelled == []


# ------------------------------------------------------------------ a follow-up's companion


def _rejection(seq: int, table: str, record_id: str, changes: dict, at: str = "2026-11-24 02:00:00",
               kind: str = "update") -> sync.Rejection:
    return sync.Rejection(seq, table, record_id, kind, changes, "the customer is no longer yours", at, "Acme Health")


def test_the_dates_a_rejected_follow_up_gave_its_customer_go_with_it() -> None:
    follow_up = _rejection(7, "follow_up", "f-1", FOLLOW_UP, kind="insert")
    dates = _rejection(8, "customer", "c-1", {"last_contact_at": FOLLOW_UP["at"], "next_follow_up_at":
                                              FOLLOW_UP["next_at"], "updated_at": FOLLOW_UP["updated_at"]})
    email = _rejection(6, "customer", "c-1", {"email": "wang-new@acme.example", "email_key": "wang-new@acme.example"})
    grouped = notices.rejected_changes([email, follow_up, dates])
    assert [(change.seq, [c.seq for c in change.companions]) for change in grouped] == [(6, []), (7, [8])]


def test_dates_the_rep_set_some_other_way_are_a_change_of_their_own() -> None:
    follow_up = _rejection(7, "follow_up", "f-1", FOLLOW_UP, kind="insert")
    later = _rejection(8, "customer", "c-1", {"next_follow_up_at": FOLLOW_UP["next_at"]}, at="2026-11-24 03:00:00")
    other_date = _rejection(9, "customer", "c-1", {"next_follow_up_at": "2026-12-01T02:00:00+00:00"})
    other_customer = _rejection(10, "customer", "c-2", {"next_follow_up_at": FOLLOW_UP["next_at"]})
    with_a_field = _rejection(11, "customer", "c-1", {"next_follow_up_at": FOLLOW_UP["next_at"], "region": "深圳"})
    assert notices.companions([follow_up, later, other_date, other_customer, with_a_field]) == {}


def _rejected_follow_up(team: Team, frozen) -> tuple[Context, sync.RoundReport]:
    """boss gives Acme to li; a minute later wang, offline, changes Acme's email and logs a call on it: the email,
    the follow-up (dated after Acme left him) and the customer's dates the follow-up moved are rejected."""
    wang, boss = team.add_rep("wang"), team.add_rep("boss", manager=True)
    team.add_rep("li")
    acme = customer_service.add_customer(wang, "Acme Health", email="info@acme.example")
    sync.sync_round(wang)
    sync.reassign(boss, acme.id, team.role("li"))
    travel(team, frozen, timedelta(minutes=1))
    customer_service.edit_customer(wang, acme.id, {"email": "wang-new@acme.example"})
    follow_up_service.log_follow_up(wang, acme.id, channel="phone", goal="了解需求", goal_met=True,
                                    notes="客户要40个账号", next_plan="发报价单", next_at=NOW + timedelta(days=3))
    report = sync.sync_round(wang)
    with wang.db.raw_read() as conn:
        assert len(replica.rejected_mutations(conn)) == 3  # all three stay in the outbox
    return wang, report


def test_a_rejected_follow_up_and_its_dates_count_once(team: Team, frozen) -> None:
    wang, report = _rejected_follow_up(team, frozen)
    with wang.db.raw_read() as conn:
        assert notices.rejected_count(conn) == 2
    _, rejected = sync.conflicts(wang)
    grouped = notices.rejected_changes(rejected)
    assert [(c.rejection.table, [m.table for m in c.companions]) for c in grouped] == [
        ("customer", []), ("follow_up", ["customer"])]
    assert report.rejected in (2, 3)  # 3 until the round folds companions (fold_round_rejections, below)
    notices.fold_round_rejections(wang, report)
    assert report.rejected == 2 and [seq for seq, _ in report.rejections] == [c.seq for c in grouped]


def test_dismissing_the_follow_up_dismisses_its_dates(team: Team, frozen) -> None:
    wang, _report = _rejected_follow_up(team, frozen)
    email, follow_up = notices.rejected_changes(sync.conflicts(wang)[1])
    assert notices.dismiss_rejected_change(wang, follow_up.seq) == 1
    assert [r.seq for r in sync.conflicts(wang)[1]] == [email.seq]
    assert notices.dismiss_rejected_change(wang, None) == 1
    assert sync.conflicts(wang)[1] == []
    with pytest.raises(NotFound, match='^no rejected change matches "#99"$'):
        notices.dismiss_rejected_change(wang, 99)


async def test_the_conflicts_screen_lists_two_changes_by_label_and_d_dismisses_the_pair(team: Team, frozen) -> None:
    wang, _report = _rejected_follow_up(team, frozen)
    app = build_app(wang, watch_seconds=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("C")
        await _until(pilot, lambda: isinstance(app.screen, ConflictsScreen)
                     and app.screen.query_one("#conflict-list", OptionList).option_count >= 5)
        texts = _option_texts(app, "#conflict-list")
        assert "Rejected changes: not on the server (2)" in texts
        [follow_up] = [t for t in texts if "follow-up" in t and "#" in t]
        for shown in ("When=Tue 24 Nov 10:01", "Channel=Phone", "Goal met?=yes", "Next date=Fri 27 Nov 10:00"):
            assert shown in follow_up
        screen = "\n".join(texts)
        for raw in ("at=", "goal_met", "next_at", "next_follow_up_at", "+00:00", "True"):
            assert raw not in screen
        listing = app.screen.query_one("#conflict-list", OptionList)
        assert all(line.cell_len <= listing.scrollable_content_region.width
                   for i in range(listing.option_count) for line in listing.get_option_at_index(i).prompt.split())
        listing.highlighted = next(i for i in range(listing.option_count)
                                   if "follow-up" in str(listing.get_option_at_index(i).prompt))
        await pilot.press("d")
        await _until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("y")
        await _until(pilot, lambda: "Rejected changes: not on the server (1)" in _option_texts(app, "#conflict-list"))
    with wang.db.raw_read() as conn:
        assert [table for _seq, table, *_rest in replica.rejected_mutations(conn)] == ["customer"]
        assert "email" in json.loads(replica.rejected_mutations(conn)[0][4])


# ------------------------------------------------------------------ the pool's rows


def _entries() -> list[PoolEntry]:
    """The pool of the team snapshots: one customer this rep released two hours ago (claimable again in 7 days)."""
    released = NOW - timedelta(days=1)
    entries = [PoolEntry("c-1", "Acme Health", None, "医疗", "深圳", None, "pool",
                         claimable_after=(NOW + timedelta(days=7) - timedelta(hours=2)).astimezone(UTC),
                         why="release", note="duplicate", since=NOW - timedelta(hours=2))]
    for index, (name, details, note, days) in enumerate((
            ("上海宏达机械", ("制造", "上海"), "no-budget", 20), ("北京智联科技", ("软件", "北京"), "not-my-territory", 12),
            ("杭州绿源农业", ("农业", "杭州"), "other: 客户已搬到国外", 6))):
        entries.append(PoolEntry(f"c-{index + 2}", name, None, *details, NOW - timedelta(days=days), "pool",
                                 why="release", note=note, since=released))
    entries.append(PoolEntry("c-9", "广州天河贸易", None, "贸易", "广州", None, "pool", why="reassign", since=released))
    return entries


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("size", [(100, 30), (80, 24), (80, 12)])
async def test_pool_rows_fit_the_screen_on_one_line(ctx: Context, language: str, size: tuple[int, int]) -> None:
    i18n.set_language(language)
    try:
        app = build_app(ctx)
        async with app.run_test(size=size) as pilot:
            screen = PoolScreen()
            app.push_screen(screen)
            await pilot.pause()
            await app.workers.wait_for_complete()  # no team here: the load says so, then the rows are shown
            await pilot.pause()
            copies = 3 if size[1] < 20 else 1  # a list longer than the screen: a scroll bar takes two cells
            screen.show([replace(entry, id=f"{entry.id}-{copy}") for copy in range(copies) for entry in _entries()])
            for _ in range(4):
                await pilot.pause()
            listing = screen.query_one("#pool-list", OptionList)
            assert listing.option_count == 5 * copies
            assert listing.virtual_size.height == listing.option_count  # no row wraps onto a second line
            room = listing.scrollable_content_region.width
            assert all(listing.get_option_at_index(i).prompt.cell_len <= room for i in range(listing.option_count))
            locked = str(listing.get_option_at_index(0).prompt)
            day = "Tue 1 Dec 08:00" if language == "en" else "12月1日 周二 08:00"
            assert day in locked and "2026-12-01" not in locked
    finally:
        i18n.set_language("en")


def test_the_claim_again_date_is_the_apps_usual_day_and_time(ctx: Context) -> None:
    from crmtui.tui.screens.pool import pool_rows

    [locked, *others] = [str(line) for line in pool_rows(_entries(), 96, ctx.clock)]
    assert locked.endswith("claim again from Tue 1 Dec 08:00")
    assert others[0].endswith("last Wed 4 Nov")


# ------------------------------------------------------------------ the release reason


def test_released_with_a_reason_is_one_message_that_a_language_can_punctuate(monkeypatch) -> None:
    catalog = {"released: {reason}": "由销售退回：{reason}", "no budget": "没有预算"}
    monkeypatch.setattr(team_words, "_", lambda text: catalog.get(text, text))  # its words, as a catalog gives them
    entry = PoolEntry("c-1", "上海宏达机械", None, None, None, None, "pool", why="release", note="no-budget")
    assert team_words.why_text(entry) == "由销售退回：没有预算"
    assert "released: {reason}" in team_words.WHY_WITH_REASON.values()


def test_other_in_one_string_keeps_the_reps_words() -> None:
    assert pool_view.release_reason("other: 客户已搬到国外") == "other: 客户已搬到国外"
    assert pool_view.release_reason("Other: Moved to Lyon, call Anne") == "other: Moved to Lyon, call Anne"
    assert pool_view.release_reason("other", "客户已搬到国外") == "other: 客户已搬到国外"
    assert pool_view.release_reason("No budget") == "no-budget"
    assert team_words.parse_reason_option("other：客户搬走了") == "other: 客户搬走了"  # a Chinese colon
    with pytest.raises(InvalidInput, match="^reason: other: followed by your words"):
        pool_view.release_reason("other:   ")
