"""What the `crm` commands print: user data shown literally (never markup, control characters made visible),
JSON, errors with their exit code, and the questions they ask."""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING

import typer

from crmtui.core import i18n
from crmtui.core.i18n import _
from crmtui.core.normalize import visible

if TYPE_CHECKING:
    from rich.console import Console


def console(stderr: bool = False) -> Console:
    """A Rich console that prints user data literally (Rich is imported only when something is printed)."""
    from rich.console import Console  # deferred: Rich costs ~95 ms, which `crm --help` never pays

    # markup and highlighting off: user data is always printed literally.
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=True)


_stdout: Console | None = None


def out(*parts: object) -> None:
    """Prints user data safely: control characters made visible, no markup interpreted."""
    global _stdout
    from rich.text import Text  # deferred: with the console, see console()

    if _stdout is None:
        _stdout = console()
    line = Text()
    for part in parts:
        line.append(visible(str(part)))
    _stdout.print(line)


def print_json(data: object) -> None:
    """`--json` output: UTF-8 as typed, every control character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # json escapes C0 controls but not DEL and C1 (U+0080-U+009F, e.g. the 8-bit CSI): escape those too.
    text = re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


def fail(message: str, code: int = 1) -> None:
    """Ends the command with `error: message` on stderr and the exit code."""
    sys.stderr.write(_("error: ") + visible(message) + "\n")
    raise typer.Exit(code)


def confirm(question: str, yes: bool) -> None:
    """Asks before a destructive step (--yes answers it; without a terminal, --yes is required); no ends the command."""
    if yes:
        return
    if not sys.stdin.isatty():
        fail(_("{question} Pass --yes to confirm when not at a terminal.").format(question=question))
    if not typer.confirm(question, default=False):
        fail(_("cancelled; nothing changed"))


def lang() -> str:
    """The language the command speaks (for dates written out)."""
    return i18n.language
