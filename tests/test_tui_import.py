"""Import… in the app: Tab completes the path, a missing file or a folder or another type is refused, the dry run
shows the mapping and the counts and stores nothing, Ctrl+S imports (Today then lists the new lead), Esc before
confirming leaves the book as it was, and stopping the import stores nothing of it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Button, OptionList, ProgressBar, Select, Static, TextArea

from crmtui.core import i18n
from crmtui.services.customers import add_customer, list_customers
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.dialogs.import_file import ImportDialog, shown_path, starting_text
from crmtui.tui.screens.customer import CustomerScreen
from crmtui.tui.screens.today import TodayScreen
from crmtui.tui.widgets.path_input import PathInput, completions
from tests.pilot import until


SIZE = (100, 30)

LEADS = (
    "姓名,公司名称,手机,邮箱,下次跟进时间,传真\n"
    "张伟,北京华信科技有限公司,13800138000,zw@hx.example,2026-11-24 15:00,010-1\n"
    "李娜,上海瑞达贸易,13900139000,zhao@ruida,2026-11-25,\n"
    "王芳,深圳新创,13700137000,wf@xc.example,,\n"
)
"""A UTF-8 CSV with Chinese headers: three leads, the second with a bad email (row 3 as a spreadsheet numbers it),
the first due today at 15:00, and a column nothing recognises (传真)."""


@pytest.fixture
def leads_csv(tmp_path: Path) -> Path:
    path = tmp_path / "files" / "线索名单.csv"
    path.parent.mkdir()
    path.write_text(LEADS, encoding="utf-8")
    return path


async def _open(pilot) -> ImportDialog:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.agenda is not None)
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, ImportDialog))
    return app.screen


def _text(dialog: ImportDialog, selector: str) -> str:
    return str(dialog.query_one(selector, Static).render())


def _message(dialog: ImportDialog) -> str:
    return _text(dialog, "#import-message")


async def _read(pilot, dialog: ImportDialog, path: str) -> None:
    """Types the path and Enter; waits for the dry run (or the refusal)."""
    dialog.query_one(PathInput).value = path
    await pilot.press("enter")
    await until(pilot, lambda: dialog.previewed is not None or "reading" not in _message(dialog))


def test_tab_offers_folders_and_the_files_the_import_reads_with_the_home_expanded(tmp_path, monkeypatch):
    (tmp_path / "客户").mkdir()
    (tmp_path / "客户名单.csv").write_text("x", encoding="utf-8")
    (tmp_path / "客户.xlsx").write_bytes(b"x")
    (tmp_path / "客户.docx").write_bytes(b"x")
    (tmp_path / ".客户.csv").write_text("x", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert completions("~/客", (".csv", ".xlsx")) == ("~/", ["客户/", "客户.xlsx", "客户名单.csv"])
    assert completions("~/客户名", (".csv",)) == ("~/", ["客户名单.csv"])
    assert completions("~/nothing/", (".csv",)) == ("~/nothing/", [])


async def test_tab_completes_the_path_and_lists_the_candidates(ctx, leads_csv):
    (leads_csv.parent / "线索备份.xlsx").write_bytes(b"x")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        path_input = dialog.query_one(PathInput)
        path_input.value = str(leads_csv.parent) + "/线"
        await pilot.press("tab")
        await until(pilot, lambda: "线索名单.csv" in _message(dialog))
        assert path_input.value == str(leads_csv.parent) + "/线索"  # the common start of both
        assert "线索备份.xlsx" in _message(dialog)
        await pilot.press("tab")  # then each in turn
        assert path_input.value == str(leads_csv.parent) + "/线索名单.csv"
        assert app.focused is path_input
        await pilot.press("enter")  # the file is taken: Tab now moves on to the kind
        await until(pilot, lambda: dialog.previewed is not None)
        await pilot.press("tab")
        assert path_input.value == str(leads_csv.parent) + "/线索名单.csv"
        assert app.focused is dialog.query_one("#import-kind", Select)


@pytest.mark.parametrize(("typed", "said"), [
    ("missing.csv", "missing.csv: no such file"),
    ("", "a folder, not a file"),
    ("notes.docx", "not a file crmtui imports"),
])
async def test_a_missing_file_a_folder_or_another_type_is_refused_with_a_message(ctx, leads_csv, typed, said):
    (leads_csv.parent / "notes.docx").write_bytes(b"x")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        await _read(pilot, dialog, f"{leads_csv.parent}/{typed}")
        assert said in _message(dialog)
        assert dialog.query_one("#import-message").has_class("error")
        assert dialog.previewed is None and dialog.query_one("#import-go", Button).disabled
    assert list_customers(ctx) == []


async def test_the_dry_run_shows_the_mapping_and_the_counts_and_stores_nothing(ctx, leads_csv):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        dialog.query_one("#import-kind", Select).value = "leads"
        await _read(pilot, dialog, str(leads_csv))
        summary = _text(dialog, "#import-summary")
        assert "would create 2, merge 0, skip 0, refuse 1" in summary
        assert 'row 3, 邮箱: email: an address like name@example.com (got "zhao@ruida")' in summary
        mapping = _text(dialog, "#import-mapping").splitlines()
        assert "  姓名          → Name" in mapping and "  下次跟进时间  → Next date (next)" in mapping
        assert "  传真          → kept in a note (not recognised)" in mapping
        arrows = {cell_len(line.partition("→")[0]) for line in mapping[1:]}
        assert arrows == {cell_len("  下次跟进时间  ")}  # every arrow in the same cell, whatever the script
        assert str(dialog.query_one("#import-go", Button).label) == "Import 2 rows"
    assert list_customers(ctx) == []


async def test_a_duplicates_choice_runs_the_dry_run_again(ctx, leads_csv):
    add_customer(ctx, "张伟", status="lead", kind="person", phone="13800138000")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        dialog.query_one("#import-kind", Select).value = "leads"
        await _read(pilot, dialog, str(leads_csv))
        assert "would create 1, merge 0, skip 1, refuse 1" in _text(dialog, "#import-summary")
        dialog.query_one("#import-duplicates", Select).value = "create"
        await until(pilot, lambda: "would create 2, merge 0, skip 0" in _text(dialog, "#import-summary"))
    assert len(list_customers(ctx)) == 1


async def test_ctrl_s_imports_writes_the_rejects_and_today_lists_the_new_lead(ctx, leads_csv):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        dialog.query_one("#import-kind", Select).value = "leads"
        await _read(pilot, dialog, str(leads_csv))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: dialog.done is not None)
        assert "created 2, merged 0, skipped 0, refused 1" in _text(dialog, "#import-summary")
        rejects = Path(dialog.query_one("#import-rejects", TextArea).text)
        assert rejects.parent == leads_csv.parent and rejects.exists() and "李娜" in rejects.read_text("utf-8")
        assert "the refused rows are in the file below" in _message(dialog)
        dialog.query_one("#import-rejects", TextArea).focus()
        await pilot.press("ctrl+c")
        assert app.clipboard == str(rejects)
        await pilot.press("escape")
        today = app.screen
        assert isinstance(today, TodayScreen)
        await until(pilot, lambda: any(item.customer_name == "张伟" for item in today.items.values()))
    assert sorted(c.name for c in list_customers(ctx)) == ["张伟", "王芳"]
    assert {c.status for c in list_customers(ctx)} == {"lead"}


async def test_the_folder_read_last_is_where_the_next_import_starts(ctx, leads_csv):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        await _read(pilot, dialog, str(leads_csv))
    assert starting_text() == str(leads_csv.parent) + "/"


async def test_esc_before_confirming_leaves_the_book_untouched(ctx, leads_csv):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        await _read(pilot, dialog, str(leads_csv))
        assert dialog.previewed is not None
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, TodayScreen))
    assert list_customers(ctx) == []
    assert not (leads_csv.parent / "线索名单.rejects.csv").exists()


class HeldStop(threading.Event):
    """The dialog's stop signal, holding the import at its first progress report until the rep has answered."""

    def __init__(self) -> None:
        super().__init__()
        self.reached = threading.Event()

    def is_set(self) -> bool:
        self.reached.set()
        self.wait(timeout=10)
        return super().is_set()


async def test_stopping_the_import_asks_then_stores_nothing_of_it(ctx, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("Company,Phone\n" + "".join(f"Firm {n},1380000{n:04d}\n" for n in range(300)), encoding="utf-8")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        await _read(pilot, dialog, str(big))
        assert "would create 300" in _text(dialog, "#import-summary")
        held = dialog.stop = HeldStop()
        await pilot.press("ctrl+s")
        await until(pilot, held.reached.is_set)
        bar = dialog.query_one("#import-progress", ProgressBar)
        await until(pilot, lambda: bar.display and bar.total == 300)  # the file's length, as the bar's
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "nothing of it will be stored" in str(app.screen.question)
        await pilot.press("y")
        await until(pilot, lambda: "Import stopped" in _message(dialog))
        assert dialog.done is None and not dialog.importing
    assert list_customers(ctx) == []


async def test_the_dialog_speaks_chinese(ctx, leads_csv):
    i18n.set_language("zh")
    try:
        app = build_app(ctx)
        async with app.run_test(size=SIZE) as pilot:
            dialog = await _open(pilot)
            await _read(pilot, dialog, str(leads_csv))
            assert "什么都没保存" in _text(dialog, "#import-summary")
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("on_customer", [False, True])
async def test_the_palette_offers_import_on_today_and_on_any_other_screen(ctx, on_customer):
    customer = add_customer(ctx, "Acme Analytics")
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.agenda is not None)
        if on_customer:
            app.open_customer(customer.id)
            await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.detail is not None)
        await pilot.press("ctrl+p")
        for character in "import":
            await pilot.press(character)
        def hits() -> list[str]:
            return [str(option.prompt).split("\n")[0] for option in app.screen.query_one("CommandList", OptionList).options]

        await until(pilot, lambda: "Import…" in hits())
        assert hits().count("Import…") == 1
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one("CommandList", OptionList).highlighted = hits().index("Import…")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ImportDialog))


async def test_enter_on_the_import_button_imports(ctx, leads_csv):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        await _read(pilot, dialog, str(leads_csv))
        button = dialog.query_one("#import-go", Button)
        button.focus()
        await pilot.press("enter")
        await until(pilot, lambda: dialog.done is not None)
        assert str(button.label) == "Close"
    assert len(list_customers(ctx)) == 2


def test_with_no_folder_read_yet_the_dialog_starts_where_crm_was_started(leads_csv, monkeypatch):
    monkeypatch.chdir(leads_csv.parent)
    assert starting_text() == shown_path(leads_csv.parent) + "/"


async def test_tab_into_a_folder_does_not_say_nothing_matches(ctx, leads_csv):
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        path_input = dialog.query_one(PathInput)
        path_input.value = str(leads_csv.parent.parent) + "/fil"
        await pilot.press("tab")
        await until(pilot, lambda: path_input.value == str(leads_csv.parent) + "/")
        await pilot.pause()
        assert "nothing here matches" not in _message(dialog)
        await pilot.press("tab")  # the folder's one file
        assert path_input.value == str(leads_csv)


async def test_the_import_button_shows_its_whole_label_at_100_columns(ctx, leads_csv):
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _open(pilot)
        await _read(pilot, dialog, str(leads_csv))
        button = dialog.query_one("#import-go", Button)
        leads_csv.write_text("Company,Phone\n" + "".join(f"Firm {n},1380000{n:04d}\n" for n in range(1500)), "utf-8")
        await _read(pilot, dialog, str(leads_csv))  # read again: a longer label on a button laid out already
        await until(pilot, lambda: str(button.label) == "Import 1500 rows")
        await pilot.pause()
        assert "Import&#160;1500&#160;rows" in app.export_screenshot()


async def test_the_mapping_names_fields_by_their_labels_in_chinese(ctx, leads_csv):
    i18n.set_language("zh")
    try:
        app = build_app(ctx)
        async with app.run_test(size=SIZE) as pilot:
            dialog = await _open(pilot)
            await _read(pilot, dialog, str(leads_csv))
            mapping = _text(dialog, "#import-mapping")
            assert "→ 电话 (phone)" in mapping and "→ phone" not in mapping
    finally:
        i18n.set_language("en")


async def test_a_file_in_another_encoding_is_read_with_the_encoding_picked(ctx, tmp_path):
    # the first 64 KiB read as UTF-8 (plain ASCII), a GBK row after them
    rows = "".join(f"Firm {n:05d},1380{n:07d}\n" for n in range(4000))
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(("Company,Phone\n" + rows).encode("ascii") + "北京某某科技,13912345678\n".encode("gbk"))
    app = build_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        await _read(pilot, dialog, str(mixed))
        assert "not valid utf-8 text" in _message(dialog) and "--encoding" not in _message(dialog)
        assert "Encoding" in _message(dialog)
        dialog.query_one("#import-encoding", Select).value = "gb18030"
        await until(pilot, lambda: dialog.previewed is not None)
        assert "would create 4001" in _text(dialog, "#import-summary")
    assert list_customers(ctx) == []
