"""`crm import --kind deals`: another CRM's pipeline export brought in with its history, then the figures the
stage changes give (deals per stage, the funnel, won count and value, win rate, won value by quarter, the open
pipeline) checked against figures worked out by hand from the file written here.

The file has the shape of the public B2B dataset (opportunity_id, sales_agent, product, account, deal_stage,
engage_date, close_date, close_value), with its accounts imported first as a rep would, through a mapping file.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.importing.run import Options, run_import
from crmtui.services.pipeline import stage_figures
from crmtui.sync import client as sync
from tests.teamserver import Team
from tests.test_cli import fails, ok, show

PIPELINE = ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
            "close_value"]
ROWS = [
    ["D01", "Ann Lee", "GTX Basic", "Acme", "Won", "1/10/2017", "3/1/2017", "500"],
    ["D02", "Ann Lee", "GTX Pro", "Acme", "Won", "2/1/2017", "3/31/2017", "4800"],
    ["D03", "Bob Ma", "MG Special", "Globex", "Won", "3/15/2017", "4/1/2017", "55"],
    ["D04", "Bob Ma", "MG Advanced", "Globex", "Lost", "3/20/2017", "4/20/2017", "0"],
    ["D05", "Cy Xu", "GTX Basic", "Initech", "Won", "4/2/2017", "6/30/2017", "550"],
    ["D06", "Cy Xu", "GTX Plus Pro", "Initech", "Lost", "4/5/2017", "5/5/2017", "0"],
    ["D07", "Ann Lee", "GTX Basic", "Globex", "Won", "5/1/2017", "7/1/2017", "600"],
    ["D08", "Ann Lee", "MG Special", "Initech", "Lost", "6/1/2017", "7/15/2017", "0"],
    ["D09", "Bob Ma", "GTX Pro", "Acme", "Won", "7/1/2017", "9/30/2017", "5000"],
    ["D10", "Bob Ma", "GTX Pro", "Acme", "Lost", "7/2/2017", "10/3/2017", "0"],
    ["D11", "Cy Xu", "MG Advanced", "Globex", "Won", "8/1/2017", "12/31/2017", "3400"],
    ["D12", "Cy Xu", "GTX Basic", "Acme", "Engaging", "9/1/2017", "", ""],
    ["D13", "Ann Lee", "GTX Pro", "Globex", "Engaging", "10/1/2017", "", "1200"],
    ["D14", "Bob Ma", "MG Special", "Initech", "Engaging", "11/1/2017", "", ""],
    ["D15", "Cy Xu", "GTX Basic", "Initech", "Prospecting", "", "", ""],
    ["D16", "Ann Lee", "MG Advanced", "Acme", "Prospecting", "", "", ""],
    ["D17", "Bob Ma", "GTX Basic", "", "Engaging", "11/5/2017", "", ""],  # no account: refused
    ["D18", "Cy Xu", "GTX Basic", "Hooli", "Won", "1/5/2017", "2/5/2017", "450"],  # Hooli is not in the book
    ["D19", "Ann Lee", "GTX Pro", "Hooli", "Lost", "1/6/2017", "2/6/2017", "0"],
    ["D20", "Bob Ma", "MG Special", "Acme", "Won", "12/1/2017", "11/30/2017", "60"],  # closed before opened: refused
]
MAPPING = """kind = "deals"

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
"Engaging" = "needs"
"""


def write_csv(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "data" / "crm.db")


def imported(*args: str) -> dict:
    return json.loads(ok("import", *args, "--json").stdout)


def _book(tmp_path: Path) -> tuple[Path, Path]:
    """The accounts imported as customers (sector and office location mapped), and the pipeline file with its
    mapping."""
    accounts = write_csv(tmp_path / "accounts.csv", ["account", "sector", "office_location", "employees"], [
        ["Acme", "technolgy", "United States", "2822"], ["Globex", "retail", "Kenya", "495"],
        ["Initech", "medical", "Japan", "1185"]])
    mapping = tmp_path / "accounts.toml"
    mapping.write_text('kind = "customers"\n[columns]\n"sector" = "industry"\n"office_location" = "region"\n'
                       '[values.industry]\n"technolgy" = "technology"\n', encoding="utf-8")
    assert imported(str(accounts), "--mapping", str(mapping))["counts"]["created"] == 3
    (tmp_path / "pipeline.toml").write_text(MAPPING, encoding="utf-8")
    return write_csv(tmp_path / "pipeline.csv", PIPELINE, ROWS), tmp_path / "pipeline.toml"


def test_a_pipeline_export_gives_the_figures_worked_out_by_hand(tmp_path: Path, home: Path, ctx: Context) -> None:
    pipeline, mapping = _book(tmp_path)
    result = imported(str(pipeline), "--mapping", str(mapping))
    # 20 rows: D17 has no account, D20 closed before it was opened; the 18 others are deals; Hooli was added.
    assert result["counts"] == {"created": 18, "merged": 0, "skipped": 0, "refused": 2, "contacts": 0, "customers": 1}
    assert [(r["row"], r["column"]) for r in result["refused"]] == [(18, "account"), (21, "close_date")]

    figures = stage_figures(ctx)
    # Won: D01 D02 D03 D05 D07 D09 D11 D18 = 8; Lost: D04 D06 D08 D10 D19 = 5; Engaging (needs): D12-D14 = 3;
    # Prospecting (initial): D15 D16 = 2.
    assert figures.deals_by_stage == {"won": 8, "lost": 5, "needs": 3, "initial": 2}
    # Won value: 500 + 4800 + 55 + 550 + 600 + 5000 + 3400 + 450 = 15355.
    assert (figures.won_count, figures.won_cents) == (8, 1_535_500)
    # Win rate: 8 / (8 + 5).
    assert figures.win_rate == 8 / 13
    # By the quarter of close_date: Q1 D01 500 + D02 4800 (31 March) + D18 450 = 5750; Q2 D03 55 (1 April) +
    # D05 550 = 605; Q3 D07 600 + D09 5000 = 5600; Q4 D11 3400.
    assert figures.won_by_quarter == {"2017Q1": 575_000, "2017Q2": 60_500, "2017Q3": 560_000, "2017Q4": 340_000}
    # Open pipeline: only D13 has an amount, 1200.
    assert figures.open_cents == 120_000
    # The funnel: the 13 closed deals were opened in the first stage, as were the 2 prospecting ones.
    assert figures.reached == {"initial": 15, "needs": 3, "won": 8, "lost": 5}

    with db(home) as connection:
        # History, not today's gates: no contract was made for the won deals, and each is marked imported.
        assert connection.execute("SELECT count(*) FROM contract").fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM deal WHERE imported_from = 'pipeline.csv'").fetchone()[0] == 18
        # D01's stage changes carry its real days (09:00 in the rep's zone is 01:00 UTC).
        changes = connection.execute(
            "SELECT s.from_stage, s.to_stage, s.at FROM deal_stage_change s JOIN deal d ON d.id = s.deal_id"
            " WHERE d.external_id = 'D01' ORDER BY s.at").fetchall()
        assert changes == [(None, "initial", "2017-01-10 01:00:00.000000"),
                           ("initial", "won", "2017-03-01 01:00:00.000000")]
        assert connection.execute("SELECT stage_entered_at, owner_name, amount_cents FROM deal"
                                  " WHERE external_id = 'D01'").fetchone() == ("2017-03-01 01:00:00.000000",
                                                                               "Ann Lee", 50_000)
        # A customer with a won deal is a customer; the accounts' sector and office location were mapped.
        assert connection.execute("SELECT status, industry, region FROM customer WHERE name = 'Acme'").fetchone() \
            == ("customer", "technology", "United States")
        assert connection.execute("SELECT status FROM customer WHERE name = 'Hooli'").fetchone() == ("customer",)
        # Every imported record is in the outbox, for a team's server.
        assert connection.execute("SELECT count(*) FROM outbox WHERE record_table = 'deal'").fetchone()[0] == 18


def test_the_same_file_twice_creates_nothing_and_a_changed_row_updates_its_deal(tmp_path: Path, home: Path,
                                                                                ctx: Context) -> None:
    pipeline, mapping = _book(tmp_path)
    imported(str(pipeline), "--mapping", str(mapping))
    again = imported(str(pipeline), "--mapping", str(mapping))
    assert again["counts"]["created"] == 0 and again["counts"]["skipped"] == 18 and again["counts"]["merged"] == 0

    # D13 was won since: the next export says so.
    rows = [row if row[0] != "D13" else ["D13", "Ann Lee", "GTX Pro", "Globex", "Won", "10/1/2017", "11/20/2017",
                                         "1300"] for row in ROWS]
    dry = imported(str(write_csv(tmp_path / "pipeline2.csv", PIPELINE, rows)), "--mapping", str(mapping),
                   "--dry-run")
    assert (dry["counts"]["created"], dry["counts"]["merged"]) == (0, 1)
    assert stage_figures(ctx).won_count == 8  # the dry run changed nothing
    changed = imported(str(tmp_path / "pipeline2.csv"), "--mapping", str(mapping))
    assert (changed["counts"]["created"], changed["counts"]["merged"], changed["counts"]["skipped"]) == (0, 1, 17)
    figures = stage_figures(ctx)
    assert (figures.won_count, figures.open_cents) == (9, 0)
    assert figures.won_by_quarter["2017Q4"] == 340_000 + 130_000
    with db(home) as connection:
        assert connection.execute(
            "SELECT s.from_stage, s.to_stage, s.at FROM deal_stage_change s JOIN deal d ON d.id = s.deal_id"
            " WHERE d.external_id = 'D13' ORDER BY s.at").fetchall() == [
            (None, "needs", "2017-10-01 01:00:00.000000"), ("needs", "won", "2017-11-20 01:00:00.000000")]


def test_stage_names_of_other_crms_in_english_and_chinese_are_mapped(tmp_path: Path, home: Path, ctx: Context) -> None:
    add_customer(ctx, "北京华信科技有限公司")
    path = write_csv(tmp_path / "商机.csv", ["客户名称", "商机名称", "销售阶段", "商机金额", "创建日期", "成交日期", "负责人",
                                            "输单原因"], [
        ["北京华信科技", "数控机床", "赢单", "12万", "2026-01-05", "2026-03-02", "王芳", ""],
        ["北京华信科技", "年度保养", "输单", "", "2026-02-01", "2026-04-10", "王芳", "价格太高"],
        ["北京华信科技", "备件", "商务谈判", "3万", "2026-05-01", "", "王芳", ""],
        ["北京华信科技", "培训", "Closed Won", "5000", "2026-06-01", "2026-07-01", "王芳", ""],
        ["北京华信科技", "改造", "Needs Analysis", "", "2026-08-01", "", "王芳", ""],
        ["北京华信科技", "咨询", "谈天说地", "", "2026-08-01", "", "王芳", ""],
    ])
    result = imported(str(path), "--kind", "deals")
    assert result["columns"] == {"客户名称": "customer", "商机名称": "title", "销售阶段": "stage", "商机金额": "amount",
                                 "创建日期": "created", "成交日期": "closed", "负责人": "owner", "输单原因": "lost-reason"}
    assert result["counts"]["created"] == 5 and result["counts"]["customers"] == 0  # 北京华信科技 is the one in the book
    assert result["refused"] == [{"row": 7, "column": "销售阶段", "reason": 'stage: one of initial, needs, proposal,'
                                  ' quote, negotiation, won, lost (got "谈天说地")'}]
    with db(home) as connection:
        stages = dict(connection.execute("SELECT title, stage FROM deal"))
        assert stages == {"数控机床": "won", "年度保养": "lost", "备件": "negotiation", "培训": "won", "改造": "needs"}
        # a usual lost reason is kept as ours, so a team counts them together
        assert connection.execute("SELECT lost_reason FROM deal WHERE title = '年度保养'").fetchone() == ("price",)
        assert connection.execute("SELECT amount_cents, probability FROM deal WHERE title = '备件'").fetchone() == (
            3_000_000, 80)


def test_bad_deal_rows_name_the_column_and_what_is_expected(tmp_path: Path, home: Path) -> None:
    path = write_csv(tmp_path / "deals.csv", ["customer", "title", "stage", "amount", "created", "closed"], [
        ["Acme", "", "won", "100", "2026-01-01", "2026-02-01"],
        ["Acme", "Pumps", "won", "lots", "2026-01-01", "2026-02-01"],
        ["Acme", "Pumps", "won", "100", "soon", "2026-02-01"],
        ["Acme", "Pumps", "won", "100", "2026-01-01", "2027-02-01"],
    ])
    result = imported(str(path), "--kind", "deals", "--dry-run")
    assert [(r["row"], r["column"]) for r in result["refused"]] == [(2, "title"), (3, "amount"), (4, "created"),
                                                                     (5, "closed")]
    assert result["refused"][3]["reason"].startswith("closed: a day that has passed")
    fails("import", str(path), "--kind", "orders")


def test_imported_history_reaches_the_team_server(tmp_path: Path, team: Team) -> None:
    ann = team.add_rep("ann")
    deals = write_csv(tmp_path / "deals.csv", ["id", "customer", "title", "stage", "amount", "created", "closed",
                                               "owner"], [
        ["X1", "Acme", "Pumps", "Closed Won", "5000", "2026-01-05", "2026-03-02", "Ann Lee"],
        ["X2", "Acme", "Valves", "Closed Lost", "", "2026-02-01", "2026-04-10", "Ann Lee"]])
    follow_ups = write_csv(tmp_path / "calls.csv", ["customer", "time", "channel", "notes"], [
        ["Acme", "2026-03-01 10:00", "call", "agreed the price"]])
    assert run_import(ann, deals, Options(kind="deals")).created == 2
    assert run_import(ann, follow_ups, Options(kind="follow-ups")).created == 1
    report = sync.sync_round(ann)
    assert report.rejected == 0
    won = team.server_rows("deal", "external_id = %s", ("X1",))[0]
    assert (won["stage"], won["owner_name"], won["imported_from"]) == ("won", "Ann Lee", "deals.csv")
    assert len(team.server_rows("deal_stage_change")) == 4
    [call] = team.server_rows("follow_up")
    assert call["imported_from"] == "calls.csv" and call["goal"] == ""
    # the server derives the last contact from the follow-ups it keeps: the imported call is the newest
    assert team.server_rows("customer")[0]["last_contact_at"].startswith("2026-03-01T02:00")


def test_a_file_without_ids_is_recognised_by_customer_title_and_opening_day(tmp_path: Path, ctx: Context) -> None:
    add_customer(ctx, "Acme")
    path = write_csv(tmp_path / "deals.csv", ["customer", "title", "stage", "created"], [
        ["Acme", "Pumps", "Negotiation", "2026-05-01"], ["Acme", "Valves", "Proposal", ""],
        ["Acme", "Pumps", "Negotiation", "2026-06-01"]])  # another deal of the same title, opened later
    assert imported(str(path), "--kind", "deals")["counts"]["created"] == 3
    again = imported(str(path), "--kind", "deals")
    assert (again["counts"]["created"], again["counts"]["skipped"]) == (0, 3)


def test_a_deal_rows_unmapped_columns_go_into_its_customers_notes(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "商机.csv", ["客户名称", "商机名称", "销售阶段", "跟进备注"], [
        ["华信", "机床", "方案", "老客户介绍"], ["华信", "备件", "报价", ""]])
    result = imported(str(path), "--kind", "deals")
    assert result["unknown_columns"] == ["跟进备注"] and result["counts"]["created"] == 2
    assert show("华信")["notes"] == "机床: 跟进备注: 老客户介绍"
    assert "机床  Proposal" in ok("show", "华信").stdout and ok("show", "华信").stdout.count("(imported)") == 2


def test_an_external_id_is_matched_only_within_its_customer(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", ["ID", "customer", "title"], [["1", "Acme", "Big deal"]])
    assert imported(str(a), "--kind", "deals")["counts"]["created"] == 1
    b = write_csv(tmp_path / "b.csv", ["ID", "customer", "title", "stage", "amount"],
                  [["1", "Globex", "Other deal", "Engaging", "999"]])
    second = imported(str(b), "--kind", "deals")
    assert (second["counts"]["created"], second["counts"]["merged"]) == (1, 0)
    assert [d["title"] for d in show("Acme")["deals"]] == ["Big deal"]
    assert [d["title"] for d in show("Globex")["deals"]] == ["Other deal"]


def test_two_deals_of_the_same_title_and_no_opening_day_stay_two_and_a_reimport_changes_nothing(
        tmp_path: Path, home: Path) -> None:
    path = write_csv(tmp_path / "deals.csv", ["customer", "title", "stage", "amount"],
                     [["Acme", "GTX Basic", "Prospecting", "100"], ["Acme", "GTX Basic", "Engaging", "200"]])
    first = imported(str(path), "--kind", "deals")
    assert (first["counts"]["created"], first["counts"]["merged"]) == (2, 0)
    with db(home) as connection:
        changes = connection.execute("SELECT count(*) FROM deal_stage_change").fetchone()
        assert connection.execute("SELECT count(*) FROM deal").fetchone() == (2,)
    dry = json.loads(ok("import", str(path), "--kind", "deals", "--dry-run", "--json").stdout)
    again = imported(str(path), "--kind", "deals")
    for result in (dry, again):
        assert (result["counts"]["created"], result["counts"]["merged"], result["counts"]["skipped"]) == (0, 0, 2)
    with db(home) as connection:
        assert connection.execute("SELECT count(*) FROM deal_stage_change").fetchone() == changes
        assert sorted(connection.execute("SELECT stage, amount_cents FROM deal")) == [("initial", 10000),
                                                                                     ("needs", 20000)]
