"""Full-text search over the FTS5 trigram indexes made by migration 0002."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from crmtui.normalize import has_cjk

_SQL = {
    "customer": """
        SELECT c.id, c.id, c.name, '' FROM customer_fts f JOIN customer c ON c.id = f.ref
        WHERE {where} AND c.deleted_at IS NULL ORDER BY c.name LIMIT :limit""",
    "contact": """
        SELECT p.id, c.id, c.name, p.name FROM contact_fts f JOIN contact p ON p.id = f.ref
        JOIN customer c ON c.id = p.customer_id
        WHERE {where} AND p.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY p.name LIMIT :limit""",
    # Notes: the newest index rows first (rowid order is insertion order), so a common word among
    # 500k notes does not join and sort every match (275 ms -> 2 ms in bench/bench_core.py).
    "follow_up": """
        SELECT u.id, c.id, c.name, substr(u.notes, 1, 200)
        FROM (SELECT f.ref FROM follow_up_fts f WHERE {where} ORDER BY f.rowid DESC LIMIT 4 * :limit) f
        JOIN follow_up u ON u.id = f.ref JOIN customer c ON c.id = u.customer_id
        WHERE u.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY u.at DESC LIMIT :limit""",
}


SHORT_SCAN = 20_000
"""Notes scanned, newest first, for a query made only of short words (预算): years of a rep's notes;
20k is some five years of ten follow-ups a day; a full scan of 500k notes took 0.3 s (bench/bench_core.py)."""


def _quote(term: str) -> str:
    """An FTS5 string literal: the term matches as a literal substring (", *, OR lose their meaning)."""
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(session: Session, terms: list[str], limit: int = 50) -> list[tuple[str, str, str, str, str]]:
    """Rows (kind, record id, customer id, customer name, detail) matching every term.

    Terms of 3+ characters use the trigram index (MATCH); shorter ones (张三, zs) use LIKE,
    which scans: so notes, the one large index, are searched only when some term is long.
    """
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    # Most Chinese words are two characters (预算, 价格): notes are scanned for those too
    # (LIKE, no index: ~0.5 s over 500k notes in bench/bench_core.py, a few ms for a real rep's book).
    notes_searchable = bool(long_terms) or any(len(t) == 2 and has_cjk(t) for t in short_terms)
    results: list[tuple[str, str, str, str, str]] = []
    for kind, sql in _SQL.items():
        if kind == "follow_up" and not notes_searchable or len(results) >= limit:
            continue
        conditions, params = [], {"limit": limit}
        if long_terms:
            conditions.append("f.body MATCH :match")
            params["match"] = " ".join(_quote(t) for t in long_terms)
        for index, term in enumerate(short_terms):
            conditions.append(f"f.body LIKE :like{index} ESCAPE '\\'")
            params[f"like{index}"] = _like(term)
        if kind == "follow_up" and not long_terms:
            # Without a 3+ character term nothing narrows the scan: read the newest notes only.
            conditions.append("f.rowid > (SELECT max(rowid) FROM follow_up_fts) - :scan")
            params["scan"] = SHORT_SCAN
        rows = session.execute(text(sql.format(where=" AND ".join(conditions))), params).all()
        results.extend((kind, *row) for row in rows)
    return results
