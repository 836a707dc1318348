"""`crm export` in real processes: files written, standard output, an existing file refused without --force, and
every bad request a one-line message with a non-zero exit, never a traceback."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest


def crm(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crmtui", *args], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, cwd=cwd, stdin=subprocess.DEVNULL)


@pytest.fixture
def env(subprocess_env):
    assert crm(subprocess_env, "add", "customer", "杭州启明建材有限公司", "--phone", "13800138000").returncode == 0
    return subprocess_env


def test_export_writes_a_file_and_says_how_many(env, tmp_path: Path):
    target = tmp_path / "客户.csv"
    child = crm(env, "export", "customers", "-o", str(target))
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == f"exported 1 customer to {target}"
    (row,) = csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline=""))
    assert row["customer"] == "杭州启明建材有限公司"


def test_export_to_standard_output_has_no_bom_and_reports_on_stderr(env):
    child = crm(env, "export", "customers", "--format", "json")
    assert child.returncode == 0, child.stderr
    assert '"customer": "杭州启明建材有限公司"' in child.stdout and not child.stdout.startswith("\ufeff")
    assert child.stderr.strip() == "exported 1 customer"
    assert crm(env, "export", "customers", "-o", "-").stdout.startswith("id,customer,")


def test_an_existing_file_is_kept_unless_force(env, tmp_path: Path):
    target = tmp_path / "c.csv"
    target.write_text("mine", encoding="utf-8")
    child = crm(env, "export", "customers", "-o", str(target))
    assert child.returncode == 1
    assert child.stderr.strip() == f"error: {target} exists: add --force to replace it"
    assert target.read_text(encoding="utf-8") == "mine"
    assert crm(env, "export", "customers", "-o", str(target), "--force").returncode == 0
    assert target.read_text(encoding="utf-8-sig").startswith("id,customer,")


@pytest.mark.parametrize(("args", "message"), [
    (("leads",), 'error: kind: one of customers, contacts, deals, follow-ups, all, ics (got "leads")'),
    (("deals", "-f", "xml"), 'error: format: one of csv, xlsx, vcf, json (got "xml")'),
    (("deals", "-f", "vcf"), "error: vCard holds people: export contacts or customers as vcf (deals as csv, xlsx or"
                             " json)"),
    (("all", "-o", "all.csv"), "error: a CSV file holds one kind"),
    (("deals", "-f", "xlsx"), "error: an XLSX workbook cannot go to the terminal: give -o FILE.xlsx"),
    (("deals", "-o", "nowhere/deals.csv"), "error: cannot write nowhere/deals.csv: the folder nowhere does not exist"),
])
def test_a_bad_request_is_one_line_and_writes_nothing(env, tmp_path: Path, args, message):
    child = crm(env, "export", *args, cwd=tmp_path)
    assert child.returncode == 1
    assert child.stderr.startswith(message) and len(child.stderr.splitlines()) == 1
    assert child.stdout == "" and list(tmp_path.iterdir()) == [tmp_path / "home"]


def test_export_reads_only_what_its_format_needs(env, tmp_path: Path):
    code = ("import sys, json\nfrom crmtui.cli.commands import app\n"
            "try:\n    app(['export', 'customers', '-o', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'openpyxl', 'vobject', 'icalendar',"
            " 'textual', 'sqlmodel'})))")
    child = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.csv")], env=env, capture_output=True,
                           text=True, encoding="utf-8", timeout=120)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip().splitlines()[-1] == "[]"  # a CSV loads none of the other formats' libraries
