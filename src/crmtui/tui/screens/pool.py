"""The team's pool 公海: customers nobody holds and why they are there; Enter shows one read-only, `c` claims it,
a manager's `a` gives it to a rep and `u` lists the deleted customers to restore (needs the server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from crmtui.core import i18n
from crmtui.core.dates import format_when
from crmtui.core.i18n import N_, _
from crmtui.services.team import PoolEntry, pool_list, why_text
from crmtui.tui.dialogs.claim import claim_from_pool
from crmtui.tui.dialogs.reassign import reassign_customer
from crmtui.tui.messages import PoolChanged
from crmtui.tui.screens.deleted_customers import DeletedCustomersScreen
from crmtui.tui.screens.pool_customer import PoolCustomerScreen
from crmtui.tui.screens.server_list import ServerListScreen
from crmtui.tui.widgets.cells import fit, row

if TYPE_CHECKING:
    from crmtui.core.clock import Clock


class PoolScreen(ServerListScreen):
    """Lists the pool from the server; Enter opens the highlighted customer read-only, `c` claims it after a yes."""

    DEFAULT_CSS = """
    PoolScreen #pool-list { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BINDINGS = [
        Binding("c", "claim", N_("Claim"), id="claim"),
        Binding("a", "assign", N_("Assign to a rep"), id="assign"),
        Binding("u", "deleted", N_("Deleted customers"), id="deleted"),
        Binding("r", "reload", N_("Reload"), id="reload"),
        Binding("j", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="up", show=False),
        Binding("escape", "back", N_("Back"), id="back"),
    ]

    LIST = "pool"

    def __init__(self) -> None:
        super().__init__()
        self.customers: dict[str, PoolEntry] = {}
        self._rows_width = 0
        """The width the rows on screen were made for."""

    def heading(self) -> str:
        return _("Pool")

    def loading_line(self) -> str:
        return _("Loading the pool from the server…")

    def fetch(self) -> list[PoolEntry]:
        return pool_list(self.crm.ctx)

    def show(self, customers: list[PoolEntry]) -> None:
        before = self.current()
        self.customers = {c.id: c for c in customers}
        self.show_count(len(customers))
        listing = self.listing()
        self._show_rows()
        if self.customers:
            # A reload keeps the cursor on the customer it was on, while that one is still in the pool.
            ids = list(self.customers)
            listing.highlighted = ids.index(before.id) if before is not None and before.id in ids else 0
        listing.focus()
        # The rows are made for the list's width; a scroll bar that comes with them takes some of it.
        self.call_after_refresh(self._refit)

    def _show_rows(self) -> None:
        listing = self.listing()
        self._rows_width = listing.scrollable_content_region.width
        clock = self.crm.ctx.clock
        customers = list(self.customers.values())
        options = [Option(line, id=c.id) for c, line in
                   zip(customers, pool_rows(customers, max(40, self._rows_width or 80), clock), strict=True)]
        if not options:
            options.append(Option(Text(_("The pool is empty.")), disabled=True))
        highlighted = listing.highlighted
        listing.set_options(options)
        if highlighted is not None and highlighted < len(options):
            listing.highlighted = highlighted

    def _refit(self, tries: int = 3) -> None:
        """Makes the rows again for the list's width once the screen has settled (scroll bars that came with the
        rows narrow the list); a wider row would be cut."""
        if self.customers and tries and self.listing().scrollable_content_region.width != self._rows_width:
            self._show_rows()
            self.call_after_refresh(self._refit, tries - 1)

    def on_resize(self) -> None:
        if self.customers:
            self.call_after_refresh(self._refit)

    def current(self) -> PoolEntry | None:
        option = self.listing().highlighted_option
        return self.customers.get(option.id) if option is not None and option.id else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("assign", "deleted"):
            return self.crm.is_manager
        return True

    def action_open(self) -> None:
        customer = self.current()
        if customer is not None:
            self.app.push_screen(PoolCustomerScreen(customer.id, customer.name))

    def action_claim(self) -> None:
        customer = self.current()
        if customer is None:
            self.notify(_("Move to a customer first"), severity="warning")
            return
        claim_from_pool(self.crm, customer.id, customer.name)

    def action_assign(self) -> None:
        customer = self.current()
        if customer is None:
            self.notify(_("Move to a customer first"), severity="warning")
            return
        reassign_customer(self.crm, customer.id, customer.name, None, to_pool=False, done=lambda _rep: self.action_reload())

    def action_deleted(self) -> None:
        self.app.push_screen(DeletedCustomersScreen())

    def action_reload(self) -> None:
        self.load()

    @on(PoolChanged)
    def reload_after_claim_or_restore(self) -> None:
        self.load()

    @on(OptionList.OptionSelected, "#pool-list")
    def selected(self) -> None:
        self.action_open()


GAP = 2
NARROWEST = 8
"""The fewest cells a column is cut to before the next one is cut."""


def pool_rows(customers: list[PoolEntry], width: int, clock: Clock) -> list[Text]:
    """One line of at most `width` cells per customer: name, industry and region, why it is in the pool, and
    when the rep last followed it up, or, for a customer the rep may not claim yet, from when they may.
    Columns take the width they need; when the line is too narrow, the industry and region are cut first, then
    the reason, then the name, never the date."""
    today = clock.today()
    cells = []
    for c in customers:
        if c.claimable_after:
            # A release or a reclaim of this rep's lately: the server refuses their claim until then.
            when = format_when(clock.to_local(c.claimable_after), True, i18n.language, today)  # type: ignore[arg-type]
            last = _("claim again from {day}").format(day=when)
        else:
            local = clock.to_local(c.last_follow_up)
            last = _("last {day}").format(day=format_when(local.date(), False, i18n.language, today) if local else "—")
        cells.append((c.name, " · ".join(part for part in (c.industry, c.region) if part), why_text(c), last))
    caps = (max(14, width * 3 // 10), max(10, width // 5), max(12, width * 4 // 10), width)
    widths = [min(cap, max((cell_len(line[i]) for line in cells), default=0)) for i, cap in enumerate(caps)]
    excess = sum(widths) + GAP * (len(widths) - 1) - width
    for index in (1, 2, 0, 3):  # industry and region, reason, name; the date only on a very narrow screen
        cut = max(0, min(excess, widths[index] - (NARROWEST if index != 3 else 0)))
        widths[index] -= cut
        excess -= cut
    return [row(*((value, width) for value, width in zip(line[:3], widths[:3], strict=True)),
                (fit(line[3], widths[3]).rstrip(), 0), gap=GAP) for line in cells]

