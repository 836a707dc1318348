"""How a refused import row is worded: its number, the file's column, the reason, each said once."""

from __future__ import annotations

from crmtui.services.importing.words import refusal_line


def test_the_column_is_named_when_the_reason_names_only_the_field() -> None:
    line = refusal_line(2, "邮箱", 'email: an address like name@example.com (got "bad@")')
    assert line == 'row 2, 邮箱: email: an address like name@example.com (got "bad@")'


def test_a_column_the_reason_already_begins_with_is_not_said_twice() -> None:
    # A Chinese sheet's column 邮箱 is also the field's label in the Chinese reason (full-width colon).
    assert refusal_line(2, "邮箱", "邮箱：邮箱地址") == "row 2: 邮箱：邮箱地址"
    assert refusal_line(7, "Email", "Email: not an address") == "row 7: Email: not an address"


def test_a_row_refused_as_a_whole_names_no_column() -> None:
    assert refusal_line(3, None, "no name") == "row 3: no name"
