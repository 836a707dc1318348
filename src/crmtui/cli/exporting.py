"""`crm export`: customers, contacts, deals, follow-ups (or all) to CSV, XLSX, vCard or JSON lines, and the calendar
to iCalendar (docs/export.md).

Start-up deferral: the exporters are imported inside the command (they load the store's export queries, and
openpyxl or icalendar when their format is written); this module loads with every `crm` command and
holds only the command's signature.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from crmtui.cli.output import fail, out
from crmtui.cli.session import open_session
from crmtui.core.errors import CrmError
from crmtui.core.i18n import N_, _, ngettext

KIND_HELP = N_("customers, contacts, deals, follow-ups, all (every kind: --format json or xlsx), or ics (the calendar"
               " of next follow-ups, renewals, payments due and birthdays).")


def export(
    kind: Annotated[str, typer.Argument(help=KIND_HELP, show_default=False)],
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", help=N_("csv, xlsx, vcf or json (JSON lines); default: from the file's suffix, else csv."))] = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help=N_('The file to write; "-" or none: the terminal (text formats only).'))] = None,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace an existing file without asking."))] = False,
) -> None:
    """Writes your book out: CSV for Excel, XLSX with typed cells, vCard for phones, JSON lines, or an iCalendar file."""
    # deferred: the exporters (and the store's queries) load only for this command
    from crmtui.services.exporting import check_request, choose_format
    from crmtui.services.exporting import export as run_export

    kind = kind.strip().casefold()
    target = None if output in (None, "-") else Path(output).expanduser()
    try:
        chosen = choose_format(kind, fmt, target)
        check_request(kind, chosen, target)
    except CrmError as exc:
        fail(exc.message())
    if target is not None and target.exists() and not force:
        if not sys.stdin.isatty():
            fail(_("{path} exists: add --force to replace it").format(path=target))
        if not typer.confirm(_("{path} exists. Replace it?").format(path=target), default=False):
            fail(_("cancelled; nothing written"))
    if target is None and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(newline="")  # the formats' own CRLF line ends, never doubled (Windows' text mode)
    with open_session() as ctx:
        try:
            counts = run_export(ctx, kind, chosen, target, sys.stdout)
        except BrokenPipeError:
            # the reader stopped early (`crm export deals | head`): nothing to say, and Python must not try to
            # flush the closed pipe again at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
    said = ", ".join(_count_text(each, number) for each, number in counts.items())
    if target is None:
        sys.stderr.write(_("exported {counts}").format(counts=said) + "\n")
    else:
        out(_("exported {counts} to {path}").format(counts=said, path=target))


def _count_text(kind: str, number: int) -> str:
    words = {
        "customers": ngettext("{n} customer", "{n} customers", number),
        "contacts": ngettext("{n} contact", "{n} contacts", number),
        "deals": ngettext("{n} deal", "{n} deals", number),
        "follow-ups": ngettext("{n} follow-up", "{n} follow-ups", number),
        "ics": ngettext("{n} calendar event", "{n} calendar events", number),
    }
    return words[kind].format(n=number)


def register(app: typer.Typer) -> None:
    """Adds `crm export` to the `crm` command."""
    app.command("export")(export)
