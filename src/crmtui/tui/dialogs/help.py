"""`?`: every key of every screen and dialog, from their bindings (so it cannot drift from them), each with its
one-line tooltip. The app gives the sections, so this module imports neither the app nor its screens."""

from __future__ import annotations

from itertools import groupby, pairwise

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from crmtui.core.i18n import N_, _
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.bindings import tooltip
from crmtui.tui.widgets.status_footer import StatusFooter


def joined_keys(keys: list[str]) -> str:
    """Several keys of one row: a run of three or more ("1" to "7") as "1-7", else "y / n"."""
    if len(keys) > 2 and all(len(k) == 1 for k in keys) and all(ord(b) - ord(a) == 1 for a, b in pairwise(keys)):
        return f"{keys[0]}-{keys[-1]}"
    return " / ".join(keys)


def _table() -> Table:
    """A section's keys: the keys, what they do, and the tooltip taking the rest of the width."""
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    table.add_column(style="bold", no_wrap=True, width=12)
    table.add_column(width=24)
    table.add_column(style="dim", ratio=1)
    return table


class HelpScreen(CrmScreenMixin, ModalScreen[None]):
    """Lists the keys; Esc or ? closes it."""

    WIDTH = 110
    """Wider than the other dialogs (cut to the screen): each key has its tooltip beside it."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", N_("Close"), id="close-help"),
    ]

    rows: list[tuple[str, str]]
    """(keys, what they do) as shown, for tests and the palette."""
    tooltips: list[str]
    """The tooltip shown beside each of `rows` ("" where the row's text is the tooltip itself)."""

    def __init__(self, sections: list[tuple[str, type[DOMNode]]]) -> None:
        super().__init__()
        self.sections = sections
        """(title, the class whose BINDINGS it lists), in order; the app's own section first."""

    def section_rows(self, owner: type[DOMNode]) -> list[tuple[str, str, str]]:
        """(keys, what they do, tooltip) for one class's bindings, in the rep's language and keys. A binding
        without a description (the follow-up form's 1-7, y, n) is told by its tooltip, and neighbours that say
        the same are one row ("1-7")."""
        keymap = dict(self.crm.ctx.settings.keys)
        team = self.crm.ctx.settings.sync.configured
        listed: list[tuple[str, str, str]] = []
        for binding in owner.BINDINGS:
            if not isinstance(binding, Binding):
                continue
            if binding.action in getattr(owner, "TEAM_ACTIONS", ()):
                # Team keys only in a team; a screen's team keys (reassign) only for a manager.
                if not (team if issubclass(owner, App) else self.crm.is_manager):
                    continue
            english = tooltip(binding)
            tip = _(english) if english else ""
            keys = keymap.get(binding.id or "", binding.key)
            shown = binding.key_display or ", ".join(self.app.get_key_display(Binding(k, "")) for k in keys.split(","))
            if binding.description:
                listed.append((shown, _(binding.description), tip))
            elif tip:
                listed.append((shown, tip, ""))
        rows = []
        for (text, tip), same in groupby(listed, key=lambda row: (row[1], row[2])):
            rows.append((joined_keys([keys for keys, _text, _tip in same]), text, tip))
        return rows

    def compose(self) -> ComposeResult:
        self.rows = []
        self.tooltips = []
        parts: list[RenderableType] = []
        for title, owner in self.sections:
            table = _table()
            for keys, text, tip in self.section_rows(owner):
                self.rows.append((keys, text))
                self.tooltips.append(tip)
                table.add_row(keys, text, tip)
            parts += [Text(title, style="reverse"), table, Text("")]
        table = _table()
        table.add_row("ctrl+p", _("Command palette: every action by name"), "")
        parts.append(table)
        box = VerticalScroll(classes="dialog")
        box.styles.width = self.WIDTH  # over the dialogs' width in app.tcss
        with box:
            yield Static(_("Keys"), classes="title")
            yield Static(Group(*parts), id="help-text")
        yield StatusFooter()

    def action_close(self) -> None:
        self.dismiss(None)
