"""What an import adds to a customer's notes: never cut without a word (a row that would make them longer than
`crm edit --notes` takes is refused, naming the column and the limit), never added twice, and a dry run with
`--on-duplicate merge` counting what the real run does."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from crmtui.services.context import Context
from crmtui.services.customers import add_customer, edit_customer
from crmtui.services.fields import TEXT_MAX
from tests.test_cli import fails, ok, show


def write_csv(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def imported(*args: str) -> dict:
    return json.loads(ok("import", *args, "--json").stdout)


def test_notes_longer_than_crm_edit_takes_refuse_the_row_naming_column_and_limit(tmp_path: Path,
                                                                              ctx: Context) -> None:
    long = "长" * (TEXT_MAX + 1)
    refused = fails("edit", add_customer(ctx, "Initech").id, "--notes", long)
    assert f"at most {TEXT_MAX} characters" in refused.stderr
    sheet = write_csv(tmp_path / "客户.csv", ["客户名称", "备注"], [["Acme", long], ["Globex", "短"]])
    result = imported(str(sheet))
    assert result["counts"]["created"] == 1
    [refusal] = result["refused"]
    assert (refusal["row"], refusal["column"]) == (2, "备注") and f"at most {TEXT_MAX} characters" in refusal["reason"]
    # notes added to a customer of the book: counted with what it holds
    edit_customer(ctx, show("Globex")["id"], {"notes": "x" * (TEXT_MAX - 5)})
    more = write_csv(tmp_path / "more.csv", ["客户名称", "备注"], [["Globex", "a longer note"]])
    merged = imported(str(more), "--on-duplicate", "merge")
    assert merged["counts"]["refused"] == 1 and len(show("Globex")["notes"]) == TEXT_MAX - 5
    calls = write_csv(tmp_path / "calls.csv", ["customer", "time", "channel", "notes"],
                      [["Acme2", "2026-10-01", "call", long]])
    assert imported(str(calls), "--kind", "follow-ups")["refused"][0]["column"] == "notes"
    deals = write_csv(tmp_path / "deals.csv", ["customer", "title", "memo"], [["Globex", "Pumps", "m" * 10]])
    assert "at most" in imported(str(deals), "--kind", "deals")["refused"][0]["reason"]


def test_the_same_note_for_one_customer_is_added_once(tmp_path: Path, ctx: Context) -> None:
    add_customer(ctx, "Acme")
    contacts = write_csv(tmp_path / "contacts.csv", ["Name", "Company", "Phone", "Notes"], [
        ["Ann", "Acme", "13800138000", "met at the fair"], ["Bob", "Acme", "13900139000", "met at the fair"]])
    assert imported(str(contacts), "--kind", "contacts")["counts"]["created"] == 2
    assert show("Acme")["notes"] == "met at the fair"


def test_a_dry_run_with_merge_counts_the_contact_a_merge_adds_to_a_customer_of_the_book(tmp_path: Path,
                                                                                      ctx: Context) -> None:
    add_customer(ctx, "Acme")
    sheet = write_csv(tmp_path / "客户.csv", ["客户名称", "联系人", "手机"], [["Acme", "张三", "13800138000"]])
    dry = imported(str(sheet), "--on-duplicate", "merge", "--dry-run")
    real = imported(str(sheet), "--on-duplicate", "merge")
    assert real["counts"]["contacts"] == 1 and dry["counts"] == real["counts"]


def test_a_row_of_bad_bytes_is_refused_by_its_own_number_and_goes_to_the_rejects_file_as_it_was(
        tmp_path: Path) -> None:
    lines = [b"Company,Phone\r\n"] + [f"Firm {n},1380013{n:04d}\r\n".encode() for n in range(2, 100)]
    lines[61] = b"Bad \xff\xfe Firm,13800139999\r\n"  # row 62 as a spreadsheet shows it
    path = tmp_path / "firms.csv"
    path.write_bytes(b"".join(lines))
    result = json.loads(ok("import", str(path), "--encoding", "utf-8", "--json").stdout)
    assert result["counts"]["created"] == 97
    [refusal] = result["refused"]
    assert refusal["row"] == 62 and "not valid utf-8 text" in refusal["reason"]
    rejects = (tmp_path / "firms.rejects.csv").read_bytes()
    assert b"Bad \xff\xfe Firm,13800139999," in rejects
    # guessed from the file's first 64 KiB, a bad row after them means the guess was wrong: the file is refused
    # naming that row
    big = tmp_path / "big.csv"
    big.write_bytes(b"".join([b"Company,Phone\r\n", *(f"Firm {n},1380{n:07d}\r\n".encode() for n in range(2, 4000)),
                              b"Bad \xff Firm,13800139999\r\n"]))
    assert "big.csv: row 4000 is not valid utf-8 text" in fails("import", str(big), "--dry-run").stderr


def test_a_cut_off_or_overlong_mobile_and_a_short_code_are_refused_by_import_and_crm_add_alike(
        tmp_path: Path) -> None:
    bad = ["1380013", "138001380001", "12345"]
    sheet = write_csv(tmp_path / "客户.csv", ["客户名称", "手机"],
                      [[f"Firm {n}", phone] for n, phone in enumerate([*bad, "13800138000", "010-12345678"])])
    result = imported(str(sheet))
    assert result["counts"]["created"] == 2
    assert [(r["row"], r["column"], r["reason"]) for r in result["refused"]] == [
        (row, "手机", f'phone: a phone number like +86 138 0013 8000 (got "{phone}")')
        for row, phone in zip((2, 3, 4), bad, strict=True)]
    for phone in bad:
        assert f'(got "{phone}")' in fails("add", "customer", "Other", "--phone", phone).stderr
    ok("add", "customer", "Abroad", "--phone", "+1 555 0100")
