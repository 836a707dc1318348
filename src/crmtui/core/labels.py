"""Names of the domain's fixed values (statuses, channels, stages, sections) in the chosen language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from crmtui.core import fields, i18n
from crmtui.core.i18n import N_, _

if TYPE_CHECKING:
    from crmtui.core.config import Settings, Stage

STATUS = {"lead": N_("lead"), "prospect": N_("prospect"), "customer": N_("customer status"),
          "dormant": N_("dormant"), "pool": N_("pool")}
CHANNEL = {"phone": N_("Phone"), "wechat": N_("WeChat"), "visit": N_("Visit"), "email": N_("Email channel"),
           "meeting": N_("Meeting"), "sms": N_("SMS"), "other": N_("Other")}
SECTION = {"overdue": N_("Overdue"), "due": N_("Due today"), "stalled": N_("High intent, stalled"),
           "new_leads": N_("New leads to call now"), "renewals": N_("Renewals"), "payments": N_("Payments due"),
           "birthdays": N_("Birthdays"), "pool": N_("Going back to the pool")}
_ENGLISH = {"Email channel": "Email", "customer status": "customer"}
"""Msgids made distinct for the translators (邮件 vs 邮箱, 成交客户 vs 客户) read as plain English."""


def _t(msgid: str) -> str:
    text = _(msgid)
    return _ENGLISH.get(text, text)


KIND = {"customer": N_("Customer"), "lead": N_("Lead"), "deal": N_("Deal"), "contact": N_("Contact"),
        "record": N_("Record"), "rejected change": N_("Rejected change"), "unpaid instalment": N_("Unpaid instalment"),
        "customer or deal": N_("Customer or deal")}
"""The kinds of record a reference may name (no customer matches "x"), by the word the English messages use."""


def status(key: str) -> str:
    """A customer status."""
    return _t(STATUS[key]) if key in STATUS else key


def channel(key: str) -> str:
    """A follow-up channel."""
    return _t(CHANNEL[key]) if key in CHANNEL else key


def section(key: str) -> str:
    """An agenda section's title."""
    return _(SECTION[key]) if key in SECTION else key


def field(key: str) -> str:
    """A field named by a service (a duplicate's reason, a changed field), by its key in core/fields.py."""
    return fields.label(key)


def kind(key: str) -> str:
    """A kind of record (customer, deal...) in the chosen language."""
    return _(KIND[key]) if key in KIND else fields.label(key)


def stage_name(stage: Stage) -> str:
    """A configured stage's name in the chosen language."""
    return stage.name_zh if i18n.language == "zh" else stage.name


def stage(settings: Settings, key: str) -> str:
    """The name of the stage with this key (a key no longer configured is shown as it is)."""
    for configured in settings.stages:
        if configured.key == key:
            return stage_name(configured)
    return key


def days(count: int) -> str:
    """A number of days, short ("3 d" / "3 天")."""
    return _("{days} d").format(days=count)


def time_left(left: timedelta) -> str:
    """How long until something happens, short, never understating it by more than a rep would notice: minutes
    under an hour, hours under a day, days and hours under three days ("1 d 23 h", never "1 d"), then whole
    days, rounded to the nearest one. A moment already past is "0 min"."""
    minutes = max(0, int(left.total_seconds() // 60))
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours = minutes // 60
    if hours < 24:
        return _("{hours} h").format(hours=hours)
    if hours < 72:
        whole, rest = divmod(hours, 24)
        return _("{days} d {hours} h").format(days=whole, hours=rest) if rest else days(whole)
    return days(round(minutes / (24 * 60)))


class DateProblem:
    """A dates.py parse error that reads in the language chosen when it is shown (it sits inside an InvalidInput)."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __format__(self, spec: str) -> str:
        # deferred: the dates package adds ~20 ms that `crm --help` and every other import of the errors skip
        from crmtui.core.dates import (
            DateInPastError,
            DateNoSuchDayError,
            DateWeekdayError,
            format_when,
            weekday_name,
        )

        error = self.error
        template = getattr(error, "template", None)
        if template is None or i18n.language == "en":
            return str(error)
        values = dict(getattr(error, "template_values", {}))
        if isinstance(error, DateInPastError):
            values["read"] = format_when(error.parsed.when, error.parsed.has_time, i18n.language, error.today)
        elif isinstance(error, DateNoSuchDayError):
            values["read"] = error.read(i18n.language)
        elif isinstance(error, DateWeekdayError):
            values["read"] = format_when(error.day, False, i18n.language, error.today)
            values["weekday"] = weekday_name(error.weekday, i18n.language)
        return _(template).format(**values)

    def __str__(self) -> str:
        return format(self)


class Shown:
    """A fixed value's name (a stage, a status) in the language chosen when the message is shown."""

    def __init__(self, name: Callable[..., str], *args: object) -> None:
        self.name = name
        self.args = args

    def __format__(self, spec: str) -> str:
        return format(self.name(*self.args), spec)

    def __str__(self) -> str:
        return format(self)


DATE_TEMPLATES = (
    N_("could not understand the date {quoted} (try e.g. {examples})"),
    N_("the date {quoted} is in the past (read as {read})"),
    N_("the date text is too long ({count} characters, at most {max}): {shown}"),
    N_("the date {quoted} names a {weekday}, but {read} is not one"),
    N_("the time {quoted} could be {morning} or {afternoon}: add am or pm (上午 or 下午)"),
    N_("the time {quoted} has passed today (read as {read}): write the day too, e.g. {example}"),
    N_("the date {quoted} would be {read}, a day that does not exist: write the month too, e.g. {example}"),
)
"""dates.py's error templates (it imports no i18n); DateProblem translates them when shown."""


COLUMN = {"name": N_("Name"), "company": N_("Company"), "industry": N_("Industry"), "region": N_("Region"),
          "source": N_("Source"), "interest": N_("Interest"), "phone": N_("Phone"), "email": N_("Email"),
          "wechat": N_("WeChat"), "status": N_("Status"), "tier": N_("Tier"), "owner": N_("Owner"),
          "kind": N_("company or person"), "next_follow_up_at": N_("Next follow-up"),
          "decision_maker": N_("Decision maker"), "birthday": N_("Birthday"),
          "amount_cents": N_("Amount"), "quoted_cents": N_("Quoted amount"), "expected_close": N_("Close date"),
          "stage": N_("Deal stage"), "to_stage": N_("Deal stage"), "from_stage": N_("Previous stage"),
          "probability": N_("Probability"), "competitor": N_("Competitor"), "lost_reason": N_("Reason"),
          "at": N_("When"), "channel": N_("Channel"), "goal": N_("Goal"), "goal_met": N_("Goal met?"),
          "notes": N_("Notes"), "next_plan": N_("Next plan"), "next_at": N_("Next date"),
          "number": N_("Contract no."), "signed_on": N_("Signed on"), "end_on": N_("Ends on"),
          "due_on": N_("Payment due date"), "paid_on": N_("Paid on"), "tag": N_("Tags"),
          "external_id": N_("Id in the system it came from"), "owner_name": N_("Rep in the system it came from"),
          "imported_from": N_("Imported from"), "consent_source": N_("Consent source"),
          "consent_on": N_("Consent date"), "do_not_contact": N_("Do not contact"),
          "do_not_contact_on": N_("Asked not to be contacted on"), "do_not_contact_reason": N_("Do-not-contact reason"),
          "erased_at": N_("Erased on")}
"""The label of each stored column a rep fills in, by column name (the same column means the same thing in every
table, except the ones below)."""
COLUMN_OF_TABLE = {("contact", "title"): N_("Job title"), ("deal", "title"): N_("Title"),
                   ("customer", "notes"): N_("Customer notes"),
                   ("payment", "amount_cents"): N_("Payment amount"),
                   ("follow_up", "satisfaction"): N_("Satisfaction (1-5)"),
                   ("follow_up", "nps"): N_("Would recommend (0-10)"),
                   ("revisit", "due_on"): N_("Revisit on"), ("revisit", "purpose"): N_("Purpose"),
                   ("revisit", "done_at"): N_("Done at"),
                   ("ticket", "number"): N_("Ticket no."), ("ticket", "title"): N_("Title"),
                   ("ticket", "kind"): N_("Ticket type"), ("ticket", "priority"): N_("Priority"),
                   ("ticket", "status"): N_("Ticket status"), ("ticket", "opened_at"): N_("Opened at"),
                   ("ticket", "respond_by"): N_("Respond by"), ("ticket", "resolve_by"): N_("Resolve by"),
                   ("ticket", "due_on"): N_("Due date"), ("ticket", "responded_at"): N_("Responded at"),
                   ("ticket", "resolved_at"): N_("Resolved at"), ("ticket", "closed_at"): N_("Closed at"),
                   ("ticket", "resolution"): N_("Resolution"), ("ticket", "satisfaction"): N_("Satisfaction (1-5)"),
                   ("ticket_event", "from_status"): N_("Previous status"),
                   ("ticket_event", "to_status"): N_("Ticket status"), ("ticket_event", "note"): N_("Note"),
                   ("customer", "service_months"): N_("Service every (months)"),
                   ("contract", "service_months"): N_("Service every (months)"),
                   ("customer", "service_from"): N_("Service from"), ("contract", "service_from"): N_("Service from"),
                   ("customer", "warranty_until"): N_("Warranty until"),
                   ("contract", "warranty_until"): N_("Warranty until")}


def column(table: str, name: str) -> str:
    """A stored column's label in the chosen language (a column without one is shown by its name)."""
    label = COLUMN_OF_TABLE.get((table, name)) or COLUMN.get(name)
    return _t(label) if label else name
