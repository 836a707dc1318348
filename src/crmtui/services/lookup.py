"""Resolving what the rep typed (an id prefix, part of a name, pinyin initials) to one record."""

from __future__ import annotations

from crmtui import labels
from crmtui.errors import Ambiguous, InvalidInput, Match, NotFound
from crmtui.services.context import Context
from crmtui.store import lookup as store
from crmtui.store.lookup import CustomerRef, DealRef

__all__ = ["CustomerRef", "DealRef", "resolve_customer", "resolve_deal"]

MAX_REF = 200
"""Longer input cannot be a name (names are at most 200 characters); SQLite's LIKE refuses huge patterns anyway."""


def resolve_customer(ctx: Context, ref: str, statuses: tuple[str, ...] | None = None) -> CustomerRef:
    """The one live customer that ref names; Ambiguous lists the candidates."""
    ref = ref.strip()
    if not ref or len(ref) > MAX_REF:
        raise InvalidInput("customer", "a name, part of a name, pinyin initials or an id (1-{max} characters)", max=MAX_REF)
    with ctx.db.raw_read() as connection:
        found = store.find_customers(connection, ref)
    if statuses:
        found = [c for c in found if c.status in statuses]
    if not found:
        raise NotFound("lead" if statuses == ("lead",) else "customer", ref)
    if len(found) > 1:
        raise Ambiguous("customer", ref, [Match(c.id, f"{c.name} ({labels.status(c.status)})") for c in found])
    return found[0]


def resolve_deal(ctx: Context, ref: str) -> DealRef:
    """The one live deal that ref names; Ambiguous lists the candidates."""
    ref = ref.strip()
    if not ref or len(ref) > MAX_REF:
        raise InvalidInput("deal", "a deal title, a customer name, pinyin initials or an id (1-{max} characters)",
                           max=MAX_REF)
    with ctx.db.raw_read() as connection:
        found = store.find_deals(connection, ref)
    if not found:
        raise NotFound("deal", ref)
    if len(found) > 1:
        raise Ambiguous(
            "deal", ref, [Match(d.id, f"{d.title} @ {d.customer_name} ({labels.stage(ctx.settings, d.stage)})")
                          for d in found]
        )
    return found[0]


def owners_of(ctx: Context, customer_ids: list[str]) -> dict[str, str | None]:
    """Whose each of these customers is (a manager's lists show it)."""
    with ctx.db.raw_read() as connection:
        return store.owners(connection, customer_ids)
