"""Merging a duplicate into the customer on screen: find it, confirm, nothing is lost."""

from __future__ import annotations

from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.form import SavesInWorker
from crmtui.core.errors import CrmError
from crmtui.services.merge import MergePlan, describe_merge, merge_customers, merge_plan
from crmtui.services.search import search
from crmtui.core.i18n import N_, _
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.widgets.cells import literal, row


class MergeScreen(CrmScreenMixin, SavesInWorker, ModalScreen[None]):
    """Type part of the duplicate's name; Enter on it asks to confirm the merge into this customer."""

    BINDINGS = [Binding("escape", "close", N_("Close"), id="close-merge")]

    def __init__(self, keep_id: str, keep_name: str) -> None:
        super().__init__()
        self.keep_id = keep_id
        self.keep_name = keep_name
        self.names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(_("Merge a duplicate into {name}").format(name=self.keep_name)), classes="title")
            yield Input(placeholder=_("the duplicate's name, phone or pinyin"), id="merge-query")
            yield OptionList(id="merge-results")

    @on(Input.Changed, "#merge-query")
    def changed(self, event: Input.Changed) -> None:
        self.find(event.value)

    @work(thread=True, exclusive=True, group="merge", exit_on_error=False)
    def find(self, text: str) -> None:
        hits = search(self.crm.ctx, text) if text.strip() else []
        found: dict[str, str] = {}
        for hit in hits:
            if hit.customer_id != self.keep_id:
                found.setdefault(hit.customer_id, hit.customer_name)
        self.app.call_from_thread(self.show, found)

    def show(self, found: dict[str, str]) -> None:
        self.names = found
        listing = self.query_one("#merge-results", OptionList)
        listing.set_options([Option(row((name, 0)), id=cid) for cid, name in found.items()])

    @on(Input.Submitted, "#merge-query")
    def to_results(self) -> None:
        listing = self.query_one("#merge-results", OptionList)
        if listing.option_count:
            listing.highlighted = 0
            listing.focus()

    @on(OptionList.OptionSelected, "#merge-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.prepare(event.option.id or "")

    @work(thread=True, exclusive=True, group="merge-plan", exit_on_error=False)
    def prepare(self, other_id: str) -> None:
        """Works out what the merge will do, so the confirmation can say it before the rep says yes."""
        ctx = self.crm.ctx
        try:
            plan = merge_plan(ctx, self.keep_id, other_id)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, exc.message(), severity="error")
            return
        self.app.call_from_thread(self.confirm, plan, describe_merge(ctx, plan))

    def confirm(self, plan: MergePlan, summary: list[str]) -> None:
        def answered(yes: bool | None) -> None:
            if yes and self.start_saving():
                self.save_in_worker(partial(self.merge, plan))

        self.app.push_screen(ConfirmScreen("\n".join([*summary, _("Merge them?")])), answered)

    def merge(self, plan: MergePlan) -> str:
        """Merges through the service, in the save's worker (refused when the records changed since the plan was
        shown); the duplicate's name."""
        merge_customers(self.crm.ctx, plan.keep_id, plan.other_id, expected=plan)
        return plan.other_name

    def saved(self, result: object) -> None:
        self.notify(_("Merged {other} into {keep}").format(other=result, keep=self.keep_name))
        self.crm.refresh_data()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
