"""`crm remind`: prints what came due since it last ran and sends it as desktop notifications, each thing once;
`--install` runs it every five minutes the platform's way, `--uninstall` stops that (docs/reminders.md).

Run every few minutes, so it loads only what it needs: the reminders' service (stdlib sqlite3, no SQLAlchemy, no
Textual) inside the command, and the notification library only when there is something to send.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from crmtui.cli.output import fail, out, print_json
from crmtui.cli.session import open_session
from crmtui.core.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from datetime import datetime

    from crmtui.services.context import Context
    from crmtui.services.reminders import DueReminders, Setup

NOTIFICATIONS = 5
"""Desktop notifications a run sends at most: past that, the first ones and one that counts the rest."""
SEND_SECONDS = 10
"""How long the notification service may take to accept them all."""


def register(app: typer.Typer) -> None:
    """Adds `crm remind` to the `crm` command."""
    app.command("remind")(remind)


def remind(
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_(
        "Show what came due without sending it or marking it told."))] = False,
    json_out: Annotated[bool, typer.Option("--json", help=N_(
        "Machine-readable output only (no notifications); with --dry-run nothing is marked told."))] = False,
    rep: Annotated[Optional[str], typer.Option("--rep", help=N_(
        "A rep's customers (a manager's laptop holds every rep's), or all."))] = None,
    install: Annotated[bool, typer.Option("--install", help=N_(
        "Run `crm remind` every 5 minutes (a systemd user timer, a launchd agent or a scheduled task)."))] = False,
    uninstall: Annotated[bool, typer.Option("--uninstall", help=N_("Remove what --install set up."))] = False,
) -> None:
    """Tell what came due since the last run (follow-ups, revisits, tickets, payments, renewals, birthdays), once."""
    _no_console_streams()
    if install and uninstall:
        fail(_("--install and --uninstall: give one of them"))  # refused input: 1, as every crm command
    if install or uninstall:
        from crmtui.services.reminders import install as set_up  # deferred: the service, for this command only
        from crmtui.services.reminders import uninstall as take_down

        _say_setup(set_up(language=_language()) if install else take_down(), install)
        return
    # deferred: the reminders' service (stdlib sqlite3), for this command only
    from crmtui.services.reminders import due, hold, mark_told, reminder_text

    with open_session() as ctx:
        view = None
        if rep is not None:
            from crmtui.services.agenda import resolve_rep  # deferred: only with --rep

            view = resolve_rep(ctx, rep)
        found = due(ctx, view)
        texts = [reminder_text(ctx, item) for item in found.items]
        if json_out:
            print_json({"since": ctx.clock.to_local(found.since).isoformat(),  # type: ignore[union-attr]
                        "until": ctx.clock.to_local(found.until).isoformat(),  # type: ignore[union-attr]
                        "held_until": found.held_until.isoformat() if found.held_until else None,
                        "reminders": [item.as_dict(text) for item, text in zip(found.items, texts, strict=True)]})
        else:
            _print(ctx, found, texts, dry_run)
        if dry_run:
            return
        if found.held_until is not None:  # quiet hours: nothing is told; the first run after them tells these
            hold(ctx, found)
            return
        if not found.items:  # nothing came due: the next run looks back to here, however late it comes
            mark_told(ctx, found)
            return
        sys.stdout.flush()  # what was printed is out before it is recorded as told
        if not json_out and not send_desktop(texts) and _desktop_expected():
            sys.stderr.write(_("note: no desktop notification service answered; the reminders are printed only")
                             + "\n")
        mark_told(ctx, found)


def _language() -> str:
    """The config's language ("auto" when the config cannot be read: the command says why elsewhere)."""
    from crmtui.core.config import load_settings  # deferred: --install only (tomllib)
    from crmtui.core.errors import CrmError

    try:
        return load_settings().language
    except CrmError:
        return "auto"


def _no_console_streams() -> None:
    """Under pythonw.exe (the scheduled task --install sets up on Windows) there is no console: sys.stdout and
    sys.stderr are None. What would be printed goes nowhere instead of failing the run before it is recorded."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process


def _when(ctx: Context, found: DueReminders, index: int) -> str:
    return _moment(ctx, found.items[index].at)


def _moment(ctx: Context, moment: datetime) -> str:
    """Today's moment as its time; another day's as the rep reads dates ("Thu 3 Dec 09:00")."""
    if moment.date() == ctx.clock.today():
        return moment.strftime("%H:%M")
    from crmtui.core import i18n  # deferred: with the date words below
    from crmtui.core.dates import format_when  # deferred: ~20 ms, only for a run catching up on past days

    return format_when(moment, True, i18n.language, ctx.clock.today())


def _print(ctx: Context, found: DueReminders, texts: list[str], dry_run: bool) -> None:
    local_since = ctx.clock.to_local(found.since)
    if found.held_until is not None and found.items and not dry_run:
        out(ngettext("Quiet hours until {end}: {count} reminder waits.",
                     "Quiet hours until {end}: {count} reminders wait.", len(found.items)).format(
            end=found.held_until.strftime("%H:%M"), count=len(found.items)))
        return
    if not found.items:
        if dry_run or sys.stdout.isatty():  # the timer's runs log nothing when nothing came due
            out(_("Nothing came due since {moment}.").format(moment=_moment(ctx, local_since)))  # type: ignore[arg-type]
        return
    for index, text in enumerate(texts):
        out(f"{_when(ctx, found, index)}  {text}")
    if dry_run:
        out(_("(dry run: nothing sent, nothing marked told)"))


def _desktop_expected() -> bool:
    """Whether this session could have a notification service (a desktop): a timer's run on a server has none,
    and says nothing about it."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS") or os.environ.get("DISPLAY")
                    or os.environ.get("WAYLAND_DISPLAY"))
    return True


def send_desktop(texts: list[str]) -> bool:
    """Sends the reminders as desktop notifications; True when the machine's notification service took at least
    one (False: none there, e.g. no D-Bus session on Linux, or the library missing)."""
    if not texts or not _desktop_expected():
        return False
    try:
        import asyncio  # deferred: with the notification library, only when something is to be sent
        import logging

        from desktop_notifier import DesktopNotifier  # deferred: ~20 ms and a D-Bus client, to send only
    except ImportError:
        return False
    # The library logs a failed send with its traceback; here a failure only means "printed only".
    logging.getLogger("desktop_notifier").setLevel(logging.CRITICAL)
    shown = texts if len(texts) <= NOTIFICATIONS else [
        *texts[:NOTIFICATIONS - 1],
        ngettext("and {count} more: crm today", "and {count} more: crm today",
                 len(texts) - NOTIFICATIONS + 1).format(count=len(texts) - NOTIFICATIONS + 1)]
    dispatched: list[bool] = []

    async def send_all() -> None:
        notifier = DesktopNotifier(app_name="crmtui")
        for text in shown:
            await notifier.send(title=_("crmtui: due now"), message=text,
                                on_dispatched=lambda: dispatched.append(True))

    try:
        asyncio.run(asyncio.wait_for(send_all(), SEND_SECONDS))
    except Exception:  # noqa: BLE001 - a notification service that fails or hangs leaves the printed lines
        return bool(dispatched)
    return bool(dispatched)


def _say_setup(setup: Setup, install: bool) -> None:
    for path in setup.written:
        out(_("wrote {path}").format(path=path))
    for path in setup.removed:
        out(_("removed {path}").format(path=path))
    for arguments in setup.ran:
        out(_("ran: {command}").format(command=" ".join(arguments)))
    if setup.failed:
        sys.stderr.write(_("warning: ") + _("systemctl failed: {reason}").format(reason=setup.failed) + "\n")
    if setup.to_run:
        out(_("Run this to finish:") if install else _("Run this to finish removing it:"))
        for command in setup.to_run:
            out("  " + command)
    elif install:
        out(_("crm remind now runs every 5 minutes."))
    else:
        out(_("crm remind no longer runs on its own."))
    if setup.failed:
        raise typer.Exit(1)  # not done: a script (or the rep) must not take it for set up
