"""`crm import` of spreadsheets: CSV as Excel and WPS save it in China (GBK, CRLF, Chinese headers) and as UTF-8
with a BOM, XLSX made with openpyxl the way Excel/WPS write it; dry runs, refused rows and the rejects file,
duplicates (within the file, against the book, each --on-duplicate), the same file twice, the outbox, and bad input.

Every file is made here, as a rep's tools would write it; effects are read from the real SQLite file and through
`crm show/list --json`.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from tests.test_cli import fails, listed, ok, show

HEADERS = ["客户名称", "联系人", "手机", "邮箱", "微信", "地址", "行业", "来源", "标签", "备注", "职位", "生日", "下次跟进时间", "传真"]
GOOD = [
    ["北京华信科技有限公司", "张三", "138 0013 8000", "zs@huaxin.cn", "zs_wx", "北京市海淀区", "软件", "展会", "VIP，重点", "老客户介绍",
     "总经理", "1980-05-06", "2026-12-01", "010-6666"],
    ["上海恒通贸易有限公司", "李四", "13900001111", "", "", "上海", "贸易", "官网", "", "", "采购经理", "", "", ""],
]
BAD_PHONE = ["深圳瑞达制造有限公司", "赵七", "12-34", "", "", "深圳", "制造", "", "", "", "", "", "", ""]
NO_NAME = ["", "", "13600002222", "", "", "", "", "", "", "无名", "", "", "", ""]
BAD_DATE = ["广州金桥物流有限公司", "钱八", "13500003333", "", "", "", "", "", "", "", "", "1990-13-45", "", ""]


def excel_csv(path: Path, rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "gbk") -> Path:
    """A CSV as Excel on a Chinese Windows saves it: GBK bytes, CRLF line ends, quoted only where needed."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def count(home: Path, table: str, where: str = "1") -> int:
    """Rows of a table in the real SQLite file."""
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        return connection.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]  # noqa: S608


def imported(*args: str) -> dict:
    """`crm import ... --json` as a dict."""
    return json.loads(ok("import", *args, "--json").stdout)


# ---------------------------------------------------------------- formats


def test_a_gbk_csv_saved_by_excel_imports_customers_with_their_contact_tags_note_and_next_date(tmp_path: Path,
                                                                                            home: Path) -> None:
    sheet = excel_csv(tmp_path / "客户.csv", GOOD)
    assert b"\r\n" in sheet.read_bytes() and "客户名称".encode("gbk") in sheet.read_bytes()

    result = imported(str(sheet))

    assert result["encoding"] == "gb18030" and result["format"] == "csv"
    assert result["counts"] == {"created": 2, "merged": 0, "skipped": 0, "refused": 0, "contacts": 2, "customers": 0}
    assert result["unknown_columns"] == ["传真"]
    huaxin = show("北京华信科技有限公司")
    assert huaxin["phone"] == "138 0013 8000" and huaxin["email"] == "zs@huaxin.cn" and huaxin["wechat"] == "zs_wx"
    assert (huaxin["region"], huaxin["industry"], huaxin["source"]) == ("北京市海淀区", "软件", "展会")
    assert sorted(huaxin["tags"]) == ["VIP", "重点"]
    assert huaxin["status"] == "prospect"
    [contact] = huaxin["contacts"]
    assert (contact["name"], contact["title"], contact["birthday"]) == ("张三", "总经理", "1980-05-06")
    assert huaxin["next_follow_up"].startswith("2026-12-01")
    # the notes are the customer's, not a follow-up: importing is no contact with the customer
    assert huaxin["follow_ups"] == [] and huaxin["last_contact"] is None
    assert "老客户介绍" in huaxin["notes"] and "传真: 010-6666" in huaxin["notes"]  # unknown column kept, not dropped


def test_a_utf8_csv_with_a_bom_reads_its_first_header(tmp_path: Path) -> None:
    sheet = tmp_path / "customers.csv"
    sheet.write_bytes(b"\xef\xbb\xbf" + "客户名称,手机,邮箱\r\n苏州博远科技有限公司,13711112222,a@boyuan.cn\r\n".encode())

    result = imported(str(sheet))

    assert result["encoding"] == "utf-8-sig"
    assert result["columns"]["客户名称"] == "name"  # the BOM is not part of the header
    assert show("苏州博远科技")["phone"] == "13711112222"


def test_a_semicolon_csv_in_utf8_is_read_with_its_delimiter(tmp_path: Path) -> None:
    sheet = tmp_path / "export.csv"
    sheet.write_text("Name;Company;Phone;Email\nJane Doe;Acme Analytics;+44 20 7946 0958;jane@acme.example\n",
                     encoding="utf-8")

    result = imported(str(sheet), "--kind", "leads")

    assert result["columns"] == {"Name": "name", "Company": "company", "Phone": "phone", "Email": "email"}
    [lead] = listed("leads")
    assert (lead["name"], lead["company"], lead["status"]) == ("Jane Doe", "Acme Analytics", "lead")


def wps_workbook(path: Path) -> Path:
    """A workbook as WPS/Excel saves a customer list: phones typed as numbers (stored as floats), a date cell, a
    title row mark (客户名称*), a second sheet of instructions."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "客户列表"
    sheet.append(["客户名称*", "联系人", "联系电话", "电子邮箱", "所属行业", "客户等级", "下次跟进时间", "客户状态"])
    sheet.append(["杭州云帆物流有限公司", "陈静", 13812345678.0, "chen@yunfan.cn", "物流", "A", datetime(2026, 12, 20), "成交客户"])
    sheet.append(["成都星河食品有限公司", "刘洋", 15900001111, None, "食品", "D", None, "休眠"])
    book.create_sheet("填写说明").append(["客户名称必填"])
    book.save(path)
    return path


def test_an_xlsx_from_wps_imports_its_first_sheet_with_numbers_and_dates_as_typed(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = wps_workbook(tmp_path / "客户.xlsx")

    result = imported(str(book))

    assert (result["format"], result["sheet"]) == ("xlsx", "客户列表")
    assert result["counts"]["created"] == 1 and result["counts"]["refused"] == 1
    yunfan = show("杭州云帆物流")
    assert yunfan["phone"] == "13812345678"  # not 13812345678.0
    assert (yunfan["tier"], yunfan["status"]) == ("A", "customer")
    assert yunfan["next_follow_up"].startswith("2026-12-20")
    [refusal] = result["refused"]
    assert (refusal["row"], refusal["column"]) == (3, "客户等级")
    assert refusal["reason"] == 'tier: A, B or C (got "D")'
    rejects = load_workbook(tmp_path / "客户.rejects.xlsx")
    rows = list(rejects.active.values)
    assert rows[0][-1] == "import error" and rows[1][0] == "成都星河食品有限公司"
    assert rows[1][-1] == '客户等级: tier: A, B or C (got "D")'


def test_sheet_picks_another_sheet_and_an_unknown_one_is_named_with_the_sheets_there(tmp_path: Path) -> None:
    book = wps_workbook(tmp_path / "客户.xlsx")

    result = fails("import", str(book), "--sheet", "Sheet9")
    assert result.stderr == 'error: --sheet: no sheet "Sheet9" in 客户.xlsx (sheets: 客户列表, 填写说明)\n' \
        or "客户列表, 填写说明" in result.stderr
    assert imported(str(book), "--sheet", "客户列表", "--dry-run")["sheet"] == "客户列表"
    # the instructions sheet has no column for a name: said once, with the headers read
    assert "no column for the customer's name; headers read from row 1: 客户名称必填; use --map COLUMN=name" in \
        fails("import", str(book), "--sheet", "填写说明", "--dry-run").stderr


# ---------------------------------------------------------------- refused rows and the rejects file


def test_refused_rows_are_named_by_row_and_column_with_the_words_of_crm_add(tmp_path: Path) -> None:
    sheet = excel_csv(tmp_path / "客户.csv", [GOOD[0], BAD_PHONE, NO_NAME, BAD_DATE])
    add_says = fails("add", "customer", "深圳瑞达制造有限公司", "--phone", "12-34").stderr.removeprefix("error: ").strip()

    result = imported(str(sheet), "--dry-run")

    refused = {r["row"]: (r["column"], r["reason"]) for r in result["refused"]}
    assert refused[3] == ("手机", add_says)
    assert refused[4][1].startswith("name: ")  # no company and no person: nothing to call the record
    assert refused[5][0] == "生日" and "birthday" in refused[5][1]
    assert result["counts"]["refused"] == 3 and result["counts"]["created"] == 1


def test_a_real_run_writes_refused_rows_to_a_rejects_file_in_the_inputs_encoding_that_imports_once_fixed(
        tmp_path: Path) -> None:
    sheet = excel_csv(tmp_path / "客户.csv", [GOOD[0], BAD_PHONE, GOOD[1], BAD_DATE])

    result = imported(str(sheet))

    rejects = tmp_path / "客户.rejects.csv"
    assert result["rejects"] == str(rejects)
    raw = rejects.read_bytes()
    assert raw.count(b"\r\n") == 3  # CRLF, as the input
    rows = list(csv.reader(io.StringIO(raw.decode("gbk"))))
    assert rows[0] == [*HEADERS, "import error"]
    assert rows[1][:len(BAD_PHONE)] == BAD_PHONE and rows[2][:len(BAD_DATE)] == BAD_DATE
    assert rows[1][-1].startswith("手机: phone: a phone number")
    # the rep fixes the phone in the rejects file (not yet the birthday) and imports that file: the error column is
    # ignored, and the rejects file is rewritten with what is still refused
    rows[1][2] = "13700004444"
    excel_csv(rejects, rows[1:], headers=rows[0])
    again = imported(str(rejects))
    assert again["counts"]["created"] == 1 and again["counts"]["refused"] == 1
    assert show("深圳瑞达")["phone"] == "13700004444"
    left = list(csv.reader(io.StringIO(rejects.read_bytes().decode("gbk"))))
    assert [row[0] for row in left] == ["客户名称", BAD_DATE[0]] and left[1][-1].startswith("生日: birthday:")
    assert sorted(p.name for p in tmp_path.iterdir() if "rejects" in p.name) == ["客户.rejects.csv"]


def test_rejects_puts_the_refused_rows_where_asked_and_a_dry_run_writes_none(tmp_path: Path) -> None:
    sheet = excel_csv(tmp_path / "客户.csv", [BAD_PHONE])
    imported(str(sheet), "--dry-run")
    assert not (tmp_path / "客户.rejects.csv").exists()
    target = tmp_path / "fix-me.csv"
    imported(str(sheet), "--rejects", str(target))
    assert target.read_bytes().decode("gbk").startswith("客户名称,")


# ---------------------------------------------------------------- dry run, twice, duplicates, outbox


def test_a_dry_run_stores_nothing_and_counts_what_a_real_run_then_does(tmp_path: Path, home: Path) -> None:
    sheet = excel_csv(tmp_path / "客户.csv", [GOOD[0], GOOD[1], BAD_PHONE, GOOD[0]])
    ok("add", "customer", "Someone Else")
    before = {table: count(home, table) for table in ("customer", "contact", "customer_tag", "follow_up", "outbox")}

    dry = imported(str(sheet), "--dry-run")

    assert {table: count(home, table) for table in before} == before
    assert dry["counts"] == {"created": 2, "merged": 0, "skipped": 1, "refused": 1, "contacts": 2, "customers": 0}
    real = imported(str(sheet))
    assert real["counts"] == dry["counts"]
    assert count(home, "customer") == before["customer"] + 2


def test_a_dry_run_with_merge_counts_a_later_row_of_the_same_customer_as_the_real_run_does(tmp_path: Path,
                                                                                           home: Path) -> None:
    more = ["上海恒通贸易有限公司", "李四", "13900001111", "ls@hengtong.cn", "", "上海", "贸易", "官网", "", "", "", "", "", ""]
    same = ["上海恒通贸易有限公司", "李四", "13900001111", "", "", "上海", "贸易", "官网", "", "", "", "", "", ""]
    sheet = excel_csv(tmp_path / "客户.csv", [GOOD[1], more, same])  # the 2nd adds an email, the 3rd nothing

    dry = imported(str(sheet), "--dry-run", "--on-duplicate", "merge")
    real = imported(str(sheet), "--on-duplicate", "merge")

    assert (real["counts"]["created"], real["counts"]["merged"], real["counts"]["skipped"]) == (1, 1, 1)
    assert dry["counts"] == real["counts"]


def test_importing_the_same_file_twice_creates_nothing_the_second_time(tmp_path: Path, home: Path) -> None:
    sheet = excel_csv(tmp_path / "客户.csv", GOOD)
    imported(str(sheet))
    tables = ("customer", "contact", "customer_tag", "follow_up", "outbox")
    after_first = {table: count(home, table) for table in tables}

    for policy in ("skip", "merge"):
        again = imported(str(sheet), "--on-duplicate", policy)
        assert again["counts"]["created"] == 0 and again["counts"]["merged"] == 0
        assert again["counts"]["skipped"] == 2
        assert {table: count(home, table) for table in tables} == after_first


def test_a_row_repeated_in_the_file_is_a_duplicate_of_the_first(tmp_path: Path) -> None:
    twice = ["北京华信科技", "", "13800138000", "", "", "", "", "", "", "", "", "", "", ""]  # same phone, other form
    sheet = excel_csv(tmp_path / "客户.csv", [GOOD[0], twice])

    result = imported(str(sheet))

    assert result["counts"]["created"] == 1 and result["counts"]["skipped"] == 1
    assert result["skipped"][0]["row"] == 3 and "same phone" in result["skipped"][0]["reason"]


@pytest.fixture
def acme(ctx: Context) -> str:
    """A customer in the book with a phone and nothing else."""
    return add_customer(ctx, "Acme Analytics", phone="+86 138 0013 8000").id


def acme_sheet(tmp_path: Path) -> Path:
    sheet = tmp_path / "accounts.csv"
    sheet.write_text("Company,Phone,Email,Industry,Tags,Notes\n"
                     "ACME Analytics Ltd.,138-0013-8000,buyer@acme.example,software,VIP,met at the fair\n",
                     encoding="utf-8")
    return sheet


def test_on_duplicate_skip_leaves_the_customer_in_the_book_as_it_was(tmp_path: Path, acme: str, home: Path) -> None:
    outbox = count(home, "outbox")
    result = imported(str(acme_sheet(tmp_path)))
    assert result["counts"]["skipped"] == 1
    assert result["skipped"][0]["reason"] == f'same phone as "Acme Analytics" ({acme[:8]})'
    assert show(acme)["email"] is None and count(home, "outbox") == outbox


def test_on_duplicate_merge_fills_what_the_customer_lacks_and_queues_the_change(tmp_path: Path, acme: str,
                                                                                 home: Path) -> None:
    result = imported(str(acme_sheet(tmp_path)), "--on-duplicate", "merge")

    assert result["counts"]["merged"] == 1 and result["counts"]["created"] == 0
    merged = show(acme)
    assert (merged["email"], merged["industry"], merged["tags"]) == ("buyer@acme.example", "software", ["VIP"])
    assert merged["phone"] == "+86 138 0013 8000"  # never overwritten
    assert "met at the fair" in merged["notes"]
    assert count(home, "outbox", f"record_table = 'customer' AND record_id = '{acme}' AND kind = 'update'") == 1
    assert count(home, "customer") == 1


def test_on_duplicate_create_adds_the_row_anyway(tmp_path: Path, acme: str, home: Path) -> None:
    result = imported(str(acme_sheet(tmp_path)), "--on-duplicate", "create")
    assert result["counts"]["created"] == 1
    assert count(home, "customer") == 2


def test_a_duplicate_of_a_contact_in_the_book_is_found_too(tmp_path: Path, ctx: Context) -> None:
    from crmtui.services.customers import add_contact

    customer = add_customer(ctx, "Globex Labs")
    add_contact(ctx, customer.id, "Hank Scorpio", email="hank@globex.example")
    sheet = tmp_path / "people.csv"
    sheet.write_text("Name,Email\nHank S.,HANK@globex.example\n", encoding="utf-8")

    result = imported(str(sheet), "--kind", "leads")

    assert result["counts"]["skipped"] == 1
    assert '"Hank Scorpio @ Globex Labs"' in result["skipped"][0]["reason"]


def test_imported_records_reach_the_outbox_one_insert_each(tmp_path: Path, home: Path) -> None:
    sheet = excel_csv(tmp_path / "客户.csv", GOOD)
    imported(str(sheet))

    for table in ("customer", "contact", "customer_tag"):
        assert count(home, "outbox", f"record_table = '{table}' AND kind = 'insert'") == count(home, table) > 0
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        changes = [json.loads(row[0]) for row in connection.execute(
            "SELECT changes FROM outbox WHERE record_table = 'customer'")]
    assert {change["name"] for change in changes} == {"北京华信科技有限公司", "上海恒通贸易有限公司"}
    assert all(change["phone_key"] and change["name_key"] for change in changes)


# ---------------------------------------------------------------- the mapping


def test_a_dry_run_prints_the_mapping_as_toml_that_map_and_a_saved_mapping_change(tmp_path: Path, home: Path) -> None:
    sheet = excel_csv(tmp_path / "客户.csv", [GOOD[0]])
    text = ok("import", str(sheet), "--dry-run").stdout
    toml_text = text[text.index("# crm import mapping"):]
    detected = tomllib.loads(toml_text)
    assert detected["kind"] == "customers"
    assert detected["columns"]["客户名称"] == "name" and detected["columns"]["联系人"] == "contact"
    assert detected["columns"]["传真"] == "note"

    mapping = tmp_path / "mine.toml"
    mapping.write_text(toml_text.replace('"传真" = "note"', '"传真" = "ignore"') + '\n[values.source]\n"展会" = "exhibition"\n',
                       encoding="utf-8")
    saved = imported(str(sheet), "--mapping", str(mapping), "--map", "微信=note", "--save-mapping", "crm-sheet",
                     "--dry-run")
    assert saved["columns"]["传真"] == "ignore" and saved["columns"]["微信"] == "note"
    assert (home / "config" / "mappings" / "crm-sheet.toml").exists()

    imported(str(sheet), "--mapping", "crm-sheet")
    huaxin = show("华信")
    assert huaxin["source"] == "exhibition" and huaxin["wechat"] is None
    assert "010-6666" not in huaxin["notes"] and "微信: zs_wx" in huaxin["notes"]


# ---------------------------------------------------------------- bad input: one line, never a traceback


@pytest.mark.parametrize(("args", "expected"), [
    (["missing.csv"], "missing.csv: no such file"),
    (["empty.csv"], "empty.csv: the file is empty"),
    (["good.csv", "--kind", "orders"], '--kind: one of customers, contacts, leads, deals, follow-ups (got "orders")'),
    (["good.csv", "--map", "传真"], '--map: COLUMN=field expected'),
    (["good.csv", "--map", "传真=fax"], '--map: unknown field "fax"; fields are: name, customer'),
    (["good.csv", "--map", "QQ=note"], '--map: no column "QQ" in'),
    (["good.csv", "--mapping", "bad.toml"], 'bad.toml: column "客户名称": unknown field "nom"'),
    (["good.csv", "--mapping", "nosuch"], "--mapping: no file"),
    (["good.csv", "--encoding", "klingon"], "--encoding: an encoding such as utf-8, gbk or gb18030"),
    (["good.csv", "--encoding", "rot13"], '--encoding: an encoding such as utf-8, gbk or gb18030 (got "rot13")'),
    (["good.csv", "--encoding", "base64"], '--encoding: an encoding such as utf-8, gbk or gb18030 (got "base64")'),
    (["good.csv", "--encoding", "utf-16"], "good.csv: row 1 is not valid utf-16 text"),
    (["good.csv", "--encoding", "utf-8"], "good.csv: row 1 is not valid utf-8 text; give the file's encoding with --encoding"),
    (["good.csv", "--sheet", "x"], "--sheet: only a workbook (.xlsx) has sheets"),
    (["good.csv", "--on-duplicate", "replace"], '--on-duplicate: one of skip, merge, create (got "replace")'),
    (["old.xls"], "an old Excel .xls workbook; save it as .xlsx or CSV"),
    (["broken.xlsx"], "not an .xlsx workbook crmtui can read"),
])
def test_bad_input_is_one_line_naming_what_is_wrong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     args: list[str], expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    excel_csv(tmp_path / "good.csv", [GOOD[0]])
    (tmp_path / "empty.csv").write_bytes(b"\r\n")
    (tmp_path / "bad.toml").write_text('[columns]\n"客户名称" = "nom"\n', encoding="utf-8")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")

    result = fails("import", *args)

    assert expected in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


def test_other_commands_never_load_the_import_libraries(subprocess_env: dict[str, str]) -> None:
    code = ("import sys; from crmtui.cli.commands import app; "
            "print(sorted(m for m in ('openpyxl', 'vobject', 'charset_normalizer', 'crmtui.services.importing.run')"
            " if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], env=subprocess_env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_merge_of_a_row_into_a_record_made_earlier_in_the_same_file_by_its_name(tmp_path: Path, home: Path) -> None:
    sheet = tmp_path / "twice.csv"
    sheet.write_text("Company,Contact,Phone,Email,Tags\n"
                     "Initech,Peter Gibbons,+1 212 555 0100,,\n"
                     "Initech Inc.,Michael Bolton,+1 212 555 0199,info@initech.example,printer\n", encoding="utf-8")

    result = imported(str(sheet), "--on-duplicate", "merge")

    assert (result["counts"]["created"], result["counts"]["merged"]) == (1, 1)
    initech = show("Initech")
    assert (initech["email"], initech["tags"]) == ("info@initech.example", ["printer"])  # filled: it had none
    assert initech["phone"] == "+1 212 555 0100"  # kept: never overwritten
    assert sorted(c["name"] for c in initech["contacts"]) == ["Michael Bolton", "Peter Gibbons"]
    assert count(home, "customer") == 1
    assert count(home, "outbox", "record_table = 'customer' AND kind = 'update'") == 1


def test_a_rejects_file_that_cannot_be_written_stops_the_import_before_anything_is_stored(tmp_path: Path,
                                                                                          home: Path) -> None:
    sheet = excel_csv(tmp_path / "客户.csv", [GOOD[0], BAD_PHONE])

    result = fails("import", str(sheet), "--rejects", str(tmp_path / "no-such-folder" / "r.csv"))

    assert "--rejects: cannot write" in result.stderr and "nothing was imported" in result.stderr
    assert count(home, "customer") == 0 and count(home, "outbox") == 0
