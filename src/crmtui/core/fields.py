"""The fields a rep fills in, each with one identity: its key, label, CLI option and form widget.

Services raise `InvalidInput` and `MissingFields` with a field's key (`goal_met`, `next_at`, `lost_reason`); the
errors word it (its English name, or its label in the rep's language), the CLI names its option and the forms mark
its widget, all read from here. A key nobody registered (a config setting, a server's URL) is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmtui.core.i18n import N_, _


@dataclass(frozen=True)
class Field:
    """One field: `key` is what the code names it by; everything the rep reads about it is derived here."""

    key: str
    label: str = ""
    """The msgid of its label (forms, and messages in other languages than English); empty: shown as the key."""
    english: str = ""
    """How English messages name it, when not the key itself ("goal met", "contract-no", "signed", "on")."""
    hint: str = ""
    """English words after the name when it is reported missing: goal met (yes/no)."""
    missing_label: str = ""
    """The msgid shown when it is reported missing, when it says more than the label."""
    flag: str = ""
    """The `crm` option that fills it."""
    widget: str = ""
    """The id of its input in the app's forms, when not the key."""

    @property
    def name(self) -> str:
        """Its name in English messages: "next date: a date in the future"."""
        return self.english or self.key

    @property
    def missing_name(self) -> str:
        """Its name in an English list of missing fields, with the hint: "goal met (yes/no)"."""
        return f"{self.name} ({self.hint})" if self.hint else self.name

    @property
    def widget_id(self) -> str:
        """The id of its input in a form."""
        return self.widget or self.key

    def shown(self) -> str:
        """Its label in the chosen language (an unlabelled field by its key)."""
        return _(self.label) if self.label else self.key

    def shown_missing(self) -> str:
        """Its label in a list of missing fields, in the chosen language."""
        return _(self.missing_label) if self.missing_label else self.shown()


_FIELDS = (
    # a follow-up
    Field("channel", N_("Channel"), flag="--via", widget="picker"),
    Field("goal", N_("Goal"), flag="--goal"),
    Field("goal_met", N_("Goal met?"), english="goal met", hint="yes/no", flag="--met/--not-met", widget="picker"),
    Field("notes", N_("Notes"), flag="--notes"),
    Field("next_plan", N_("Next plan"), english="next plan", flag="--next-plan", widget="next-plan"),
    Field("next_at", N_("Next date"), english="next date", flag="--next", widget="next"),
    # a revisit (回访) completed by a follow-up (its satisfaction is with the tickets' below), a won deal's plan
    Field("nps", N_("Would recommend"), english="--nps", flag="--nps"),
    Field("revisit", N_("Revisit"), english="--revisit", flag="--revisit"),
    Field("revisit_plan", N_("Revisits"), english="--revisit", flag="--revisit", widget="revisits"),
    Field("revisit_ref", N_("Revisit"), english="revisit"),
    Field("revisit_to", N_("New day"), english="--to", flag="--to"),
    # a customer, lead or contact
    Field("name", N_("Name"), flag="--name"),
    Field("company", N_("Company"), flag="--company"),
    Field("phone", N_("Phone"), flag="--phone"),
    Field("email", N_("Email"), flag="--email"),
    Field("wechat", N_("WeChat"), flag="--wechat"),
    Field("source", N_("Source"), flag="--source"),
    Field("interest", N_("Interest"), flag="--interest"),
    Field("industry", N_("Industry"), flag="--industry"),
    Field("region", N_("Region"), flag="--region"),
    Field("tier", N_("Tier"), flag="--tier"),
    Field("owner", N_("Owner"), flag="--owner"),
    Field("status", N_("Status"), flag="--status"),
    Field("tag", N_("Tags"), flag="--tag"),
    Field("tags", N_("Tags"), flag="--tag"),
    Field("job_title", N_("Job title"), english="title", flag="--title", widget="title"),
    Field("decision_maker", N_("Decision maker"), english="decision maker", flag="--decision-maker"),
    Field("birthday", N_("Birthday"), flag="--birthday"),
    # after-sales care of a customer or a contract: a service visit every N months from a day, a warranty's end
    Field("service_months", N_("Service every (months)"), english="service months", flag="--service-months",
          widget="service-months"),
    Field("service_from", N_("Service from"), english="service from", flag="--service-from", widget="service-from"),
    Field("warranty_until", N_("Warranty until"), english="warranty until", flag="--warranty-until",
          widget="warranty-until"),
    # a person's consent and do-not-contact (a contact or a person customer)
    Field("consent_source", N_("Consent source"), english="consent", flag="--consent"),
    Field("consent_on", N_("Consent date"), english="consent date", flag="--consent-date"),
    Field("do_not_contact", N_("Do not contact"), english="do not contact", hint="yes/no",
          flag="--do-not-contact/--contact-ok"),
    Field("do_not_contact_reason", N_("Do-not-contact reason"), english="do-not-contact reason", flag="--dnc-reason"),
    # a deal and its gates
    Field("title", N_("Title"), flag="--title"),
    Field("amount", N_("Amount"), flag="--amount"),
    Field("quoted_amount", N_("Quoted amount"), english="amount", hint="the quoted amount", flag="--amount",
          widget="amount"),
    Field("quoted", N_("Quoted amount"), english="quoted amount", flag="--quoted"),
    Field("close", N_("Close date"), flag="--close"),
    Field("competitor", N_("Competitor"), flag="--competitor"),
    Field("probability", N_("Probability"), flag="--probability"),
    Field("stage", N_("Sales stage"), flag="--stage"),
    Field("contract_no", N_("Contract no."), english="contract-no", flag="--contract-no"),
    Field("signed_on", N_("Signed on"), english="signed", hint="the signed date", flag="--signed", widget="signed"),
    Field("end_on", N_("Ends on"), english="end", flag="--end", widget="end"),
    Field("payment", N_("Payment"), flag="--payment"),
    Field("payment_due", N_("Payment due date"), english="payment due date", flag="--payment", widget="payment"),
    Field("payment_amount", N_("Payment amount"), english="payment amount", flag="--payment", widget="payment"),
    Field("lost_reason", N_("Reason"), english="reason",
          hint="e.g. price, competitor, no budget, no decision, timing, no response, other",
          missing_label=N_("Reason (e.g. price, competitor, no budget, timing)"), flag="--reason", widget="reason"),
    Field("paid_on", N_("Paid on"), english="on", flag="--on"),
    # references and the rest
    Field("customer", N_("Customer")),
    Field("person", N_("Person")),
    Field("contact", N_("Contact")),
    Field("contract", N_("Contract")),
    Field("deal", N_("Deal")),
    Field("into", N_("Customer to join"), flag="--into"),
    # only `crm today`, `crm customers`... take it: English messages name the option the rep typed
    Field("rep", N_("Rep"), english="--rep", flag="--rep"),
    # any other reason (a release to the pool, a dropped revisit): its own words, as "Reason" is the lost deal's
    Field("reason", N_("The reason"), english="reason", flag="--reason"),
    Field("deal_title", N_("Deal title"), english="deal title", flag="--title"),
    Field("dismiss", N_("Rejected change"), english="--dismiss", flag="--dismiss"),
    Field("path", N_("Path")),
    Field("config", N_("Config")),
    Field("config_file", N_("Config file"), english="config file"),
    # `crm report` and the Reports screen
    Field("period", N_("Period"), flag="--period"),
    Field("report", N_("Report")),
    Field("records", N_("Records"), english="--records", flag="--records"),
    # a service request (工单) and `crm ticket`: English messages name the option the rep typed
    Field("ticket", N_("Ticket")),
    Field("ticket_kind", N_("Type"), english="--type", flag="--type"),
    Field("priority", N_("Priority"), english="--priority", flag="--priority"),
    Field("ticket_status", N_("Status"), english="--status", flag="--status"),
    Field("ticket_title", N_("Title"), english="title", flag="TITLE"),
    Field("ticket_note", N_("Note"), english="--note", flag="--note"),
    Field("resolution", N_("Resolution"), english="--resolution", flag="--resolution"),
    Field("satisfaction", N_("Satisfaction"), english="--satisfaction", flag="--satisfaction"),
    Field("due", N_("Promised for"), english="--due", flag="--due"),
)

FIELDS: dict[str, Field] = {field.key: field for field in _FIELDS}
"""Every registered field by its key."""


def get(field: str | Field) -> Field:
    """The field with this key (a key nobody registered: a field shown by its key, with no option or label)."""
    if isinstance(field, Field):
        return field
    return FIELDS.get(field) or Field(field)


def key(field: str | Field) -> str:
    """The key of a field given by key or object."""
    return field.key if isinstance(field, Field) else field


def label(field: str | Field) -> str:
    """A field's label in the chosen language."""
    return get(field).shown()
