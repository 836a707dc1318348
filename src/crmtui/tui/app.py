"""The Textual app: modes, global bindings, the command palette, the background watch for outside writes."""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future
from datetime import datetime
from functools import partial
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.reactive import reactive

from crmtui.core.errors import CrmError
from crmtui.core.i18n import _
from crmtui.core.normalize import visible
from crmtui.services import history
from crmtui.services.agenda import Agenda
from crmtui.services.context import Context
from crmtui.services.personal_data import follow_up_blocked
from crmtui.services.reminders import due, mark_told, reminder_text
from crmtui.services.watch import ChangeWatcher
from crmtui.tui import bindings
from crmtui.tui.bindings import translate_bindings
from crmtui.tui.messages import DataChanged, PoolChanged
from crmtui.tui.palette import CrmCommands
from crmtui.tui.screens.today import TodayScreen

# Start-up: the app imports Today (shown first) and what every launch uses. The rest is imported where it is
# first needed, and only there: the team's service (the sync client: +0.26 s over `import crmtui.tui.app`) where
# team sync is set up, and each other screen or dialog when it is first opened (the customer, pipeline and search
# screens bring SQLModel and SQLAlchemy's ORM: +2.2 to 2.9 s, pool +1.8 s, follow-up form +0.12 s). Medians of 7
# fresh interpreters on a loaded 2-core machine, 2026-12; `python -X importtime -c "import crmtui.tui.app;
# import crmtui.tui.screens.customer"` shows where the time goes.


DUE_NOTICES = 5
"""Due-now notices shown at once; past that, one more counts the rest."""

WIDE_FOOTER = 130
"""From this many columns on, the footer has room for "synced 3 min ago · 2 pending" beside the keys."""


class CrmApp(App[None]):
    """crmtui: today's agenda, customers, follow-ups, the pipeline, search."""

    CSS_PATH = "app.tcss"
    TITLE = "crmtui"
    COMMANDS = {CrmCommands}  # it lists Textual's own commands too, after crmtui's
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = bindings.APP_BINDINGS
    TEAM_ACTIONS = bindings.TEAM_ACTIONS
    """Shown only when team sync is set up."""

    sync_line: reactive[str] = reactive("")
    """The footer's sync state (empty when team sync is not set up)."""

    def __init__(self, ctx: Context, *, watch_seconds: float = 1.0, theme: str | None = None,
                 first_agenda: Future[Agenda] | None = None) -> None:
        self.ctx = ctx
        self.watch_seconds = watch_seconds
        self.first_agenda = first_agenda
        """Today's agenda, being read since before the app was imported (`crm`): the first Today shows it."""
        super().__init__()
        translate_bindings(self)
        if theme:
            self.theme = theme
        self._watcher: ChangeWatcher | None = None
        self._due_checked: datetime | None = None
        self.sync_problem = False
        self.is_manager = False
        self._syncing = False
        self._told_error: str | None = None
        """The error the last failed round toasted (its template): a background retry does not toast it again."""

    def get_default_screen(self) -> TodayScreen:
        first, self.first_agenda = self.first_agenda, None
        return TodayScreen(first=first)

    def on_mount(self) -> None:
        if self.ctx.settings.keys:
            self.set_keymap(dict(self.ctx.settings.keys))
        self._watcher = ChangeWatcher(self.ctx)
        self._due_checked = self.ctx.clock.utcnow()
        # At least 50 ms: a zero interval would spin, and Textual's timer divides by it when it falls behind.
        self.set_interval(max(self.watch_seconds, 0.05), self._check_outside_writes)
        self.set_interval(30, self._check_due)
        sync = self.ctx.settings.sync
        if sync.configured:
            self._show_sync_state()
            self.set_interval(30, self._show_sync_state)
            self.set_timer(2, partial(self.action_sync_now, quiet=True))
            if sync.interval:
                self.set_interval(sync.interval, partial(self.action_sync_now, quiet=True))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.TEAM_ACTIONS:
            return self.ctx.settings.sync.configured
        return True

    # ------------------------------------------------------------------ team sync

    def _show_sync_state(self, width: int | None = None) -> None:
        from crmtui.services.team import status, status_line  # deferred: see the note at the top

        # A narrow terminal gets the short form, so the state never hides the keys. During a resize the app's
        # size is still the old one: the event's width is passed in.
        width = self.size.width if width is None else width
        line, self.sync_problem = status_line(self.ctx, short=width < WIDE_FOOTER)
        self.is_manager = status(self.ctx).manager
        self.sync_line = line

    def action_sync_now(self, quiet: bool = False) -> None:
        """One sync round in a thread (a connection for the round only); the footer follows it."""
        if self._syncing:
            return
        self._syncing = True
        self.sync_line = _("syncing…")
        self.run_worker(partial(self._sync_round, quiet), thread=True, group="sync", exit_on_error=False)

    def _sync_round(self, quiet: bool) -> None:
        from crmtui.services.team import sync_round  # deferred: see the note at the top

        error: Exception | None = None
        report = None
        try:
            report = sync_round(self.ctx)
        except Exception as failure:  # noqa: BLE001 - a sync bug must not take the app down
            error = failure
        self.call_from_thread(self._after_sync, report, error, quiet)

    def _after_sync(self, report: Any, error: Exception | None, quiet: bool) -> None:
        """The round's outcome in the footer and as notifications (report: what services.team.sync_round
        returned, None after an error)."""
        from crmtui.services.team import rejected_round_text, report_notes  # deferred: see the note at the top

        self._syncing = False
        self._show_sync_state()
        if error is not None:
            text = error.message() if isinstance(error, CrmError) else str(error)
            # A background round tells a new error once (the footer keeps it), not at every retry: the same
            # template is the same error even when a number in it moves (a clock a minute further off).
            kind = getattr(error, "template", None) or text
            if not quiet or kind != self._told_error:
                self.notify(text, title=_("Sync"), severity="warning", timeout=8)
            self._told_error = kind
            return
        self._told_error = None
        for screen in self.screen_stack:  # the pool changes with every round (claims, releases, reclaims)
            screen.post_message(PoolChanged())
        if report.rejected:
            self.notify(rejected_round_text(self.ctx, report), title=_("Sync"), severity="warning", timeout=10)
        for text, warning in report_notes(report, self.ctx):
            self.notify(text, title=_("Sync"), severity="warning" if warning else "information")
        if not quiet:
            self.notify(_("synced: {pushed} sent, {pulled} received").format(
                pushed=report.pushed, pulled=report.pulled), title=_("Sync"))

    def _check_outside_writes(self) -> None:
        """Another process (e.g. `crm log`) committed: every screen reloads (PRAGMA data_version, ~0.1 ms)."""
        if self._watcher is not None and self._watcher.changed():
            self.refresh_data("outside")
        while self.ctx.warnings:  # beside a write that stood, e.g. a calendar file not refreshed
            self.notify(self.ctx.warnings.pop(0), severity="warning", timeout=10)

    def _check_due(self) -> None:
        """Tells the rep what comes due while the app is open: the kinds `crm remind` tells (follow-ups, revisits,
        tickets, instalments, renewals, birthdays), then records them as told, so `crm remind` does not tell them
        again. What came due before the app opened is on Today. Quiet hours keep the desktop quiet, not the app: a
        rep at the app at 23:00 is working."""
        if self._due_checked is None:
            return
        found = due(self.ctx, not_before=self._due_checked, quiet=False)
        if not found.items:
            return
        for item in found.items[:DUE_NOTICES]:
            self.notify(reminder_text(self.ctx, item), title=_("Due"), timeout=10)
        if len(found.items) > DUE_NOTICES:
            self.notify(_("… and {count} more").format(count=len(found.items) - DUE_NOTICES), title=_("Due"),
                        timeout=10)
        if self.ctx.settings.bell:
            self.bell()
        self._due_checked = found.until  # the app's own window moves on even if the book cannot record it
        try:
            mark_told(self.ctx, found)
        except sqlite3.Error:
            pass  # a read-only or busy book: these are told again by the next look, rather than never

    def notify(self, message: str, *, title: str = "", severity: str = "information",  # type: ignore[override]
               timeout: float | None = None, markup: bool = False) -> None:
        """Notifications carry user data (names, typed text): shown literally, never parsed as markup."""
        super().notify(visible(message), title=visible(title), severity=severity, timeout=timeout,  # type: ignore[arg-type]
                       markup=False)

    def refresh_data(self, origin: str = "local") -> None:
        """Tells the screens on the stack to reload (and the footer: a change is pending now)."""
        for screen in self.screen_stack:
            screen.post_message(DataChanged(origin))
        if self.ctx.settings.sync.configured and not self._syncing:
            self._show_sync_state()

    def on_resize(self, event: events.Resize) -> None:
        if self.ctx.settings.sync.configured and not self._syncing:
            self._show_sync_state(event.size.width)

    # ------------------------------------------------------------------ actions

    def action_go_today(self) -> None:
        def own_today() -> bool:  # a rep's Today opened from a manager's team section is not the home
            return isinstance(self.screen, TodayScreen) and self.screen.rep is None

        while len(self.screen_stack) > 1 and not own_today():
            self.pop_screen()
        if not own_today():
            self.push_screen(TodayScreen())

    def action_go_pipeline(self) -> None:
        from crmtui.tui.screens.pipeline import PipelineScreen  # deferred: see the note at the top

        if not isinstance(self.screen, PipelineScreen):
            self.push_screen(PipelineScreen())

    def action_go_reports(self) -> None:
        from crmtui.tui.screens.reports import ReportsScreen  # deferred: see the note at the top

        if not isinstance(self.screen, ReportsScreen):
            self.push_screen(ReportsScreen())

    def action_go_tickets(self) -> None:
        from crmtui.tui.screens.tickets import TicketsScreen  # deferred: see the note at the top

        if not isinstance(self.screen, TicketsScreen):
            self.push_screen(TicketsScreen())

    def action_search(self) -> None:
        from crmtui.tui.dialogs.search import SearchScreen  # deferred: see the note at the top

        self.push_screen(SearchScreen())

    def action_go_pool(self) -> None:
        from crmtui.tui.screens.pool import PoolScreen  # deferred: see the note at the top

        if not isinstance(self.screen, PoolScreen):
            self.push_screen(PoolScreen())

    def action_conflicts(self) -> None:
        from crmtui.tui.screens.conflicts import ConflictsScreen  # deferred: see the note at the top

        if not isinstance(self.screen, ConflictsScreen):
            self.push_screen(ConflictsScreen())

    def action_help(self) -> None:
        from crmtui.tui.dialogs.help import HelpScreen  # deferred: see the note at the top

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections(self.ctx.settings.sync.configured, self.is_manager)))

    def open_customer(self, customer_id: str, deal_id: str | None = None) -> None:
        """Shows the 360 view of a customer, with the cursor on `deal_id` when given."""
        from crmtui.tui.screens.customer import CustomerScreen  # deferred: see the note at the top

        self.push_screen(CustomerScreen(customer_id, deal_id))

    def log_follow_up(self, customer_id: str, customer_name: str) -> None:
        """Opens the follow-up form; the data reloads when it is saved."""
        from crmtui.tui.dialogs.follow_up import FollowUpForm  # deferred: see the note at the top

        blocked = follow_up_blocked(self.ctx, customer_id)  # a person who asked not to be contacted: no form at all
        if blocked:
            self.notify(blocked, severity="warning", timeout=8)
            return

        def saved(result: bool | None) -> None:
            if result:
                self.refresh_data()

        self.push_screen(FollowUpForm(customer_id, customer_name), saved)


def help_sections(team: bool, manager: bool) -> list[tuple[str, type[DOMNode]]]:
    """The help's sections, in order: a title and the class whose BINDINGS it lists (the app's own first).
    The team's screens only in a team, the deleted customers only for a manager."""
    # deferred: see the note at the top (only `?` needs every screen's class)
    from crmtui.tui.dialogs.confirm import ConfirmScreen
    from crmtui.tui.dialogs.convert import ConvertForm
    from crmtui.tui.dialogs.edit import EditRecordScreen
    from crmtui.tui.dialogs.follow_up import FollowUpForm
    from crmtui.tui.dialogs.help import HelpScreen
    from crmtui.tui.dialogs.import_file import ImportDialog
    from crmtui.tui.dialogs.merge import MergeScreen
    from crmtui.tui.dialogs.new_record import NewRecordScreen
    from crmtui.tui.dialogs.pick import PickScreen
    from crmtui.tui.dialogs.release import ReleaseReasonForm
    from crmtui.tui.dialogs.revisit import RevisitChangeForm
    from crmtui.tui.dialogs.service import ContractServiceForm
    from crmtui.tui.dialogs.search import SearchScreen
    from crmtui.tui.dialogs.stage import GateForm, PaidOnForm, StagePicker
    from crmtui.tui.screens.conflicts import ConflictsScreen
    from crmtui.tui.screens.customer import CustomerScreen
    from crmtui.tui.screens.deleted_customers import DeletedCustomersScreen
    from crmtui.tui.screens.history import HistoryScreen
    from crmtui.tui.screens.pipeline import PipelineScreen
    from crmtui.tui.screens.pool import PoolScreen
    from crmtui.tui.screens.pool_customer import PoolCustomerScreen
    from crmtui.tui.screens.reports import PeriodDialog, ReportRecordsScreen, ReportsScreen
    from crmtui.tui.screens.tickets import NewTicketForm, TextForm, TicketScreen, TicketsScreen

    sections: list[tuple[str, type[DOMNode]]] = [
        (_("Everywhere"), CrmApp), (_("Today"), TodayScreen), (_("Customer"), CustomerScreen),
        (_("Follow-up form"), FollowUpForm), (_("Pipeline"), PipelineScreen), (_("Search"), SearchScreen),
        (_("New record"), NewRecordScreen), (_("Stage"), StagePicker), (_("Stage gate"), GateForm),
        (_("Mark instalment paid"), PaidOnForm), (_("Convert lead"), ConvertForm), (_("Edit"), EditRecordScreen),
        (_("Merge a duplicate"), MergeScreen), (_("Yes or no"), ConfirmScreen), (_("Pick one"), PickScreen),
        (_("Help"), HelpScreen), (_("Import a file"), ImportDialog), (_("History"), HistoryScreen),
        (_("Reports"), ReportsScreen), (_("Report period"), PeriodDialog),
        (_("Records behind a number"), ReportRecordsScreen),
        (_("Tickets"), TicketsScreen), (_("Ticket"), TicketScreen), (_("New ticket"), NewTicketForm),
        (_("Note or resolution"), TextForm), (_("Move or drop a revisit"), RevisitChangeForm),
        (_("Contract service and warranty"), ContractServiceForm),
    ]
    if team:
        sections += [(_("Pool"), PoolScreen), (_("Pool customer"), PoolCustomerScreen),
                     (_("Release to the pool"), ReleaseReasonForm), (_("Sync conflicts"), ConflictsScreen)]
    if manager:
        sections.append((_("Deleted customers"), DeletedCustomersScreen))
    return sections


def build_app(ctx: Context, **options: object) -> CrmApp:
    """The app for a services context (tests build it the same way)."""
    history.front_end(ctx, "app")  # the history says "app" for its changes, though the crm command opened the book
    return CrmApp(ctx, **options)  # type: ignore[arg-type]
