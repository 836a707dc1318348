"""Deleting a customer or a deal from the app: a yes/no that names it and says what goes with it (its contract and
instalments) and whether it can be brought back, then the same services and checks as `crm rm`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from crmtui.core.i18n import _, sentences
from crmtui.services import customers, deals
from crmtui.tui.base import run_on_screen
from crmtui.tui.dialogs.confirm import ConfirmScreen

if TYPE_CHECKING:
    from crmtui.tui.app import CrmApp


def _key(app: CrmApp, binding_id: str, default: str) -> str:
    """The key the rep has for a binding (their [keys] remapping, else the default)."""
    return dict(app.ctx.settings.keys or {}).get(binding_id, default)


def delete_customer_asking(app: CrmApp, customer_id: str, name: str, done: Callable[[], None]) -> None:
    """Asks, naming the customer, then deletes it with its contacts and deals in a worker of the current screen;
    `done` runs once it is deleted (the customer's own screen closes). In a team a rep may delete only a draft of
    their own, and is told so before being asked."""
    ctx = app.ctx
    screen = app.screen
    role = customers.team_role(ctx)
    if customers.delete_refusal(ctx, name, customer_id) is not None:
        # The service's words point to the shell; in the app the ways out are keys.
        app.notify(_("{name} belongs to the team: only a manager can delete it; give it back to the pool with"
                     " {release}, or merge a duplicate into it with {merge}").format(
                         name=name, release=_key(app, "release", "P"), merge=_key(app, "merge", "m")),
                   title=_("Not deleted"), severity="warning")
        return
    if role == "manager":
        after = _("It leaves every laptop of the team at their next sync; a manager can restore it from the pool's"
                  " list of deleted customers ({pool}, then {deleted}).").format(
                      pool=_key(app, "pool", "o"), deleted=_key(app, "deleted", "u"))
    elif role == "rep":
        after = _("It was never sent to the team server: nothing of it is sent now, and it cannot be restored.")
    else:
        after = _("It cannot be restored.")
    question = sentences(_("Delete customer {name} and its contacts and deals?").format(name=name),
                         customers.removal_note(ctx, customer_id), after)

    def deleted(_customer: object) -> None:
        done()
        said = (_("Deleted customer {name}; a manager can restore it from the pool's list of deleted customers")
                if role == "manager" else _("Deleted customer {name}"))
        app.notify(said.format(name=name), title=_("Deleted"))
        app.refresh_data()

    def answered(yes: bool | None) -> None:
        if yes:
            run_on_screen(screen, lambda: customers.delete_customer(ctx, customer_id), deleted, group="delete",
                          refused_title=_("Not deleted"))

    app.push_screen(ConfirmScreen(question), answered)


def delete_deal_asking(app: CrmApp, deal_id: str, title: str, customer_name: str) -> None:
    """Asks, naming the deal and its customer and saying what happens to its contract, then deletes the deal in a
    worker of the current screen (its follow-ups stay in the customer's history)."""
    ctx = app.ctx
    screen = app.screen
    question = sentences(_("Delete deal {title} of {customer}?").format(title=title, customer=customer_name),
                         deals.removal_note(ctx, deal_id), _("It cannot be restored."))

    def deleted(_deal: object) -> None:
        app.notify(_("Deleted deal {title}").format(title=title), title=_("Deleted"))
        app.refresh_data()

    def answered(yes: bool | None) -> None:
        if yes:
            run_on_screen(screen, lambda: deals.delete_deal(ctx, deal_id), deleted, group="delete",
                          refused_title=_("Not deleted"))

    app.push_screen(ConfirmScreen(question), answered)
