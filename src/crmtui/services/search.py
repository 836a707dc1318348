"""Search over customers, contacts and follow-up notes, with pinyin keys; any input is searched literally."""

from __future__ import annotations

from dataclasses import dataclass

from crmtui.normalize import fold
from crmtui.services.context import Context
from crmtui.store import search as search_store

MAX_QUERY = 200


@dataclass
class SearchHit:
    """One match: what matched (customer, contact or follow_up), its customer, and a line to show."""

    kind: str
    record_id: str
    customer_id: str
    customer_name: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        """Plain values for --json."""
        return {
            "kind": self.kind,
            "id": self.record_id,
            "customer_id": self.customer_id,
            "customer": self.customer_name,
            "detail": self.detail,
        }


def search(ctx: Context, query: str, limit: int = 50) -> list[SearchHit]:
    """Customers first, then contacts, then notes (newest first); each term must match."""
    terms = fold(query)[:MAX_QUERY].split()
    if not terms:
        return []
    with ctx.db.read() as session:
        rows = search_store.search(session, terms, limit)
    hits = [SearchHit(kind, rid, cid, cname, " ".join(detail.split())) for kind, rid, cid, cname, detail in rows]
    return hits[:limit]
