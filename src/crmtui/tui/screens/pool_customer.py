"""A pool customer read-only, as the server has it: the rep judges the history (timeline, contacts, deals)
before claiming it with `c`; a manager can give it to a rep with `a`. Nothing is written to the laptop."""

from __future__ import annotations

from textual import work
from textual.binding import Binding
from textual.widgets import Static

from crmtui.core.errors import CrmError, NotFound
from crmtui.core.i18n import N_, _
from crmtui.services.pool import pool_customer_detail
from crmtui.tui.dialogs.claim import claim_from_pool
from crmtui.tui.dialogs.reassign import reassign_customer
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.widgets.cells import literal


class PoolCustomerScreen(CustomerScreen, inherit_bindings=False):
    """The 360 view without the editing keys; reloads from the server, closes when the customer left the pool."""

    BINDINGS = [
        Binding("c", "claim", N_("Claim"), id="claim-pool-customer"),
        Binding("a", "assign", N_("Assign to a rep"), id="assign-pool-customer"),
        Binding("escape", "back", N_("Back"), id="back"),
    ]
    read_only = True

    def __init__(self, customer_id: str, name: str) -> None:
        super().__init__(customer_id)
        self.customer_name = name
        self.claiming = False  # while this rep's own claim runs, the customer leaving the pool is that claim

    @work(thread=True, exclusive=True, group="customer", exit_on_error=False)
    def load(self) -> None:
        try:
            detail = pool_customer_detail(self.crm.ctx, self.customer_id)
        except NotFound:
            self.app.call_from_thread(self.left_pool)
            return
        except CrmError as error:  # offline, most often: say so where the history would be
            self.app.call_from_thread(self.cannot_load, error.message())
            return
        self.app.call_from_thread(self.show, detail)

    def cannot_load(self, message: str) -> None:
        self.query_one("#customer-title", Static).update(literal(self.customer_name))
        self.query_one("#profile", Static).update(literal(message))

    def left_pool(self) -> None:
        if self.claiming or self not in self.app.screen_stack:  # the claim's own ending closes this screen
            return
        self.notify(_("{name} is no longer in the pool").format(name=self.customer_name), severity="warning")
        self.dismiss_after_release()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "assign":
            return self.crm.is_manager
        return True

    def action_claim(self) -> None:
        claim_from_pool(self.crm, self.customer_id, self.customer_name, done=self.claimed, pending=self.set_claiming)

    def set_claiming(self, claiming: bool) -> None:
        self.claiming = claiming

    def claimed(self, arrived: bool) -> None:
        """Claimed: the customer's own (editable) screen replaces this one when it is on the laptop."""
        if self.app.screen is self:
            self.app.pop_screen()
            if arrived:
                self.crm.open_customer(self.customer_id)

    def action_assign(self) -> None:
        reassign_customer(self.app, self.customer_id, self.customer_name, None, to_pool=False,
                          done=lambda _rep: self.dismiss_after_release())
