"""The customer 360 as the rep reads it, for the app's customer screen and `crm show` alike.

Every value is worded here once: times in the rep's zone and language, days, amounts, stage and channel names,
birthdays, whose follow-up it is, why a contract was voided, and where the voided contracts fall among the
follow-ups. The front ends only lay the lines out (the screen in panels with colours, `crm show` as plain text),
so the two cannot disagree on what a customer holds. Plain strings ("" for none) and flags; no markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from crmtui.core import i18n, labels
from crmtui.core.dates import format_when
from crmtui.core.formatting import format_amount, format_birthday
from crmtui.core.i18n import _, ngettext
from crmtui.services.agenda import next_service
from crmtui.services.context import Context
from crmtui.services.customers import CustomerDetail
from crmtui.services.deals import VoidedContract, days_in_stage, lost_reason_text
from crmtui.services.personal_data import consent_text, do_not_contact_text
from crmtui.services.views import other_author

if TYPE_CHECKING:
    from crmtui.store.revisits import Score


@dataclass(frozen=True)
class ContactLine:
    """One contact of the customer."""

    id: str
    name: str
    title: str
    phone: str
    email: str
    birthday: str
    decision_maker: bool
    do_not_contact: str = ""
    """The do-not-contact mark ("do not contact since 2026-11-02 (reason)"), "" when they may be contacted."""
    consent: str = ""
    """Where their consent came from and when, "" when none is recorded."""


@dataclass(frozen=True)
class DealLine:
    """One live deal: its stage by name, the whole days it has been there."""

    id: str
    title: str
    stage: str
    stage_id: str
    """The stage's id in the settings, for moving the deal on."""
    days_in_stage: int
    amount: str
    lost_reason: str
    imported: bool = False
    """Brought in from another system's history (not made under today's gates)."""


@dataclass(frozen=True)
class InstalmentLine:
    """One instalment of a contract; `paid` is the day it was paid ("" while unpaid)."""

    id: str
    due: str
    amount: str
    paid: str
    overdue: bool
    """Unpaid and due before today."""


@dataclass(frozen=True)
class CareLine:
    """A service cycle and a warranty (of a customer, or of one contract), worded, with the days behind the words
    for `crm show --json`. A text is "" for what is not set."""

    cycle: str
    """"every 6 months from 10 May 2026"."""
    next_service: str
    """The next service visit's day, "" without a cycle (or once its contract has ended)."""
    warranty: str
    """"until Sat 9 Jan 2027 (ends in 46 days)", "until ... (ended)"."""
    service_months: int | None = None
    service_from: date | None = None
    """The day the cycle counts from: its own, else the signing day (a customer's: its first contract's)."""
    next_service_on: date | None = None
    warranty_until: date | None = None
    warranty_days_left: int | None = None
    """Days from today to the warranty's end (0 on its last day, negative once it has ended)."""

    def __bool__(self) -> bool:
        return bool(self.cycle or self.warranty)

    def as_dict(self) -> dict[str, object]:
        """The care as JSON-ready values (days as 2026-12-01, null for what is not set)."""
        def iso(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {"service_months": self.service_months, "service_from": iso(self.service_from),
                "next_service_on": iso(self.next_service_on), "warranty_until": iso(self.warranty_until),
                "warranty_days_left": self.warranty_days_left}


NO_CARE = CareLine("", "", "")


@dataclass(frozen=True)
class ContractLine:
    """One live contract with its instalments in due order."""

    id: str
    number: str
    amount: str
    signed: str
    end: str
    instalments: tuple[InstalmentLine, ...]
    care: CareLine = NO_CARE
    """The contract's own service cycle and warranty, when it carries them."""


@dataclass(frozen=True)
class FollowUpLine:
    """One follow-up; `author` is named only when it is another rep's."""

    id: str
    when: str
    channel: str
    goal: str
    goal_met: bool
    author: str
    notes: str
    next_plan: str
    next_when: str
    contact: str = ""
    """Whom the rep spoke to (a contact's name), "" when not said or the contact is gone."""
    deal: str = ""
    """Which deal it was about (its title), "" when not said or the deal is gone."""
    corrected: bool = False
    """A correction of a follow-up typed wrong (the one it corrects is no longer listed)."""
    imported: bool = False
    """Brought in from another system's history: its goal and next step may be unknown."""
    about: str = ""
    """The contact and the deal worded for the timeline ("with Zhang San · about ERP upgrade"), "" for neither."""


@dataclass(frozen=True)
class VoidedLine:
    """A contract taken back by reopening or removing its deal, at the time it was voided."""

    when: str
    text: str


@dataclass(frozen=True)
class Customer360:
    """One customer as both front ends show it; the lists in the order they are shown."""

    id: str
    name: str
    status: str
    """The status by name, in the chosen language."""
    tier: str
    score: int
    company: str
    phone: str
    email: str
    wechat: str
    source: str
    interest: str
    industry: str
    region: str
    owner: str
    next_follow_up: str
    last_contact: str
    tags: tuple[str, ...]
    contacts: tuple[ContactLine, ...]
    deals: tuple[DealLine, ...]
    contracts: tuple[ContractLine, ...]
    follow_ups: tuple[FollowUpLine, ...]
    """Newest first."""
    voided: tuple[VoidedLine, ...]
    """Most recently voided first."""
    timeline: tuple[FollowUpLine | VoidedLine, ...]
    """The follow-ups and the voided contracts together, newest first."""
    notes: str = ""
    """Free text about the customer, "" for none."""
    do_not_contact: str = ""
    """A person customer's do-not-contact mark, "" when they may be contacted."""
    consent: str = ""
    """A person customer's consent (source and day), "" when none is recorded."""
    care: CareLine = NO_CARE
    """The customer's service cycle and warranty (set in its edit form or with `crm edit --service-*`)."""


def care_line(months: int | None, start: date | None, until: date | None, today: date, ended: bool = False) -> CareLine:
    """A service cycle of `months` counted from `start` and a warranty ending `until`, worded for `today`. An
    `ended` contract has no next service visit (the agenda reminds none), though its cycle is still said."""
    lang = i18n.language

    def day(value: date) -> str:
        return format_when(value, False, lang, today)

    cycle = next_text = ""
    next_on = None
    if months and months > 0:
        cycle = ngettext("every {months} month", "every {months} months", months).format(months=months)
        if start is not None:
            cycle += " " + _("from {day}").format(day=day(start))
            if not ended:
                next_on = next_service(start, months, today)
                next_text = day(next_on)
    warranty, left = "", None
    if until is not None:
        left = (until - today).days
        state = (_("ended") if left < 0 else _("ends today") if left == 0 else
                 ngettext("ends in {days} day", "ends in {days} days", left).format(days=left))
        warranty = _("until {day} ({state})").format(day=day(until), state=state)
    return CareLine(cycle, next_text, warranty, months if months and months > 0 else None,
                    start if cycle else None, next_on, until, left)


def customer_360(ctx: Context, detail: CustomerDetail, voided: list[VoidedContract]) -> Customer360:
    """The customer of `detail`, with the contracts taken back from it (services.deals.voided_contracts), worded."""
    lang, today = i18n.language, ctx.clock.today()

    def when(value: datetime | None) -> str:
        local = ctx.clock.to_local(value)
        return format_when(local, True, lang, today) if local else ""

    def day(value: date | None) -> str:
        return format_when(value, False, lang, today) if value else ""

    c = detail.customer
    contact_names = {k.id: k.name for k in detail.contacts}
    deal_titles = {d.id: d.title for d in detail.deals}
    follow_ups = [
        FollowUpLine(id=f.id, when=when(f.at), channel=labels.channel(f.channel), goal=f.goal, goal_met=f.goal_met,
                     author=other_author(ctx, f.author) or "", notes=f.notes, next_plan=f.next_plan or "",
                     next_when=when(f.next_at), contact=contact_names.get(f.contact_id or "", ""),
                     deal=deal_titles.get(f.deal_id or "", ""), corrected=f.corrects_id is not None,
                     imported=f.imported_from is not None,
                     about=_about(contact_names.get(f.contact_id or "", ""), deal_titles.get(f.deal_id or "", "")))
        for f in detail.follow_ups
    ]
    voided_lines = [VoidedLine(when=when(v.at), text=v.describe(ctx.settings)) for v in voided]
    # Both lists are newest first: a contract voided after a follow-up stands above it.
    timeline: list[FollowUpLine | VoidedLine] = []
    pending = list(zip(voided, voided_lines, strict=True))
    for follow_up, line in zip(detail.follow_ups, follow_ups, strict=True):
        while pending and pending[0][0].at > follow_up.at:
            timeline.append(pending.pop(0)[1])
        timeline.append(line)
    timeline.extend(shown for _contract, shown in pending)
    return Customer360(
        id=c.id, name=c.name, status=labels.status(c.status), tier=c.tier, score=c.score,
        company=c.company or "", phone=c.phone or "", email=c.email or "", wechat=c.wechat or "",
        source=c.source or "", interest=c.interest or "", industry=c.industry or "", region=c.region or "",
        owner=c.owner or "", next_follow_up=when(c.next_follow_up_at), last_contact=when(c.last_contact_at),
        tags=tuple(detail.tags), notes=c.notes or "",
        contacts=tuple(
            ContactLine(id=k.id, name=k.name, title=k.title or "", phone=k.phone or "", email=k.email or "",
                        birthday=format_birthday(k.birthday, lang), decision_maker=k.decision_maker,
                        do_not_contact=do_not_contact_text(k.do_not_contact_on, k.do_not_contact_reason)
                        if k.do_not_contact else "", consent=consent_text(k.consent_source, k.consent_on))
            for k in detail.contacts
        ),
        deals=tuple(
            DealLine(id=d.id, title=d.title, stage=labels.stage(ctx.settings, d.stage), stage_id=d.stage,
                     days_in_stage=days_in_stage(ctx, d), amount=format_amount(d.amount_cents),
                     lost_reason=lost_reason_text(d.lost_reason) if d.lost_reason else "",
                     imported=d.imported_from is not None)
            for d in detail.deals
        ),
        contracts=tuple(
            ContractLine(id=k.id, number=k.number, amount=format_amount(k.amount_cents), signed=day(k.signed_on),
                         end=day(k.end_on), instalments=tuple(
                             InstalmentLine(id=p.id, due=day(p.due_on), amount=format_amount(p.amount_cents),
                                            paid=day(p.paid_on), overdue=not p.paid_on and p.due_on < today)
                             for p in detail.payments.get(k.id, [])),
                         care=care_line(k.service_months, k.service_from or k.signed_on, k.warranty_until, today,
                                        ended=k.end_on is not None and k.end_on < today))
            for k in detail.contracts
        ),
        follow_ups=tuple(follow_ups),
        voided=tuple(voided_lines),
        timeline=tuple(timeline),
        do_not_contact=do_not_contact_text(c.do_not_contact_on, c.do_not_contact_reason)
        if c.do_not_contact and c.kind == "person" else "",
        consent=consent_text(c.consent_source, c.consent_on) if c.kind == "person" else "",
        care=care_line(c.service_months,
                       c.service_from or min((k.signed_on for k in detail.contracts), default=None),
                       c.warranty_until, today),
    )


def _about(contact: str, deal: str) -> str:
    """Whom a follow-up was with and which deal it was about, as the timeline says it."""
    parts = ([_("with {name}").format(name=contact)] if contact else []) + (
        [_("about {deal}").format(deal=deal)] if deal else [])
    return " · ".join(parts)


def satisfaction_trend(scores: Sequence[Score]) -> str:
    """The satisfaction scores, oldest first, as bars and numbers, a score given when a ticket was closed named by
    the ticket: "▂▆ 2 (ticket T-0001) 4 (oldest first, 1-5)"; "" without any."""
    from crmtui.services.revisits import sparkline  # deferred: the revisits' rules, only for a customer scored

    if not scores:
        return ""
    numbers = " ".join(str(score.satisfaction) if score.ticket is None else
                       _("{score} (ticket {number})").format(score=score.satisfaction, number=score.ticket)
                       for score in scores)
    return f"{sparkline(list(scores))}  " + _("{scores} (oldest first, 1-5)").format(scores=numbers)
