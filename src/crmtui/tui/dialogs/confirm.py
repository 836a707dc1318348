"""A yes/no question in a modal (y / n / Esc)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from crmtui.tui.base import CrmScreenMixin
from crmtui.core.i18n import N_, _
from crmtui.tui.widgets.cells import literal


class ConfirmScreen(CrmScreenMixin, ModalScreen[bool]):
    """Returns True for y, False for n or Esc."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes"), id="yes"),
        Binding("n", "answer(False)", N_("No"), id="no"),
        Binding("escape", "answer(False)", N_("No"), show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.question))
            yield Static(_("y yes · n no"), classes="hint")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
