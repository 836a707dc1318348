"""A planned revisit (回访) from the customer screen: pick one of the customer's open revisits (the most due first),
then move it to another day, drop it (the reason kept in the history), or do it (the follow-up form, logging the
revisit with its satisfaction and would-recommend scores). Every rule is the revisit services' (services/revisits.py,
services/follow_ups.py), as `crm revisit move|drop` and `crm log --revisit` use them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static
from textual.widgets.select import InvalidSelectValueError

from crmtui.core.errors import CrmError
from crmtui.core.i18n import N_, _
from crmtui.services.revisit_done import complete_without_score
from crmtui.services.revisits import Revisit, drop_revisit, move_revisit, revisit_label
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.follow_up import ChoicePicker, FollowUpForm
from crmtui.tui.dialogs.form import SavesInWorker
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.dialogs.stage import field_row, label_widths
from crmtui.tui.widgets.cells import literal
from crmtui.tui.widgets.date_preview import show_day

if TYPE_CHECKING:
    from datetime import date

    from crmtui.tui.app import CrmApp

MOVE, DROP = "move", "drop"
"""What a RevisitChangeForm does to its revisit."""


def pick_revisit(app: CrmApp, open_ones: list[Revisit], title: str, then: Callable[[Revisit], None]) -> None:
    """Hands `then` the open revisit the rep means: the only one at once, else the one picked from a list of them,
    the most due first (nothing when the rep closes the list)."""
    if not open_ones:
        return
    if len(open_ones) == 1:
        then(open_ones[0])
        return
    today = app.ctx.clock.today()
    ordered = sorted(open_ones, key=lambda revisit: (revisit.due_on, revisit.purpose))
    by_id = {revisit.id: revisit for revisit in ordered}

    def picked(revisit_id: str | None) -> None:
        if revisit_id in by_id:
            then(by_id[revisit_id])

    choices = [(revisit.id, _late(revisit_label(revisit, today), revisit, today)) for revisit in ordered]
    app.push_screen(PickScreen(title, choices), picked)


def _late(label: str, revisit: Revisit, today: date) -> str:
    """A revisit's name, "(late)" after it when its day has passed."""
    return label + "  " + _("(late)") if revisit.due_on < today else label


class RevisitChangeForm(CrmScreenMixin, SavesInWorker, ModalScreen[object]):
    """Moves an open revisit to another day (typed in either language, the day read shown back), or drops it with
    an optional reason. Returns the revisit as changed, or None when closed. A refusal keeps what was typed; Esc
    with something typed asks before throwing it away."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="save-revisit", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-revisit"),
    ]

    def __init__(self, customer_id: str, customer_name: str, revisit: Revisit, change: str) -> None:
        super().__init__()
        if change not in (MOVE, DROP):
            raise ValueError(f"a revisit change is {MOVE!r} or {DROP!r}, not {change!r}")
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.revisit = revisit
        self.change = change

    def compose(self) -> ComposeResult:
        today = self.crm.ctx.clock.today()
        heading = _("Move a revisit") if self.change == MOVE else _("Drop a revisit")
        with Vertical(classes="dialog", id="revisit-change"):
            yield Static(literal(f"{heading} · {self.customer_name}"), classes="title")
            yield Static(literal(_late(revisit_label(self.revisit, today), self.revisit, today)), id="revisit-named")
            if self.change == MOVE:
                yield field_row(_("New day"), Input(placeholder=_("e.g. 2026-12-15, fri, 下周一"), id="revisit-day",
                                                    compact=True))
                yield Label("", id="revisit-day-preview")
                yield Static(_("Enter or Ctrl+S moves it · Esc cancels"), classes="hint")
            else:
                yield field_row(_("Reason"), Input(placeholder=_("optional: why (kept in the history)"),
                                                   id="revisit-reason", compact=True))
                yield Static(_("Enter or Ctrl+S drops it (u undoes) · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        label_widths(self)
        self.query_one(Input).focus()

    @on(Input.Changed, "#revisit-day")
    def preview_day(self, event: Input.Changed) -> None:
        """The day the text was read as, or why it was not understood."""
        show_day(self.query_one("#revisit-day-preview", Label), "revisit_to", event.value, self.crm.ctx)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if not self.start_saving():
            return
        field = self.query_one(Input)
        field.remove_class("missing")
        ctx, customer_id, ref, text = self.crm.ctx, self.customer_id, self.revisit.id, field.value
        if self.change == MOVE:
            self.save_in_worker(lambda: move_revisit(ctx, customer_id, ref, text))
        else:
            self.save_in_worker(lambda: drop_revisit(ctx, customer_id, ref, text or None))

    def saved(self, result: object) -> None:
        self.dismiss(result)

    def refused(self, error: CrmError) -> None:
        """The field is marked and the reason said; what was typed stays."""
        field = self.query_one(Input)
        field.add_class("missing")
        field.focus()
        self.notify(error.labelled(), severity="error")

    def action_cancel(self) -> None:
        """Esc: closes at once when nothing was typed, else after a yes."""
        if not self.query_one(Input).value.strip():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = (_("Discard the new day? The revisit stays where it is.") if self.change == MOVE
                    else _("Discard the reason? The revisit stays planned."))
        self.app.push_screen(ConfirmScreen(question), answered)


class RevisitFollowUpForm(FollowUpForm):
    """The follow-up form logging one revisit: the revisit chosen, its channel picked and its purpose as the goal,
    ready for the satisfaction (1-5) and would-recommend (0-10) scores. Saved as any follow-up with a score is
    (`crm log --satisfaction --revisit`): the revisit is done, a low score plans the call back. Saved with no
    score, it asks first, then marks the revisit done without one, as `crm revisit done` does (a follow-up by the
    revisit's channel, its purpose as the goal, with the notes and next step typed)."""

    def __init__(self, customer_id: str, customer_name: str, revisit: Revisit) -> None:
        super().__init__(customer_id, customer_name)
        self.revisit = revisit

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#follow-up-title", Static).update(
            literal(_("Revisit done") + " · " + self.customer_name))
        try:
            self.query_one("#revisit", Select).value = self.revisit.id
        except InvalidSelectValueError:  # done or dropped meanwhile: the form offers what is still open
            pass
        if self.revisit.deal_id:  # the won deal the revisit follows, when the form offers it
            try:
                self.query_one("#deal", Select).value = self.revisit.deal_id
            except InvalidSelectValueError:
                pass
        picker = self.query_one(ChoicePicker)
        picker.channel = self.revisit.channel or "phone"
        picker.refresh_text()
        self.query_one("#goal", Input).value = self.revisit.purpose
        self.initial = self.values()  # what the form was opened with is not typed

    def has_typed(self) -> bool:
        return self.values() != self.initial

    def _save(self) -> None:
        values = self.values()
        if values["satisfaction"].strip() or values["nps"].strip() or values["revisit"] != self.revisit.id:
            super()._save()
            return
        ctx, customer_id, ref = self.crm.ctx, self.customer_id, self.revisit.id

        def answered(without: bool | None) -> None:
            if not without:
                self.saving = False  # back to the form, to give the score
                self.set_focus(self.query_one("#satisfaction", Input))
                return
            self.save_in_worker(lambda: complete_without_score(
                ctx, customer_id, ref, notes=values["notes"] or None, next_plan=values["next_plan"] or None,
                next_at=values["next_at"] or None))

        self.app.push_screen(ConfirmScreen(_(
            "No satisfaction score: mark the revisit done without one (logged by its channel, its purpose as the"
            " goal)?")), answered)
