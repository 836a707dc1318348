"""The import's bulk write is only faster, never different: a file imported through it gives, row for row, the book,
the search indexes, the change history and the outbox mutations (texts and stamps) that writing each record by
itself and queueing it through OutboxWriter.record gives, with the same counts, refusals and duplicate decisions.

The ids, the laptop's client id and the mutation ids are new on every run: they are compared by where they first
appear. Everything else (times, stamps, JSON texts) must be equal character for character, but for one thing: the
outbox row of a new record the bulk write queues holds its one stamp once (store.outbox.stamps_of) where
OutboxWriter.record writes it beside every field; the stamps are compared field by field, and the mutations the
server is sent (store.replica.pending_batch) must be the same.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import unicodedata
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmtui.core import normalize, pinyin
from crmtui.core.clock import Clock
from crmtui.services.context import open_context
from crmtui.services.customers import add_contact, add_customer
from crmtui.services.importing import run as import_run
from crmtui.store.bulk import _columns, new_ids
from crmtui.store.bulk import new_id as bulk_new_id
from crmtui.store.follow_ups import FollowUpRow, follow_up_values
from crmtui.store.models import new_id
from crmtui.store.outbox import stamps_of
from crmtui.store.replica import pending_batch
from crmtui.sync import client as sync
from crmtui.store.raw import to_db
from tests.conftest import ZONE

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
BOOK_TABLES = ("customer", "contact", "customer_tag", "follow_up")
SEARCH_INDEXES = ("customer_fts", "contact_fts", "customer_tag_fts", "follow_up_fts")
HEADERS = ["客户名称", "联系人", "手机", "邮箱", "微信", "地址", "行业", "来源", "标签", "备注", "职位", "生日", "下次跟进时间", "传真"]


class RowByRowWriter:
    """The reference: each staged record inserted by a statement of its own, its values converted the plain way,
    and queued through OutboxWriter.record at the moment it was made, as one service write queues it."""

    def __init__(self) -> None:
        self.staged: list[tuple[str, str, dict[str, object], datetime]] = []

    def add_values(self, model: Any, values: dict[str, object], at: datetime) -> str:
        record_id = new_id()
        self.staged.append((model.__tablename__, record_id, {name: values[name] for name in _columns(model)}, at))
        return record_id

    def add_follow_up(self, row: FollowUpRow, at: datetime) -> None:
        self.staged.append(("follow_up", row.id, follow_up_values(row, at), at))

    def __len__(self) -> int:
        return len(self.staged)

    def write(self, connection: sqlite3.Connection, outbox: Any) -> int:
        tables = ("customer", "contact", "deal", "deal_stage_change", "follow_up", "contract", "payment", "customer_tag")
        for table in tables:  # parents first, as a service's flush inserts them
            for name, record_id, values, _at in self.staged:
                if name == table:
                    connection.execute(
                        f"INSERT INTO {table} (id, {', '.join(values)}) VALUES (?{', ?' * len(values)})",
                        (record_id, *(_plain(value) for value in values.values())))
        moment = outbox.now
        for table, record_id, values, at in self.staged:
            outbox.now = at
            outbox.record("insert", table, record_id, values)
            # a bulk insert is final for its transaction: a later change of the record queues a mutation of its own
            outbox._queued.pop((table, record_id))
        outbox.now = moment
        count = len(self.staged)
        self.staged.clear()
        return count


def _plain(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sheet(path: Path) -> Path:
    """Rows of every kind the import meets: Chinese and English names, a contact, tags, notes, unknown columns,
    next dates, bad phones and emails, repeats of an earlier row, of a row's phone, of a customer in the book."""
    rows = []
    for index in range(60):
        chinese = index % 3 != 2
        company = f"北京华信{index}科技有限公司" if chinese else f"Acme {index} Ltd"
        person = ("张三", "欧阳修", "单田芳", "曾小明")[index % 4] if chinese else "Jane Doe"
        phone = f"1380013{index:04d}" if index % 17 else "12-34"
        email = f"buyer{index}@example.cn" if index % 13 else "buyer-at-example"
        rows.append([company, person, phone, email, f"wx{index}", "北京市海淀区" if chinese else "London",
                     "软件", ("展会", "官网", "转介绍")[index % 3], ("VIP，重点", "", "老客户")[index % 3],
                     ("", "对价格敏感", "")[index % 3], "总经理" if index % 2 else "", "1980-05-06" if index % 5 == 0 else "",
                     "2026-12-01" if index % 4 == 0 else "", "010-6666" if index % 6 == 0 else ""])
    rows.append(rows[3])  # the same row again
    rows.append(["上海恒通贸易有限公司", "李四", "13800130005", "", "", "上海", "", "", "", "新的备注", "", "", "", ""])  # row 5's phone
    rows.append(["北京已有客户有限公司", "王五", "13911112222", "", "", "", "", "", "补充", "", "", "", "", ""])  # in the book
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def _dump(path: Path) -> dict[str, list[str]]:
    """Every row written, in the order written, ids replaced by the order they first appear in."""
    names: dict[str, str] = {}

    def label(text: str) -> str:
        return UUID.sub(lambda m: names.setdefault(m.group(0), f"<{len(names)}>"), text)

    connection = sqlite3.connect(path)
    try:
        tables = {"outbox": [label(repr((*row[:6], json.dumps(stamps_of(row[6], row[5])), *row[7:])))
                             for row in connection.execute(
            "SELECT mutation_id, client_id, kind, record_table, record_id, changes, stamps, format_version, created_at,"
            " state, base FROM outbox ORDER BY seq")]}
        tables["pushed"] = [label(repr(mutation)) for mutation in pending_batch(connection, limit=10**6)]
        tables["stamps held once"] = [str(connection.execute(
            "SELECT count(*) FROM outbox WHERE stamps LIKE '\"%'").fetchone()[0])]
        for table in (*BOOK_TABLES, "sync_stamp"):
            tables[table] = [label(repr(row)) for row in connection.execute(f"SELECT * FROM {table} ORDER BY rowid")]
        for index in SEARCH_INDEXES:
            connection.execute(f"INSERT INTO {index} ({index}) VALUES ('integrity-check')")
            tables[index] = [label(repr(row)) for row in connection.execute(
                f"SELECT rowid, ref, body FROM {index} ORDER BY rowid")]
        if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'change_log'").fetchone():
            actions: dict[str, int] = {}  # an action's id is new on every run too
            cursor = connection.execute("SELECT * FROM change_log ORDER BY rowid")
            named = [d[0] for d in cursor.description]
            tables["change_log"] = [label(repr([
                f"action {actions.setdefault(value, len(actions))}" if name in ("action_id", "undone_by") and value
                else value for name, value in zip(named, row, strict=True)])) for row in cursor]
        tables["clock"] = [label(repr(row)) for row in connection.execute("SELECT value FROM meta WHERE key = 'hlc'")]
    finally:
        connection.close()
    tables["ids"] = list(names)
    return tables


def _import(tmp_path: Path, settings: Any, way: str, sheet: Path, policy: str,
            monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], dict[str, list[str]]]:
    path = tmp_path / f"{way}-{policy}.db"
    ctx = open_context(path, settings=settings, clock=Clock(ZONE))
    try:
        book = add_customer(ctx, "北京已有客户有限公司", phone="13911112222")
        add_contact(ctx, book.id, "赵六", email="zl@example.cn")
        with monkeypatch.context() as patch:
            patch.setattr(import_run, "BATCH", 7)  # many writes, with merges into records written in between
            if way == "row by row":
                patch.setattr(import_run, "BulkWriter", RowByRowWriter)
            dry = import_run.run_import(ctx, sheet, import_run.Options(on_duplicate=policy, dry_run=True))
            result = import_run.run_import(ctx, sheet, import_run.Options(on_duplicate=policy,
                                                                            rejects=tmp_path / f"{way}.rejects.csv"))
    finally:
        ctx.close()
    book_rows = _dump(path)
    prefixes = {record_id[:8]: f"<{index}>" for index, record_id in enumerate(book_rows.pop("ids"))}
    report = result.as_dict()
    report.pop("file"), report.pop("rejects")
    report["dry run"] = dry.as_dict()["counts"]
    # a record named in the report (a skipped or merged row's customer) by where its id first appears
    return json.loads(re.sub(r"\(([0-9a-f]{8})\)", lambda m: prefixes[m.group(1)],
                             json.dumps(report, ensure_ascii=False))), book_rows


@pytest.mark.parametrize("policy", ["skip", "merge", "create"])
def test_the_bulk_write_stores_and_queues_exactly_what_writing_each_record_by_itself_does(
        tmp_path: Path, settings: Any, policy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = _sheet(tmp_path / "客户.csv")
    bulk_report, bulk = _import(tmp_path, settings, "bulk", sheet, policy, monkeypatch)
    reference_report, reference = _import(tmp_path, settings, "row by row", sheet, policy, monkeypatch)

    assert bulk_report == reference_report
    counts = bulk_report["counts"]
    assert counts["created"] > 40 and counts["refused"] >= 6
    assert counts["skipped" if policy == "skip" else "merged" if policy == "merge" else "created"] >= 2
    # the bulk write's new records hold their stamp once (all but the merges' and rescores' ORM changes); the
    # reference, through OutboxWriter.record, none
    held_once, held_by_field = int(bulk.pop("stamps held once")[0]), int(reference.pop("stamps held once")[0])
    assert held_by_field == 0 and 100 < held_once <= len(bulk["outbox"])
    for table in bulk:
        assert bulk[table] == reference[table], table
    assert len(bulk["outbox"]) > 150 and len(bulk["customer_fts"]) > 40


def test_new_ids_are_random_version_4_uuids_as_uuid4_writes_them() -> None:
    ids = new_ids(2000)
    assert len(set(ids)) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == text
    # every variant digit uuid4 can write shows up: the bits are taken as uuid4 takes them, not fixed
    assert {text[19] for text in ids} == set("89ab")


def test_a_forked_process_makes_ids_of_its_own() -> None:
    bulk_new_id()  # ids are made ahead
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.write(write, bulk_new_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    made_by_child = os.read(read, 64).decode()
    os.close(read), os.close(write)
    assert uuid.UUID(made_by_child).version == 4
    assert made_by_child != bulk_new_id()


# ---------------------------------------------------------------- the keys' shortcuts change no key

_INVISIBLE = {0x200B: None, 0xFEFF: None, 0x2060: None}
_PIECES = ["北京", "北京市", "上海", "广西壮族自治区", "香港特别行政区", "市场", "省", "区", "有限公司", "股份有限公司", "公司", "集团",
           "Acme", " Ltd", " Co., Ltd.", "Inc.", "GmbH", "Costco", "co", "阿里巴巴", "Ltd", "张三", "欧阳修", "单田芳", "老单",
           "李Lily", "VIP", "3号", "ＡＢＣ１２３", "\u200b", "\ufeff", "\u2060", "\u3000", " ", "  ", "-", "_", ".", ",", "，",
           "（+86）", "+86 138-0013-8000", "0086", "010-12345678", "٣٤٥", "e\u0301", "𠀀", "\x00", "\n", "Ａ", "ß", "!", "♥"]


def _fold_reference(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).translate(_INVISIBLE).split())


def _name_key_reference(name: str) -> str:
    """name_key as it was written before its shortcuts: every step taken on every name."""
    text = _fold_reference(name).casefold()
    if not text:
        return ""
    if normalize.has_cjk(text):
        text = normalize._region_re().sub(r"\1", text)
    while True:
        text = normalize._strip_trailing_punct(text)
        before = text
        for suffix in normalize._CN_LEGAL:
            if text.endswith(suffix):
                if len(text) > len(suffix):
                    text = text[: -len(suffix)]
                break
        else:
            m = normalize._en_legal_re().search(text)
            if m and m.start() > 0:
                prev = text[m.start() - 1]
                if not prev.isalnum() or normalize.is_cjk_char(prev):
                    rest = normalize._strip_trailing_punct(text[: m.start()])
                    if rest:
                        text = rest
        if text == before:
            break
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def _phone_digits_reference(text: str) -> str:
    return "".join(ch if "0" <= ch <= "9" else str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def _segments_reference(text: str) -> list[tuple[bool, str]]:
    """pinyin._segments a character at a time, as it was written."""
    pieces: list[tuple[bool, str]] = []
    current: list[str] = []
    current_cjk = False
    for ch in text:
        cjk = normalize.is_cjk_char(ch)
        if not cjk and not ch.isalnum():
            if current:
                pieces.append((current_cjk, "".join(current)))
                current = []
            continue
        if current and cjk != current_cjk:
            pieces.append((current_cjk, "".join(current)))
            current = []
        current_cjk = cjk
        current.append(ch)
    if current:
        pieces.append((current_cjk, "".join(current)))
    return pieces


_TEXTS = st.one_of(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join), st.text(max_size=30))


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_the_keys_shortcuts_give_the_keys_every_step_gives(text: str) -> None:
    assert normalize.fold(text) == _fold_reference(text)
    assert normalize.name_key(text) == _name_key_reference(text)
    assert normalize.name_key(text) == _name_key_reference(text)  # the cached answer too
    assert normalize._phone_digits(text) == _phone_digits_reference(text)
    assert pinyin._segments(text) == _segments_reference(text)


@settings(max_examples=200, deadline=None)
@given(_TEXTS, st.sampled_from(["CN", "US", "GB"]))
def test_a_cached_phone_key_follows_the_phone_region_setting(text: str, region: str) -> None:
    before = normalize._phone_region
    uncached = normalize._phone_key.__wrapped__
    try:
        normalize.phone_key(text)
        normalize.set_phone_region(region)
        assert normalize.phone_key(text) == (uncached(text, region) if text else None)
        normalize.set_phone_region(before)
        assert normalize.phone_key(text) == (uncached(text, before) if text else None)
    finally:
        normalize.set_phone_region(before)


def test_an_imported_sheet_reaches_the_team_server_field_by_field_with_each_fields_stamp(tmp_path: Path,
                                                                                        team: Any) -> None:
    ann = team.add_rep("ann")
    path = tmp_path / "客户.csv"
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["客户名称", "联系人", "手机", "邮箱", "标签"])
        writer.writerow(["北京华信科技有限公司", "张三", "13800138000", "zs@huaxin.cn", "VIP"])
        writer.writerow(["Acme Ltd", "Mary Smith", "13900139000", "", ""])
    result = import_run.run_import(ann, path, import_run.Options())
    assert (result.created, result.contacts) == (2, 2)
    with sqlite3.connect(ann.db.path) as connection:
        held_once = connection.execute("SELECT count(*) FROM outbox WHERE stamps LIKE '\"%'").fetchone()[0]
        local = {record_id: json.loads(stamps) for record_id, stamps in connection.execute(
            "SELECT record_id, stamps FROM sync_stamp WHERE record_table = 'customer'")}
    assert held_once == 5  # 2 customers, 2 contacts, 1 tag: each outbox row holds its one stamp

    report = sync.sync_round(ann)

    assert report.rejected == 0 and report.pushed == 5
    customers = {row["name"]: row for row in team.server_rows("customer")}
    huaxin = customers["北京华信科技有限公司"]
    assert (huaxin["phone"], huaxin["email"], huaxin["tier"]) == ("13800138000", "zs@huaxin.cn", "C")
    assert {row["name"] for row in team.server_rows("contact")} == {"张三", "Mary Smith"}
    assert [row["tag"] for row in team.server_rows("customer_tag")] == ["VIP"]
    # the server holds a stamp for each field, the one the laptop stamped it with (the insert's one stamp)
    stamps = huaxin["stamps"]
    assert stamps["name"] == stamps["phone"] == stamps["tier"] == local[huaxin["id"]]["phone"]
    assert set(local[huaxin["id"]]) <= set(stamps)
