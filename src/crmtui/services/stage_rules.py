"""The rules of a move between stages that come before any gate's fields: a move to the deal's own stage is
refused, a move forward past stages asks for their gates too, and the skip_stages setting (不能跳步) refuses such a
skip. What a form asks before a move (plan_move) follows from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crmtui.core import labels
from crmtui.core.config import Settings, Stage
from crmtui.core.errors import InvalidInput, NotFound
from crmtui.services.context import Context
from crmtui.store import deals as deal_store
from crmtui.store.models import Deal
from crmtui.store.session import StoreSession

GATE_FIELDS = {"quote": ("quoted_amount",), "won": ("contract_no", "amount", "signed_on", "end_on", "payment"),
               "lost": ("lost_reason",)}
"""The fields each gated stage asks for, in the order a form shows them (keys of core/fields.py)."""


def skipped_stages(settings: Settings, current: str, target: str) -> list[Stage]:
    """The open stages a move forward passes over (Initial contact → Won passes Needs confirmed to Negotiation):
    none for a move back, to Lost, or out of Won or Lost (reopening corrects a deal, it does not advance it)."""
    keys = [stage.key for stage in settings.stages]
    if current in ("won", "lost") or target == "lost" or current not in keys:
        return []
    return [stage for stage in settings.stages[keys.index(current) + 1:keys.index(target)]
            if stage.key not in ("won", "lost")]


def check_target(settings: Settings, deal: Deal, target: Stage, asked: str) -> list[Stage]:
    """Refuses a move to the deal's own stage, and a move past stages when they may not be skipped; returns the
    stages the move skips."""
    if deal.stage == target.key:
        raise InvalidInput("stage", "a stage other than the current one ({current})", asked,
                           current=labels.Shown(labels.stage_name, target))
    skipped = skipped_stages(settings, deal.stage, target.key)
    if skipped and not settings.skip_stages:
        raise InvalidInput("stage", "the next stage, {next}: deals move one stage at a time (the skip_stages "
                           "setting is false)", asked, next=labels.Shown(labels.stage_name, skipped[0]))
    return skipped


def skips_quote(skipped: list[Stage]) -> Stage | None:
    """The Quote stage among the skipped ones, if any: its gate (the quoted amount) is asked of the move."""
    return next((stage for stage in skipped if stage.key == "quote"), None)


@dataclass(frozen=True)
class MovePlan:
    """What a form asks before a move: the gates' fields (a skipped Quote's first, then the stage's own, keys of
    core/fields.py) and what they start with."""

    current: str
    """The deal's stage now."""
    skipped: tuple[str, ...]
    asks: tuple[str, ...]
    amount_cents: int | None
    """The deal's amount: the amounts of Quote and Won start with it."""
    today: date
    """The signed date starts with it."""


def plan_move(ctx: Context, deal_id: str, stage: str) -> MovePlan:
    """The fields moving this deal to `stage` asks for; refused as move_stage would refuse it (its own stage, or
    a skip the settings forbid) before anything is typed."""
    target = ctx.settings.stage(stage)
    with ctx.db.read() as session:
        deal = _live_deal(session, deal_id)
        skipped = check_target(ctx.settings, deal, target, stage)
        asks = ("quoted",) if skips_quote(skipped) and deal.quoted_cents is None else ()
        return MovePlan(deal.stage, tuple(s.key for s in skipped), asks + GATE_FIELDS.get(target.key, ()),
                        deal.amount_cents, ctx.clock.today())


def deal_stage(ctx: Context, deal_id: str) -> str:
    """The stage a deal is in now."""
    with ctx.db.read() as session:
        return _live_deal(session, deal_id).stage


def _live_deal(session: StoreSession, deal_id: str) -> Deal:
    deal = deal_store.get_deal(session, deal_id)
    if deal is None or deal.deleted_at is not None:
        raise NotFound("deal", deal_id)
    return deal
