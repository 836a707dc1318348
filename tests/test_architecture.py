"""The import rules of pyproject.toml ([tool.importlinter]) are part of the suite: arrows point down (the app and
the CLI, then services, sync, server, store, core), nothing below the app loads Textual, the app and the CLI go
through services, no import circles. docs/architecture.md explains each rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")  # installed by the [test] extra, beside this python
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout  # every contract was read and checked


def test_a_crm_script_installed_before_the_cli_was_a_package_still_finds_its_main() -> None:
    from crmtui.cli import commands, main

    assert main is commands.main
