"""A property-based fuzz of the quick-entry CLI: hostile text in every argument, and what must hold whatever it is.

Hypothesis builds `crm add / log / show / search / edit / stage / paid / list / today` command lines whose
names, notes, phones, amounts, dates and references mix plain and Chinese text with Rich markup, control
characters, ANSI escapes, FTS5 query syntax, SQL fragments, very long strings and lone surrogates (what
Python makes of bytes that are not UTF-8). Every example starts from the same small book (a copy of one file
made once), runs in-process with typer's CliRunner, and must:

- end with an exit status from the documented set (0 done, 1 refused, 2 usage, 3 ambiguous), never a
  traceback or any exception but SystemExit;
- with --json, print JSON and nothing else on success, and nothing at all on stdout when it fails;
- print no raw escape or control character (user data is shown with control characters made visible);
- when refused (status other than 0), leave the database exactly as it was: no partial write.

A few subprocess tests pass real bytes that are not UTF-8 in argv, which CliRunner cannot.

Bounded for CI with `derandomize=True` (the same examples on every run) and a fixed `max_examples`; run more
with `CRMTUI_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz_cli.py` (still derandomized:
set `CRMTUI_FUZZ_SEED` to explore other examples).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
import time_machine
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from crmtui.cli.commands import app
from crmtui.core.clock import Clock
from crmtui.core.config import Settings
from crmtui.services.context import open_context
from crmtui.services.customers import add_customer, add_lead
from crmtui.services.deals import PaymentPlan, add_deal, move_stage
from crmtui.services.follow_ups import log_follow_up
from crmtui.store.outbox import TABLE_ORDER
from tests.conftest import NOW, ZONE, child_env

EXAMPLES = int(os.environ.get("CRMTUI_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="CRMTUI_FUZZ_SEED" not in os.environ,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
EXIT_CODES = {0, 1, 2, 3}
"""0 done, 1 refused, 2 usage error (Click's), 3 a reference that names several records (README)."""
FORBIDDEN_OUTPUT = set("\x1b\x9b\x07\x00\x08\r") | {chr(c) for c in range(0x80, 0xA0)}
"""Characters a terminal would act on: never printed raw, whatever the input held."""
STATE_TABLES = (*TABLE_ORDER, "outbox", "sync_stamp", "meta")
"""What a refused command must leave untouched (the search indexes follow these tables by trigger)."""

runner = CliRunner()

# ---------------------------------------------------------------- the book every example starts from


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small book: a lead, customers with near names (ambiguous fragments), open and won deals, instalments."""
    path = tmp_path_factory.mktemp("fuzz") / "crm.db"
    with time_machine.travel(NOW, tick=False):
        ctx = open_context(path, settings=Settings(timezone="Asia/Shanghai", language="en"), clock=Clock(ZONE))
        try:
            add_lead(ctx, "张三", company="某某科技", phone="13800138000")
            acme = add_customer(ctx, "Acme Trading", phone="+1 555 0100", email="buyer@acme.example")
            add_customer(ctx, "北京宏达机械")
            add_customer(ctx, "北京宏达科技")
            seats = add_deal(ctx, acme.id, "CRM seats", amount="12万")
            move_stage(ctx, seats.id, "proposal")
            globex = add_customer(ctx, "Globex [bold]Corp[/bold]")
            support = add_deal(ctx, globex.id, "Support", amount="2万")
            move_stage(ctx, support.id, "won", contract_no="HT-001", amount="2万", signed="2026-11-20",
                       payments=[PaymentPlan("1万", date(2026, 12, 31)), PaymentPlan("1万", date(2027, 3, 31))])
            log_follow_up(ctx, acme.id, channel="phone", goal="needs", goal_met=True, notes="预算已批 NEAR(x y)",
                          next_plan="send the quote", next_at="2026-12-01 10:00")
        finally:
            ctx.close()
    return path


@pytest.fixture
def book(home: Path) -> Path:
    """Where the CLI finds the book (CRMTUI_HOME/data/crm.db)."""
    db = home / "data" / "crm.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    return db


def fresh_copy(template: Path, db: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, db)


def state_of(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(db)) as conn:
        return {table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in STATE_TABLES}


# ---------------------------------------------------------------- hostile text

HOSTILE = [
    "[bold red]x[/]", "[/]", "[link=https://evil.example]click[/link]", "[", "]", ":smile:",
    "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x1b[2J\x1b[H", "\x9b2J", "\x07", "\x08\x08", "\r", "\x7f", "\u202e",
    '"', '"unterminated', "NEAR(a b)", "a AND OR b", "*", "^x", "name:foo", "-x", "(", ")", "a OR", "NOT",
    "'; DROP TABLE customer; --", "1 OR 1=1", "%", "_", "\\", "' OR ''='", "NULL", "0x00",
    "张三", "北京", "宏达", "zs", "acme", "Acme", "CRM seats", "HT-001", "3dcd", "1", "0", "-1",
    "", " ", "\t", "\n", "a\nb", "　",
]
"""Markup, escapes, FTS syntax, SQL fragments, and fragments of the book's own names."""
BROKEN = ["\ud800", "\udcff", "Bad\udcffName", "\udfff\ud800"]
"""Lone surrogates: what Python makes of argv bytes that are not UTF-8 (or a surrogate encoded in them)."""

WORDS = ["Initech", "李四", "needs", "预算已批", "call back", "Acme", "quote", "seats", " ", "-", "."]
"""Plain words between the hostile pieces, so that many hostile values are still accepted and written."""
DATES = ["today", "tomorrow 3pm", "fri", "next friday 10am", "in 3 days", "2026-12-01", "2027-02-30", "2026-11-23",
         "yesterday", "明天下午3点", "下周五", "三天后", "月底", "12月1号下午2点", "13月1日", "25:00", "0", "9999-12-31",
         "1900-01-01", "2026-12-01T10:00+08:00", "soon", "tomorrow tomorrow"]
AMOUNTS = ["120000", "12万", "50k", "1.5万", "12,000.50", "12,34", "-5", "0", "1e9", "99999999999999999999", "abc",
           "１２万", "NaN", "inf", "1,000,000", "0.001", "¥5000", "$5", "5万5"]
PHONES = ["13800138000", "+86 138 0013 8000", "0086 138 0013 8000", "+1 555 0100", "12", "call me", "+",
          "138-0013-8000 ext 5", "１３８００１３８０００", "+999 1234"]
STAGES = ["initial", "needs", "proposal", "quote", "negotiation", "won", "lost", "Won", "赢单", "报价", "x", "7"]
CHANNELS = ["phone", "wechat", "visit", "email", "meeting", "sms", "other", "电话", "1", "8", "fax"]


def text_without_nul(**kwargs: object) -> st.SearchStrategy[str]:
    # argv cannot carry NUL, so no command line ever holds one; surrogates are drawn from HOSTILE.
    return st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), **kwargs)  # type: ignore[arg-type]


def hostile_text() -> st.SearchStrategy[str]:
    hostile, words = st.sampled_from(HOSTILE), st.sampled_from(WORDS)
    piece = st.one_of(hostile, hostile, hostile, words, words, words, text_without_nul(max_size=20))
    joined = st.lists(piece, min_size=1, max_size=4).map("".join)
    very_long = st.tuples(st.sampled_from(["x", "长", "[b]", "\x1b", "a "]), st.sampled_from([201, 5_000, 20_001]))
    return st.one_of(joined, joined, joined, joined, joined, joined, very_long.map(lambda pair: pair[0] * pair[1]))


def field(values: list[str]) -> st.SearchStrategy[str]:
    """A plausible value (three times in four), or a hostile one."""
    plausible = st.sampled_from(values)
    return st.one_of(plausible, plausible, plausible, hostile_text())


CUSTOMERS = field(["张三", "zs", "Acme", "acme", "宏达", "北京宏达机械", "Globex", "HT-001", "nobody"])
DEALS = field(["CRM seats", "seats", "Support", "Acme", "crm", "nothing"])


def options(often: bool = False, **choices: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """Some of the given options (`often`: most of them, for commands that need them all), each with a value."""
    given = st.sampled_from([True] * (6 if often else 1) + [False])

    def pick(name: str, value: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
        return st.tuples(given, value).map(lambda pair: [name, pair[1]] if pair[0] else [])

    pairs = [pick(name, value) for name, value in choices.items()]
    return st.tuples(*pairs).map(lambda parts: [item for part in parts for item in part])


JSON = st.sampled_from([[], ["--json"]])
NAMES = field(["李四", "Initech", "北京宏达", "Acme Trading", "x" * 200])
ADD = st.builds(lambda kind, name, opts: ["add", kind, name, *opts], st.sampled_from(["lead", "customer"]), NAMES,
                options(**{"--phone": field(PHONES), "--email": field(["a@b.example", "not-an-address"]),
                           "--company": NAMES, "--tag": hostile_text(), "--source": hostile_text()}))
MET = st.sampled_from([["--met"], ["--not-met"], ["--met"], ["--not-met"], []])
LOG = st.one_of(
    # The reference and the dates as a rep would type them, hostile text in the free-text fields: mostly written.
    st.builds(lambda ref, met, opts: ["log", ref, *met, *opts], st.sampled_from(["Acme", "zs", "北京宏达机械", "Globex"]),
              MET, options(often=True, **{"--via": st.sampled_from(CHANNELS), "--goal": hostile_text(),
                                          "--notes": hostile_text(), "--next-plan": hostile_text(),
                                          "--next": st.sampled_from(DATES)})),
    st.builds(lambda ref, met, opts: ["log", ref, *met, *opts], CUSTOMERS, MET,
              options(often=True, **{"--via": field(CHANNELS), "--goal": hostile_text(), "--notes": hostile_text(),
                                     "--next-plan": hostile_text(), "--next": field(DATES)})),
)
SHOW = st.builds(lambda ref, js: ["show", ref, *js], CUSTOMERS, JSON)
SEARCH = st.builds(lambda text, js: ["search", text, *js], hostile_text(), JSON)
LIST = st.builds(lambda what, js: ["list", what, *js], field(["customers", "leads", "deals"]), JSON)
TODAY = st.builds(lambda js: ["today", *js], JSON)
EDIT = st.one_of(
    st.builds(lambda ref, opts: ["edit", ref, *opts], CUSTOMERS,
              options(**{"--name": NAMES, "--phone": field(PHONES), "--tier": field(["A", "B", "C", "D"]),
                         "--status": field(["lead", "prospect", "customer", "dormant", "pool"]), "--tag": hostile_text()})),
    st.builds(lambda ref, opts: ["edit", ref, *opts], DEALS,
              options(**{"--title": hostile_text(), "--amount": field(AMOUNTS), "--close": field(DATES),
                         "--competitor": hostile_text()})),
)
YES = st.sampled_from([[], ["--yes"]])
STAGE = st.one_of(
    st.builds(lambda ref, to, opts, yes: ["stage", ref, to, *opts, *yes], st.sampled_from(["CRM seats", "Support"]),
              st.sampled_from(STAGES),
              options(often=True, **{"--amount": st.sampled_from(AMOUNTS), "--contract-no": hostile_text(),
                                     "--signed": st.sampled_from(DATES), "--reason": hostile_text()}), YES),
    st.builds(lambda ref, to, opts, yes: ["stage", ref, to, *opts, *yes], DEALS, field(STAGES),
              options(**{"--amount": field(AMOUNTS), "--contract-no": hostile_text(), "--signed": field(DATES),
                         "--payment": field(["1万@2026-12-31", "60000@2026-12-31, 6万@2027-03-31", "x@y", "@"]),
                         "--reason": hostile_text()}), YES),
)
PAID = st.builds(lambda ref, opts: ["paid", ref, *opts], CUSTOMERS,
                 options(**{"--contract": field(["HT-001", "HT-002"]), "--on": field(DATES)}))
COMMANDS = st.one_of(ADD, LOG, SHOW, SEARCH, LIST, TODAY, EDIT, STAGE, PAID)


def with_broken_text(args: list[str], where: int, broken: str) -> list[str]:
    """The command line with a lone surrogate added to one of its words (a value, a command or an option name)."""
    index = 1 + where % (len(args) - 1) if len(args) > 1 else 0
    return [*args[:index], args[index] + broken, *args[index + 1:]]


BROKEN_COMMANDS = st.builds(with_broken_text, COMMANDS, st.integers(min_value=0, max_value=40), st.sampled_from(BROKEN))


# ---------------------------------------------------------------- the properties


def check(args: list[str], db: Path) -> None:
    before = state_of(db)
    result = runner.invoke(app, args)
    where = f"crm {args!r}\nexit {result.exit_code}\nstdout: {result.stdout[:500]!r}\nstderr: {result.stderr[:500]!r}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"{where}\ncrashed:\n{trace}")
    assert result.exit_code in EXIT_CODES, where
    assert "Traceback" not in result.output, where
    assert not FORBIDDEN_OUTPUT & set(result.stdout + result.stderr), where
    if "--json" in args and result.exit_code == 0:
        json.loads(result.stdout)
    if result.exit_code != 0:
        assert result.stdout == "" or "--json" not in args, where
        assert result.stderr.strip(), where
        assert state_of(db) == before, f"{where}\na refused command changed the database"


@FUZZ
@given(args=st.one_of(COMMANDS, COMMANDS, COMMANDS, BROKEN_COMMANDS))
def test_any_command_line_ends_cleanly_and_a_refusal_writes_nothing(book: Path, template: Path, args: list[str]):
    fresh_copy(template, book)
    check(args, book)


if "CRMTUI_FUZZ_SEED" in os.environ:
    test_any_command_line_ends_cleanly_and_a_refusal_writes_nothing = seed(int(os.environ["CRMTUI_FUZZ_SEED"]))(
        test_any_command_line_ends_cleanly_and_a_refusal_writes_nothing)


# ---------------------------------------------------------------- real bytes in argv


# Not UTF-8: a stray byte, an encoded surrogate, Latin-1, a cut sequence, bare continuation bytes.
@pytest.mark.parametrize(("args", "name"), [
    (["add", "lead", b"Bad\xffName"], "name"),
    (["log", "Acme", "--via", "phone", "--goal", "g", "--met", "--next-plan", "p", "--next", "2026-12-30",
      "--notes", b"\xed\xa0\x80"], "--notes"),
    (["search", b"caf\xe9", "--json"], "text"),
    (["edit", "Acme", "--phone", b"\xc3"], "--phone"),
    (["show", b"ok\x80\x80", "--json"], "customer"),
])
def test_bytes_that_are_not_utf8_are_refused_naming_the_argument(book: Path, template: Path, args: list, name: str):
    fresh_copy(template, book)
    before = state_of(book)
    child = subprocess.run([sys.executable, "-m", "crmtui", *args], env=child_env(book.parent.parent),
                           capture_output=True, timeout=120)
    err = child.stderr.decode("utf-8", errors="replace")
    assert child.returncode == 2, err
    assert "Traceback" not in err
    assert child.stdout == b""
    assert err.startswith(f"error: {name}:") and err.count("\n") == 1, err
    assert state_of(book) == before
