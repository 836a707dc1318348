"""Resolving what the rep typed (an id, a name, part of a name, pinyin) to one record, or saying it is ambiguous.

The rule, in tiers; the first tier that matches anything decides, and it resolves only when it
holds exactly one record (several are listed as ambiguous, never picked):
1. an exact id;
2. an exact name: a customer's name, one of its contacts' names, or a deal's title, compared
   as a normalised name (case, full-width forms, spaces, punctuation and legal forms such as
   有限公司 or Inc. ignored);
3. a whole word: a whole pinyin key or syllable of such a name ("zs", "zhangsan", "zhang"), or
   a whole word of it ("Acme" in "Acme Tools" and in "Acme 咖啡");
4. any fragment of those names or pinyin keys, or an id prefix.
A contact's name leads to its customer; the listed match then says which contact it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from crmtui import labels, normalize
from crmtui.errors import Ambiguous, InvalidInput, Match, NotFound
from crmtui.i18n import _
from crmtui.services.context import Context
from crmtui.store import lookup as store
from crmtui.store.lookup import CustomerRef, DealRef, NameHit

__all__ = ["CustomerRef", "DealRef", "resolve_customer", "resolve_deal", "find_customers", "find_deals"]

MAX_REF = 200
"""Longer input cannot be a name (names are at most 200 characters); SQLite's LIKE refuses huge patterns anyway."""

MAX_LISTED = 20
"""An ambiguous reference lists at most this many candidates."""

Ref = TypeVar("Ref", CustomerRef, DealRef)


def _compact(text: str) -> str:
    """Case-folded letters and digits only: what a whole word or pinyin key is compared as."""
    return "".join(ch for ch in normalize.fold(text).casefold() if ch.isalnum())


def _words(hit: NameHit) -> set[str]:
    """The whole words of a matched name: its pinyin keys and syllables, and its words as written."""
    words = set(hit.pinyin.split())
    words.update(word for word in re.split(r"[\W_]+", normalize.fold(hit.name).casefold()) if word)
    return words


def _tiers(ref: str, hits: list[NameHit]) -> list[NameHit]:
    """The hits of the first tier that has any (exact id, exact name, whole word, fragment)."""
    exact_id = [hit for hit in hits if hit.record_id == ref]
    if exact_id:
        return exact_id
    key = normalize.name_key(ref)
    exact_name = [hit for hit in hits if key and (hit.key if hit.key is not None else normalize.name_key(hit.name)) == key]
    if exact_name:
        return exact_name
    compact = _compact(ref)
    whole_word = [hit for hit in hits if compact and compact in _words(hit)]
    return whole_word or hits


def _pick(ref: str, records: dict[str, Ref], hits: list[NameHit],
          keep: Callable[[Ref], bool] = lambda record: True) -> list[Ref]:
    """The records of the deciding tier, sorted; each found only through a contact says which."""
    hits = [hit for hit in hits if keep(records[hit.record_id])]
    chosen: dict[str, Ref] = {}
    via: dict[str, str | None] = {}
    for hit in _tiers(ref, hits):
        chosen.setdefault(hit.record_id, records[hit.record_id])
        if hit.source != "contact":
            via[hit.record_id] = None
        else:
            via.setdefault(hit.record_id, hit.name)
    found = [_with_via(record, via[record_id]) for record_id, record in chosen.items()]
    return sorted(found, key=lambda record: (_sort_name(record), record.id))


def _with_via(record: Ref, contact: str | None) -> Ref:
    from dataclasses import replace

    return replace(record, via_contact=contact) if contact else record


def _sort_name(record: CustomerRef | DealRef) -> tuple[str, str]:
    if isinstance(record, DealRef):
        return record.customer_name, record.title
    return record.name, ""


def _check(kind: str, ref: str, expected: str) -> str:
    ref = ref.strip()
    if not ref or len(ref) > MAX_REF:
        raise InvalidInput(kind, expected, max=MAX_REF)
    return ref


def _via(record: CustomerRef | DealRef) -> str:
    return "  " + _("via contact {name}").format(name=record.via_contact) if record.via_contact else ""


def find_customers(ctx: Context, ref: str, statuses: tuple[str, ...] | None = None) -> list[CustomerRef]:
    """Every live customer of the deciding tier for ref (see the module note), by name."""
    with ctx.db.raw_read() as connection:
        records, hits = store.customer_hits(connection, ref, normalize.name_key(ref) or None)
    return _pick(ref, records, hits, lambda record: not statuses or record.status in statuses)


def resolve_customer(ctx: Context, ref: str, statuses: tuple[str, ...] | None = None) -> CustomerRef:
    """The one live customer that ref names; Ambiguous lists the candidates."""
    ref = _check("customer", ref, "a name, part of a name, pinyin initials or an id (1-{max} characters)")
    found = find_customers(ctx, ref, statuses)
    if not found:
        raise NotFound("lead" if statuses == ("lead",) else "customer", ref)
    if len(found) > 1:
        raise Ambiguous("customer", ref, [Match(c.id, f"{c.name} ({labels.status(c.status)}){_via(c)}")
                                          for c in found[:MAX_LISTED]])
    return found[0]


def find_deals(ctx: Context, ref: str) -> list[DealRef]:
    """Every live deal of the deciding tier for ref: by its id or title, or its customer's (or contact's) name."""
    with ctx.db.raw_read() as connection:
        records, hits = store.deal_hits(connection, ref, normalize.name_key(ref) or None)
    return _pick(ref, records, hits)


def resolve_deal(ctx: Context, ref: str) -> DealRef:
    """The one live deal that ref names; Ambiguous lists the candidates."""
    ref = _check("deal", ref, "a deal title, a customer name, pinyin initials or an id (1-{max} characters)")
    found = find_deals(ctx, ref)
    if not found:
        raise NotFound("deal", ref)
    if len(found) > 1:
        raise Ambiguous(
            "deal", ref, [Match(d.id, f"{d.title} @ {d.customer_name} ({labels.stage(ctx.settings, d.stage)}){_via(d)}")
                          for d in found[:MAX_LISTED]]
        )
    return found[0]


def owners_of(ctx: Context, customer_ids: list[str]) -> dict[str, str | None]:
    """Whose each of these customers is (a manager's lists show it)."""
    with ctx.db.raw_read() as connection:
        return store.owners(connection, customer_ids)
