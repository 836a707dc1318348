"""The customer 360 view: profile, contacts, deals with days in stage, instalments, revisits with the satisfaction
trend, and the follow-up timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.core import i18n, labels
from crmtui.core.dates import format_when
from crmtui.core.errors import CrmError, NotFound
from crmtui.core.formatting import format_amount
from crmtui.core.i18n import N_, _
from crmtui.core.normalize import visible
from crmtui.services.customer_view import CareLine, Customer360, DealLine, FollowUpLine, VoidedLine, customer_360
from crmtui.services.customers import CustomerDetail, customer_detail, delete_contact
from crmtui.services.deals import VoidedContract, voided_contracts
from crmtui.services.revisits import Revisit, RevisitTimeline, is_low, revisit_label, revisit_timeline, sparkline
from crmtui.services.tickets import ACTIVE, TicketView, deadline_text, list_tickets, priority_text, status_text
from crmtui.services.tickets import mark as ticket_mark
from crmtui.services.views import ContactView
from crmtui.tui.base import CrmScreenMixin, ReloadsOnChange
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.convert import ConvertForm
from crmtui.tui.dialogs.delete import delete_customer_asking, delete_deal_asking
from crmtui.tui.dialogs.edit import EditContactScreen, EditCustomerScreen, edit_deal
from crmtui.tui.dialogs.merge import MergeScreen
from crmtui.tui.dialogs.new_record import NewRecordScreen
from crmtui.tui.dialogs.pick import PickScreen
from crmtui.tui.dialogs.service import ContractServiceForm
from crmtui.tui.dialogs.stage import PaidOnForm, choose_stage
from crmtui.tui.screens.history import HistoryScreen, ask_undo
from crmtui.tui.widgets.cells import literal
from crmtui.tui.widgets.columns import column_widths, columns
from crmtui.tui.widgets.status_footer import StatusFooter

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date, datetime

_MARK_STYLES = {"overdue": "bold $text-error", "late_answer": "bold $text-warning", "soon": "$text-warning"}
"""How a ticket's mark against its deadlines is drawn (as on the Tickets screen, in the theme's colours)."""


class CustomerScreen(CrmScreenMixin, ReloadsOnChange, Screen[None]):
    """Everything about one customer, and the actions on it."""

    BINDINGS = [
        # Priority: the form opens as the key arrives, so the keys typed right after it reach the form.
        Binding("l", "log", N_("Log follow-up"), id="log-customer", priority=True),
        # The revisit keys act only while the customer has an open revisit (check_action), the rep picking which
        # when there are several; doing one comes early in the footer, moving and dropping one after the rest.
        Binding("v", "revisit_done", N_("Revisit done"), id="revisit-done"),
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
        Binding("D", "edit_deal", N_("Edit deal"), id="edit-deal"),
        Binding("X", "delete_deal", N_("Delete deal"), id="delete-deal", show=False),
        Binding("ctrl+d", "delete_customer", N_("Delete customer"), id="delete-customer", show=False),
        Binding("escape", "back", N_("Back"), id="back"),
        Binding("L", "correct_follow_up", N_("Correct last follow-up"), id="correct-follow-up"),
        Binding("h", "history", N_("History"), id="history", show=False),
        Binding("u", "undo", N_("Undo"), id="undo-customer", show=False),
        Binding("V", "move_revisit", N_("Move revisit"), id="move-revisit"),
        Binding("Z", "drop_revisit", N_("Drop revisit"), id="drop-revisit"),
        Binding("n", "new_ticket", N_("New ticket"), id="customer-new-ticket"),
        Binding("W", "contract_service", N_("Contract service"), id="contract-service"),
    ]
    TEAM_ACTIONS = ("reassign", "release")
    """Team mode only: reassign is a manager's, release the owner's."""
    read_only = False
    """A pool customer read from the server before claiming it: the hints name no editing key."""

    AUTO_FOCUS = "#deals"

    def __init__(self, customer_id: str, deal_id: str | None = None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.deal_id = deal_id
        """The deal to put the cursor on when the screen first fills (a deal found in the palette)."""
        self.detail: CustomerDetail | None = None
        """The records behind the screen, for the actions on them."""
        self.view: Customer360 | None = None
        """What the screen shows, worded as `crm show` words it."""
        self.voided: list[VoidedContract] = []
        """Contracts taken back by reopening or removing their deal: the timeline shows them."""
        self.open_revisits: list[Revisit] = []
        """The customer's revisits still to do, earliest due first: the revisit keys act on them."""
        self.tickets: list[TicketView] = []
        """The customer's tickets, the ones not closed first, as the Tickets panel lists them."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="title", id="customer-title")
        yield Static("", id="profile")
        yield Static(_("Contacts"), classes="panel-title", id="contacts-title")
        yield OptionList(id="contacts")
        yield Static(_("Deals"), classes="panel-title", id="deals-title")
        yield OptionList(id="deals")
        yield Static(_("Instalments"), classes="panel-title", id="payments-title")
        yield OptionList(id="payments")
        yield Static(_("Revisits"), classes="panel-title", id="revisits-title")
        yield Static("", id="revisits")
        yield Static(_("Tickets"), classes="panel-title", id="tickets-title")
        yield OptionList(id="customer-tickets")
        yield Static(_("Follow-ups"), classes="panel-title", id="timeline-title")
        with VerticalScroll(id="timeline"):
            yield Static("", id="timeline-text")
        yield StatusFooter()

    @work(thread=True, exclusive=True, group="customer", exit_on_error=False)
    def load(self) -> None:
        try:
            detail = customer_detail(self.crm.ctx, self.customer_id)
            voided = voided_contracts(self.crm.ctx, self.customer_id)
            revisits = revisit_timeline(self.crm.ctx, self.customer_id)
            tickets = list_tickets(self.crm.ctx, None, self.customer_id)
        except NotFound:
            self.app.call_from_thread(self.gone, self._where_it_went())
            return
        self.app.call_from_thread(self.show, detail, voided, revisits, tickets)

    def _where_it_went(self) -> str | None:
        """Where the customer went when a sync round took it from this laptop (to a colleague, to the pool)."""
        if not self.crm.ctx.settings.sync.configured:
            return None
        # deferred: the team's service loads the sync client (about 0.26 s), needed only in a team, only here
        from crmtui.services.team import departure_notice

        return departure_notice(self.crm.ctx, self.customer_id)

    def gone(self, where: str | None = None) -> None:
        """The customer left this laptop meanwhile: deleted or merged here, or taken by a sync round (`where`)."""
        self.notify(where or _("This customer no longer exists (deleted or merged)"), severity="warning")
        self.app.pop_screen()

    def show(self, detail: CustomerDetail, voided: list[VoidedContract] | None = None,
             revisits: RevisitTimeline | None = None, tickets: list[TicketView] | None = None) -> None:
        """Fills every panel from the detail, with the contracts taken back from the customer, its revisits and
        its tickets (none when the customer is read from the team server)."""
        self.detail = detail
        self.voided = voided or []
        self.open_revisits = [revisit for revisit in revisits.revisits if not revisit.done] if revisits else []
        # The tickets still worked on first, in the Tickets screen's order (overdue first, then by deadline).
        self.tickets = sorted(tickets or [], key=lambda ticket: ticket.status == "closed")
        self.refresh_bindings()  # release is offered only for a customer of one's own
        self.view = view = customer_360(self.crm.ctx, detail, self.voided)
        self.query_one("#customer-title", Static).update(
            Content.assemble(visible(view.name), ("  ⛔ " + view.do_not_contact, "bold $text-error"))
            if view.do_not_contact else literal(view.name))
        self._show_profile(view)
        self._show_contacts(view)
        self.query_one("#contacts-title", Static).update(f"{_('Contacts')} ({len(view.contacts)})")
        self._show_payments(view)
        self._show_deals(view)
        self.query_one("#deals-title", Static).update(f"{_('Deals')} ({len(view.deals)})")
        self._show_revisits(revisits)
        self._show_tickets()

        self.query_one("#timeline-title", Static).update(f"{_('Follow-ups')} ({len(view.follow_ups)})")
        self.query_one("#timeline-text", Static).update(
            _timeline_text(view.timeline) if view.timeline else Content.styled(
                _("no follow-up yet") if self.read_only else _("no follow-up yet — l logs one"), "$text-muted"))

    def on_resize(self) -> None:
        # After the layout: the lists' new width is known only then.
        self.call_after_refresh(self._relayout)

    def _relayout(self) -> None:
        """Lays the contacts, the deals and the instalments out again for the lists' current width."""
        if self.view is not None:
            self._show_contacts(self.view)
            self._show_deals(self.view)
            self._show_payments(self.view)
            self._show_tickets()

    def _line_width(self, listing: OptionList, lines: int) -> int:
        """The cells a line of the list has: its width inside the padding, less the scrollbar when its lines
        overflow it (before the first layout, the screen's width less the padding stands in for it)."""
        width = listing.content_region.width or max(0, self.size.width - 2)
        most = listing.styles.max_height
        if most is not None and lines > most.resolve(self.size, self.app.size):
            width -= listing.styles.scrollbar_size_vertical
        return max(20, width)

    def _show_contacts(self, view: Customer360) -> None:
        """One line a contact: name, job title, phone, email, birthday and the decision maker's star, in columns as
        wide as their longest value. Where the line is too narrow the birthday goes first, then the email, then
        the name and the title are cut; the phone and the star stay whole."""
        listing = self.query_one("#contacts", OptionList)
        flag = "★ " + _("decision maker")
        dnc = "⛔ " + _("do not contact")
        lines = [(c.name, c.title, c.phone, c.email, c.birthday,
                  "  ".join(mark for mark in (flag if c.decision_maker else "", dnc if c.do_not_contact else "") if mark))
                 for c in view.contacts]
        widths = column_widths(lines, self._line_width(listing, len(lines)), optional=(4, 3), cut=(0, 1))
        styles = ("bold", "", "", "$text-muted", "$text-muted", "bold $text-warning")
        options = [Option(columns(line, widths, styles), id=c.id) for c, line in zip(view.contacts, lines, strict=True)]
        _keep_highlight(listing, options or [self._nothing_yet(_("none yet — a adds one"))])

    def _show_deals(self, view: Customer360) -> None:
        """One line a deal: title, stage, days in it, amount and why it was lost, in columns as wide as their
        longest value. Where the line is too narrow the lost reason and then the title are cut; the stage, the
        days and the amount stay whole."""
        listing = self.query_one("#deals", OptionList)
        lines = [(d.title, d.stage, _("{days} d in stage").format(days=d.days_in_stage), d.amount,
                  "  ".join(filter(None, [(_("lost") + ": " + d.lost_reason) if d.lost_reason else "",
                                          "(" + _("imported") + ")" if d.imported else ""]))) for d in view.deals]
        widths = column_widths(lines, self._line_width(listing, len(lines)), cut=(4, 0))
        styles = ("bold", "$text-accent", "$text-muted", "bold", "$text-error")
        options = [Option(columns(line, widths, styles, right=(3,)), id=d.id)
                   for d, line in zip(view.deals, lines, strict=True)]
        _keep_highlight(listing, options or [self._nothing_yet(_("none yet — d adds one"))])
        if self.deal_id is not None:  # once: later reloads keep the rep's own cursor
            wanted = [index for index, d in enumerate(view.deals) if d.id == self.deal_id]
            if wanted:
                listing.highlighted = wanted[0]
                listing.focus()
            self.deal_id = None

    def _nothing_yet(self, hint: str) -> Option:
        """The line of an empty list: the key that adds to it, or only "none" on a pool customer's read-only view."""
        return Option(Content.styled(_("none") if self.read_only else hint, "$text-muted"), disabled=True)

    def _show_profile(self, view: Customer360) -> None:
        """The customer's fields two pairs a line, "—" for what is not known."""
        profile = Table.grid(padding=(0, 2))
        profile.add_column(style="dim", no_wrap=True)
        profile.add_column()
        profile.add_column(style="dim", no_wrap=True)
        profile.add_column()
        pairs = [
            (_("Status"), view.status), (_("Tier / score"), f"{view.tier} / {view.score}"),
            (_("Next follow-up"), view.next_follow_up), (_("Last contact"), view.last_contact),
            (_("Owner"), view.owner), (_("Tags"), ", ".join(view.tags)),
            (_("Phone"), view.phone), (_("Email"), view.email),
            (_("WeChat"), view.wechat), (_("Company"), view.company),
            (_("Region"), view.region), (_("Source"), view.source),
            (_("Interest"), view.interest), (_("Industry"), view.industry),
        ]
        for left, right in zip(pairs[::2], pairs[1::2], strict=True):
            profile.add_row(left[0], Text(visible(left[1] or "—")), right[0], Text(visible(right[1] or "—")))
        if view.notes:
            profile.add_row(_("Customer notes"), Text(visible(view.notes)), "", "")
        # The customer's service cycle and warranty, then each contract's own: a line each under the fields (too
        # long for a cell of their grid).
        cares = [("", view.care)] if view.care else []
        cares += [(_("Contract {number}").format(number=contract.number), contract.care)
                  for contract in view.contracts if contract.care]
        self.query_one("#profile", Static).update(Group(profile, _care_grid(cares)) if cares else profile)

    def _show_payments(self, view: Customer360) -> None:
        """Every instalment of the customer's contracts: due date, amount, paid or not (hidden when there are none)."""
        listing = self.query_one("#payments", OptionList)
        lines: list[tuple[str, str, str, str]] = []
        ids: list[str] = []
        states: list[str] = []
        for contract in view.contracts:
            for payment in contract.instalments:
                if payment.paid:
                    state, style = _("paid {day}").format(day=payment.paid), "$text-success"
                elif payment.overdue:
                    state, style = _("overdue"), "bold $text-error"
                else:
                    state, style = _("unpaid"), "$text-warning"
                lines.append((contract.number, _("due {day}").format(day=payment.due), payment.amount, state))
                ids.append(payment.id)
                states.append(style)
        widths = column_widths(lines, self._line_width(listing, len(lines)), cut=(0,))
        options = [Option(columns(line, widths, ("bold", "", "bold", style), right=(2,)), id=payment_id)
                   for line, payment_id, style in zip(lines, ids, states, strict=True)]
        _keep_highlight(listing, options)
        self.query_one("#payments-title", Static).update(f"{_('Instalments')} ({len(options)})")
        self.query_one("#payments-title").display = self.query_one("#payments").display = bool(options)

    def _show_revisits(self, timeline: RevisitTimeline | None) -> None:
        """The revisits (回访), open and done, by due day, and the satisfaction trend (hidden when there is
        neither)."""
        shown = timeline is not None and bool(timeline.revisits or timeline.scores)
        self.query_one("#revisits-title").display = self.query_one("#revisits").display = shown
        if timeline is None or not shown:
            return
        done = sum(1 for revisit in timeline.revisits if revisit.done)
        self.query_one("#revisits-title", Static).update(
            _("Revisits ({done} of {count} done)").format(done=done, count=len(timeline.revisits)))
        clock = self.crm.ctx.clock
        self.query_one("#revisits", Static).update(_revisits_text(timeline, clock.today(), clock.to_local,
                                                                  lambda score: is_low(self.crm.ctx.settings, score)))

    def _show_tickets(self) -> None:
        """The customer's tickets: number, title, priority, status, deadline and where it stands against it, as
        the Tickets screen words them (hidden when there are none)."""
        listing = self.query_one("#customer-tickets", OptionList)
        zone, lang = self.crm.ctx.clock.zone, i18n.language
        lines = []
        styles = []
        for ticket in self.tickets:
            state, kind = ticket_mark(ticket)
            lines.append((ticket.number, ticket.title, priority_text(ticket.priority), status_text(ticket.status),
                          deadline_text(ticket, zone, lang, long=False) if ticket.status in ACTIVE else "", state))
            styles.append(("bold", "", "bold" if ticket.priority in ("high", "urgent") else "", "$text-accent",
                           "$text-muted", _MARK_STYLES.get(kind, "")))
        widths = column_widths(lines, self._line_width(listing, len(lines)), cut=(1,))
        options = [Option(columns(line, widths, style), id=ticket.id)
                   for ticket, line, style in zip(self.tickets, lines, styles, strict=True)]
        _keep_highlight(listing, options)
        open_count = sum(1 for ticket in self.tickets if ticket.status != "closed")
        self.query_one("#tickets-title", Static).update(
            _("Tickets ({open} not closed of {count}) · Enter opens · n new").format(
                open=open_count, count=len(self.tickets)))
        self.query_one("#tickets-title").display = listing.display = bool(options)

    @on(OptionList.OptionSelected, "#customer-tickets")
    def open_ticket(self, event: OptionList.OptionSelected) -> None:
        """Enter on a ticket: its screen, with its history and the keys that move it on."""
        # deferred: the Tickets screens load on first use, as the app's T loads them (see tui/app.py)
        from crmtui.tui.screens.tickets import TicketScreen

        if event.option.id:
            self.app.push_screen(TicketScreen(event.option.id))

    def action_new_ticket(self) -> None:
        """The new-ticket form for this customer."""
        if self.detail is None:
            return
        from crmtui.tui.screens.tickets import NewTicketForm  # deferred: as above

        def saved(number: str | None) -> None:
            if number:
                self.notify(_("Opened {number}").format(number=number), title=_("Tickets"))
                self.crm.refresh_data()

        self.app.push_screen(NewTicketForm(self.detail.customer.name), saved)

    def action_contract_service(self) -> None:
        """A contract's own service cycle and warranty end (picked from a list when the customer has several)."""
        if self.detail is None or not self.detail.contracts:
            self.notify(_("No contract yet: a won deal makes one"), severity="warning")
            return
        name = self.detail.customer.name
        contracts = {contract.id: contract for contract in self.detail.contracts}

        def chosen(contract_id: str | None) -> None:
            if contract_id not in contracts:
                return

            def saved(care: object) -> None:
                if care is not None:
                    self.notify(_("Service and warranty of contract {number} saved").format(
                        number=contracts[contract_id].number))
                    self.crm.refresh_data()

            self.app.push_screen(ContractServiceForm(contracts[contract_id], name), saved)

        if len(contracts) == 1:
            chosen(next(iter(contracts)))
            return
        today = self.crm.ctx.clock.today()
        choices = [(contract.id, f"{contract.number}  " + _("signed {day}").format(
            day=format_when(contract.signed_on, False, i18n.language, today))) for contract in self.detail.contracts]
        self.app.push_screen(PickScreen(_("Which contract?"), choices), chosen)

    def _revisit_then(self, title: str, then: Callable[[Revisit], None]) -> None:
        """The open revisit the rep means (picked from a list when there are several), handed to `then`."""
        if self.detail is None or not self.open_revisits:
            self.notify(_("No open revisit: a won deal plans them"), severity="warning")
            return
        # deferred: the revisit forms bring the follow-up form, which loads on first use (see tui/app.py)
        from crmtui.tui.dialogs.revisit import pick_revisit

        pick_revisit(self.crm, self.open_revisits, title, then)

    def action_revisit_done(self) -> None:
        """The follow-up form logging the revisit, with its satisfaction and would-recommend scores."""
        def do(revisit: Revisit) -> None:
            assert self.detail is not None

            def saved(result: bool | None) -> None:
                if result:
                    self.crm.refresh_data()

            from crmtui.tui.dialogs.revisit import RevisitFollowUpForm  # deferred: as in _revisit_then

            self.app.push_screen(RevisitFollowUpForm(self.customer_id, self.detail.customer.name, revisit), saved)

        self._revisit_then(_("Which revisit was done?"), do)

    def action_move_revisit(self) -> None:
        """Moves an open revisit to another day."""
        self._revisit_then(_("Move which revisit?"), lambda revisit: self._change_revisit(revisit, "move"))

    def action_drop_revisit(self) -> None:
        """Drops an open revisit, with an optional reason kept in the history."""
        self._revisit_then(_("Drop which revisit?"), lambda revisit: self._change_revisit(revisit, "drop"))

    def _change_revisit(self, revisit: Revisit, change: str) -> None:
        """The form that moves (`change` "move") or drops ("drop") the revisit."""
        from crmtui.tui.dialogs.revisit import MOVE, RevisitChangeForm  # deferred: as in _revisit_then

        assert self.detail is not None
        today = self.crm.ctx.clock.today()

        def changed(result: object) -> None:
            if not isinstance(result, Revisit):
                return
            label = revisit_label(result, today)
            self.notify(_("Revisit moved to {revisit}").format(revisit=label) if change == MOVE
                        else _("Revisit dropped: {revisit} (u undoes)").format(revisit=label))
            self.crm.refresh_data()

        self.app.push_screen(RevisitChangeForm(self.customer_id, self.detail.customer.name, revisit, change), changed)

    def _contact(self) -> ContactView | None:
        option = self.query_one("#contacts", OptionList).highlighted_option
        if self.detail is None or option is None or option.disabled:
            return None
        return next((c for c in self.detail.contacts if c.id == option.id), None)

    def _deal(self) -> DealLine | None:
        option = self.query_one("#deals", OptionList).highlighted_option
        if self.view is None or option is None or option.disabled:
            return None
        return next((d for d in self.view.deals if d.id == option.id), None)

    def action_log(self) -> None:
        if self.detail is not None:
            self.crm.log_follow_up(self.customer_id, self.detail.customer.name)

    def action_stage(self) -> None:
        deal = self._deal()
        if deal is None and self.view is not None and self.view.deals:
            deal = self.view.deals[0]
        if deal is None:
            self.notify(_("No deal yet — d adds one"), severity="warning")
            return
        choose_stage(self.crm, deal.id, deal.title, deal.stage_id)

    def action_edit(self) -> None:
        if self.detail is not None:
            self.app.push_screen(EditCustomerScreen(self.detail.customer, self.detail.tags))

    def action_edit_contact(self) -> None:
        contact = self._contact()
        if contact is None:
            self.notify(_("No contact yet — a adds one"), severity="warning")
            return
        self.app.push_screen(EditContactScreen(contact))

    def action_remove_contact(self) -> None:
        contact = self._contact()
        if contact is None or self.detail is None:
            self.notify(_("No contact yet — a adds one"), severity="warning")
            return

        def answered(remove: bool | None) -> None:
            if remove:
                self.remove_contact(contact.id, contact.name)

        question = _("Remove contact {name} from {customer}?").format(name=contact.name, customer=self.detail.customer.name)
        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, group="customer-write", exit_on_error=False)
    def remove_contact(self, contact_id: str, name: str) -> None:
        """Removes the contact off the event loop, then says so (or why not) and reloads what shows it."""
        try:
            delete_contact(self.crm.ctx, contact_id)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, exc.message(), severity="error")
            return
        self.app.call_from_thread(self.contact_removed, name)

    def contact_removed(self, name: str) -> None:
        self.notify(_("Removed contact {name}").format(name=name))
        self.crm.refresh_data()

    def action_mark_paid(self) -> None:
        """Marks the highlighted instalment paid on the day the rep gives (today by default; instalments are paid in due order)."""
        if self.view is None:
            return
        option = self.query_one("#payments", OptionList).highlighted_option
        found = [(c, p) for c in self.view.contracts for p in c.instalments if option is not None and p.id == option.id]
        if not found:
            self.notify(_("No instalment to mark: a won deal's contract has them"), severity="warning")
            return
        contract, payment = found[0]
        if payment.paid:
            self.notify(_("Already paid on {day}").format(day=payment.paid), severity="warning")
            return
        first = next(p for p in contract.instalments if not p.paid)
        if first.id != payment.id:
            self.notify(_("Instalments are marked paid in order: first the one due {day}").format(
                day=first.due), severity="warning")
            return
        today = self.crm.ctx.clock.today()

        def day(value: date) -> str:
            return format_when(value, False, i18n.language, today)  # as every other date on screen

        def answered(marked) -> None:  # type: ignore[no-untyped-def]
            if not marked:
                return
            self.notify(_("{amount} due {due} marked paid on {paid}").format(
                amount=format_amount(marked.amount_cents), due=day(marked.due_on), paid=day(marked.paid_on)))
            self.crm.refresh_data()

        question = _("Mark the instalment of {amount} due {due} (contract {number}) paid").format(
            amount=payment.amount, due=payment.due, number=contract.number)
        self.app.push_screen(PaidOnForm(self.customer_id, contract.number, question), answered)

    def action_add_contact(self) -> None:
        self.app.push_screen(NewRecordScreen("contact", customer_id=self.customer_id))

    def action_add_deal(self) -> None:
        self.app.push_screen(NewRecordScreen("deal", customer_id=self.customer_id))

    def action_convert(self) -> None:
        if self.detail is None:
            return
        if self.detail.customer.status != "lead":
            self.notify(_("Only a lead can be converted"), severity="warning")
            return

        def converted(result: tuple[Any, Any, Any] | None) -> None:  # the customer, contact and deal made
            if result is None:
                return
            customer, contact, deal = result
            if customer.id != self.customer_id:  # the lead joined an existing customer: this screen shows that one now
                self.customer_id = customer.id
                self.notify(_("Converted into {customer}: contact {contact}, deal {deal}").format(
                    customer=customer.name, contact=contact.name, deal=deal.title))
            else:
                self.notify(_("Converted: contact {contact}, deal {deal}").format(contact=contact.name, deal=deal.title))
            self.crm.refresh_data()

        self.app.push_screen(ConvertForm(self.customer_id, self.detail.customer.name), converted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("revisit_done", "move_revisit", "drop_revisit"):
            return bool(self.open_revisits) and not self.read_only
        if action == "new_ticket":
            return not self.read_only
        if action == "contract_service":
            return self.detail is not None and bool(self.detail.contracts) and not self.read_only
        if action == "reassign":
            return self.crm.is_manager
        if action == "release":
            sync = self.crm.ctx.settings.sync
            return bool(sync.configured and self.detail is not None and self.detail.customer.owner
                        and self.detail.customer.owner == sync.user)
        return True

    def action_reassign(self) -> None:
        """A manager gives this customer to another rep or to the pool (needs the server)."""
        if self.detail is not None:
            from crmtui.tui.dialogs.reassign import reassign_customer  # deferred, as the release form below

            c = self.detail.customer
            reassign_customer(self.crm, c.id, c.name, c.owner)

    def action_release(self) -> None:
        """The owner gives this customer back to the pool, saying why (needs the server)."""
        if self.detail is not None:
            # Deferred: the release and reassign forms bring the team's service and its sync client (~0.2 s
            # measured with `python -X importtime`), which a book without a team never needs.
            from crmtui.tui.dialogs.release import release_to_pool

            # Once released it leaves this laptop: close the view rather than report it gone.
            release_to_pool(self.crm, self.detail.customer.id, self.detail.customer.name, done=self.dismiss_after_release)

    def dismiss_after_release(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def action_merge(self) -> None:
        if self.detail is None:
            return
        self.app.push_screen(MergeScreen(self.detail.customer.id, self.detail.customer.name))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_edit_deal(self) -> None:
        """The highlighted deal's title, amount, close date, competitor and probability."""
        deal = self._deal()
        if deal is None:
            self.notify(_("No deal yet — d adds one"), severity="warning")
            return
        edit_deal(self.crm, deal.id)

    def action_delete_deal(self) -> None:
        """Deletes the highlighted deal after a yes that names it."""
        deal = self._deal()
        if deal is None or self.detail is None:
            self.notify(_("No deal yet — d adds one"), severity="warning")
            return
        delete_deal_asking(self.crm, deal.id, deal.title, self.detail.customer.name)

    def action_delete_customer(self) -> None:
        """Deletes this customer, its contacts and deals after a yes that names it; its screen then closes."""
        if self.detail is not None:
            delete_customer_asking(self.crm, self.customer_id, self.detail.customer.name,
                                   done=self.dismiss_after_release)

    def action_history(self) -> None:
        """This customer's history, newest first (read-only)."""
        if self.detail is not None:
            self.app.push_screen(HistoryScreen(self.customer_id, self.detail.customer.name))

    def action_undo(self) -> None:
        """Undoes the rep's last change, after naming it."""
        ask_undo(self.crm)

    def action_correct_follow_up(self) -> None:
        """The follow-up form filled with the customer's last follow-up, to correct it (its author, within 24 hours
        of logging it); why not, when it cannot be."""
        if self.detail is None:
            return
        # deferred: the follow-up form loads on first use, as the app's `l` loads it (see tui/app.py)
        from crmtui.services.follow_ups import last_follow_up
        from crmtui.tui.dialogs.follow_up import FollowUpForm

        try:
            last = last_follow_up(self.crm.ctx, self.customer_id)
        except CrmError as error:
            self.notify(error.message(), severity="warning")
            return

        def saved(result: bool | None) -> None:
            if result:
                self.crm.refresh_data()

        self.app.push_screen(FollowUpForm(self.customer_id, self.detail.customer.name, last), saved)


def _care_grid(cares: list[tuple[str, CareLine]]) -> Table:
    """After-sales care, a line each: the service cycle and its next visit ("every 6 months from 10 May · next Sun
    10 Jan") and the warranty ("until Fri 4 Dec (ends in 10 days)"), the customer's then each contract's own (its
    number before the label). A line too long is cut with …, never wrapped under the labels."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(no_wrap=True, overflow="ellipsis")
    for whose, care in cares:
        lead = whose + " · " if whose else ""
        if care.cycle:
            cycle = care.cycle + (" · " + _("next {day}").format(day=care.next_service) if care.next_service else "")
            grid.add_row(lead + _("Service"), Text(visible(cycle)))
        if care.warranty:
            grid.add_row(lead + _("Warranty"), Text(visible(care.warranty)))
    return grid


def _keep_highlight(listing: OptionList, options: list[Option]) -> None:
    """Refills a list after a reload, the cursor staying on the same row (or the nearest one)."""
    index = listing.highlighted
    listing.set_options(options)
    if options and not options[0].disabled:
        listing.highlighted = 0 if index is None else min(index, len(options) - 1)


def _revisits_text(timeline: RevisitTimeline, today: date, local: Callable[[datetime], datetime | None],
                   low: Callable[[int | None], bool]) -> Content:
    """One line a revisit: done (✓, the day its follow-up was logged, with its scores; `low` says which are low)
    or open (○, overdue marked), then the satisfaction trend (a score given when a ticket was closed named by
    the ticket)."""
    gap = ("  ", "not bold")
    parts: list[str | tuple[str, str]] = []
    for revisit in timeline.revisits:
        when = format_when(revisit.due_on, False, i18n.language, today)
        mark: str | tuple[str, str] = (("✓", "$text-success") if revisit.done else
                                       ("○", "bold $text-error") if revisit.due_on < today else "○")
        parts += [mark, gap, (when, "bold"), gap, labels.channel(revisit.channel or "phone"), gap,
                  visible(revisit.purpose)]
        done_on = local(revisit.done_at) if revisit.done_at else None
        if done_on is not None:
            parts += [gap, (_("done {day}").format(day=format_when(done_on.date(), False, i18n.language, today)),
                            "$text-muted")]
        if revisit.done and revisit.satisfaction is not None:
            score = _("satisfaction {score}/5").format(score=revisit.satisfaction)
            if revisit.nps is not None:
                score += "  " + _("would recommend {nps}/10").format(nps=revisit.nps)
            parts += [gap, (score, "bold $text-warning" if low(revisit.satisfaction) else "$text-success")]
        elif not revisit.done and revisit.due_on < today:
            parts += [gap, (_("overdue"), "bold $text-error")]
        parts.append("\n")
    if timeline.scores:
        numbers = " ".join(str(score.satisfaction) if score.ticket is None else
                           _("{score} (ticket {number})").format(score=score.satisfaction, number=score.ticket)
                           for score in timeline.scores)
        parts += [(_("Satisfaction trend") + ":", "bold"), gap, (sparkline(timeline.scores), "$text-accent"), gap,
                  (_("{scores} (oldest first, 1-5)").format(scores=numbers), "$text-muted")]
    return Content.assemble(*parts)


def _timeline_text(entries: tuple[FollowUpLine | VoidedLine, ...]) -> Content:
    """The follow-ups, with the contracts voided among them, newest first, in the theme's colours. A gap between
    two styled pieces is a span of its own, so that a picture of the screen (SVG) keeps it."""
    gap = ("  ", "not bold")
    parts: list[str | tuple[str, str]] = []
    for entry in entries:
        if isinstance(entry, VoidedLine):
            parts += [(entry.when, "bold"), gap, (visible(entry.text), "$text-secondary"), "\n\n"]
            continue
        met = _("met") if entry.goal_met else _("not met")
        parts += [(entry.when, "bold"), gap, (entry.channel, "bold")]
        if entry.goal or not entry.imported:  # imported history may not know its goal
            parts += [gap, visible(entry.goal), gap, (f"({met})", "$text-success" if entry.goal_met else "$text-warning")]
        if entry.author:
            parts += [gap, (_("by {rep}").format(rep=visible(entry.author)), "italic")]
        if entry.about:
            parts += [gap, (visible(entry.about), "italic")]
        if entry.corrected:
            parts += [gap, ("(" + _("corrected") + ")", "italic")]
        if entry.imported:
            parts += [gap, ("(" + _("imported") + ")", "italic")]
        parts += ["\n", gap, visible(entry.notes).replace("\n", "\n  "), "\n"]
        if entry.next_plan:
            parts += [gap, (f"→ {visible(entry.next_plan)}  {entry.next_when or '—'}", "$text-primary"), "\n"]
        parts.append("\n")
    return Content.assemble(*parts)
