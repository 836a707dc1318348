"""Sync conflicts and rejections: what the server kept instead of a rep's write, and what it refused."""

from __future__ import annotations

from rich.cells import cell_len, chop_cells
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.core import labels
from crmtui.core.errors import CrmError
from crmtui.core.i18n import N_, _, ngettext
from crmtui.services.team import (
    RECEIVED,
    Conflict,
    RejectedChange,
    Rejection,
    advice,
    change_fields,
    change_value,
    conflicts,
    dismiss_rejected_change,
    mark_conflicts_seen,
    reason_text,
    record_kind,
    rejected_changes,
)
from crmtui.tui.base import CrmScreenMixin, ReloadsOnChange
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.widgets.cells import fit, row
from crmtui.tui.widgets.status_footer import StatusFooter

INDENT = 6
"""Where the lines under a rejected change start."""


def wrapped(pieces: list[str], width: int, separator: str = ", ") -> list[str]:
    """Pieces packed into lines of at most `width` cells, `separator` between them on a line; a piece wider than
    a line is cut across lines (Chinese has no spaces to break at). Each line starts at INDENT."""
    room = max(10, width - INDENT)
    lines: list[str] = []
    line = ""
    for piece in pieces:
        joined = f"{line}{separator}{piece}" if line else piece
        if cell_len(joined) <= room:
            line = joined
            continue
        if line:
            lines.append(line + separator.rstrip())
        parts = chop_cells(piece, room) or [""]
        lines.extend(parts[:-1])
        line = parts[-1]
    if line:
        lines.append(line)
    return [" " * INDENT + text for text in lines]


class ConflictsScreen(CrmScreenMixin, ReloadsOnChange, Screen[None]):
    """Read from the local copy: works offline."""

    DEFAULT_CSS = """
    ConflictsScreen #conflict-list { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("j", "cursor_down", N_("Down"), id="down", show=False),
        Binding("k", "cursor_up", N_("Up"), id="up", show=False),
        Binding("d", "dismiss_one", N_("Dismiss"), id="dismiss"),
        Binding("D", "dismiss_all", N_("Dismiss all"), id="dismiss-all"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.changes: dict[int, RejectedChange] = {}
        """The rejected changes on screen, by number."""

    def compose(self) -> ComposeResult:
        yield Static(_("Sync conflicts and rejected changes"), classes="title")
        yield OptionList(id="conflict-list")
        yield StatusFooter()

    @work(thread=True, exclusive=True, group="conflicts", exit_on_error=False)
    def load(self) -> None:
        found, rejected = conflicts(self.crm.ctx)
        mark_conflicts_seen(self.crm.ctx)
        self.app.call_from_thread(self.show, found, rejected)

    def show(self, found: list[Conflict], rejected: list[Rejection]) -> None:
        ctx = self.crm.ctx
        listing = self.query_one("#conflict-list", OptionList)
        # Lines made to fit even when a long list brings its scroll bar and the screen's (two cells each).
        width = max(40, listing.size.width or 80) - 4
        options: list[Option] = []
        options.append(Option(Text(f"{_('Conflicts: the later write was kept')} ({len(found)})", style="bold"),
                              disabled=True))
        for c in found:
            kept, lost = change_value(ctx, c.field, c.kept), change_value(ctx, c.field, c.lost)
            options.append(Option(row(
                ("  " + (c.customer or c.record_id[:8]), max(12, width // 5)), (labels.column(c.table, c.field), 12),
                (_("kept {value} ({who})").format(value=kept, who=c.kept_by or "?"), max(16, width * 3 // 10)),
                (_("lost {value} ({who})").format(value=lost, who=c.lost_by or "?"), 0))))
        aside = [r for r in rejected if r.kind == RECEIVED]
        changes = rejected_changes([r for r in rejected if r.kind != RECEIVED])
        self.changes = {change.seq: change for change in changes}
        options.append(Option(Text(f"{_('Rejected changes: not on the server')} ({len(changes)})", style="bold"),
                              disabled=True))
        for change in changes:
            r = change.rejection
            customer = r.customer or _("a customer no longer on this laptop")
            what = max(16, width // 4)
            lines = [row(("  #" + str(r.seq), 8), (f"{customer} · {record_kind(r.table)}", what),
                         (fit(reason_text(r.reason), width - 8 - what - 4).rstrip(), 0))]
            fields = [f"{label}={value}" for label, value in change_fields(ctx, r.table, r.changes, r.kind)]
            lines += [Text(line) for line in wrapped(fields, width)]
            # Its companions (the customer's dates the follow-up moved) are listed and dismissed with it.
            options.append(Option(Text("\n").join(lines), id=f"rejected-{r.seq}"))
            options.append(Option(Text("\n".join(wrapped(advice(r, ctx).split(" "), width, " ")), style="italic"),
                                  disabled=True))
        if changes:
            options.append(Option(Text(_("d dismisses the change under the cursor, D all of them"), style="dim"),
                                  disabled=True))
        if aside:  # rows of the server this laptop could not store (shown only when there are some)
            options.append(Option(Text(f"{_('Received but set aside: not stored here')} ({len(aside)})",
                                       style="bold"), disabled=True))
        for r in aside:
            options.append(Option(row(("  " + r.table, 20), (reason_text(r.reason), 0))))
        if aside:
            options.append(Option(Text("\n".join(wrapped(advice(aside[0]).split(" "), width, " ")), style="italic"),
                                  disabled=True))
        listing.set_options(options)
        listing.focus()
        first = next((i for i, option in enumerate(options) if not option.disabled), None)
        if first is not None:
            listing.highlighted = first

    def _chosen_rejection(self) -> int | None:
        listing = self.query_one("#conflict-list", OptionList)
        if listing.highlighted is None:
            return None
        option_id = listing.get_option_at_index(listing.highlighted).id or ""
        return int(option_id.split("-", 1)[1]) if option_id.startswith("rejected-") else None

    def action_dismiss_one(self) -> None:
        seq = self._chosen_rejection()
        change = self.changes.get(seq) if seq is not None else None
        if change is None:
            self.app.notify(_("Move the cursor to a rejected change to dismiss it"), severity="warning")
            return
        r = change.rejection
        # Dismissing gives the change up for good: asked first, naming what goes.
        question = _("Dismiss rejected change #{number} ({customer} · {kind})? It is given up for good").format(
            number=r.seq, kind=record_kind(r.table), customer=r.customer or _("a customer no longer on this laptop"))
        self._ask(question, seq)

    def action_dismiss_all(self) -> None:
        count = len(self.changes)
        if not count:
            self.app.notify(_("No rejected change to dismiss"), severity="warning")
            return
        self._ask(ngettext("Dismiss {count} rejected change? It is given up for good",
                           "Dismiss all {count} rejected changes? They are given up for good", count).format(
            count=count), None)

    def _ask(self, question: str, seq: int | None) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._dismiss(seq)

        self.app.push_screen(ConfirmScreen(question), answered)

    class Dismissed(Message):
        """The dismissal's worker gave up this many of the rep's changes."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class Refused(Message):
        """The dismissal's worker wrote nothing: the service's refusal."""

        def __init__(self, error: CrmError) -> None:
            super().__init__()
            self.error = error

    @work(thread=True, exclusive=True, exit_on_error=False, group="dismiss")
    def _dismiss(self, seq: int | None) -> None:
        """Writes off the event loop, then reports back with a message."""
        try:
            count = dismiss_rejected_change(self.crm.ctx, seq)
        except CrmError as error:
            self.post_message(self.Refused(error))
            return
        self.post_message(self.Dismissed(count))

    @on(Dismissed)
    def dismissed(self, event: Dismissed) -> None:
        self.crm.notify(ngettext("Dismissed {count} rejected change", "Dismissed {count} rejected changes",
                                 event.count).format(count=event.count))
        self.crm.refresh_data()  # the footer's count, and this list (it reloads on the change)

    @on(Refused)
    def refused(self, event: Refused) -> None:
        self.crm.notify(event.error.message(), severity="warning")

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor_down(self) -> None:
        self.query_one("#conflict-list", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#conflict-list", OptionList).action_cursor_up()
