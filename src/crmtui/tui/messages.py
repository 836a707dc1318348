"""App-wide messages."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class DataChanged(Message):
    """Something was written (here or by another process): screens reload what they show."""

    origin: str = "local"
