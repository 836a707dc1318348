"""What an export reads: every live record of one kind, as rows straight off a cursor (never a list), so the
memory an export takes does not grow with the book; and the dated items a calendar shows.

Values come as SQLite stores them (times as UTC text, days as ISO text, amounts in cents): the exporters make
them typed values (services/exporting/records.py), each format writes them its way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

from crmtui.store.agenda import MINE, OPEN_STATUSES
from crmtui.store.follow_ups import current

CONSENT = ("consent_source", "consent_on", "do_not_contact", "do_not_contact_on", "do_not_contact_reason")
"""A person's consent and do-not-contact, on a customer and a contact alike (the last columns of both)."""
CUSTOMER_COLUMNS = ("id", "name", "kind", "company", "status", "tier", "score", "phone", "email", "wechat",
                    "industry", "region", "source", "interest", "tags", "owner", "next_follow_up_at",
                    "last_contact_at", "created_at", "notes", *CONSENT, "service_months", "service_from",
                    "warranty_until")
CONTACT_COLUMNS = ("id", "customer_id", "customer", "customer_kind", "name", "title", "phone", "email", "wechat",
                   "decision_maker", "birthday", "created_at", *CONSENT)
DEAL_COLUMNS = ("id", "customer_id", "customer", "title", "stage", "amount_cents", "quoted_cents", "probability",
                "expected_close", "competitor", "lost_reason", "stage_entered_at", "opened_at", "closed_at",
                "owner_name", "external_id", "imported_from")
FOLLOW_UP_COLUMNS = ("id", "customer_id", "customer", "contact", "deal", "at", "channel", "goal", "goal_met",
                     "notes", "next_plan", "next_at", "author", "external_id", "imported_from")
"""The columns each query yields, in order (the exporters name them for the rep)."""

TAG_SEPARATOR = "\x1f"
"""Between a customer's tags in the `tags` column (the unit separator: no tag holds it, a comma may)."""
_TAGS = ("(SELECT group_concat(tag, char(31)) FROM (SELECT t.tag FROM customer_tag t WHERE t.customer_id = c.id"
         " AND t.deleted_at IS NULL ORDER BY t.tag))")

_QUERIES = {
    "customers": (
        "SELECT c.id, c.name, c.kind, c.company, c.status, c.tier, c.score, c.phone, c.email, c.wechat, c.industry,"
        f" c.region, c.source, c.interest, {_TAGS}, c.owner, c.next_follow_up_at, c.last_contact_at, c.created_at,"
        " c.notes, c.consent_source, c.consent_on, c.do_not_contact, c.do_not_contact_on, c.do_not_contact_reason,"
        " c.service_months, c.service_from, c.warranty_until FROM customer c WHERE c.deleted_at IS NULL ORDER BY c.created_at, c.id"),
    "contacts": (
        "SELECT p.id, c.id, c.name, c.kind, p.name, p.title, p.phone, p.email, p.wechat, p.decision_maker,"
        " p.birthday, p.created_at, p.consent_source, p.consent_on, p.do_not_contact, p.do_not_contact_on,"
        " p.do_not_contact_reason FROM contact p JOIN customer c ON c.id = p.customer_id"
        " WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY c.created_at, c.id, p.created_at, p.id"),
    "deals": (
        "SELECT d.id, c.id, c.name, d.title, d.stage, d.amount_cents, d.quoted_cents, d.probability,"
        " d.expected_close, d.competitor, d.lost_reason, d.stage_entered_at,"
        # opened: its first stage change (an imported deal's real day, not the day it was imported); closed: when
        # a won or lost deal entered that stage
        " coalesce((SELECT min(s.at) FROM deal_stage_change s WHERE s.deal_id = d.id AND s.deleted_at IS NULL),"
        " d.created_at), CASE WHEN d.stage IN ('won', 'lost') THEN d.stage_entered_at END,"
        " d.owner_name, d.external_id, d.imported_from"
        " FROM deal d JOIN customer c ON c.id = d.customer_id"
        " WHERE d.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY d.created_at, d.id"),
    "follow-ups": (
        "SELECT f.id, c.id, c.name, p.name, d.title, f.at, f.channel, f.goal, f.goal_met, f.notes, f.next_plan,"
        " f.next_at, f.author, f.external_id, f.imported_from FROM follow_up f JOIN customer c ON c.id = f.customer_id"
        " LEFT JOIN contact p ON p.id = f.contact_id LEFT JOIN deal d ON d.id = f.deal_id"
        f" WHERE {current('f')} AND c.deleted_at IS NULL ORDER BY f.at, f.created_at, f.id"),
}
COLUMNS = {"customers": CUSTOMER_COLUMNS, "contacts": CONTACT_COLUMNS, "deals": DEAL_COLUMNS,
           "follow-ups": FOLLOW_UP_COLUMNS}


def rows(connection: sqlite3.Connection, kind: str) -> Iterator[tuple]:
    """Every live record of `kind` (customers, contacts, deals, follow-ups), oldest first, one row at a time."""
    cursor = connection.execute(_QUERIES[kind])
    cursor.arraysize = 500
    while batch := cursor.fetchmany():
        yield from batch


def count(connection: sqlite3.Connection, kind: str) -> int:
    """How many rows `rows` yields for `kind`."""
    return connection.execute(f"SELECT count(*) FROM ({_QUERIES[kind]})").fetchone()[0]


_OPEN = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
_REACHABLE = "NOT (c.kind = 'person' AND c.do_not_contact)"
"""A customer a calendar may list: not a person who asked not to be contacted (nothing is to be planned with them,
as on Today)."""
_NEXT_PLAN = (f"(SELECT f.next_plan FROM follow_up f WHERE f.customer_id = c.id AND {current('f')}"
              " ORDER BY f.at DESC, f.created_at DESC LIMIT 1)")


def planned_follow_ups(connection: sqlite3.Connection) -> Iterator[tuple[str, str, str, str | None]]:
    """(customer id, name, next follow-up time as stored, next plan) of the rep's open customers with one planned."""
    yield from connection.execute(
        f"SELECT c.id, c.name, c.next_follow_up_at, {_NEXT_PLAN} FROM customer c"
        f" WHERE c.deleted_at IS NULL AND {_REACHABLE}"
        f" AND c.status IN ({_OPEN}) AND c.next_follow_up_at IS NOT NULL AND {MINE.sql} ORDER BY c.next_follow_up_at",
        MINE.params)


def contract_ends(connection: sqlite3.Connection, first: date) -> Iterator[tuple[str, str, str, str, int]]:
    """(contract id, customer name, contract number, end day, amount in cents) of the rep's live contracts ending on
    or after `first` (the day a renewal is talked about)."""
    yield from connection.execute(
        "SELECT k.id, c.name, k.number, k.end_on, k.amount_cents FROM contract k JOIN customer c ON c.id = k.customer_id"
        f" WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL AND {_REACHABLE} AND k.end_on >= ? AND {MINE.sql}"
        " ORDER BY k.end_on",
        (first.isoformat(), *MINE.params))


def payments_unpaid(connection: sqlite3.Connection) -> Iterator[tuple[str, str, str, str, int]]:
    """(payment id, customer name, contract number, due day, amount in cents) of the rep's unpaid instalments."""
    yield from connection.execute(
        "SELECT p.id, c.name, k.number, p.due_on, p.amount_cents"
        " FROM payment p JOIN contract k ON k.id = p.contract_id JOIN customer c ON c.id = k.customer_id"
        " WHERE p.deleted_at IS NULL AND p.paid_on IS NULL AND k.deleted_at IS NULL AND c.deleted_at IS NULL"
        f" AND {_REACHABLE} AND {MINE.sql} ORDER BY p.due_on", MINE.params)


def contact_birthdays(connection: sqlite3.Connection) -> Iterator[tuple[str, str, str, str]]:
    """(contact id, contact name, customer name, birthday) of the rep's customers' live contacts with a birthday,
    but for those who asked not to be contacted (a birthday is a reason to call)."""
    yield from connection.execute(
        "SELECT p.id, p.name, c.name, p.birthday FROM contact p JOIN customer c ON c.id = p.customer_id"
        f" WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND p.birthday IS NOT NULL AND NOT p.do_not_contact"
        f" AND {_REACHABLE} AND {MINE.sql}"
        " ORDER BY p.birthday", MINE.params)
