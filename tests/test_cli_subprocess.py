"""The `crm` command in real child processes (`python -m crmtui ...`): start-up imports,
exit codes and messages as a shell sees them.

The children run on the suite's clock (conftest's subprocess_env starts it at NOW), so a
relative date ("明天下午3点") has one right answer whatever the real date.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import NOW

PYTHON = sys.executable
HEAVY = ("textual", "dateparser", "keyring", "pypinyin", "psycopg", "phonenumbers")
"""Modules that cost start-up time and must load only when needed."""


def crm(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "crmtui", *args], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


def python(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)


def loaded(names: str) -> list[str]:
    return json.loads(names)


LOADED = "sorted({m.split('.')[0] for m in sys.modules} & set(%r))" % (HEAVY,)


def test_importing_the_cli_loads_no_heavy_module(subprocess_env):
    child = python(subprocess_env, f"import sys, json\nimport crmtui.cli.commands\nprint(json.dumps({LOADED}))")
    assert child.returncode == 0, child.stderr
    assert loaded(child.stdout) == []


def test_log_with_a_chinese_date_loads_neither_dateparser_nor_the_heavy_modules(subprocess_env):
    code = f"""
import contextlib, io, json, sys
from crmtui.cli.commands import app

def run(*args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            app(list(args), standalone_mode=False)
        except SystemExit as exc:
            assert not exc.code, exc.code
    return out.getvalue()

run("add", "customer", "Acme Trading", "--phone", "+86 138 0013 8000")  # a mobile is keyed without phonenumbers
run("log", "Acme Trading", "--via", "电话", "--goal", "g", "--met", "--notes", "n", "--next-plan", "p",
    "--next", "明天下午3点")
after_log = {LOADED}
shown = json.loads(run("show", "Acme Trading", "--json"))
print(json.dumps({{"loaded": after_log, "next": shown["next_follow_up"]}}))
"""
    child = python(subprocess_env, code)
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert report["next"] == f"{(NOW + timedelta(days=1)).date().isoformat()}T15:00+08:00"


def test_crm_help_exits_0(subprocess_env):
    child = crm(subprocess_env, "--help")
    assert child.returncode == 0
    assert child.stdout.startswith("Usage: ")
    assert "add" in child.stdout and "log" in child.stdout
    assert child.stderr == ""


def test_add_log_and_show_in_real_processes(subprocess_env):
    child = crm(subprocess_env, "add", "lead", "Bob Smith", "--phone", "13800138000")
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("added lead Bob Smith")
    child = crm(subprocess_env, "log", "Bob", "--via", "phone", "--goal", "g", "--met", "--notes", "n",
                "--next-plan", "Call again", "--next", "tomorrow 3pm")
    assert child.returncode == 0, child.stderr
    assert "logged for Bob Smith; next: Call again" in child.stdout
    child = crm(subprocess_env, "show", "Bob", "--json")
    assert child.returncode == 0, child.stderr
    data = json.loads(child.stdout)
    assert data["next_follow_up"].endswith("T15:00+08:00")
    assert [f["next_plan"] for f in data["follow_ups"]] == ["Call again"]


def test_json_on_a_brand_new_home_is_clean(subprocess_env):
    # the first command creates and migrates the database: nothing of that may reach stdout
    child = crm(subprocess_env, "list", "customers", "--json")
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == []
    assert child.stderr == ""


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (("add", "customer", ""), "error: name:"),
        (("add", "lead", "Bob", "--email", "bob-at-example"), "error: email:"),
        (("log", "Nobody", "--via", "phone"), 'error: no customer matches "Nobody"'),
        (("log", "Acme", "--via", "phone", "--goal", "g", "--met", "--notes", "n", "--next-plan", "p",
          "--next", "下周八"), 'error: next date: could not understand the date "下周八"'),
        (("log", "Acme", "--via", "phone", "--goal", "g", "--met", "--notes", "n", "--next-plan", "p",
          "--next", "2020-01-01"), 'error: next date: the date "2020-01-01" is in the past'),
        (("log", "Acme"), "error: a follow-up needs: channel, goal"),
        (("stage", "Acme", "won"), "error: moving to Won past Quote needs: quoted amount, contract-no"),
        (("list", "contacts"), "error: list: expected customers, leads or deals"),
        (("edit", "Acme"), "error: edit: give at least one field"),
        (("rm", "Acme"), "error: Delete customer Acme"),
        (("restore", "/nonexistent/backup.db", "--yes"), "error: path:"),
    ],
)
def test_bad_input_in_a_real_process_is_one_line_and_non_zero(subprocess_env, args, start):
    assert crm(subprocess_env, "add", "customer", "Acme").returncode == 0
    assert crm(subprocess_env, "add", "deal", "Acme", "Seats").returncode == 0
    child = crm(subprocess_env, *args)
    assert child.returncode == 1
    assert "Traceback" not in child.stderr
    assert child.stdout == ""
    lines = child.stderr.splitlines()
    assert len(lines) == 1, child.stderr
    assert lines[0].startswith(start), lines[0]


def test_an_ambiguous_reference_exits_3_listing_the_matches(subprocess_env):
    assert crm(subprocess_env, "add", "customer", "Acme East").returncode == 0
    assert crm(subprocess_env, "add", "customer", "Acme West").returncode == 0
    child = crm(subprocess_env, "show", "acme")
    assert child.returncode == 3
    assert "Traceback" not in child.stderr
    lines = child.stderr.splitlines()
    assert lines[0].startswith('error: "acme" matches 2 customers')
    assert [line.split()[-1] for line in lines[1:]] == ["(prospect)", "(prospect)"]
    assert {" ".join(line.split()[1:-1]) for line in lines[1:]} == {"Acme East", "Acme West"}


def test_no_color_in_a_real_process(subprocess_env):
    env = {**subprocess_env, "NO_COLOR": "1", "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    assert crm(env, "add", "customer", "[red]Acme[/red]").returncode == 0
    for args in (("--help",), ("list", "customers"), ("show", "Acme"), ("show", "Nobody"), ("today",)):
        child = crm(env, *args)
        assert "\x1b" not in child.stdout and "\x1b" not in child.stderr, args
        assert (child.stdout + child.stderr).strip(), args


def test_backup_to_an_impossible_path_is_one_line_in_a_real_process(subprocess_env, home: Path):
    assert crm(subprocess_env, "add", "customer", "Acme").returncode == 0
    child = crm(subprocess_env, "backup", str(home / "config" / "config.toml" / "copy.db"))
    assert child.returncode == 1
    assert "Traceback" not in child.stderr
    assert len(child.stderr.splitlines()) == 1 and child.stderr.startswith("error: ")


def _with_locale(env: dict[str, str], lang: str) -> dict[str, str]:
    env = {k: v for k, v in env.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env["LANG"] = lang
    return env


def test_help_follows_the_locale(subprocess_env, home):
    (home / "config" / "config.toml").write_text('language = "auto"\n', encoding="utf-8")
    zh = _with_locale(subprocess_env, "zh_CN.UTF-8")
    top, log = crm(zh, "--help"), crm(zh, "log", "--help")
    assert top.returncode == 0 and log.returncode == 0, top.stderr + log.stderr
    assert top.stdout.startswith("用法：python -m crmtui [OPTIONS] COMMAND [ARGS]...")
    assert "不带命令时打开应用" in top.stdout
    # the gap after a command is as wide as the longest command makes it
    assert "命令：" in top.stdout and re.search(r"^  log +写一条跟进记录$", top.stdout, re.MULTILINE)
    assert "写一条跟进记录；客户未关闭时每一项都必填。" in log.stdout
    # the gap after the option is as wide as the longest option (--satisfaction) makes it
    assert re.search(r"--next-plan <str> +下次计划做什么。", log.stdout)
    assert "[必填]" in log.stdout and "显示本帮助并退出。" in log.stdout
    assert "Options" not in log.stdout and "Show this message" not in log.stdout
    # lines wrapped by terminal cells: nothing wider than Click's 80 columns
    from crmtui.cli.help import cells

    assert max(cells(line) for line in top.stdout.splitlines() + log.stdout.splitlines()) <= 80

    en = crm(_with_locale(subprocess_env, "C"), "log", "--help")
    assert en.stdout.startswith("Usage: python -m crmtui log [OPTIONS]")
    assert "Logs a follow-up 跟进记录; every field is required" in en.stdout
    assert re.search(r"--next-plan <str> +What you will do next 下次计划\.", en.stdout)
    assert "Show this message and exit." in en.stdout and "用法" not in en.stdout


def test_help_follows_the_config_language(subprocess_env, home):
    (home / "config" / "config.toml").write_text('language = "zh"\n', encoding="utf-8")
    shown = crm(_with_locale(subprocess_env, "C"), "add", "deal", "-h")
    assert shown.returncode == 0, shown.stderr
    assert "新商机。" in shown.stdout and "--amount <str>" in shown.stdout and "如 120000、12万、50k。" in shown.stdout


def test_a_child_process_runs_on_the_suites_clock(subprocess_env):
    # a child on the real clock made the suite pass on one day only; the child's clock starts at NOW
    child = python(subprocess_env, "from datetime import datetime, UTC; print(datetime.now(UTC).isoformat())")
    assert child.returncode == 0, child.stderr
    from datetime import datetime
    seen = datetime.fromisoformat(child.stdout.strip())
    assert NOW <= seen < NOW + timedelta(minutes=5)


def test_a_report_as_csv_into_a_pipe_the_reader_closed_ends_quietly(subprocess_env):
    import os

    crm(subprocess_env, "add", "customer", "Acme")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line: every write is refused (`| head -0`)
    try:
        done = subprocess.run([PYTHON, "-m", "crmtui", "report", "sources", "--csv"], env=subprocess_env,
                              stdout=write, stderr=subprocess.PIPE, text=True, encoding="utf-8", timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr and "Traceback" not in done.stderr


def test_an_empty_report_as_csv_says_so_on_stderr(subprocess_env):
    done = crm(subprocess_env, "report", "lost", "--csv", "--period", "2017-04")
    assert done.returncode == 0
    assert done.stderr.strip() == "No deal was lost in 2017-04."
    assert done.stdout == ""  # no table to write: stdout stays empty for the script reading it
