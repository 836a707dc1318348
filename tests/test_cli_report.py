"""`crm report`: text, JSON, CSV and the records behind a number, on the funnel's hand-made book (see
tests/test_report_funnel.py for the October figures used here), and the refusals of bad input."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from crmtui.cli.help import cells
from crmtui.services import reports
from crmtui.services.context import Context
from tests.test_cli import crm, fails, ok
from tests.test_report_funnel import book  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("book")


def squeezed(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_text_has_the_title_figures_table_and_bars_within_80_columns() -> None:
    text = ok("report", "funnel", "--period", "2026-10").stdout
    lines = squeezed(text)
    assert lines[0] == "Funnel and conversion · 2026-10 (2026-10-01 .. 2026-10-31)"
    # win rate 2 / 3; average (10,000 + 20,000) / 2; cycle (41 + 87) / 2 days
    assert "Win rate 66.7%" in lines
    assert "Average deal size 15,000" in lines
    assert "Sales cycle 64 d" in lines
    # Initial contact: 4 reached, 2 of 4 moved on, median (2 + 7) / 2 days
    assert "Initial contact 4 50% 4.5 d" in lines
    assert "Negotiation 2 50% 16 d" in lines
    bars = [line for line in text.splitlines() if "█" in line]
    assert len(bars) == 6 and bars[0].rstrip().endswith("4")
    # the longest bar is Initial contact's (4), Needs confirmed's (2) half as long
    assert bars[0].count("█") == 2 * bars[1].count("█")
    assert "3 deals skipped a stage." in lines
    assert all(cells(line) <= 80 for line in text.splitlines())


def test_a_chinese_period_word_names_the_same_month() -> None:
    # the suite's today is 2026-11-24: 上月 is October
    assert ok("report", "funnel", "-p", "上月").stdout == ok("report", "funnel", "--period", "2026-10").stdout


def test_json_carries_money_as_yuan_dates_in_iso_and_the_records(ctx: Context) -> None:
    data = json.loads(ok("report", "funnel", "--period", "2026-10", "--json").stdout)
    assert data["report"] == "funnel" and data["empty"] is False
    assert data["period"] == {"label": "2026-10", "first_day": "2026-10-01", "last_day": "2026-10-31",
                              "start": "2026-10-01T00:00:00+08:00", "end": "2026-11-01T00:00:00+08:00"}
    figures = {figure["key"]: figure for figure in data["figures"]}
    assert figures["average_won"]["value"] == 15000  # 1,500,000 cents
    assert figures["won"]["value"] == 2 and len(figures["won"]["drill"]["ids"]) == 2
    rows = {row["key"]: row for row in data["tables"][0]["rows"]}
    assert rows["proposal"]["values"] == {"stage": "Proposal", "reached": 3, "moved_on": round(2 / 3, 6),
                                          "median_days": 3.5}
    assert data["charts"][0]["type"] == "bars" and [bar["value"] for bar in data["charts"][0]["bars"]] == [
        4, 2, 3, 2, 2, 2]


def test_csv_prints_each_table_under_its_title() -> None:
    lines = ok("report", "funnel", "--period", "2026-10", "--csv").stdout.splitlines()
    assert lines[:3] == ["Stages", "Sales stage,Reached,Moved on,Median days in stage", "Initial contact,4,0.5,4.5"]
    assert lines[-1] == "Won,2,,"


def test_records_lists_the_deals_behind_a_row() -> None:
    text = ok("report", "funnel", "--period", "2026-10", "--records", "initial").stdout
    lines = text.splitlines()
    assert lines[0] == "Deals that reached Initial contact in 2026-10 (4)"
    # B1 on Birch, C1 on Cedar, F1 moved to Gale by the merge, G1 on Gale
    assert sorted(line.split("  ·  ")[1] for line in lines[1:]) == ["B1", "C1", "F1", "G1"]
    data = json.loads(ok("report", "funnel", "--period", "2026-10", "--records", "won", "--json").stdout)
    assert sorted(record["name"] for record in data["records"]) == ["A1", "H1"]
    assert sorted(record["amount"] for record in data["records"]) == [10000, 20000]


def test_an_unknown_records_key_names_the_keys_there_are() -> None:
    result = fails("report", "funnel", "--period", "2026-10", "--records", "nope")
    assert "records" in result.stderr and "initial" in result.stderr and "negotiation" in result.stderr


def test_bad_input_is_refused_naming_what_is_expected() -> None:
    result = fails("report", "funnel", "--period", "someday")
    assert "period:" in result.stderr and "2017Q2" in result.stderr and "FROM..TO" in result.stderr
    assert "funnel, lost, sources" in fails("report", "nonsense", code=2).stderr
    fails("report", "funnel", "--json", "--csv", code=2)
    assert "rfm" in fails("report", "funnel", "--apply", "Apex", code=2).stderr
    assert "rep" in fails("report", "funnel", "--rep", "Nobody").stderr


def test_an_empty_period_says_so() -> None:
    assert squeezed(ok("report", "funnel", "--period", "2017-04").stdout) == [
        "Funnel and conversion · 2017-04 (2017-04-01 .. 2017-04-30)", "No deal moved in 2017-04."]
    # --rep all is everything the book holds, as the app's "everyone": in a book with no team, the whole book
    whole = ok("report", "funnel", "--period", "2026-10").stdout
    assert "No deal moved" not in whole
    assert ok("report", "funnel", "--period", "2026-10", "--rep", "all").stdout == whole


def test_a_report_not_built_yet_does_not_break_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> object:
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(reports, "module", missing)
    assert "not available yet" in fails("report", "team").stderr


def test_rfm_apply_asks_then_sets_the_tiers(monkeypatch: pytest.MonkeyPatch, ctx: Context) -> None:
    asked: list[object] = []

    def apply_suggestions(context: Context, customer_ids: list[str] | None) -> int:
        asked.append(customer_ids)
        return len(customer_ids) if customer_ids is not None else 7

    monkeypatch.setattr(reports, "module", lambda name: SimpleNamespace(apply_suggestions=apply_suggestions))
    refused = fails("report", "rfm", "--apply", "Apex")  # no terminal to ask at, no --yes
    assert "--yes" in refused.stderr and asked == []
    assert ok("report", "rfm", "--apply", "Apex", "--apply", "Birch", "--yes").stdout == "2 tiers set.\n"
    assert len(asked) == 1 and isinstance(asked[0], list) and len(asked[0]) == 2
    assert json.loads(ok("report", "rfm", "--apply-all", "--yes", "--json").stdout) == {"changed": 7}
    assert asked[-1] is None
    assert crm("report", "rfm", "--apply", "Nobody-here", "--yes").exit_code == 1


def test_a_wide_table_wraps_its_headers_and_many_bars_become_one_mark_each(capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date, timedelta

    from crmtui.cli.report import print_text
    from crmtui.core.periods import last_days
    from crmtui.services.reports.base import Bar, BarChart, Column, Report, Row, Table
    from tests.conftest import ZONE

    columns = (Column("week", "Week from", "text"),) + tuple(
        Column(f"c{index}", f"A rather long header number {index}", "count") for index in range(6))
    table = Table("weeks", "By week", columns, (Row("2026-11-23", ("2026-11-23", 1, 22, 333, 4444, 55555, 666666)),))
    first = date(2026, 8, 27)
    # 90 days: 66 marks fit beside the label on the first line (80 - 2 - 10 - 2), 24 on the second
    bars = tuple(Bar((first + timedelta(days=index)).isoformat(), index % 9) for index in range(90))
    built = Report("activity", "Activity", last_days(90, date(2026, 11, 24), ZONE), None, tables=(table,),
                   charts=(BarChart("days", "Follow-ups a day", "count", bars),))
    print_text(built)
    lines = capsys.readouterr().out.splitlines()
    assert all(cells(line) <= 80 for line in lines)
    # the values are whole: the headers wrapped to make room for them
    assert " ".join(next(line for line in lines if "2026-11-23" in line and "666,666" in line).split()) == \
        "2026-11-23 1 22 333 4,444 55,555 666,666"
    assert "header header header header header header" in squeezed("\n".join(lines))
    assert "Week from number 0 number 1 number 2 number 3 number 4 number 5" in squeezed("\n".join(lines))
    marks = [line for line in lines if line.startswith("  2026-") and "·" in line]
    assert [line.split()[0] for line in marks] == ["2026-08-27", "2026-11-01"]  # 08-27 + 66 days = 11-01
    assert len(marks[0].split()[1]) == 66 and len(marks[1].split()[1]) == 24
    # a zero day is a dot, the biggest (8) a full block
    assert marks[0].split()[1][:9] == "·▁▂▃▄▅▆▇█"


def _printed(built: object, capsys: pytest.CaptureFixture[str]) -> list[str]:
    from crmtui.cli.report import print_text

    print_text(built)  # type: ignore[arg-type]
    return capsys.readouterr().out.splitlines()


def test_a_bars_second_value_is_shown_in_the_charts_kind(capsys: pytest.CaptureFixture[str]) -> None:
    from crmtui.core.periods import parse_period
    from crmtui.services.reports.base import Bar, BarChart, Report
    from tests.conftest import ZONE

    from datetime import date

    # contracted 425,000.00 yuan (42,500,000 cents), collected 356,000.00 (35,600,000 cents): both money
    chart = BarChart("by_month", "Contracted by month (collected beside)", "money",
                     (Bar("2026-11", 42_500_000, secondary=35_600_000),))
    built = Report("payments", "Payments", parse_period("2026-11", date(2026, 11, 24), ZONE), None, charts=(chart,))
    bar = next(line for line in _printed(built, capsys) if "█" in line)
    assert bar.rstrip().endswith("425,000 · 356,000")


def test_the_title_names_a_period_once(capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from crmtui.core import i18n
    from crmtui.core.periods import heading, parse_period
    from tests.conftest import ZONE

    today = date(2026, 11, 24)
    # 90 days ending 24 Nov: 24 Nov - 89 days = 27 Aug (Nov 24 + Oct 31 + Sep 30 = 85, 4 more into August)
    assert heading(parse_period("last 90 days", today, ZONE)) == "last 90 days (2026-08-27 .. 2026-11-24)"
    assert heading(parse_period("近90天", today, ZONE)) == "last 90 days (2026-08-27 .. 2026-11-24)"
    assert heading(parse_period("本周", today, ZONE)) == "this week (2026-11-23 .. 2026-11-29)"  # Mon .. Sun
    assert heading(parse_period("2026-08-27..2026-11-24", today, ZONE)) == "2026-08-27 .. 2026-11-24"
    assert heading(parse_period("2026-11-03", today, ZONE)) == "2026-11-03"
    assert heading(parse_period("2026Q3", today, ZONE)) == "2026Q3 (2026-07-01 .. 2026-09-30)"
    # a span named by its words is equal to the same span built from its days (the screen's cache relies on it)
    assert parse_period("last 90 days", today, ZONE) == parse_period("2026-08-27..2026-11-24", today, ZONE)
    i18n.set_language("zh")
    try:
        assert heading(parse_period("last 90 days", today, ZONE)) == "近90天 (2026-08-27 .. 2026-11-24)"
        assert heading(parse_period("last 7 days", today, ZONE)) == "最近 7 天 (2026-11-18 .. 2026-11-24)"
    finally:
        i18n.set_language("en")
    title = squeezed(ok("report", "funnel", "--period", "last 90 days").stdout)[0]
    assert title == "Funnel and conversion · last 90 days (2026-08-27 .. 2026-11-24)"


def _customers_report() -> object:
    from datetime import date

    from crmtui.core.periods import parse_period
    from crmtui.services.reports.base import Column, Drill, Report, Row, Table
    from tests.conftest import ZONE

    ids = ("0b9d2c7e-1111-4a4a-8b8b-000000000001", "0b9d2c7e-2222-4a4a-8b8b-000000000002",
           "0b9d2c7e-3333-4a4a-8b8b-000000000003")
    names = ("Hooli Health", "Hooli Retail", "Tyrell Labs")
    rows = tuple(Row(id_, (name, "A"), Drill("customers", (id_,), name)) for id_, name in zip(ids, names, strict=True))
    table = Table("customers", "Customers", (Column("customer", "Customer", "text"), Column("tier", "Tier", "text")),
                  rows)
    return Report("rfm", "Customer value", parse_period("2026-11", date(2026, 11, 24), ZONE), None, tables=(table,))


def test_the_records_line_names_rows_a_rep_can_type(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    lines = _printed(_customers_report(), capsys)
    last = " ".join(lines[lines.index(next(line for line in lines if line.startswith("Records behind"))):])
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}", last)  # no customer id
    assert "a row of Customers: a name or number in it, such as Hooli Health" in " ".join(last.split())


def test_records_takes_a_customers_name_and_lists_two_matches() -> None:
    from crmtui.cli.report import _named_row
    from crmtui.core.errors import Ambiguous

    built = _customers_report()
    drill = _named_row(built, "tyrell labs")  # type: ignore[arg-type]
    assert drill is not None and drill.ids == ("0b9d2c7e-3333-4a4a-8b8b-000000000003",)
    hooli = _named_row(built, "Hooli Retail")  # type: ignore[arg-type]
    assert hooli is not None and hooli.title == "Hooli Retail"
    assert _named_row(built, "0b9d2c7e-1111").ids == ("0b9d2c7e-1111-4a4a-8b8b-000000000001",)  # type: ignore
    with pytest.raises(Ambiguous) as caught:
        _named_row(built, "hooli")  # type: ignore[arg-type]
    assert [match.label for match in caught.value.matches] == ["Hooli Health", "Hooli Retail"]
    assert _named_row(built, "Wonka") is None  # type: ignore[arg-type]


def test_a_wide_chinese_table_breaks_its_headers_between_characters(capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from crmtui.core.periods import parse_period
    from crmtui.services.reports.base import Column, Report, Row, Table
    from tests.conftest import ZONE

    # the forecast's table in Chinese: nine headers of no spaces, 95 cells on one line before
    labels = ["月份", "进行中商机", "金额", "加权", "承诺", "赢单商机", "赢单", "目标", "赢单占目标"]
    kinds = ["text", "count", "money", "money", "money", "count", "money", "money", "rate"]
    values = ("2026-12", 32, 641_500_000, 193_350_000, 21_500_000, 0, 0, None, None)
    table = Table("months", "按预计成交月份", tuple(Column(f"c{n}", label, kind)  # type: ignore[arg-type]
                                                  for n, (label, kind) in enumerate(zip(labels, kinds, strict=True))),
                  (Row("2026-12", values),))
    built = Report("forecast", "按月预测", parse_period("2026-11", date(2026, 11, 24), ZONE), None, tables=(table,))
    lines = _printed(built, capsys)
    assert all(cells(line) <= 80 for line in lines), [line for line in lines if cells(line) > 80]
    # the values whole: 6,415,000.00 and 1,933,500.00 yuan
    assert " ".join(next(line for line in lines if "2026-12" in line).split()) == \
        "2026-12 32 6,415,000 1,933,500 215,000 0 0 - -"


def test_a_bar_is_named_by_its_key_in_any_language(ctx: Context) -> None:
    from crmtui.cli.report import drills
    from crmtui.core import i18n
    from crmtui.core.periods import parse_period

    october = parse_period("2026-10", ctx.clock.today(), ctx.clock.zone)
    english = drills(reports.module("funnel").build(ctx, october))
    i18n.set_language("zh")
    try:
        chinese = drills(reports.module("funnel").build(ctx, october))
    finally:
        i18n.set_language("en")
    # the four deals that reached Initial contact (as the row "initial" above), under the same key in both
    assert len(english["reached/initial"].ids) == 4
    assert chinese["reached/initial"].ids == english["reached/initial"].ids
    assert chinese["reached/initial"].title != english["reached/initial"].title  # the words did change
    assert "reached/初步接触" not in chinese
