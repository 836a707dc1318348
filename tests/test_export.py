"""`crm export`: each format read back with the library a rep's other tools use (Excel's utf-8-sig decoding, openpyxl,
vobject, json, icalendar), on a real SQLite book made through the services."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import icalendar
import openpyxl
import pytest
import vobject

from crmtui.core.errors import CrmError, InvalidInput
from crmtui.services.customers import add_contact, add_customer
from crmtui.services.deals import PaymentPlan, add_deal, move_stage
from crmtui.services.exporting import check_request, choose_format, export
from crmtui.services.exporting.csv_file import cell
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.personal_data import edit_personal

from .conftest import ZONE


@pytest.fixture
def book(ctx):
    """A company with a contact (birthday, WeChat, decision maker), a person customer, a won deal with a contract
    and two instalments, and a follow-up planning the next one."""
    acme = add_customer(ctx, "深圳盛世制造有限公司", phone="13800138000", email="info@shengshi.cn", wechat="wx_ss",
                        industry="制造", region="深圳", tags=["VIP", "续约"])
    contact = add_contact(ctx, acme.id, "焦霞", title="技术总监", phone="13911112222", email="jx@shengshi.cn",
                          wechat="wx_jiaoxia", decision_maker=True, birthday="1985-12-03")
    person = add_customer(ctx, "张三", kind="person", company="蓝海食品", phone="13700001111", email="zs@example.cn")
    deal = add_deal(ctx, acme.id, "ERP 模块", amount="155000.50", close="2026-12-31")
    move_stage(ctx, deal.id, "quote", amount="155000.50")
    move_stage(ctx, deal.id, "won", contract_no="HT-1", amount="155000.50", signed="today", end="2027-11-23",
               payments=[PaymentPlan("55000.50", "2026-12-31"), PaymentPlan("100000", "2027-03-31")])
    log_follow_up(ctx, acme.id, channel="visit", goal="续约", goal_met=True, notes="谈了续约", next_plan="送合同",
                  next_at="2026-11-27 15:00", contact_id=contact.id)
    return {"acme": acme, "contact": contact, "person": person, "deal": deal}


def test_a_csv_starts_with_the_bom_and_reads_back_in_chinese_as_excel_decodes_it(ctx, book, tmp_path: Path):
    target = tmp_path / "客户.csv"
    assert export(ctx, "customers", "csv", target) == {"customers": 2}
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with it
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF rows, as Excel writes them
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    acme = next(row for row in rows if row["id"] == book["acme"].id)
    assert (acme["customer"], acme["industry"], acme["tags"], acme["phone"]) == ("深圳盛世制造有限公司", "制造",
                                                                               "VIP, 续约", "13800138000")
    assert acme["next follow-up"] == "2026-11-27 15:00"  # the rep's zone (Shanghai), as Excel reads a date-time
    assert next(row for row in rows if row["id"] == book["person"].id)["type"] == "person"


def test_a_csv_of_deals_writes_amounts_as_plain_decimals(ctx, book, tmp_path: Path):
    target = tmp_path / "deals.csv"
    export(ctx, "deals", "csv", target)
    (deal,) = csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline=""))
    assert (deal["title"], deal["stage"], deal["amount"], deal["expected close"]) == ("ERP 模块", "won", "155000.50",
                                                                                     "2026-12-31")


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("@SUM(A1)", "'@SUM(A1)"), ("-2+3+cmd", "'-2+3+cmd"),
    ("+86 138 0013 8000", "+86 138 0013 8000"), ("-12.5", "-12.5"), ("王五", "王五")])
def test_a_csv_cell_that_excel_would_run_as_a_formula_is_written_as_text(value, written):
    assert cell(value) == written


def test_an_xlsx_has_numbers_amounts_and_dates_as_typed_cells(ctx, book, tmp_path: Path):
    target = tmp_path / "book.xlsx"
    counts = export(ctx, "all", "xlsx", target)
    assert counts == {"customers": 2, "contacts": 1, "deals": 1, "follow-ups": 1}
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["customers", "contacts", "deals", "follow-ups"]
    deals = workbook["deals"]
    header = [c.value for c in deals[1]]
    row = {name: c for name, c in zip(header, deals[2], strict=True)}
    assert row["amount"].data_type == "n" and row["amount"].value == pytest.approx(155000.5)
    assert row["amount"].number_format == "#,##0.00"
    assert row["probability"].data_type == "n" and row["probability"].value == 100
    assert row["expected close"].is_date and row["expected close"].value == datetime(2026, 12, 31)
    assert row["created"].is_date and row["created"].value == datetime(2026, 11, 24, 10, 0)  # Shanghai time
    contacts = workbook["contacts"]
    header = [c.value for c in contacts[1]]
    contact = {name: c for name, c in zip(header, contacts[2], strict=True)}
    assert contact["phone"].data_type == "s" and contact["phone"].value == "13911112222"  # a phone stays text
    assert contact["birthday"].is_date and contact["decision maker"].value is True


def test_an_xlsx_keeps_a_text_starting_with_equals_as_text(ctx, tmp_path: Path):
    add_customer(ctx, "=1+1 Trading")
    target = tmp_path / "c.xlsx"
    export(ctx, "customers", "xlsx", target)
    sheet = openpyxl.load_workbook(target)["customers"]
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("=1+1 Trading", "s")


def test_a_vcard_of_contacts_reads_back_with_phones_emails_org_title_birthday_and_wechat(ctx, book, tmp_path: Path):
    target = tmp_path / "contacts.vcf"
    assert export(ctx, "contacts", "vcf", target) == {"contacts": 1}
    (card,) = vobject.readComponents(target.read_text(encoding="utf-8"))
    assert card.version.value == "3.0"
    assert card.fn.value == "焦霞"
    assert [tel.value for tel in card.contents["tel"]] == ["13911112222"]
    assert [email.value for email in card.contents["email"]] == ["jx@shengshi.cn"]
    assert card.org.value == ["深圳盛世制造有限公司"]
    assert (card.title.value, card.bday.value, card.contents["x-wechat"][0].value) == ("技术总监", "1985-12-03",
                                                                                      "wx_jiaoxia")
    assert card.uid.value == f"{book['contact'].id}@crmtui"


def test_a_vcard_of_customers_holds_the_people_only(ctx, book, tmp_path: Path):
    target = tmp_path / "people.vcf"
    assert export(ctx, "customers", "vcf", target) == {"customers": 1}
    (card,) = vobject.readComponents(target.read_text(encoding="utf-8"))
    assert (card.fn.value, card.org.value, card.tel.value, card.email.value) == ("张三", ["蓝海食品"], "13700001111",
                                                                                "zs@example.cn")


def test_json_lines_of_all_give_every_kind_with_a_kind_key(ctx, book, tmp_path: Path):
    target = tmp_path / "all.jsonl"
    export(ctx, "all", "json", target)
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["kind"] for line in lines] == ["customers", "customers", "contacts", "deals", "follow-ups"]
    deal = next(line for line in lines if line["kind"] == "deals")
    assert (deal["amount"], deal["expected close"], deal["probability"]) == (155000.5, "2026-12-31", 100)
    follow_up = lines[-1]
    assert follow_up["next follow-up"] == "2026-11-27T15:00:00+08:00" and follow_up["contact"] == "焦霞"
    assert follow_up["goal met"] is True


def test_json_lines_to_standard_output_hold_one_kind_without_a_kind_key(ctx, book):
    out = io.StringIO()
    assert export(ctx, "contacts", "json", None, out) == {"contacts": 1}
    (line,) = out.getvalue().splitlines()
    assert json.loads(line)["name"] == "焦霞" and "kind" not in json.loads(line)


def _events(path: Path) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_calendar_reads_back_with_its_events_in_the_reps_zone(ctx, book, tmp_path: Path):
    target = tmp_path / "crm.ics"
    assert export(ctx, "ics", "ics", target) == {"ics": 5}
    events = _events(target)
    follow_up = events[f"follow-up-{book['acme'].id}@crmtui"]
    start = follow_up.decoded("dtstart")
    assert start == datetime(2026, 11, 27, 15, 0, tzinfo=ZONE)
    assert str(follow_up["dtstart"].params["TZID"]) == "Asia/Shanghai"
    assert "深圳盛世制造有限公司" in str(follow_up["summary"]) and "送合同" in str(follow_up["summary"])
    summaries = sorted(str(event["summary"]) for uid, event in events.items() if not uid.startswith("follow-up"))
    assert any("HT-1" in text and "ends" in text for text in summaries)  # the renewal
    assert sum("Payment due" in text for text in summaries) == 2
    birthday = next(event for uid, event in events.items() if uid.startswith("birthday-"))
    assert birthday.decoded("dtstart") == date(1985, 12, 3) and birthday["rrule"]["FREQ"] == ["YEARLY"]


def test_calendar_uids_are_unique_and_stay_the_same_when_exported_again_after_a_change(ctx, book, tmp_path: Path,
                                                                                       frozen):
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    export(ctx, "ics", "ics", first)
    frozen.move_to(datetime(2026, 11, 25, 9, 0, tzinfo=ZONE))
    log_follow_up(ctx, book["acme"].id, channel="phone", goal="约时间", goal_met=True, notes="约好了",
                  next_plan="签合同", next_at="2026-12-02 10:00")
    export(ctx, "ics", "ics", second)
    before, after = _events(first), _events(second)
    raw = icalendar.Calendar.from_ical(second.read_bytes()).walk("VEVENT")
    assert len(raw) == len(after) == len(before)  # unique: no UID twice
    assert set(after) == set(before)  # the moved follow-up is the same event, updated
    moved = after[f"follow-up-{book['acme'].id}@crmtui"]
    assert moved.decoded("dtstart") == datetime(2026, 12, 2, 10, 0, tzinfo=ZONE) and "签合同" in str(moved["summary"])


def test_a_refused_request_says_why_in_one_line(tmp_path: Path):
    with pytest.raises(InvalidInput, match="kind: one of customers"):
        check_request("leads", "csv", None)
    with pytest.raises(InvalidInput, match="format: one of csv, xlsx, vcf, json"):
        choose_format("deals", "xml", None)
    with pytest.raises(CrmError, match="vCard holds people"):
        check_request("deals", "vcf", None)
    with pytest.raises(CrmError, match="a CSV file holds one kind"):
        check_request("all", "csv", tmp_path / "x.csv")
    with pytest.raises(CrmError, match="XLSX workbook cannot go to the terminal"):
        check_request("deals", "xlsx", None)
    with pytest.raises(CrmError, match="does not exist"):
        check_request("deals", "csv", tmp_path / "missing" / "x.csv")
    with pytest.raises(CrmError, match="is a folder"):
        check_request("deals", "csv", tmp_path)
    assert [choose_format("deals", None, Path(name)) for name in ("a.XLSX", "a.jsonl", "a.vcf", "a.txt", "a")] == [
        "xlsx", "json", "vcf", "csv", "csv"]


def test_a_failed_export_leaves_the_existing_file_as_it_was_and_no_temporary_file(ctx, book, tmp_path: Path,
                                                                                  monkeypatch):
    target = tmp_path / "deals.csv"
    target.write_text("old", encoding="utf-8")

    def broken(*_args):
        yield (None,) * 17  # a row of the deals' columns
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("crmtui.services.exporting.records", broken)
    with pytest.raises(CrmError, match="No space left on device"):
        export(ctx, "deals", "csv", target)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deals.csv", "home"]


def test_an_exported_file_gets_the_usual_permissions_not_the_owner_only_ones(ctx, book, tmp_path: Path):
    target = tmp_path / "c.csv"
    export(ctx, "customers", "csv", target)
    assert target.stat().st_mode & 0o044  # readable by the group or others under the usual umask 022



def test_a_vcard_with_separators_line_breaks_and_a_long_chinese_note_reads_back_exactly(ctx, tmp_path: Path):
    interest = "年度维保服务；含上门巡检、备件更换，以及7×24小时热线支持。" * 4  # long: folded across lines
    add_customer(ctx, "Doe; John, Jr.\\", kind="person", company="A;B,C", phone="13700001111", interest=interest,
                 tags=["VIP", "a,b"])
    target = tmp_path / "people.vcf"
    export(ctx, "customers", "vcf", target)
    raw = target.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded at 75 octets
    raw.decode("utf-8")  # never folded inside a character
    (card,) = vobject.readComponents(raw.decode("utf-8"))
    assert card.fn.value == "Doe; John, Jr.\\"
    assert card.org.value == ["A;B,C"]
    assert card.note.value == f"interest: {interest}"
    assert card.categories.value == ["VIP", "a,b"]


def test_control_characters_pasted_into_a_name_are_written_as_visible_escapes_in_xlsx_and_vcard(ctx, tmp_path: Path):
    add_customer(ctx, "Acme\x1b[31m\x07 Ltd", kind="person", phone="13700001111")
    export(ctx, "customers", "xlsx", tmp_path / "c.xlsx")  # openpyxl refuses control characters outright
    assert openpyxl.load_workbook(tmp_path / "c.xlsx")["customers"]["B2"].value == "Acme\\x1b[31m\\x07 Ltd"
    export(ctx, "customers", "vcf", tmp_path / "c.vcf")
    (card,) = vobject.readComponents((tmp_path / "c.vcf").read_text(encoding="utf-8"))
    assert card.fn.value == "Acme\\x1b[31m\\x07 Ltd"


def test_the_calendar_on_standard_output_reads_back(ctx, book):
    out = io.StringIO()
    assert export(ctx, "ics", "ics", None, out) == {"ics": 5}
    calendar = icalendar.Calendar.from_ical(out.getvalue())
    assert len(calendar.walk("VEVENT")) == 5 and calendar.walk("VTIMEZONE")[0]["tzid"] == "Asia/Shanghai"


def test_the_calendar_leaves_out_whoever_asked_not_to_be_contacted(ctx, book, tmp_path: Path):
    person = add_customer(ctx, "李四", kind="person", phone="13700002222")
    deal = add_deal(ctx, person.id, "年度服务", amount="20000", close="2026-12-31")
    move_stage(ctx, deal.id, "quote", amount="20000")
    move_stage(ctx, deal.id, "won", contract_no="HT-LS", amount="20000", signed="today", end="2027-11-23",
               payments=[PaymentPlan("20000", "2027-01-31")])
    before = tmp_path / "before.ics"
    export(ctx, "ics", "ics", before)
    assert any("HT-LS" in str(event["summary"]) for event in _events(before).values())
    edit_personal(ctx, "contact", book["contact"].id, {"do_not_contact": True})
    edit_personal(ctx, "customer", person.id, {"do_not_contact": True})
    after = tmp_path / "after.ics"
    export(ctx, "ics", "ics", after)
    events = _events(after)
    assert not [uid for uid in events if uid.startswith("birthday-")]  # 焦霞's birthday is no reason to call
    assert not [event for event in events.values() if "HT-LS" in str(event["summary"])]  # nor 李四's renewal, payment
    assert any("HT-1" in str(event["summary"]) for event in events.values())  # the company's stay
