"""Converting a lead: the dialog proposes the first follow-up (tomorrow 10:00, editable) and says when the lead
joins an existing customer (its company is one) before converting. When the company names several customers,
it lists them with "a new company", and the rep picks one before anything is converted."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.core.errors import CrmError, Match
from crmtui.core.i18n import N_, _
from crmtui.services.convert import SeveralCustomersNamed, conversion_target, convert_lead, proposed_next_follow_up
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.form import SavesInWorker
from crmtui.tui.widgets.cells import literal
from crmtui.tui.widgets.date_preview import show_next_date

NEW_COMPANY = "new-company"
"""The option id of "a new company" in the list of customers the lead could join."""


class ConvertForm(CrmScreenMixin, SavesInWorker, ModalScreen[object]):
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
    ConvertForm #convert-choices {
        height: auto;
        max-height: 8;
        margin-bottom: 1;
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
        self.company = ""
        self.choices: list[Match] = []
        """The customers the lead's company names, when there are several: the rep picks one (or a new company)."""
        self.chosen: str | None = None
        """The picked option: a customer's id or NEW_COMPANY; None until the rep picks."""

    def compose(self) -> ComposeResult:
        proposed = proposed_next_follow_up(self.crm.ctx)
        with Vertical(classes="dialog"):
            yield Static(literal(_("Convert {name} into a customer, a contact and a deal").format(name=self.lead_name)),
                         classes="title")
            joins = self._joins()
            if joins:
                yield Static(literal(joins), id="convert-joins", classes="error" if self.choices else "")
            if self.choices:
                yield OptionList(*[Option(literal(f"{match.label}  {match.id[:8]}"), id=match.id) for match in self.choices],
                                 Option(literal(_("a new company: {company}").format(company=self.company)), id=NEW_COMPANY),
                                 id="convert-choices")
            yield Horizontal(Label(_("Next date"), classes="label"),
                             Input(proposed.strftime("%Y-%m-%d %H:%M"), placeholder=_('e.g. fri 3pm, 明天下午3点'),
                                   id="convert-next", compact=True),
                             classes="field-row")
            yield Label("", id="convert-preview")
            hint = _("Enter converts · empty date: stays on Today as a new lead · Esc cancels")
            if self.choices:
                hint = _("↑↓ Enter: the customer it joins") + " · " + hint
            yield Static(hint, classes="hint")

    def _joins(self) -> str:
        """Said before converting: the lead joins the existing customer its company names, or the customers to pick
        from when it names several (kept in self.choices)."""
        try:
            target = conversion_target(self.crm.ctx, self.lead_id)
        except SeveralCustomersNamed as exc:
            self.company, self.choices = exc.ref, list(exc.matches)
            return _('{count} customers are named "{company}": choose the one {name} joins, or a new company').format(
                count=len(exc.matches), company=exc.ref, name=self.lead_name)
        if target is None:
            return ""
        return _("{customer} is already a customer: {name} joins it as a contact, with the new deal").format(
            customer=target.name, name=self.lead_name)

    def on_mount(self) -> None:
        # With several customers to pick from, the pick comes first: nothing can be converted before it, and no
        # customer is highlighted for the rep (OptionList highlights its first), so a reflex Enter picks nothing.
        if self.choices:
            listing = self.query_one("#convert-choices", OptionList)
            listing.highlighted = None
            listing.focus()
        else:
            self.query_one("#convert-next", Input).focus()

    @on(OptionList.OptionSelected, "#convert-choices")
    def picked(self, event: OptionList.OptionSelected) -> None:
        """Enter on a customer (or on "a new company"): says what converting will do, then on to the date."""
        self.chosen = event.option.id
        said = self.query_one("#convert-joins", Static)
        if self.chosen == NEW_COMPANY:
            text = _("{name} becomes a new customer {company}, apart from the others of that name").format(
                name=self.lead_name, company=self.company)
        else:
            label = next(match.label for match in self.choices if match.id == self.chosen)
            text = _("{name} joins {customer} as a contact, with the new deal").format(name=self.lead_name, customer=label)
        said.update(literal(text))
        said.remove_class("error")
        self.query_one("#convert-next", Input).focus()

    @on(Input.Changed, "#convert-next")
    def preview_date(self, event: Input.Changed) -> None:
        """Shows what the date was read as, or why it was not understood."""
        show_next_date(self.query_one("#convert-preview", Label), event.value, self.crm.ctx,
                       empty=_("no next date: it stays among the new leads to call"))

    @on(Input.Submitted, "#convert-next")
    def submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.choices and self.chosen is None:
            self.notify(_("Choose the customer {name} joins, or a new company").format(name=self.lead_name),
                        severity="error")
            self.query_one("#convert-choices", OptionList).focus()
            return
        if not self.start_saving():
            return
        into_id = self.chosen if self.chosen not in (None, NEW_COMPANY) else None
        next_at, new_company = self.query_one("#convert-next", Input).value, self.chosen == NEW_COMPANY
        self.save_in_worker(lambda: convert_lead(self.crm.ctx, self.lead_id, next_at=next_at, into_id=into_id,
                                                 new_company=new_company))

    def saved(self, result: object) -> None:
        self.dismiss(result)

    def refused(self, error: CrmError) -> None:
        """The date is marked and the reason said; what was typed stays."""
        self.query_one("#convert-next", Input).add_class("missing")
        self.notify(error.message(), severity="error")

    def action_cancel(self) -> None:
        self.dismiss(None)
