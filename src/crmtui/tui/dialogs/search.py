"""`/`: search as you type over names, phones, emails, WeChat ids, pinyin and notes; Enter opens."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin
from crmtui.core.i18n import N_, _
from crmtui.services.lookup import owner_note, owners_of
from crmtui.services.search import SearchHit, search
from crmtui.tui.widgets.cells import row


class SearchScreen(CrmScreenMixin, ModalScreen[None]):
    """A query box over a result list; ↓ moves into the results."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="close-search"),
        Binding("down", "results", N_("Results"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: dict[str, SearchHit] = {}
        self.owners: dict[str, str | None] = {}
        """On a manager's laptop: whose each hit's customer is."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="search-dialog"):
            yield Static(_("Search"), classes="title")
            yield Input(placeholder=_("name, phone, email, WeChat, pinyin (zs finds 张三), notes"), id="query")
            yield OptionList(id="results")
            yield Static(_("Enter opens · ↓ to the results · Esc closes"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, text: str) -> None:
        """Each keystroke replaces the previous search (exclusive worker)."""
        hits = search(self.crm.ctx, text) if text.strip() else []
        if self.crm.is_manager and hits:
            self.owners = owners_of(self.crm.ctx, list({hit.customer_id for hit in hits}))
        self.app.call_from_thread(self.show_hits, text, hits)

    def show_hits(self, text: str, hits: list[SearchHit]) -> None:
        if text != self.query_one("#query", Input).value:
            return  # an older keystroke's answer arrived late
        listing = self.query_one("#results", OptionList)
        self.hits = {}
        options = []
        whose = self.owners
        for index, hit in enumerate(hits):
            key = f"hit-{index}"
            self.hits[key] = hit
            detail = hit.detail + (owner_note(self.crm.ctx, whose.get(hit.customer_id), " · ") if whose else "")
            options.append(Option(row((hit.customer_name, 26), (hit.label(), 8, "dim"), (detail, 0)), id=key))
        if text.strip() and not hits:
            options.append(Option(Text(_("no match"), style="dim"), disabled=True))
        listing.set_options(options)
        if self.hits:
            listing.highlighted = 0

    @on(Input.Submitted, "#query")
    def open_first(self) -> None:
        listing = self.query_one("#results", OptionList)
        self._open(listing.highlighted_option.id if listing.highlighted_option else None)

    @on(OptionList.OptionSelected, "#results")
    def open_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def _open(self, key: str | None) -> None:
        hit = self.hits.get(key or "")
        if hit is None:
            return
        self.dismiss(None)
        self.crm.open_customer(hit.customer_id)

    def action_results(self) -> None:
        listing = self.query_one("#results", OptionList)
        if listing.option_count:
            listing.focus()

    def action_close(self) -> None:
        self.dismiss(None)
