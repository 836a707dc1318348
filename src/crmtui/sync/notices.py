"""What a sync round tells the rep, in the chosen language: customers that came or went (named, with who took
them), edits of theirs that lost, records set aside or sent again; and the words for kinds of records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmtui.i18n import N_

if TYPE_CHECKING:
    from crmtui.sync.client import Conflict, RoundReport

POOL_REASONS = ("release", "reclaim", "first_contact", "pool")
"""Why a customer goes to the pool (crm.access_change.reason)."""


def report_notes(report: RoundReport) -> list[tuple[str, bool]]:
    """What a round has to tell the rep beyond its counts, in the chosen language: (text, is a warning)."""
    from crmtui.i18n import names_text, ngettext

    notes: list[tuple[str, bool]] = []
    if report.gained:
        names = report.gained_names or []
        count = max(report.gained, len(names))
        text = (ngettext("{names} came to you", "{count} customers came to you: {names}", count)
                .format(names=names_text(names), count=count) if names
                else ngettext("{count} customer came to you", "{count} customers came to you", count).format(count=count))
        notes.append((text, False))
    by_taker: dict[str | None, list[str]] = {}
    for name, reason, taker in report.lost_customers:
        by_taker.setdefault(taker or ("" if reason in POOL_REASONS else None), []).append(name)
    for taker, names in by_taker.items():
        if taker:
            text = ngettext("{names} went to {rep} (a manager's reassignment)",
                            "{count} customers went to {rep} (a manager's reassignment): {names}", len(names))
        elif taker == "":
            text = ngettext("{names} went back to the pool", "{count} customers went back to the pool: {names}",
                            len(names))
        else:
            text = ngettext("{names} left your lists", "{count} customers left your lists: {names}", len(names))
        notes.append((text.format(names=names_text(names), count=len(names), rep=taker), False))
    if report.lost and not report.lost_customers:
        notes.append((ngettext("{count} customer left your lists", "{count} customers left your lists",
                               report.lost).format(count=report.lost), False))
    for lost in report.lost_edits:
        notes.append((lost_edit_text(lost), True))
    if report.repushed:
        notes.append((ngettext("the server had gone back in time (a restore, or commits lost in a crash): {count}"
                               " record was sent again",
                               "the server had gone back in time (a restore, or commits lost in a crash): {count}"
                               " records were sent again", report.repushed).format(count=report.repushed), True))
    if report.set_aside:
        notes.append((ngettext("{count} record received from the server could not be stored here and is set aside;"
                               " see `crm sync conflicts`",
                               "{count} records received from the server could not be stored here and are set aside;"
                               " see `crm sync conflicts`", report.set_aside).format(count=report.set_aside), True))
    if report.restamped:
        notes.append((ngettext("{count} change was made while this computer's clock ran ahead; it now carries the"
                               " server's time",
                               "{count} changes were made while this computer's clock ran ahead; they now carry the"
                               " server's time", report.restamped).format(count=report.restamped), True))
    return notes


def lost_edit_text(lost: Conflict) -> str:
    """One of this rep's edits that lost to a later one: customer, field, kept and lost values, who won."""
    from crmtui import labels
    from crmtui.i18n import _

    return _("your change lost: {customer} · {field}: {kept} ({winner}) was kept, your {lost} was not").format(
        customer=lost.customer or lost.record_id[:8], field=labels.field(lost.field), kept=shown_value(lost.kept),
        winner=lost.kept_by or "?", lost=shown_value(lost.lost))


def shown_value(value: object) -> str:
    return "—" if value is None else f'"{value}"'


RECORD_KINDS = {
    "customer": N_("customer"), "contact": N_("contact"), "deal": N_("deal"), "deal_stage_change": N_("stage change"),
    "follow_up": N_("follow-up"), "contract": N_("contract"), "payment": N_("payment"), "customer_tag": N_("tag"),
}


def record_kind(table: str) -> str:
    """What kind of record a table holds, in the chosen language."""
    from crmtui.i18n import _

    return _(RECORD_KINDS[table]) if table in RECORD_KINDS else table
