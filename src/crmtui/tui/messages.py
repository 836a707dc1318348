"""App-wide messages: one screen tells the others what changed, without importing them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class DataChanged(Message):
    """Something was written (here or by another process): screens reload what they show."""

    origin: str = "local"


@dataclass
class PoolChanged(Message):
    """A claim, a restore or a sync round may have changed the team's pool: the pool lists on the stack read it
    again from the server (DataChanged would not do: it comes after every local write, and the pool is not on the
    laptop)."""
