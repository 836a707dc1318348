"""Full-text search over the FTS5 trigram indexes made by migrations 0002 and 0004."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlmodel import Session

from crmtui.core.normalize import has_cjk
from crmtui.store.follow_ups import current

# Each query gives (record id, customer id, customer name, what matched, a second detail); a customer
# also gives the fields a hit on it may have matched (company, phone, phone key, email, WeChat id).
_SQL = {
    "customer": """
        SELECT c.id, c.id, c.name, '', coalesce(c.region, ''), c.company, c.phone, c.phone_key, c.email, c.wechat,
               c.status, c.notes
        FROM {fts} f JOIN customer c ON c.id = {ref}
        WHERE {where} AND c.deleted_at IS NULL ORDER BY c.name LIMIT :limit""",
    "contact": """
        SELECT p.id, c.id, c.name, p.name, coalesce(p.title, '') FROM {fts} f JOIN contact p ON p.id = {ref}
        JOIN customer c ON c.id = p.customer_id
        WHERE {where} AND p.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY p.name LIMIT :limit""",
    "deal": """
        SELECT d.id, c.id, c.name, d.title, coalesce(d.competitor, '') FROM {fts} f JOIN deal d ON d.id = {ref}
        JOIN customer c ON c.id = d.customer_id
        WHERE {where} AND d.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY d.title LIMIT :limit""",
    "contract": """
        SELECT k.id, c.id, c.name, k.number, '' FROM {fts} f JOIN contract k ON k.id = {ref}
        JOIN customer c ON c.id = k.customer_id
        WHERE {where} AND k.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY k.number LIMIT :limit""",
    "tag": """
        SELECT t.id, c.id, c.name, t.tag, '' FROM {fts} f JOIN customer_tag t ON t.id = {ref}
        JOIN customer c ON c.id = t.customer_id
        WHERE {where} AND t.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY c.name LIMIT :limit""",
    # Notes: the newest index rows first (rowid order is insertion order), so a common word among
    # 500k notes does not join and sort every match (275 ms -> 2 ms in bench/bench_core.py).
    "follow_up": """
        SELECT u.id, c.id, c.name, substr(u.notes, 1, 200), ''
        FROM (SELECT {ref} AS ref FROM {fts} f WHERE {where} ORDER BY {rowid} DESC LIMIT 4 * :limit) f
        JOIN follow_up u ON u.id = f.ref JOIN customer c ON c.id = u.customer_id
        WHERE """ + current("u") + """ AND c.deleted_at IS NULL ORDER BY u.at DESC LIMIT :limit""",
}
_INDEX = {"customer": "customer_fts", "contact": "contact_fts", "deal": "deal_fts", "contract": "contract_fts",
          "tag": "customer_tag_fts", "follow_up": "follow_up_fts"}
"""Each kind's FTS5 table. A query with no 3+ character term cannot use its trigrams and reads every row's text
(LIKE): it then reads the table's own copy of the text, FTS5's `<name>_content` table (id = the index's rowid,
c0 = ref, c1 = body), a plain table, instead of going through the index row by row: 2-5x faster for the same
rows in the same order (预 on a 100k-customer book: 150 -> 86 ms a keystroke in bench/bench_core.py)."""

_CUSTOMER_FIELDS = ("company", "phone", "phone_key", "email", "wechat", "status", "notes")

SHORT_SCAN = 20_000
"""Notes scanned, newest first, for a query made only of short words (预算): years of a rep's notes;
20k is some five years of ten follow-ups a day; a full scan of 500k notes took 0.3 s (bench/bench_core.py)."""


def _quote(term: str) -> str:
    """An FTS5 string literal: the term matches as a literal substring (", *, OR lose their meaning)."""
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(session: Session, terms: Sequence[Sequence[str]], limit: int = 50,
           kinds: Sequence[str] | None = None) -> list[tuple]:
    """Rows (kind, record id, customer id, customer name, detail, second detail, {field: value}) matching
    every term; the fields are a customer's company, phone, phone_key, email, wechat, status and notes ({} for
    other kinds).

    Each term is a list of spellings, any of which may match ('北京市' or '北京'; '008613800138000' or
    '+8613800138000'). Terms whose spellings all have 3+ characters use the trigram index (MATCH); the
    others (张三, zs) use LIKE, which scans: so notes, the one large index, are searched only when some
    term is long or a two-character Chinese word. `kinds` limits the search to those kinds (all when None).
    """
    long_terms = [list(t) for t in terms if all(len(s) >= 3 for s in t)]
    short_terms = [list(t) for t in terms if any(len(s) < 3 for s in t)]
    # Most Chinese words are two characters (预算, 价格): notes are scanned for those too
    # (LIKE, no index: ~0.5 s over 500k notes in bench/bench_core.py, a few ms for a real rep's book).
    notes_searchable = bool(long_terms) or any(any(len(s) == 2 and has_cjk(s) for s in t) for t in short_terms)
    results: list[tuple] = []
    for kind, sql in _SQL.items():
        if kind == "follow_up" and not notes_searchable or len(results) >= limit or kinds and kind not in kinds:
            continue
        conditions: list[str] = []
        params: dict[str, object] = {"limit": limit}
        if long_terms:
            names = {"fts": _INDEX[kind], "ref": "f.ref", "body": "f.body", "rowid": "f.rowid"}
        else:
            names = {"fts": _INDEX[kind] + "_content", "ref": "f.c0", "body": "f.c1", "rowid": "f.id"}
        body = names["body"]
        if long_terms:
            conditions.append("f.body MATCH :match")
            params["match"] = " ".join(
                "(" + " OR ".join(_quote(s) for s in t) + ")" if len(t) > 1 else _quote(t[0]) for t in long_terms)
        for index, term in enumerate(short_terms):
            alternatives = []
            for number, spelling in enumerate(term):
                alternatives.append(f"{body} LIKE :like{index}_{number} ESCAPE '\\'")
                params[f"like{index}_{number}"] = _like(spelling)
            conditions.append("(" + " OR ".join(alternatives) + ")")
        if kind == "follow_up" and not long_terms:
            # Without a 3+ character term nothing narrows the scan: read the newest notes only.
            conditions.append("f.id > (SELECT max(id) FROM follow_up_fts_content) - :scan")
            params["scan"] = SHORT_SCAN
        rows = session.execute(text(sql.format(where=" AND ".join(conditions), **names)), params).all()
        results.extend((kind, *row[:5], dict(zip(_CUSTOMER_FIELDS, row[5:]))) for row in rows)
    return results
