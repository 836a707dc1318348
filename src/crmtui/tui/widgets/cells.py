"""Fixed-width columns that stay aligned with Chinese (double-width) text; user data is always literal Text."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from crmtui.core.normalize import visible


def fit(value: object, width: int, *, right: bool = False) -> str:
    """The value in exactly `width` terminal cells: control characters made visible, cut with … when too long."""
    text = visible(str(value if value is not None else "")).replace("\n", " ")
    if width <= 0:
        return ""
    if cell_len(text) > width:
        # A wide character that does not fit leaves a padding space: the … goes right after the text instead.
        text = set_cell_size(text, width - 1).rstrip(" ") + "…"
    pad = width - cell_len(text)
    return (" " * pad + text) if right else (text + " " * pad)


def wrap_words(value: str, width: int, lines: int) -> list[str]:
    """The words of value on at most `lines` lines of `width` cells, each line padded; only the last is cut."""
    words = visible(value).split()
    out: list[str] = []
    while words and len(out) < lines - 1:
        line = words.pop(0)
        while words and cell_len(line + " " + words[0]) <= width:
            line += " " + words.pop(0)
        if cell_len(line) > width:  # one word wider than the column: cut it on the last line instead
            words.insert(0, line)
            break
        out.append(line)
    if words or not out:
        out.append(" ".join(words))
    return [fit(line, width) for line in out]


def row(*columns: tuple[object, int] | tuple[object, int, str], gap: int = 2) -> Text:
    """A line of columns (value, width[, style]); a width of 0 means the rest, unpadded."""
    line = Text(no_wrap=True, overflow="ellipsis")
    for index, column in enumerate(columns):
        value, width = column[0], column[1]
        style = column[2] if len(column) > 2 else ""
        right = style.endswith("right")
        style = style.removesuffix("right").strip()
        if index:
            line.append(" " * gap)
        if width == 0:
            line.append(visible(str(value or "")).replace("\n", " "), style=style)
        else:
            line.append(fit(value, width, right=right), style=style)
    return line


def literal(value: object) -> Text:
    """User data as Text: never parsed as markup, escapes shown."""
    return Text(visible(str(value if value is not None else "")))
