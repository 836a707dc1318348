"""The rules of a move between stages beyond each stage's own gate: a move forward past stages asks for their
gates (a skipped Quote's quoted amount), the skip_stages setting forbids such moves for teams that move one stage
at a time, and what a form asks before a move (plan_move). Services first, then the CLI (CliRunner).

The clock is frozen at Tue 2026-11-24 10:00 Asia/Shanghai (conftest).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crmtui.cli.commands import app as cli_app
from crmtui.core.config import settings_from_dict
from crmtui.core.errors import InvalidInput, MissingFields
from crmtui.services.customers import add_customer, customer_detail
from crmtui.services.deals import add_deal, move_stage
from crmtui.services.stage_rules import plan_move

runner = CliRunner()


@pytest.fixture
def bare(ctx):
    """Acme's deal "Seats" in Initial contact, with no amount yet."""
    return add_deal(ctx, add_customer(ctx, "Acme").id, "Seats")


@pytest.fixture
def one_step(ctx):
    """The rep's settings say deals move one stage at a time (不能跳步)."""
    ctx.settings = replace(ctx.settings, skip_stages=False)
    return ctx


def _deal(ctx, deal):
    (found,) = [d for d in customer_detail(ctx, deal.customer_id).deals if d.id == deal.id]
    return found


# ---------------------------------------------------------------- services


def test_a_move_past_quote_asks_for_the_quoted_amount_and_records_it(ctx, bare):
    with pytest.raises(MissingFields) as caught:
        move_stage(ctx, bare.id, "negotiation")
    assert caught.value.fields == ["quoted"]
    assert str(caught.value) == "moving to Negotiation past Quote needs: quoted amount"
    assert _deal(ctx, bare).stage == "initial"
    move_stage(ctx, bare.id, "negotiation", quoted="5万")
    moved = _deal(ctx, bare)
    assert (moved.stage, moved.quoted_cents, moved.amount_cents) == ("negotiation", 5_000_000, 5_000_000)


def test_a_move_past_quote_takes_the_deals_amount_as_its_quote(ctx):
    deal = add_deal(ctx, add_customer(ctx, "Acme").id, "Seats", amount="120000")
    move_stage(ctx, deal.id, "won", contract_no="HT-1", signed="today")
    moved = _deal(ctx, deal)
    assert (moved.stage, moved.quoted_cents, moved.amount_cents) == ("won", 12_000_000, 12_000_000)


def test_a_won_past_quote_keeps_a_quote_given_apart_from_the_contract_amount(ctx, bare):
    move_stage(ctx, bare.id, "won", contract_no="HT-1", signed="today", amount="10万", quoted="12万")
    moved = _deal(ctx, bare)
    assert (moved.quoted_cents, moved.amount_cents) == (12_000_000, 10_000_000)


def test_a_deal_quoted_before_is_not_asked_again_when_it_skips_quote_a_second_time(ctx, bare):
    move_stage(ctx, bare.id, "quote", amount="3万")
    move_stage(ctx, bare.id, "initial")
    move_stage(ctx, bare.id, "negotiation")
    assert (_deal(ctx, bare).stage, _deal(ctx, bare).quoted_cents) == ("negotiation", 3_000_000)


def test_a_quoted_amount_with_a_move_that_skips_no_quote_is_refused(ctx, bare):
    with pytest.raises(InvalidInput) as caught:
        move_stage(ctx, bare.id, "needs", quoted="5万")
    assert caught.value.field == "quoted"
    assert "only with a move past Quote" in str(caught.value)
    assert _deal(ctx, bare).stage == "initial"


def test_skip_stages_false_refuses_a_skip_naming_the_next_stage(one_step, bare):
    ctx = one_step
    with pytest.raises(InvalidInput) as caught:
        move_stage(ctx, bare.id, "won", contract_no="HT-1", amount="1万", signed="today")
    assert caught.value.field == "stage"
    assert str(caught.value).startswith("stage: the next stage, Needs confirmed: deals move one stage at a time")
    assert _deal(ctx, bare).stage == "initial"
    move_stage(ctx, bare.id, "needs")  # one step forward
    move_stage(ctx, bare.id, "initial")  # back is never a skip
    move_stage(ctx, bare.id, "lost", reason="price")  # nor is losing it
    assert _deal(ctx, bare).stage == "lost"


def test_skip_stages_false_allows_won_only_from_the_stage_before_it(one_step, bare):
    ctx = one_step
    for stage in ("needs", "proposal"):
        move_stage(ctx, bare.id, stage)
    move_stage(ctx, bare.id, "quote", amount="1万")
    with pytest.raises(InvalidInput, match="the next stage, Negotiation"):
        move_stage(ctx, bare.id, "won", contract_no="HT-1", signed="today")
    move_stage(ctx, bare.id, "negotiation")
    move_stage(ctx, bare.id, "won", contract_no="HT-1", signed="today")
    assert _deal(ctx, bare).stage == "won"


def test_the_plan_of_a_move_says_what_the_form_asks_and_starts_with(ctx):
    deal = add_deal(ctx, add_customer(ctx, "Acme").id, "Seats", amount="120000")
    plan = plan_move(ctx, deal.id, "won")
    assert plan.current == "initial"
    assert plan.skipped == ("needs", "proposal", "quote", "negotiation")
    assert plan.asks == ("quoted", "contract_no", "amount", "signed_on", "end_on", "payment")
    assert (plan.amount_cents, plan.today) == (12_000_000, date(2026, 11, 24))
    assert plan_move(ctx, deal.id, "needs").asks == ()
    assert plan_move(ctx, deal.id, "lost").asks == ("lost_reason",)
    with pytest.raises(InvalidInput, match="a stage other than the current one"):
        plan_move(ctx, deal.id, "initial")


def test_the_plan_refuses_a_skip_the_settings_forbid(one_step, bare):
    with pytest.raises(InvalidInput, match="the next stage, Needs confirmed"):
        plan_move(one_step, bare.id, "proposal")


def test_skip_stages_is_a_yes_or_no_setting_on_by_default():
    assert settings_from_dict({}).skip_stages is True
    assert settings_from_dict({"skip_stages": False}).skip_stages is False
    with pytest.raises(InvalidInput, match="config skip_stages: true or false"):
        settings_from_dict({"skip_stages": "no"})


# ---------------------------------------------------------------- the CLI


def test_cli_a_move_past_quote_asks_for_the_quoted_amount_by_its_option(ctx, bare):
    result = runner.invoke(cli_app, ["stage", "Seats", "negotiation"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: moving to Negotiation past Quote needs: quoted amount (give --quoted)"
    assert _deal(ctx, bare).stage == "initial"
    result = runner.invoke(cli_app, ["stage", "Seats", "negotiation", "--quoted", "5万"])
    assert result.exit_code == 0, result.stderr
    assert (_deal(ctx, bare).stage, _deal(ctx, bare).quoted_cents) == ("negotiation", 5_000_000)


def test_cli_skip_stages_false_refuses_a_skip_with_the_stage_expected(ctx, bare, home: Path):
    (home / "config" / "config.toml").write_text(
        'timezone = "Asia/Shanghai"\nlanguage = "en"\nskip_stages = false\n', encoding="utf-8")
    result = runner.invoke(cli_app, ["stage", "Seats", "won", "--contract-no", "HT-1", "--amount", "1万",
                                     "--signed", "today"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ('error: stage: the next stage, Needs confirmed: deals move one stage at a time '
                                     '(the skip_stages setting is false) (got "won")')
    assert _deal(ctx, bare).stage == "initial" and customer_detail(ctx, bare.customer_id).contracts == []
    assert runner.invoke(cli_app, ["stage", "Seats", "needs"]).exit_code == 0
    assert _deal(ctx, bare).stage == "needs"
