"""The Textual app: modes, global bindings, the command palette, the background watch for outside writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from functools import partial

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.reactive import reactive

from crmtui.core.i18n import N_, _
from crmtui.tui.messages import DataChanged
from crmtui.services.context import Context


WIDE_FOOTER = 130
"""From this many columns on, the footer has room for "synced 3 min ago · 2 pending" beside the keys."""


def translate_bindings(node: DOMNode) -> None:
    """Translates the descriptions of a node's bindings (declared in English with N_) for this instance."""
    bindings = node._bindings.key_to_bindings  # noqa: SLF001 - Textual keeps per-instance copies here
    for key, items in bindings.items():
        bindings[key] = [
            replace(b, description=_(b.description) if b.description else "", tooltip=_(b.tooltip) if b.tooltip else "")
            for b in items
        ]


class CrmCommands(Provider):
    """The command palette: every binding of the app and the current screen, by its description."""

    def _commands(self) -> Iterable[tuple[str, str, DOMNode, str]]:
        seen = set()
        # self.screen is the screen the palette was opened on (the app's current screen is the palette itself)
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            yield binding.description, binding.key_display or self.app.get_key_display(binding), active.node, binding.action

    async def discover(self) -> Hits:
        for label, key, node, action in self._commands():
            yield DiscoveryHit(label, partial(node.run_action, action), help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, key, node, action in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(node.run_action, action), help=key)


class CrmApp(App[None]):
    """crmtui: today's agenda, customers, follow-ups, the pipeline, search."""

    CSS_PATH = "app.tcss"
    TITLE = "crmtui"
    COMMANDS = App.COMMANDS | {CrmCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("t", "go_today", N_("Today"), id="today"),
        Binding("p", "go_pipeline", N_("Pipeline"), id="pipeline"),
        Binding("slash", "search", N_("Search"), id="search", key_display="/"),
        Binding("question_mark", "help", N_("Help"), id="help", key_display="?"),
        Binding("o", "go_pool", N_("Pool"), id="pool"),
        Binding("S", "sync_now", N_("Sync"), id="sync", show=False),  # shown with the sync state
        Binding("C", "conflicts", N_("Sync conflicts"), id="conflicts", show=False),
        Binding("q", "quit", N_("Quit"), id="quit"),
    ]
    TEAM_ACTIONS = ("go_pool", "sync_now", "conflicts")
    """Shown only when team sync is set up."""

    sync_line: reactive[str] = reactive("")
    """The footer's sync state (empty when team sync is not set up)."""
    N_("palette")  # Textual's own ctrl+p binding, translated by translate_bindings

    def __init__(self, ctx: Context, *, watch_seconds: float = 1.0, theme: str | None = None) -> None:
        self.ctx = ctx
        self.watch_seconds = watch_seconds
        super().__init__()
        translate_bindings(self)
        if theme:
            self.theme = theme
        self._watcher = None
        self._due_checked: datetime | None = None
        self.sync_problem = False
        self.is_manager = False
        self._syncing = False

    def get_default_screen(self):  # type: ignore[no-untyped-def]
        from crmtui.tui.screens.today import TodayScreen

        return TodayScreen()

    def on_mount(self) -> None:
        if self.ctx.settings.keys:
            self.set_keymap(dict(self.ctx.settings.keys))
        from crmtui.services.watch import ChangeWatcher

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
        from crmtui.services.team import status, status_line

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
        from crmtui.core.errors import CrmError
        from crmtui.services.team import sync_round

        try:
            report, error = sync_round(self.ctx), None
        except CrmError as failure:
            report, error = None, failure
        except Exception as failure:  # noqa: BLE001 - a sync bug must not take the app down
            report, error = None, failure
        self.call_from_thread(self._after_sync, report, error, quiet)

    def _after_sync(self, report, error, quiet: bool) -> None:  # type: ignore[no-untyped-def]
        from crmtui.core.errors import CrmError
        from crmtui.services.team import report_notes

        self._syncing = False
        self._show_sync_state()
        if error is not None:
            if not quiet:
                text = error.message() if isinstance(error, CrmError) else str(error)
                self.notify(text, title=_("Sync"), severity="warning", timeout=8)
            return
        from crmtui.tui.screens.pool import PoolScreen

        for screen in self.screen_stack:  # the pool changes with every round (claims, releases, reclaims)
            if isinstance(screen, PoolScreen):
                screen.load()
        if report.rejected:
            from crmtui.services.team import rejected_round_text

            self.notify(rejected_round_text(self.ctx, report), title=_("Sync"), severity="warning", timeout=10)
        for text, warning in report_notes(report):
            self.notify(text, title=_("Sync"), severity="warning" if warning else "information")
        if not quiet:
            self.notify(_("synced: {pushed} sent, {pulled} received").format(
                pushed=report.pushed, pulled=report.pulled), title=_("Sync"))

    def _check_outside_writes(self) -> None:
        """Another process (e.g. `crm log`) committed: every screen reloads (PRAGMA data_version, ~0.1 ms)."""
        if self._watcher is not None and self._watcher.changed():
            self.refresh_data("outside")

    def _check_due(self) -> None:
        """Tells the rep when a follow-up comes due while the app is open."""
        from crmtui.services.agenda import due_since

        since, self._due_checked = self._due_checked, self.ctx.clock.utcnow()
        if since is None:
            return
        for name in due_since(self.ctx, since, self._due_checked):
            self.notify(_("Follow-up due now: {name}").format(name=name), title=_("Due"), timeout=10)
            if self.ctx.settings.bell:
                self.bell()

    def notify(self, message: str, *, title: str = "", severity: str = "information",  # type: ignore[override]
               timeout: float | None = None, markup: bool = False) -> None:
        """Notifications carry user data (names, typed text): shown literally, never parsed as markup."""
        from crmtui.core.normalize import visible

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
        from crmtui.tui.screens.today import TodayScreen

        def own_today() -> bool:  # a rep's Today opened from a manager's team section is not the home
            return isinstance(self.screen, TodayScreen) and self.screen.rep is None

        while len(self.screen_stack) > 1 and not own_today():
            self.pop_screen()
        if not own_today():
            self.push_screen(TodayScreen())

    def action_go_pipeline(self) -> None:
        from crmtui.tui.screens.pipeline import PipelineScreen

        if not isinstance(self.screen, PipelineScreen):
            self.push_screen(PipelineScreen())

    def action_search(self) -> None:
        from crmtui.tui.dialogs.search import SearchScreen

        self.push_screen(SearchScreen())

    def action_go_pool(self) -> None:
        from crmtui.tui.screens.pool import PoolScreen

        if not isinstance(self.screen, PoolScreen):
            self.push_screen(PoolScreen())

    def action_conflicts(self) -> None:
        from crmtui.tui.screens.conflicts import ConflictsScreen

        if not isinstance(self.screen, ConflictsScreen):
            self.push_screen(ConflictsScreen())

    def action_help(self) -> None:
        from crmtui.tui.dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_customer(self, customer_id: str) -> None:
        """Shows the 360 view of a customer."""
        from crmtui.tui.screens.customer import CustomerScreen

        self.push_screen(CustomerScreen(customer_id))

    def log_follow_up(self, customer_id: str, customer_name: str) -> None:
        """Opens the follow-up form; the data reloads when it is saved."""
        from crmtui.tui.dialogs.follow_up import FollowUpForm

        def saved(result: bool | None) -> None:
            if result:
                self.refresh_data()

        self.push_screen(FollowUpForm(customer_id, customer_name), saved)


def build_app(ctx: Context, **options: object) -> CrmApp:
    """The app for a services context (tests build it the same way)."""
    return CrmApp(ctx, **options)  # type: ignore[arg-type]
