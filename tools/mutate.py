"""Mutation testing for the rules: plant one small bug at a time in a copy of the code, run the tests, list
the bugs no test noticed (the survivors).

    .venv/bin/python tools/mutate.py src/crmtui/services/follow_ups.py -- tests/test_rules.py tests/test_services.py

The mutants are the classic ones that change a rule: a comparison moved across its boundary (< and <=,
> and >=), == and != swapped, `is None` and `is not None` swapped, `x is None` read as `not x`, a negation
dropped, `and` and `or` swapped, True and False swapped, min and max swapped, + and - swapped, a whole
number one higher or lower; inside SQL text, < and <=, > and >=, AND and OR, IS NULL and IS NOT NULL.
Messages, names and formatting are not mutated: a test for the wording of every message is not the point.

The work tree is never touched: src/, tests/ and pyproject.toml are copied to a temporary folder and
each mutant is written there, and the tests import that copy (PYTHONPATH). One mutant runs at a time,
the tests stop at the first failure (-x), and a mutant that runs longer than --timeout seconds
(default: three times the clean run, at least 30 s) counts as caught. Exit status 1 when any mutant survives.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

OPERATORS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "+": "-", "-": "+"}
NAMES = {"and": "or", "or": "and", "True": "False", "False": "True", "min": "max", "max": "min"}
SQL_MARKERS = ("SELECT", "WHERE", " AND ", "IS NULL", "IS NOT NULL")
SQL = {" < ": " <= ", " <= ": " < ", " > ": " >= ", " >= ": " > ", " AND ": " OR ", " OR ": " AND ",
       " IS NULL": " IS NOT NULL", " IS NOT NULL": " IS NULL"}


@dataclass
class Mutant:
    """One planted bug: replace text[start:end] by `new`."""

    start: int
    end: int
    new: str
    line: int
    what: str


def _offsets(text: str) -> list[int]:
    starts, total = [0], 0
    for line in text.splitlines(keepends=True):
        total += len(line)
        starts.append(total)
    return starts


def find_mutants(text: str) -> list[Mutant]:
    """Every mutant of the source `text`, in the order they appear."""
    starts = _offsets(text)

    def at(row: int, col: int) -> int:
        return starts[row - 1] + col

    mutants: list[Mutant] = []
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    for index, token in enumerate(tokens):
        before = tokens[index - 1].string if index else ""
        after = tokens[index + 1].string if index + 1 < len(tokens) else ""
        start, end = at(*token.start), at(*token.end)
        row = token.start[0]
        if token.type == tokenize.OP and token.string in OPERATORS:
            if token.string in "+-" and before in ("(", ",", "=", "[", "**", "*"):
                continue  # a sign or a star-argument, not arithmetic
            mutants.append(Mutant(start, end, OPERATORS[token.string], row, f"{token.string} -> {OPERATORS[token.string]}"))
        elif token.type == tokenize.NAME and token.string in NAMES:
            if token.string in ("min", "max") and after != "(":
                continue
            mutants.append(Mutant(start, end, NAMES[token.string], row, f"{token.string} -> {NAMES[token.string]}"))
        elif token.type == tokenize.NAME and token.string == "is":
            if after == "not":
                mutants.append(Mutant(start, at(*tokens[index + 1].end), "is", row, "is not -> is"))
            else:
                mutants.append(Mutant(start, end, "is not", row, "is -> is not"))
        elif token.type == tokenize.NAME and token.string == "not" and before != "is" and after != "in":
            mutants.append(Mutant(start, at(*tokens[index + 1].start), "", row, "not dropped"))
        elif token.type == tokenize.NUMBER and token.string.isdigit():
            value = int(token.string)
            mutants.append(Mutant(start, end, str(value + 1), row, f"{value} -> {value + 1}"))
            if value > 0:
                mutants.append(Mutant(start, end, str(value - 1), row, f"{value} -> {value - 1}"))
        elif token.type == tokenize.STRING and any(marker in token.string for marker in SQL_MARKERS):
            for old, new in SQL.items():
                found = token.string.find(old)
                while found != -1:
                    if not (old == " IS NULL" and token.string.startswith(" IS NULL", found)
                            and token.string[found - 4:found] == " NOT"):
                        mutants.append(Mutant(start + found, start + found + len(old), new, row,
                                              f"SQL{old} ->{new}"))
                    found = token.string.find(old, found + 1)
    # `x is None` read as `not x` (and `x is not None` as `bool(x)`): 0, "" and False stop being answers.
    for node in ast.walk(ast.parse(text)):
        if (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.IsNot))
                and isinstance(node.comparators[0], ast.Constant) and node.comparators[0].value is None):
            left = ast.get_source_segment(text, node.left)
            start = at(node.lineno, node.col_offset)
            end = at(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
            if isinstance(node.ops[0], ast.Is):
                mutants.append(Mutant(start, end, f"not ({left})", node.lineno, "x is None -> not x"))
            else:
                mutants.append(Mutant(start, end, f"bool({left})", node.lineno, "x is not None -> bool(x)"))
    mutants.sort(key=lambda m: (m.start, m.what))
    return mutants


def _copy_project(target: Path) -> None:
    for name in ("src", "tests"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")


def _run_tests(copy: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    """'passed', 'failed' or 'timeout', and the seconds it took."""
    env = dict(os.environ, PYTHONPATH=str(copy / "src"), PYTHONDONTWRITEBYTECODE="1")
    began = time.monotonic()
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                                cwd=copy, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - began
    return ("passed" if result.returncode == 0 else "failed"), time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="the source file to mutate, e.g. src/crmtui/services/agenda.py")
    parser.add_argument("tests", nargs="+", help="the pytest selection that should catch its mutants")
    parser.add_argument("--timeout", type=float, help="seconds one mutant's tests may run")
    parser.add_argument("--lines", help="only mutants on these lines, e.g. 40-90")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args()

    relative = Path(args.file).resolve().relative_to(ROOT)
    original = (ROOT / relative).read_text(encoding="utf-8")
    mutants = find_mutants(original)
    if args.lines:
        first, _, last = args.lines.partition("-")
        mutants = [m for m in mutants if int(first) <= m.line <= int(last or first)]
    lines = original.splitlines()
    if args.list:
        for m in mutants:
            print(f"{relative}:{m.line}: {m.what}    {lines[m.line - 1].strip()}")
        return 0

    with tempfile.TemporaryDirectory(prefix="crmtui-mutate-") as folder:
        copy = Path(folder)
        _copy_project(copy)
        target = copy / relative
        outcome, clean = _run_tests(copy, args.tests, timeout=1800)
        if outcome != "passed":
            print(f"the tests fail without any mutant ({outcome}): fix them first", file=sys.stderr)
            return 2
        limit = args.timeout or max(30.0, 3 * clean)
        print(f"{relative}: {len(mutants)} mutants; clean run {clean:.1f} s, {limit:.0f} s allowed each", flush=True)
        survivors = []
        for number, m in enumerate(mutants, 1):
            mutated = original[:m.start] + m.new + original[m.end:]
            target.write_text(mutated, encoding="utf-8")
            outcome, seconds = _run_tests(copy, args.tests, limit)
            shown = mutated.splitlines()[m.line - 1].strip()
            print(f"[{number}/{len(mutants)}] {outcome:8} {seconds:5.1f} s  line {m.line}: {m.what}    {shown}",
                  flush=True)
            if outcome == "passed":
                survivors.append((m, shown))
        target.write_text(original, encoding="utf-8")
    print(f"\n{len(survivors)} of {len(mutants)} mutants survived")
    for m, shown in survivors:
        print(f"SURVIVED {relative}:{m.line}: {m.what}    {shown}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
