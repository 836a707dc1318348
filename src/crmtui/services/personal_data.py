"""A person's data (China's PIPL, the EU's GDPR): consent and do-not-contact on a person customer or a contact,
the refusal of a new follow-up with someone who asked not to be contacted, everything held about one person as
an export, and their erasure (docs/personal-data.md).

A person is a customer of kind `person` or a contact; records sharing a phone or an email key are the same person
(store/personal_data.py), so an export or an erasure covers all of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from crmtui.core.errors import Ambiguous, InvalidInput, Match, NotAllowed, NotFound
from crmtui.core.i18n import N_, _
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.store import personal_data as store
from crmtui.store.personal_data import NoteHit, PersonRecord
from crmtui.store.raw import from_db

if TYPE_CHECKING:
    from crmtui.services.views import ContactView, CustomerView

PERSONAL_EDITABLE = ("consent_source", "consent_on", "do_not_contact", "do_not_contact_reason")
"""The fields of consent and do-not-contact, by their keys (core/fields.py), on a person customer or a contact."""

CONSENT_COLUMNS = ("consent_source", "consent_on", "do_not_contact", "do_not_contact_on", "do_not_contact_reason")
"""The columns of consent and do-not-contact, as a merge carries them from one record of a person to another."""

MAX_LISTED = 20

EXPORT_FORMAT = 1
"""The version of the export's layout, in its header."""


# Finding the person ------------------------------------------------------------------------------------------


def person_label(record: PersonRecord) -> str:
    """How a candidate is listed: its name, what it is and where, deleted or not."""
    if record.table == "customer":
        text = _("{name} (person customer)").format(name=record.name)
    else:
        text = _("{name} (contact at {customer})").format(name=record.name, customer=record.customer_name)
    return text + ("  " + _("(deleted)") if record.deleted else "")


def find_person(ctx: Context, ref: str) -> PersonRecord:
    """The one person record (a person customer or a contact, deleted ones too) that ref names: an id, a name,
    part of a name or pinyin; Ambiguous lists the candidates."""
    ref = ref.strip()
    if not ref or len(ref) > 200:
        raise InvalidInput("person", N_("a name, part of a name, pinyin initials or an id (1-{max} characters)"),
                           max=200)
    with ctx.db.raw_read() as conn:
        found = store.find_people(conn, ref, MAX_LISTED)
    if not found:
        raise NotFound("person", ref)
    if len(found) > 1:
        raise Ambiguous("person", ref, [Match(r.id, person_label(r)) for r in found])
    return found[0]


# Consent and do-not-contact ----------------------------------------------------------------------------------


def _cleaned(ctx: Context, changes: dict[str, object]) -> dict[str, object]:
    cleaned: dict[str, object] = {}
    for name, value in changes.items():
        if name == "consent_source":
            cleaned[name] = fields.single_line("consent_source", value)  # type: ignore[arg-type]
        elif name == "consent_on":
            cleaned[name] = fields.day("consent_on", value, ctx.clock.now(), past=True)  # type: ignore[arg-type]
            if cleaned[name] is not None and cleaned[name] > ctx.clock.today():  # type: ignore[operator]
                raise InvalidInput("consent_on", "a day that has come (consent is given before it is recorded)",
                                   str(value))
        elif name == "do_not_contact":
            cleaned[name] = fields.yes_no("do_not_contact", value)
        elif name == "do_not_contact_reason":
            cleaned[name] = fields.single_line("do_not_contact_reason", value)  # type: ignore[arg-type]
        else:
            raise InvalidInput(name, "a field of consent: {names}", names=", ".join(PERSONAL_EDITABLE))
    return cleaned


IMPORTED = {"consent": "consent_source", "consent-date": "consent_on", "do-not-contact": "do_not_contact",
            "dnc-reason": "do_not_contact_reason"}
"""The import's fields of consent and do-not-contact (as `crm export` names its columns), by their keys; the day
they asked (`do-not-contact-since`) is read beside them."""


def imported_consent(ctx: Context, values: dict[str, str]) -> dict[str, object]:
    """A person's consent and do-not-contact from an imported row (the import's field names), checked as `crm edit`
    checks them: the columns of the record it adds. The day they asked is the file's, else today."""
    cleaned = _cleaned(ctx, {IMPORTED[name]: value for name, value in values.items() if name in IMPORTED and value})
    if cleaned.get("do_not_contact"):
        since = values.get("do-not-contact-since")
        cleaned["do_not_contact_on"] = fields.day("do_not_contact_on", since, ctx.clock.now(), past=True) if since \
            else ctx.clock.today()
    else:
        cleaned.pop("do_not_contact_reason", None)  # a reason stands only beside the flag
    return cleaned


def edit_personal(ctx: Context, table: str, record_id: str,
                  changes: dict[str, object]) -> CustomerView | ContactView:
    """Sets consent and do-not-contact on a person customer or a contact. Asking not to be contacted records the
    day (a day already recorded stays); lifting it clears the day and the reason. A company is refused: consent
    is a person's, kept on its contacts."""
    # deferred: the models and views load SQLModel (~0.4 s), which `crm log` (it asks follow_up_refusal) does not
    from crmtui.services.views import contact_view, customer_view
    from crmtui.store.models import Contact, Customer

    cleaned = _cleaned(ctx, changes)
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        record: Customer | Contact | None = session.get(Customer, record_id) if table == "customer" else session.get(
            Contact, record_id)
        if record is None or record.deleted_at is not None:
            raise NotFound(table, record_id)
        if isinstance(record, Customer) and record.kind != "person":
            raise InvalidInput(next(iter(cleaned), "do_not_contact"),
                               "a person: {name} is a company, set it on one of its contacts", name=record.name)
        if record.erased_at is not None:
            raise NotAllowed("{name} was erased; nothing of them can be set again", name=record.name)
        for name, value in cleaned.items():
            setattr(record, name, value)
        if cleaned.get("do_not_contact") is True and record.do_not_contact_on is None:
            record.do_not_contact_on = ctx.clock.today()
        elif cleaned.get("do_not_contact") is False:
            record.do_not_contact_on = None
            record.do_not_contact_reason = None
        elif "do_not_contact_reason" in cleaned and not record.do_not_contact and cleaned["do_not_contact_reason"]:
            raise InvalidInput("do_not_contact_reason", "a reason given with --do-not-contact (the person has not"
                               " asked not to be contacted)")
        if isinstance(record, Customer) and record.do_not_contact:
            record.next_follow_up_at = None  # off the agenda: nothing is planned with them any more
        record.updated_at = now
        session.flush()
        return customer_view(record) if isinstance(record, Customer) else contact_view(record)


def do_not_contact_text(on: date | None, reason: str | None) -> str:
    """The mark a screen and `crm show` put beside a person who asked not to be contacted."""
    text = _("do not contact") + (" " + _("since {day}").format(day=on.isoformat()) if on else "")
    return text + (f" ({reason})" if reason else "")


def consent_text(source: str | None, on: date | None) -> str:
    """Where a person's consent came from and when, as shown; "" when none is recorded."""
    if not source and not on:
        return ""
    return _("consent") + ": " + "  ".join(part for part in (source or "", on.isoformat() if on else "") if part)


class DoNotContact(NotAllowed):
    """A follow-up refused because the person asked not to be contacted: the command line names `crm edit`, a
    form (labelled) the edit dialog that lifts it."""

    def labelled(self) -> str:
        values = self.template_values
        return _("{name} asked not to be contacted on {day}: no follow-up with them. To lift it, set Do not contact"
                 " to n in their edit dialog (E on the contact's row, e for a person customer).").format(
                     name=values["name"], day=values["day"])


def follow_up_refusal(conn: object, customer_id: str, contact_id: str | None) -> NotAllowed | None:
    """Why a new follow-up with this customer (and contact) may not be logged: the person customer, or the
    contact named, asked not to be contacted. None when it may. Runs inside the follow-up's write."""
    found = store.do_not_contact_of(conn, customer_id, contact_id)  # type: ignore[arg-type]
    if found is None:
        return None
    name, on = found
    ref = f'"{name}"' if " " in name else name
    return DoNotContact("{name} asked not to be contacted on {day}; `crm edit {ref} --contact-ok` lifts it",
                        name=name, day=on or "?", ref=ref)


def follow_up_blocked(ctx: Context, customer_id: str) -> str | None:
    """Why the app's follow-up form does not open for this customer: a person customer who asked not to be
    contacted, in the app's words (the edit dialog lifts it). None when it may open; a contact who asked is
    refused when the form names them."""
    with ctx.db.raw_read() as conn:
        found = store.do_not_contact_of(conn, customer_id, None)
    if found is None:
        return None
    name, on = found
    return _("{name} asked not to be contacted on {day}: no follow-up with them. To lift it, press e on their"
             " screen and set Do not contact to n.").format(name=name, day=on or "?")


# Export ------------------------------------------------------------------------------------------------------


SECTIONS = {
    "customers": N_("the person's own customer records (a person customer)"),
    "contacts": N_("the person's contact records at customers"),
    "companies": N_("the customers the person is a contact at"),
    "follow_ups": N_("follow-ups with the person, or whose text names them"),
    "deals": N_("deals of the person customer"),
    "contracts": N_("contracts of the person customer"),
    "payments": N_("instalments of those contracts"),
    "tags": N_("tags of the person customer"),
    "tickets": N_("service requests (tickets) of the person customer"),
    "ticket_events": N_("the history of those tickets: each status change and note"),
    "revisits": N_("revisits planned with the person customer"),
    "texts": N_("other texts that name the person or may hold their data, which an erasure offers to blank: other"
                " customers' notes (the lines naming them), the notes of the companies they are a contact at (whole:"
                " an import may have put their details there; these may name others too), deal titles and contract"
                " numbers"),
    "history": N_("the change history of all these records"),
}


SECTION_WORDS = {
    "customers": N_("own records"), "contacts": N_("contact records"), "companies": N_("companies"),
    "follow_ups": N_("follow-ups"), "deals": N_("deals"), "contracts": N_("contracts"), "payments": N_("instalments"),
    "tags": N_("tags"), "tickets": N_("tickets"), "ticket_events": N_("ticket updates"), "revisits": N_("revisits"),
    "texts": N_("other texts"), "history": N_("history rows"),
}
"""How the export's summary names each section (the file's keys stay English: a script reads them)."""


def section_word(section: str) -> str:
    """A section of a person's export, in words, for the count after an export."""
    return _(SECTION_WORDS[section])


def export_person(ctx: Context, record: PersonRecord, path: Path) -> dict[str, int]:
    """Writes everything the book holds about the person to `path` as indented JSON with a header (who, when, what
    each section holds); returns the count of each section. Beside their records and follow-ups, it lists every
    other text an erasure would offer to blank (`texts`), so the rep sees the same things in both."""
    with ctx.db.raw_read() as conn:
        records = store.same_person(conn, record)
        terms = [t for r in records for t in r.terms]
        data = store.export_rows(conn, records, terms)
        data["texts"] = [_text_row(hit) for hit in store.texts_naming(conn, terms, records)]
    header = {
        "export": "crmtui personal data",
        "format": EXPORT_FORMAT,
        "person": record.name,
        "records": [{"table": r.table, "id": r.id, "name": r.name, "customer": r.customer_name} for r in records],
        "exported_at": ctx.clock.now().isoformat(timespec="seconds"),
        "sections": {name: _(text) for name, text in SECTIONS.items()},
        "notes": _("Times are UTC as stored; amounts are in cents (1/100 yuan)."),
    }
    document = {"header": header, **{name: [_jsonable(row) for row in data[name]] for name in SECTIONS}}  # type: ignore[attr-defined]
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return {name: len(data[name]) for name in SECTIONS}  # type: ignore[arg-type]


def _text_row(hit: NoteHit) -> dict[str, object]:
    """One text naming the person, as the export lists it: which record's text it is and what it says (a
    customer's notes: the lines naming them, or the whole notes of their company)."""
    return {"table": hit.table, "field": store.TEXT_FIELDS[hit.table], "id": hit.id, "customer_id": hit.customer_id,
            "customer": hit.customer_name, "what": text_kind(hit), "text": hit.notes, "names": list(hit.named_by),
            "whole": hit.whole, "updated_at": hit.at}


def _jsonable(row: dict[str, object]) -> dict[str, object]:
    return {name: (bool(value) if name in ("do_not_contact", "decision_maker", "goal_met") else value)
            for name, value in row.items()}


# Erasure -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure of one person will touch: their records, and the texts naming them (`notes`: follow-ups,
    other customers' notes, deal titles, contract numbers)."""

    person: PersonRecord
    records: tuple[PersonRecord, ...]
    notes: tuple[NoteHit, ...]

    @property
    def terms(self) -> list[str]:
        return [t for r in self.records for t in r.terms]


TEXT_KINDS = {
    "follow_up": N_("follow-up"),
    "customer": N_("customer notes, lines naming them"),
    "deal": N_("deal title"),
    "contract": N_("contract number"),
}


def text_kind(hit: NoteHit) -> str:
    """What a text that may hold the person is, as the erasure lists it."""
    if hit.whole:
        return _("notes of their company (blanked whole)")
    return _(TEXT_KINDS[hit.table])


def note_time(ctx: Context, hit: NoteHit) -> str:
    """When a follow-up naming the person was made, in the rep's zone, as the erasure lists it."""
    local = ctx.clock.to_local(from_db(hit.at))
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def erasure_plan(ctx: Context, record: PersonRecord) -> ErasurePlan:
    """The person's records (all that are them) and the texts naming them (follow-ups, then other customers'
    notes, deal titles and contract numbers), for the rep to review."""
    if record.erased:
        return ErasurePlan(record, (), ())  # nothing left to erase: rebuild_file is what may remain to do
    with ctx.db.raw_read() as conn:
        return _plan(conn, record)


def _plan(conn: object, record: PersonRecord) -> ErasurePlan:
    records = tuple(r for r in store.same_person(conn, record) if not r.erased)  # type: ignore[arg-type]
    terms = [t for r in records for t in r.terms]
    notes = (*store.notes_naming(conn, terms),  # type: ignore[arg-type]
             *store.texts_naming(conn, terms, records))  # type: ignore[arg-type]
    return ErasurePlan(record, records, tuple(notes))


def _same_plan(shown: ErasurePlan, now: ErasurePlan) -> bool:
    return ({r.id for r in shown.records} == {r.id for r in now.records}
            and {(h.table, h.id, h.notes) for h in shown.notes} == {(h.table, h.id, h.notes) for h in now.notes})


def erase_person(ctx: Context, plan: ErasurePlan, note_ids: list[str]) -> list[str]:
    """Erases the person: each record's personal fields emptied, its name the tombstone label, marked erased and
    do-not-contact; the chosen notes and texts blanked; then their history, the outbox's copies of the values,
    conflicts, the search indexes' deleted entries, and the file's free pages and write-ahead log. In a team the
    erasure is pushed as ordinary changes: the server and the other laptops erase their copies when they receive
    it. The plan is read again inside the write: one that changed since it was shown (a new record of the person,
    a note naming them) is refused, so nothing is erased that the rep did not see. Returns the tombstone names."""
    now = ctx.clock.utcnow()
    with ctx.db.raw_write(now) as (conn, outbox):
        current = _plan(conn, plan.person)
        if not _same_plan(plan, current):
            raise NotAllowed("what is held about {name} changed since the erasure was shown; run it again to see"
                             " what it will erase now", name=plan.person.name)
        chosen = [hit for hit in current.notes if hit.id in note_ids]
        store.erase_records(conn, outbox, current.records, chosen, current.terms, now, ctx.clock.today())
        outbox.save_clock()  # whatever the write records beside the outbox is written now, then scrubbed below
        store.scrub(conn, [(r.table, r.id) for r in current.records], current.terms,
                    [hit.id for hit in chosen if hit.table == "follow_up"],
                    [hit for hit in chosen if hit.table != "follow_up"])
    if not rebuild_file(ctx):
        ctx.warnings.append(_("the file could not be rebuilt now (is crmtui open elsewhere?): what was erased is"
                              " overwritten; close crmtui and run `crm person erase {id}` again to rebuild it").format(
            id=plan.person.id[:8]))
    return [store.erased_label(r.id) for r in current.records]


def rebuild_file(ctx: Context) -> bool:
    """Rewrites the book's file without its free pages and empties its write-ahead log; False when another
    connection kept it from running."""
    return store.vacuum(ctx.db)
