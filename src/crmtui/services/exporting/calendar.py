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

import os
import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crmtui.core.formatting import format_amount
from crmtui.core.i18n import _
from crmtui.core.normalize import visible
from crmtui.services.exporting.records import as_day, as_local
from crmtui.store import exporting as store

if TYPE_CHECKING:
    from icalendar import Calendar, Event

    from crmtui.services.context import Context

FOLLOW_UP_MINUTES = 30
"""How long a follow-up event lasts in the calendar (a call, a visit's first half hour)."""
RENEWAL_LOOKBACK_DAYS = 30
"""Contracts that ended up to this many days ago are still shown: a lapsed renewal is still worth a call."""


def _uid(kind: str, record_id: str) -> str:
    return f"{kind}-{record_id}@crmtui"


def events(ctx: Context) -> Iterator[Event]:
    """Every event of the calendar, one at a time, from one read snapshot."""
    # deferred: icalendar costs ~0.15-0.3 s to import, paid only by the calendar export and its refresh
    from icalendar import Event

    zone = ctx.clock.zone
    stamp = ctx.clock.utcnow()
    today = ctx.clock.today()

    def event(uid: str, summary: str, start: date | datetime, end: date | datetime) -> Event:
        item = Event()
        item.add("uid", uid)
        item.add("dtstamp", stamp)
        item.add("summary", visible(summary))  # iCalendar text holds no control characters: shown as \x1b
        item.add("dtstart", start)
        item.add("dtend", end)
        return item

    with ctx.db.raw_read() as connection:
        for customer_id, name, at, plan in store.planned_follow_ups(connection):
            start = as_local(at, zone)
            assert start is not None  # the query keeps only planned ones
            summary = _("Follow up {customer}: {plan}").format(customer=name, plan=plan) if plan else \
                _("Follow up {customer}").format(customer=name)
            item = event(_uid("follow-up", customer_id), summary, start, start + timedelta(minutes=FOLLOW_UP_MINUTES))
            if plan:
                item.add("description", visible(plan))
            yield item
        for contract_id, name, number, end_on, cents in store.contract_ends(
                connection, today - timedelta(days=RENEWAL_LOOKBACK_DAYS)):
            day = as_day(end_on)
            assert day is not None
            yield event(_uid("contract-end", contract_id),
                        _("Contract {number} of {customer} ends ({amount}): renewal").format(
                            number=number, customer=name, amount=format_amount(cents)), day, day + timedelta(days=1))
        for payment_id, name, number, due_on, cents in store.payments_unpaid(connection):
            day = as_day(due_on)
            assert day is not None
            yield event(_uid("payment", payment_id),
                        _("Payment due from {customer}: {amount} (contract {number})").format(
                            customer=name, amount=format_amount(cents), number=number), day, day + timedelta(days=1))
        for contact_id, person, customer, birthday in store.contact_birthdays(connection):
            day = as_day(birthday)
            assert day is not None
            item = event(_uid("birthday", contact_id),
                         _("Birthday: {contact} ({customer})").format(contact=person, customer=customer),
                         day, day + timedelta(days=1))
            item.add("rrule", {"freq": "yearly"})
            item.add("transp", "TRANSPARENT")
            yield item


def calendar(ctx: Context) -> tuple[Calendar, int]:
    """The whole calendar, its zone's VTIMEZONE included, and how many events it holds."""
    # deferred: see events()
    from icalendar import Calendar

    book = Calendar()
    book.add("prodid", "-//crmtui//crmtui//EN")
    book.add("version", "2.0")
    book.add("x-wr-calname", _("crmtui follow-ups"))
    if isinstance(ctx.clock.zone, ZoneInfo):
        book.add("x-wr-timezone", ctx.clock.zone.key)
    count = 0
    for item in events(ctx):
        book.add_component(item)
        count += 1
    book.add_missing_timezones()
    return book, count


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


def write_atomically(path: Path, data: bytes) -> None:
    """Replaces `path` with `data` in one step: a temporary file in the same folder, then a rename, so a calendar
    app reading the file never sees half of it and a failure leaves the old file as it was."""
    temporary = temporary_beside(path)
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_calendar(ctx: Context, path: Path) -> int:
    """Writes the calendar to `path` (atomically); returns the number of events."""
    book, count = calendar(ctx)
    write_atomically(path, book.to_ical())
    return count


def calendar_text(ctx: Context) -> tuple[str, int]:
    """The calendar as text (for standard output), and the number of events."""
    book, count = calendar(ctx)
    return book.to_ical().decode("utf-8"), count


def refresh_calendar(ctx: Context) -> None:
    """Rewrites the file of the `calendar_file` setting; a failure is kept as a warning for the front end to show,
    never raised: the write that triggered it has already committed."""
    target = ctx.settings.calendar_file
    if not target:
        return
    path = Path(target).expanduser()
    try:
        export_calendar(ctx, path)
    except Exception as exc:  # any failure: the rep's write stands, the calendar is only late
        ctx.warnings.append(_("the calendar file {path} could not be refreshed ({error})").format(path=path,
                                                                                                 error=exc))
