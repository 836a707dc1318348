"""What Today says about each row, in the chosen language: why a customer is listed ("overdue 3 d", "stalled 10 d
in Proposal", "call within 1 d 14 h"...) and what another rep has waiting, for a manager.

The agenda query (crmtui.services.agenda) hands over numbers, moments and keys; this module words them for both
front ends, so the app's Today and `crm today` say the same thing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from crmtui.core import i18n, labels
from crmtui.core.dates import format_when
from crmtui.core.formatting import format_amount
from crmtui.core.i18n import N_, _
from crmtui.services.agenda import COMING, COMING_DAYS

if TYPE_CHECKING:
    from crmtui.services.agenda import Agenda, AgendaItem, RepLoad
    from crmtui.services.context import Context

COUNTED = ("escalated", "pool", "tickets", "overdue", "due", "stalled", "new_leads")
"""The sections whose counts Today's header shows: the ones that cannot wait."""

_SHORT_COUNT = {"pool": N_("to the pool {count}"), "overdue": N_("overdue {count}"), "due": N_("due today {count}"),
                "stalled": N_("stalled {count}"), "new_leads": N_("new leads {count}"),
                "escalated": N_("escalated {count}"), "tickets": N_("tickets {count}")}
"""A count in a narrow header: the section's short name."""
_HEADER = {"escalated": N_("Escalated"), "tickets": N_("Tickets due")}
"""A count in the header of a section whose title is long."""

TITLES = {"escalated": N_("Escalated: the team's late work"), "tickets": N_("Service requests due"),
          "revisits": N_("Revisits"), "touch": N_("Due for a touch"), "service": N_("Service and warranty"),
          "holidays": N_("Holiday greetings")}
"""The titles of the sections of the work after the sale and of the manager's escalations."""

HOLIDAY_NAMES = {"元旦": N_("New Year's Day"), "春节": N_("Spring Festival"), "端午": N_("Dragon Boat Festival"),
                 "中秋": N_("Mid-Autumn Festival"), "国庆": N_("National Day"), "劳动节": N_("Labour Day")}
"""The holidays crmtui knows, by their names in the config; a holiday of the rep's own is shown as written."""

PRIORITY = {"high": N_("high priority"), "urgent": N_("urgent")}
"""A ticket's priority where it changes how fast it must be done."""
SHORT_PRIORITY = {"high": N_("high"), "urgent": N_("urgent")}
"""The same in one word, after the ticket's number in the section of tickets due."""


def section_title(name: str) -> str:
    """A section's title: the look-ahead of a quiet day says how far it looks."""
    if name == COMING:
        return _("Coming up in the next {days} days").format(days=COMING_DAYS)
    if name in TITLES:
        return _(TITLES[name])
    return labels.section(name)


def holiday_name(name: str) -> str:
    """A configured holiday in the chosen language."""
    return _(HOLIDAY_NAMES[name]) if name in HOLIDAY_NAMES else name


def _late(item: AgendaItem) -> str:
    """How long a ticket is late or has left: minutes under an hour (never "0 h"), hours under two days, else
    days."""
    if item.hours < 1 and item.left is not None:
        return _("{minutes} min").format(minutes=int(abs(item.left.total_seconds()) // 60))
    return (_("{hours} h").format(hours=item.hours) if item.hours < 48
            else _("{days} d").format(days=item.hours // 24))


def _ticket(item: AgendaItem) -> str:
    """A ticket's number, with its priority when high or urgent."""
    if item.priority in PRIORITY:
        return _("{number} ({priority})").format(number=item.ticket_number, priority=_(PRIORITY[item.priority]))
    return item.ticket_number or ""


def _ticket_short(item: AgendaItem) -> str:
    """A ticket's number, with its priority in one word when high or urgent ("T-0001 urgent")."""
    if item.priority in SHORT_PRIORITY:
        return f"{item.ticket_number} {_(SHORT_PRIORITY[item.priority])}"
    return item.ticket_number or ""


def header_counts(agenda: Agenda, short: bool = False) -> list[tuple[str, str]]:
    """The counts of the sections that cannot wait, each with its section: "Overdue 45" (short: "overdue 45")."""
    # Thousands grouped as the sections' own headers group them ("Overdue (45,028)").
    return [(name, _(_SHORT_COUNT[name]).format(count=f"{agenda.totals[name]:,}") if short
             else f"{_(_HEADER[name]) if name in _HEADER else labels.section(name)} {agenda.totals[name]:,}")
            for name in COUNTED if agenda.totals.get(name)]


def reason(ctx: Context, item: AgendaItem) -> str:
    """Why the item is on the agenda, short enough for Today's reason column."""
    section, days = item.section, item.days
    if section == "overdue":
        return _("overdue {days} d").format(days=days)
    if section == "due":
        return _("due today {time}").format(time=item.when.strftime("%H:%M") if item.when else "")
    if section == COMING:
        if days == 1 and item.when is not None:
            return _("tomorrow {time}").format(time=item.when.strftime("%H:%M"))
        return format_when(item.when, lang=i18n.language) if item.when else ""
    if section == "stalled":
        return _("stalled {days} d in {stage}").format(days=days, stage=labels.stage(ctx.settings, item.stage or ""))
    if section == "new_leads":
        # Past two days the wait reads better in days ("667 h" was four weeks).
        if item.hours < 48:
            return _("added {hours} h ago, not contacted yet").format(hours=item.hours)
        return _("added {days} d ago, not contacted yet").format(days=item.hours // 24)
    if section == "renewals":
        return _("contract {number} ends in {days} d").format(number=item.contract_number, days=days)
    if section == "payments":
        due = (_("payment overdue {days} d").format(days=-days) if days < 0
               else _("payment due in {days} d").format(days=days))
        return f"{due} ({item.contract_number})"
    if section == "birthdays":
        return (_("{name}'s birthday today") if days == 0 else _("{name}'s birthday in {days} d")).format(
            name=item.contact_name, days=days)
    if section == "revisits":
        return _("revisit today") if days == 0 else _("revisit {days} d late").format(days=days)
    if section == "touch":
        return _("last contact {days} d ago (tier {tier}: {cadence} d)").format(
            days=days, tier=item.tier, cadence=item.cadence)
    if section == "service":
        if item.kind == "warranty":
            text = _("warranty ends today") if days == 0 else _("warranty ends in {days} d").format(days=days)
        else:
            text = _("service visit today") if days == 0 else _("service visit in {days} d").format(days=days)
        return f"{text} ({item.contract_number})" if item.contract_number else text
    if section == "tickets":
        # The section's title says these are tickets: the reason stays short ("T-0001 urgent · 3 d late") so the
        # ticket's title still fits beside it on an 80-column Today.
        if item.kind == "overdue":
            return _("{ticket} · {time} late").format(ticket=_ticket_short(item), time=_late(item))
        if item.kind == "late_answer":
            return _("{ticket} · answer {time} late").format(ticket=_ticket_short(item), time=_late(item))
        return _("{ticket} · due in {time}").format(ticket=_ticket_short(item), time=_late(item))
    if section == "holidays":
        name = holiday_name(item.holiday or "")
        return (_("{holiday} today: greet them") if days == 0 else _("{holiday} in {days} d: greet them")).format(
            holiday=name, days=days)
    if section == "escalated":
        if item.kind == "ticket":
            return _("{rep}: ticket {ticket} overdue {time}").format(rep=item.owner, ticket=_ticket(item),
                                                                    time=_late(item))
        return _("{rep}: follow-up overdue {days} d").format(rep=item.owner, days=days)
    if section == "pool":
        left = labels.time_left(item.left) if item.left is not None else ""
        # Short enough for Today's reason column at any width: the section says where it goes.
        if item.first_contact:
            if item.left is not None and item.left <= timedelta(0):  # past its hours: the pool takes it next
                return _("first call overdue")
            return _("call within {time}").format(time=left)
        return _("to the pool in {time}").format(time=left)
    return ""


def load_text(load: RepLoad) -> str:
    """A rep's waiting work, the counts that are not zero ("overdue 3 · stalled 1 (¥80,000)")."""
    parts = [text.format(count=count) for text, count in (
        (_("overdue {count}"), load.overdue), (_("due today {count}"), load.due)) if count]
    if load.stalled:
        parts.append(_("stalled {count} ({amount})").format(count=load.stalled,
                                                             amount=format_amount(load.stalled_cents) or "-"))
    if load.new_leads:
        parts.append(_("not yet called {count}").format(count=load.new_leads))
    if load.escalated:
        parts.append(_("escalated {count}").format(count=load.escalated))
    return " · ".join(parts) or _("nothing waiting")
