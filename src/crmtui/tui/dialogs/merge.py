"""Merging a duplicate into the customer on screen: find it, confirm, nothing is lost."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin
from crmtui.core.errors import CrmError
from crmtui.services.merge import MergePlan, describe_merge, merge_customers, merge_plan
from crmtui.services.search import search
from crmtui.core.i18n import N_, _
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.widgets.cells import literal, row


class MergeScreen(CrmScreenMixin, ModalScreen[None]):
    """Type part of the duplicate's name; Enter on it asks to confirm the merge into this customer."""

    BINDINGS = [Binding("escape", "close", N_("Close"), id="close-merge")]

    def __init__(self, keep_id: str, keep_name: str) -> None:
        super().__init__()
        self.keep_id = keep_id
        self.keep_name = keep_name
        self.names: dict[str, str] = {}
        self.merging = False
        """A merge is under way: the duplicate must not be merged twice."""

    class Merged(Message):
        """The merge's worker merged the duplicate in."""

        def __init__(self, other_name: str) -> None:
            super().__init__()
            self.other_name = other_name

    class Refused(Message):
        """The merge's worker merged nothing: the service's refusal, or None when the worker failed (the screen's
        worker handler shows that error)."""

        def __init__(self, error: CrmError | None) -> None:
            super().__init__()
            self.error = error

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
            if yes and not self.merging:
                self.merging = True
                self.merge(plan)

        self.app.push_screen(ConfirmScreen("\n".join([*summary, _("Merge them?")])), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="merge-save")
    def merge(self, plan: MergePlan) -> None:
        """Merges through the service off the event loop (refused when the records changed since the plan was
        shown), then reports back with a message."""
        try:
            merge_customers(self.crm.ctx, plan.keep_id, plan.other_id, expected=plan)
        except CrmError as exc:
            self.post_message(self.Refused(exc))
            return
        except Exception:
            self.post_message(self.Refused(None))
            raise
        self.post_message(self.Merged(plan.other_name))

    @on(Merged)
    def merged(self, event: Merged) -> None:
        self.notify(_("Merged {other} into {keep}").format(other=event.other_name, keep=self.keep_name))
        self.crm.refresh_data()
        self.dismiss(None)

    @on(Refused)
    def refused(self, event: Refused) -> None:
        self.merging = False
        if event.error is not None:
            self.notify(event.error.message(), severity="error")

    def action_close(self) -> None:
        self.dismiss(None)
