"""A list of one-line options that costs what is on screen, not what is in the list.

Textual's OptionList measures every option when options are set (it wraps each prompt to the width to learn its
height), and each prompt is made in full before the list gets it. For a list of a thousand rows that is most of the
time a screen takes to appear. LineList is an OptionList whose every option is one line, so its layout is known
without measuring anything: the option at index i is line i (a divider adds a line after its option). A LazyOption
makes its prompt only when the prompt is first needed: when its line is drawn, or when code reads it. This is the way
a log viewer shows a file of millions of lines: the line count gives the virtual size, and a line is made when it
scrolls into view (and kept in the list's cache of drawn lines).

Everything else is OptionList's: the keys, the highlight, the messages, `options`, `get_option`...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.geometry import Size
from textual.reactive import reactive
from textual.visual import VisualType
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class LazyOption(Option):
    """An option whose prompt is made by `make` the first time it is needed, then kept."""

    def __init__(self, make: Callable[[], VisualType], id: str | None = None, disabled: bool = False) -> None:
        super().__init__("", id=id, disabled=disabled)
        self._make: Callable[[], VisualType] | None = make

    @property
    def prompt(self) -> VisualType:
        if self._make is not None:
            self._prompt, self._make = self._make(), None
        return self._prompt

    def _set_prompt(self, prompt: VisualType) -> None:
        self._make = None
        super()._set_prompt(prompt)

    @property
    def made(self) -> bool:
        """Whether the prompt has been made."""
        return self._make is None


class LineList(OptionList):
    """An OptionList whose options are one line each: setting a thousand options measures none of them, and only
    the lines drawn are made. A prompt longer than the row is cut at the edge (never wrapped onto a second line);
    a prompt with a line break shows its first line only."""

    DEFAULT_CSS: ClassVar[str] = """
    LineList {
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    highlighted: reactive[int | None] = reactive(None, repaint=False)
    """As OptionList's, but a move repaints the two lines it changes, not the whole list (a key in a list of a
    screen's height then costs two lines' drawing)."""

    def watch_highlighted(self, old: int | None, new: int | None) -> None:  # type: ignore[override]
        # (Textual passes the old value too to a watcher that takes two; OptionList's takes the new one only.)
        for index in (old, new):
            if index is not None:
                line = self._index_to_line.get(index)
                if line is not None:
                    self.refresh_lines(line, self._heights.get(index, 1))
        super().watch_highlighted(new)

    def _update_lines(self) -> None:
        """The lines of the options added since the last call: one each, and one more after a divider (OptionList
        measures each option's height here)."""
        if not self.scrollable_content_region:
            return
        cache = self._line_cache
        lines = cache.lines
        options = self._options
        for index in range(lines[-1][0] + 1 if lines else 0, len(options)):
            cache.index_to_line[index] = len(lines)
            height = 2 if options[index]._divider else 1
            cache.heights[index] = height
            lines.extend((index, offset) for offset in range(height))
        last_divider = bool(options) and options[-1]._divider
        size = Size(self.scrollable_content_region.width - self._get_left_gutter_width(), len(lines) - last_divider)
        if size != self.virtual_size:
            self.virtual_size = size
            self._scroll_update(size)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The height of every option without measuring one: a line each, a divider one more (the last one's
        divider is not drawn)."""
        options = self._options
        return len(options) + sum(option._divider for option in options[:-1])
