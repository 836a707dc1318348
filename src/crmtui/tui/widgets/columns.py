"""Lines of columns laid out for the width they have: each column as wide as its longest value, measured in
display cells (so that Chinese text aligns with English), the less wanted columns left out or cut first when
the line is too narrow, and the values styled with the theme's variables."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.content import Content

from crmtui.core.normalize import visible
from crmtui.tui.widgets.cells import fit

GAP = 2
"""Cells between two columns."""
NARROWEST = 8
"""The fewest cells a column is cut to."""


def column_widths(lines: Sequence[Sequence[str]], width: int, *, optional: Sequence[int] = (),
                  cut: Sequence[int] = ()) -> list[int]:
    """The cells each column takes on lines of `width` cells. Each is as wide as its longest value, measured in
    display cells so that the columns align whatever the script (0 when it is empty on every line: it is left
    out, with its gap). When that is too wide, the `optional` columns are left out in turn (the first the
    least wanted; one left out comes back if it fits once the others are out), then the `cut` columns are
    narrowed in turn, to NARROWEST cells at the least; the other columns are always whole."""
    count = len(lines[0]) if lines else 0
    widths = [max(cell_len(visible(line[index]).replace("\n", " ")) for line in lines) for index in range(count)]

    def excess() -> int:
        kept = [w for w in widths if w]
        return sum(kept) + GAP * max(0, len(kept) - 1) - width

    left_out = {}
    for index in optional:
        if excess() > 0 and widths[index]:
            left_out[index], widths[index] = widths[index], 0
    for index in reversed(left_out):
        widths[index] = left_out[index]
        if excess() > 0:
            widths[index] = 0
    for index in cut:
        over = excess()
        if over > 0 and widths[index] > NARROWEST:
            widths[index] = max(NARROWEST, widths[index] - over)
    return widths


def columns(values: Sequence[str], widths: Sequence[int], styles: Sequence[str], *,
            right: Sequence[int] = ()) -> Content:
    """One line of columns: each value in its column's width (cut with … when longer; columns of width 0 left
    out), styled with the theme's variables so that a light theme gets its own colours. The blanks before a
    value are a span of their own, so that a picture of the screen (SVG) keeps them."""
    kept = [index for index, width in enumerate(widths) if width]
    parts: list[tuple[str, str]] = []
    blank = ""
    for place, index in enumerate(kept):
        text = fit(values[index], widths[index], right=index in right)
        if place == len(kept) - 1:
            text = text.rstrip()
        value = text.lstrip(" ")
        blank += (" " * GAP if place else "") + text[:len(text) - len(value)]
        if value:
            parts += [(blank, "not bold")] if blank else []
            parts.append((value, styles[index]))
            blank = ""
    return Content.assemble(*parts)

