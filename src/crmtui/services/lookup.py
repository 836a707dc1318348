"""Resolving what the rep typed (an id, a name, part of a name, pinyin) to one record, or saying it is ambiguous.

The rule, in tiers; the first tier that matches anything decides, and it resolves only when it
holds exactly one record (several are listed as ambiguous, never picked):
1. an exact id;
2. an exact name: a customer's name or one of its contacts' names, compared as a normalised
   name (case, full-width forms, spaces, punctuation and legal forms such as 有限公司 or Inc.
   ignored), or a deal's whole title in any case;
3. a whole word: a whole pinyin key or syllable of such a name ("zs", "zhangsan", "zhang"), or
   a whole word of it ("Acme" in "Acme Tools" and in "Acme 咖啡");
4. any fragment of those names or pinyin keys, or an id prefix.
A contact's name leads to its customer; the listed match then says which contact it came from.
"""

from __future__ import annotations

from crmtui.core import labels
from crmtui.core.errors import Ambiguous, InvalidInput, Match, NotFound
from crmtui.core.i18n import N_, _
from crmtui.services.context import Context
from crmtui.store import lookup as store
from crmtui.store.lookup import CustomerRef, DealRef

__all__ = ["CustomerRef", "DealRef", "resolve_customer", "resolve_deal", "find_customers", "find_deals", "owner_note"]

MAX_REF = 200
"""Longer input cannot be a name (names are at most 200 characters); SQLite's LIKE refuses huge patterns anyway."""

MAX_LISTED = 20
"""An ambiguous reference lists at most this many candidates."""


def _check(kind: str, ref: str, expected: str) -> str:
    ref = ref.strip()
    if not ref or len(ref) > MAX_REF:
        raise InvalidInput(kind, expected, max=MAX_REF)
    return ref


def _via(record: CustomerRef | DealRef) -> str:
    return "  " + _("via contact {name}").format(name=record.via_contact) if record.via_contact else ""


def find_customers(ctx: Context, ref: str, statuses: tuple[str, ...] | None = None) -> list[CustomerRef]:
    """The live customers of the first tier that ref matches (see the module note), by name."""
    with ctx.db.raw_read() as connection:
        return (store.find_customer_by_id(connection, ref, statuses)
                or store.find_customers(connection, ref, statuses, MAX_LISTED))


def resolve_customer(ctx: Context, ref: str, statuses: tuple[str, ...] | None = None) -> CustomerRef:
    """The one live customer that ref names; Ambiguous lists the candidates."""
    ref = _check("customer", ref, N_("a name, part of a name, pinyin initials or an id (1-{max} characters)"))
    found = find_customers(ctx, ref, statuses)
    if not found:
        raise NotFound("lead" if statuses == ("lead",) else "customer", ref)
    if len(found) > 1:
        raise Ambiguous("customer", ref, [Match(c.id, f"{c.name} ({labels.status(c.status)}){_via(c)}")
                                          for c in found])
    return found[0]


def find_deals(ctx: Context, ref: str) -> list[DealRef]:
    """The live deals of the first tier that ref matches: by id or title, or their customer's (or contact's) name."""
    with ctx.db.raw_read() as connection:
        return store.find_deal_by_id(connection, ref) or store.find_deals(connection, ref, MAX_LISTED)


def resolve_deal(ctx: Context, ref: str) -> DealRef:
    """The one live deal that ref names; Ambiguous lists the candidates."""
    ref = _check("deal", ref, N_("a deal title, a customer name, pinyin initials or an id (1-{max} characters)"))
    found = find_deals(ctx, ref)
    if not found:
        raise NotFound("deal", ref)
    if len(found) > 1:
        raise Ambiguous(
            "deal", ref, [Match(d.id, f"{d.title} @ {d.customer_name} ({labels.stage(ctx.settings, d.stage)}){_via(d)}")
                          for d in found]
        )
    return found[0]


def resolve_customer_or_deal(ctx: Context, ref: str) -> CustomerRef | DealRef:
    """For a command that takes either a customer or a deal (`crm rm`): a deal's whole title beats a customer
    matched less strongly (a word or a fragment of its name); a customer and a deal both named exactly
    ref are ambiguous; otherwise the customer, else the deal."""
    ref = _check("customer", ref, N_("a customer or deal: a name, part of it, pinyin initials or an id (1-{max} characters)"))
    customers = find_customers(ctx, ref)
    with ctx.db.raw_read() as connection:
        titled = store.find_deals_titled(connection, ref, MAX_LISTED)
        # a word or fragment of a customer's name and of a deal's title: neither is the stronger reading
        partly = [] if titled or not customers or customers[0].tier <= 2 else store.find_deals_titled(
            connection, ref, MAX_LISTED, part=True)
    if partly:
        raise Ambiguous("record", ref, [Match(c.id, f"{c.name} ({labels.status(c.status)}){_via(c)}")
                                        for c in customers]
                        + [Match(d.id, f"{_('deal')} {d.title} @ {d.customer_name}") for d in partly])
    if titled and not (customers and customers[0].tier <= 2):
        if len(titled) > 1:
            raise Ambiguous("deal", ref, [Match(d.id, f"{d.title} @ {d.customer_name}") for d in titled])
        return titled[0]
    if titled:
        raise Ambiguous("record", ref, [Match(c.id, f"{c.name} ({labels.status(c.status)}){_via(c)}")
                                        for c in customers]
                        + [Match(d.id, f"{_('deal')} {d.title} @ {d.customer_name}") for d in titled])
    if customers:
        return resolve_customer(ctx, ref)
    try:
        return resolve_deal(ctx, ref)
    except NotFound:
        raise NotFound("customer or deal", ref) from None  # neither was found: not only "no deal"


def owners_of(ctx: Context, customer_ids: list[str]) -> dict[str, str | None]:
    """Whose each of these customers is (a manager's lists show it)."""
    with ctx.db.raw_read() as connection:
        return store.owners(connection, customer_ids)


def owner_note(ctx: Context, owner: str | None, before: str) -> str:
    """In a team, whose customer a row is when it is not the rep's own: `before` and the rep's name (or the
    pool's), else "". The app shows it on a manager's lists, the command line to everyone in a team."""
    sync = ctx.settings.sync
    if not sync.configured or owner == sync.user:
        return ""
    return before + (owner or labels.status("pool"))
