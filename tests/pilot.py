"""Waiting in pilot tests for what a worker, a message or a thread makes true: by a deadline, never a fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(pilot, condition: Callable[[], object], seconds: float = 20.0, *,  # type: ignore[no-untyped-def]
                workers: bool = False) -> None:
    """Lets the app run until `condition()` holds, failing after `seconds` (a slow machine waits longer, it never
    counts tries). `workers`: also wait for the app's workers to finish between looks (not for a screen whose
    worker runs for as long as the screen is open)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        await pilot.pause()  # first: what the condition looks at may not be mounted before the app has run
        if workers:
            await pilot.app.workers.wait_for_complete()
        if condition():
            return
        assert loop.time() < deadline, "the app never got there"
        await asyncio.sleep(0.01)
