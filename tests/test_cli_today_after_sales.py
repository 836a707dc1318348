"""`crm today` with the sections of the work after the sale: printed in the order a rep works them, in --json
with stable keys, scoped by --rep, and a manager's escalations before the manager's own work."""

from __future__ import annotations

import json
from datetime import date, timedelta

from crmtui.core import i18n

from .conftest import NOW
from .test_agenda_after_sales import _at, _customer, _revisit, _ticket, escalation_book  # noqa: F401 (a fixture)
from .test_cli import fails, ok

DAY = date(2026, 11, 24)

KEYS = {"section", "customer_id", "customer", "reason", "next_plan", "when", "deal_id", "deal", "amount", "days",
        "hours", "kind", "due_on", "owner", "tier", "cadence_days", "ticket", "priority", "holiday", "channel"}
"""Every row of --json has these keys, whatever its section (null where they mean nothing)."""


def _book(ctx) -> None:
    """One row in each section after the sale (the days worked out in tests/test_agenda_after_sales.py)."""
    acme = _customer(ctx, "Acme", tier="A", last=_at(DAY - timedelta(days=20)))  # 6 days past its 14
    _revisit(ctx, acme, "2026-11-21", "Satisfaction call")  # 3 days late
    _ticket(ctx, acme, "T-1", NOW - timedelta(hours=5), title="No power")
    _customer(ctx, "Service Co", service_months=6, service_from=date(2026, 5, 31))  # 30 Nov: in 6 days


def test_crm_today_prints_the_sections_in_order(ctx) -> None:
    _book(ctx)
    out = ok("today").stdout
    expected = ["Service requests due (1)", "  Acme  ·  T-1 · 5 h late  ·  → No power",
                "Revisits (1)", "  Acme  ·  revisit 3 d late  ·  → Satisfaction call",
                "Due for a touch (1)", "  Acme  ·  last contact 20 d ago (tier A: 14 d)",
                "Service and warranty (1)", "  Service Co  ·  service visit in 6 d"]
    lines = out.splitlines()
    assert [line for line in lines if line in expected] == expected


def test_crm_today_json_has_the_new_sections_with_stable_keys(ctx) -> None:
    _book(ctx)
    data = json.loads(ok("today", "--json").stdout)
    assert {"escalated", "tickets", "revisits", "touch", "service", "holidays"} <= set(data["sections"])
    rows = [row for items in data["sections"].values() for row in items]
    assert rows and all(set(row) == KEYS for row in rows)
    (ticket,) = data["sections"]["tickets"]
    assert (ticket["ticket"], ticket["kind"], ticket["hours"], ticket["priority"]) == ("T-1", "overdue", 5, "normal")
    (revisit,) = data["sections"]["revisits"]
    assert (revisit["due_on"], revisit["days"], revisit["next_plan"]) == ("2026-11-21", 3, "Satisfaction call")
    (touch,) = data["sections"]["touch"]
    assert (touch["days"], touch["tier"], touch["cadence_days"]) == (20, "A", 14)
    (service,) = data["sections"]["service"]
    assert (service["kind"], service["due_on"], service["days"]) == ("service", "2026-11-30", 6)
    assert data["totals"]["touch"] == 1 and data["totals"]["holidays"] == 0


def test_crm_today_in_chinese_words_the_new_sections(ctx, home) -> None:
    _book(ctx)
    config = home / "config" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('language = "en"', 'language = "zh"'),
                      encoding="utf-8")
    try:
        out = ok("today").stdout
    finally:
        i18n.set_language("en")
    assert not out.startswith("Today,")  # the title in Chinese
    assert "Acme" in out and "Service Co" in out  # the new words are the lead's to translate; the rows are there


def test_a_bad_agenda_setting_is_named(ctx, home) -> None:
    config = home / "config" / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[agenda]\ncare_days = { A = 0 }\n", encoding="utf-8")
    assert "config agenda.care_days: a table of tier = days" in fails("today").stderr


def test_crm_today_of_a_manager_starts_with_the_teams_late_work(escalation_book) -> None:  # noqa: F811
    out = ok("today").stdout
    team = out.index("Team (2)")
    escalated = out.index("Escalated: the team's late work (2)\n  Li Pumps  ·  li: ticket T-9 (high priority) overdue 2 h"
                          "  ·  → Pump down\n  Wang Four  ·  wang: follow-up overdue 4 d")
    assert team < escalated < out.index("Overdue (1)\n  Boss Own  ·  overdue 5 d")
    data = json.loads(ok("today", "--json").stdout)
    assert [row["owner"] for row in data["sections"]["escalated"]] == ["li", "wang"]
    assert {load["rep"]: load["escalated"] for load in data["team"]} == {"wang": 1, "li": 1}
    li = json.loads(ok("today", "--rep", "li", "--json").stdout)
    assert li["sections"]["escalated"] == [] and [r["ticket"] for r in li["sections"]["tickets"]] == ["T-10", "T-9",
                                                                                                      "T-11"]
    assert "Escalated" not in ok("today", "--rep", "wang").stdout
