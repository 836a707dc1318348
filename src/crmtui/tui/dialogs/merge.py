"""Merging a duplicate into the customer on screen: the likely duplicates offered first, or found by name; one
Enter asks to confirm the merge; nothing is lost."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from crmtui.core import labels
from crmtui.core.errors import CrmError
from crmtui.core.i18n import N_, _
from crmtui.core.normalize import visible
from crmtui.services.merge import (
    LikelyDuplicate,
    MergePlan,
    describe_merge,
    likely_duplicates,
    merge_customers,
    merge_plan,
)
from crmtui.services.search import search
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.form import SavesInWorker
from crmtui.tui.widgets.cells import fit, literal, row

NAME_WIDTH = 28
"""Cells for a candidate's name before its mark."""


class CandidateList(OptionList):
    """The candidates: Up on the first one goes back to the query box."""

    def action_cursor_up(self) -> None:
        if not self.highlighted:
            self.screen.query_one("#merge-query", Input).focus()
            return
        super().action_cursor_up()


class MergeScreen(CrmScreenMixin, SavesInWorker, ModalScreen[None]):
    """The likely duplicates are listed as it opens; typing finds any customer. Enter (in the box or on a
    candidate) asks to confirm merging the highlighted one into this customer; ↓ moves into the list."""

    BINDINGS = [Binding("escape", "close", N_("Close"), id="close-merge")]

    def __init__(self, keep_id: str, keep_name: str) -> None:
        super().__init__()
        self.keep_id = keep_id
        self.keep_name = keep_name
        self.names: dict[str, str] = {}
        """The listed candidates: customer id → name."""
        self.likely: dict[str, LikelyDuplicate] = {}
        """The duplicates the duplicate rule knows of, by customer id (listed first, marked)."""
        self.shown_for: str | None = None
        """The query the list answers ("" for the likely duplicates); None until the first answer."""
        self.pick_when_shown = False
        """Enter came before the answer to what is typed: the answer's first candidate is taken when it comes."""
        self.asking = False
        """A candidate was taken and its confirmation is on its way or shown: another Enter is not a second one."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="merge-dialog"):
            yield Static(literal(_("Merge a duplicate into {name}").format(name=self.keep_name)), classes="title")
            yield Input(placeholder=_("the duplicate's name, phone or pinyin"), id="merge-query")
            yield CandidateList(id="merge-results")
            yield Static(_("Enter merges the highlighted one, after a yes · ↓ list · Esc closes"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#merge-query", Input).focus()
        self.find("")

    @on(Input.Changed, "#merge-query")
    def changed(self, event: Input.Changed) -> None:
        self.find(event.value)

    @work(thread=True, exclusive=True, group="merge", exit_on_error=False)
    def find(self, text: str) -> None:
        """The likely duplicates (looked up once), then what the query finds; each keystroke replaces the last."""
        ctx = self.crm.ctx
        likely = self.likely if self.shown_for is not None else {
            d.customer_id: d for d in likely_duplicates(ctx, self.keep_id)}
        if text.strip():
            matching = {hit.customer_id: hit.customer_name for hit in search(ctx, text) if hit.customer_id != self.keep_id}
            # What the rule already knows comes first among what the query finds.
            found = {cid: name for cid, name in matching.items() if cid in likely} | matching
        else:
            found = {cid: duplicate.name for cid, duplicate in likely.items()}
        self.app.call_from_thread(self.show, text, likely, found)

    def show(self, text: str, likely: dict[str, LikelyDuplicate], found: dict[str, str]) -> None:
        if text != self.query_one("#merge-query", Input).value:
            return  # an older keystroke's answer arrived late
        self.likely, self.names, self.shown_for = likely, found, text
        listing = self.query_one("#merge-results", OptionList)
        options = [Option(self._line(cid, name), id=cid) for cid, name in found.items()]
        if not options:
            hint = _("no match") if text.strip() else _("no likely duplicate — type a name, phone or pinyin")
            options.append(Option(literal(hint), disabled=True))
        listing.set_options(options)
        if found:
            listing.highlighted = 0
        if self.pick_when_shown:
            self.pick_when_shown = False
            self.submitted()

    def _line(self, customer_id: str, name: str) -> Text | Content:
        duplicate = self.likely.get(customer_id)
        if duplicate is None:
            return row((name, 0))
        mark = _("likely duplicate: same {reason}").format(reason=labels.field(duplicate.reason).lower())
        # Content, not Text: the mark takes the theme's warning colour, in dark and light themes alike
        return Content.assemble(fit(name, NAME_WIDTH), "  ", (visible(mark), "$text-warning italic"))

    def on_key(self, event: events.Key) -> None:
        """↓ in the query box moves into the list (the box has no use for it)."""
        listing = self.query_one("#merge-results", OptionList)
        if event.key == "down" and self.focused is self.query_one("#merge-query", Input) and self.names:
            event.stop()
            if listing.highlighted is None:
                listing.highlighted = 0
            listing.focus()

    @on(Input.Submitted, "#merge-query")
    def submitted(self) -> None:
        """Enter in the box takes the highlighted candidate, once the list answers what is typed."""
        if self.shown_for != self.query_one("#merge-query", Input).value:
            self.pick_when_shown = True
            return
        option = self.query_one("#merge-results", OptionList).highlighted_option
        if option is not None and option.id in self.names:
            self.take(option.id)

    @on(OptionList.OptionSelected, "#merge-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id in self.names:
            self.take(event.option.id or "")

    def take(self, other_id: str) -> None:
        if not self.asking:
            self.asking = True
            self.prepare(other_id)

    @work(thread=True, exclusive=True, group="merge-plan", exit_on_error=False)
    def prepare(self, other_id: str) -> None:
        """Works out what the merge will do, so the confirmation can say it before the rep says yes."""
        ctx = self.crm.ctx
        try:
            plan = merge_plan(ctx, self.keep_id, other_id)
            summary = describe_merge(ctx, plan)
        except CrmError as exc:
            self.app.call_from_thread(self.plan_refused, exc.message())
            return
        except Exception:
            self.app.call_from_thread(self.plan_refused, None)  # the worker's error is notified by the screen
            raise
        self.app.call_from_thread(self.confirm, plan, summary)

    def plan_refused(self, message: str | None) -> None:
        """No confirmation comes: another candidate may be taken."""
        self.asking = False
        if message:
            self.notify(message, severity="error")

    def confirm(self, plan: MergePlan, summary: list[str]) -> None:
        def answered(yes: bool | None) -> None:
            self.asking = False
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
