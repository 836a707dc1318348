"""The reports of the review (复盘): each a module with `build(ctx, period, rep) -> Report` (see base.py)."""

from __future__ import annotations

import importlib
from types import ModuleType

REPORTS = ("funnel", "lost", "sources", "forecast", "activity", "rfm", "payments", "team")
"""Every report in the order the Reports screen shows its tabs and `crm report` lists them."""


def module(name: str) -> ModuleType:
    """The module of one report, imported only when asked for (a report's code is not loaded before it is used)."""
    if name not in REPORTS:
        raise KeyError(name)
    return importlib.import_module(f"crmtui.services.reports.{name}")
