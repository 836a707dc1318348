"""Releasing a customer to the team's pool from the app: a reason from the list (or the rep's own words), a
confirmation, then the server (the team sees the reason in the pool)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.core.errors import CrmError
from crmtui.core.i18n import N_, _
from crmtui.tui.base import CrmScreenMixin, run_on_screen
from crmtui.services.team import OTHER, RELEASE_REASONS, reason_label, release, release_reason
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.widgets.cells import literal

if TYPE_CHECKING:
    from crmtui.tui.app import CrmApp


class ReleaseReasonForm(CrmScreenMixin, ModalScreen[str | None]):
    """Returns the reason as the server keeps it (a code, or `other: words`), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel-release")]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.customer_name = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(_("Why does {name} go back to the pool?").format(name=self.customer_name)),
                         classes="title")
            yield OptionList(*[Option(_(label), id=code) for code, label in RELEASE_REASONS], id="reasons")
            yield Input(placeholder=_("your words: why it goes back to the pool"), id="note", compact=True)
            yield Static(_("Enter picks · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#note", Input).display = False
        listing = self.query_one("#reasons", OptionList)
        listing.highlighted = 0
        listing.focus()

    @on(OptionList.OptionSelected, "#reasons")
    def picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id != OTHER:
            self.dismiss(event.option.id)
            return
        note = self.query_one("#note", Input)
        note.display = True
        note.focus()

    @on(Input.Submitted, "#note")
    def typed(self) -> None:
        note = self.query_one("#note", Input)
        try:
            reason = release_reason(OTHER, note.value)
        except CrmError as error:
            note.add_class("missing")
            self.notify(error.message(), severity="error")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


def release_to_pool(app: CrmApp, customer_id: str, name: str, done: Callable[[], None] | None = None) -> None:
    """Asks why, then asks to confirm, then releases on the server in a thread; `done` runs once it is released.
    The thread is a worker of the screen this starts from, so a failure reaches that screen's worker handler."""
    screen = app.screen

    def reason_given(reason: str | None) -> None:
        if not reason:
            return
        question = _("Release {name} to the pool ({reason})? Any rep may claim it then.").format(
            name=name, reason=reason_label(reason))
        app.push_screen(ConfirmScreen(question), partial(confirmed, reason))

    def confirmed(reason: str, yes: bool | None) -> None:
        if yes:
            run_on_screen(screen, partial(release, app.ctx, customer_id, reason), lambda _none: released(reason),
                          group="release", refused_title=_("Not released"))

    def released(reason: str) -> None:
        app.notify(_("{name} went back to the pool ({reason})").format(name=name, reason=reason_label(reason)),
                   title=_("Released"))
        if done is not None:
            done()
        app.refresh_data("sync")

    app.push_screen(ReleaseReasonForm(name), reason_given)
