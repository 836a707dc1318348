"""Export, then `crm import` into an empty database: the same customers and contacts come back (the fields both
commands know; ids, scores and times of creation are the new book's own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmtui.core.clock import Clock
from crmtui.core.config import Settings
from crmtui.services.context import open_context
from crmtui.services.customers import add_contact, add_customer
from crmtui.services.exporting import export
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.importing.run import Options, run_import

from .conftest import ZONE

IGNORED = {"customers": ("id", "score", "last contact", "created", "owner", "type"),
           "contacts": ("id", "customer id", "created")}
"""Columns a new book makes its own (ids, the score it computes, creation times) or that `crm import` does not take."""

CUSTOMER_FIELDS = ("name", "company", "status", "tier", "phone", "email", "wechat", "industry", "region", "source",
                   "interest", "next_follow_up_at")
CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat", "decision_maker", "birthday")


def _customers(ctx) -> list[tuple]:
    with ctx.db.raw_read() as connection:
        rows = connection.execute(f"SELECT id, {', '.join(CUSTOMER_FIELDS)} FROM customer WHERE deleted_at IS NULL"
                                  " ORDER BY name").fetchall()
        tags = {cid: sorted(t for (t,) in connection.execute(
            "SELECT tag FROM customer_tag WHERE customer_id = ? AND deleted_at IS NULL", (cid,))) for cid, *_ in rows}
        contacts = connection.execute(f"SELECT c.name, {', '.join('p.' + f for f in CONTACT_FIELDS)} FROM contact p"
                                      " JOIN customer c ON c.id = p.customer_id WHERE p.deleted_at IS NULL"
                                      " ORDER BY c.name, p.name").fetchall()
    return [(*row[1:], tags[row[0]]) for row in rows], contacts


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_customers_and_contacts_exported_then_imported_into_an_empty_book_are_the_same(ctx, home: Path,
                                                                                       tmp_path: Path, fmt):
    acme = add_customer(ctx, "深圳盛世制造有限公司", phone="13800138000", email="info@shengshi.cn", wechat="wx_ss",
                        industry="制造", region="深圳", source="referral", interest="ERP", tier="A",
                        tags=["VIP", "续约"])
    add_contact(ctx, acme.id, "焦霞", title="技术总监", phone="13911112222", email="jx@shengshi.cn", wechat="wx_jx",
                decision_maker=True, birthday="1985-12-03")
    log_follow_up(ctx, acme.id, channel="visit", goal="g", goal_met=True, notes="n", next_plan="p",
                  next_at="2026-11-27 15:00")
    add_customer(ctx, "Umbrella Foods", status="lead", email="buy@umbrella.example")
    # text a spreadsheet would run as a formula is guarded on the way out and comes back as it was
    add_customer(ctx, "=Acme Labs", region="-华东", source="@partner", interest="+plus")
    # a person customer comes back as a customer, but `crm import` takes neither the type nor a person's employer
    # yet (its `company` is a lead's): not part of this round trip
    customers_file, contacts_file = tmp_path / f"customers.{fmt}", tmp_path / f"contacts.{fmt}"
    export(ctx, "customers", fmt, customers_file)
    export(ctx, "contacts", fmt, contacts_file)

    other = open_context(tmp_path / "other.db", clock=Clock(ZONE), settings=Settings(timezone="Asia/Shanghai",
                                                                                     language="en"))
    try:
        maps = {kind: [f"{column}=ignore" for column in columns] for kind, columns in IGNORED.items()}
        imported = run_import(other, customers_file, Options(kind="customers", maps=maps["customers"]))
        assert (imported.created, imported.refused, imported.mapping.unknown) == (3, 0, [])
        imported = run_import(other, contacts_file, Options(kind="contacts", maps=maps["contacts"]))
        assert (imported.created, imported.refused) == (1, 0)
        assert _customers(other) == _customers(ctx)
    finally:
        other.close()


def test_contacts_exported_as_vcards_then_imported_into_an_empty_book_are_the_same(ctx, tmp_path: Path):
    acme = add_customer(ctx, "深圳盛世制造有限公司")
    add_contact(ctx, acme.id, "焦霞", title="技术总监", phone="13911112222", email="jx@shengshi.cn", wechat="wx_jx",
                birthday="1985-12-03")
    add_contact(ctx, acme.id, "Oliver Hill", phone="+1 415 555 0100", email="o.hill@example.com")
    cards = tmp_path / "contacts.vcf"
    export(ctx, "contacts", "vcf", cards)
    other = open_context(tmp_path / "other.db", clock=Clock(ZONE), settings=Settings(timezone="Asia/Shanghai",
                                                                                     language="en"))
    try:
        imported = run_import(other, cards, Options(kind="contacts"))
        assert (imported.created, imported.customers, imported.refused) == (2, 1, 0)
        assert _customers(other)[1] == _customers(ctx)[1]
    finally:
        other.close()
