"""Upgrading an existing file: migration 0004 re-keys phones (E.164) and back-fills the wider search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crmtui.core.clock import Clock
from crmtui.services.context import Context
from crmtui.services.search import search
from crmtui.store.db import SCHEMA_HEAD, Database, current_revision, open_database
from crmtui.store.migrate import upgrade

from .conftest import ZONE

STAMP = "'2026-01-01 00:00:00.000000'"


def _file_at_0003(path: Path) -> None:
    """A file as crmtui wrote it before 0004: digits-only phone keys, deals, a contract, a tag, a titled contact."""
    old = Database(path)
    upgrade(old.engine, "0003")
    old.close()
    with sqlite3.connect(path) as raw:
        common = f"{STAMP}, {STAMP}"
        raw.execute(
            "INSERT INTO customer (id, created_at, updated_at, name, name_key, pinyin, kind, status, tier, score,"
            f" phone, phone_key, region) VALUES ('c1', {common}, 'Acme', 'acme', '', 'company', 'customer', 'B', 0,"
            " '+86 138 0013 8000', '13800138000', '北京')")
        raw.execute(
            "INSERT INTO customer (id, created_at, updated_at, name, name_key, pinyin, kind, status, tier, score,"
            f" phone, phone_key) VALUES ('c2', {common}, 'Globex', 'globex', '', 'company', 'lead', 'C', 0,"
            " 'ext 12345', '12345')")
        raw.execute(
            "INSERT INTO contact (id, created_at, updated_at, customer_id, name, name_key, pinyin, title, phone,"
            f" phone_key, decision_maker) VALUES ('p1', {common}, 'c1', '李雷', '李雷', '', '采购总监',"
            " '010-6552 1234', '01065521234', 0)")
        raw.execute(
            "INSERT INTO deal (id, created_at, updated_at, customer_id, title, stage, probability, competitor,"
            f" stage_entered_at) VALUES ('d1', {common}, 'c1', '年度保养', 'won', 100, '雀巢', {STAMP})")
        raw.execute(
            "INSERT INTO contract (id, created_at, updated_at, deal_id, customer_id, number, amount_cents, signed_on)"
            f" VALUES ('k1', {common}, 'd1', 'c1', 'HT-002', 5000000, '2026-01-01')")
        raw.execute(f"INSERT INTO customer_tag (id, created_at, updated_at, customer_id, tag) VALUES ('t1', {common},"
                    " 'c1', 'VIP客户')")
        # a person filed as a company, with the company reading only (cxm), as crmtui wrote it before 0004
        raw.execute(
            "INSERT INTO customer (id, created_at, updated_at, name, name_key, pinyin, kind, status, tier, score)"
            f" VALUES ('c3', {common}, '曾小明', '曾小明', 'cengxiaoming cxm ceng xiao ming', 'company', 'lead', 'C', 0)")


def test_0004_rekeys_phones_and_backfills_the_new_search_indexes(tmp_path: Path, settings):
    path = tmp_path / "old.db"
    _file_at_0003(path)
    assert current_revision(path) == "0003"

    db = open_database(path, tmp_path / "backups")
    assert current_revision(path) == SCHEMA_HEAD
    with sqlite3.connect(path) as raw:
        keys = dict(raw.execute("SELECT id, phone_key FROM customer WHERE phone IS NOT NULL UNION ALL"
                                " SELECT id, phone_key FROM contact"))
    assert keys == {"c1": "+8613800138000", "c2": "12345", "p1": "+861065521234"}

    ctx = Context(db=db, settings=settings, clock=Clock(ZONE))
    try:
        def found(query: str) -> set[tuple[str, str]]:
            return {(hit.kind, hit.record_id) for hit in search(ctx, query)}

        assert ("customer", "c1") in found("008613800138000")
        assert ("contact", "p1") in found("+86 10 6552 1234")
        assert ("contact", "p1") in found("采购总监")
        assert ("deal", "d1") in found("年度保养") and ("deal", "d1") in found("雀巢")
        assert ("contract", "k1") in found("HT-002")
        assert ("tag", "t1") in found("VIP客户")
        assert ("customer", "c1") in found("北京市")
        # the surname reading written out by hand: 曾 as a surname is zeng
        assert ("customer", "c3") in found("zxm") and ("customer", "c3") in found("zengxiaoming")
        assert ("customer", "c3") in found("cxm")
        # The new triggers keep the new indexes: a deal renamed afterwards is found by its new title only.
        with sqlite3.connect(path) as raw:
            raw.execute("UPDATE deal SET title = '设备采购' WHERE id = 'd1'")
        assert ("deal", "d1") in found("设备采购") and ("deal", "d1") not in found("年度保养")
    finally:
        db.close()
