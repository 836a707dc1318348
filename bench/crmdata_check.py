"""The public B2B CRM dataset imported as a rep would, and what crmtui then shows beside figures computed from the
CSV files themselves.

    .venv/bin/python bench/crmdata_check.py [--data ../shared/crmdata]

The data (accounts.csv, sales_pipeline.csv; products.csv and sales_teams.csv are not needed) is read where it
lies and never copied into the repository. Into an empty temporary book, the real `crm import` (a child process,
as a rep types it) brings accounts.csv in as customers (sector -> industry, office_location -> region) and
sales_pipeline.csv as deals (deal_stage mapped, engage_date = created, close_date = closed, close_value = amount,
sales_agent = owner, opportunity_id = external_id, the product as the title), each with the mapping file a rep
would write (the same as in docs/import.md). Then:

- from the CSV, with the csv module only: deals per stage, won count and value, lost count, win rate
  (won / (won + lost)), won value by quarter of close_date, the open pipeline's value, and the rows with no account
  (the import must refuse those: a deal needs a customer);
- from crmtui: the import's counts, and the figures its services compute from the deals' stage changes
  (crmtui.services.pipeline.stage_figures, what the reports build on);

and prints them side by side with ok or MISMATCH. Then the reports (services.reports: module(name).build, what
the app's Reports screen and `crm report` show) over a period covering the dataset's span, beside the same figures
computed from the CSV with the csv module alone:

- funnel: won and lost counts, win rate, and the sales cycle (mean days from engage_date to close_date of the won
  deals: an imported deal has no follow-up before it, so its first contact is the day it was opened);
- team: the won value of each quarter of close_date (the report built for that quarter);
- lost: the deals lost by the stage they were lost at (the dataset records no stage before Lost: an imported deal
  is opened in the first stage and closed from it, so every lost deal is lost at Initial contact);
- funnel with `--rep AGENT` (services.reports.scope.resolve, as `crm report funnel --rep` takes it) for every
  sales agent: won count and win rate.

It never asserts: it is a check to read.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import statistics
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

ACCOUNTS_MAPPING = """kind = "customers"

[columns]
"account" = "name"
"sector" = "industry"
"office_location" = "region"
"year_established" = "note"
"revenue" = "note"
"employees" = "note"
"subsidiary_of" = "note"

[values.industry]
"technolgy" = "technology"
"""
PIPELINE_MAPPING = """kind = "deals"

[columns]
"opportunity_id" = "external_id"
"sales_agent" = "owner"
"product" = "title"
"account" = "customer"
"deal_stage" = "stage"
"engage_date" = "created"
"close_date" = "closed"
"close_value" = "amount"

[values.stage]
"Prospecting" = "initial"
"Engaging" = "needs"
"""
STAGES = {"Prospecting": "initial", "Engaging": "needs", "Won": "won", "Lost": "lost"}
"""The dataset's stages as the mapping file maps them (Won and Lost by the built-in table)."""


def _cents(text: str) -> int:
    return int(Decimal(text or "0") * 100)


def _quarter(text: str) -> str:
    day = datetime.strptime(text, "%m/%d/%Y").date()
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def from_csv(data: Path) -> dict[str, object]:
    """The figures computed from the CSV alone: every row with an account (the others cannot be imported)."""
    stages: Counter[str] = Counter()
    won_cents = open_cents = 0
    by_quarter: Counter[str] = Counter()
    no_account = 0
    with (data / "sales_pipeline.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["account"]:
                no_account += 1
                continue
            stage = STAGES[row["deal_stage"]]
            stages[stage] += 1
            if stage == "won":
                won_cents += _cents(row["close_value"])
                by_quarter[_quarter(row["close_date"])] += _cents(row["close_value"])
            elif stage != "lost":
                open_cents += _cents(row["close_value"])
    with (data / "accounts.csv").open(encoding="utf-8", newline="") as handle:
        accounts = sum(1 for _row in csv.DictReader(handle))
    won, lost = stages["won"], stages["lost"]
    return {"customers": accounts, "deals": sum(stages.values()), "refused (no account)": no_account,
            **{f"deals in {stage}": stages[stage] for stage in ("initial", "needs", "won", "lost")},
            "won count": won, "won value": won_cents, "lost count": lost,
            "win rate": round(won / (won + lost), 6) if won + lost else None,
            **{f"won value {q}": cents for q, cents in sorted(by_quarter.items())}, "open pipeline value": open_cents}


def _day(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


def reports_from_csv(data: Path) -> tuple[dict[str, object], dict[str, object]]:
    """The reports' figures from the CSV alone (rows with an account: the others are refused by the import), and
    what the period and the checks need: the span of the days in the file, the quarters and the agents."""
    won = lost = 0
    cycles: list[int] = []
    by_quarter: Counter[str] = Counter()
    agents: dict[str, Counter[str]] = {}
    days: list[date] = []
    with (data / "sales_pipeline.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["account"]:
                continue
            days += [_day(row[name]) for name in ("engage_date", "close_date") if row[name]]
            stage = STAGES[row["deal_stage"]]
            tally = agents.setdefault(row["sales_agent"], Counter())
            if stage == "won":
                won += 1
                tally["won"] += 1
                by_quarter[_quarter(row["close_date"])] += _cents(row["close_value"])
                cycles.append((_day(row["close_date"]) - _day(row["engage_date"])).days)
            elif stage == "lost":
                lost += 1
                tally["lost"] += 1
    figures: dict[str, object] = {
        "funnel: won": won, "funnel: lost": lost,
        "funnel: win rate": round(won / (won + lost), 6) if won + lost else None,
        "funnel: sales cycle (mean days)": round(sum(cycles) / len(cycles), 1) if cycles else None,
        **{f"team: won value {q}": cents for q, cents in sorted(by_quarter.items())},
        "lost: lost at Initial contact": lost,
    }
    for agent, tally in sorted(agents.items()):
        closed = tally["won"] + tally["lost"]
        figures[f"--rep {agent}: won"] = tally["won"]
        figures[f"--rep {agent}: win rate"] = round(tally["won"] / closed, 6) if closed else None
    facts = {"first": min(days), "last": max(days), "quarters": sorted(by_quarter), "agents": sorted(agents),
             "median cycle": statistics.median(cycles) if cycles else None}
    return figures, facts


def reports_from_crmtui(database: Path, facts: dict[str, object]) -> tuple[dict[str, object], dict[str, float]]:
    """The same figures as the reports compute them on the imported book, and each report's build time."""
    from crmtui.core.clock import Clock
    from crmtui.core.config import Settings
    from crmtui.core.periods import quarter_period, span
    from crmtui.services.context import open_context
    from crmtui.services.reports import module
    from crmtui.services.reports.scope import resolve

    def figure(report: object, key: str) -> object:
        return next((f.value for f in report.figures if f.key == key), None)  # type: ignore[attr-defined]

    def rate(value: object) -> object:
        return round(value, 6) if isinstance(value, float) else value

    times: dict[str, float] = {}

    def build(name: str, period: object, rep: str | None = None) -> object:
        started = time.perf_counter()
        report = module(name).build(ctx, period, rep)
        times[name] = times.get(name, 0.0) + time.perf_counter() - started
        return report

    ctx = open_context(database, settings=Settings(timezone="UTC", language="en"), clock=Clock(UTC))
    try:
        whole = span(facts["first"], facts["last"], UTC)  # type: ignore[arg-type]
        funnel = build("funnel", whole)
        ours: dict[str, object] = {
            "funnel: won": figure(funnel, "won"), "funnel: lost": figure(funnel, "lost"),
            "funnel: win rate": rate(figure(funnel, "win_rate")),
            "funnel: sales cycle (mean days)": figure(funnel, "sales_cycle"),
        }
        for quarter in facts["quarters"]:  # type: ignore[attr-defined]
            year, number = int(quarter[:4]), int(quarter[-1])
            ours[f"team: won value {quarter}"] = figure(
                build("team", quarter_period(date(year, 3 * number - 2, 1), UTC)), "won")
        lost = build("lost", whole)
        stages = next(table for table in lost.tables if table.key == "stages")  # type: ignore[attr-defined]
        for row in stages.rows:
            ours[f"lost: lost at {row.values[0]}"] = row.values[1]
        for agent in facts["agents"]:  # type: ignore[attr-defined]
            theirs = build("funnel", whole, resolve(ctx, agent))
            ours[f"--rep {agent}: won"] = figure(theirs, "won")
            ours[f"--rep {agent}: win rate"] = rate(figure(theirs, "win_rate"))
    finally:
        ctx.close()
    return ours, times


def _crm(home: Path, *args: str) -> tuple[dict, float]:
    """`crm ARGS --json` in a child process on the temporary book, and its wall time."""
    crm = Path(sys.executable).with_name("crm")
    command = [str(crm)] if crm.exists() else [sys.executable, "-c", "from crmtui.cli.commands import main; main()"]
    env = {**os.environ, "CRMTUI_HOME": str(home)}
    env.pop("CRMTUI_DB", None)
    started = time.perf_counter()
    done = subprocess.run([*command, *args, "--json"], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"crm {' '.join(args)} failed: {done.stderr.strip()}")
    return json.loads(done.stdout), elapsed


def from_crmtui(data: Path, home: Path) -> tuple[dict[str, object], dict[str, float]]:
    """The dataset imported with the real command, and the figures crmtui's services give."""
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text('timezone = "UTC"\nlanguage = "en"\n', encoding="utf-8")
    (home / "accounts.toml").write_text(ACCOUNTS_MAPPING, encoding="utf-8")
    (home / "pipeline.toml").write_text(PIPELINE_MAPPING, encoding="utf-8")
    accounts, accounts_s = _crm(home, "import", str(data / "accounts.csv"), "--mapping", str(home / "accounts.toml"),
                                "--rejects", str(home / "accounts.rejects.csv"))
    deals, deals_s = _crm(home, "import", str(data / "sales_pipeline.csv"), "--mapping", str(home / "pipeline.toml"),
                          "--rejects", str(home / "pipeline.rejects.csv"))
    again, again_s = _crm(home, "import", str(data / "sales_pipeline.csv"), "--mapping", str(home / "pipeline.toml"),
                          "--rejects", str(home / "pipeline.rejects.csv"))

    # imported here: the figures are read after the child processes wrote the book
    from crmtui.core.clock import Clock
    from crmtui.core.config import Settings
    from crmtui.services.context import open_context
    from crmtui.services.pipeline import stage_figures

    ctx = open_context(home / "data" / "crm.db", settings=Settings(timezone="UTC", language="en"), clock=Clock(UTC))
    try:
        figures = stage_figures(ctx)
    finally:
        ctx.close()
    ours: dict[str, object] = {
        "customers": accounts["counts"]["created"], "deals": deals["counts"]["created"],
        "refused (no account)": deals["counts"]["refused"],
        **{f"deals in {stage}": figures.deals_by_stage.get(stage, 0) for stage in ("initial", "needs", "won", "lost")},
        "won count": figures.won_count, "won value": figures.won_cents, "lost count": figures.lost_count,
        "win rate": round(figures.win_rate, 6) if figures.win_rate is not None else None,
        **{f"won value {q}": cents for q, cents in figures.won_by_quarter.items()},
        "open pipeline value": figures.open_cents,
        "second import creates": again["counts"]["created"],
    }
    return ours, {"accounts": accounts_s, "pipeline": deals_s, "pipeline again": again_s}


def _shown(value: object, name: str) -> str:
    if isinstance(value, int) and "value" in name:
        return f"{value / 100:,.2f}"
    return "—" if value is None else str(value)


def _compare(expected: dict[str, object], ours: dict[str, object], width: int) -> int:
    """Prints the two sides figure by figure with ok or MISMATCH; returns how many mismatched."""
    print(f"{'figure':<{width}}{'from the CSV':>18}{'crmtui':>18}  check")
    mismatches = 0
    for name in dict.fromkeys([*expected, *ours]):
        left, right = expected.get(name), ours.get(name)
        mismatches += left != right
        print(f"{name:<{width}}{_shown(left, name):>18}{_shown(right, name):>18}  {'ok' if left == right else 'MISMATCH'}")
    return mismatches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "crmdata")
    data = parser.parse_args().data
    if not (data / "sales_pipeline.csv").exists():
        sys.exit(f"{data}: no sales_pipeline.csv (give the dataset's folder with --data)")
    expected = from_csv(data)
    expected["second import creates"] = 0
    expected_reports, facts = reports_from_csv(data)
    with tempfile.TemporaryDirectory(prefix="crmdata-") as temp:
        ours, times = from_crmtui(data, Path(temp) / "home")
        ours_reports, report_times = reports_from_crmtui(Path(temp) / "home" / "data" / "crm.db", facts)
    print(f"crmdata check: {data} imported into an empty book with crm import, beside the CSV's own figures")
    mismatches = _compare(expected, ours, 28)
    print("import times: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in times.items()))
    print(f"\nthe reports over {facts['first']}..{facts['last']} (the dataset's span, UTC), beside the CSV's figures")
    mismatches += _compare(expected_reports, ours_reports, 44)
    print(f"(median days engage -> close of the won deals, from the CSV: {facts['median cycle']}; the funnel shows "
          "the mean as its sales cycle)")
    print("report build times, summed over the builds above: "
          + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in report_times.items()))
    print(f"{mismatches} mismatch{'es' if mismatches != 1 else ''}")
    print(f"(checked on {date.today().isoformat()}; values in the dataset's currency, stage names as crmtui's keys)")


if __name__ == "__main__":
    main()
