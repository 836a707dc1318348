"""`crm import` of people: an iPhone's vCard 3.0, an Android phone's vCard 2.1 with QUOTED-PRINTABLE Chinese names,
a vCard 4.0, and the CSV layouts of Google Contacts and Outlook. Each file is made here as those tools write it."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

from tests.test_cli import listed, ok, show


def imported(*args: str) -> dict:
    return json.loads(ok("import", *args, "--json").stdout)


def qp(text: str) -> str:
    """Text as an Android phone writes a QUOTED-PRINTABLE value: each UTF-8 byte as =XX, a soft line break (=CRLF)
    before a line would pass 75 characters, never inside an escape."""
    escapes = [f"={byte:02X}" for byte in text.encode("utf-8")]
    lines, line = [], ""
    for escape in escapes:
        if len(line) + len(escape) > 72:
            lines.append(line)
            line = ""
        line += escape
    return "=\r\n".join([*lines, line])


PHOTO = base64.b64encode(bytes(range(256)) * 8).decode("ascii")


def android_vcf(path: Path) -> Path:
    """Two cards as Android's Contacts app exports them (vCard 2.1): QUOTED-PRINTABLE UTF-8 names and company,
    TEL;CELL and TEL;HOME, a base64 photo folded over lines and ended by a blank line."""
    photo = "\r\n ".join(PHOTO[i:i + 76] for i in range(0, len(PHOTO), 76))
    cards = [
        "BEGIN:VCARD", "VERSION:2.1",
        f"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('王')};{qp('芳')};;;",
        f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('王芳')}",
        "TEL;HOME:021-5555-6666",
        "TEL;CELL:138-1111-2222",
        "EMAIL;HOME:wangfang@example.cn",
        f"ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('上海恒通国际贸易集团股份有限公司华东区销售中心')}",
        f"TITLE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('采购经理')}",
        f"PHOTO;ENCODING=BASE64;JPEG:{photo}", "",
        "END:VCARD",
        "BEGIN:VCARD", "VERSION:2.1",
        f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('老刘')}",
        "TEL;CELL:13922223333",
        f"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('展会认识，做外贸')}",
        "END:VCARD",
    ]
    path.write_bytes(("\r\n".join(cards) + "\r\n").encode("ascii"))
    return path


def iphone_vcf(path: Path) -> Path:
    """Cards as an iPhone shares them (vCard 3.0): TYPE params, ORG with a department, a folded NOTE with an
    escaped comma, BDAY, an X- field, item-grouped labels, a PHOTO."""
    photo = "\r\n ".join(PHOTO[i:i + 74] for i in range(0, len(PHOTO), 74))
    cards = [
        "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.1//EN",
        "N:Doe;Jane;;;", "FN:Jane Doe", "ORG:Acme Analytics;Sales;", "TITLE:CTO",
        "EMAIL;type=INTERNET;type=WORK;type=pref:jane@acme.example",
        "TEL;type=WORK;type=VOICE:+86 10 8888 6666",
        "TEL;type=CELL;type=VOICE;type=pref:+86 139 0000 1111",
        "item1.X-ABDATE;type=pref:2020-01-01", "item1.X-ABLabel:_$!<Anniversary>!$_",
        "X-WECHAT:jane_wx", "BDAY;value=date:1985-03-12",
        "NOTE:Met at the Shanghai fair\\, wants 20 seats for the sales te\r\n am",
        f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}",
        "END:VCARD",
        "BEGIN:VCARD", "VERSION:3.0", "N:Doe;John;;;", "FN:John Doe", "ORG:Acme Analytics;",
        "TEL;type=CELL:+86 139 0000 2222", "END:VCARD",
    ]
    path.write_bytes(("\r\n".join(cards) + "\r\n").encode("utf-8"))
    return path


def test_an_iphone_vcard_imports_contacts_at_their_company_with_the_mobile_first(tmp_path: Path) -> None:
    result = imported(str(iphone_vcf(tmp_path / "contacts.vcf")))

    assert result["kind"] == "contacts"
    assert result["counts"]["created"] == 2 and result["counts"]["customers"] == 1  # one company for both
    acme = show("Acme Analytics")
    people = {c["name"]: c for c in acme["contacts"]}
    jane = people["Jane Doe"]
    assert (jane["title"], jane["phone"], jane["email"]) == ("CTO", "+86 139 0000 1111", "jane@acme.example")
    assert (jane["wechat"], jane["birthday"]) == ("jane_wx", "1985-03-12")
    note = acme["notes"]
    assert "Met at the Shanghai fair, wants 20 seats for the sales team" in note  # unfolded, unescaped
    assert "TEL 2: +86 10 8888 6666" in note  # the second number kept
    assert PHOTO[:20] not in note
    assert people["John Doe"]["phone"] == "+86 139 0000 2222"


def test_an_android_vcard_21_reads_quoted_printable_chinese_and_drops_the_photo(tmp_path: Path) -> None:
    path = android_vcf(tmp_path / "00001.vcf")
    assert "=E7=8E=8B" in path.read_text(encoding="ascii")

    result = imported(str(path))

    assert result["counts"]["refused"] == 0 and result["counts"]["created"] == 2
    company = show("上海恒通国际贸易集团股份有限公司华东区销售中心")
    [wang] = company["contacts"]
    assert (wang["name"], wang["title"], wang["phone"]) == ("王芳", "采购经理", "138-1111-2222")
    # a card without a company: the person is a customer of their own
    liu = show("老刘")
    assert liu["kind"] == "person" and liu["phone"] == "13922223333"
    assert "展会认识，做外贸" in liu["notes"]


def test_the_same_phone_export_twice_adds_nobody(tmp_path: Path, home: Path) -> None:
    path = android_vcf(tmp_path / "00001.vcf")
    imported(str(path))
    again = imported(str(path))
    assert again["counts"]["created"] == 0 and again["counts"]["skipped"] == 2
    with sqlite3.connect(home / "data" / "crm.db") as connection:
        assert connection.execute("SELECT count(*) FROM contact").fetchone()[0] == 1


def test_a_vcard_40_with_tel_uris_and_a_yearless_birthday(tmp_path: Path) -> None:
    path = tmp_path / "v4.vcf"
    path.write_text("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:赵磊\r\nORG:深圳瑞达制造有限公司\r\n"
                    "TEL;TYPE=cell;VALUE=uri:tel:+86-137-0000-1234\r\nBDAY:--0412\r\nEND:VCARD\r\n", encoding="utf-8")

    imported(str(path))

    [zhao] = show("深圳瑞达")["contacts"]
    assert zhao["phone"] == "+86-137-0000-1234"
    assert zhao["birthday"].endswith("-04-12")


def test_a_malformed_card_is_refused_by_number_and_written_back_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "mixed.vcf"
    path.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Good One\r\nTEL:13800001111\r\nEND:VCARD\r\n"
                    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad Phone\r\nTEL:call me\r\nEND:VCARD\r\n", encoding="utf-8")

    result = imported(str(path))

    assert [(r["row"], r["column"]) for r in result["refused"]] == [(2, "TEL")]
    rejects = (tmp_path / "mixed.rejects.vcf").read_text(encoding="utf-8")
    assert rejects.count("BEGIN:VCARD") == 1 and "FN:Bad Phone" in rejects
    assert "X-IMPORT-ERROR:TEL: phone: a phone number like +86 138 0013 8000 (got \"call me\")" in rejects


def test_a_card_that_never_ends_is_refused_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "cut.vcf"  # the second card has no END (a copy cut short), nor has the last
    path.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Good One\r\nTEL:13800001111\r\nEND:VCARD\r\n"
                    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Half Card\r\n"
                    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Short\r\nTEL:13800002222\r\n", encoding="utf-8")

    result = imported(str(path))

    assert result["counts"]["created"] == 1
    assert [r["row"] for r in result["refused"]] == [2, 3]
    assert all("no END:VCARD" in r["reason"] for r in result["refused"]), result["refused"]
    rejects = (tmp_path / "cut.rejects.vcf").read_text(encoding="utf-8")
    assert "FN:Half Card" in rejects and "FN:Cut Short" in rejects


GOOGLE_HEADERS = ("First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Last Name,Nickname,File As,"
                  "Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,"
                  "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,"
                  "Address 1 - Label,Address 1 - Formatted,Address 1 - City")


def test_a_google_contacts_export_maps_its_layout(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        GOOGLE_HEADERS + "\n"
        "Mei,,Chen,,,,,Blue Sky Foods,Buyer,Purchasing,1990-07-01,Prefers WeChat,https://lh3.googleusercontent.com/x,"
        "* myContacts ::: Clients,Work,mei@bluesky.example,Mobile,+86 135 1234 5678,Work,021 6000 0000,"
        "Work,\"88 Nanjing Rd, Shanghai\",Shanghai\n", encoding="utf-8")

    result = imported(str(path), "--kind", "contacts")

    columns = result["columns"]
    assert columns["Organization Name"] == "customer" and columns["Organization Title"] == "title"
    assert columns["Phone 1 - Value"] == "phone" and columns["E-mail 1 - Value"] == "email"
    assert columns["Phone 1 - Label"] == "ignore" and columns["Photo"] == "ignore"
    assert result["unknown_columns"] == ["Middle Name", "Organization Department"] or \
        set(result["unknown_columns"]) <= {"Middle Name", "Organization Department"}
    customer = show("Blue Sky Foods")
    [mei] = customer["contacts"]
    assert (mei["name"], mei["title"], mei["phone"], mei["birthday"]) == ("Mei Chen", "Buyer", "+86 135 1234 5678",
                                                                         "1990-07-01")
    assert customer["tags"] == ["Clients"]
    assert "Phone 2 - Value: 021 6000 0000" in customer["notes"]


def test_an_outlook_export_takes_job_title_not_the_courtesy_title(tmp_path: Path) -> None:
    path = tmp_path / "outlook.csv"
    path.write_text(
        "First Name,Middle Name,Last Name,Title,Suffix,Company,Department,Job Title,Business City,Business Phone,"
        "Home Phone,Mobile Phone,E-mail Address,E-mail Type,E-mail Display Name,Birthday,Notes,Categories\n"
        "Tom,,Baker,Mr.,,Northwind Traders,IT,IT Manager,Singapore,+65 6123 4567,,+65 9123 4567,"
        "tom@northwind.example,SMTP,Tom Baker (tom@northwind.example),0/0/00,Renewal in March,Key accounts\n",
        encoding="utf-8")

    result = imported(str(path), "--kind", "contacts")

    assert result["columns"]["Job Title"] == "title" and result["columns"]["Title"] == "note"
    assert result["counts"]["refused"] == 0  # Outlook's empty birthday (0/0/00) is no birthday
    customer = show("Northwind Traders")
    [tom] = customer["contacts"]
    assert (tom["name"], tom["title"], tom["phone"]) == ("Tom Baker", "IT Manager", "+65 6123 4567")
    notes = customer["notes"]
    assert "Title: Mr." in notes and "Mobile Phone: +65 9123 4567" in notes


def test_a_generic_name_company_phone_email_sheet_as_customers_lists_companies_with_their_contact(
        tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Name,Company,Phone,Email\nAda Lovelace,Analytical Engines,+44 20 7000 0000,ada@engines.example\n",
                    encoding="utf-8")

    imported(str(path))

    [customer] = listed("customers")
    assert customer["name"] == "Analytical Engines"
    assert show("Analytical Engines")["contacts"][0]["name"] == "Ada Lovelace"


def test_google_contacts_older_layout_with_name_and_its_parts(tmp_path: Path) -> None:
    path = tmp_path / "google.csv"
    path.write_text(
        "Name,Given Name,Additional Name,Family Name,Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,"
        "Phone 1 - Value,Organization 1 - Type,Organization 1 - Name,Organization 1 - Title\n"
        "Mei Chen,Mei,,Chen,* myContacts ::: Clients,* Work,mei@bluesky.example,Mobile,+86 135 1234 5678,,"
        "Blue Sky Foods,Buyer\n", encoding="utf-8")

    result = imported(str(path), "--kind", "contacts")

    assert result["columns"]["Organization 1 - Name"] == "customer" and result["columns"]["E-mail 1 - Type"] == "ignore"
    customer = show("Blue Sky Foods")
    [mei] = customer["contacts"]
    assert (mei["name"], mei["title"], mei["email"]) == ("Mei Chen", "Buyer", "mei@bluesky.example")
    assert customer["tags"] == ["Clients"] and customer["notes"] is None  # the name's parts are no note
