"""The footer: the keys that fit the terminal's width, the command palette's key, and the team-sync state at its
right end (synced N min ago / N pending / offline / error)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey

ALWAYS_SHOWN = ("help", "quit")
"""The app's actions the footer keeps whatever the width: from help a rep finds every other key."""


@dataclass(frozen=True)
class FooterEntry:
    """One key the footer may show: the binding, whether it is enabled now, its tooltip, and its rank (lower is
    kept first when the keys do not all fit)."""

    binding: Binding
    key_display: str
    enabled: bool
    tooltip: str
    rank: int

    @property
    def width(self) -> int:
        """Cells the key takes: " k " then "description " (FooterKey's padding in a footer that is not compact);
        a key without a description is shown bare."""
        if not self.binding.description:
            return cell_len(self.key_display)
        return cell_len(self.key_display) + 2 + cell_len(self.binding.description) + 1


def fitting(entries: list[FooterEntry], room: int) -> list[FooterEntry]:
    """The entries to show in `room` cells, in their order: the best-ranked first, each that still fits."""
    kept: set[int] = set()
    for index in sorted(range(len(entries)), key=lambda i: (entries[i].rank, i)):
        if entries[index].width <= room:
            kept.add(index)
            room -= entries[index].width
    return [entry for index, entry in enumerate(entries) if index in kept]


class StatusFooter(Footer):
    """Textual's footer, with as many keys as fit, whole: Help and Quit always, then the screen's own keys in their
    order, then the app's other keys (Today, Pipeline, Search...). Every key stays in help and the palette.

    Textual's footer lets the keys run under the palette's key (docked right) when they do not fit, and the
    terminal then shows a wide character cut in half (`^p 命  面板`); this footer never overflows."""

    DEFAULT_CSS = """
    StatusFooter #sync-status {
        dock: right;
        padding: 0 1;
        width: auto;
        color: $text-muted;
        background: $footer-background;
    }
    StatusFooter #sync-status.-problem {
        color: $warning;
    }
    """

    _composed_width = 0
    """The width the keys were chosen for: a resize to another width chooses again."""

    _recomposing: asyncio.Lock | None = None

    async def recompose(self) -> None:
        """Composes the keys again, one recomposition at a time. The keys are recomposed on a change of bindings,
        of width and of the sync state, each from its own callback: two running at once would each remove the old
        keys and then both mount theirs (two sync labels of one id: the app stopped on it under load)."""
        if self._recomposing is None:
            self._recomposing = asyncio.Lock()
        async with self._recomposing:
            await super().recompose()

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self.size.width or self.app.size.width
        self._composed_width = width
        active = self.screen.active_bindings
        room = width
        palette = self._palette_key(active)
        if palette is not None:
            room -= self._palette_width(palette)
        label, label_width = self._sync_label()
        room -= label_width
        for entry in fitting(self._entries(active), room):
            yield FooterKey(entry.binding.key, entry.key_display, entry.binding.description, entry.binding.action,
                            disabled=not entry.enabled, tooltip=entry.tooltip).data_bind(compact=Footer.compact)
        if palette is not None:
            yield palette
        if label is not None:
            yield label

    def _entries(self, active: dict) -> list[FooterEntry]:
        """The shown bindings, one per action, in Textual's order (the focused widget's and the screen's first)."""
        entries: list[FooterEntry] = []
        seen: set[str] = set()
        for node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen or binding.key == self.app.COMMAND_PALETTE_BINDING:
                continue
            seen.add(binding.action)
            if node is self.app:
                rank = 0 if binding.action in ALWAYS_SHOWN else 2
            else:
                rank = 1
            entries.append(FooterEntry(binding, self.app.get_key_display(binding), enabled, tooltip, rank))
        return entries

    def _palette_key(self, active: dict) -> FooterKey | None:
        """The command palette's key (docked right), as Textual's footer shows it."""
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        found = active.get(self.app.COMMAND_PALETTE_BINDING)
        if found is None:
            return None
        _node, binding, enabled, _tooltip = found
        return FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                         classes="-command-palette", disabled=not enabled,
                         tooltip=binding.tooltip or binding.description)

    @staticmethod
    def _palette_width(key: FooterKey) -> int:
        """Cells of the palette's key: its left border, "^p description" (a compact key) and its right padding."""
        return 1 + cell_len(key.key_display) + (1 + cell_len(key.description) if key.description else 0) + 1

    def _sync_label(self) -> tuple[Label | None, int]:
        """The sync state (None when team sync is not set up) and the cells it takes."""
        line = getattr(self.app, "sync_line", "")
        if not line:
            return None, 0
        # The sync key leads the state: the state is that key's description.
        keys = [self.app.get_key_display(active.binding) for active in self.app.active_bindings.values()
                if active.binding.action == "sync_now"]
        text = Text.assemble((keys[0] + " ", "bold") if keys else "", line)
        label = Label(text, id="sync-status", markup=False)
        label.set_class(getattr(self.app, "sync_problem", False), "-problem")
        return label, text.cell_len + 2  # its padding: 0 1

    def on_mount(self) -> None:
        self.watch(self.app, "sync_line", self._sync_changed, init=False)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)

    def _sync_changed(self) -> None:
        self.call_after_refresh(self.recompose)
