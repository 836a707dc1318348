"""Cutting text to terminal cells: the ellipsis follows the text whatever its script."""

from __future__ import annotations

from rich.cells import cell_len

from crmtui.tui.widgets.cells import fit


def test_a_cut_wide_text_ends_in_the_ellipsis_right_after_its_last_character():
    cut = fit("发送修改后的报价", 10)  # 4 characters are 8 cells; the 5th would need 2 of the 1 left after …
    assert cut == "发送修改… " and cell_len(cut) == 10


def test_a_cut_english_text_keeps_its_cells_and_the_ellipsis_last():
    assert fit("Send the revised quote", 10) == "Send the… "  # no space left hanging before the …
    assert fit("short", 8, right=True) == "   short"
