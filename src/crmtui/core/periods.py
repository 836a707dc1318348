"""Periods of the reports: this week, this month, 2017Q2, 2017-04, FROM..TO, in English and Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Period:
    """A half-open span of time [start, end) in the rep's time zone (aware datetimes), with the words that name it."""

    start: datetime
    end: datetime
    label: str
    """How the reports name it: what the rep chose, in a canonical form ("2017Q2", "2026-11", "2026-11-01..2026-11-30")."""

    def contains(self, moment: datetime) -> bool:
        """Whether an aware moment falls in the period."""
        return self.start <= moment < self.end
