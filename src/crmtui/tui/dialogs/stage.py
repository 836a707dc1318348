"""Moving a deal: a stage picker, the gate modals 完成条件 (quoted amount, contract with its instalments, lost
reason), the confirmations a move may need (a short schedule, leaving Won), and the paid date of an instalment."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.form import FormMixin, SavesInWorker
from crmtui.core.labels import stage_name
from crmtui.core.errors import CrmError, InvalidInput, MissingFields
from crmtui.core.fields import get as field_of
from crmtui.core.formatting import format_amount
from crmtui.core.i18n import N_, _
from crmtui.services.deals import (
    LOST_REASONS, NeedsConfirmation, mark_paid, move_stage, parse_schedule, reopen_question, schedule_preview,
)
from crmtui.services.revisits import deal_template, parse_plan, plan_preview, plan_text
from crmtui.services.stage_rules import MovePlan, deal_stage, plan_move
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.widgets.cells import literal

if TYPE_CHECKING:
    from crmtui.tui.app import CrmApp

OTHER_REASON = "other"
"""The reason of the list that asks for the rep's own words."""


def field_row(label: str, field: Input | OptionList) -> Horizontal:
    """A label and its field on one line; label_widths gives the labels of a form one width."""
    return Horizontal(Label(label, classes="label"), field, classes="field-row")


def label_widths(form: ModalScreen[object]) -> None:
    """Every label of the form as wide as the widest, in terminal cells (Chinese labels are two a character),
    with two cells before its field."""
    labels = list(form.query(".field-row > .label").results(Label))
    width = max((cell_len(str(label.content)) for label in labels), default=0) + 2
    for label in labels:
        label.styles.width = width


class StagePicker(CrmScreenMixin, ModalScreen[str | None]):
    """Pick the stage to move a deal to; its current stage is marked and cannot be picked."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel-stage")]

    def __init__(self, title: str, current: str | None = None) -> None:
        super().__init__()
        self.deal_title = title
        self.current = current

    def compose(self) -> ComposeResult:
        stages = self.crm.ctx.settings.stages
        with Vertical(classes="dialog"):
            yield Static(literal(_("Move {title} to").format(title=self.deal_title)), classes="title")
            options = []
            for number, stage in enumerate(stages, start=1):
                mark = "  ← " + _("now") if stage.key == self.current else ""
                options.append(Option(Text(f"{number}  {stage_name(stage)}  {stage.probability}%{mark}"), id=stage.key,
                                      disabled=stage.key == self.current))
            yield OptionList(*options, id="stages")

    def on_mount(self) -> None:
        listing = self.query_one("#stages", OptionList)
        if listing.highlighted is None or listing.get_option_at_index(listing.highlighted).disabled:
            listing.highlighted = next((index for index, stage in enumerate(self.crm.ctx.settings.stages)
                                        if stage.key != self.current), None)

    def on_key(self, event: events.Key) -> None:
        stages = self.crm.ctx.settings.stages
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(stages):
            event.stop()
            stage = stages[int(event.character) - 1]
            if stage.key == self.current:
                self.notify(_("{title} is already in {stage}: pick another stage").format(
                    title=self.deal_title, stage=stage_name(stage)), severity="warning")
                return
            self.dismiss(stage.key)

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class GateForm(CrmScreenMixin, FormMixin, SavesInWorker, ModalScreen[bool]):
    """The fields a move asks for (its stage's gate, and a skipped Quote's amount); the move happens only when
    they are filled and valid. Amounts start with the deal's, the signed date with today."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save-gate", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-gate"),
    ]

    def __init__(self, deal_id: str, title: str, stage: str, plan: MovePlan, reopen: bool = False) -> None:
        super().__init__()
        self.deal_id = deal_id
        self.deal_title = title
        self.stage = stage
        self.plan = plan
        self.confirmed: dict[str, bool] = {"reopen": reopen}
        """The questions of the move (NeedsConfirmation kinds) the rep said yes to."""
        self.started_with: dict[str | None, str] = {}
        """The inputs' values as the form opened (the deal's amount, today), to tell whether the rep typed."""

    def fields(self) -> list[tuple[str, str, str, str]]:
        """(input id, label, placeholder, starting value) of the inputs this move asks for, the reason list aside."""
        amount = format_amount(self.plan.amount_cents)
        inputs = {
            "quoted": (_("Quoted amount"), "120000, 12万, 50k", amount),
            "quoted_amount": (_("Quoted amount"), "120000, 12万, 50k", amount),
            "contract_no": (_("Contract no."), "HT-2026-001", ""),
            "amount": (_("Amount"), "120000, 12万", amount),
            "signed_on": (_("Signed on"), _("today, 2026-11-20"), self.plan.today.isoformat()),
            "end_on": (_("Ends on"), _("optional; default a year"), ""),
            "payment": (_("Instalments"), "60000@2026-12-31, 6万@2027-03-31", ""),
            "lost_reason": (_("Other"), _("a reason not in the list"), ""),
        }
        return [(field_of(key).widget_id, *inputs[key]) for key in self.plan.asks]

    def compose(self) -> ComposeResult:
        settings = self.crm.ctx.settings
        # It scrolls when it is taller than the terminal (a Won form with a long revisit plan at 80x24): every
        # field stays reachable, the focused one kept in view. The form itself never takes the focus from a field.
        with VerticalScroll(classes="dialog gate-form") as form:
            form.can_focus = False
            yield Static(literal(_("{title} → {stage}").format(
                title=self.deal_title, stage=stage_name(settings.stage(self.stage)))), classes="title")
            if self.plan.skipped:
                names = ", ".join(stage_name(settings.stage(key)) for key in self.plan.skipped)
                yield Static(_("Skips {stages}").format(stages=names), classes="skipped")
            if "lost_reason" in self.plan.asks:
                reasons = [Option(f"{number}  {_(reason)}", id=reason)
                           for number, reason in enumerate(LOST_REASONS, start=1)]
                yield field_row(_("Reason"), OptionList(*reasons, id="reasons"))
            for field_id, label, placeholder, value in self.fields():
                # The reason's own words may start on the list (a letter typed there): focusing must keep it.
                yield field_row(label, Input(value, placeholder=placeholder, id=field_id, compact=True,
                                             select_on_focus=field_id != "reason"))
            if self.stage == "won":
                yield Static("", id="schedule")
                # the revisit plan (回访) proposed for the deal, one line the rep edits: a line dropped is not planned
                yield field_row(_("Revisits"), Input(plan_text(deal_template(self.crm.ctx, self.deal_id)),
                                                     placeholder=_("none; or e.g. 3 phone 确认交付; 30 visit 检查安装"),
                                                     id=field_of("revisit_plan").widget_id, compact=True,
                                                     select_on_focus=False))
                yield Static("", id="revisit-plan")
            yield Static(self.hint(), classes="hint")

    def hint(self) -> str:
        if "lost_reason" in self.plan.asks:
            return _("Enter or a number picks a reason and moves the deal; 'other' or typing gives your own words · "
                     "Esc cancels")
        return _("Enter on the last field or Ctrl+S moves the deal · Esc cancels")

    def on_mount(self) -> None:
        label_widths(self)
        self.started_with = {field.id: field.value for field in self.query(Input)}
        if self.stage == "won":
            self.show_schedule()
        # The first field still to fill: what the deal already knows (its amount, today) is only checked.
        empty = next((field for field in self.query(Input) if not field.value), None)
        first = self.query("#reasons").first() if "lost_reason" in self.plan.asks else empty
        if first is not None:
            first.focus()

    @on(Input.Changed)
    def show_schedule(self) -> None:
        """Under the Won form: the instalments as read so far, and what completes them."""
        if self.stage != "won":
            return
        values = {field.id: field.value for field in self.query(Input) if field.id}
        self.query_one("#schedule", Static).update(Text(schedule_preview(
            self.crm.ctx, self.deal_id, values["amount"], values["signed"], values["end"], values["payment"]), style="dim"))
        self.query_one("#revisit-plan", Static).update(Text(plan_preview(
            self.crm.ctx, values["revisits"], values["signed"]), style="dim"))

    def on_key(self, event: events.Key) -> None:
        """On the reason list, a number picks that reason and a letter starts the rep's own words."""
        listing = self.focused if isinstance(self.focused, OptionList) and self.focused.id == "reasons" else None
        if listing is None or not event.character or not event.is_printable:
            return
        if event.character.isdigit() and 1 <= int(event.character) <= len(LOST_REASONS):
            event.stop()
            self.chose_reason(LOST_REASONS[int(event.character) - 1])
        elif not event.character.isspace():
            event.stop()
            other = self.query_one("#reason", Input)
            other.focus()
            other.insert_text_at_cursor(event.character)

    @on(OptionList.OptionSelected, "#reasons")
    def reason_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.chose_reason(str(event.option.id))

    def chose_reason(self, reason: str) -> None:
        """A reason of the list moves the deal with it (shown in the rep's words, stored as its key); "other" asks
        for the rep's own words."""
        other = self.query_one("#reason", Input)
        if reason == OTHER_REASON:
            other.focus()
            return
        other.value = _(reason)
        self.action_save()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.advance_or_save(event.input)

    def action_save(self) -> None:
        if not self.start_saving():
            return
        for field in self.query(".missing"):
            field.remove_class("missing")
        typed = {field.id: field.value for field in self.query(Input) if field.id}
        confirmed = dict(self.confirmed)
        self.save_in_worker(lambda: move_stage(
            self.crm.ctx, self.deal_id, self.stage, amount=typed.get("amount"), contract_no=typed.get("contract_no"),
            signed=typed.get("signed"), end=typed.get("end"), quoted=typed.get("quoted"),
            payments=parse_schedule(typed["payment"]) if "payment" in typed else None, reason=typed.get("reason"),
            complete_schedule=confirmed.get("complete_schedule", False), reopen=confirmed.get("reopen", False),
            revisits=parse_plan(typed["revisits"]) if "revisits" in typed else None))

    def saved(self, result: object) -> None:
        self.dismiss(True)

    def refused(self, error: CrmError) -> None:
        """A question is put to the rep; missing or wrong fields are marked and named by their labels; the form
        keeps what was typed."""
        if isinstance(error, NeedsConfirmation):
            self.ask(error)
            return
        if isinstance(error, MissingFields):
            wanted = {field_of(name).widget_id for name in error.fields}
            for field in self.query(Input):
                if field.id in wanted:
                    field.add_class("missing")
        elif isinstance(error, InvalidInput):
            for field in self.query(Input):
                if field.id == field_of(error.field).widget_id:
                    field.add_class("missing")
                    field.focus()
        self.notify(error.labelled(), severity="error")

    def ask(self, question: NeedsConfirmation) -> None:
        """Puts the question; yes saves again with it answered, no leaves the form as typed."""

        def answered(yes: bool | None) -> None:
            if yes:
                self.confirmed[question.kind] = True
                self.action_save()

        self.app.push_screen(ConfirmScreen(question.message()), answered)

    def action_cancel(self) -> None:
        """Esc: a form the rep typed in asks before what was typed is thrown away."""
        if all(self.started_with.get(field.id) == field.value for field in self.query(Input)):
            self.dismiss(False)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(False)

        self.app.push_screen(ConfirmScreen(_("Discard this move? What you typed will be lost.")), answered)


def move_deal(app: CrmApp, deal_id: str, title: str, stage: str, done: Callable[[bool], None] | None = None) -> None:
    """Moves directly, or through a form when the move asks for fields (its stage's gate, a skipped Quote's
    amount); a move the services would refuse (to the deal's own stage, a skip the settings forbid) is refused
    before any form, and leaving Won is confirmed first. A direct move runs in a worker of the screen it starts
    from, so a failure reaches that screen's worker handler."""

    def finished(moved: bool | None) -> None:
        if moved:
            app.notify(_("{title} moved to {stage}").format(
                title=title, stage=stage_name(app.ctx.settings.stage(stage))))
            app.refresh_data()
        if done is not None:
            done(bool(moved))

    def move(plan: MovePlan, reopen: bool) -> None:
        if plan.asks:
            app.push_screen(GateForm(deal_id, title, stage, plan, reopen=reopen), finished)
            return
        app.screen.run_worker(partial(move_now, reopen), thread=True, group="move-deal", exit_on_error=False)

    def move_now(reopen: bool) -> None:
        try:
            move_stage(app.ctx, deal_id, stage, reopen=reopen)
        except CrmError as exc:
            app.call_from_thread(refused, exc)
            return
        except Exception:
            app.call_from_thread(finished, False)
            raise
        app.call_from_thread(finished, True)

    def refused(exc: CrmError) -> None:
        app.notify(exc.labelled(), severity="error")
        finished(False)

    try:
        plan = plan_move(app.ctx, deal_id, stage)
    except CrmError as exc:
        refused(exc)
        return
    question = reopen_question(app.ctx, deal_id, stage)
    if question is None:
        move(plan, False)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            move(plan, True)
        else:
            finished(False)

    app.push_screen(ConfirmScreen(question.message()), answered)


def choose_stage(app: CrmApp, deal_id: str, title: str, current: str | None = None) -> None:
    """Asks for the stage (the deal's own marked, looked up when not given), then moves (through its gate if any)."""

    def picked(stage: str | None) -> None:
        if stage:
            move_deal(app, deal_id, title, stage)

    app.push_screen(StagePicker(title, current or deal_stage(app.ctx, deal_id)), picked)


class PaidOnForm(CrmScreenMixin, SavesInWorker, ModalScreen[object]):
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
            yield field_row(_("Paid on"), Input(placeholder=_("today; or e.g. 2026-11-20, 昨天"), id="paid_on",
                                                compact=True))
            yield Static(_("Enter or Ctrl+S marks it paid · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        label_widths(self)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if not self.start_saving():
            return
        self.query_one("#paid_on", Input).remove_class("missing")
        paid_on = self.query_one("#paid_on", Input).value or None
        self.save_in_worker(lambda: mark_paid(self.crm.ctx, self.customer_id, contract_no=self.contract_no,
                                              paid_on=paid_on))

    def saved(self, result: object) -> None:
        self.dismiss(result)

    def refused(self, error: CrmError) -> None:
        """The day is marked and the reason said; what was typed stays."""
        field = self.query_one("#paid_on", Input)
        field.add_class("missing")
        field.focus()
        self.notify(error.labelled(), severity="error")

    def action_cancel(self) -> None:
        self.dismiss(None)
