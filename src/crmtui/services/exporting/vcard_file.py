"""vCard 3.0, as phones and Outlook import it, written by vobject: one card a contact (its customer as ORG) or a
customer who is a person, with FN and N, TEL, EMAIL, ORG, TITLE, BDAY, X-WECHAT (the WeChat id, as Chinese phone
apps write it), CATEGORIES (tags), NOTE (what else the CRM knows), and UID (the record's id, so a phone that
imports the file again updates the card instead of adding a second)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from crmtui.core.i18n import _


def _card(fields: dict[str, object]):  # type: ignore[no-untyped-def]
    # deferred: vobject costs ~0.15 s to import, paid only by a vCard export
    import vobject

    card = vobject.vCard()
    name = str(fields["name"])
    card.add("fn").value = name
    # One name, not split: a Chinese name has no space between its parts, and a wrong split (欧阳 is one surname)
    # is worse than none. Phones show FN.
    card.add("n").value = vobject.vcard.Name(family=name)
    if fields.get("org"):
        card.add("org").value = [str(fields["org"])]
    if fields.get("title"):
        card.add("title").value = str(fields["title"])
    if fields.get("phone"):
        tel = card.add("tel")
        tel.value = str(fields["phone"])
        tel.type_param = "CELL"
    if fields.get("email"):
        email = card.add("email")
        email.value = str(fields["email"])
        email.type_param = "INTERNET"
    if fields.get("birthday"):
        card.add("bday").value = str(fields["birthday"])
    if fields.get("wechat"):
        card.add("x-wechat").value = str(fields["wechat"])
    if fields.get("tags"):
        card.add("categories").value = [tag.strip() for tag in str(fields["tags"]).split(",") if tag.strip()]
    if fields.get("note"):
        card.add("note").value = str(fields["note"])
    card.add("uid").value = f"{fields['id']}@crmtui"
    return card


def contact_fields(contact: dict) -> dict[str, object]:
    """A contact's card: its customer as ORG."""
    return {"id": contact["id"], "name": contact["name"], "org": contact["customer"], "title": contact["title"],
            "phone": contact["phone"], "email": contact["email"], "birthday": contact["birthday"],
            "wechat": contact["wechat"],
            "note": _("decision maker") if contact["decision_maker"] else None}


def customer_fields(customer: dict) -> dict[str, object]:
    """A person customer's card: the company they work at as ORG, what else is known in the note."""
    known = [(_("industry"), customer["industry"]), (_("region"), customer["region"]),
             (_("source"), customer["source"]), (_("interest"), customer["interest"])]
    note = "\n".join(f"{label}: {value}" for label, value in known if value)
    return {"id": customer["id"], "name": customer["name"], "org": customer["company"], "phone": customer["phone"],
            "email": customer["email"], "wechat": customer["wechat"], "tags": customer["tags"], "note": note or None}


def write(handle: TextIO, cards: Iterable[dict[str, object]]) -> int:
    """Writes one vCard a record (CRLF line ends, long lines folded, as RFC 2426 says); returns the number."""
    written = 0
    for fields in cards:
        handle.write(_card(fields).serialize())
        written += 1
    return written
