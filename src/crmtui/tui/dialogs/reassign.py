"""A manager gives a customer to a rep (or to the pool): the rep picker starts on the current owner, and the
move is confirmed naming both sides before the server is asked (needs the server)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from crmtui.core import labels
from crmtui.core.i18n import _
from crmtui.services.team import reassign, reps
from crmtui.tui.base import run_on_screen
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.pick import PickScreen

if TYPE_CHECKING:
    from crmtui.tui.app import CrmApp


def reassign_customer(app: CrmApp, customer_id: str, name: str, owner: str | None, *, to_pool: bool = True,
                      done: Callable[[str | None], None] | None = None) -> None:
    """Fetches the reps in a thread, then: pick (cursor on `owner`), confirm, reassign; `done(rep)` after it.
    The threads are workers of the screen this starts from, so a failure reaches that screen's worker handler."""
    screen = app.screen

    def pick(names: list[str]) -> None:
        choices = [(rep, rep) for rep in names] + ([("", labels.status("pool"))] if to_pool else [])
        values = [value for value, _label in choices]
        start = values.index(owner or "") if (owner or "") in values else 0
        app.push_screen(PickScreen(_("Give {name} to").format(name=name), choices, start=start), picked)

    def picked(rep: str | None) -> None:
        if rep is None:
            return
        target = rep or None
        if target == owner:
            app.notify(_("{name} is in the pool already").format(name=name) if target is None
                       else _("{name} already belongs to {rep}").format(name=name, rep=target))
            return
        question = reassign_question(name, owner, target)
        app.push_screen(ConfirmScreen(question), partial(confirmed, target))

    def confirmed(target: str | None, yes: bool | None) -> None:
        if yes:
            run_on_screen(screen, partial(reassign, app.ctx, customer_id, target), lambda _none: moved(target),
                          group="reassign")

    def moved(target: str | None) -> None:
        app.notify(_("{name} is back in the pool").format(name=name) if target is None
                   else _("{name} now belongs to {rep}").format(name=name, rep=target))
        if done is not None:
            done(target)
        app.refresh_data()

    run_on_screen(screen, partial(reps, app.ctx), pick, group="reassign")


def reassign_question(name: str, owner: str | None, target: str | None) -> str:
    """The confirmation of a move, as a manager would say it: from a rep to another, back to the pool, or out of
    the pool to a rep (each its own sentence, so every language words it its own way)."""
    if target is None:
        return _("Put {name} ({rep}'s customer) back in the pool?").format(name=name, rep=owner)
    if owner is None:
        return _("Give {name} from the pool to {rep}?").format(name=name, rep=target)
    return _("Reassign {name} from {old} to {new}?").format(name=name, old=owner, new=target)
