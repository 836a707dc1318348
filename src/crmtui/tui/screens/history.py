"""A customer's history (`h` on the customer screen): every action on it, its contacts, deals, contracts and
instalments, newest first (when, who, from where, what), each change under it as old → new. Read-only: the
history is loaded in a worker and only scrolled here.

Also the app's undo (`u` on Today and on the customer screen): it names the action and its changes, asks, then
undoes it; a refusal says why in the rep's words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.widgets.option_list import Option

from crmtui.core.i18n import N_, _, sentences
from crmtui.services.history import HistoryEntry, change_text, history_of
from crmtui.services.undo import UndoPlan, undo, undo_plan
from crmtui.tui.base import run_on_screen
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.screens.server_list import ServerListScreen
from crmtui.tui.widgets.cells import row

if TYPE_CHECKING:
    from crmtui.tui.app import CrmApp

SHOWN_ACTIONS = 200
"""The newest actions the screen lists (a customer's whole life, in practice)."""
ASKED_CHANGES = 6
"""The changes the undo question lists before "… and N more"."""


class HistoryScreen(ServerListScreen):
    """One line an action (when, who · from where, what), its changes indented under it."""

    BINDINGS = [  # noqa: RUF012 (Textual reads a list)
        Binding("j", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="up", show=False),
        Binding("escape", "back", N_("Back"), id="back"),
    ]

    LIST = "history"

    def __init__(self, customer_id: str, customer_name: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = customer_name

    def heading(self) -> str:
        return _("History of {name}").format(name=self.customer_name)

    def loading_line(self) -> str:
        return _("Loading the history…")

    def fetch(self) -> list[HistoryEntry]:
        return history_of(self.crm.ctx, customer_id=self.customer_id, limit=SHOWN_ACTIONS)

    def show(self, entries: list[HistoryEntry]) -> None:
        listing = self.listing()
        width = max(40, (listing.size.width or 80) - 4)
        options: list[Option] = []
        whos = [f"{entry.who} · {entry.source_label}" for entry in entries]
        # columns as wide as their longest text in display cells (a Chinese date is wider than its characters)
        when_width = max((cell_len(entry.when) for entry in entries), default=0)
        who_width = min(max((cell_len(who) for who in whos), default=0), width // 4)
        for entry, who in zip(entries, whos, strict=True):
            what = entry.what + ("  " + _("(undone)") if entry.undone else "")
            options.append(Option(row((entry.when, when_width), (who, who_width), (what, 0, "bold"))))
            options += [Option(row(("", 2), (change_text(line), width - 4), gap=0)) for line in entry.changes]
        if not options:
            options.append(Option(Text(_("No history yet.")), disabled=True))
        self.show_count(len(entries))
        listing.set_options(options)
        listing.highlighted = 0 if entries else None
        listing.focus()


def ask_undo(app: CrmApp) -> None:
    """`u`: names the rep's last action and its changes, asks, then undoes it in a worker of the current screen;
    says plainly why when it cannot be undone."""
    screen = app.screen
    ctx = app.ctx

    def planned(plan: UndoPlan) -> None:
        if plan.refusal:
            app.notify(plan.refusal, title=_("Not undone"), severity="warning")
            return
        lines = [change_text(line) for line in plan.changes[:ASKED_CHANGES]]
        if plan.total > len(lines):
            lines.append(_("… and {count} more").format(count=plan.total - len(lines)))
        question = sentences(_("Undo {what}?").format(what=plan.what), _("({when}, {source})").format(
            when=plan.when, source=plan.source_label)) + "\n" + "\n".join(lines)

        def answered(yes: bool | None) -> None:
            if yes:
                # an import's thousands of records take seconds: the rep is told it is under way
                app.notify(_("Undoing {what}…").format(what=plan.what), title=_("Undo"))
                run_on_screen(screen, lambda: undo(ctx, plan), undone, group="undo", refused_title=_("Not undone"))

        app.push_screen(ConfirmScreen(question), answered)

    def undone(plan: UndoPlan) -> None:
        app.notify(_("Undone: {what}.").format(what=plan.what), title=_("Undone"))
        app.refresh_data()

    run_on_screen(screen, lambda: undo_plan(ctx, ASKED_CHANGES), planned, group="undo",
                  refused_title=_("Nothing undone"))


