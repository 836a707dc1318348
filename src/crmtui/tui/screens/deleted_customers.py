"""A manager's list of the team's deleted customers (read from the server): Enter restores the highlighted one,
with the records deleted with it, to the rep who held it (or the pool) after a yes."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from crmtui.core import i18n
from crmtui.core.dates import format_when
from crmtui.core.i18n import N_, _
from crmtui.services.pool import deleted_team_customers, restore_team_customer
from crmtui.services.team import DeletedCustomer
from crmtui.tui.base import run_on_screen
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.messages import PoolChanged
from crmtui.tui.screens.server_list import ServerListScreen
from crmtui.tui.widgets.cells import row


class DeletedCustomersScreen(ServerListScreen):
    """Deleted customers, newest deletion first: name, who held it, when deleted."""

    BINDINGS = [
        Binding("j", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="up", show=False),
        Binding("escape", "back", N_("Back"), id="back"),
    ]

    LIST = "deleted"

    def __init__(self) -> None:
        super().__init__()
        self.customers: dict[str, DeletedCustomer] = {}

    def heading(self) -> str:
        return _("Deleted customers")

    def loading_line(self) -> str:
        return _("Loading the deleted customers from the server…")

    def fetch(self) -> list[DeletedCustomer]:
        return deleted_team_customers(self.crm.ctx)

    def show(self, customers: list[DeletedCustomer]) -> None:
        self.customers = {c.id: c for c in customers}
        listing = self.listing()
        width = max(40, listing.size.width or 80) - 2
        clock = self.crm.ctx.clock
        options = [Option(row((c.name, max(14, width * 4 // 10)), (c.holder or _("pool"), max(12, width * 3 // 10)),
                              (_("deleted {day}").format(day=format_when(
                                  clock.to_local(c.deleted_at), True, i18n.language, clock.today())), 0)), id=c.id)
                   for c in customers]
        if not options:
            options.append(Option(Text(_("No deleted customers.")), disabled=True))
        self.show_count(len(customers))
        listing.set_options(options)
        if self.customers:
            listing.highlighted = 0
        listing.focus()

    @on(OptionList.OptionSelected, "#deleted-list")
    def selected(self, event: OptionList.OptionSelected) -> None:
        customer = self.customers.get(event.option.id or "")
        if customer is not None:
            self.ask_restore(customer)

    def ask_restore(self, customer: DeletedCustomer) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                # a worker of this screen, so a failure reaches its worker handler as a notification
                run_on_screen(self, partial(restore_team_customer, self.crm.ctx, customer.id),
                              lambda _none: self.restored(customer), group="restore", refused_title=_("Not restored"))

        question = _("Restore {name}? It goes back to {holder} with the records deleted with it").format(
            name=customer.name, holder=customer.holder or _("the pool"))
        self.app.push_screen(ConfirmScreen(question), answered)

    def restored(self, customer: DeletedCustomer) -> None:
        app = self.crm
        app.notify(_("{name} is back; every laptop receives it at its next sync").format(name=customer.name),
                   title=_("Restored"))
        if app.screen is self:
            app.pop_screen()
        for screen in app.screen_stack:
            screen.post_message(PoolChanged())
        app.refresh_data("sync")
