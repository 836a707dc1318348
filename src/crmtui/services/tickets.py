"""Service requests (工单): opening one for a customer, its deadlines from the priority, the status flow, notes,
closing with a resolution and the customer's satisfaction, and the lists the app and `crm ticket` show.

The rules, in one place (docs/tickets.md tells the rep):

- Statuses: open -> in_progress -> waiting (for the customer) -> resolved -> closed. The moves allowed are in
  MOVES: work may start, wait for the customer and resume in any order before it is resolved; a resolved ticket
  may be reopened (back to in_progress) or closed; a closed ticket is final (a new problem is a new ticket).
  Closing is its own step (close_ticket): it needs the resolution, takes a satisfaction score 1-5, and may
  come straight from any status before closed (a question answered at once is resolved and closed together).
- Every status change and every note is a ticket_event; opening the ticket is the first.
- responded_at: the first move out of open, or the first note, whichever comes first.
- Deadlines: respond_by and resolve_by are the priority's hours (config [tickets]) after the moment it was
  opened, counted in working hours (work_days, work_start-work_end in the rep's time zone) except for the
  priorities in clock_hours (urgent by default), whose hours run around the clock. They are fixed when the
  ticket is opened (a later change of the config does not move them); a change of priority computes them
  again from the moment it was opened.
- Numbers: from the ticket's random id (number_for), so laptops never need to agree on them; what that
  guarantees is in number_for's docstring.
- Overdue: not resolved or closed, and past resolve_by or past the day the rep promised (due_on). Due soon:
  not overdue, and that deadline is within soon_hours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TypeVar

from crmtui.core import i18n
from crmtui.core.config import TicketSettings
from crmtui.core.errors import Ambiguous, InvalidInput, InvalidValues, Match, NotAllowed, NotFound
from crmtui.core.i18n import N_, _
from crmtui.core.workdays import Calendar, calendar_for
from crmtui.services import fields
from crmtui.services.agenda import owned_by
from crmtui.services.context import Context
from crmtui.services.revisits import CallBack, plan_call_back
from crmtui.store import customers as customer_store
from crmtui.store import tickets as store
from crmtui.store.models import Customer, Ticket, TicketEvent
from crmtui.store.session import StoreSession

STATUSES = ("open", "in_progress", "waiting", "resolved", "closed")
KINDS = ("repair", "maintenance", "complaint", "consultation")
PRIORITIES = ("low", "normal", "high", "urgent")
ACTIVE = ("open", "in_progress", "waiting")
"""The statuses of a ticket still being worked on: only these can be overdue."""
NOT_CLOSED = ("open", "in_progress", "waiting", "resolved")

MOVES: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "waiting", "resolved"),
    "in_progress": ("waiting", "resolved"),
    "waiting": ("in_progress", "resolved"),
    "resolved": ("in_progress",),  # reopened; closing is close_ticket's
    "closed": (),
}
"""The status changes update_ticket makes, from each status (closing needs close_ticket and a resolution)."""

STATUS_WORDS = {"open": N_("Open ticket"), "in_progress": N_("In progress"), "waiting": N_("Waiting for customer"),
                "resolved": N_("Resolved"), "closed": N_("Closed")}
KIND_WORDS = {"repair": N_("Repair"), "maintenance": N_("Maintenance"), "complaint": N_("Complaint"),
              "consultation": N_("Consultation")}
PRIORITY_WORDS = {"low": N_("Low"), "normal": N_("Normal"), "high": N_("High"), "urgent": N_("Urgent")}

ALIASES = {
    "待处理": "open", "新建": "open", "处理中": "in_progress", "in progress": "in_progress", "progress": "in_progress",
    "等待客户": "waiting", "等待": "waiting", "已解决": "resolved", "已关闭": "closed",
    "维修": "repair", "保养": "maintenance", "维护": "maintenance", "投诉": "complaint", "咨询": "consultation",
    "低": "low", "普通": "normal", "一般": "normal", "中": "normal", "高": "high", "紧急": "urgent",
}
"""What reps also type for a status, type or priority (Chinese words, "in progress" with a space)."""

T = TypeVar("T")

_NUMBER = re.compile(r"T-(\d+)(?:-.*)?", re.IGNORECASE)


_ENGLISH = {"Open ticket": "Open", "Overdue ticket": "Overdue"}
"""Msgids made distinct for the translators (a ticket's 待处理 is not the verb 打开, its 逾期 not a follow-up's)
read as plain English."""


def _plain(msgid: str) -> str:
    text = _(msgid)
    return _ENGLISH.get(text, text)


def status_text(key: str) -> str:
    """A status in the rep's language."""
    return _plain(STATUS_WORDS[key]) if key in STATUS_WORDS else key


def mark(view: TicketView) -> tuple[str, str]:
    """Where a ticket stands against its deadlines, in words, and its kind ("overdue", "late_answer", "soon"
    or "" for none)."""
    if view.overdue:
        return _plain(N_("Overdue ticket")), "overdue"
    if view.response_late:
        return _("Not answered in time"), "late_answer"
    if view.due_soon:
        return _("Due soon"), "soon"
    return "", ""


def deadline_text(view: TicketView, zone: tzinfo, lang: str, long: bool = True) -> str:
    """A ticket's deadline as the rep reads it: the promised day when that comes first ("Fri 27 Nov", short
    "27 Nov"), else the moment ("Thu 26 Nov 16:00", short "26 Nov 16:00"); "11月26日 周四 16:00" in Chinese."""
    from crmtui.core.dates import format_when  # deferred: with the text, ~20 ms

    if view.promised and view.due_on is not None:
        day: date | datetime = view.due_on
        has_time = False
    else:
        day = view.deadline.astimezone(zone)
        has_time = True
    if long:
        return format_when(day, has_time, lang)
    return short_when(day, lang)


def short_when(day: date | datetime, lang: str) -> str:
    """A day or a moment (already in the rep's zone) in the fewest cells: "27 Nov", "26 Nov 16:00"; "11月26日
    16:00" in Chinese."""
    clock = f" {day.hour:02d}:{day.minute:02d}" if isinstance(day, datetime) else ""
    if lang.startswith("zh"):
        return f"{day.month}月{day.day}日{clock}"
    return f"{day.day} {('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')[day.month - 1]}{clock}"


def kind_text(key: str) -> str:
    """A ticket type in the rep's language."""
    return _(KIND_WORDS[key]) if key in KIND_WORDS else key


def priority_text(key: str) -> str:
    """A priority in the rep's language."""
    return _(PRIORITY_WORDS[key]) if key in PRIORITY_WORDS else key


class _Checks:
    """Runs checks of several fields and keeps every refusal, so that one message names all the wrong values."""

    def __init__(self) -> None:
        self.problems: list[InvalidInput] = []

    def take(self, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except InvalidValues as refused:
            self.problems += refused.problems
        except InvalidInput as refused:
            self.problems.append(refused)
        return None

    def settle(self) -> None:
        """Raises what was refused: the one refusal, or all of them together."""
        InvalidValues.settle(self.problems)


def _choice(field: str, value: str | None, keys: tuple[str, ...], words: dict[str, str]) -> str:
    """The key a typed value names: the key itself, its name in the rep's language or a usual synonym."""
    if value is None or not value.strip():
        raise InvalidInput(field, "required: one of {keys}", value, keys=", ".join(keys))
    wanted = (value or "").strip().casefold()
    for key in keys:
        if wanted in (key, _(words[key]).casefold(), words[key].casefold()) or ALIASES.get(wanted) == key:
            return key
    raise InvalidInput(field, "one of {keys}", value, keys=", ".join(keys))


def parse_kind(value: str | None) -> str:
    """A ticket type: repair, maintenance, complaint or consultation."""
    return _choice("ticket_kind", value, KINDS, KIND_WORDS)


def parse_priority(value: str | None) -> str:
    """A priority: low, normal, high or urgent."""
    return _choice("priority", value, PRIORITIES, PRIORITY_WORDS)


def parse_status(value: str | None, offered: tuple[str, ...] = STATUSES, also: tuple[str, ...] = ()) -> str:
    """A status: open, in_progress, waiting, resolved or closed (its key, its name in the rep's language or a usual
    synonym), one of `offered`. A refusal names the statuses offered in the rep's language, then the words of
    `also` as they are typed (`crm ticket list` takes "all"); closing, when not offered, is said to be
    close_ticket's."""
    try:
        key = _choice("ticket_status", value, STATUSES, STATUS_WORDS)
    except InvalidInput as refused:
        raise InvalidInput("ticket_status", refused.expected, value, keys=statuses_text(offered, also)) from None
    if key in offered:
        return key
    if key == "closed":
        raise InvalidInput("ticket_status", "a status other than closed: close a ticket with its resolution"
                           " (`crm ticket close NUMBER --resolution TEXT`)", value)
    raise InvalidInput("ticket_status", "one of {keys}", value, keys=statuses_text(offered, also))


def statuses_text(keys: tuple[str, ...], also: tuple[str, ...] = ()) -> str:
    """Statuses in the rep's language, then `also` as they are: "In progress, Resolved"; "处理中, 已解决"."""
    return ", ".join([status_text(key) for key in keys] + list(also))


def parse_satisfaction(value: str | int | None) -> int | None:
    """The customer's satisfaction, a whole number from 1 to 5 (None: not asked)."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 5:
        raise InvalidInput("satisfaction", "a whole number from 1 to 5", value)
    return int(text)


# ---------------------------------------------------------------- deadlines


def _utc(moment: datetime) -> datetime:
    """A stored moment (SQLite gives it back naive, in UTC) as an aware UTC one."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def add_working_hours(start: datetime, hours: float, zone: tzinfo, rules: TicketSettings,
                      calendar: Calendar | None = None) -> datetime:
    """The moment (UTC) `hours` working hours after `start`: only the working days' hours from work_start to
    work_end in `zone` count (the working days of `calendar`, core/workdays.py: the work days less the public
    holidays, plus the make-up days; rules.work_days alone without one). A start outside them counts from the
    next working hour. Each day's window is laid on the zone's own calendar and measured in real time, so a
    change of the zone's offset (summer time) moves it with the clock on the wall, and a zone half an hour off
    UTC is no different from any other."""
    left = timedelta(hours=hours)
    cursor = _utc(start)
    day = cursor.astimezone(zone).date()
    window = datetime.combine(date.min, rules.work_end) - datetime.combine(date.min, rules.work_start)
    weeks = int(left / (window * max(len(rules.work_days), 1))) + 1 if window > timedelta(0) else 0
    # the weeks those hours take, with two more and one a half-year for the hours summer time takes away, and
    # sixty days a year for the public holidays
    working = (calendar or Calendar(rules.work_days)).is_working_day
    for _day in range(7 * (weeks + 2 + weeks // 26) + 60 * (weeks // 52 + 1)):
        if working(day):
            opens = datetime.combine(day, rules.work_start, zone).astimezone(UTC)
            closes = datetime.combine(day, rules.work_end, zone).astimezone(UTC)
            begin = max(cursor, opens)
            if begin < closes:
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
        day += timedelta(days=1)
    raise NotAllowed("no working hours in [tickets] work_days")  # unreachable with a validated config


def deadline(start: datetime, priority: str, which: str, zone: tzinfo, rules: TicketSettings,
             calendar: Calendar | None = None) -> datetime:
    """respond_by (`which` "response") or resolve_by ("resolution") of a ticket of this priority opened at `start`:
    the priority's hours in clock hours or working hours (see the module's docstring; `calendar`: the working
    days with the public holidays, calendar_for(settings))."""
    hours = rules.hours(which, priority)
    if priority in rules.clock_hours:
        return _utc(start) + timedelta(hours=hours)
    return add_working_hours(start, hours, zone, rules, calendar)


CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: digits and capitals without I, L, O and U, so a number read aloud or off paper is typed
right (an I or L typed is read as 1, an O as 0)."""

CODE_LENGTH = 7
"""Characters of a ticket number after "T-": 35 bits of the ticket's random id."""

_CODE_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0"})


def number_for(ticket_id: str, taken: list[str]) -> str:
    """A new ticket's number: "T-" and the first CODE_LENGTH characters of its id (a random UUID) in Crockford's
    base 32, e.g. T-7K3QX9M. It needs nobody else: no server, no counter shared between laptops.

    What is guaranteed: never a number in `taken` (every number this laptop's book holds, deleted ones included;
    on a clash a character more is taken, up to 9). Between laptops nothing is checked: two tickets made on two
    laptops share a number only if their ids share their first 35 bits, a chance of about n * n / 2**36 for n
    tickets in the team (1 in 700 for 10 000 tickets, 1 in 70 000 for 1 000). When it happens, nothing is
    resolved silently: typing that number lists both tickets and the rep types a longer id prefix.
    """
    bits = int(ticket_id.replace("-", "")[:12], 16)  # 48 bits, all random in a UUID 4
    code = "".join(CODE_ALPHABET[(bits >> (43 - 5 * i)) & 31] for i in range(9))
    used = {number.upper() for number in taken}
    for length in range(CODE_LENGTH, len(code) + 1):
        number = f"T-{code[:length]}"
        if number not in used:
            return number
    return f"T-{code}-{ticket_id.replace('-', '')[12:16].upper()}"  # nine characters all taken: never seen


def next_number(taken: list[str], user: str | None) -> str:
    """Sequential numbers (T-0001, T-0002, with the login as a suffix in a team), as tickets were numbered
    before number_for: kept for the demo book only, which is made on one laptop at once. Real tickets are
    numbered by number_for, which needs no coordination."""
    highest = 0
    for number in taken:
        found = _NUMBER.fullmatch(number)
        if found:
            highest = max(highest, int(found.group(1)))
    suffix = re.sub(r"[^0-9a-z._]", "", (user or "").casefold())
    return f"T-{highest + 1:04d}" + (f"-{suffix}" if suffix else "")


# ---------------------------------------------------------------- writes


def add_ticket(ctx: Context, customer_id: str, title: str, *, kind: str | None, priority: str | None = "normal",
               due: str | date | None = None) -> Ticket:
    """Opens a ticket for a live customer, with its number, deadlines and first history step. Every wrong value
    is refused in one InvalidValues (the title, the type, the priority and the day promised)."""
    clean_title, chosen_kind, chosen_priority, due_on = check_new_ticket(ctx, title, kind, priority, due)
    now = ctx.clock.utcnow()
    rules, zone, days = ctx.settings.tickets, ctx.clock.zone, calendar_for(ctx.settings)
    with ctx.db.write(now) as session:
        customer = customer_store.get_customer(session, customer_id)
        if customer is None or customer.deleted_at is not None:
            raise NotFound("customer", customer_id)
        ticket = Ticket(customer_id=customer_id, number="",
                        title=clean_title or "", kind=chosen_kind, priority=chosen_priority, status="open",
                        opened_at=now, respond_by=deadline(now, chosen_priority, "response", zone, rules, days),
                        resolve_by=deadline(now, chosen_priority, "resolution", zone, rules, days), due_on=due_on,
                        created_at=now, updated_at=now)
        ticket.number = number_for(ticket.id, store.numbers(session))
        session.add(ticket)
        session.add(TicketEvent(ticket_id=ticket.id, at=now, to_status="open", created_at=now, updated_at=now))
    return ticket


def check_new_ticket(ctx: Context, title: str | None, kind: str | None, priority: str | None,
                     due: str | date | None) -> tuple[str, str, str, date | None]:
    """A new ticket's title, type, priority and promised day as they are kept; every wrong one refused at once
    (InvalidValues names them all; one alone is raised as it is)."""
    checks = _Checks()
    clean_title = checks.take(lambda: fields.single_line("ticket_title", title, required=True))
    chosen_kind = checks.take(lambda: parse_kind(kind))
    chosen_priority = checks.take(lambda: parse_priority(priority or "normal"))
    due_on = checks.take(lambda: _due(ctx, due))
    checks.settle()
    return clean_title or "", chosen_kind or "", chosen_priority or "", due_on


FUTURE_DAYS = '"fri", "下周一", "{week}"'
"""The examples a promised day that was not understood suggests: days ahead (a week from today the last)."""


def promised_day(ctx: Context, text: str | None) -> date | None:
    """The day a rep types as the one promised to the customer (any date the parser reads, in either language,
    today or later; None for no text): what the forms show back while it is typed."""
    return _due(ctx, text)


def _due(ctx: Context, due: str | date | None) -> date | None:
    """The day the rep promised: any date the parser reads, today or later (a day not understood suggests days
    ahead, never "yesterday")."""
    from crmtui.core.dates import DateParseError  # deferred: ~20 ms, only for a typed day

    try:
        day = fields.day("due", due, ctx.clock.now())
    except InvalidInput as refused:
        problem = refused.values.get("problem")
        error = getattr(problem, "error", None)
        if isinstance(error, DateParseError) and error.template == DateParseError.TEMPLATE:
            error.template_values["examples"] = FUTURE_DAYS.format(week=(ctx.clock.today() + timedelta(days=7)))
            error.args = (error.template.format(**error.template_values),)
            raise InvalidInput("due", "{problem}", problem=problem) from None
        raise
    if day is not None and day < ctx.clock.today():
        raise InvalidInput("due", "a day from today on", due if isinstance(due, str) else day.isoformat())
    return day


def _live_ticket(session: StoreSession, ticket_id: str) -> Ticket:
    ticket = store.get_ticket(session, ticket_id)
    if ticket is None or ticket.deleted_at is not None:
        raise NotFound("ticket", ticket_id)
    return ticket


def _event(session: StoreSession, ticket: Ticket, now: datetime, *, from_status: str | None = None,
           to_status: str | None = None, note: str | None = None) -> None:
    """Appends a history step, after the ticket's last one (two steps in the same instant keep their order)."""
    events = store.events_of(session, ticket.id)
    at = max([now] + [_utc(e.at) + timedelta(microseconds=1) for e in events])
    session.add(TicketEvent(ticket_id=ticket.id, at=at, from_status=from_status, to_status=to_status, note=note,
                            created_at=now, updated_at=now))


def update_ticket(ctx: Context, ticket_id: str, *, status: str | None = None, note: str | None = None,
                  priority: str | None = None, due: str | date | None = None) -> Ticket:
    """Moves a ticket to another status (MOVES), adds a note, changes its priority or the day promised (`due`,
    an empty text takes the promise back); any of them, at least one. A change of priority or of the day
    promised is a step of the history too, saying what it was and what it became."""
    checks = _Checks()
    new_status = checks.take(lambda: parse_status(status, STATUSES[:-1])) if status is not None else None
    text = checks.take(lambda: fields.long_text("ticket_note", note, required=note is not None))
    new_priority = checks.take(lambda: parse_priority(priority)) if priority is not None else None
    new_due = checks.take(lambda: _due(ctx, due)) if due is not None else None
    checks.settle()
    if new_status is None and text is None and new_priority is None and due is None:
        raise InvalidInput("ticket_status", "a new status, a note, a priority or a promised day")
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        ticket = _live_ticket(session, ticket_id)
        if ticket.status == "closed":
            raise NotAllowed("{number} is closed; open a new ticket for a new problem", number=ticket.number)
        if new_status is not None and new_status != ticket.status:
            if new_status not in MOVES[ticket.status]:
                raise InvalidInput("ticket_status", "from {current}, one of {moves}", status,
                                   current=status_text(ticket.status), moves=statuses_text(MOVES[ticket.status]))
            _event(session, ticket, now, from_status=ticket.status, to_status=new_status)
            if ticket.responded_at is None:
                ticket.responded_at = now
            ticket.resolved_at = now if new_status == "resolved" else None
            ticket.status = new_status
        if text is not None:
            _event(session, ticket, now, note=text)
            if ticket.responded_at is None:
                ticket.responded_at = now
        if new_priority is not None and new_priority != ticket.priority:
            rules, zone, days = ctx.settings.tickets, ctx.clock.zone, calendar_for(ctx.settings)
            respond_by = deadline(ticket.opened_at, new_priority, "response", zone, rules, days)
            resolve_by = deadline(ticket.opened_at, new_priority, "resolution", zone, rules, days)
            _event(session, ticket, now, note=priority_note(ticket.priority, new_priority, respond_by, resolve_by))
            ticket.priority, ticket.respond_by, ticket.resolve_by = new_priority, respond_by, resolve_by
        if due is not None and new_due != ticket.due_on:
            _event(session, ticket, now, note=promise_note(ticket.due_on, new_due))
            ticket.due_on = new_due
        ticket.updated_at = now
    return ticket


def deadlines_with(ctx: Context, view: TicketView, priority: str) -> tuple[datetime, datetime]:
    """(respond_by, resolve_by), UTC, that the ticket would have with `priority`: computed again from the moment
    it was opened, as update_ticket does (what the app shows beside each priority before the rep picks one)."""
    rules, zone, days = ctx.settings.tickets, ctx.clock.zone, calendar_for(ctx.settings)
    return (deadline(view.opened_at, priority, "response", zone, rules, days),
            deadline(view.opened_at, priority, "resolution", zone, rules, days))


CHANGE_MARK = "\x1f"
"""What starts the note of a change of priority or of the promised day: a unit separator, which a rep's note never
starts with (a typed note is stripped, and Python strips it as white space)."""


def priority_note(old: str, new: str, respond_by: datetime, resolve_by: datetime) -> str:
    """The history's note of a change of priority, stored without words so that each reader reads it in their own
    language (change_text words it): the mark, then JSON with the keys and the new deadlines in UTC ISO 8601,
    {"change": "priority", "from": "normal", "to": "high", "respond_by": "2026-11-24T06:00:00+00:00",
    "resolve_by": "2026-11-26T08:00:00+00:00"}."""
    return CHANGE_MARK + json.dumps({"change": "priority", "from": old, "to": new,
                                     "respond_by": _utc(respond_by).isoformat(),
                                     "resolve_by": _utc(resolve_by).isoformat()}, sort_keys=True)


def promise_note(old: date | None, new: date | None) -> str:
    """The history's note of a change of the day promised, as priority_note stores one: the mark, then
    {"change": "promised", "from": "2026-11-27", "to": null} (null: no day)."""
    return CHANGE_MARK + json.dumps({"change": "promised", "from": old.isoformat() if old else None,
                                     "to": new.isoformat() if new else None}, sort_keys=True)


def change_of(note: str | None) -> dict[str, str | None] | None:
    """The change a history note stores (priority_note, promise_note), or None for a note as written (a rep's, a
    resolution, or a change kept in English words before changes were stored so)."""
    if not note or not note.startswith(CHANGE_MARK):
        return None
    try:
        change = json.loads(note[len(CHANGE_MARK):])
    except ValueError:
        return None
    return change if isinstance(change, dict) and change.get("change") in ("priority", "promised") else None


def change_text(ctx: Context, change: dict[str, str | None]) -> str:
    """A stored change in the reader's language, its moments in the rep's zone and its days as every other date
    reads: "priority Normal → High; respond by Tue 24 Nov 14:00, resolve by Thu 26 Nov 16:00", "promised day
    Fri 27 Nov → none"; "优先级 普通 → 高；…" in Chinese."""
    from crmtui.core.dates import format_when  # deferred: with the text, ~20 ms

    today = ctx.clock.today()

    def moment(value: str | None) -> str:
        local = ctx.clock.to_local(datetime.fromisoformat(value)) if value else None
        return format_when(local, True, i18n.language, today) if local else ""

    def day(value: str | None) -> str:
        return format_when(date.fromisoformat(value), False, i18n.language, today) if value else _("none")

    if change.get("change") == "priority":
        return _("priority {old} → {new}; respond by {respond}, resolve by {resolve}").format(
            old=priority_text(change.get("from") or ""), new=priority_text(change.get("to") or ""),
            respond=moment(change.get("respond_by")), resolve=moment(change.get("resolve_by")))
    return _("promised day {old} → {new}").format(old=day(change.get("from")), new=day(change.get("to")))


def close_ticket(ctx: Context, ticket_id: str, resolution: str | None, satisfaction: str | int | None = None) -> Ticket:
    """Closes a ticket with its resolution (required) and the customer's satisfaction (1-5, optional)."""
    return close_and_call_back(ctx, ticket_id, resolution, satisfaction)[0]


def close_and_call_back(ctx: Context, ticket_id: str, resolution: str | None,
                        satisfaction: str | int | None = None) -> tuple[Ticket, CallBack | None]:
    """close_ticket, with the call back a low score plans (revisits.plan_call_back: None for a score that is not
    low). The close and its call back are one write: both stand or fall together, and one undo takes both back."""
    text = fields.long_text("resolution", resolution, required=True)
    score = parse_satisfaction(satisfaction)
    now = ctx.clock.utcnow()
    with ctx.db.write(now) as session:
        ticket = _live_ticket(session, ticket_id)
        if ticket.status == "closed":
            raise NotAllowed("{number} is closed already", number=ticket.number)
        _event(session, ticket, now, from_status=ticket.status, to_status="closed", note=text)
        ticket.responded_at = ticket.responded_at or now
        ticket.resolved_at = ticket.resolved_at or now
        ticket.closed_at = now
        ticket.status = "closed"
        ticket.resolution = text
        ticket.satisfaction = score
        ticket.updated_at = now
        # a low score: a call back, as a revisit's; inside this write (plan_call_back joins it)
        call_back = plan_call_back(ctx, ticket.customer_id, score, "ticket", ticket.number)
    return ticket, call_back


# ---------------------------------------------------------------- finding and reading


def find_ticket(ctx: Context, ref: str) -> str:
    """The id of the one live ticket `ref` names: its number whole or its first characters, with or without
    "T-" and in any case (T-7K3QX9M, t-7k3q, 7k3q; at least 4 characters), a number of the older sequential form
    (T-0007, t-7 or 7; T-0007 finds T-0007-wang), else an id prefix. Several are listed (Ambiguous), none is
    NotFound."""
    text = (ref or "").strip()
    if not text:
        raise InvalidInput("ticket", "a ticket number such as T-7K3QX9M")
    digits = re.fullmatch(r"(?:T-?)?(\d+)((?:-.+)?)", text, re.IGNORECASE)
    code = re.sub(r"^T-", "", text.upper()).translate(_CODE_TYPED)
    with ctx.db.read() as session:
        found = store.find_by_number(session, f"T-{int(digits.group(1)):04d}{digits.group(2)}") if digits else []
        if not found and len(code) >= 4 and all(c in CODE_ALPHABET for c in code):
            found = store.find_by_code(session, f"T-{code}")
        if not found:
            found = store.find_by_number(session, text)
        if not found and re.fullmatch(r"[0-9a-f-]{4,36}", text.lower()):
            found = [t for t in (store.get_ticket(session, text.lower()),) if t is not None and t.deleted_at is None]
            if not found:
                found = [t for t, _c in store.list_tickets(session) if t.id.startswith(text.lower())]
    if not found:
        raise NotFound("ticket", text)
    if len(found) > 1:
        raise Ambiguous("ticket", text, [Match(t.id, f"{t.number}  {t.title}") for t in found])
    return found[0].id


@dataclass(frozen=True)
class TicketView:
    """A ticket as the app and `crm ticket` show it, with its customer and where it stands against its deadlines."""

    id: str
    number: str
    customer_id: str
    customer_name: str
    owner: str | None
    """The customer's owner (in a team, the rep whose ticket it is); None on a laptop of one."""
    title: str
    kind: str
    priority: str
    status: str
    opened_at: datetime
    respond_by: datetime
    resolve_by: datetime
    due_on: date | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    resolution: str | None
    satisfaction: int | None
    author: str | None
    deadline: datetime
    """The earlier of resolve_by and the end of the promised day (UTC)."""
    promised: bool
    """The deadline is the promised day's end (it comes before resolve_by)."""
    overdue: bool
    due_soon: bool
    response_late: bool
    """Not answered yet and past respond_by."""


@dataclass(frozen=True)
class EventView:
    """One step of a ticket's history."""

    at: datetime
    from_status: str | None
    to_status: str | None
    note: str | None
    """The note as the reader reads it: a rep's as written, a change of priority or promised day worded in the
    reader's language (change_text)."""
    author: str | None
    change: dict[str, str | None] | None = None
    """A change of priority or of the promised day, as stored (change_of); None for any other step."""


def _view(ctx: Context, ticket: Ticket, customer: Customer, now: datetime) -> TicketView:
    rules = ctx.settings.tickets
    resolve_by = _utc(ticket.resolve_by)
    limit = resolve_by
    if ticket.due_on is not None:
        limit = min(limit, datetime.combine(ticket.due_on + timedelta(days=1), time(0), ctx.clock.zone).astimezone(UTC))
    active = ticket.status in ACTIVE
    overdue = active and now >= limit
    return TicketView(
        id=ticket.id, number=ticket.number, customer_id=customer.id, customer_name=customer.name,
        owner=customer.owner, title=ticket.title,
        kind=ticket.kind, priority=ticket.priority, status=ticket.status, opened_at=_utc(ticket.opened_at),
        respond_by=_utc(ticket.respond_by), resolve_by=resolve_by, due_on=ticket.due_on,
        responded_at=_utc(ticket.responded_at) if ticket.responded_at else None,
        resolved_at=_utc(ticket.resolved_at) if ticket.resolved_at else None,
        closed_at=_utc(ticket.closed_at) if ticket.closed_at else None, resolution=ticket.resolution,
        satisfaction=ticket.satisfaction, author=ticket.author, deadline=limit, promised=limit < resolve_by,
        overdue=overdue,
        due_soon=active and not overdue and limit - now <= timedelta(hours=rules.soon_hours),
        response_late=ticket.responded_at is None and active and now >= _utc(ticket.respond_by))


def order_key(view: TicketView) -> tuple[bool, bool, datetime, str]:
    """The order of a list: overdue first, then the tickets still worked on by deadline, then the resolved and
    closed ones."""
    return (not view.overdue, view.status not in ACTIVE, view.deadline, view.number)


def list_tickets(ctx: Context, statuses: tuple[str, ...] | None = NOT_CLOSED, customer_id: str | None = None,
                 overdue_only: bool = False, rep: str | None = None) -> list[TicketView]:
    """Tickets (by default all but the closed ones), overdue first, then by deadline; with `rep` (a name as
    services.agenda.resolve_rep gives it) only those of that rep's customers, ALL_REPS those of any rep (the rule
    of services.agenda.owned_by)."""
    now = ctx.clock.utcnow()
    with ctx.db.read() as session:
        rows = store.list_tickets(session, statuses, customer_id)
    views = [_view(ctx, ticket, customer, now) for ticket, customer in rows
             if owned_by(rep, customer.owner)]
    if overdue_only:
        views = [v for v in views if v.overdue]
    return sorted(views, key=order_key)


def ticket_detail(ctx: Context, ticket_id: str) -> tuple[TicketView, list[EventView]]:
    """A ticket with its history, oldest step first."""
    now = ctx.clock.utcnow()
    with ctx.db.read() as session:
        ticket = _live_ticket(session, ticket_id)
        customer = customer_store.get_customer(session, ticket.customer_id)
        if customer is None:
            raise NotFound("customer", ticket.customer_id)
        events = [_step(ctx, e) for e in store.events_of(session, ticket_id)]
    return _view(ctx, ticket, customer, now), events


def _step(ctx: Context, event: TicketEvent) -> EventView:
    change = change_of(event.note)
    note = change_text(ctx, change) if change is not None else event.note
    return EventView(_utc(event.at), event.from_status, event.to_status, note, event.author, change)


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_dict(view: TicketView, events: list[EventView] | None = None) -> dict[str, object]:
    """A ticket for `--json`: stable English keys, moments in UTC ISO 8601, the history when given."""
    data: dict[str, object] = {
        "id": view.id, "number": view.number, "customer_id": view.customer_id, "customer": view.customer_name,
        "owner": view.owner, "title": view.title, "type": view.kind, "priority": view.priority, "status": view.status,
        "opened_at": _moment(view.opened_at), "respond_by": _moment(view.respond_by),
        "resolve_by": _moment(view.resolve_by), "due_on": view.due_on.isoformat() if view.due_on else None,
        "responded_at": _moment(view.responded_at), "resolved_at": _moment(view.resolved_at),
        "closed_at": _moment(view.closed_at), "resolution": view.resolution, "satisfaction": view.satisfaction,
        "author": view.author, "overdue": view.overdue, "due_soon": view.due_soon,
        "response_late": view.response_late,
    }
    if events is not None:
        data["history"] = [{"at": _moment(e.at), "from": e.from_status, "to": e.to_status, "note": e.note,
                            "author": e.author, **({"change": e.change} if e.change is not None else {})}
                           for e in events]
    return data


def moves_from(status: str) -> tuple[str, ...]:
    """The statuses a ticket in `status` may be moved to by update_ticket."""
    return MOVES.get(status, ())
