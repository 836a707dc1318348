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

and prints them side by side with ok or DIFF. It never asserts: it is a check to read.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "crmdata")
    data = parser.parse_args().data
    if not (data / "sales_pipeline.csv").exists():
        sys.exit(f"{data}: no sales_pipeline.csv (give the dataset's folder with --data)")
    expected = from_csv(data)
    expected["second import creates"] = 0
    with tempfile.TemporaryDirectory(prefix="crmdata-") as temp:
        ours, times = from_crmtui(data, Path(temp) / "home")
    print(f"crmdata check: {data} imported into an empty book with crm import, beside the CSV's own figures")
    print(f"{'figure':<28}{'from the CSV':>18}{'crmtui':>18}  check")
    for name in dict.fromkeys([*expected, *ours]):
        left, right = expected.get(name), ours.get(name)
        print(f"{name:<28}{_shown(left, name):>18}{_shown(right, name):>18}  {'ok' if left == right else 'DIFF'}")
    print("import times: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in times.items()))
    print(f"(checked on {date.today().isoformat()}; values in the dataset's currency, stage names as crmtui's keys)")


if __name__ == "__main__":
    main()
