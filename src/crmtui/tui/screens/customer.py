"""The customer 360 view: profile, contacts, deals with days in stage, instalments, and the follow-up timeline."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.tui.base import CrmScreenMixin
from crmtui.core import i18n, labels
from crmtui.core.dates import format_when
from crmtui.core.formatting import format_amount, format_birthday
from crmtui.core.i18n import N_, _
from crmtui.tui.messages import DataChanged
from crmtui.core.normalize import visible
from crmtui.services.customers import CustomerDetail
from crmtui.services.deals import VoidedContract
from crmtui.services.views import other_author
from crmtui.tui.widgets.cells import literal, row
from crmtui.tui.widgets.status_footer import StatusFooter


class CustomerScreen(CrmScreenMixin, Screen[None]):
    """Everything about one customer, and the actions on it."""

    BINDINGS = [
        # Priority: the form opens as the key arrives, so the keys typed right after it reach the form.
        Binding("l", "log", N_("Log follow-up"), id="log-customer", priority=True),
        Binding("e", "edit", N_("Edit"), id="edit"),
        Binding("a", "add_contact", N_("Add contact"), id="add-contact"),
        Binding("E", "edit_contact", N_("Edit contact"), id="edit-contact"),
        Binding("x", "remove_contact", N_("Remove contact"), id="remove-contact"),
        Binding("d", "add_deal", N_("Add deal"), id="add-deal"),
        Binding("s", "stage", N_("Stage"), id="stage-customer"),
        Binding("c", "convert", N_("Convert lead"), id="convert"),
        Binding("m", "merge", N_("Merge a duplicate"), id="merge"),
        Binding("dollar_sign", "mark_paid", N_("Mark instalment paid"), id="mark-paid", key_display="$"),
        Binding("R", "reassign", N_("Reassign"), id="reassign"),
        Binding("P", "release", N_("Release to the pool"), id="release"),
        Binding("escape", "back", N_("Back"), id="back"),
    ]
    TEAM_ACTIONS = ("reassign", "release")
    """Team mode only: reassign is a manager's, release the owner's."""
    read_only = False
    """A pool customer read from the server before claiming it: the hints name no editing key."""

    AUTO_FOCUS = "#deals"

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.detail: CustomerDetail | None = None
        self.voided: list[VoidedContract] = []
        """Contracts taken back by reopening or removing their deal: the timeline shows them."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="title", id="customer-title")
        yield Static("", id="profile")
        yield Static(_("Contacts"), classes="panel-title", id="contacts-title")
        yield OptionList(id="contacts")
        yield Static(_("Deals"), classes="panel-title", id="deals-title")
        yield OptionList(id="deals")
        yield Static(_("Instalments"), classes="panel-title", id="payments-title")
        yield OptionList(id="payments")
        yield Static(_("Follow-ups"), classes="panel-title", id="timeline-title")
        with VerticalScroll(id="timeline"):
            yield Static("", id="timeline-text")
        yield StatusFooter()

    def on_mount(self) -> None:
        self.load()

    @on(DataChanged)
    def reload_on_change(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="customer", exit_on_error=False)
    def load(self) -> None:
        from crmtui.core.errors import NotFound
        from crmtui.services.customers import customer_detail

        from crmtui.services.deals import voided_contracts

        try:
            detail = customer_detail(self.app.ctx, self.customer_id)  # type: ignore[attr-defined]
            self.voided = voided_contracts(self.app.ctx, self.customer_id)  # type: ignore[attr-defined]
        except NotFound:
            self.app.call_from_thread(self.gone)
            return
        self.app.call_from_thread(self.show, detail)

    def gone(self) -> None:
        """The customer was deleted or merged away meanwhile."""
        self.notify(_("This customer no longer exists (deleted or merged)"), severity="warning")
        self.app.pop_screen()

    def show(self, detail: CustomerDetail) -> None:
        """Fills every panel from the detail."""
        from crmtui.services.deals import days_in_stage

        self.detail = detail
        self.refresh_bindings()  # release is offered only for a customer of one's own
        ctx = self.app.ctx  # type: ignore[attr-defined]
        c = detail.customer
        lang, today = i18n.language, ctx.clock.today()

        def when(value) -> str:  # type: ignore[no-untyped-def]
            local = ctx.clock.to_local(value)
            return format_when(local, True, lang, today) if local else "—"

        self.query_one("#customer-title", Static).update(literal(c.name))
        profile = Table.grid(padding=(0, 2))
        profile.add_column(style="dim", no_wrap=True)
        profile.add_column()
        profile.add_column(style="dim", no_wrap=True)
        profile.add_column()
        pairs = [
            (_("Status"), labels.status(c.status)), (_("Tier / score"), f"{c.tier} / {c.score}"),
            (_("Next follow-up"), when(c.next_follow_up_at)), (_("Last contact"), when(c.last_contact_at)),
            (_("Owner"), c.owner or "—"), (_("Tags"), ", ".join(detail.tags) or "—"),
            (_("Phone"), c.phone or "—"), (_("Email"), c.email or "—"),
            (_("WeChat"), c.wechat or "—"), (_("Company"), c.company or "—"),
            (_("Region"), c.region or "—"), (_("Source"), c.source or "—"),
            (_("Interest"), c.interest or "—"), (_("Industry"), c.industry or "—"),
        ]
        for left, right in zip(pairs[::2], pairs[1::2], strict=True):
            profile.add_row(left[0], Text(visible(left[1])), right[0], Text(visible(right[1])))
        self.query_one("#profile", Static).update(profile)

        _keep_highlight(self.query_one("#contacts", OptionList), [
            Option(row((contact.name, 14, "bold"), (contact.title or "", 12), (contact.phone or "", 16),
                       (contact.email or "", 24), (format_birthday(contact.birthday, i18n.language), 12),
                       ("★ " + _("decision maker") if contact.decision_maker else "", 0)),
                   id=contact.id)
            for contact in detail.contacts
        ] or [Option(Text(_("none") if self.read_only else _("none yet — a adds one"), style="dim"), disabled=True)])
        self.query_one("#contacts-title", Static).update(f"{_('Contacts')} ({len(detail.contacts)})")
        self._show_payments(detail, today)

        _keep_highlight(self.query_one("#deals", OptionList), [
            Option(row((deal.title, 24, "bold"), (labels.stage(ctx.settings, deal.stage), 14),
                       (_("{days} d in stage").format(days=days_in_stage(ctx, deal)), 16),
                       (format_amount(deal.amount_cents), 12, "right"),
                       ((_("lost") + ": " + deal.lost_reason) if deal.lost_reason else "", 0)), id=deal.id)
            for deal in detail.deals
        ] or [Option(Text(_("none") if self.read_only else _("none yet — d adds one"), style="dim"), disabled=True)])
        self.query_one("#deals-title", Static).update(f"{_('Deals')} ({len(detail.deals)})")

        timeline = Text()
        voided = list(self.voided)
        for follow_up in detail.follow_ups:
            while voided and voided[0].at > follow_up.at:
                self._show_voided(timeline, voided.pop(0), when)
            met = _("met") if follow_up.goal_met else _("not met")
            timeline.append(f"{when(follow_up.at)}  {labels.channel(follow_up.channel)}  ", style="bold")
            timeline.append(visible(follow_up.goal))
            timeline.append(f"  ({met})", style="green" if follow_up.goal_met else "yellow")
            author = other_author(self.app.ctx, follow_up.author)  # type: ignore[attr-defined]
            if author:
                timeline.append("  " + _("by {rep}").format(rep=visible(author)), style="italic")
            timeline.append("\n")
            timeline.append("  " + visible(follow_up.notes).replace("\n", "\n  ") + "\n")
            if follow_up.next_plan:
                timeline.append(f"  → {visible(follow_up.next_plan)}  {when(follow_up.next_at)}\n", style="cyan")
            timeline.append("\n")
        for contract in voided:
            self._show_voided(timeline, contract, when)
        self.query_one("#timeline-title", Static).update(f"{_('Follow-ups')} ({len(detail.follow_ups)})")
        self.query_one("#timeline-text", Static).update(
            timeline if detail.follow_ups or self.voided else Text(
                _("no follow-up yet") if self.read_only else _("no follow-up yet — l logs one"), style="dim"))

    def _show_voided(self, timeline: Text, contract: VoidedContract, when) -> None:  # type: ignore[no-untyped-def]
        """A voided contract among the follow-ups, at the time it was voided."""
        timeline.append(f"{when(contract.at)}  ", style="bold")
        timeline.append(visible(contract.describe(self.app.ctx.settings)) + "\n\n", style="magenta")  # type: ignore[attr-defined]

    def _show_payments(self, detail: CustomerDetail, today) -> None:  # type: ignore[no-untyped-def]
        """Every instalment of the customer's contracts: due date, amount, paid or not (hidden when there are none)."""
        options = []

        def day(value):  # type: ignore[no-untyped-def]
            return format_when(value, False, i18n.language, today)  # as every other date on screen

        for contract in detail.contracts:
            for payment in detail.payments.get(contract.id, []):
                if payment.paid_on:
                    state, style = _("paid {day}").format(day=day(payment.paid_on)), "green"
                elif payment.due_on < today:
                    state, style = _("overdue"), "red"
                else:
                    state, style = _("unpaid"), "yellow"
                options.append(Option(row((contract.number, 16, "bold"), (_("due {day}").format(day=day(payment.due_on)), 22),
                                          (format_amount(payment.amount_cents), 12, "right"), (state, 0, style)),
                                      id=payment.id))
        _keep_highlight(self.query_one("#payments", OptionList), options)
        self.query_one("#payments-title", Static).update(f"{_('Instalments')} ({len(options)})")
        self.query_one("#payments-title").display = self.query_one("#payments").display = bool(options)

    def _contact(self):  # type: ignore[no-untyped-def]
        option = self.query_one("#contacts", OptionList).highlighted_option
        if self.detail is None or option is None or option.disabled:
            return None
        return next((c for c in self.detail.contacts if c.id == option.id), None)

    def _deal(self):  # type: ignore[no-untyped-def]
        deals = self.query_one("#deals", OptionList)
        option = deals.highlighted_option
        if self.detail is None or option is None or option.disabled:
            return None
        return next((d for d in self.detail.deals if d.id == option.id), None)

    def action_log(self) -> None:
        if self.detail is not None:
            self.app.log_follow_up(self.customer_id, self.detail.customer.name)  # type: ignore[attr-defined]

    def action_stage(self) -> None:
        deal = self._deal()
        if deal is None and self.detail is not None and self.detail.deals:
            deal = self.detail.deals[0]
        if deal is None:
            self.notify(_("No deal yet — d adds one"), severity="warning")
            return
        from crmtui.tui.dialogs.stage import choose_stage

        choose_stage(self.app, deal.id, deal.title, deal.stage)

    def action_edit(self) -> None:
        if self.detail is not None:
            from crmtui.tui.dialogs.edit import EditCustomerScreen

            self.app.push_screen(EditCustomerScreen(self.detail.customer, self.detail.tags))

    def action_edit_contact(self) -> None:
        contact = self._contact()
        if contact is None:
            self.notify(_("No contact yet — a adds one"), severity="warning")
            return
        from crmtui.tui.dialogs.edit import EditContactScreen

        self.app.push_screen(EditContactScreen(contact))

    def action_remove_contact(self) -> None:
        contact = self._contact()
        if contact is None or self.detail is None:
            self.notify(_("No contact yet — a adds one"), severity="warning")
            return
        from crmtui.tui.dialogs.confirm import ConfirmScreen

        def answered(remove: bool | None) -> None:
            if not remove:
                return
            from crmtui.core.errors import CrmError
            from crmtui.services.customers import delete_contact

            try:
                delete_contact(self.app.ctx, contact.id)  # type: ignore[attr-defined]
            except CrmError as exc:
                self.notify(exc.message(), severity="error")
                return
            self.notify(_("Removed contact {name}").format(name=contact.name))
            self.app.refresh_data()  # type: ignore[attr-defined]

        question = _("Remove contact {name} from {customer}?").format(name=contact.name, customer=self.detail.customer.name)
        self.app.push_screen(ConfirmScreen(question), answered)

    def action_mark_paid(self) -> None:
        """Marks the highlighted instalment paid on the day the rep gives (today by default; instalments are paid in due order)."""
        if self.detail is None:
            return
        option = self.query_one("#payments", OptionList).highlighted_option
        found = [(c, p) for c in self.detail.contracts for p in self.detail.payments.get(c.id, [])
                 if option is not None and p.id == option.id]
        if not found:
            self.notify(_("No instalment to mark: a won deal's contract has them"), severity="warning")
            return
        contract, payment = found[0]
        today = self.app.ctx.clock.today()  # type: ignore[attr-defined]

        def day(value):  # type: ignore[no-untyped-def]
            return format_when(value, False, i18n.language, today)

        if payment.paid_on:
            self.notify(_("Already paid on {day}").format(day=day(payment.paid_on)), severity="warning")
            return
        first = next(p for p in self.detail.payments[contract.id] if not p.paid_on)
        if first.id != payment.id:
            self.notify(_("Instalments are marked paid in order: first the one due {day}").format(
                day=day(first.due_on)), severity="warning")
            return
        from crmtui.tui.dialogs.stage import PaidOnForm

        def answered(marked) -> None:  # type: ignore[no-untyped-def]
            if not marked:
                return
            self.notify(_("{amount} due {due} marked paid on {paid}").format(
                amount=format_amount(marked.amount_cents), due=day(marked.due_on), paid=day(marked.paid_on)))
            self.app.refresh_data()  # type: ignore[attr-defined]

        question = _("Mark the instalment of {amount} due {due} (contract {number}) paid").format(
            amount=format_amount(payment.amount_cents), due=day(payment.due_on), number=contract.number)
        self.app.push_screen(PaidOnForm(self.customer_id, contract.number, question), answered)

    def action_add_contact(self) -> None:
        from crmtui.tui.dialogs.new_record import NewRecordScreen

        self.app.push_screen(NewRecordScreen("contact", customer_id=self.customer_id))

    def action_add_deal(self) -> None:
        from crmtui.tui.dialogs.new_record import NewRecordScreen

        self.app.push_screen(NewRecordScreen("deal", customer_id=self.customer_id))

    def action_convert(self) -> None:
        if self.detail is None:
            return
        if self.detail.customer.status != "lead":
            self.notify(_("Only a lead can be converted"), severity="warning")
            return
        from crmtui.tui.dialogs.convert import ConvertForm

        def converted(result: object) -> None:
            if result is None:
                return
            customer, contact, deal = result  # type: ignore[misc]
            if customer.id != self.customer_id:  # the lead joined an existing customer: this screen shows that one now
                self.customer_id = customer.id
                self.notify(_("Converted into {customer}: contact {contact}, deal {deal}").format(
                    customer=customer.name, contact=contact.name, deal=deal.title))
            else:
                self.notify(_("Converted: contact {contact}, deal {deal}").format(contact=contact.name, deal=deal.title))
            self.app.refresh_data()  # type: ignore[attr-defined]

        self.app.push_screen(ConvertForm(self.customer_id, self.detail.customer.name), converted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reassign":
            return bool(getattr(self.app, "is_manager", False))
        if action == "release":
            sync = self.app.ctx.settings.sync  # type: ignore[attr-defined]
            return bool(sync.configured and self.detail is not None and self.detail.customer.owner
                        and self.detail.customer.owner == sync.user)
        return True

    def action_reassign(self) -> None:
        """A manager gives this customer to another rep or to the pool (needs the server)."""
        if self.detail is not None:
            from crmtui.tui.dialogs.reassign import reassign_customer

            c = self.detail.customer
            reassign_customer(self.app, c.id, c.name, c.owner)

    def action_release(self) -> None:
        """The owner gives this customer back to the pool, saying why (needs the server)."""
        if self.detail is not None:
            from crmtui.tui.dialogs.release import release_to_pool

            # Once released it leaves this laptop: close the view rather than report it gone.
            release_to_pool(self.app, self.detail.customer.id, self.detail.customer.name, done=self.dismiss_after_release)

    def dismiss_after_release(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def action_merge(self) -> None:
        if self.detail is None:
            return
        from crmtui.tui.dialogs.merge import MergeScreen

        self.app.push_screen(MergeScreen(self.detail.customer.id, self.detail.customer.name))

    def action_back(self) -> None:
        self.app.pop_screen()


def _keep_highlight(listing: OptionList, options: list[Option]) -> None:
    """Refills a list after a reload, the cursor staying on the same row (or the nearest one)."""
    index = listing.highlighted
    listing.set_options(options)
    if options and not options[0].disabled:
        listing.highlighted = 0 if index is None else min(index, len(options) - 1)
