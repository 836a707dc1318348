"""What the modal forms (follow-up, new record, stage gate) share: Enter walks the fields and saves on the last,
and closing a form with typed text asks first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Input

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
