"""The import rules of pyproject.toml ([tool.importlinter]) are part of the suite: arrows point down (the app and
the CLI, then services, sync, server, store, core), nothing below the app loads Textual, the app and the CLI go
through services, no import circles; an import inside a function is a start-up deferral that says so
("# deferred" and what it saves). docs/architecture.md explains each rule."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "crmtui"


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")  # installed by the [test] extra, beside this python
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout  # every contract was read and checked


def test_a_crm_script_installed_before_the_cli_was_a_package_still_finds_its_main() -> None:
    from crmtui.cli import commands, main

    assert main is commands.main


_OPTIONAL = {"ImportError", "ModuleNotFoundError"}


def _guards_an_optional_module(node: ast.Try) -> bool:
    """Whether the try catches ImportError: `try: import fcntl / except ImportError:` asks whether a module exists
    on this platform, which only works where the import is."""
    names = []
    for handler in node.handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        names += [kind.id for kind in kinds if isinstance(kind, ast.Name)]
    return bool(_OPTIONAL & set(names))


def _imports_inside_functions(path: Path) -> dict[int, int]:
    """The imports written inside a function (methods and nested functions included), by line: each mapped to the
    line of the first import of its group (imports one after another share one comment). Imports that ask whether
    an optional module exists (in a try that catches ImportError) are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: dict[int, int] = {}
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            for field in ("body", "orelse", "finalbody"):
                statements = getattr(node, field, None)
                if not isinstance(statements, list) or (field == "body" and isinstance(node, ast.Try)
                                                        and _guards_an_optional_module(node)):
                    continue
                first = None
                for statement in statements:
                    if isinstance(statement, (ast.Import, ast.ImportFrom)):
                        first = first or statement
                        found[statement.lineno] = first.lineno
                    else:
                        first = None
    return dict(sorted(found.items()))


def _marked_deferred(lines: list[str], number: int, first: int | None = None) -> bool:
    """Whether the import on line `number` (1-based) says "# deferred" on its own line, or the first import of its
    group (line `first`) does on its line or in the comment lines right above it."""
    if "# deferred" in lines[number - 1].lower():
        return True
    first = number if first is None else first
    if "# deferred" in lines[first - 1].lower():
        return True
    above = first - 2
    while above >= 0 and lines[above].lstrip().startswith("#"):
        if "# deferred" in lines[above].lower():
            return True
        above -= 1
    return False




def test_every_import_inside_a_function_is_a_marked_start_up_deferral() -> None:
    # An import belongs at the top of its module; one inside a function is allowed only to keep a costly module off
    # a path that does not need it, and says so with "# deferred" (and what it saves) on its line or in the comment
    # right above it (or above the group of imports it belongs to). The migration scripts are left out: Alembic
    # runs each one on its own, and they are frozen once released.
    unmarked = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts and "versions" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        name = path.relative_to(ROOT).as_posix()
        for number, first in _imports_inside_functions(path).items():
            statement = lines[number - 1].strip()
            if not _marked_deferred(lines, number, first):
                unmarked.append(f"{name}:{number}: {statement}")
    assert unmarked == [], "imports inside functions without a '# deferred' comment:\n" + "\n".join(unmarked)


def test_the_deferral_check_sees_imports_in_methods_and_nested_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\nclass A:\n    def m(self):\n        def inner():\n            import json\n"
                      "        import re  # deferred: measured\n        import csv\n        x = 1\n        import io\n"
                      "        try:\n            import fcntl\n        except ImportError:\n            pass\n",
                      encoding="utf-8")
    assert _imports_inside_functions(sample) == {6: 6, 7: 7, 8: 7, 10: 10}


def test_the_deferral_mark_is_read_on_the_line_or_in_the_comment_right_above() -> None:
    lines = ["    # deferred: Textual, about 0.3 s,", "    # for the app only", "    import textual",
             "    import rich", "    x = 1  # deferred", "    import json", "    import re  # deferred"]
    assert [_marked_deferred(lines, 3), _marked_deferred(lines, 4, 3), _marked_deferred(lines, 6),
            _marked_deferred(lines, 7)] == [True, True, False, True]


def test_the_front_ends_do_not_name_the_store_even_for_type_checking() -> None:
    # The contracts above leave imports under TYPE_CHECKING out; the app and the CLI should not even name a table
    # type: the services hand them views (services/views.py), so a row never reaches a screen or a command.
    naming = []
    for path in sorted([*(SOURCE / "tui").rglob("*.py"), *(SOURCE / "cli").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                       else [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            naming += [f"{path.relative_to(ROOT).as_posix()}:{node.lineno}: {module}" for module in modules
                       if module == "crmtui.store" or module.startswith("crmtui.store.")]
    assert naming == [], "the app or the CLI imports the store:\n" + "\n".join(naming)
