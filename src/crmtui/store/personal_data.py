"""One person's data in the local file: finding the records that are them, reading all of it for an export, and
erasing it everywhere the file keeps it (the records, their change history, the outbox, the search indexes,
follow-up notes the rep chose), on the stdlib sqlite3 path.

A person is a customer of kind `person` or a contact; the same person may be several records (a contact at two
companies, and a customer of their own): records of a person customer or contact sharing its phone key or email
key are taken as the same person.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from crmtui.core import normalize
from crmtui.store.raw import like_pattern, to_db

if TYPE_CHECKING:
    from crmtui.store.db import Database
    from crmtui.store.outbox import OutboxWriter

PERSONAL_FIELDS = {
    "customer": ("name", "name_key", "pinyin", "company", "phone", "phone_key", "email", "email_key", "wechat",
                 "notes", "region"),
    "contact": ("name", "name_key", "pinyin", "title", "phone", "phone_key", "email", "email_key", "wechat",
                "birthday"),
}
"""What an erasure takes off a record: the name becomes a tombstone label, the rest is emptied."""

NOTE_FIELDS = ("notes", "goal", "next_plan")
"""The free text of a follow-up that may name a person; blanking a note empties all three."""

FTS_TABLES = ("customer_fts", "contact_fts", "deal_fts", "contract_fts", "customer_tag_fts", "follow_up_fts")

ERASED_LABEL = "erased person {tag}"
"""The name an erased record keeps: the same on every laptop and the server (data, not a message), with four
characters of its id so two erased records can be told apart."""

SEARCHABLE_MIN = 2
"""A term shorter than this (a one-character name) is not looked for in notes: it would match everything."""


@dataclass(frozen=True)
class PersonRecord:
    """One record that is (part of) a person: a person customer or a contact."""

    table: str  # customer | contact
    id: str
    name: str
    customer_id: str
    customer_name: str
    deleted: bool
    erased: bool
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    tier: int = 4

    @property
    def terms(self) -> list[str]:
        """What identifies the person in free text: name, phone, email, WeChat id."""
        return [t for t in (self.name, self.phone, self.email, self.wechat) if t and len(t) >= SEARCHABLE_MIN]


ELIDED = "…"
"""What stands in place of an erased person's name, phone or email inside a text that stays (a deal's title, a
history value of another record): the rest of the text still reads."""

TEXT_FIELDS = {"customer": "notes", "deal": "title", "contract": "number"}
"""Beside follow-ups, the free text of other records that may name a person, offered to the rep like notes."""

AFTER_SALES_TEXT: dict[str, dict[str, object]] = {
    "ticket": {"title": "", "resolution": None},
    "ticket_event": {"note": None},
    "revisit": {"purpose": ""},
}
"""The free text of a person customer's service requests, their history and its revisits, and what an erasure
leaves there: these records are the customer's own data (kept, with their dates and statuses, their text gone)."""

_AFTER_SALES_OF = {
    "ticket": "SELECT id FROM ticket WHERE customer_id IN ({marks}) ORDER BY opened_at, id",
    "ticket_event": "SELECT e.id FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id"
                    " WHERE t.customer_id IN ({marks}) ORDER BY e.at, e.id",
    "revisit": "SELECT id FROM revisit WHERE customer_id IN ({marks}) ORDER BY due_on, id",
}


def after_sales_of(conn: sqlite3.Connection, customer_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(table, id) of the tickets, ticket events and revisits of these customers (deleted ones too)."""
    if not customer_ids:
        return []
    return [(table, row[0]) for table, query in _AFTER_SALES_OF.items() if has_table(conn, table)
            for row in conn.execute(query.format(marks=_marks(customer_ids)), list(customer_ids))]


@dataclass(frozen=True)
class NoteHit:
    """A text naming the person that the rep may blank: a follow-up (its notes, goal, next plan), or another
    customer's notes, a deal's title, a contract's number (`table` says which; `notes` holds that text)."""

    id: str
    customer_id: str
    customer_name: str
    at: str
    notes: str
    goal: str
    next_plan: str | None
    named_by: tuple[str, ...] = field(default=())
    table: str = "follow_up"
    whole: bool = False  # the notes of a company the person is a contact at: blanked whole (see texts_naming)


_PEOPLE = """
SELECT 'customer' AS record_table, c.id AS id, c.name AS name, c.id AS customer_id, c.name AS customer_name,
       c.deleted_at IS NOT NULL AS deleted, c.erased_at IS NOT NULL AS erased, c.phone AS phone, c.email AS email,
       c.wechat AS wechat, c.name_key AS name_key, c.pinyin AS pinyin, c.phone_key AS phone_key,
       c.email_key AS email_key
  FROM customer c WHERE c.kind = 'person'
UNION ALL
SELECT 'contact', p.id, p.name, c.id, c.name, p.deleted_at IS NOT NULL OR c.deleted_at IS NOT NULL,
       p.erased_at IS NOT NULL, p.phone, p.email, p.wechat, p.name_key, p.pinyin, p.phone_key, p.email_key
  FROM contact p JOIN customer c ON c.id = p.customer_id
"""


def _record(row: Sequence, tier: int = 4) -> PersonRecord:
    return PersonRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]), row[7], row[8], row[9],
                        tier)


def find_people(conn: sqlite3.Connection, ref: str, limit: int) -> list[PersonRecord]:
    """The person records `ref` names, strongest match first: an exact id, an exact name (normalised), else a
    fragment of a name or pinyin key, or an id prefix of 4+ characters. Erased records answer only by id. Deleted
    records are found too: what the file still holds of them is theirs to export or erase."""
    exact = conn.execute(f"SELECT * FROM ({_PEOPLE}) WHERE id = ?", (ref,)).fetchall()
    if exact:
        return [_record(row, 1) for row in exact]
    key = normalize.name_key(ref)
    found = conn.execute(f"SELECT * FROM ({_PEOPLE}) WHERE NOT erased AND name_key = ? LIMIT ?",
                         (key, limit)).fetchall() if key else []
    if found:
        return [_record(row, 2) for row in found]
    pattern = like_pattern(ref.strip())
    prefix = ref.lower() + "%" if len(ref) >= 4 and all(ch in "0123456789abcdef-" for ch in ref.lower()) else None
    rows = conn.execute(
        f"SELECT * FROM ({_PEOPLE}) WHERE NOT erased AND (name LIKE ? ESCAPE '\\' OR pinyin LIKE ? ESCAPE '\\')"
        " OR id LIKE ? ORDER BY name LIMIT ?", (pattern, pattern, prefix or "\x00", limit)).fetchall()
    return [_record(row, 4) for row in rows]


def same_person(conn: sqlite3.Connection, record: PersonRecord) -> list[PersonRecord]:
    """The record and every other person record sharing its phone key or email key: all of them are the person."""
    keys = conn.execute(f"SELECT phone_key, email_key FROM {record.table} WHERE id = ?", (record.id,)).fetchone()
    phone_key, email_key = keys if keys else (None, None)
    rows = conn.execute(
        f"SELECT * FROM ({_PEOPLE}) WHERE id = ? OR (phone_key IS NOT NULL AND phone_key = ?)"
        " OR (email_key IS NOT NULL AND email_key = ?)", (record.id, phone_key, email_key)).fetchall()
    found = [_record(row, 1 if row[1] == record.id else 4) for row in rows]
    return sorted(found, key=lambda r: (r.id != record.id, r.table, r.name))


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, object]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def notes_naming(conn: sqlite3.Connection, terms: Iterable[str]) -> list[NoteHit]:
    """Every follow-up (superseded and deleted ones too: the file keeps them) whose notes, goal or next plan holds
    one of the terms, newest first."""
    terms = [t for t in dict.fromkeys(terms) if len(t) >= SEARCHABLE_MIN]
    if not terms:
        return []
    conditions = " OR ".join(f"f.{name} LIKE ? ESCAPE '\\'" for _ in terms for name in NOTE_FIELDS)
    params = [like_pattern(t) for t in terms for _ in NOTE_FIELDS]
    rows = conn.execute(
        f"SELECT f.id, f.customer_id, c.name, f.at, f.notes, f.goal, f.next_plan FROM follow_up f"
        f" JOIN customer c ON c.id = f.customer_id WHERE {conditions} ORDER BY f.at DESC", params).fetchall()
    hits = []
    for row in rows:
        text = " ".join(str(part or "") for part in row[4:7])
        hits.append(NoteHit(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                            named_by=tuple(t for t in terms if t in text)))
    return hits


def texts_naming(conn: sqlite3.Connection, terms: Iterable[str], records: Sequence[PersonRecord]) -> list[NoteHit]:
    """Beside follow-ups, the texts that may hold the person: the notes of the companies they are a contact at,
    whole (an import of contacts puts a contact's remarks, extra phones and unknown columns there, naming nobody,
    so the file cannot tell which lines are theirs); the notes of any other customer naming them (only those
    lines); deal titles and contract numbers naming them. The person's own records are left out (emptied
    anyway)."""
    terms = [t for t in dict.fromkeys(terms) if len(t) >= SEARCHABLE_MIN]
    companies = sorted({r.customer_id for r in records if r.table == "contact"} - {r.id for r in records})
    skip = {r.id for r in records} | set(companies)
    hits = [NoteHit(row[0], row[0], row[1], row[2], row[3], "", None, _names(row[3], terms), "customer", True)
            for row in conn.execute(f"SELECT id, name, updated_at, notes FROM customer WHERE id IN ({_marks(companies)})"
                                    " AND coalesce(notes, '') <> '' ORDER BY name", companies)]
    queries = {
        "customer": "SELECT c.id, c.id, c.name, c.updated_at, c.notes FROM customer c",
        "deal": "SELECT d.id, d.customer_id, c.name, d.updated_at, d.title FROM deal d"
                " JOIN customer c ON c.id = d.customer_id",
        "contract": "SELECT k.id, k.customer_id, c.name, k.updated_at, k.number FROM contract k"
                    " JOIN customer c ON c.id = k.customer_id",
    }
    for table, query in queries.items() if terms else ():
        column = {"customer": "c.notes", "deal": "d.title", "contract": "k.number"}[table]
        conditions = " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for _ in terms)
        for row in conn.execute(f"{query} WHERE {conditions} ORDER BY 4 DESC", [like_pattern(t) for t in terms]):
            if row[0] in skip:
                continue
            text = row[4] or ""
            shown = "\n".join(line for line in text.splitlines() if _names(line, terms)) if table == "customer" else text
            hits.append(NoteHit(row[0], row[1], row[2], row[3], shown, "", None, _names(text, terms), table))
    return hits


def _names(text: str, terms: Sequence[str]) -> tuple[str, ...]:
    return tuple(t for t in terms if t in text)


def blanked_text(table: str, text: str | None, terms: Sequence[str]) -> str | None:
    """A text with the person taken out: a customer's notes lose every line naming them (the other lines are
    about the company, kept), None when no line is left; a deal title or contract number keeps its words with
    each name, phone or email replaced by an ellipsis (both are required and name the deal)."""
    if text is None:
        return None
    if table == "customer":
        kept = "\n".join(line for line in text.splitlines() if not _names(line, terms))
        return kept or None
    for term in terms:
        text = text.replace(term, ELIDED)
    return text


def export_rows(conn: sqlite3.Connection, records: Sequence[PersonRecord], terms: Sequence[str]) -> dict[str, object]:
    """Everything the file holds about the person, as rows of column values: their records, the customers their
    contacts are at, follow-ups with them or naming them, and, for a person customer, its deals, contracts,
    instalments, tags, tickets with their history, and revisits; the change history of all of these."""
    customer_ids = [r.id for r in records if r.table == "customer"]
    contact_ids = [r.id for r in records if r.table == "contact"]
    people = {
        "customers": _dicts(conn.execute(f"SELECT * FROM customer WHERE id IN ({_marks(customer_ids)})", customer_ids)),
        "contacts": _dicts(conn.execute(f"SELECT * FROM contact WHERE id IN ({_marks(contact_ids)})", contact_ids)),
    }
    at = sorted({r.customer_id for r in records if r.table == "contact"} - set(customer_ids))
    companies = _dicts(conn.execute(f"SELECT id, name, kind FROM customer WHERE id IN ({_marks(at)})", at))
    follow_ups = _dicts(conn.execute(
        f"SELECT * FROM follow_up WHERE customer_id IN ({_marks(customer_ids)}) OR contact_id IN ({_marks(contact_ids)})"
        " ORDER BY at", [*customer_ids, *contact_ids]))
    seen = {f["id"] for f in follow_ups}
    naming = [h.id for h in notes_naming(conn, terms) if h.id not in seen]
    follow_ups += _dicts(conn.execute(f"SELECT * FROM follow_up WHERE id IN ({_marks(naming)}) ORDER BY at", naming))
    deals = _dicts(conn.execute(f"SELECT * FROM deal WHERE customer_id IN ({_marks(customer_ids)})", customer_ids))
    contracts = _dicts(conn.execute(f"SELECT * FROM contract WHERE customer_id IN ({_marks(customer_ids)})",
                                    customer_ids))
    contract_ids = [c["id"] for c in contracts]
    payments = _dicts(conn.execute(f"SELECT * FROM payment WHERE contract_id IN ({_marks(contract_ids)})",
                                   contract_ids))
    tags = _dicts(conn.execute(f"SELECT * FROM customer_tag WHERE customer_id IN ({_marks(customer_ids)})",
                               customer_ids))
    after_sales: dict[str, list[dict[str, object]]] = {"ticket": [], "ticket_event": [], "revisit": []}
    for table, record_id in after_sales_of(conn, customer_ids):
        after_sales[table] += _dicts(conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)))
    ids = [*customer_ids, *contact_ids, *(f["id"] for f in follow_ups), *(d["id"] for d in deals), *contract_ids,
           *(p["id"] for p in payments), *(t["id"] for t in tags),
           *(row["id"] for rows in after_sales.values() for row in rows)]
    history = _dicts(conn.execute(f"SELECT * FROM change_log WHERE record_id IN ({_marks(ids)}) ORDER BY rowid",
                                  ids)) if has_table(conn, "change_log") else []
    return {**people, "companies": companies, "follow_ups": follow_ups, "deals": deals, "contracts": contracts,
            "payments": payments, "tags": tags, "tickets": after_sales["ticket"],
            "ticket_events": after_sales["ticket_event"], "revisits": after_sales["revisit"], "history": history}


def erased_label(record_id: str) -> str:
    """The tombstone name of an erased record."""
    return ERASED_LABEL.format(tag=record_id.replace("-", "")[:4])


def erased_values(table: str, record_id: str) -> dict[str, object]:
    """The personal fields of an erased record: the tombstone label, its key, everything else empty."""
    label = erased_label(record_id)
    values: dict[str, object] = dict.fromkeys(PERSONAL_FIELDS[table])
    values.update(name=label, name_key=normalize.name_key(label), pinyin="")
    return values


def erase_records(conn: sqlite3.Connection, outbox: OutboxWriter, records: Sequence[PersonRecord],
                  chosen: Sequence[NoteHit], terms: Sequence[str], now: datetime, today: date) -> None:
    """Writes the erasure as changes (so a team's server and laptops receive it): each record's personal fields
    emptied and its name a tombstone, marked erased and do-not-contact; the chosen follow-ups' notes, goal and
    next plan emptied, and the chosen other texts (customer notes, deal titles, contract numbers) with the person
    taken out (blanked_text). A person customer's next follow-up goes too: nobody is to call them. Its tickets, their
    events and its revisits keep their dates and statuses, their text emptied (AFTER_SALES_TEXT)."""
    conn.execute("PRAGMA secure_delete = ON")  # the values written over are zeroed where they stood
    for record in records:
        values = erased_values(record.table, record.id)
        values.update(erased_at=now, do_not_contact=True, do_not_contact_on=today, updated_at=now)
        if record.table == "customer":
            values["next_follow_up_at"] = None
        _update(conn, record.table, record.id, values)
        outbox.record("update", record.table, record.id, values)
    for table, record_id in after_sales_of(conn, [r.id for r in records if r.table == "customer"]):
        blanked = {**AFTER_SALES_TEXT[table], "updated_at": now}
        _update(conn, table, record_id, blanked)
        outbox.record("update", table, record_id, blanked)
    for hit in chosen:
        if hit.table == "follow_up":
            values = {"notes": "", "goal": "", "next_plan": None, "updated_at": now}
        else:
            column = TEXT_FIELDS[hit.table]
            stored = conn.execute(f"SELECT {column} FROM {hit.table} WHERE id = ?", (hit.id,)).fetchone()
            text = None if hit.whole else blanked_text(hit.table, stored[0] if stored else None, terms)
            values = {column: text, "updated_at": now}
        _update(conn, hit.table, hit.id, values)
        outbox.record("update", hit.table, hit.id, values)


def _update(conn: sqlite3.Connection, table: str, record_id: str, values: dict[str, object]) -> None:
    stored = [to_db(v) if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else v
              for v in values.values()]
    conn.execute(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in values)} WHERE id = ?", [*stored, record_id])


def scrub(conn: sqlite3.Connection, records: Sequence[tuple[str, str]], terms: Sequence[str],
          note_ids: Sequence[str], texts: Sequence[NoteHit] = ()) -> None:
    """Takes what the file still holds of an erased person off everything beside the records themselves, inside
    the caller's transaction (deleted content is overwritten: secure_delete): the history of their records; the
    values their outbox entries (pushed or not) and those of the blanked notes and texts (`texts`) carry, and the
    history of a company's notes blanked whole; conflicts and rows set aside of their records; the search
    indexes' deleted entries; and, in rows of other records (history, conflicts, the names kept beside rejected changes and conflicts), each of their
    terms, cut out in place: those rows stay (they are another record's), and an action whose history lost a
    row or a value is marked `cut_by_erasure` (undo passes over it: reverting what is left would be half of it)."""
    conn.execute("PRAGMA secure_delete = ON")
    terms = [t for t in dict.fromkeys(terms) if len(t) >= SEARCHABLE_MIN]
    for table, record_id in records:
        _rewrite_outbox(conn, table, record_id, _as_erased(erased_values(table, record_id)))
    for note_id in note_ids:
        _rewrite_outbox(conn, "follow_up", note_id, _blank_note)
    for hit in texts:
        _rewrite_outbox(conn, hit.table, hit.id, _blank_text(hit, terms))
    # a person customer's tickets, their events and revisits: their text goes, with its history
    after_sales = after_sales_of(conn, [record_id for table, record_id in records if table == "customer"])
    for table, record_id in after_sales:
        _rewrite_outbox(conn, table, record_id, _as_erased(AFTER_SALES_TEXT[table]))
    pairs = [*records, *(("follow_up", note_id) for note_id in note_ids), *after_sales]
    for table, record_id in pairs:
        conn.execute("DELETE FROM sync_conflict WHERE record_table = ? AND record_id = ?", (table, record_id))
        conn.execute("DELETE FROM sync_set_aside WHERE record_table = ? AND record_id = ?", (table, record_id))
    history = has_table(conn, "change_log")
    touched: set[str] = set()  # the actions that lose a row or a value of their history
    if history:
        for table, record_id in pairs:
            touched.update(row[0] for row in conn.execute(
                "DELETE FROM change_log WHERE record_table = ? AND record_id = ? RETURNING action_id", (table, record_id))
                if row[0])
    for hit in texts if history else ():
        if hit.whole:  # the notes' earlier values hold the contact's remarks too
            touched.update(row[0] for row in conn.execute(
                "UPDATE change_log SET old_value = NULL, new_value = NULL WHERE record_table = 'customer'"
                " AND record_id = ? AND field = 'notes' RETURNING action_id", (hit.id,)) if row[0])
    for term in terms:
        pattern = like_pattern(term)
        if history:
            touched.update(_cut_rows(conn, "change_log", "seq", ("old_value", "new_value"), pattern, terms,
                                     "action_id"))
        if has_table(conn, "change_action"):  # what the rep did, in words, may name them
            conn.execute("UPDATE change_action SET what = NULL WHERE what LIKE ? ESCAPE '\\'", (pattern,))
        _cut_rows(conn, "sync_conflict", "id", ("kept_value", "lost_value"), pattern, terms)
        _cut_rows(conn, "meta", "key", ("value",), pattern, terms,
                  where="(key LIKE 'rejected!_customer.%' ESCAPE '!' OR key LIKE 'conflict!_customer.%' ESCAPE '!')")
    if touched and has_table(conn, "change_action"):
        conn.executemany("DELETE FROM change_action WHERE action_id = ? AND NOT EXISTS"
                         " (SELECT 1 FROM change_log WHERE action_id = ?)", [(a, a) for a in touched])
        conn.executemany("UPDATE change_action SET cut_by_erasure = 1 WHERE action_id = ?", [(a,) for a in touched])
    for fts in FTS_TABLES:
        if has_table(conn, fts):
            # A deleted entry stays in the index's segments until they are merged.
            conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")


def _as_erased(erased: dict[str, object]) -> Callable[[str, object], object]:
    return lambda name, value: erased.get(name, value)


def _blank_note(name: str, value: object) -> object:
    if name not in NOTE_FIELDS:
        return value
    return None if name == "next_plan" else ""


def _blank_text(hit: NoteHit, terms: Sequence[str]) -> Callable[[str, object], object]:
    def blank(name: str, value: object) -> object:
        if name != TEXT_FIELDS[hit.table] or not isinstance(value, str):
            return value
        return None if hit.whole else blanked_text(hit.table, value, terms)
    return blank


def _rewrite_outbox(conn: sqlite3.Connection, table: str, record_id: str,
                    change: Callable[[str, object], object]) -> None:
    """Each outbox entry of the record, its values passed through `change(name, value)`."""
    for seq, changes in conn.execute("SELECT seq, changes FROM outbox WHERE record_table = ? AND record_id = ?",
                                     (table, record_id)).fetchall():
        values = json.loads(changes)
        values = {name: change(name, value) for name, value in values.items()}
        conn.execute("UPDATE outbox SET changes = ? WHERE seq = ?", (json.dumps(values, ensure_ascii=False), seq))


def _cut_rows(conn: sqlite3.Connection, table: str, key: str, columns: Sequence[str], pattern: str,
              terms: Sequence[str], group: str | None = None, where: str = "1") -> set[str]:
    """Cuts the terms out of `columns` of the rows of `table` holding `pattern` (see cut_terms); returns the
    `group` column of the rows cut (the actions of history rows)."""
    if not has_table(conn, table):
        return set()
    holding = " OR ".join(f"{column} LIKE ?1 ESCAPE '\\'" for column in columns)
    cut: set[str] = set()
    selected = ", ".join([key, *columns, group or "NULL"])
    for row in conn.execute(f"SELECT {selected} FROM {table} WHERE {where} AND ({holding})", (pattern,)).fetchall():
        values = [cut_terms(value, terms) for value in row[1:1 + len(columns)]]
        conn.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE {key} = ?", [*values, row[0]])
        if row[-1]:
            cut.add(row[-1])
    return cut


def cut_terms(value: str | None, terms: Sequence[str]) -> str | None:
    """A stored value (JSON text, or plain text) with each term replaced by an ellipsis; a JSON value that is not
    text (a number holding a phone) becomes null."""
    if value is None or not any(t in value for t in terms):
        return value
    try:
        loaded = json.loads(value)
    except ValueError:
        loaded, is_json = value, False
    else:
        is_json = True
    if not isinstance(loaded, str):
        return "null" if is_json else None
    for term in terms:
        loaded = loaded.replace(term, ELIDED)
    return json.dumps(loaded, ensure_ascii=False) if is_json else loaded


@dataclass(frozen=True)
class ArrivingErasures:
    """What rows received from the server erase here: records erased elsewhere that this laptop still holds
    unerased (table, id, what identified them here, read before the rows are written over), and follow-ups whose
    text an erasure blanked."""

    records: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    blanked: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.records or self.blanked)


def arriving_erasures(conn: sqlite3.Connection, rows: dict[str, list[dict]]) -> ArrivingErasures:
    """Of the rows a pull (or a push's answer) brings, what erases something here (see ArrivingErasures)."""
    found = []
    for table in ("customer", "contact"):
        ids = [row["id"] for row in rows.get(table, ()) if row.get("erased_at")]
        if not ids:
            continue
        for record_id, *terms in conn.execute(
                f"SELECT id, name, phone, email, wechat FROM {table} WHERE erased_at IS NULL AND id IN ({_marks(ids)})",
                ids).fetchall():
            found.append((table, record_id, tuple(t for t in terms if t)))
    candidates = [row["id"] for row in rows.get("follow_up", ()) if row.get("notes") == "" and row.get("goal") == ""]
    blanked = [row[0] for row in conn.execute(
        f"SELECT id FROM follow_up WHERE id IN ({_marks(candidates)}) AND (notes <> '' OR goal <> '')",
        candidates)] if candidates else []
    return ArrivingErasures(tuple(found), tuple(blanked))


def finish_arrived_erasures(conn: sqlite3.Connection, erasures: ArrivingErasures) -> None:
    """After the rows are written: an erased record's fields are the tombstone whatever this laptop had not pushed
    yet, and what else the file held of it and of the blanked notes is scrubbed (see scrub)."""
    if not erasures:
        return
    for table, record_id, _terms in erasures.records:
        _update(conn, table, record_id, erased_values(table, record_id))
    erased_customers = [record_id for table, record_id, _terms in erasures.records if table == "customer"]
    for table, record_id in after_sales_of(conn, erased_customers):
        _update(conn, table, record_id, dict(AFTER_SALES_TEXT[table]))
    terms = [t for *_rest, found in erasures.records for t in found]
    scrub(conn, [(table, record_id) for table, record_id, _terms in erasures.records], terms, erasures.blanked)


def checkpoint_and_vacuum(conn: sqlite3.Connection) -> None:
    """Rewrites the file without its free pages, and empties the write-ahead log, so nothing deleted is left in
    either (outside any transaction)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def vacuum(database: Database) -> bool:
    """checkpoint_and_vacuum on a connection of its own (after the write that erased someone has committed).
    False when another connection kept it from running (busy or locked): the deleted content is overwritten
    already (secure_delete), and the free pages and the log are rewritten at a later VACUUM and checkpoint."""
    conn = database.connect()
    try:
        checkpoint_and_vacuum(conn)
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def records_of(conn: sqlite3.Connection, ids: Iterable[str]) -> list[PersonRecord]:
    """The person records with these ids (as find_people reads them)."""
    ids = list(ids)
    return [_record(row, 1) for row in conn.execute(f"SELECT * FROM ({_PEOPLE}) WHERE id IN ({_marks(ids)})", ids)]



def do_not_contact_of(conn: sqlite3.Connection, customer_id: str, contact_id: str | None) -> tuple[str, str | None] | None:
    """(name, day asked) of the person customer, or else the contact, who asked not to be contacted; None when
    neither did."""
    row = conn.execute("SELECT name, do_not_contact_on FROM customer WHERE id = ? AND kind = 'person'"
                       " AND do_not_contact", (customer_id,)).fetchone()
    if row is None and contact_id:
        row = conn.execute("SELECT name, do_not_contact_on FROM contact WHERE id = ? AND do_not_contact",
                           (contact_id,)).fetchone()
    return (row[0], row[1]) if row else None
