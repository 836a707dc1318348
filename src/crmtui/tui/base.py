"""What every screen of crmtui shares: bindings shown in the chosen language, worker errors as notifications,
and a typed handle on the running app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.worker import Worker, WorkerState

from crmtui.core.i18n import _
from crmtui.tui.bindings import translate_bindings

if TYPE_CHECKING:
    from textual.screen import Screen

    from crmtui.tui.app import CrmApp

    _Screen = Screen[Any]
else:
    _Screen = object  # a mixin at run time; each screen's own Screen or ModalScreen base comes after it


class CrmScreenMixin(_Screen):
    """Mixed into every Screen and ModalScreen of the app (put it first in the bases)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def crm(self) -> CrmApp:
        """The running crmtui app, typed: its context (`ctx`), `refresh_data`, `open_customer`, `is_manager`..."""
        return cast("CrmApp", self.app)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed load or search becomes a notification, never a crash (workers report to their screen)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.crm.notify(str(event.worker.error), title=_("Error"), severity="error", timeout=8)


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
