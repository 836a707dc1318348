"""What the modal forms share: Enter walks the fields and saves on the last, closing a form with typed text asks
first (FormMixin), and a save runs the service's write in a worker that reports back with a message
(SavesInWorker)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.widgets import Input

from crmtui.core.errors import CrmError
from crmtui.tui.dialogs.confirm import ConfirmScreen

if TYPE_CHECKING:
    from textual.screen import ModalScreen

    _Form = ModalScreen[Any]
else:
    _Form = object  # a mixin at run time; the form's own ModalScreen base comes after it


class FormMixin(_Form):
    """Mixed into a modal form after CrmScreenMixin; the form defines `action_save`."""

    def action_save(self) -> None:
        raise NotImplementedError

    def advance_or_save(self, field: object) -> None:
        """Enter on a field: the next field, or save when it is the last one."""
        inputs = list(self.query(Input))
        if inputs and field is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def close_asking(self, typed: bool, question: str, result: object) -> None:
        """Closes at once when nothing was typed; otherwise only after the rep confirms losing it."""
        if not typed:
            self.dismiss(result)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(result)

        self.app.push_screen(ConfirmScreen(question), answered)


class WriteDone(Message):
    """A save's worker wrote; `result` is what the service returned."""

    def __init__(self, result: object) -> None:
        super().__init__()
        self.result = result


class WriteRefused(Message):
    """A save's worker wrote nothing: the service's refusal, or None when the worker failed (the screen's worker
    handler shows that error)."""

    def __init__(self, error: CrmError | None) -> None:
        super().__init__()
        self.error = error


class SavesInWorker(_Form):
    """Mixed into a dialog that writes through a service, after CrmScreenMixin. `start_saving` guards against a
    second submit while a save is under way; `save_in_worker` runs the write off the event loop; the dialog says
    what happens after it in `saved`, and after a refusal in `refused` (the dialog stays open with what was typed,
    and may be saved again)."""

    saving = False
    """A save is under way: another Enter or Ctrl+S must not write a second time."""

    def start_saving(self) -> bool:
        """Whether a save may start now (none is under way); it then counts as under way."""
        if self.saving:
            return False
        self.saving = True
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save_in_worker(self, write: Callable[[], object]) -> None:
        """Runs the write through the service off the event loop, then reports back with a message."""
        try:
            result = write()
        except CrmError as exc:
            self.post_message(WriteRefused(exc))
            return
        except Exception:
            self.post_message(WriteRefused(None))  # the dialog can be saved again
            raise
        self.post_message(WriteDone(result))

    def on_write_done(self, event: WriteDone) -> None:
        event.stop()
        self.saved(event.result)

    def on_write_refused(self, event: WriteRefused) -> None:
        event.stop()
        self.saving = False
        if event.error is not None:
            self.refused(event.error)

    def saved(self, result: object) -> None:
        """After the write, with what the service returned."""
        raise NotImplementedError

    def refused(self, error: CrmError) -> None:
        """The service's refusal is said; what was typed stays."""
        self.notify(error.message(), severity="error")
