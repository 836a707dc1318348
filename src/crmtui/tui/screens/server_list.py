"""A full screen that lists what the team server answers (the pool, the deleted customers): a line saying it is
loading, the rows read in a thread worker, the server's refusal (offline, most often) in the list's place, and
the cursor and back keys."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.core.errors import CrmError
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.widgets.status_footer import StatusFooter


class ServerListScreen(CrmScreenMixin, Screen[None]):
    """Each list says what it reads (`fetch`) and how it shows it (`show`); its BINDINGS name the keys, which
    reach `action_cursor_down`, `action_cursor_up` and `action_back` here."""

    LIST = ""
    """Names the title's and the list's ids: `{LIST}-title`, `{LIST}-list`."""

    def heading(self) -> str:
        """The title, in the current language."""
        raise NotImplementedError

    def loading_line(self) -> str:
        """What the list says while the server answers."""
        raise NotImplementedError

    def fetch(self) -> list[Any]:
        """Reads the rows from the server; runs in the worker (raises CrmError when it cannot)."""
        raise NotImplementedError

    def show(self, rows: list[Any]) -> None:
        """Puts the rows on screen."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        yield Static(self.heading(), id=f"{self.LIST}-title", classes="title")
        yield OptionList(Option(Text(self.loading_line(), style="dim"), disabled=True), id=f"{self.LIST}-list")
        yield StatusFooter()

    def listing(self) -> OptionList:
        return self.query_one(f"#{self.LIST}-list", OptionList)

    def show_count(self, count: int) -> None:
        """The title with how many rows the server listed."""
        self.query_one(f"#{self.LIST}-title", Static).update(Text(f"{self.heading()} ({count})"))

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def load(self) -> None:
        try:
            rows = self.fetch()
        except CrmError as error:
            self.app.call_from_thread(self.show_problem, error.message())
            return
        self.app.call_from_thread(self.show, rows)

    def show_problem(self, message: str) -> None:
        self.listing().set_options([Option(Text(message), disabled=True)])

    def action_cursor_down(self) -> None:
        self.listing().action_cursor_down()

    def action_cursor_up(self) -> None:
        self.listing().action_cursor_up()

    def action_back(self) -> None:
        self.app.pop_screen()
