"""What every screen of crmtui shares: bindings shown in the chosen language, worker errors as notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.worker import Worker, WorkerState

from crmtui.core.i18n import _

if TYPE_CHECKING:
    from crmtui.tui.app import CrmApp


class CrmScreenMixin:
    """Mixed into every Screen and ModalScreen of the app (put it first in the bases)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from crmtui.tui.app import translate_bindings

        translate_bindings(self)  # type: ignore[arg-type]

    @property
    def crm(self) -> CrmApp:
        """The running crmtui app, typed: its context (`ctx`), `refresh_data`, `open_customer`, `is_manager`..."""
        return cast("CrmApp", self.app)  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed load or search becomes a notification, never a crash (workers report to their screen)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.notify(str(event.worker.error), title=_("Error"), severity="error", timeout=8)  # type: ignore[attr-defined]


class FormMixin:
    """Behaviour shared by the modal forms: Enter walks the fields and saves on the last; closing asks first."""

    def advance_or_save(self, field: object) -> None:
        """Enter on a field: the next field, or save when it is the last one."""
        from textual.widgets import Input

        inputs = list(self.query(Input))  # type: ignore[attr-defined]
        if inputs and field is inputs[-1]:
            self.action_save()  # type: ignore[attr-defined]
        else:
            self.focus_next()  # type: ignore[attr-defined]

    def close_asking(self, typed: bool, question: str, result: object) -> None:
        """Closes at once when nothing was typed; otherwise only after the rep confirms losing it."""
        if not typed:
            self.dismiss(result)  # type: ignore[attr-defined]
            return
        from crmtui.tui.dialogs.confirm import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(result)  # type: ignore[attr-defined]

        self.app.push_screen(ConfirmScreen(question), answered)  # type: ignore[attr-defined]


class ReloadsOnChange:
    """Mixed into a screen that fills itself in a thread worker, its `load`: once mounted, and again whenever
    something was written (DataChanged, from this app or another process). Put it after CrmScreenMixin."""

    def load(self) -> object:
        """Starts the screen's worker: each screen defines it, `@work(thread=True, exclusive=True, ...)`."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self.load()

    def on_data_changed(self) -> None:
        self.load()
