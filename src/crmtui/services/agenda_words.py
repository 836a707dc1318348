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

COUNTED = ("pool", "overdue", "due", "stalled", "new_leads")
"""The sections whose counts Today's header shows: the ones that cannot wait."""

_SHORT_COUNT = {"pool": N_("to the pool {count}"), "overdue": N_("overdue {count}"), "due": N_("due today {count}"),
                "stalled": N_("stalled {count}"), "new_leads": N_("new leads {count}")}
"""A count in a narrow header: the section's short name."""


def section_title(name: str) -> str:
    """A section's title: the look-ahead of a quiet day says how far it looks."""
    if name == COMING:
        return _("Coming up in the next {days} days").format(days=COMING_DAYS)
    return labels.section(name)


def header_counts(agenda: Agenda, short: bool = False) -> list[tuple[str, str]]:
    """The counts of the sections that cannot wait, each with its section: "Overdue 45" (short: "overdue 45")."""
    return [(name, _(_SHORT_COUNT[name]).format(count=agenda.totals[name]) if short
             else f"{labels.section(name)} {agenda.totals[name]}")
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
    return " · ".join(parts) or _("nothing waiting")
