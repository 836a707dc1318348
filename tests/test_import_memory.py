"""An import holds in memory only the duplicate keys of the records staged since its last write: the records it
has written are found in the book by the store's indexes (and, in a dry run, which writes nothing, in a temporary
table of its connection). So its memory does not grow with its file, and it still finds every duplicate: of a row
several batches back, of the book, and of the same file imported twice. The batch is made small here so that a
file of a few hundred rows spans many of them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from crmtui.services.context import Context
from crmtui.services.customers import add_customer
from crmtui.services.importing import run as import_run
from crmtui.services.importing.duplicates import DuplicateIndex, KeyFilter
from crmtui.services.importing.run import Options, run_import
from crmtui.store import importing as store

BATCH = 20
ROWS = 300


def company(index: int) -> str:
    return f"Company {index} Ltd"


def sheet(path: Path, rows: list[list[str]], headers: tuple[str, ...] = ("客户名称", "联系人", "手机", "邮箱", "标签")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def distinct_rows() -> list[list[str]]:
    """ROWS customers, each with a contact and a tag, no two sharing a phone, an email or a name."""
    return [[company(i), f"Person {i}", f"139{i:08d}", f"buyer{i}@example.cn", "VIP"] for i in range(ROWS)]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The batch made small; every size the run's in-memory index reaches, recorded."""
    monkeypatch.setattr(import_run, "BATCH", BATCH)
    sizes: list[int] = []
    add = DuplicateIndex.add

    def recording_add(self: DuplicateIndex, owner: Any, record: dict[str, Any]) -> None:
        add(self, owner, record)
        sizes.append(len(self))

    monkeypatch.setattr(DuplicateIndex, "add", recording_add)
    return sizes


def test_the_index_held_in_memory_stays_within_a_batch_however_long_the_file(tmp_path: Path, ctx: Context,
                                                                             small_batches: list[int]) -> None:
    result = run_import(ctx, sheet(tmp_path / "c.csv", distinct_rows()), Options())

    assert (result.created, result.contacts, result.skipped, result.refused) == (ROWS, ROWS, 0, 0)
    # A row stages 3 records (customer, contact, tag); the batch is written once BATCH (20) records are staged, i.e.
    # after the 7th row (21 records), so at most 7 rows' keys are held. A customer's: its phone, email and name, and
    # its name among the customers = 4; its contact's: its name (its phone and email are the customer's, held
    # already) and its phone, email and name within the customer = 4. 7 * (4 + 4) = 56.
    assert max(small_batches) == 56
    # one add a record with keys (the tags have none): 300 customers + 300 contacts; all their keys held at once
    # would be 300 * 8 = 2,400 entries
    assert len(small_batches) == 2 * ROWS


def test_a_row_matching_a_record_written_batches_earlier_is_a_duplicate(tmp_path: Path, ctx: Context,
                                                                        small_batches: list[int]) -> None:
    rows = distinct_rows()
    rows.append(["Another Co", "Someone", "13900000001", "", ""])  # row 1's phone (written 100 rows back)
    rows.append([company(2), "Someone Else", "", "", ""])  # row 2's company name
    rows.append(["Third Co", "Nobody", "", "buyer3@example.cn", ""])  # row 3's email
    rows.append(["Fourth Co", "Person 4", "", "", ""])  # a contact's name is no duplicate of a company

    result = run_import(ctx, sheet(tmp_path / "c.csv", rows), Options())

    assert (result.created, result.skipped) == (ROWS + 1, 3)
    numbers = [skip.row for skip in result.skips]
    # the header is row 1: the appended rows are rows ROWS + 2 .. ROWS + 5
    assert numbers == [ROWS + 2, ROWS + 3, ROWS + 4]
    assert "phone" in result.skips[0].reason and company(1) in result.skips[0].reason
    assert "name" in result.skips[1].reason and company(2) in result.skips[1].reason
    assert "email" in result.skips[2].reason and company(3) in result.skips[2].reason


def test_the_same_file_twice_creates_nothing_the_second_time(tmp_path: Path, ctx: Context,
                                                             small_batches: list[int]) -> None:
    path = sheet(tmp_path / "c.csv", distinct_rows())
    first = run_import(ctx, path, Options())
    second = run_import(ctx, path, Options())

    assert first.created == ROWS
    assert (second.created, second.merged, second.skipped) == (0, 0, ROWS)


def test_a_dry_run_spanning_many_batches_counts_what_the_real_run_does(tmp_path: Path, ctx: Context,
                                                                       small_batches: list[int],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    kept: list[int] = []
    keep = store.keep_customers

    def counted(connection: Any, customers: Any) -> None:
        customers = list(customers)
        kept.append(len(customers))
        keep(connection, customers)

    monkeypatch.setattr(store, "keep_customers", counted)
    rows = distinct_rows()
    rows += [["Another Co", "Someone", "13900000001", "", ""], [company(2), "X", "", "", ""],
             ["Third Co", "Nobody", "", "buyer3@example.cn", ""]]
    path = sheet(tmp_path / "c.csv", rows)

    dry = run_import(ctx, path, Options(dry_run=True))
    real = run_import(ctx, path, Options())

    # 300 distinct rows created, the 3 appended ones duplicates of rows written (or, dry, kept aside) long before
    assert (dry.created, dry.skipped, dry.contacts) == (ROWS, 3, ROWS)
    assert (real.created, real.skipped, real.contacts) == (ROWS, 3, ROWS)
    # the same rows, for the same reasons and the same records (whose ids, a dry run's made up, are left out)
    assert [(s.row, s.reason[:s.reason.rindex("(")]) for s in dry.skips] == \
        [(s.row, s.reason[:s.reason.rindex("(")]) for s in real.skips]
    assert max(small_batches) == 56  # as in the first test: 7 rows of 8 keys
    # the dry run's customers are set aside a batch (7 rows) at a time, each once: 300 = 42 * 7 + 6
    assert max(kept) == 7 and sum(kept) == ROWS and len(kept) == 43


def test_contacts_of_a_company_made_batches_earlier_join_it(tmp_path: Path, ctx: Context,
                                                            small_batches: list[int]) -> None:
    rows = [[company(i), f"Person {i}", f"139{i:08d}"] for i in range(ROWS)]
    rows.append([company(0), "Second Person", "13700000000"])  # company 0 was made by the first row
    path = sheet(tmp_path / "contacts.csv", rows, headers=("公司", "姓名", "手机"))

    dry = run_import(ctx, path, Options(kind="contacts", dry_run=True))
    real = run_import(ctx, path, Options(kind="contacts"))

    # each of the 300 first rows makes its company and its contact; the last row adds a contact to company 0
    assert (dry.created, dry.customers) == (ROWS + 1, ROWS)
    assert (real.created, real.customers) == (ROWS + 1, ROWS)
    with ctx.db.raw_read() as connection:
        names = [name for (name,) in connection.execute(
            "SELECT t.name FROM contact t JOIN customer c ON c.id = t.customer_id WHERE c.name = ? ORDER BY t.name",
            (company(0),))]
    assert names == ["Person 0", "Second Person"]


def test_a_phone_a_row_merged_into_the_book_is_then_a_duplicate_like_any(tmp_path: Path, ctx: Context,
                                                                          small_batches: list[int]) -> None:
    add_customer(ctx, "Acme Analytics")  # no phone
    rows = [["Acme Analytics", "", "13900000001", "", ""],  # fills Acme's phone
            ["Globex Labs", "", "13900000001", "", ""]]  # that phone, now Acme's
    result = run_import(ctx, sheet(tmp_path / "c.csv", rows), Options(on_duplicate="merge"))

    assert (result.created, result.merged, result.skipped) == (0, 1, 1)
    assert "phone" in result.skips[0].reason and "Acme Analytics" in result.skips[0].reason


def test_a_row_of_new_keys_is_looked_up_nowhere(tmp_path: Path, ctx: Context, small_batches: list[int],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    add_customer(ctx, "Acme Analytics", phone="13800000000")
    calls: list[tuple[str, str]] = []
    key_owner = store.key_owner

    def counted(connection: Any, reason: str, key: str) -> Any:
        calls.append((reason, key))
        return key_owner(connection, reason, key)

    monkeypatch.setattr(store, "key_owner", counted)
    rows = [*distinct_rows(), ["Acme Analytics", "", "", "", ""]]
    result = run_import(ctx, sheet(tmp_path / "c.csv", rows), Options())

    assert (result.created, result.skipped) == (ROWS, 1)
    # the 300 distinct rows' keys are held by nobody: the filter says so without a query (a false hit, two bits
    # set by other keys among ~2,400 in 8,388,608 bits, is about one chance in ten million a key); the last row's
    # name is the book's, and is looked up (its phone and email are empty)
    assert calls == [("name", "acmeanalytics")]  # the normalised name: casefolded, spaces dropped


def test_the_filter_never_forgets_a_key() -> None:
    held = KeyFilter()
    keys = [("phone", f"+86139{i:08d}") for i in range(50_000)] + [("name", f"company {i}") for i in range(50_000)]
    for reason, key in keys:
        held.add(reason, key)
    assert all(key in held for key in keys)
    # and it tells most others apart: 100,000 keys set at most 200,000 of its 8,388,608 bits (2.4%), so an unseen key
    # hits two set bits about 0.024 ** 2 = 0.06% of the time: of 10,000, about 6 (never near 100)
    assert sum(("email", f"x{i}@example.cn") in held for i in range(10_000)) < 100
