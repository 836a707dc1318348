"""Queries on customers, contacts and tags."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from crmtui.store.models import (
    Contact,
    Contract,
    Customer,
    CustomerTag,
    Deal,
    FollowUp,
    Revisit,
    SyncStamp,
    Ticket,
    TicketEvent,
)
from crmtui.store.outbox import parse_stamp


def get_customer(session: Session, customer_id: str) -> Customer | None:
    """The customer with this id, deleted or not."""
    return session.get(Customer, customer_id)


def find_duplicate(
    session: Session, name_key: str | None, phone_key: str | None, email_key: str | None, exclude_id: str | None = None
) -> tuple[str, Customer, Contact | None] | None:
    """The first live customer, or live contact of a live customer, with the same phone, email or name.

    Returns (reason, customer, the contact that matched or None when the customer itself did)."""
    live = col(Customer.deleted_at).is_(None)
    not_self = Customer.id != exclude_id if exclude_id else True
    checks: list[tuple[str, object, object]] = []
    if phone_key:
        checks.append(("phone", Customer.phone_key == phone_key, Contact.phone_key == phone_key))
    if email_key:
        checks.append(("email", Customer.email_key == email_key, Contact.email_key == email_key))
    if name_key:
        checks.append(("name", Customer.name_key == name_key, Contact.name_key == name_key))
    for reason, on_customer, on_contact in checks:
        found = session.exec(select(Customer).where(live, not_self, on_customer)).first()
        if found is not None:
            return reason, found, None
        pair = session.exec(
            select(Customer, Contact)
            .join(Contact, col(Contact.customer_id) == Customer.id)
            .where(live, not_self, col(Contact.deleted_at).is_(None), on_contact)
        ).first()
        if pair is not None:
            return reason, pair[0], pair[1]
    return None


def duplicates_of(session: Session, customer_id: str) -> list[tuple[str, Customer]]:
    """Every other live customer that shares a phone, email or normalised name with this customer or one of its
    live contacts, on the customer itself or on one of its live contacts (the rule of find_duplicate), except
    that two customers whose contacts merely share a name are not taken for duplicates (common names would
    flag much of a book).

    Returns (reason, customer), phone matches first, then email, then name; each customer once, under the first
    reason it matches."""
    customer = get_customer(session, customer_id)
    contacts = contacts_of(session, customer_id)
    live = (col(Customer.deleted_at).is_(None), Customer.id != customer_id)
    found: dict[str, tuple[str, Customer]] = {}
    for reason, on_customer, on_contact in (("phone", Customer.phone_key, Contact.phone_key),
                                           ("email", Customer.email_key, Contact.email_key),
                                           ("name", Customer.name_key, Contact.name_key)):
        own = {key for key in [getattr(customer, f"{reason}_key", None)] if key}
        keys = own | {key for contact in contacts if (key := getattr(contact, f"{reason}_key"))}
        on_contacts = own if reason == "name" else keys
        matches: list[Customer] = []
        if keys:
            matches += session.exec(select(Customer).where(*live, col(on_customer).in_(keys))
                                    .order_by(Customer.created_at)).all()
        if on_contacts:
            matches += session.exec(select(Customer).join(Contact, col(Contact.customer_id) == Customer.id)
                                    .where(*live, col(Contact.deleted_at).is_(None), col(on_contact).in_(on_contacts))
                                    .order_by(Customer.created_at)).all()
        for other in matches:
            found.setdefault(other.id, (reason, other))
    return list(found.values())


def customers_named(session: Session, name_key: str, exclude_id: str | None = None) -> list[Customer]:
    """Every live customer whose normalised name is `name_key` (other than `exclude_id`), oldest first."""
    query = select(Customer).where(col(Customer.deleted_at).is_(None), Customer.name_key == name_key)
    if exclude_id:
        query = query.where(Customer.id != exclude_id)
    return list(session.exec(query.order_by(Customer.created_at)).all())


def get_contact(session: Session, contact_id: str) -> Contact | None:
    """The contact with this id, deleted or not."""
    return session.get(Contact, contact_id)


def find_contact_duplicate(
    session: Session, customer_id: str, name_key: str, phone_key: str | None, email_key: str | None,
    exclude_id: str | None = None,
) -> tuple[str, Contact] | None:
    """A live contact of this customer (other than `exclude_id`) with the same phone, email or name."""
    live = (col(Contact.deleted_at).is_(None), Contact.customer_id == customer_id, Contact.id != exclude_id)
    for reason, key, column in (("phone", phone_key, Contact.phone_key), ("email", email_key, Contact.email_key),
                                ("name", name_key, Contact.name_key)):
        if key:
            found = session.exec(select(Contact).where(*live, column == key)).first()
            if found:
                return reason, found
    return None


def list_customers(session: Session, statuses: Sequence[str] | None = None, limit: int | None = None) -> list[Customer]:
    """Live customers, optionally of some statuses, by name."""
    query = select(Customer).where(col(Customer.deleted_at).is_(None))
    if statuses:
        query = query.where(col(Customer.status).in_(statuses))
    query = query.order_by(Customer.name)
    if limit:
        query = query.limit(limit)
    return list(session.exec(query).all())


_CONTACTS_OF = select(Contact).where(Contact.customer_id == bindparam("customer_id"))
_CONTACTS_ORDER = (col(Contact.decision_maker).desc(), Contact.name)
_LIVE_CONTACTS_OF = _CONTACTS_OF.where(col(Contact.deleted_at).is_(None)).order_by(*_CONTACTS_ORDER)
_EVERY_CONTACT_OF = _CONTACTS_OF.order_by(*_CONTACTS_ORDER)
_LIVE_TAGS_OF = (select(CustomerTag)
                 .where(CustomerTag.customer_id == bindparam("customer_id"), col(CustomerTag.deleted_at).is_(None))
                 .order_by(CustomerTag.tag))
# Built once: SQLAlchemy then keys its cache of compiled statements without rebuilding them on every call.


def _flush_for(session: Session, model: type) -> dict[str, bool]:
    """Execution options for a query that reads `model`'s table alone: flush first only when that table has
    unflushed changes (other pending changes cannot alter what it reads; a later flush writes them)."""
    pending = (*session.new, *session.dirty, *session.deleted)
    return {} if any(isinstance(obj, model) for obj in pending) else {"autoflush": False}


def contacts_of(session: Session, customer_id: str, include_deleted: bool = False) -> list[Contact]:
    """The customer's contacts, decision makers first."""
    query = _EVERY_CONTACT_OF if include_deleted else _LIVE_CONTACTS_OF
    return list(session.exec(query, params={"customer_id": customer_id},
                             execution_options=_flush_for(session, Contact)).all())


def tags_of(session: Session, customer_id: str) -> list[CustomerTag]:
    """Live tags of a customer."""
    return list(session.exec(_LIVE_TAGS_OF, params={"customer_id": customer_id},
                             execution_options=_flush_for(session, CustomerTag)).all())


def count_customers(session: Session) -> int:
    """Every customer row, live or not (demo refuses a database that has any)."""
    return session.exec(select(func.count()).select_from(Customer)).one()


CHILD_TABLES = (Contact, Deal, FollowUp, Contract, CustomerTag, Revisit, Ticket)
"""Every table whose rows name their customer; instalments, stage changes and a ticket's events hang off contracts,
deals and tickets."""

Child = Contact | Deal | FollowUp | Contract | CustomerTag | Revisit | Ticket


def children_of(session: Session, customer_id: str) -> list[Child]:
    """Every record that names the customer, tombstones included (what a merge moves to the kept customer)."""
    found: list[Child] = []
    for table in CHILD_TABLES:
        found.extend(session.exec(select(table).where(table.customer_id == customer_id)).all())
    return found


def written_millis(session: Session, table: str, record_id: str, field: str) -> int | None:
    """When a field of a record was last written, here or on the laptop it was pulled from: the milliseconds of
    its sync stamp, the same for every write of one transaction (None when no stamp is known)."""
    row = session.get(SyncStamp, (table, record_id))
    stamp = json.loads(row.stamps).get(field) if row else None
    return parse_stamp(stamp)[0] if stamp else None


def after_sales_of(session: Session, customer_id: str) -> list[Revisit | Ticket | TicketEvent]:
    """The customer's live revisits (open and done), tickets and their tickets' live events: what goes with it when
    it is deleted."""
    revisits = session.exec(select(Revisit).where(Revisit.customer_id == customer_id,
                                                  col(Revisit.deleted_at).is_(None))).all()
    tickets = session.exec(select(Ticket).where(Ticket.customer_id == customer_id,
                                                col(Ticket.deleted_at).is_(None))).all()
    events = session.exec(select(TicketEvent).join(Ticket, col(Ticket.id) == TicketEvent.ticket_id)
                          .where(Ticket.customer_id == customer_id, col(TicketEvent.deleted_at).is_(None))).all()
    return [*events, *tickets, *revisits]


def live_contracts_named(session: Session, ref: str) -> list[tuple[Contract, Customer]]:
    """Live contracts of live customers whose number is `ref`, else whose id starts with it (4 characters or more),
    each with its customer; two reps' contracts may share a number."""
    query = (select(Contract, Customer).join(Customer, col(Customer.id) == Contract.customer_id)
             .where(col(Contract.deleted_at).is_(None), col(Customer.deleted_at).is_(None)))
    found = session.exec(query.where(Contract.number == ref).order_by(col(Contract.signed_on))).all()
    if not found and len(ref) >= 4:
        found = session.exec(query.where(col(Contract.id).startswith(ref.lower(), autoescape=True))).all()
    return [(contract, customer) for contract, customer in found]
