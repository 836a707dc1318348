"""`?`: every key of every screen, from the bindings themselves (so it cannot drift from them)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from crmtui.tui.base import CrmScreenMixin
from crmtui.core.i18n import N_, _
from crmtui.tui.widgets.status_footer import StatusFooter


def _screens(team: bool = False) -> list[tuple[str, type]]:
    from crmtui.tui.app import CrmApp
    from crmtui.tui.screens.customer import CustomerScreen
    from crmtui.tui.dialogs.follow_up import FollowUpForm
    from crmtui.tui.screens.pipeline import PipelineScreen
    from crmtui.tui.dialogs.search import SearchScreen
    from crmtui.tui.screens.today import TodayScreen

    return [
        (_("Everywhere"), CrmApp), (_("Today"), TodayScreen), (_("Customer"), CustomerScreen),
        (_("Follow-up form"), FollowUpForm), (_("Pipeline"), PipelineScreen), (_("Search"), SearchScreen),
    ] + (_team_screens() if team else [])


def _team_screens() -> list[tuple[str, type]]:
    from crmtui.tui.screens.pool import PoolScreen

    return [(_("Pool"), PoolScreen)]


class HelpScreen(CrmScreenMixin, ModalScreen[None]):
    """Lists the keys; Esc or ? closes it."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", N_("Close"), id="close-help"),
    ]

    rows: list[tuple[str, str]]
    """(keys, what they do) as shown, for tests and the palette."""

    def compose(self) -> ComposeResult:
        self.rows = []
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        keymap = dict(self.app.ctx.settings.keys)  # type: ignore[attr-defined]
        team = self.app.ctx.settings.sync.configured  # type: ignore[attr-defined]
        for title, owner in _screens(team):
            table.add_row(Text(title, style="reverse"), "")
            for binding in owner.BINDINGS:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                if binding.action in getattr(owner, "TEAM_ACTIONS", ()):
                    # Team keys only in a team; a screen's team keys (reassign) only for a manager.
                    allowed = team if owner.__name__ == "CrmApp" else getattr(self.app, "is_manager", False)
                    if not allowed:
                        continue
                keys = keymap.get(binding.id or "", binding.key)
                shown = binding.key_display or ", ".join(self.app.get_key_display(Binding(k, "")) for k in keys.split(","))
                self.rows.append((shown, _(binding.description)))
                table.add_row(shown, _(binding.description))
            if owner.__name__ == "FollowUpForm":
                for keys, text in (("1-7", _("Pick the channel")), ("y / n", _("Goal met: yes / no")),
                                   ("Tab", _("Next field"))):
                    self.rows.append((keys, text))
                    table.add_row(keys, text)
            table.add_row("", "")
        table.add_row("ctrl+p", _("Command palette: every action by name"))
        with VerticalScroll(classes="dialog"):
            yield Static(_("Keys"), classes="title")
            yield Static(table, id="help-text")
        yield StatusFooter()

    def action_close(self) -> None:
        self.dismiss(None)
