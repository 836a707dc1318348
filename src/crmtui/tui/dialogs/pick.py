"""Pick one of a few values from a list in a modal (Enter picks, Esc cancels)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.core.i18n import N_, _
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.widgets.cells import literal


class PickScreen(CrmScreenMixin, ModalScreen[str | None]):
    """Returns the picked value, or None."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], start: int = 0) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.start = start
        """The row the cursor starts on (e.g. the current value)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.title_text), classes="title")
            yield OptionList(*[Option(literal(label), id=str(index)) for index, (_value, label) in
                               enumerate(self.choices)], id="pick-list")
            yield Static(_("Enter picks · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        listing = self.query_one("#pick-list", OptionList)
        if self.choices:
            listing.highlighted = min(max(self.start, 0), len(self.choices) - 1)
        listing.focus()

    @on(OptionList.OptionSelected, "#pick-list")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id or 0)][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
