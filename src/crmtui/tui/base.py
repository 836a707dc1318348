"""What every screen of crmtui shares: bindings shown in the chosen language, worker errors as notifications,
a typed handle on the running app, and a service call run in a worker of the screen it starts from."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.worker import Worker, WorkerState

from crmtui.core.errors import CrmError
from crmtui.core.i18n import _
from crmtui.tui.bindings import translate_bindings

if TYPE_CHECKING:
    from textual.screen import Screen

    from crmtui.tui.app import CrmApp

    _Screen = Screen[Any]
else:
    _Screen = object  # a mixin at run time; each screen's own Screen or ModalScreen base comes after it

Result = TypeVar("Result")


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


def run_on_screen(screen: _Screen, call: Callable[[], Result], then: Callable[[Result], None], *, group: str,
                  refused_title: str = "", refused: Callable[[], None] | None = None) -> None:
    """Runs a service call (one that asks the team server, most often) in a thread worker of `screen`, so that a
    failure reaches that screen's worker handler as a notification; a refusal (CrmError) is a warning titled
    `refused_title`, after which `refused()` runs; `then(result)` runs on the event loop after the call."""
    app = screen.app

    def run() -> None:
        try:
            result = call()
        except CrmError as error:
            app.call_from_thread(app.notify, error.message(), title=refused_title, severity="warning")
            if refused is not None:
                app.call_from_thread(refused)
            return
        app.call_from_thread(then, result)

    screen.run_worker(run, thread=True, group=group, exit_on_error=False)
