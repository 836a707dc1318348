"""`n`: a new lead, customer, contact or deal; duplicates are flagged while the name, phone or email is typed."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.form import FormMixin, SavesInWorker
from crmtui.core.errors import CrmError, DuplicateFound, InvalidInput, ServerRefused, TeamDuplicate
from crmtui.core import labels
from crmtui.core.fields import get as field_of
from crmtui.core.i18n import N_, _
from crmtui.services.lookup import resolve_customer
from crmtui.tui.widgets.cells import literal


def kinds() -> dict[str, str]:
    """The kinds of record, by their key on the chooser."""
    return {"l": "lead", "c": "customer", "t": "contact", "d": "deal"}


def kind_label(kind: str) -> str:
    return {"lead": _("Lead"), "customer": _("Customer"), "contact": _("Contact"), "deal": _("Deal")}[kind]


FIELDS = {
    "lead": ("name", "company", "phone", "email", "wechat", "region", "source", "interest", "tag"),
    "customer": ("name", "phone", "email", "wechat", "region", "industry", "source"),
    "contact": ("customer", "name", "title", "phone", "email", "wechat", "decision_maker", "birthday"),
    "deal": ("customer", "title", "amount", "close"),
}


FIELD_KEYS = {("contact", "title"): "job_title"}
"""An input of a form whose field is registered under another key (core/fields.py): a contact's title is its job
title, not a deal's."""


PLACEHOLDERS = {"tag": N_("comma-separated, e.g. VIP, 华东"), "decision_maker": N_("y / n")}
"""What a field expects, in the empty input, where its form does not say it otherwise."""

LABEL_WIDTH = 12
"""The cells the form's labels have (app.tcss); a form with a longer label widens them all ("wide-labels")."""


def field_label(kind: str, name: str) -> str:
    """A field of the form by its label (core/fields.py)."""
    return field_of(FIELD_KEYS.get((kind, name), name)).shown()


def field_input(name: str) -> Input:
    """The input of one field of the form, with what it expects when that is not obvious."""
    hint = PLACEHOLDERS.get(name)
    return Input(id=f"f-{name}", compact=True, placeholder=_(hint) if hint else "")


def team_duplicate_warning(exc: CrmError) -> str | None:
    """The form's line for a duplicate on the team server, or for the team check being used up; None for any
    other refusal."""
    if isinstance(exc, TeamDuplicate):
        reason = labels.field(exc.reason)
        if exc.holder == "pool":
            text = _("⚠ a customer with the same {reason} is in the team's pool (o opens the pool)").format(reason=reason)
        elif exc.owner:
            text = _("⚠ a customer with the same {reason} is held by {owner} on the team server").format(
                reason=reason, owner=exc.owner)
        else:
            text = _("⚠ a customer with the same {reason} is held by a colleague on the team server").format(reason=reason)
    elif isinstance(exc, ServerRefused) and exc.key == "duplicate_check_limit":
        text = "⚠ " + exc.message()
    else:
        return None
    return text + " — " + _("Ctrl+S adds anyway")


class NewRecordScreen(CrmScreenMixin, FormMixin, SavesInWorker, ModalScreen[None]):
    """First l/c/t/d picks the kind (unless given), then the form; Ctrl+S saves, Ctrl+O opens a duplicate."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save-new", priority=True),
        Binding("ctrl+o", "open_existing", N_("Open the existing record"), id="open-existing", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-new"),
    ]

    def __init__(self, kind: str | None = None, customer_id: str | None = None, suggested: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.customer_id = customer_id
        self.suggested = suggested
        """The customer under the cursor where `n` was pressed: the contact/deal forms start with it."""
        self.duplicate: DuplicateFound | None = None
        self.team_warned = False
        """The team server's duplicate check was shown for the values as they are: the next Ctrl+S adds anyway."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="new-dialog"):
            yield Static(_("New"), classes="title", id="new-title")
            yield Static(_("l lead · c customer · t contact · d deal"), id="chooser")
            yield Vertical(id="new-fields")
            yield Static("", id="duplicate", classes="hint")
            yield Static(_("Ctrl+S saves · Ctrl+O opens the existing record · Esc cancels"), classes="hint")

    async def on_mount(self) -> None:
        if self.kind:
            await self.show_form(self.kind)
        else:
            self.query_one("#chooser").can_focus = True
            self.query_one("#chooser").focus()

    async def on_key(self, event: events.Key) -> None:
        if self.kind is None and event.character in kinds():
            event.stop()
            await self.show_form(kinds()[event.character])

    async def show_form(self, kind: str) -> None:
        """Builds the inputs of this kind."""
        self.kind = kind
        self.query_one("#chooser").display = False
        self.query_one("#new-title", Static).update(_("New") + " · " + kind_label(kind))
        box = self.query_one("#new-fields", Vertical)
        names = [name for name in FIELDS[kind] if not (name == "customer" and self.customer_id)]
        box.set_class(max(cell_len(field_label(kind, name)) for name in names) >= LABEL_WIDTH, "wide-labels")
        await box.mount_all(
            Horizontal(Label(field_label(kind, name), classes="label"), field_input(name), classes="field-row")
            for name in names
        )
        for field in self.query("#f-customer"):
            if isinstance(field, Input) and self.suggested:
                field.value = self.suggested
        self.query(Input).first().focus()

    def values(self) -> dict[str, str]:
        return {field.id.removeprefix("f-"): field.value for field in self.query(Input) if field.id}

    @on(Input.Changed)
    def check_duplicate(self, event: Input.Changed) -> None:
        if self.kind in ("lead", "customer", "contact") and event.input.id in ("f-name", "f-phone", "f-email"):
            self.team_warned = False  # the server's answer was about the values before this change
            values = self.values()
            self.look_for_duplicate(values.get("name") if self.kind != "contact" else None, values.get("phone"),
                                    values.get("email"))

    @work(thread=True, exclusive=True, group="duplicate", exit_on_error=False)
    def look_for_duplicate(self, name: str | None, phone: str | None, email: str | None) -> None:
        # Here and in add: services.customers and services.deals load SQLModel and SQLAlchemy (about 230
        # modules, 1.7-2.1 s measured on the loaded test machine), which Today does not need; `n` opens the form
        # at once and the first worker pays for them, off the event loop.
        from crmtui.services.customers import duplicate_of  # deferred: see above

        try:
            found = duplicate_of(self.crm.ctx, name=name, phone=phone, email=email)
        except InvalidInput:
            found = None
        self.app.call_from_thread(self.show_duplicate, found)

    def show_duplicate(self, found: DuplicateFound | None) -> None:
        self.duplicate = found
        warning = self.query_one("#duplicate", Static)
        if found is None:
            if not self.team_warned:  # the team server's warning about these same values stays
                warning.update("")
            return
        warning.update(literal(_('⚠ same {reason} as "{name}" — Ctrl+O opens it, Ctrl+S adds anyway').format(
            reason=labels.field(found.reason), name=found.existing_name)))

    @on(Input.Submitted)
    def next_or_save(self, event: Input.Submitted) -> None:
        self.advance_or_save(event.input)

    def action_save(self) -> None:
        """Adds through the services, in a worker (in a team the server is asked about duplicates first); a
        duplicate already shown to the rep, here or on the team server, is added on purpose."""
        kind = self.kind
        if kind is None or not self.start_saving():
            return
        values = {k: (v.strip() or None) for k, v in self.values().items()}
        force = self.duplicate is not None or self.team_warned
        self.save_in_worker(lambda: self.add(kind, values, force))

    def add(self, kind: str, values: dict[str, str | None], force: bool) -> str:
        """Adds the record through the services, in the save's worker; its name (a deal's title)."""
        from crmtui.services import customers, deals  # deferred: see look_for_duplicate
        from crmtui.services.fields import split_tags, yes_no  # deferred: 3-20 ms; loaded with the two above anyway

        ctx = self.crm.ctx
        customer_id = self.customer_id
        if kind in ("contact", "deal") and customer_id is None:
            customer_id = resolve_customer(ctx, values.pop("customer") or "").id
        values.pop("customer", None)
        if kind == "lead":
            tags = split_tags(values.pop("tag", None))
            return customers.add_lead(ctx, values.pop("name") or "", force=force, tags=tags, **values).name
        if kind == "customer":
            return customers.add_customer(ctx, values.pop("name") or "", force=force, **values).name
        if kind == "contact":
            decision_maker = yes_no("decision_maker", values.pop("decision_maker", None))
            return customers.add_contact(ctx, customer_id or "", values.pop("name") or "", force=force,
                                         decision_maker=decision_maker, **values).name
        return deals.add_deal(ctx, customer_id or "", values.pop("title") or "", **values).title

    def saved(self, result: object) -> None:
        self.notify(_("Added {what} {name}").format(what=kind_label(self.kind or ""), name=result))
        self.crm.refresh_data()
        self.dismiss(None)

    def refused(self, error: CrmError) -> None:
        """A team duplicate (or a used-up team check) is a warning that the next Ctrl+S overrides; anything else
        marks its field and says what is expected."""
        warning = team_duplicate_warning(error)
        if warning is not None:
            self.team_warned = True
            self.query_one("#duplicate", Static).update(literal(warning))
            return
        field = getattr(error, "field", None)
        if field:
            # the error names the field's key; its input may be another (a contact's job title is its title)
            for widget in self.query(f"#f-{field_of(field).widget_id}"):
                widget.add_class("missing")
                widget.focus()
        self.notify(error.message(), severity="error")

    def action_open_existing(self) -> None:
        if self.duplicate is not None:
            existing = self.duplicate.existing_id
            self.dismiss(None)
            self.crm.open_customer(existing)

    def action_cancel(self) -> None:
        typed = any(v.strip() for v in self.values().values())
        self.close_asking(typed, _("Discard this new record? What you typed will be lost."), None)
