"""The duplicate rules of `crm add` for an import: a row is checked against the book, which by then holds every
record the run has written (they are written every few thousand rows inside the run's one transaction, and found by
the store's indexes on the keys), and against the keys of the records staged since the last write, the only ones
held in memory. So a file that repeats a row and a file imported twice create nothing new, and the memory an import
takes does not grow with its file. A dry run, which writes nothing, keeps the keys of each written-out batch in a
temporary table instead (crmtui.store.importing).

Most rows of a file are new: a filter of fixed size (KeyFilter) knows every key the book and the run hold, so a key
it has never seen is known to be nobody's without a look-up."""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from crmtui.store import importing as store


class Owner(NamedTuple):
    """A record a key belongs to: its customer (with the name shown), and the contact when a contact's key."""

    customer_id: str
    label: str
    contact_id: str | None


_KEY_FIELDS = (("phone", "phone_key"), ("email", "email_key"), ("name", "name_key"))
"""Each duplicate reason with the field holding its key, in the order `crm add` checks them."""


FILTER_BITS = 1 << 23
"""The filter's size: 1 MB of memory. With the ~300,000 keys of a 50,000-row file and a book of 20,000 customers
about 1 key in 200 that nobody holds is looked up anyway (its two bits set by other keys); with more keys, more
are, and the answers stay right."""


class KeyFilter:
    """A Bloom filter of (reason, key) with two probes: a key it says is absent is held by no record; one it says
    is present may be (and is looked up)."""

    def __init__(self) -> None:
        self.bits = bytearray(FILTER_BITS >> 3)

    def add(self, reason: str, key: str) -> None:
        h = hash((reason, key))
        for probe in (h & (FILTER_BITS - 1), (h >> 23) & (FILTER_BITS - 1)):
            self.bits[probe >> 3] |= 1 << (probe & 7)

    def __contains__(self, item: tuple[str, str]) -> bool:
        h = hash(item)
        first, second = h & (FILTER_BITS - 1), (h >> 23) & (FILTER_BITS - 1)
        return bool(self.bits[first >> 3] & (1 << (first & 7))) and bool(self.bits[second >> 3] & (1 << (second & 7)))


def _owner(row: store.KeyRow | None) -> Owner | None:
    if row is None:
        return None
    label = f"{row.contact_name} @ {row.customer_name}" if row.contact_id else row.customer_name
    return Owner(row.customer_id, label, row.contact_id)


def _held(row: store.HeldKey | None) -> Owner | None:
    return Owner(row.customer_id, row.label, row.contact_id) if row else None


class DuplicateIndex:
    """A row's duplicates, checked in the order `crm add` checks them: a customer by phone, email, then name, against
    customers and their contacts; a contact by phone and email against other customers, then by phone, email and
    name among its own customer's contacts. Each key is looked up in the book, then (a dry run) among the keys kept
    aside, then among the staged records'."""

    def __init__(self, connection: sqlite3.Connection, dry_run: bool) -> None:
        self.connection = connection
        self.dry_run = dry_run
        self.kept = False
        """Whether a dry run has kept keys aside yet."""
        self.keys: dict[str, dict[str, Owner]] = {"phone": {}, "email": {}, "name": {}}
        """The staged records' keys by reason: the first record holding each."""
        self.customers: dict[str, Owner] = {}
        """The staged customers by normalised name."""
        self.contacts: dict[tuple[str, str, str], Owner] = {}
        """(customer id, reason, key) -> the staged contact, for a contact's duplicates within its customer."""
        self._looked_up: dict[tuple[str, str], Owner | None] = {}
        """The book's answers for the current row (its customer and its contact often share a phone)."""
        self.filter = KeyFilter()
        for reason, key in store.held_keys(connection):
            self.filter.add(reason, key)

    def __len__(self) -> int:
        """How many staged keys are held (what a test checks stays within a batch)."""
        return sum(map(len, self.keys.values())) + len(self.customers) + len(self.contacts)

    def add(self, owner: Owner, record: dict[str, Any]) -> None:
        """A staged record's keys (a customer's, or a contact's when the owner names one)."""
        for reason, key_field in _KEY_FIELDS:
            key = record.get(key_field)
            if key:
                self.filter.add(reason, key)
                self.keys[reason].setdefault(key, owner)
                if owner.contact_id:
                    self.contacts.setdefault((owner.customer_id, reason, key), owner)
        if owner.contact_id is None and record.get("name_key"):
            self.customers.setdefault(record["name_key"], owner)
        self._looked_up.clear()

    def changed(self, record: dict[str, Any] | None = None) -> None:
        """The book changed: what was looked up is looked up again; `record`, a row merged into a record of the
        book, may have given it keys (a phone, an email it lacked)."""
        self._looked_up.clear()
        for reason, key_field in _KEY_FIELDS if record is not None else ():
            key = record.get(key_field)  # type: ignore[union-attr]
            if key:
                self.filter.add(reason, key)

    def written(self) -> None:
        """The staged records were written to the book (or, dry, their keys kept aside): forgets their keys."""
        if self.dry_run and len(self):
            # every key in the order added, as the in-memory dicts hold the first owner of each
            seen = {(reason, key): owner for reason, held in self.keys.items() for key, owner in held.items()}
            rows = [store.HeldKey(reason, key, o.customer_id, o.label, o.contact_id) for (reason, key), o in seen.items()]
            rows += [store.HeldKey(reason, key, o.customer_id, o.label, o.contact_id)
                     for (_, reason, key), o in self.contacts.items() if self.keys[reason].get(key) is not o]
            rows += [store.HeldKey("name", key, o.customer_id, o.label, None)
                     for key, o in self.customers.items() if self.keys["name"].get(key) is not o]
            store.keep_keys(self.connection, rows)
            self.kept = True
        for held in self.keys.values():
            held.clear()
        self.customers.clear()
        self.contacts.clear()
        self._looked_up.clear()

    def _first(self, reason: str, key: str) -> Owner | None:
        """The first record holding the key: the book's, then kept aside, then staged."""
        if (reason, key) not in self.filter:
            return None
        found = self._looked_up.get((reason, key), False)
        if found is False:
            found = _owner(store.key_owner(self.connection, reason, key))
            if found is None and self.kept:
                found = _held(store.kept_owner(self.connection, reason, key))
            self._looked_up[(reason, key)] = found
        return found or self.keys[reason].get(key)  # type: ignore[return-value]

    def customer_named(self, name_key: str) -> Owner | None:
        """The first customer with this normalised name (where a contact's company is found)."""
        if ("name", name_key) not in self.filter:
            return None
        found = store.customer_named(self.connection, name_key)
        if found is not None:
            return Owner(found[0], found[1], None)
        if self.kept:
            held = _held(store.kept_owner(self.connection, "name", name_key, customer_only=True))
            if held is not None:
                return held
        return self.customers.get(name_key)

    def customer_match(self, record: dict[str, Any]) -> tuple[str, Owner] | None:
        for reason, key_field in _KEY_FIELDS:
            key = record.get(key_field)
            owner = self._first(reason, key) if key else None
            if owner is not None:
                return reason, owner
        return None

    def contact_match(self, customer_id: str, contact: dict[str, Any]) -> tuple[str, Owner] | None:
        for reason, key_field in _KEY_FIELDS[:2]:
            key = contact.get(key_field)
            owner = self._first(reason, key) if key else None
            if owner is not None and owner.customer_id != customer_id:
                return reason, owner
        if not customer_id:  # a new customer's: it has no contacts yet
            return None
        for reason, key_field in _KEY_FIELDS:
            key = contact.get(key_field)
            if not key or (reason, key) not in self.filter:
                continue
            found = _owner(store.contact_key_owner(self.connection, customer_id, reason, key))
            if found is None and self.kept:
                found = _held(store.kept_owner(self.connection, reason, key, customer_id=customer_id))
            found = found or self.contacts.get((customer_id, reason, key))
            if found is not None:
                return reason, found
        return None
