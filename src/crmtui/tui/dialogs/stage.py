"""Moving a deal: a stage picker, the gate modals 完成条件 (quoted amount, contract with its instalments, lost
reason), the confirmations a move may need (a short schedule, leaving Won), and the paid date of an instalment."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin, FormMixin
from crmtui.core.labels import stage_name
from crmtui.core.errors import CrmError, InvalidInput, MissingFields
from crmtui.core.fields import get as field_of
from crmtui.core.i18n import N_, _
from crmtui.services.deals import LOST_REASONS, NeedsConfirmation
from crmtui.tui.widgets.cells import literal

GATED = ("quote", "won", "lost")


class StagePicker(CrmScreenMixin, ModalScreen[str | None]):
    """Pick the stage to move a deal to."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel-stage")]

    def __init__(self, title: str, current: str | None = None) -> None:
        super().__init__()
        self.deal_title = title
        self.current = current

    def compose(self) -> ComposeResult:
        stages = self.app.ctx.settings.stages  # type: ignore[attr-defined]
        with Vertical(classes="dialog"):
            yield Static(literal(_("Move {title} to").format(title=self.deal_title)), classes="title")
            options = []
            for number, stage in enumerate(stages, start=1):
                mark = "  ← " + _("now") if stage.key == self.current else ""
                options.append(Option(Text(f"{number}  {stage_name(stage)}  {stage.probability}%{mark}"), id=stage.key))
            yield OptionList(*options, id="stages")

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        stages = self.app.ctx.settings.stages  # type: ignore[attr-defined]
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(stages):
            event.stop()
            self.dismiss(stages[int(event.character) - 1].key)

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class GateForm(CrmScreenMixin, FormMixin, ModalScreen[bool]):
    """The fields a gated stage asks for; the move happens only when they are filled and valid."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save-gate", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-gate"),
    ]

    def __init__(self, deal_id: str, title: str, stage: str, reopen: bool = False) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.deal_title = title
        self.stage = stage
        self.confirmed: dict[str, bool] = {"reopen": reopen}

    def fields(self) -> list[tuple[str, str, str]]:
        """(id, label, placeholder) of the inputs this gate needs."""
        if self.stage == "quote":
            return [("amount", _("Quoted amount"), "120000, 12万, 50k")]
        if self.stage == "won":
            return [("contract_no", _("Contract no."), "HT-2026-001"), ("amount", _("Amount"), "120000, 12万"),
                    ("signed", _("Signed on"), _("today, 2026-11-20")), ("end", _("Ends on"), _("optional; default a year")),
                    ("payment", _("Instalments"), "60000@2026-12-31, 6万@2027-03-31")]
        return [("reason", _("Reason"), ", ".join(LOST_REASONS))]

    def compose(self) -> ComposeResult:
        stage = self.app.ctx.settings.stage(self.stage)  # type: ignore[attr-defined]
        with Vertical(classes="dialog"):
            yield Static(literal(_("{title} → {stage}").format(title=self.deal_title, stage=stage_name(stage))),
                         classes="title")
            for field_id, label, placeholder in self.fields():
                yield Horizontal(Label(label, classes="label"), Input(placeholder=placeholder, id=field_id, compact=True),
                                 classes="field-row")
            if self.stage == "won":
                yield Static("", id="schedule")
            yield Static(_("Enter on the last field or Ctrl+S moves the deal · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        if self.stage == "won":
            self.show_schedule()

    @on(Input.Changed)
    def show_schedule(self) -> None:
        """Under the Won form: the instalments as read so far, and what completes them."""
        if self.stage != "won":
            return
        from crmtui.services.deals import schedule_preview

        values = {field.id: field.value for field in self.query(Input) if field.id}
        self.query_one("#schedule", Static).update(Text(schedule_preview(  # type: ignore[attr-defined]
            self.app.ctx, self.deal_id, values["amount"], values["signed"], values["end"], values["payment"]), style="dim"))

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.advance_or_save(event.input)

    def action_save(self) -> None:
        from crmtui.services.deals import move_stage, parse_schedule

        values: dict[str, object] = {field.id: field.value for field in self.query(Input) if field.id}
        for field in self.query(Input):
            field.remove_class("missing")
        try:
            if "payment" in values:
                values["payments"] = parse_schedule(str(values.pop("payment")))
            move_stage(self.app.ctx, self.deal_id, self.stage, **values, **self.confirmed)  # type: ignore[attr-defined, arg-type]
        except NeedsConfirmation as question:
            self.ask(question)
            return
        except MissingFields as exc:
            wanted = {field_of(name).widget_id for name in exc.fields}
            for field in self.query(Input):
                if field.id in wanted:
                    field.add_class("missing")
            self.notify(exc.message(), severity="error")
            return
        except InvalidInput as exc:
            for field in self.query(Input):
                if field.id == field_of(exc.field).widget_id:
                    field.add_class("missing")
                    field.focus()
            self.notify(exc.message(), severity="error")
            return
        except CrmError as exc:
            self.notify(exc.message(), severity="error")
            return
        self.dismiss(True)

    def ask(self, question: NeedsConfirmation) -> None:
        """Puts the question; yes saves again with it answered, no leaves the form as typed."""
        from crmtui.tui.dialogs.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.confirmed[question.kind] = True
                self.action_save()

        self.app.push_screen(ConfirmScreen(question.message()), answered)

    def action_cancel(self) -> None:
        self.dismiss(False)


def move_deal(app: App, deal_id: str, title: str, stage: str, done: Callable[[bool], None] | None = None) -> None:
    """Moves directly, or through the stage's gate form when it has one; leaving Won is confirmed first."""
    from crmtui.services.deals import move_stage, reopen_question

    def finished(moved: bool | None) -> None:
        if moved:
            app.notify(_("{title} moved").format(title=title))
            app.refresh_data()  # type: ignore[attr-defined]
        if done is not None:
            done(bool(moved))

    def move(reopen: bool) -> None:
        if stage in GATED:
            app.push_screen(GateForm(deal_id, title, stage, reopen=reopen), finished)
            return
        try:
            move_stage(app.ctx, deal_id, stage, reopen=reopen)  # type: ignore[attr-defined]
        except CrmError as exc:
            app.notify(exc.message(), severity="error")
            finished(False)
            return
        finished(True)

    question = reopen_question(app.ctx, deal_id, stage)  # type: ignore[attr-defined]
    if question is None:
        move(False)
        return
    from crmtui.tui.dialogs.confirm import ConfirmScreen

    def answered(yes: bool | None) -> None:
        if yes:
            move(True)
        else:
            finished(False)

    app.push_screen(ConfirmScreen(question.message()), answered)


def choose_stage(app: App, deal_id: str, title: str, current: str | None = None) -> None:
    """Asks for the stage, then moves (through its gate if any)."""

    def picked(stage: str | None) -> None:
        if stage:
            move_deal(app, deal_id, title, stage)

    app.push_screen(StagePicker(title, current), picked)


class PaidOnForm(CrmScreenMixin, ModalScreen[object]):
    """When an instalment was paid (回款): today unless the rep types another day; a future day is refused."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save-paid", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-paid"),
    ]

    def __init__(self, customer_id: str, contract_no: str, question: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.contract_no = contract_no
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.question), classes="title")
            yield Horizontal(Label(_("Paid on"), classes="label"),
                             Input(placeholder=_("today; or e.g. 2026-11-20, 昨天"), id="paid_on", compact=True),
                             classes="field-row")
            yield Static(_("Enter or Ctrl+S marks it paid · Esc cancels"), classes="hint")

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        from crmtui.services.deals import mark_paid

        field = self.query_one("#paid_on", Input)
        try:
            payment = mark_paid(self.app.ctx, self.customer_id, contract_no=self.contract_no,  # type: ignore[attr-defined]
                                paid_on=field.value or None)
        except CrmError as exc:
            field.add_class("missing")
            self.notify(exc.message(), severity="error")
            return
        self.dismiss(payment)

    def action_cancel(self) -> None:
        self.dismiss(None)
