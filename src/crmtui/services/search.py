"""Search over customers (with their regions), contacts (with their titles), deals (titles, competitors),
contract numbers, tags and follow-up notes, with pinyin keys; any input is searched literally.

A phone number also matches in its E.164 form (008613800138000 finds +86 138 0013 8000) and a region in
its other spellings (北京市 finds 北京 and Beijing)."""

from __future__ import annotations

from dataclasses import dataclass

from crmtui.core import normalize
from crmtui.core.i18n import N_, _
from crmtui.services.context import Context
from crmtui.store import search as search_store

MAX_QUERY = 200

KIND_LABELS = {"customer": N_("customer"), "contact": N_("contact"), "deal": N_("deal"), "contract": N_("contract"),
               "tag": N_("tag"), "follow_up": N_("note")}
"""What a hit is, as shown beside it."""

LEAD_LABEL = N_("lead")
"""What a hit on a lead's own record is, as shown beside it (not a customer yet)."""


@dataclass
class SearchHit:
    """One match: what matched (customer, contact, deal, contract, tag or follow_up), its customer, and a line
    to show that says what matched ('年度保养 · competitor: 雀巢', '李四 · 采购总监', 'region: 北京')."""

    kind: str
    record_id: str
    customer_id: str
    customer_name: str
    detail: str
    status: str = ""
    """The status of the hit's customer (a customer hit's only)."""

    def label(self) -> str:
        """The kind, in the chosen language: a lead's own record is a lead."""
        is_lead = self.kind == "customer" and self.status == "lead"
        label = LEAD_LABEL if is_lead else KIND_LABELS[self.kind]
        return _(label)

    def as_dict(self) -> dict[str, str]:
        """Plain values for --json."""
        return {
            "kind": self.kind,
            "id": self.record_id,
            "customer_id": self.customer_id,
            "customer": self.customer_name,
            "detail": self.detail,
        }


def spellings(term: str) -> list[str]:
    """The term and the other forms it may be stored in: a phone number's E.164 key, a region's other names."""
    found = [term]
    if normalize.looks_like_phone(term):
        key = normalize.phone_key(term)
        if key and key not in found:
            found.append(key)
        return found
    found.extend(alias for alias in normalize.region_aliases(term) if alias.casefold() != term.casefold())
    return found


def _terms(query: str) -> list[list[str]]:
    text = normalize.fold(query)[:MAX_QUERY]
    if normalize.looks_like_phone(text):
        return [spellings(text)]  # '+86 138 0013 8000' is one number, not four words
    if " " in text and not normalize.has_cjk(text):
        if any(normalize.has_cjk(alias) for alias in normalize.region_aliases(text)):
            return [spellings(text)]  # 'Hong Kong', 'Guangdong Province': one place
    return [spellings(term) for term in text.split()]


def _contains(haystack: str, term: list[str]) -> bool:
    folded = haystack.casefold()
    return any(spelling.casefold() in folded for spelling in term)


_FIELD_LABELS = {"company": N_("company"), "phone": N_("phone"), "email": N_("email"), "wechat": N_("wechat"),
                 "region": N_("region")}


def _customer_detail(name: str, fields: dict[str, str | None], terms: list[list[str]]) -> str:
    """'' when the name explains the hit; else the field that matched: 'phone: +86 138 0013 8000'."""
    if all(_contains(name, t) for t in terms):
        return ""
    for field, value in fields.items():
        if not value or field in ("phone_key", "status", "notes"):
            continue
        matched = any(_contains(value, t) for t in terms)
        if field == "phone" and fields.get("phone_key"):
            matched = matched or any(_contains(str(fields["phone_key"]), t) for t in terms)
        if matched:
            return f"{_(_FIELD_LABELS[field])}: {value}"
    return ""  # the pinyin of the name matched (zs): the name says it


def _without_latin_aliases(term: list[str]) -> list[str]:
    """A term typed in Chinese without the Latin names of a place it may be (西安 → xian): those are pinyin too."""
    if not normalize.has_cjk(term[0]):
        return term
    return [term[0], *(spelling for spelling in term[1:] if normalize.has_cjk(spelling))]


def _shows_own(row: tuple, terms: list[list[str]]) -> bool:
    """Whether each of these terms shows in the customer's own text (name, company, region, phone, email, WeChat,
    notes), not only in the pinyin of its name."""
    _kind, _rid, _cid, name, _main, region, fields = row
    own = " ".join(str(value) for value in (name, region, *fields.values()) if value)
    return all(_contains(own, term) for term in terms)


def _detail(kind: str, name: str, main: str, extra: str, fields: dict[str, str | None], terms: list[list[str]]) -> str:
    if kind == "customer":
        return _customer_detail(name, {**fields, "region": extra}, terms)
    if kind == "contact":
        return f"{main} · {extra}" if extra else main
    if kind == "deal":
        return f"{main} · " + _("competitor: {name}").format(name=extra) if extra else main
    return main


def search(ctx: Context, query: str, limit: int = 50) -> list[SearchHit]:
    """Customers first, then contacts, deals, contracts, tags, then notes (newest first); each term must match."""
    return search_kinds(ctx, query, tuple(KIND_LABELS), limit)


def search_kinds(ctx: Context, query: str, kinds: tuple[str, ...], limit: int = 50) -> list[SearchHit]:
    """Like search, over some kinds only (of KIND_LABELS, in search's order): the command palette finds customers
    and deals by name or pinyin without scanning notes at every keystroke."""
    terms = _terms(query)
    if not terms:
        return []
    plain = [_without_latin_aliases(term) for term in terms]
    with ctx.db.read() as session:
        if plain == terms:
            rows = search_store.search(session, terms, limit, kinds)
        else:
            # A Chinese place's Latin names find a region written in Latin ("Beijing"), but must not match the
            # pinyin of other words (西安's "xian" is the pinyin of 有限 in every 有限公司): customers are searched
            # with them and kept only where a spelling shows in a field of their own; other kinds never have them.
            rows = [row for row in search_store.search(session, terms, limit, ("customer",))
                    if "customer" in kinds and _shows_own(row, [t for t, p in zip(terms, plain) if t != p])]
            others = tuple(kind for kind in kinds if kind != "customer")
            if others and len(rows) < limit:
                rows += search_store.search(session, plain, limit - len(rows), others)
    hits = [SearchHit(kind, rid, cid, cname, " ".join(_detail(kind, cname, main, extra, fields, terms).split()),
                      fields.get("status") or "")
            for kind, rid, cid, cname, main, extra, fields in rows]
    return hits[:limit]
