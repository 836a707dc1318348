"""What the app tells a team rep and a manager, and asks before it acts: rejected changes named in the sync toast,
a confirmation before a rejection is dismissed, advice that follows the customer's state, names kept with lost
edits, the footer's form following the width at once, a manager's delete announced as one, natural
reassignment questions, the owner's refusal naming the app's keys, countdowns that never understate the wait, and
an open pool that follows each sync round."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crmtui.app import build_app
from crmtui.config import SyncSettings
from crmtui.services.context import Context

from .test_tui_team import _footer, _until


@pytest.fixture
def offline_rep(ctx: Context, memory_keyring) -> Context:  # type: ignore[no-untyped-def]
    """A laptop set up for a team server that is not there: the footer shows the sync state, nothing connects."""
    from crmtui.sync.connection import store_password

    ctx.settings = replace(ctx.settings, sync=SyncSettings(server="postgresql://127.0.0.1:1/x", user="ann",
                                                           interval=0))
    store_password(ctx.settings.sync, "pw")
    return ctx


# ------------------------------------------------------------------ the footer follows the width at once


async def test_the_footer_form_follows_the_current_width_right_after_a_resize(offline_rep: Context) -> None:
    app = build_app(offline_rep, watch_seconds=0.2)
    async with app.run_test(size=(140, 30)) as pilot:
        await _until(pilot, lambda: _footer(app) != "")
        assert _footer(app) == "S not synced yet"
        await pilot.resize_terminal(80, 24)
        await _until(pilot, lambda: _footer(app) == "S …", seconds=1)
        await pilot.resize_terminal(140, 30)
        await _until(pilot, lambda: _footer(app) == "S not synced yet", seconds=1)
