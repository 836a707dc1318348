"""The funnel's local days (services/reports/funnel.py Moments.day): a UTC day under one whole-hour offset keeps the
days of its 24 hours at once; an hour of a 5:30 or 5:45 zone, or a day whose offset changes, is worked out alone.
Checked against zoneinfo moment by moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from crmtui.core.periods import Period
from crmtui.services.reports.funnel import Moments


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
                                  "Asia/Shanghai", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_funnels_local_days_match_the_zones_own(zone: str) -> None:
    """Every 15 minutes over three days around New York's and Lord Howe's changes of offset in 2026, and in zones
    5:30, 5:45, +14 and -11 hours from UTC (the day of a UTC hour is the next or the previous local day)."""
    tz = ZoneInfo(zone)
    ctx = SimpleNamespace(clock=SimpleNamespace(zone=tz))
    edge = datetime(2026, 11, 1, tzinfo=tz)
    moments = Moments(ctx, Period(edge, edge + timedelta(days=1), "test"))  # type: ignore[arg-type]
    for start in (datetime(2026, 3, 7, 12), datetime(2026, 4, 4, 0), datetime(2026, 11, 1, 0)):
        for step in range(0, 3 * 24 * 4):
            moment = start + timedelta(minutes=15 * step, seconds=7)
            stored = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
            assert moments.day(stored) == moment.replace(tzinfo=UTC).astimezone(tz).date(), stored
