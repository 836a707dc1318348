"""The footer with the team-sync state at its right end: synced N min ago / N pending / offline / error."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Label


class StatusFooter(Footer):
    """Textual's footer (the keys), plus the app's `sync_line` when team sync is set up."""

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

    def compose(self) -> ComposeResult:
        yield from super().compose()
        line = getattr(self.app, "sync_line", "")
        if line:
            # The sync key leads the state: the state is that key's description.
            keys = [self.app.get_key_display(active.binding) for active in self.app.active_bindings.values()
                    if active.binding.action == "sync_now"]
            text = Text.assemble((keys[0] + " ", "bold") if keys else "", line)
            label = Label(text, id="sync-status", markup=False)
            label.set_class(getattr(self.app, "sync_problem", False), "-problem")
            yield label

    def on_mount(self) -> None:
        self.watch(self.app, "sync_line", self._sync_changed, init=False)

    def _sync_changed(self) -> None:
        self.call_after_refresh(self.recompose)
