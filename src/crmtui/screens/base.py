"""What every screen of crmtui shares: bindings shown in the chosen language, worker errors as notifications."""

from __future__ import annotations

from typing import Any

from textual.worker import Worker, WorkerState

from crmtui.i18n import _


class CrmScreenMixin:
    """Mixed into every Screen and ModalScreen of the app (put it first in the bases)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from crmtui.app import translate_bindings

        translate_bindings(self)  # type: ignore[arg-type]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed load or search becomes a notification, never a crash (workers report to their screen)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.notify(str(event.worker.error), title=_("Error"), severity="error", timeout=8)  # type: ignore[attr-defined]
