"""Editing a customer's, a contact's or a deal's fields in place: pick a field, change its value, Enter saves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.form import SavesInWorker
from crmtui.core.errors import CrmError, DuplicateFound, InvalidInput, NotAllowed
from crmtui.core import i18n, labels
from crmtui.core.formatting import format_amount, format_birthday
from crmtui.core.fields import FIELDS
from crmtui.core.i18n import N_, _
from crmtui.services.customers import SERVER_OWNED_FIELDS, edit_contact, edit_customer, read_only_field, team_role
from crmtui.services.deals import DealFields, deal_fields, edit_deal_fields, shown_day
from crmtui.services.fields import split_tags
from crmtui.services.personal_data import PERSONAL_EDITABLE, edit_personal
from crmtui.services.views import ContactView, CustomerView
from crmtui.tui.widgets.cells import literal, row

LABELS_LEAST, LABELS_MOST = 12, 24
"""The narrowest and widest the labels' column is, in cells."""

if TYPE_CHECKING:
    from crmtui.tui.app import CrmApp


def field_labels() -> dict[str, str]:
    """Editable customer fields and their names in the current language."""
    names = ("name", "phone", "email", "wechat", "company", "region", "industry", "source", "interest", "tier", "owner",
             "status", "notes", "service_months", "service_from", "warranty_until")
    return {**{name: FIELDS[name].shown() for name in names}, "tags": FIELDS["tag"].shown(),  # the edit's name for tags
            "notes": labels.column("customer", "notes")}  # not a follow-up's notes (跟进内容 in Chinese)


class EditRecordScreen(CrmScreenMixin, SavesInWorker, ModalScreen[None]):
    """↑/↓ picks a field, Enter edits it, Enter again saves; Esc goes back a step. What a record shows, and how
    one field is saved, is its subclass's."""

    BINDINGS = [Binding("escape", "back", N_("Back"), id="back-edit")]

    def __init__(self) -> None:
        super().__init__()
        self.editing: str | None = None
        self.duplicate_allowed: tuple[str, str] | None = None
        """(field, value) the rep was told is another record's too: saved again unchanged, it is saved anyway."""
        self.saving_value: tuple[str, str] | None = None
        """(field, value) of the save under way."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(_("Edit") + " · " + self.record_name()), classes="title")
            yield OptionList(*self._options(), id="fields")
            # Named after the highlighted field, so the box says what it holds before and while it is edited.
            with Horizontal(classes="field-row", id="value-row"):
                yield Label(self._label_of(self._first_field()), classes="label", id="value-label")
                yield Input(id="value", disabled=True, compact=True, select_on_focus=False)
            yield Static(_("Enter edits the field · Enter saves · Esc back"), classes="hint")

    def record_name(self) -> str:
        raise NotImplementedError

    WHOLE_VALUES = frozenset({"amount", "close", "probability", "birthday", "decision_maker", "tier", "status",
                              "consent_on", "do_not_contact", "service_months", "service_from", "warranty_until"})
    """Fields read as one value (a day, an amount, a percentage, yes/no, a grade): the value starts selected, so
    what is typed replaces it. Any other field is text: the cursor starts at its end, so a long value is
    corrected, not retyped."""

    def _first_field(self) -> str:
        return next(iter(self.labels()), "")

    def _label_of(self, name: str) -> str:
        return self.labels().get(name, "")

    def labels(self) -> dict[str, str]:
        """The editable fields and their names in the current language."""
        raise NotImplementedError

    def _value(self, name: str) -> str:
        """The value as the input starts with it."""
        raise NotImplementedError

    def _shown(self, name: str) -> str:
        """The value as the list shows it."""
        return self._value(name)

    def store(self, name: str, value: str, force: bool = False) -> None:
        """Saves one field through the service and keeps the record it returns; runs in the save's worker
        (raises CrmError when refused). `force` saves a value another record has too."""
        raise NotImplementedError

    def refusal(self, name: str) -> CrmError | None:
        """Why this field cannot be edited here, or None."""
        return None

    def _options(self) -> list[Option]:
        # The labels' column is as wide as the widest label (in cells), from 12 up to 24: a label is read whole
        # ("Service every (months)"), a long one is cut rather than leave the value no room.
        names = self.labels()
        width = min(LABELS_MOST, max([LABELS_LEAST, *(cell_len(label) for label in names.values())]))
        return [Option(row((label, width, "dim"), (self._shown(name), 0)), id=name) for name, label in names.items()]

    @on(OptionList.OptionHighlighted, "#fields")
    def name_the_value(self, event: OptionList.OptionHighlighted) -> None:
        if self.editing is None:
            self.query_one("#value-label", Label).update(self._label_of(event.option.id or ""))

    @on(Input.Changed, "#value")
    def unmark(self) -> None:
        self.query_one("#value", Input).remove_class("missing")

    @on(OptionList.OptionSelected, "#fields")
    def start_edit(self, event: OptionList.OptionSelected) -> None:
        refused = self.refusal(event.option.id or "")
        if refused is not None:
            self.notify(refused.message(), severity="warning")
            return  # the field stays as it is; the list keeps the focus
        self.editing = event.option.id
        value = self.query_one("#value", Input)
        value.disabled = False
        value.value = self._value(self.editing or "")
        if self.editing in self.WHOLE_VALUES:
            value.select_all()
        else:
            value.cursor_position = len(value.value)
        value.remove_class("missing")
        self.query_one("#value-label", Label).update(self._label_of(self.editing or ""))
        value.focus()

    @on(Input.Submitted, "#value")
    def save(self, event: Input.Submitted) -> None:
        name = self.editing
        if name is None or not self.start_saving():
            return
        value = event.value
        force = self.duplicate_allowed == (name, value)
        self.duplicate_allowed = None
        self.saving_value = (name, value)

        def write() -> str:
            self.store(name, value, force)
            return name

        self.save_in_worker(write)

    def saved(self, result: object) -> None:
        """The field is saved: the list shows it, the form is ready for the next field."""
        self.saving = False
        field = str(result)
        self.notify(_("Saved {field}").format(field=self.labels()[field]))
        self.crm.refresh_data()
        listing = self.query_one("#fields", OptionList)
        index = listing.highlighted
        listing.set_options(self._options())
        listing.highlighted = index
        if self.editing == field:
            self.query_one("#value", Input).disabled = True
            self.editing = None
            listing.focus()

    def refused(self, error: CrmError) -> None:
        """The service's refusal is said and the value box marked; what was typed stays, to be corrected. A value
        another record has too is worded for the app: Enter again saves it anyway."""
        self.query_one("#value", Input).add_class("missing")
        if isinstance(error, DuplicateFound):
            self.duplicate_allowed = self.saving_value
            self.notify(_('{kind} "{name}" has the same {field}: Enter again saves it anyway, or Esc and merge '
                          "the two (m on the customer screen)").format(
                kind=labels.kind(error.kind).capitalize(), name=error.existing_name,
                field=FIELDS[error.reason].shown() if error.reason in FIELDS else error.reason), severity="warning")
            return
        self.notify(error.message(), severity="error")

    def action_back(self) -> None:
        if self.editing is not None:
            self.editing = None
            self.query_one("#value", Input).disabled = True
            self.query_one("#fields", OptionList).focus()
            return
        self.dismiss(None)


class EditCustomerScreen(EditRecordScreen):
    """A customer's fields; in a team, the owner is the server's."""

    def __init__(self, customer: CustomerView, tags: list[str] | None = None) -> None:
        self.customer = customer
        self.tags = tags or []
        super().__init__()

    def record_name(self) -> str:
        return self.customer.name

    def labels(self) -> dict[str, str]:
        # consent and do-not-contact are a person's: a company keeps them on its contacts
        return field_labels() | (personal_field_labels() if self.customer.kind == "person" else {})

    def _value(self, name: str) -> str:
        if name == "tags":
            return ", ".join(self.tags)
        if name in PERSONAL_EDITABLE:
            return personal_value(self.customer, name)
        return str(getattr(self.customer, name) or "")

    def _shown(self, name: str) -> str:
        """The status in words."""
        if name in PERSONAL_EDITABLE:
            return personal_shown(self.customer, name)
        return labels.status(self._value(name)) if name == "status" else self._value(name)

    def store(self, name: str, value: str, force: bool = False) -> None:
        if name in PERSONAL_EDITABLE:
            self.customer = edit_personal(self.crm.ctx, "customer", self.customer.id, {name: value})  # type: ignore[assignment]
        elif name == "tags":
            tags = split_tags(value)
            self.customer = edit_customer(self.crm.ctx, self.customer.id, {name: tags})
            self.tags = tags
        else:
            self.customer = edit_customer(self.crm.ctx, self.customer.id, {name: value}, force=force)

    def refusal(self, name: str) -> CrmError | None:
        """Why this field cannot be edited here (in a team, the owner is the server's), or None."""
        ctx = self.crm.ctx
        refused = read_only_field(ctx, name)
        if refused is None or name not in SERVER_OWNED_FIELDS:
            return refused
        # The service's words point to the shell; in the app the way to change the owner is a key.
        keys = dict(ctx.settings.keys or {})
        if team_role(ctx) == "manager":
            return InvalidInput(name, "set by the team server: press {reassign} on the customer's"
                                " screen to reassign it", reassign=keys.get("reassign", "R"))
        return InvalidInput(name, "set by the team server: claim customers from the pool ({pool}),"
                            " give this one back with {release} on its screen, or ask a manager to reassign it",
                            pool=keys.get("pool", "o"), release=keys.get("release", "P"))


def contact_field_labels() -> dict[str, str]:
    """Editable contact fields and their names in the current language."""
    # By the edit's change names: a contact's title is its job title.
    names = {"name": "name", "title": "job_title", "phone": "phone", "email": "email", "wechat": "wechat",
             "decision_maker": "decision_maker", "birthday": "birthday"}
    return {name: FIELDS[key].shown() for name, key in names.items()}


class EditContactScreen(EditRecordScreen):
    """The same in-place editing, for one contact of a customer (decision maker: y or n)."""

    def __init__(self, contact: ContactView) -> None:
        self.contact = contact
        super().__init__()

    def record_name(self) -> str:
        return self.contact.name

    def labels(self) -> dict[str, str]:
        return contact_field_labels() | personal_field_labels()

    def _value(self, name: str) -> str:
        if name in PERSONAL_EDITABLE:
            return personal_value(self.contact, name)
        value = getattr(self.contact, name)
        if name == "decision_maker":
            return "y" if value else "n"
        if name == "birthday":
            return format_birthday(value, i18n.language)  # never the stored year of a day without one (1604)
        return "" if value is None else str(value)

    def _shown(self, name: str) -> str:
        if name == "decision_maker":
            return _("Yes") if self.contact.decision_maker else _("No")
        if name in PERSONAL_EDITABLE:
            return personal_shown(self.contact, name)
        return self._value(name)

    def store(self, name: str, value: str, force: bool = False) -> None:
        if name in PERSONAL_EDITABLE:
            self.contact = edit_personal(self.crm.ctx, "contact", self.contact.id, {name: value})  # type: ignore[assignment]
            return
        self.contact = edit_contact(self.crm.ctx, self.contact.id, {name: value}, force=force)


def personal_field_labels() -> dict[str, str]:
    """A person's consent and do-not-contact fields and their names in the current language."""
    return {name: FIELDS[name].shown() for name in PERSONAL_EDITABLE}


def personal_value(record: CustomerView | ContactView, name: str) -> str:
    """A consent or do-not-contact field as its input starts (y or n for the flag, a day as ISO)."""
    value = getattr(record, name)
    if name == "do_not_contact":
        return "y" if value else "n"
    if name == "consent_on":
        return value.isoformat() if value else ""
    return "" if value is None else str(value)


def personal_shown(record: CustomerView | ContactView, name: str) -> str:
    """A consent or do-not-contact field as the list shows it: the flag as Yes (since the day it was asked) or No."""
    if name == "do_not_contact":
        if not record.do_not_contact:
            return _("No")
        return _("Yes") + (" · " + _("since {day}").format(day=record.do_not_contact_on.isoformat())
                           if record.do_not_contact_on else "")
    return personal_value(record, name)


def deal_field_labels() -> dict[str, str]:
    """A deal's editable fields and their names in the current language (its stage moves with `s`)."""
    return {name: FIELDS[name].shown() for name in ("title", "amount", "close", "competitor", "probability")}


class EditDealScreen(EditRecordScreen):
    """The same in-place editing, for one deal: the values are read and checked as `crm edit` reads them."""

    def __init__(self, deal: DealFields) -> None:
        self.deal = deal
        super().__init__()

    def record_name(self) -> str:
        return self.deal.title

    def labels(self) -> dict[str, str]:
        return deal_field_labels()

    def _value(self, name: str) -> str:
        deal = self.deal
        if name == "amount":
            return format_amount(deal.amount_cents)
        if name == "close":
            return deal.expected_close.isoformat() if deal.expected_close else ""  # read back as the same day
        if name == "probability":
            return str(deal.probability)
        return str(getattr(deal, name) or "")

    def _shown(self, name: str) -> str:
        if name == "close" and self.deal.expected_close:
            return shown_day(self.deal.expected_close, self.crm.ctx.clock.today())
        if name == "probability":
            return f"{self.deal.probability}%"
        return self._value(name)

    def refusal(self, name: str) -> CrmError | None:
        """A won deal's amount is its contract's: said before anything is typed."""
        if name == "amount" and self.deal.stage == "won":
            return NotAllowed("a won deal's amount is its contract's; it cannot be changed here")
        return None

    def store(self, name: str, value: str, force: bool = False) -> None:
        self.deal = edit_deal_fields(self.crm.ctx, self.deal.id, {name: value})  # a deal has no duplicate check


def edit_deal(app: CrmApp, deal_id: str) -> None:
    """Opens the edit dialog on the deal as it is now (a deal deleted meanwhile is said, not opened)."""
    try:
        deal = deal_fields(app.ctx, deal_id)
    except CrmError as error:
        app.notify(error.message(), severity="warning")
        return
    app.push_screen(EditDealScreen(deal))
