"""Every key binding of the app by id, with its default keys and where it applies.

The config's [keys] table is checked against this list by every command (not only when the app
starts), so a typo or a key bound twice is refused before anything runs. A test keeps the list equal
to the bindings the screens declare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

APP = "everywhere"
"""The scope of the app's own bindings: they apply on every screen."""


@dataclass(frozen=True)
class KeyBinding:
    """One binding: its id (None for fixed keys that cannot be remapped), default keys and scope."""

    id: str | None
    keys: str
    scope: str


BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding("today", "t", APP),
    KeyBinding("pipeline", "p", APP),
    KeyBinding("search", "slash", APP),
    KeyBinding("help", "question_mark", APP),
    KeyBinding("pool", "o", APP),
    KeyBinding("sync", "S", APP),
    KeyBinding("conflicts", "C", APP),
    KeyBinding("quit", "q", APP),
    KeyBinding("open", "enter", "today"),
    KeyBinding("log", "l", "today"),
    KeyBinding("new", "n", "today"),
    KeyBinding("stage", "s", "today"),
    KeyBinding("down", "j", "today"),
    KeyBinding("up", "k", "today"),
    KeyBinding("reload", "r", "today"),
    KeyBinding("back-today", "escape", "today"),
    KeyBinding("log-customer", "l", "customer"),
    KeyBinding("edit", "e", "customer"),
    KeyBinding("add-contact", "a", "customer"),
    KeyBinding("edit-contact", "E", "customer"),
    KeyBinding("remove-contact", "x", "customer"),
    KeyBinding("add-deal", "d", "customer"),
    KeyBinding("stage-customer", "s", "customer"),
    KeyBinding("convert", "c", "customer"),
    KeyBinding("merge", "m", "customer"),
    KeyBinding("mark-paid", "dollar_sign", "customer"),
    KeyBinding("reassign", "R", "customer"),
    KeyBinding("release", "P", "customer"),
    KeyBinding("back", "escape", "customer"),
    KeyBinding("column-left", "left,h", "board"),
    KeyBinding("column-right", "right", "board"),
    KeyBinding("move-left", "shift+left", "board"),
    KeyBinding("move-right", "shift+right", "board"),
    KeyBinding("stage-board", "s", "board"),
    KeyBinding("log-board", "l", "board"),
    KeyBinding("open-board", "enter", "board"),
    KeyBinding(None, "j", "board"),
    KeyBinding(None, "k", "board"),
    KeyBinding("back-board", "escape", "board"),
    KeyBinding("rep-board", "at", "board"),
    KeyBinding("claim", "c", "pool"),
    KeyBinding("assign", "a", "pool"),
    KeyBinding("deleted", "u", "pool"),
    KeyBinding("reload", "r", "pool"),
    KeyBinding("down", "j", "pool"),
    KeyBinding("up", "k", "pool"),
    KeyBinding("back", "escape", "pool"),
    KeyBinding("down", "j", "deleted customers"),
    KeyBinding("up", "k", "deleted customers"),
    KeyBinding("back", "escape", "deleted customers"),
    KeyBinding("claim-pool-customer", "c", "pool customer"),
    KeyBinding("assign-pool-customer", "a", "pool customer"),
    KeyBinding("back", "escape", "pool customer"),
    KeyBinding("cancel-release", "escape", "release reason"),
    KeyBinding("back", "escape", "conflicts"),
    KeyBinding("down", "j", "conflicts"),
    KeyBinding("up", "k", "conflicts"),
    KeyBinding("dismiss", "d", "conflicts"),
    KeyBinding("dismiss-all", "D", "conflicts"),
    KeyBinding("save", "ctrl+s", "follow-up form"),
    KeyBinding("cancel", "escape", "follow-up form"),
    *(KeyBinding(None, key, "follow-up form") for key in (*"1234567yn", "tab", "shift+tab", "enter")),
    KeyBinding("save-new", "ctrl+s", "new record"),
    KeyBinding("open-existing", "ctrl+o", "new record"),
    KeyBinding("cancel-new", "escape", "new record"),
    KeyBinding("save-gate", "ctrl+s", "stage gate"),
    KeyBinding("cancel-gate", "escape", "stage gate"),
    KeyBinding("cancel-stage", "escape", "stage picker"),
    KeyBinding("save-convert", "ctrl+s", "convert"),
    KeyBinding("cancel-convert", "escape", "convert"),
    KeyBinding("save-paid", "ctrl+s", "paid date"),
    KeyBinding("cancel-paid", "escape", "paid date"),
    KeyBinding("yes", "y", "confirm"),
    KeyBinding("no", "n", "confirm"),
    KeyBinding(None, "escape", "confirm"),
    KeyBinding("cancel", "escape", "pick"),
    KeyBinding("back-edit", "escape", "edit"),
    KeyBinding("close-help", "escape,question_mark,q", "help"),
    KeyBinding("close-merge", "escape", "merge"),
    KeyBinding("close-search", "escape", "search"),
    KeyBinding(None, "down", "search"),
)

IDS: frozenset[str] = frozenset(b.id for b in BINDINGS if b.id)

KEPT = ("up", "down", "left", "right", "home", "end", "pageup", "pagedown", "tab", "shift+tab", "ctrl+p", "ctrl+c",
        "ctrl+q")
"""Keys no action may take: moving in lists and between fields, the command palette, copy and quit."""

_KEY = re.compile(r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[a-z][a-z0-9_]*|[A-Z]|[0-9])|[^\s,+]")
"""A key as Textual names it ("l", "E", "ctrl+l", "f5", "slash") or a single printable character ("/")."""


def bad_key(keys: str) -> str | None:
    """The first key of a comma-separated list that is no key name or is kept for the app, else None."""
    for key in keys.split(","):
        key = key.strip()
        if not _KEY.fullmatch(key) or _NAMES.get(key, key) in KEPT:
            return key
    return None

_NAMES = {"/": "slash", "?": "question_mark", "$": "dollar_sign"}
"""Characters a rep may write in [keys] and the key names Textual uses for them."""


def key_names(keys: str) -> list[str]:
    """The keys of a comma-separated list, in Textual's names ("/" is "slash")."""
    names = []
    for key in keys.split(","):
        key = key.strip()
        names.append(_NAMES.get(key, key))
    return names


def clash(remapped: dict[str, str]) -> tuple[str, str, str] | None:
    """(key, id, other id) for the first key the remapping binds to two actions on one screen, else None.

    Two bindings meet when they share a scope or one of them applies everywhere; only pairs where at
    least one side was remapped count (a dialog's own Escape over the app's is by design).
    """
    bound: list[tuple[str | None, str, str, bool]] = []
    for binding in BINDINGS:
        changed = binding.id in remapped
        for key in key_names(remapped[binding.id] if changed else binding.keys):
            bound.append((binding.id, key, binding.scope, changed))
    for index, (first_id, key, scope, first_changed) in enumerate(bound):
        for other_id, other_key, other_scope, other_changed in bound[index + 1:]:
            if key != other_key or first_id == other_id or not (first_changed or other_changed):
                continue
            if scope == other_scope or APP in (scope, other_scope):
                return key, first_id or "", other_id or other_scope
    return None
