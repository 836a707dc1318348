"""The shade of a heatmap's or grid's cell: one rule for the app and the command line."""

from __future__ import annotations

from crmtui.services.reports.base import shade


def test_the_busiest_cell_is_always_the_darkest() -> None:
    for most in (1, 2, 3, 7, 20):
        assert shade(most, most) == 4


def test_none_is_blank_and_the_rest_go_by_quarters_of_the_busiest() -> None:
    assert shade(0, 10) == 0 and shade(3, 0) == 0
    # of 20: 1-5 are the first quarter, 6-10 the second, 11-15 the third, 16-20 the fourth
    assert [shade(n, 20) for n in (1, 5, 6, 10, 11, 15, 16, 20)] == [1, 1, 2, 2, 3, 3, 4, 4]
    # of 2: 1 is half the busiest, the second quarter
    assert shade(1, 2) == 2 and shade(3, 10) == 2
