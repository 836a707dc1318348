"""A file path typed with Tab completion, as in a shell: `~` expanded, folders and the files of the types the rep may
pick (by their suffix) offered, the common part of several completed at once, then each in turn on the next Tabs.

The completion reads only a folder's listing (no file is opened); it is shown literally, as typed (`~/` stays).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from textual import events
from textual.message import Message
from textual.widgets import Input

MAX_LISTED = 500
"""Entries read from one folder: a huge folder answers at once, the rep types more letters to narrow it."""


def expand(text: str) -> Path:
    """The typed path as the file system knows it (`~` is the rep's home)."""
    return Path(os.path.expanduser(text.strip()))


def completions(text: str, suffixes: Iterable[str]) -> tuple[str, list[str]]:
    """(the typed folder part, the names in it that complete the typed last part): folders end in "/", files only
    of `suffixes` (case aside); hidden entries only when the typed part starts with a dot. Sorted, folders first."""
    typed = text.strip()
    head, _sep, prefix = typed.rpartition("/")
    folder_text = head + "/" if _sep else ""
    folder = expand(folder_text) if folder_text else Path(".")
    if typed.startswith("~") and not _sep:  # "~" or "~ann": a home folder, completed with its "/"
        return "", [typed + "/"] if expand(typed).is_dir() else []
    wanted = tuple(s.casefold() for s in suffixes)
    folders: list[str] = []
    files: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_LISTED:
                    break
                name = entry.name
                if not name.casefold().startswith(prefix.casefold()) or name.startswith(".") and not prefix.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                if is_dir:
                    folders.append(name + "/")
                elif name.casefold().endswith(wanted):
                    files.append(name)
    except OSError:  # no such folder, or not allowed to read it: nothing to offer
        return folder_text, []
    return folder_text, sorted(folders, key=str.casefold) + sorted(files, key=str.casefold)


def common_start(names: list[str]) -> str:
    """The longest start all the names share (case aside, in the first name's spelling)."""
    if not names:
        return ""
    first = names[0]
    length = len(first)
    for name in names[1:]:
        length = min(length, len(name))
        for index in range(length):
            if first[index].casefold() != name[index].casefold():
                length = index
                break
    return first[:length]


class PathInput(Input):
    """An Input whose Tab completes the path (then offers each candidate in turn); Tab moves on to the next field
    when there is nothing to complete. Each Tab posts Candidates, for the dialog to list them.

    Tab is taken in the key handler, not by a binding: the focused field sees the key before the screen's Tab
    (next field) does, and a widget without bindings of its own adds no section to the help."""

    class Candidates(Message):
        """What the last Tab found (empty when it found nothing or one thing it completed)."""

        def __init__(self, path_input: PathInput, names: list[str]) -> None:
            super().__init__()
            self.path_input = path_input
            self.names = names

        @property
        def control(self) -> PathInput:
            return self.path_input

    def __init__(self, value: str = "", *, suffixes: Iterable[str], **options: object) -> None:
        super().__init__(value, **options)  # type: ignore[arg-type]
        self.suffixes = tuple(suffixes)
        self._cycle: tuple[str, list[str], int] | None = None
        """(folder part, candidates, the one shown) while Tab steps through several candidates."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "tab":
            event.stop()
            event.prevent_default()
            self.complete()
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        self._cycle = None  # the path is taken: the next Tab moves on instead of showing another candidate
        await super().action_submit()

    def complete(self) -> None:
        """Completes the typed path, or shows the next candidate, or (nothing to complete) moves on."""
        if self._cycle is not None and self.value == self._cycle[0] + self._cycle[1][self._cycle[2]]:
            folder, names, shown = self._cycle
            shown = (shown + 1) % len(names)
            self._cycle = (folder, names, shown)
            self._set(folder + names[shown])
            self.post_message(self.Candidates(self, names))
            return
        self._cycle = None
        folder, names = completions(self.value, self.suffixes)
        typed = self.value.strip().rpartition("/")[2] if "/" in self.value else self.value.strip()
        if not names or names == [typed] and expand(self.value).is_file():
            self.post_message(self.Candidates(self, []))
            if not self.value.strip() or expand(self.value).is_file():
                self.screen.focus_next()  # nothing left to complete: Tab moves on, as it does elsewhere
            return
        if len(names) == 1:
            self._set(folder + names[0])
            self.post_message(self.Candidates(self, []))
            return
        start = common_start(names)
        if len(start) > len(typed):
            self._set(folder + start)
        else:
            self._cycle = (folder, names, 0)
            self._set(folder + names[0])
        self.post_message(self.Candidates(self, names))

    def _set(self, value: str) -> None:
        self.value = value
        self.cursor_position = len(value)
