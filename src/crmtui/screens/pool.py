"""The team's pool 公海: customers nobody holds and why they are there; Enter shows one read-only, `c` claims it,
a manager's `a` gives it to a rep and `u` lists the deleted customers to restore (needs the server)."""

from __future__ import annotations

from rich.text import Text
from collections.abc import Callable
from functools import partial

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.errors import CrmError
from crmtui.i18n import N_, _
from crmtui.screens.base import CrmScreenMixin
from crmtui.sync.pool_view import PoolEntry
from crmtui.widgets.cells import row
from crmtui.widgets.status_footer import StatusFooter


class PoolScreen(CrmScreenMixin, Screen[None]):
    """Lists the pool from the server; Enter opens the highlighted customer read-only, `c` claims it after a yes."""

    BINDINGS = [
        Binding("c", "claim", N_("Claim"), id="claim"),
        Binding("a", "assign", N_("Assign to a rep"), id="assign"),
        Binding("u", "deleted", N_("Deleted customers"), id="deleted"),
        Binding("r", "reload", N_("Reload"), id="reload"),
        Binding("j", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="up", show=False),
        Binding("escape", "back", N_("Back"), id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.customers: dict[str, PoolEntry] = {}

    def compose(self) -> ComposeResult:
        yield Static(_("Pool"), id="pool-title", classes="title")
        yield OptionList(Option(Text(_("Loading the pool from the server…"), style="dim"), disabled=True),
                         id="pool-list")
        yield StatusFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="pool", exit_on_error=False)
    def load(self) -> None:
        from crmtui.sync.pool_view import pool_list

        try:
            customers = pool_list(self.app.ctx)  # type: ignore[attr-defined]
        except CrmError as error:
            self.app.call_from_thread(self.show_problem, error.message())
            return
        self.app.call_from_thread(self.show, customers)

    def show_problem(self, message: str) -> None:
        self.query_one("#pool-list", OptionList).set_options([Option(Text(message), disabled=True)])

    def show(self, customers: list[PoolEntry]) -> None:
        self.customers = {c.id: c for c in customers}
        listing = self.query_one("#pool-list", OptionList)
        width = max(40, listing.size.width or 80) - 2
        clock = self.app.ctx.clock  # type: ignore[attr-defined]
        options = []
        for c in customers:
            last = clock.to_local(c.last_follow_up).strftime("%Y-%m-%d") if c.last_follow_up else "—"
            details = " · ".join(part for part in (c.industry, c.region) if part)
            if c.claimable_after:
                # This rep's own release or a reclaim lately: the server refuses their claim until then. The
                # mark takes the rest of the line (its own last follow-up is the rep's to remember).
                locked = " · ".join(part for part in (c.why_text(), _("you can claim it again after {day}").format(
                    day=clock.to_local(c.claimable_after).strftime("%Y-%m-%d %H:%M"))) if part)
                options.append(Option(row((c.name, max(14, width * 3 // 10)), (details, max(10, width * 2 // 10)),
                                          (locked, 0)), id=c.id))
                continue
            options.append(Option(row((c.name, max(14, width * 3 // 10)), (details, max(10, width * 2 // 10)),
                                      (c.why_text(), max(12, width * 3 // 10)),
                                      (_("last {day}").format(day=last), 0)), id=c.id))
        if not options:
            options.append(Option(Text(_("The pool is empty.")), disabled=True))
        self.query_one("#pool-title", Static).update(Text(f"{_('Pool')} ({len(customers)})"))
        listing.set_options(options)
        if self.customers:
            listing.highlighted = 0
        listing.focus()

    def current(self) -> PoolEntry | None:
        option = self.query_one("#pool-list", OptionList).highlighted_option
        return self.customers.get(option.id) if option is not None and option.id else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("assign", "deleted"):
            return bool(getattr(self.app, "is_manager", False))
        return True

    def action_open(self) -> None:
        customer = self.current()
        if customer is not None:
            from crmtui.screens.pool_customer import PoolCustomerScreen

            self.app.push_screen(PoolCustomerScreen(customer.id, customer.name))

    def action_claim(self) -> None:
        customer = self.current()
        if customer is None:
            self.notify(_("Move to a customer first"), severity="warning")
            return
        claim_from_pool(self.app, customer.id, customer.name)

    def action_assign(self) -> None:
        customer = self.current()
        if customer is None:
            self.notify(_("Move to a customer first"), severity="warning")
            return
        from crmtui.screens.reassign import reassign_customer

        reassign_customer(self.app, customer.id, customer.name, None, to_pool=False, done=lambda _rep: self.load())

    def action_deleted(self) -> None:
        from crmtui.screens.deleted_customers import DeletedCustomersScreen

        self.app.push_screen(DeletedCustomersScreen())

    def action_reload(self) -> None:
        self.load()

    def action_cursor_down(self) -> None:
        self.query_one("#pool-list", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#pool-list", OptionList).action_cursor_up()

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(OptionList.OptionSelected, "#pool-list")
    def selected(self) -> None:
        self.action_open()


def claim_from_pool(app: App, customer_id: str, name: str, done: Callable[[bool], None] | None = None) -> None:
    """Asks "Claim NAME?", then claims on the server in a thread and pulls the customer; `done(arrived)` runs
    after a claim (arrived: the customer is on the laptop already), and every pool list on screen reloads."""
    from crmtui.screens.confirm import ConfirmScreen

    def answered(yes: bool | None) -> None:
        if yes:
            app.run_worker(claim_now, thread=True, group="claim", exit_on_error=False)

    def claim_now() -> None:
        from crmtui.sync.client import claim

        try:
            claimed_name, report = claim(app.ctx, customer_id)  # type: ignore[attr-defined]
        except CrmError as error:
            app.call_from_thread(app.notify, error.message(), title=_("Not claimed"), severity="warning")
            return
        app.call_from_thread(partial(claimed, claimed_name, report is not None))

    def claimed(claimed_name: str, arrived: bool) -> None:
        app.notify(_("{name} is yours now; log a follow-up soon").format(name=claimed_name), title=_("Claimed"))
        if done is not None:
            done(arrived)
        for screen in app.screen_stack:
            if isinstance(screen, PoolScreen):
                screen.load()
        app.refresh_data("sync")  # type: ignore[attr-defined]

    app.push_screen(ConfirmScreen(_("Claim {name}?").format(name=name)), answered)
