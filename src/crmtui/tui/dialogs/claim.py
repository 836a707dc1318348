"""Claiming a pool customer, from the pool list or from the customer's read-only view: asked first, then done
on the server in a thread; the pool lists on the stack are told to reload."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from crmtui.core.i18n import _
from crmtui.services.team import claim
from crmtui.tui.base import run_on_screen
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.messages import PoolChanged

if TYPE_CHECKING:
    from crmtui.tui.app import CrmApp


def claim_from_pool(app: CrmApp, customer_id: str, name: str, done: Callable[[bool], None] | None = None,
                    pending: Callable[[bool], None] | None = None) -> None:
    """Asks "Claim NAME?", then claims on the server in a thread and pulls the customer; `done(arrived)` runs
    after a claim (arrived: the customer is on the laptop already), and every pool list on screen reloads.
    `pending(True)` runs when the claim starts and `pending(False)` when it ends, claimed or refused.
    The thread is a worker of the screen this starts from, so a failure reaches that screen's worker handler."""
    screen = app.screen

    def answered(yes: bool | None) -> None:
        if yes:
            if pending is not None:
                pending(True)
            run_on_screen(screen, partial(claim, app.ctx, customer_id), claimed, group="claim",
                          refused_title=_("Not claimed"), refused=partial(pending, False) if pending else None)

    def claimed(result: tuple[str, object]) -> None:
        claimed_name, report = result
        arrived = report is not None
        if pending is not None:
            pending(False)
        app.notify(_("{name} is yours now; log a follow-up soon").format(name=claimed_name), title=_("Claimed"))
        if done is not None:
            done(arrived)
        for shown in app.screen_stack:
            shown.post_message(PoolChanged())
        app.refresh_data("sync")

    app.push_screen(ConfirmScreen(_("Claim {name}?").format(name=name)), answered)
