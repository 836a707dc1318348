"""`crm --help` in the chosen language: Click's own words translated, and lines wrapped by terminal cells
(Click counts characters, so a Chinese line would be twice as wide as the terminal)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from typer._click import Context, HelpFormatter

from crmtui.core.i18n import _

_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_NO_LINE_START = "、。，；：？！）」』》"
_TOKEN = re.compile(rf"\s+|(?:[{_WIDE}]|[^\s{_WIDE}]+)[{_NO_LINE_START}]*")
"""A space, or one wide character or a run of narrow ones, with the punctuation that must not start a line."""


def cells(text: str) -> int:
    """How many terminal columns the text takes."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """The text in lines of at most `width` cells, broken between words or between wide characters."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(" ".join(text.split())):
        if line.strip() and cells(line + token.rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def short_help(text: str) -> str:
    """A command's first sentence, for the list of commands (Click's shortening only cuts at spaces)."""
    return re.split(r"(?<=[。；])|(?<=\.)\s", text.strip(), maxsplit=1)[0].rstrip("；")


class TranslatedFormatter(HelpFormatter):
    """Click's help layout with its words (Usage, Options, required, ...) in the chosen language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(" " * self.current_indent + _("{heading}:").format(heading=_(heading)) + "\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for line in wrap(text, max(self.width - self.current_indent, 11)):
            self.write(f"{indent}{line}\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term, _(text).replace("[required]", "[" + _("required") + "]")) for term, text in rows]
        first_col = min(max((cells(term) for term, _text in rows), default=0), col_max) + col_spacing
        hang = " " * (first_col + self.current_indent)
        for term, text in rows:
            self.write(" " * self.current_indent + term)
            lines = wrap(text, max(self.width - first_col - 2, 10)) or [""]
            if cells(term) <= first_col - col_spacing:
                self.write(" " * (first_col - cells(term)) + lines[0] + "\n")
            else:
                self.write("\n" + hang + lines[0] + "\n")
            for line in lines[1:]:
                self.write(hang + line + "\n")


class TranslatedContext(Context):
    formatter_class = TranslatedFormatter
