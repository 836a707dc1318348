"""The app's own keys and how every binding reaches the rep: translated per instance, with its one-line tooltip
from the key registry (core/keymap.py); the command palette lists them by name (tui/palette.py).

Apart from Textual it imports only core, so the app, the base screen and the help can all use it without
importing one another."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from crmtui.core.i18n import N_, _
from crmtui.core.keymap import tooltip_of

APP_BINDINGS: list[BindingType] = [
    Binding("t", "go_today", N_("Today"), id="today"),
    Binding("p", "go_pipeline", N_("Pipeline"), id="pipeline"),
    Binding("slash", "search", N_("Search"), id="search", key_display="/"),
    Binding("question_mark", "help", N_("Help"), id="help", key_display="?"),
    Binding("o", "go_pool", N_("Pool"), id="pool"),
    Binding("g", "go_reports", N_("Reports"), id="reports", show=False),  # in the help and the palette
    Binding("T", "go_tickets", N_("Tickets"), id="tickets", show=False),  # in the help and the palette
    Binding("S", "sync_now", N_("Sync"), id="sync", show=False),  # shown with the sync state
    Binding("C", "conflicts", N_("Sync conflicts"), id="conflicts", show=False),
    Binding("q", "quit", N_("Quit"), id="quit"),
]
"""The keys that work on every screen (the app's BINDINGS)."""

TEAM_ACTIONS = ("go_pool", "sync_now", "conflicts")
"""The app's actions shown only when team sync is set up."""

N_("palette")  # Textual's own ctrl+p binding, translated by translate_bindings


def tooltip(binding: Binding) -> str:
    """The binding's one-line tooltip in English (its own, else the key registry's), or ""."""
    return binding.tooltip or tooltip_of(binding.id, binding.key)


def translate_bindings(node: DOMNode) -> None:
    """Gives a node's bindings (declared in English with N_) their descriptions and tooltips in the rep's
    language, for this instance."""
    bindings = node._bindings.key_to_bindings  # noqa: SLF001 - Textual keeps per-instance copies here
    for key, items in bindings.items():
        bindings[key] = [
            replace(b, description=_(b.description) if b.description else "",
                    tooltip=_(english) if (english := tooltip(b)) else "")
            for b in items
        ]
