"""The calendar: the rep's next follow-ups, contract ends (renewals), unpaid instalments and contacts' birthdays as
iCalendar events, written with the `icalendar` library.

Every event's UID is made from the record it comes from (a customer's next follow-up is one event that moves
when the follow-up is planned again), so a calendar app subscribed to the file, or importing it again, updates
its events instead of adding copies. Follow-ups are timed events in the rep's zone (the `timezone` setting, with
its VTIMEZONE); the others are all-day events; birthdays repeat every year.

`refresh_calendar` rewrites the file the `calendar_file` setting names; services/context.py runs it in a thread
after every write that commits (from the app and the command line alike), so the rep never waits for it; a
command waits for it only before it exits.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO
from zoneinfo import ZoneInfo

from crmtui.core.formatting import format_amount
from crmtui.core.i18n import _
from crmtui.core.normalize import visible
from crmtui.services.exporting.records import as_day, as_local
from crmtui.store import exporting as store

if TYPE_CHECKING:
    from crmtui.services.context import Context

FOLLOW_UP_MINUTES = 30
"""How long a follow-up event lasts in the calendar (a call, a visit's first half hour)."""
RENEWAL_LOOKBACK_DAYS = 30
"""Contracts that ended up to this many days ago are still shown: a lapsed renewal is still worth a call."""


def _uid(kind: str, record_id: str) -> str:
    return f"{kind}-{record_id}@crmtui"


@dataclass(frozen=True)
class Item:
    """One event as plain values: what goes into it, and nothing else (so its key says when it changed)."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime
    description: str | None = None
    yearly: bool = False

    @property
    def key(self) -> str:
        """A digest of everything the event says: equal keys, equal events (the refresh reuses the old text)."""
        text = "\x1f".join((self.uid, self.summary, self.start.isoformat(), self.end.isoformat(),
                            repr(getattr(self.start, "tzinfo", None)),
                            self.description or "", "yearly" if self.yearly else ""))
        return hashlib.sha1(text.encode("utf-8")).hexdigest()


def items(ctx: Context) -> Iterator[Item]:
    """Every event of the calendar as plain values, one at a time, from one read snapshot."""
    zone = ctx.clock.zone
    today = ctx.clock.today()
    with ctx.db.raw_read() as connection:
        for customer_id, name, at, plan in store.planned_follow_ups(connection):
            start = as_local(at, zone)
            assert start is not None  # the query keeps only planned ones
            summary = _("Follow up {customer}: {plan}").format(customer=name, plan=plan) if plan else \
                _("Follow up {customer}").format(customer=name)
            yield Item(_uid("follow-up", customer_id), summary, start, start + timedelta(minutes=FOLLOW_UP_MINUTES),
                       plan)
        for contract_id, name, number, end_on, cents in store.contract_ends(
                connection, today - timedelta(days=RENEWAL_LOOKBACK_DAYS)):
            day = as_day(end_on)
            assert day is not None
            yield Item(_uid("contract-end", contract_id),
                       _("Contract {number} of {customer} ends ({amount}): renewal").format(
                           number=number, customer=name, amount=format_amount(cents)), day, day + timedelta(days=1))
        for payment_id, name, number, due_on, cents in store.payments_unpaid(connection):
            day = as_day(due_on)
            assert day is not None
            yield Item(_uid("payment", payment_id),
                       _("Payment due from {customer}: {amount} (contract {number})").format(
                           customer=name, amount=format_amount(cents), number=number), day, day + timedelta(days=1))
        for contact_id, person, customer, birthday in store.contact_birthdays(connection):
            day = as_day(birthday)
            assert day is not None
            yield Item(_uid("birthday", contact_id),
                       _("Birthday: {contact} ({customer})").format(contact=person, customer=customer),
                       day, day + timedelta(days=1), yearly=True)


def _event_text(item: Item, stamp: datetime) -> bytes:
    """One VEVENT, written by icalendar; X-CRMTUI-KEY is the item's key, for the next refresh."""
    # deferred: icalendar costs ~0.15-0.3 s to import, paid only by the calendar export and its refresh
    from icalendar import Event

    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("summary", visible(item.summary))  # iCalendar text holds no control characters: shown as \x1b
    event.add("dtstart", item.start)
    event.add("dtend", item.end)
    if item.description:
        event.add("description", visible(item.description))
    if item.yearly:
        event.add("rrule", {"freq": "yearly"})
        event.add("transp", "TRANSPARENT")
    event.add("x-crmtui-key", item.key)
    return event.to_ical()


def _frame(ctx: Context) -> tuple[bytes, bytes]:
    """(what comes before the events, what comes after): the calendar's properties and its zone's VTIMEZONE."""
    # deferred: see _event_text()
    from icalendar import Calendar, Timezone

    book = Calendar()
    book.add("prodid", "-//crmtui//crmtui//EN")
    book.add("version", "2.0")
    book.add("x-wr-calname", _("crmtui follow-ups"))
    zone = ctx.clock.zone
    if isinstance(zone, ZoneInfo):
        book.add("x-wr-timezone", zone.key)
        book.add_component(Timezone.from_tzinfo(zone))
    text = book.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert text.endswith(end)
    return text[: -len(end)], end


_OLD_EVENT = re.compile(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.DOTALL)
_OLD_UID = re.compile(rb"^UID:(.*)\r$", re.MULTILINE)
_OLD_KEY = re.compile(rb"^X-CRMTUI-KEY:([0-9a-f]{40})\r$", re.MULTILINE)


def _previous(path: Path) -> dict[str, tuple[str, bytes]]:
    """The events of a file this module wrote before: uid -> (key, text). Found by their lines, not parsed: reading
    20,000 events back with icalendar would cost what writing them does."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    found = {}
    for match in _OLD_EVENT.finditer(data):
        text = match.group()
        uid, key = _OLD_UID.search(text), _OLD_KEY.search(text)
        if uid and key:
            found[uid.group(1).decode("utf-8", "replace")] = (key.group(1).decode(), text)
    return found


def write_calendar(ctx: Context, out: BinaryIO, previous: dict[str, tuple[str, bytes]] | None = None) -> int:
    """Writes the calendar event by event (memory does not grow with the book); an event whose key is in `previous`
    unchanged is copied from there rather than written again. Returns the number of events."""
    head, tail = _frame(ctx)
    out.write(head)
    stamp = ctx.clock.utcnow()
    count = 0
    for item in items(ctx):
        kept = previous.get(item.uid) if previous else None
        out.write(kept[1] if kept is not None and kept[0] == item.key else _event_text(item, stamp))
        count += 1
    out.write(tail)
    return count


def temporary_beside(path: Path) -> Path:
    """A new empty file in the folder of `path`, with the permissions a file made there normally gets (the umask's;
    tempfile's are the owner's only, and a calendar or a sheet is meant to be shared)."""
    while True:
        name = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return name


def export_calendar(ctx: Context, path: Path, reuse: bool = False) -> int:
    """Writes the calendar to `path` (atomically); returns the number of events. With `reuse`, the events of the
    file already there that have not changed are copied rather than written again (the refresh after a write)."""
    previous = _previous(path) if reuse else None
    temporary = temporary_beside(path)
    try:
        with open(temporary, "wb") as out:
            count = write_calendar(ctx, out, previous)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


class _Decoded:
    """A text handle taking the calendar's bytes (standard output, one event at a time)."""

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle

    def write(self, data: bytes) -> int:
        return self._handle.write(data.decode("utf-8"))


def write_calendar_text(ctx: Context, handle: TextIO) -> int:
    """Writes the calendar to a text handle (standard output), event by event; returns the number of events."""
    return write_calendar(ctx, _Decoded(handle))  # type: ignore[arg-type]


def refresh_calendar(ctx: Context) -> None:
    """Rewrites the file of the `calendar_file` setting; a failure is kept as a warning for the front end to show,
    never raised: the write that triggered it has already committed."""
    target = ctx.settings.calendar_file
    if not target:
        return
    path = Path(target).expanduser()
    try:
        export_calendar(ctx, path, reuse=True)
    except Exception as exc:  # any failure: the rep's write stands, the calendar is only late
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc  # not the temporary file's name
        ctx.warnings.append(_("the calendar file {path} could not be refreshed ({error})").format(path=path,
                                                                                                 error=reason))
