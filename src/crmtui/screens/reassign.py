"""A manager gives a customer to a rep (or to the pool): the rep picker starts on the current owner, and the
move is confirmed naming both sides before the server is asked (needs the server)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.app import App

from crmtui import labels
from crmtui.errors import CrmError
from crmtui.i18n import _


def reassign_customer(app: App, customer_id: str, name: str, owner: str | None, *, to_pool: bool = True,
                      done: Callable[[str | None], None] | None = None) -> None:
    """Fetches the reps in a thread, then: pick (cursor on `owner`), confirm, reassign; `done(rep)` after it."""

    def fetch() -> None:
        from crmtui.sync.client import reps

        try:
            names = reps(app.ctx)  # type: ignore[attr-defined]
        except CrmError as error:
            app.call_from_thread(app.notify, error.message(), severity="warning")
            return
        app.call_from_thread(pick, names)

    def pick(names: list[str]) -> None:
        from crmtui.screens.pick import PickScreen

        choices = [(rep, rep) for rep in names] + ([("", labels.status("pool"))] if to_pool else [])
        values = [value for value, _label in choices]
        start = values.index(owner or "") if (owner or "") in values else 0
        app.push_screen(PickScreen(_("Give {name} to").format(name=name), choices, start=start), picked)

    def picked(rep: str | None) -> None:
        if rep is None:
            return
        target = rep or None
        if target == owner:
            app.notify(_("{name} already belongs to {rep}").format(name=name, rep=_holder(target)))
            return
        from crmtui.screens.confirm import ConfirmScreen

        question = _("Give {name} from {old} to {new}?").format(name=name, old=_holder(owner), new=_holder(target))
        app.push_screen(ConfirmScreen(question), partial(confirmed, target))

    def confirmed(target: str | None, yes: bool | None) -> None:
        if yes:
            app.run_worker(partial(move, target), thread=True, group="reassign", exit_on_error=False)

    def move(target: str | None) -> None:
        from crmtui.sync.client import reassign

        try:
            reassign(app.ctx, customer_id, target)  # type: ignore[attr-defined]
        except CrmError as error:
            app.call_from_thread(app.notify, error.message(), severity="warning")
            return
        app.call_from_thread(moved, target)

    def moved(target: str | None) -> None:
        app.notify(_("{name} now belongs to {rep}").format(name=name, rep=_holder(target)))
        if done is not None:
            done(target)
        app.refresh_data()  # type: ignore[attr-defined]

    app.run_worker(fetch, thread=True, group="reassign", exit_on_error=False)


def _holder(rep: str | None) -> str:
    """A rep's name, or the pool."""
    return rep or labels.status("pool")
