"""Scores crmtui.core.dates.parse_when against a corpus of date phrases with expected instants.

    .venv/bin/python bench/bench_dates.py PATH/cases.json [--zone Asia/Shanghai] [--all] [--runs N]
                                          [--cold-rounds N] [--baseline REV]

The corpus is a JSON file {"meta": ..., "cases": [...]} whose cases carry a phrase, a naive local
reference time `ref`, a naive local `expected` instant, a `grain` and a `kind`. It is read only from
the path given: nothing of it is kept in the repository. Scoring, as the corpus defines it:

- kinds `point` and `day` (not `disputed`) are scored: grain day compares the date; grain hour,
  minute or second compares the date, hour and minute. Each case is *correct*, *refused*
  (DateParseError) or *wrong* (accepted, but another instant). Figures per language and script
  (zh-hans simplified, zh-hant traditional, zh-yue Cantonese, en).
- kind `coarse` (expected = start of a week/month/quarter/year): correct when the reading lies
  inside that period; kind `negative`: correct when refused; `holiday`: printed for information.

It prints the failures grouped by pattern (digits and names folded, so "3pm" and "5pm" fall together),
the median CPU time of one parse that the own grammar answered (dateparser not involved), and whether
dateparser was imported and for how many phrases. Then the cold cost a quick command pays for
a date: fresh processes importing crmtui.core.dates and parsing one phrase, in CPU time (other
work on a shared machine does not count), this tree beside another revision's `src` (exported
with `git archive`), rounds alternating. It never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time as clock
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from crmtui.core import dates

ROOT = Path(__file__).resolve().parents[1]
COLD_PHRASES = ("明天下午3点", "下週二下午三點半", "fri 3pm", "next friday at 3pm")
_COLD_CHILD = """
import sys, time, datetime, zoneinfo, re, dataclasses, unicodedata
now = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
started = time.process_time()
from crmtui.core.dates import DateParseError, parse_when
try:
    parse_when(sys.argv[1], now)
except DateParseError:  # an older revision may refuse it: the cost is still what was paid
    pass
print(time.process_time() - started, "dateparser" in sys.modules)
"""


def cold(src: Path, phrase: str, pyc: bool) -> tuple[float, bool]:
    """CPU seconds a fresh process spends importing the date parser and reading `phrase` once.

    With `pyc`, .pyc files are written and used, as on an installed copy; without, every
    module is compiled from source (what PYTHONDONTWRITEBYTECODE=1 makes of every run).
    """
    env = dict(os.environ, PYTHONPATH=str(src))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not pyc:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = tempfile.gettempdir() + "/bench-dates-no-pyc"  # never the ones written
    out = subprocess.run([sys.executable, "-c", _COLD_CHILD, phrase], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), out[1] == "True"


def export_src(revision: str, into: Path) -> Path:
    archive = into / "src.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def cold_figures(baseline: str, rounds: int) -> None:
    print()
    print(f"cold import + first parse, CPU ms (median of {rounds} fresh processes), this tree beside {baseline}:")
    with tempfile.TemporaryDirectory() as tmp:
        sides = {"this tree": ROOT / "src", baseline: export_src(baseline, Path(tmp))}
        for pyc in (True, False):
            print("  with .pyc files (an installed copy):" if pyc else "  compiled from source every time:")
            for phrase in COLD_PHRASES:
                times: dict[str, list[float]] = {name: [] for name in sides}
                loaded = False
                for src in sides.values():  # the first run writes the .pyc files
                    cold(src, phrase, pyc)
                for i in range(rounds):
                    for name in (list(sides) if i % 2 == 0 else list(sides)[::-1]):
                        seconds, imported = cold(sides[name], phrase, pyc)
                        times[name].append(seconds)
                        loaded |= imported and name == "this tree"
                shown = "  ".join(f"{name} {statistics.median(t) * 1000:6.2f}" for name, t in times.items())
                print(f"    {phrase:22} {shown}{'  (dateparser imported)' if loaded else ''}")

SCORED_KINDS = ("point", "day")
TARGETS = {"zh-hans": 0.95, "zh-hant": 0.90, "zh-yue": 0.90, "en": 0.90}


def group_of(case: dict) -> str:
    if case["lang"] != "zh":
        return case["lang"]
    return f"zh-{case.get('script') or 'hans'}"


def pattern_of(phrase: str) -> str:
    """The phrase's shape: numbers and names folded, so failures of one kind fall together."""
    s = dates._normalize(phrase)
    s = re.sub(r"\d+", "9", s)
    s = re.sub(r"[零〇一二两三四五六七八九十]+", "九", s)
    s = re.sub(r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?\b", "<wd>", s)
    s = re.sub(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", "<mon>", s)
    s = re.sub(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
               r"fifteen|forty|fifty)\b", "<n>", s)
    return s


def period_end(start: datetime, grain: str) -> datetime:
    if grain == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    year, month = divmod(start.month - 1 + months, 12)
    return start.replace(year=start.year + year, month=month + 1)


class Counted:
    """Wraps dates._parse_with_dateparser to count the phrases that reached it."""

    def __init__(self) -> None:
        self.original = dates._parse_with_dateparser
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.original(*args, **kwargs)


def score(case: dict, zone: ZoneInfo, counter: Counted) -> tuple[str, str, bool, float]:
    """(outcome, what was read, dateparser involved, seconds) for one case."""
    now = datetime.fromisoformat(case["ref"]).replace(tzinfo=zone)
    before = counter.calls
    started = clock.perf_counter()
    try:
        parsed = dates.parse_when(case["phrase"], now)
    except dates.DateParseError:
        elapsed = clock.perf_counter() - started
        outcome = "correct" if case["kind"] == "negative" else "refused"
        return outcome, "refused", counter.calls > before, elapsed
    elapsed = clock.perf_counter() - started
    read = parsed.when.replace(tzinfo=None)
    shown = read.strftime("%a %Y-%m-%d %H:%M") + ("" if parsed.has_time else " (day)")
    if case["kind"] == "negative":
        return "wrong", shown, counter.calls > before, elapsed
    expected = datetime.fromisoformat(case["expected"])
    if case["kind"] == "coarse":
        ok = expected <= read < period_end(expected, case["grain"])
    elif case["grain"] == "day":
        ok = read.date() == expected.date()
    else:
        ok = read.replace(second=0, microsecond=0) == expected.replace(second=0, microsecond=0)
    return ("correct" if ok else "wrong"), shown, counter.calls > before, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="the cases.json file")
    parser.add_argument("--zone", default="Asia/Shanghai", help="the fixed zone the naive times are read in")
    parser.add_argument("--all", action="store_true", help="list every failing phrase, not 3 per pattern")
    parser.add_argument("--runs", type=int, default=5, help="timed parses per phrase for the median")
    parser.add_argument("--cold-rounds", type=int, default=9, help="fresh processes per side and phrase (0: skip)")
    parser.add_argument("--baseline", default="c9225bc", help="the revision the cold start is set beside")
    args = parser.parse_args()

    corpus = json.loads(args.corpus.read_text(encoding="utf-8"))
    zone = ZoneInfo(args.zone)
    counter = Counted()
    dates._parse_with_dateparser = counter
    print(f"dateparser imported before scoring: {'dateparser' in sys.modules}")

    table: dict[tuple[str, str], Counter] = defaultdict(Counter)
    failures: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    native_times: list[float] = []
    via_dateparser = 0
    for case in corpus["cases"]:
        if case.get("disputed"):
            continue
        outcome, shown, used_dateparser, _ = score(case, zone, counter)
        kind = case["kind"] if case["kind"] not in SCORED_KINDS else "scored"
        group = group_of(case)
        table[(kind, group)][outcome] += 1
        via_dateparser += used_dateparser
        if not used_dateparser and kind in ("scored", "coarse", "negative"):
            # the time of the own grammar: the same phrase again, the median of a few runs in
            # CPU time (this process's), so other work on a shared machine does not count
            now = datetime.fromisoformat(case["ref"]).replace(tzinfo=zone)
            runs = []
            for _ in range(args.runs):
                started = clock.process_time()
                try:
                    dates.parse_when(case["phrase"], now)
                except dates.DateParseError:
                    pass
                runs.append(clock.process_time() - started)
            native_times.append(statistics.median(runs))
        if outcome != "correct" and kind != "holiday":
            detail = f"{case['phrase']!r} at {case['ref'][:16]}: read {shown}, expected {case.get('expected')}"
            failures[(kind, outcome, pattern_of(case["phrase"]))].append(detail)

    print()
    print(f"{'kind':9} {'group':8} {'cases':>5} {'correct':>8} {'refused':>8} {'wrong':>6} {'correct %':>9}  target")
    for (kind, group), counts in sorted(table.items()):
        total = sum(counts.values())
        share = counts["correct"] / total if total else 0.0
        target = ""
        if kind == "scored":
            goal = TARGETS.get(group)
            target = f">= {goal:.0%}, 0 wrong" if goal else "0 wrong"
            if (goal and share < goal) or counts["wrong"]:
                target += "  MISS"
        print(f"{kind:9} {group:8} {total:5d} {counts['correct']:8d} {counts['refused']:8d} "
              f"{counts['wrong']:6d} {share:9.1%}  {target}")
    scored = [c for (k, _), c in table.items() if k == "scored"]
    print(f"scored total: {sum(sum(c.values()) for c in scored)} cases, "
          f"{sum(c['correct'] for c in scored)} correct, {sum(c['refused'] for c in scored)} refused, "
          f"{sum(c['wrong'] for c in scored)} wrong")

    print()
    print("failures by pattern (wrong first; count, pattern, examples):")
    order = sorted(failures.items(), key=lambda item: (item[0][1] != "wrong", item[0][0] != "scored",
                                                       -len(item[1]), item[0][2]))
    for (kind, outcome, pattern), details in order:
        print(f"  [{kind} {outcome}] {len(details):3d}  {pattern}")
        for detail in details if args.all else details[:3]:
            print(f"        {detail}")

    print()
    if native_times:
        print(f"own grammar: median {statistics.median(native_times) * 1000:.3f} ms CPU per parse, "
              f"max {max(native_times) * 1000:.3f} ms, over {len(native_times)} phrases")
    print(f"phrases that reached dateparser: {via_dateparser}; "
          f"dateparser imported after scoring: {'dateparser' in sys.modules}")
    if args.cold_rounds:
        cold_figures(args.baseline, args.cold_rounds)


if __name__ == "__main__":
    main()
