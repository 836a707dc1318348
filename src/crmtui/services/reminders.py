"""Reminders that reach the rep when the app is closed (`crm remind`), and the app's due-now notice: what came due
since the rep was last told, each thing once (docs/reminders.md).

What comes due, and when:

- a follow-up: at its next date and time;
- a revisit (回访), an instalment, a birthday: on its day, at the configured hour (`[reminders] at`, 09:00);
- a contract renewal: on the day it enters the renewal window (`renewal_days` before it ends), at that hour;
- a ticket: at its deadline to answer, if nobody answered it, at its deadline to resolve, if not resolved, and at
  the end of the day promised to the customer (`--due`), if not resolved by then.

The rep was told everything that came due up to a moment kept in the book (`meta`, store/reminders.py). A run tells
what came due after it and up to now, then moves it to now. Sending comes first and recording second: a run killed
between the two is told again by the next run (a duplicate), never lost. A run that finds nothing records nothing
(the open app reloads its screens whenever another process writes).
"""

from __future__ import annotations

import calendar
import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from crmtui.core.formatting import format_amount
from crmtui.core.i18n import _, ngettext
from crmtui.services.context import Context
from crmtui.store import agenda as agenda_store
from crmtui.store import reminders as store

if TYPE_CHECKING:
    from collections.abc import Callable

ALL_REPS = "all"
"""`--rep all`: as on Today, every rep's customers on this laptop."""

KINDS = ("follow_up", "revisit", "ticket_response", "ticket_resolution", "ticket_promised", "payment", "renewal",
         "birthday")
"""What a reminder can be about; at one moment they are listed in this order."""

FIRST_LOOK_BACK = timedelta(hours=24)
"""The first run on a book tells what came due in the last 24 hours; older work is on Today (overdue)."""
LONGEST_LOOK_BACK = timedelta(days=7)
"""After a long absence (a laptop closed for weeks), a run looks back 7 days at most: the rest is on Today."""


@dataclass(frozen=True)
class Reminder:
    """One thing that came due: what (kind), for whom, when, and what the rep needs to act on it."""

    kind: str
    customer_id: str
    customer_name: str
    at: datetime
    """The moment it came due, in the rep's zone."""
    detail: str | None = None
    """The follow-up's plan, the revisit's purpose, the ticket's title, whose birthday it is."""
    number: str | None = None
    """The ticket's or the contract's number."""
    amount_cents: int | None = None
    days: int = 0
    """A renewal: the days left until the contract ends."""
    record_id: str | None = None

    def as_dict(self, text: str) -> dict[str, object]:
        """Plain values for --json, with the reminder as the rep reads it."""
        return {"kind": self.kind, "customer_id": self.customer_id, "customer": self.customer_name,
                "at": self.at.isoformat(), "text": text, "detail": self.detail, "number": self.number,
                "record_id": self.record_id}


@dataclass
class DueReminders:
    """What came due in one window of time, for one view (the rep's own, another rep's, or every rep's)."""

    since: datetime
    """The window's start (excluded), UTC."""
    until: datetime
    """The window's end (included): now, UTC."""
    key: str
    """Where the view's watermark is kept."""
    items: list[Reminder] = field(default_factory=list)
    first_run: bool = False
    """Nothing was ever told for this view: the window is the last FIRST_LOOK_BACK."""
    held_until: datetime | None = None
    """In quiet hours: the local moment they end. Nothing is told now; the next run after it tells these."""


def _scope(rep: str | None) -> agenda_store.Scope:
    if rep is None:
        return agenda_store.MINE
    return agenda_store.TEAM if rep == ALL_REPS else agenda_store.Scope.rep(rep)


def quiet_until(ctx: Context, local_now: datetime) -> datetime | None:
    """When the quiet hours around `local_now` end (local), or None outside them. They may span midnight
    (22:00-08:00); equal start and end, or none set, mean no quiet hours."""
    settings = ctx.settings.reminders
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return None
    now = local_now.time().replace(tzinfo=None)
    inside = start <= now < end if start < end else now >= start or now < end
    if not inside:
        return None
    day = local_now.date() if now < end else local_now.date() + timedelta(days=1)
    return datetime.combine(day, end, local_now.tzinfo)


def _days_due(ctx: Context, at: time, after: datetime, until: datetime) -> dict[date, datetime]:
    """The local days whose hour `at` falls in (after, until], with that moment."""
    clock = ctx.clock
    day, last = clock.to_local(after).date(), clock.to_local(until).date()  # type: ignore[union-attr]
    found = {}
    while day <= last:
        moment = datetime.combine(day, at, clock.zone)
        if after < moment <= until:
            found[day] = moment
        day += timedelta(days=1)
    return found


def due(ctx: Context, rep: str | None = None, *, not_before: datetime | None = None,
        quiet: bool = True) -> DueReminders:
    """What came due for the view since the rep was last told, up to now (nothing is recorded: see mark_told).

    `rep`: another rep's name or ALL_REPS (from services.agenda.resolve_rep), each view with its own watermark.
    `not_before`: the window starts no earlier (the app: what came due while it is open). `quiet`: in quiet hours
    the result says until when (held_until); the items are listed all the same, for the front end to say so."""
    clock = ctx.clock
    now = clock.utcnow()
    key = store.told_key(rep)
    scope = _scope(rep)
    settings = ctx.settings
    with ctx.db.raw_read() as connection:
        told = store.told_until(connection, key)
        since = now - FIRST_LOOK_BACK if told is None else max(told, now - LONGEST_LOOK_BACK)
        if not_before is not None:
            since = max(since, not_before)
        found = DueReminders(since=since, until=now, key=key, first_run=told is None)
        if quiet:
            found.held_until = quiet_until(ctx, clock.now())
        if since >= now:
            return found
        at = settings.reminders.at
        days = _days_due(ctx, at, since, now)
        renewal_ends = {day + timedelta(days=settings.renewal_days): moment for day, moment in days.items()}
        # a promised day is past at its end: the midnights in the window close the days before them
        promised_ends = {day - timedelta(days=1): moment for day, moment in _days_due(ctx, time(0, 0), since, now).items()}
        month_days: dict[str, datetime] = {}
        for day, moment in days.items():
            month_days[day.strftime("%m-%d")] = moment
            if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
                month_days.setdefault("02-29", moment)  # a 29 February birthday is kept on the 28th in other years
        rows = [
            *store.follow_ups(connection, since, now, scope),
            *store.revisits(connection, list(days), scope),
            *store.tickets(connection, since, now, scope),
            *store.tickets_promised(connection, list(promised_ends), scope),
            *store.payments(connection, list(days), scope),
            *store.contracts_ending_on(connection, list(renewal_ends), scope),
            *store.birthdays(connection, list(month_days), scope),
        ]
    for row in rows:
        if row.kind == "birthday":
            moment = month_days[row.day.strftime("%m-%d")]  # type: ignore[union-attr]
        elif row.kind == "renewal":
            moment = renewal_ends[row.day]  # type: ignore[index]
        elif row.kind == "ticket_promised":
            moment = promised_ends[row.day]  # type: ignore[index]
        elif row.day is not None:
            moment = days[row.day]
        else:
            moment = clock.to_local(row.at)  # type: ignore[assignment]
        left = (row.day - moment.date()).days if row.kind == "renewal" else 0  # type: ignore[operator]
        found.items.append(Reminder(row.kind, row.customer_id, row.customer_name, moment, row.detail, row.number,
                                    row.amount_cents, left, row.record_id))
    found.items.sort(key=lambda item: (item.at, KINDS.index(item.kind), item.customer_name))
    return found


def mark_told(ctx: Context, found: DueReminders) -> None:
    """Records that the rep was told everything of `found`: the view's watermark moves to its end (never back).
    Called after the rep was told: a crash in between tells it again rather than never."""
    connection = ctx.db.connect()
    try:
        store.record_told(connection, found.key, found.until)
    finally:
        connection.close()


def hold(ctx: Context, found: DueReminders) -> None:
    """Quiet hours held `found`: nothing is recorded as told. But a view never told before keeps where its window
    starts, so the first run after the quiet hours tells them however late it comes (a first run looks back only
    FIRST_LOOK_BACK from its own moment)."""
    if not found.first_run:
        return
    connection = ctx.db.connect()
    try:
        store.record_told(connection, found.key, found.since)
    finally:
        connection.close()


LINE_CELLS = 60
"""A title, plan or name in a reminder is cut to this many columns (a Chinese character takes two), with "…"."""


def shorten(text: str, cells: int = LINE_CELLS) -> str:
    """`text` on one line and at most `cells` columns wide (wide characters count two), "…" ending a cut one."""
    import unicodedata  # deferred: only for a reminder worded

    flat = " ".join(text.split())
    widths = [2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in flat]
    if sum(widths) <= cells:
        return flat
    used = 0
    for index, width in enumerate(widths):
        if used + width > cells - 1:  # room left for the "…"
            return flat[:index].rstrip() + "…"
        used += width
    return flat


def _day(ctx: Context, moment: datetime) -> str:
    """A day already past, as the rep reads dates: "Thu 3 Dec", "12月3日 周四"."""
    from crmtui.core import i18n  # deferred: with the date words, only for a day past
    from crmtui.core.dates import format_when

    return format_when(moment.date(), False, i18n.language, ctx.clock.today())


def reminder_text(ctx: Context, item: Reminder) -> str:
    """The reminder as the rep reads it (the app's notice, `crm remind`'s line and notification). A long title,
    plan or name is cut to a line; an instalment or birthday of a day already past (told after days off) names
    its day instead of "today"."""
    values = {"name": shorten(item.customer_name, 40), "detail": shorten(item.detail or ""),
              "number": item.number or ""}
    past = item.at.date() < ctx.clock.today()
    if item.kind == "follow_up":
        text = _("Follow-up due now: {name}").format(**values)
        return text + (f" → {values['detail']}" if item.detail else "")
    if item.kind == "revisit":
        return _("Revisit due: {name} · {detail}").format(**values)
    if item.kind == "ticket_response":
        return _("Ticket {number} waits for an answer: {name} · {detail}").format(**values)
    if item.kind == "ticket_resolution":
        return _("Ticket {number} is past its deadline to resolve: {name} · {detail}").format(**values)
    if item.kind == "ticket_promised":
        return _("Ticket {number} is past the day promised to the customer: {name} · {detail}").format(**values)
    if item.kind == "payment":
        if past:
            return _("Instalment due on {day}: {name} · {number} · {amount}").format(
                day=_day(ctx, item.at), amount=format_amount(item.amount_cents), **values)
        return _("Instalment due today: {name} · {number} · {amount}").format(
            amount=format_amount(item.amount_cents), **values)
    if item.kind == "renewal":
        return ngettext("Contract {number} of {name} ends in {days} day: time to renew",
                        "Contract {number} of {name} ends in {days} days: time to renew", item.days).format(
            days=item.days, **values)
    if past:
        return _("Birthday on {day}: {detail} ({name})").format(day=_day(ctx, item.at), **values)
    return _("Birthday today: {detail} ({name})").format(**values)


# ---------------------------------------------------------------- running `crm remind` every few minutes

UNIT = "crmtui-remind"
"""The systemd user units' name (Linux): crmtui-remind.service, run by crmtui-remind.timer."""
LAUNCHD_LABEL = "com.crmtui.remind"
"""The launchd agent's label (macOS)."""
WINDOWS_TASK = "crmtui remind"
"""The scheduled task's name (Windows)."""
EVERY_MINUTES = 5
KEPT_ENVIRONMENT = ("CRMTUI_HOME", "CRMTUI_DB")
"""Where the book is, when set: the scheduled run must open the same book as the rep's `crm`."""
LOCALE_ENVIRONMENT = ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")
"""The locale, when set and the config's language is "auto" (the language then comes from it, core/i18n.py): the
scheduled run must tell in the rep's language, not in the service manager's."""


@dataclass
class Setup:
    """What `crm remind --install` or `--uninstall` did, and what the rep must still do."""

    system: str
    """"linux", "darwin" or "win32"."""
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    ran: list[list[str]] = field(default_factory=list)
    """Commands run, each as its arguments."""
    to_run: list[str] = field(default_factory=list)
    """Commands for the rep to run, as typed in a shell."""
    failed: str | None = None
    """A command that failed: what it said."""


def _command(python: str) -> list[str]:
    return [python, "-m", "crmtui", "remind"]


def _environment(language: str = "auto") -> dict[str, str]:
    """What the scheduled run needs of this shell's environment: where the book is, and the locale when the
    language follows it (`language`: the config's, "auto", "en" or "zh")."""
    names = KEPT_ENVIRONMENT + (LOCALE_ENVIRONMENT if language == "auto" else ())
    return {name: os.environ[name] for name in names if os.environ.get(name)}


def systemd_dir() -> Path:
    """Where systemd looks for a user's own units: $XDG_CONFIG_HOME/systemd/user (~/.config when unset)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def _quote_systemd(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(python: str, language: str = "auto") -> dict[str, str]:
    """The service and its timer (every EVERY_MINUTES minutes, and once soon after a start-up that missed one); the
    service carries the book's place and, when `language` (the config's) is "auto", the locale (_environment)."""
    environment = "".join(f"Environment={_quote_systemd(f'{name}={value}')}\n"
                          for name, value in _environment(language).items())
    service = ("[Unit]\nDescription=crmtui: tell the rep what came due (crm remind)\n\n"
               "[Service]\nType=oneshot\n"
               f"ExecStart={' '.join(_quote_systemd(part) for part in _command(python))}\n{environment}")
    timer = ("[Unit]\nDescription=crmtui: crm remind every 5 minutes\n\n"
             f"[Timer]\nOnCalendar=*:0/{EVERY_MINUTES}\nPersistent=true\nAccuracySec=30s\n\n"
             "[Install]\nWantedBy=timers.target\n")
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def launchd_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"


def launchd_plist(python: str, language: str = "auto") -> bytes:
    """The launchd agent: `crm remind` every EVERY_MINUTES minutes, and once when loaded (its environment as
    systemd_units's)."""
    import plistlib  # deferred: for --install on macOS only

    agent: dict[str, object] = {"Label": LAUNCHD_LABEL, "ProgramArguments": _command(python),
                                "StartInterval": EVERY_MINUTES * 60, "RunAtLoad": True}
    if _environment(language):
        agent["EnvironmentVariables"] = _environment(language)
    return plistlib.dumps(agent)


def _windows_quote(text: str) -> str:
    return f'\\"{text}\\"' if " " in text else text


def windowless_python(python: str) -> str:
    """The pythonw.exe beside `python` (python.exe opens a console window, which would flash up every few
    minutes), or `python` itself when there is none (a Python without it still runs, in a window)."""
    folder = python[:max(python.rfind("\\"), python.rfind("/")) + 1]
    name = python[len(folder):]
    if name.casefold() not in ("python.exe", "python3.exe", "python"):
        return python  # already pythonw.exe, or a launcher of the rep's own
    windowless = folder + "pythonw.exe"
    return windowless if os.path.isfile(windowless) else python


def schtasks_create(python: str) -> str:
    """The Windows command that schedules `crm remind` every EVERY_MINUTES minutes (printed, not run), run by
    pythonw.exe where there is one so that no console window opens each time."""
    run = " ".join(_windows_quote(part) for part in _command(windowless_python(python)))
    return f'schtasks /Create /SC MINUTE /MO {EVERY_MINUTES} /TN "{WINDOWS_TASK}" /TR "{run}" /F'


def _shell(arguments: list[str]) -> str:
    import shlex  # deferred: for --install only

    return shlex.join(arguments)


def install(system: str | None = None, python: str | None = None,
            run: Callable[[list[str]], tuple[int, str]] | None = None, language: str = "auto") -> Setup:
    """Sets `crm remind` to run every EVERY_MINUTES minutes the ordinary way of the platform: a systemd user timer
    on Linux (enabled at once when systemctl is there, else the commands are listed), a launchd agent on macOS
    (written; the rep loads it), a scheduled task on Windows (the command is listed). `language`: the config's;
    "auto" takes this shell's locale into the timer and the agent."""
    system = system or sys.platform
    python = python or sys.executable
    setup = Setup(system)
    if system.startswith("linux"):
        folder = systemd_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in systemd_units(python, language).items():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            setup.written.append(path)
        _systemctl(setup, [["daemon-reload"], ["enable", "--now", f"{UNIT}.timer"]], run)
    elif system == "darwin":
        path = launchd_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(launchd_plist(python, language))
        setup.written.append(path)
        setup.to_run.append(_shell(["launchctl", "load", "-w", str(path)]))
    else:
        setup.to_run.append(schtasks_create(python))
    return setup


def uninstall(system: str | None = None, run: Callable[[list[str]], tuple[int, str]] | None = None) -> Setup:
    """Undoes install: stops and removes the timer, the agent or the task."""
    system = system or sys.platform
    setup = Setup(system)
    if system.startswith("linux"):
        _systemctl(setup, [["disable", "--now", f"{UNIT}.timer"]], run)
        for name in systemd_units(sys.executable):
            path = systemd_dir() / name
            if path.exists():
                path.unlink()
                setup.removed.append(path)
        _systemctl(setup, [["daemon-reload"]], run)
    elif system == "darwin":
        path = launchd_path()
        setup.to_run.append(_shell(["launchctl", "bootout", f"gui/{_uid()}/{LAUNCHD_LABEL}"]))
        if path.exists():
            path.unlink()
            setup.removed.append(path)
    else:
        setup.to_run.append(f'schtasks /Delete /TN "{WINDOWS_TASK}" /F')
    return setup


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


def _systemctl(setup: Setup, calls: list[list[str]], run: Callable[[list[str]], tuple[int, str]] | None) -> None:
    """Runs `systemctl --user ...` for each call when systemctl is on PATH; else, or after a failure, lists them."""
    import shutil  # deferred: for --install only

    commands = [["systemctl", "--user", *call] for call in calls]
    if setup.failed is None and shutil.which("systemctl") is not None:
        run = run or _run
        for command in commands:
            code, said = run(command)
            setup.ran.append(command)
            if code != 0:
                setup.failed = said.strip() or f"exit status {code}"
                break
        else:
            return
    setup.to_run += [_shell(command) for command in commands if command not in setup.ran or setup.failed]


def _run(command: list[str]) -> tuple[int, str]:
    import subprocess  # deferred: for --install only

    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.returncode, done.stderr or done.stdout
