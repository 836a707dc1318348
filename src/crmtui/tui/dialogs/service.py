"""A contract's own service cycle and warranty end, set from the customer screen: every N months from a day (by
default the signing day), and the day the warranty ends, through the service `crm contract edit` uses
(services.customers.edit_contract_service); each day typed is read back under its field."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from crmtui.core import i18n
from crmtui.core.dates import format_when
from crmtui.core.errors import CrmError, InvalidInput
from crmtui.core.fields import FIELDS, label
from crmtui.core.i18n import N_, _
from crmtui.services.customers import edit_contract_service
from crmtui.services.views import ContractView
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.form import SavesInWorker
from crmtui.tui.dialogs.stage import field_row, label_widths
from crmtui.tui.widgets.cells import literal
from crmtui.tui.widgets.date_preview import show_day

CARE_FIELDS = ("service_months", "service_from", "warranty_until")
"""The form's fields, as the service names them (their inputs carry core/fields.py's widget ids)."""


def _typed(value: int | date | None) -> str:
    """A saved value as the form shows it for editing ("" for none)."""
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


class ContractServiceForm(CrmScreenMixin, SavesInWorker, ModalScreen[object]):
    """The service cycle and warranty of one contract, filled with what it has; only what the rep changed is
    saved (an emptied field clears it). Returns the contract's care as saved, or None when closed."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save-service", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-service"),
    ]

    def __init__(self, contract: ContractView, customer_name: str) -> None:
        super().__init__()
        self.contract = contract
        self.customer_name = customer_name
        self.started_with = {name: _typed(getattr(contract, name)) for name in CARE_FIELDS}
        """What each field held as the form opened: only a change is saved, and Esc asks only after one."""

    def compose(self) -> ComposeResult:
        heading = _("Service and warranty of contract {number}").format(number=self.contract.number)
        signed = format_when(self.contract.signed_on, False, i18n.language, self.crm.ctx.clock.today())
        with Vertical(classes="dialog", id="contract-service"):
            yield Static(literal(f"{heading} · {self.customer_name}"), classes="title")
            yield field_row(label("service_months"), Input(
                self.started_with["service_months"], placeholder=_("e.g. 6 (empty: no cycle)"),
                id=FIELDS["service_months"].widget_id, compact=True))
            yield field_row(label("service_from"), Input(
                self.started_with["service_from"], placeholder=_("empty: the signing day, {day}").format(day=signed),
                id=FIELDS["service_from"].widget_id, compact=True))
            yield Label("", id="service-from-preview", classes="preview")
            yield field_row(label("warranty_until"), Input(
                self.started_with["warranty_until"], placeholder=_("e.g. 2027-12-31 (empty: none)"),
                id=FIELDS["warranty_until"].widget_id, compact=True))
            yield Label("", id="warranty-until-preview", classes="preview")
            yield Static(_("Enter on the last field or Ctrl+S saves · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        label_widths(self)
        self.query_one(f"#{FIELDS['service_months'].widget_id}", Input).focus()
        for name in ("service_from", "warranty_until"):
            self._preview(name, self.started_with[name])

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{FIELDS[name].widget_id}", Input)

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        for name in ("service_from", "warranty_until"):
            if event.input is self._input(name):
                self._preview(name, event.value)

    def _preview(self, name: str, text: str) -> None:
        """The day a date field's text was read as, or why it was not understood."""
        show_day(self.query_one(f"#{FIELDS[name].widget_id}-preview", Label), name, text, self.crm.ctx,
                 past=name == "service_from")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if event.input is self._input("warranty_until"):
            self.action_save()
        else:
            self.focus_next()

    def changes(self) -> dict[str, object]:
        """The fields the rep changed, as typed ("" clears one)."""
        typed = {name: self._input(name).value.strip() for name in CARE_FIELDS}
        return {name: value for name, value in typed.items() if value != self.started_with[name]}

    def action_save(self) -> None:
        changes = self.changes()
        if not changes:
            self.dismiss(None)
            return
        if not self.start_saving():
            return
        for name in CARE_FIELDS:
            self._input(name).remove_class("missing")
        ctx, ref = self.crm.ctx, self.contract.id
        self.save_in_worker(lambda: edit_contract_service(ctx, ref, changes))

    def saved(self, result: object) -> None:
        self.dismiss(result)

    def refused(self, error: CrmError) -> None:
        """The field the service named is marked; what was typed stays."""
        if isinstance(error, InvalidInput) and error.field in CARE_FIELDS:
            field = self._input(error.field)
            field.add_class("missing")
            field.focus()
        self.notify(error.labelled(), severity="error")

    def action_cancel(self) -> None:
        """Esc: closes at once when nothing was changed, else after a yes."""
        if not self.changes():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(_("Discard these changes? The contract stays as it was.")), answered)
