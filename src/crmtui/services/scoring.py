"""Lead score 线索评分 and tier from the configurable weights."""

from __future__ import annotations

from collections.abc import Sequence

from crmtui.core.config import ScoreWeights
from crmtui.store.models import Contact, Customer


def lead_score(customer: Customer, contacts: Sequence[Contact], weights: ScoreWeights) -> int:
    """0-100: reachable, named an interest, came from a quality channel, decision maker known."""
    score = 0
    reachable = customer.phone or customer.email or any(c.phone or c.email for c in contacts)
    if reachable:
        score += weights.has_phone_or_email
    if customer.interest:
        score += weights.has_interest
    sources = {s.casefold() for s in weights.quality_sources}
    if customer.source and customer.source.casefold() in sources:
        score += weights.quality_source
    if any(c.decision_maker for c in contacts):
        score += weights.decision_maker
    return min(score, 100)


def tier_for(score: int, weights: ScoreWeights) -> str:
    """A, B or C by the score thresholds."""
    if score >= weights.tier_a:
        return "A"
    if score >= weights.tier_b:
        return "B"
    return "C"
