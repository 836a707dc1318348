"""The header row of a sheet found below a title row (2026年客户名单, merged across) or a row of group headers
(客户信息 | 联系方式), as Chinese Excel lists often have them; `--header-row N` forcing it; and a sheet with no column
for a name refused once, naming the headers read, rather than every row."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import fails, ok, show


def imported(*args: str) -> dict:
    return json.loads(ok("import", *args, "--json").stdout)


def test_a_title_row_and_group_headers_above_the_header_are_passed_over(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["2026年客户名单"])
    sheet.merge_cells("A1:C1")
    sheet.append(["客户信息", None, "联系方式"])
    sheet.append(["客户名称", "联系人", "手机"])
    sheet.append(["杭州云帆物流有限公司", "陈静", "13812345678"])
    book.save(tmp_path / "客户.xlsx")
    result = imported(str(tmp_path / "客户.xlsx"))
    assert result["counts"]["created"] == 1 and result["refused"] == []
    assert show("杭州云帆物流")["phone"] == "13812345678"

    csv_file = tmp_path / "名单.csv"
    csv_file.write_text("2026年客户名单,,\n客户名称,联系人,手机\n上海恒通贸易,李四,13900001111\n", encoding="utf-8")
    assert imported(str(csv_file))["counts"]["created"] == 1 and show("上海恒通贸易")["phone"] == "13900001111"


def test_header_row_forces_the_row_and_no_name_column_is_said_once(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Our list,,\nShop,Mobile,Email\nAcme,13800138000,a@acme.cn\nGlobex,13900139000,b@globex.cn\n", encoding="utf-8")
    refused = fails("import", str(path), "--dry-run")
    assert refused.stderr.count("\n") == 1
    assert "no column for the customer's name; headers read from row 2: Shop, Mobile, Email; use --map COLUMN=name" \
        in refused.stderr
    result = imported(str(path), "--map", "Shop=name", "--header-row", "2")
    assert result["counts"]["created"] == 2 and show("Acme")["phone"] == "13800138000"
    assert "--header-row: row 9 of" in fails("import", str(path), "--header-row", "9").stderr
