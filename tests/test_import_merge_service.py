"""An imported row merged into a customer already in the book fills its empty service cycle and warranty end, as
a new customer gets them and as a merge fills the other empty fields; a value the rep has is never overwritten.
Real CSV files, real SQLite; frozen clock Tue 2026-11-24 10:00 Asia/Shanghai."""

from __future__ import annotations

import csv
from pathlib import Path

from crmtui.services.context import Context
from crmtui.services.customers import add_customer, edit_customer
from crmtui.services.importing.run import Options, run_import


def _sheet(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _care(ctx: Context) -> list[tuple]:
    with ctx.db.raw_read() as connection:
        return connection.execute("SELECT name, phone, service_months, service_from, warranty_until FROM customer"
                                  " WHERE deleted_at IS NULL ORDER BY name").fetchall()


HEADER = ["客户名称", "电话", "服务周期（月）", "服务起始日", "保修截止"]


def test_a_merge_fills_the_empty_care_fields_and_keeps_the_reps(ctx: Context, tmp_path: Path) -> None:
    add_customer(ctx, "瑞达制造", phone="13800138000")  # no care at all
    kept = add_customer(ctx, "华南物流", phone="13900139000")
    edit_customer(ctx, kept.id, {"service_months": "3", "service_from": "2026-03-01"})  # the rep's own cycle
    sheet = _sheet(tmp_path / "客户.csv", HEADER, [
        ["瑞达制造", "13800138000", "6", "2026-05-31", "2026-12-24"],
        ["华南物流", "13900139000", "12", "2026-01-15", "2028-01-01"],
    ])
    result = run_import(ctx, sheet, Options(on_duplicate="merge"))
    # both rows are duplicates (same name and phone): 瑞达 gets all three, 华南 only its empty warranty end
    assert (result.created, result.merged, result.skipped) == (0, 2, 0)
    assert _care(ctx) == [("华南物流", "13900139000", 3, "2026-03-01", "2028-01-01"),
                          ("瑞达制造", "13800138000", 6, "2026-05-31", "2026-12-24")]
    filled = sorted(m.reason for m in result.merges)
    assert filled[0].startswith("service months, service from, warranty until of \"瑞达制造\"")
    assert filled[1].startswith("warranty until of \"华南物流\"")


def test_a_row_whose_care_the_book_has_already_is_skipped(ctx: Context, tmp_path: Path) -> None:
    customer = add_customer(ctx, "瑞达制造", phone="13800138000")
    edit_customer(ctx, customer.id, {"service_months": "6", "service_from": "2026-05-31",
                                     "warranty_until": "2026-12-24"})
    sheet = _sheet(tmp_path / "客户.csv", HEADER, [["瑞达制造", "13800138000", "9", "2026-02-01", "2029-01-01"]])
    result = run_import(ctx, sheet, Options(on_duplicate="merge"))
    assert (result.merged, result.skipped) == (0, 1)  # nothing empty to fill: nothing changes
    assert _care(ctx) == [("瑞达制造", "13800138000", 6, "2026-05-31", "2026-12-24")]


def test_a_dry_run_counts_the_care_a_merge_would_fill_and_writes_nothing(ctx: Context, tmp_path: Path) -> None:
    add_customer(ctx, "瑞达制造", phone="13800138000")
    # the second row merges into the first, a customer this file adds: its care is judged against the first's
    sheet = _sheet(tmp_path / "客户.csv", HEADER, [
        ["瑞达制造", "13800138000", "", "", "2026-12-24"],
        ["新客户", "13700137000", "", "", ""],
        ["新客户", "13700137000", "6", "2026-05-31", ""],
    ])
    result = run_import(ctx, sheet, Options(on_duplicate="merge", dry_run=True))
    assert (result.created, result.merged, result.skipped) == (1, 2, 0)
    assert _care(ctx) == [("瑞达制造", "13800138000", None, None, None)]
    real = run_import(ctx, sheet, Options(on_duplicate="merge"))
    assert (real.created, real.merged, real.skipped) == (1, 2, 0)  # the dry run counted what the real run did
    assert _care(ctx) == [("新客户", "13700137000", 6, "2026-05-31", None),
                          ("瑞达制造", "13800138000", None, None, "2026-12-24")]
