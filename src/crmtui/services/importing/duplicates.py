"""The duplicate rules of `crm add`, held in memory for an import: the book's keys (phone, email, normalised name,
of customers and their contacts), read once, and those of every record the run adds, so a file that repeats a row
and a file imported twice create nothing new."""

from __future__ import annotations

from typing import Any, NamedTuple


class Owner(NamedTuple):
    """A record a key belongs to: its customer (with the name shown), and the contact when a contact's key."""

    customer_id: str
    label: str
    contact_id: str | None


_KEY_FIELDS = (("phone", "phone_key"), ("email", "email_key"), ("name", "name_key"))
"""Each duplicate reason with the field holding its key, in the order `crm add` checks them."""


class DuplicateIndex:
    """The book's duplicate keys and those of every record this run adds, checked in the order `crm add` checks
    them: a customer by phone, email, then name, against customers and their contacts; a contact by phone and email
    against other customers, then by phone, email and name among its own customer's contacts."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Owner]] = {"phone": {}, "email": {}, "name": {}}
        self.customers: dict[str, Owner] = {}
        """Customers by normalised name: where a contact's company is found."""
        self.contacts: dict[tuple[str, str, str], Owner] = {}
        """(customer id, reason, key) -> the contact, for a contact's duplicates within its customer."""

    def add(self, owner: Owner, record: dict[str, Any]) -> None:
        """A record's keys (a customer's, or a contact's when the owner names one)."""
        for reason, key_field in _KEY_FIELDS:
            key = record.get(key_field)
            if key:
                self.keys[reason].setdefault(key, owner)
                if owner.contact_id:
                    self.contacts.setdefault((owner.customer_id, reason, key), owner)
        if owner.contact_id is None and record.get("name_key"):
            self.customers.setdefault(record["name_key"], owner)

    def customer_match(self, record: dict[str, Any]) -> tuple[str, Owner] | None:
        for reason, key_field in _KEY_FIELDS:
            key = record.get(key_field)
            if key and key in self.keys[reason]:
                return reason, self.keys[reason][key]
        return None

    def contact_match(self, customer_id: str, contact: dict[str, Any]) -> tuple[str, Owner] | None:
        for reason, key_field in _KEY_FIELDS[:2]:
            key = contact.get(key_field)
            owner = self.keys[reason].get(key) if key else None
            if owner is not None and owner.customer_id != customer_id:
                return reason, owner
        for reason, key_field in _KEY_FIELDS:
            key = contact.get(key_field)
            found = self.contacts.get((customer_id, reason, key)) if key else None
            if found is not None:
                return reason, found
        return None
