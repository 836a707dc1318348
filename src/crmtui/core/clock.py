"""The injectable clock: services ask it for now and today, so tests can freeze time."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_zone(name: str = "") -> tzinfo:
    """The configured zone, else TZ, else the system's local offset."""
    for candidate in (name, os.environ.get("TZ", "")):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return datetime.now().astimezone().tzinfo or UTC


class Clock:
    """Now in UTC for storage and in the rep's zone for display and for "today"."""

    def __init__(self, zone: tzinfo | None = None) -> None:
        self.zone = zone or local_zone()

    def now(self) -> datetime:
        """Aware local time."""
        return datetime.now(self.zone)

    def utcnow(self) -> datetime:
        """Aware UTC, the form the store keeps."""
        return datetime.now(UTC)

    def today(self) -> date:
        """The rep's local date."""
        return self.now().date()

    def to_utc(self, moment: datetime) -> datetime:
        """Aware (or naive local) to aware UTC for storage."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.astimezone(UTC)

    def to_local(self, stored: datetime | None) -> datetime | None:
        """A stored UTC time as aware local time for display."""
        if stored is None:
            return None
        if stored.tzinfo is None:
            stored = stored.replace(tzinfo=UTC)
        return stored.astimezone(self.zone)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The local day as a UTC half-open interval [start, end)."""
        start = datetime.combine(day, time(0), self.zone)
        end = datetime.combine(day + timedelta(days=1), time(0), self.zone)
        return self.to_utc(start), self.to_utc(end)
