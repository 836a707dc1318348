"""Converting a lead: the dialog proposes the first follow-up (tomorrow 10:00, editable) and says when the lead
joins an existing customer (its company is one) before converting."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from crmtui.errors import CrmError
from crmtui.i18n import N_, _
from crmtui.screens.base import CrmScreenMixin
from crmtui.widgets.cells import literal
from crmtui.widgets.date_preview import show_next_date


class ConvertForm(CrmScreenMixin, ModalScreen[object]):
    """Converts the lead with the next follow-up typed here; an empty date converts without one
    (the customer then stays among the new leads to call on Today until someone calls)."""

    DEFAULT_CSS = """
    ConvertForm #convert-joins {
        padding: 0 1;
        margin-bottom: 1;
        text-style: bold;
    }
    ConvertForm #convert-joins.error {
        color: $error;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Convert"), id="save-convert", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-convert"),
    ]

    def __init__(self, lead_id: str, lead_name: str) -> None:
        super().__init__()
        self.lead_id = lead_id
        self.lead_name = lead_name

    def compose(self) -> ComposeResult:
        from crmtui.services.convert import proposed_next_follow_up

        proposed = proposed_next_follow_up(self.app.ctx)  # type: ignore[attr-defined]
        with Vertical(classes="dialog"):
            yield Static(literal(_("Convert {name} into a customer, a contact and a deal").format(name=self.lead_name)),
                         classes="title")
            joins, refused = self._joins()
            if joins:
                yield Static(literal(joins), id="convert-joins", classes="error" if refused else "")
            yield Horizontal(Label(_("Next date"), classes="label"),
                             Input(proposed.strftime("%Y-%m-%d %H:%M"), placeholder=_('e.g. fri 3pm, 明天下午3点'),
                                   id="convert-next", compact=True),
                             classes="field-row")
            yield Label("", id="convert-preview")
            yield Static(_("Enter converts · empty date: stays on Today as a new lead · Esc cancels"),
                         classes="hint")

    def _joins(self) -> tuple[str, bool]:
        """Said before converting: the lead joins the existing customer its company names, or (True) why it cannot
        pick one."""
        from crmtui.services.convert import SeveralCustomersNamed, conversion_target

        try:
            target = conversion_target(self.app.ctx, self.lead_id)  # type: ignore[attr-defined]
        except SeveralCustomersNamed as exc:
            return exc.message(), True
        if target is None:
            return "", False
        return _("{customer} is already a customer: {name} joins it as a contact, with the new deal").format(
            customer=target.name, name=self.lead_name), False

    def on_mount(self) -> None:
        self.query_one("#convert-next", Input).focus()

    @on(Input.Changed, "#convert-next")
    def preview_date(self, event: Input.Changed) -> None:
        """Shows what the date was read as, or why it was not understood."""
        show_next_date(self.query_one("#convert-preview", Label), event.value, self.app.ctx,  # type: ignore[attr-defined]
                       empty=_("no next date: it stays among the new leads to call"))

    @on(Input.Submitted, "#convert-next")
    def submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        from crmtui.services.convert import convert_lead

        field = self.query_one("#convert-next", Input)
        try:
            converted = convert_lead(self.app.ctx, self.lead_id, next_at=field.value)  # type: ignore[attr-defined]
        except CrmError as exc:
            field.add_class("missing")
            self.notify(exc.message(), severity="error")
            return
        self.dismiss(converted)

    def action_cancel(self) -> None:
        self.dismiss(None)
