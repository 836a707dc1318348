"""What `crm` prints for a rep: no dangling separators, no raw stamps, refusals that say why."""

from __future__ import annotations

from pathlib import Path

from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.deals import add_deal
from tests.test_cli import fails, ok


def test_list_rows_end_with_a_value_not_a_separator(ctx: Context) -> None:
    add_customer(ctx, "Acme", status="customer")  # no phone
    add_customer(ctx, "Globex", status="customer", phone="13800138000")
    customer = add_customer(ctx, "Initech", status="customer")
    add_deal(ctx, customer.id, "Seats")  # no amount
    for what in ("customers", "deals"):
        lines = ok("list", what).stdout.splitlines()
        assert lines
        for line in lines:
            assert not line.rstrip().endswith("·"), line
    assert any(line.endswith("13800138000") for line in ok("list", "customers").stdout.splitlines())


def test_edit_does_not_offer_or_take_the_pool_status(ctx: Context) -> None:
    add_customer(ctx, "Acme", status="customer")
    result = fails("edit", "Acme", "--status", "pool")
    assert result.stderr.startswith("error: status:")
    assert "pool" not in result.stderr.split("one of", 1)[1].split("(got")[0]
    assert ok("show", "Acme", "--json").stdout.count('"status": "customer"') == 1


def test_backup_into_a_missing_folder_is_refused_and_creates_nothing(home: Path, ctx: Context) -> None:
    add_customer(ctx, "Acme")
    target = home / "nowhere" / "deeper" / "copy.db"
    result = fails("backup", str(target))
    assert result.stderr.startswith("error: path:") and "there is no folder" in result.stderr and "copy.db" in result.stderr
    assert not (home / "nowhere").exists()


def test_show_prints_times_as_the_app_does_not_iso_stamps(ctx: Context) -> None:
    from crmtui.services.follow_ups import log_follow_up

    customer = add_customer(ctx, "Acme", status="customer")
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at="fri 3pm")  # NOW is Tue 24 Nov 10:00 in Shanghai
    text = ok("show", "Acme").stdout
    assert "next follow-up: Fri 27 Nov 15:00" in text
    assert "last contact: Tue 24 Nov 10:00" in text
    assert "→ call  Fri 27 Nov 15:00" in text
    assert "T15:00" not in text and "+08:00" not in text
    assert not any(line != line.rstrip() for line in text.splitlines())  # no trailing blanks from empty fields
    assert ok("show", "Acme", "--json").stdout.count("2026-11-27T15:00+08:00") == 2  # machines keep ISO


def test_a_quiet_day_suggests_the_demo_only_on_an_empty_book(ctx: Context) -> None:
    assert "crm demo" in ok("today").stdout
    from crmtui.services.follow_ups import log_follow_up

    customer = add_customer(ctx, "Acme", status="customer")
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                  next_at="in 3 days")
    text = ok("today").stdout
    assert "Nothing due today." in text and "crm demo" not in text


async def test_the_apps_quiet_day_suggests_the_demo_only_on_an_empty_book(ctx: Context) -> None:
    from textual.widgets import OptionList

    from crmtui.tui.app import build_app
    from crmtui.services.follow_ups import log_follow_up

    for filled in (False, True):
        if filled:
            customer = add_customer(ctx, "Acme", status="customer")
            log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="call",
                          next_at="in 3 days")
        app = build_app(ctx)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            shown = str(app.screen.query_one("#agenda", OptionList).get_option_at_index(0).prompt)
        assert shown.startswith("Nothing due today.")
        assert ("crm demo" in shown) is not filled


def test_show_indents_every_line_of_a_follow_ups_notes(ctx: Context) -> None:
    from crmtui.services.follow_ups import log_follow_up

    customer = add_customer(ctx, "Acme", status="customer")
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="预算已批\n下周签约\n找王总",
                  next_plan="call", next_at="fri 3pm")
    lines = ok("show", "Acme").stdout.splitlines()
    assert [line for line in lines if line.strip() in {"预算已批", "下周签约", "找王总"}] == [
        "      预算已批", "      下周签约", "      找王总"]
