"""Messages that name an app key name the key the rep mapped in the config's [keys] table, not the default."""

from __future__ import annotations

from dataclasses import replace

from crmtui.services import team_words
from crmtui.services.context import Context
from crmtui.sync.protocol import Rejection, RoundReport


def _in_pool() -> Rejection:
    return Rejection(7, "customer", "c-1", "update", {"region": "深圳"}, "the customer is in the pool now", "",
                     "Acme Health", ("pool", None))


def test_the_default_keys_are_named_without_a_remapping(ctx: Context) -> None:
    assert team_words.rejected_round_text(ctx, RoundReport(rejected=1)) == (
        "1 change was rejected by the server: press C to see why")
    assert team_words.advice(_in_pool(), ctx) == (
        "claim it back from the pool (o in the app, `crm pool claim` in the shell), then make the change again")


def test_a_remapped_key_is_the_one_named(ctx: Context) -> None:
    ctx.settings = replace(ctx.settings, keys=(("conflicts", "X,ctrl+x"), ("pool", "slash")))
    assert team_words.rejected_round_text(ctx, RoundReport(rejected=2)) == (
        "2 changes were rejected by the server: press X to see why")
    assert team_words.advice(_in_pool(), ctx) == (
        "claim it back from the pool (/ in the app, `crm pool claim` in the shell), then make the change again")


def test_a_new_records_empty_columns_are_not_listed_but_a_cleared_field_is(ctx: Context) -> None:
    follow_up = {"notes": "called", "channel": "phone", "next_plan": None, "imported_from": None}
    assert team_words.change_fields(ctx, "follow_up", follow_up, "insert") == [("Notes", "called"),
                                                                               ("Channel", "Phone")]
    assert team_words.change_fields(ctx, "customer", {"email": None}, "update") == [("Email", "—")]
