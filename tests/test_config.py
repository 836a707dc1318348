"""The settings file: every setting checked by every command, a wrong one named in one line."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

from crmtui.core.config import THEMES, settings_from_dict
from crmtui.core.errors import InvalidInput
from crmtui.core.keymap import BINDINGS
from tests.test_cli import fails, ok


def _write(home: Path, text: str) -> None:
    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "en"\n' + text,
                                                 encoding="utf-8")


@pytest.mark.parametrize("command", [["today"], ["list", "customers"], ["search", "x"], ["backup", "copy.db"],
                                     ["add", "lead", "Ann"]])
def test_an_unknown_theme_is_refused_by_every_command(home: Path, command: list[str]) -> None:
    _write(home, 'theme = "nope"\n')
    result = fails(*command)
    assert result.stderr.startswith("error: config theme:") and '"nope"' in result.stderr
    assert "textual-light" in result.stderr  # says what is expected
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_known_theme_is_accepted(home: Path) -> None:
    _write(home, 'theme = "textual-light"\n')
    ok("today")


def test_the_theme_list_is_textuals() -> None:
    from textual.theme import BUILTIN_THEMES

    assert set(THEMES) == set(BUILTIN_THEMES)


def test_an_unknown_key_id_is_refused_naming_it(home: Path) -> None:
    _write(home, '[keys]\nlgo = "x"\n')
    result = fails("today")
    assert result.stderr.startswith("error: config keys:") and "lgo" in result.stderr


@pytest.mark.parametrize(("table", "key", "first", "second"), [
    ('log = "q"', "q", "quit", "log"),  # took q from Quit silently
    ('search = "/"\nhelp = "/"', "slash", "search", "help"),
    ('claim = "t"', "t", "today", "claim"),  # a screen key against an everywhere key
    ('edit = "l"', "l", "log-customer", "edit"),  # two keys of one screen
])
def test_a_key_bound_twice_is_refused_naming_both_actions(home: Path, table: str, key: str, first: str,
                                                           second: str) -> None:
    _write(home, f"[keys]\n{table}\n")
    result = fails("today")
    assert result.stderr.startswith("error: config keys:")
    assert f"{key} would be both" in result.stderr
    assert first in result.stderr and second in result.stderr


@pytest.mark.parametrize("table", ['log = "ctrl+l"', 'log = "e"', 'claim = "l"', 'search = "ctrl+f,slash"'])
def test_keys_on_different_screens_or_free_keys_are_accepted(table: str) -> None:
    # "e" is the customer screen's edit key, free on Today; "l" is free on the pool screen
    settings = settings_from_dict({"keys": dict([line.replace('"', "").split(" = ") for line in [table]])})
    assert settings.keys


def test_remapping_a_key_to_itself_is_no_clash() -> None:
    assert settings_from_dict({"keys": {"log": "l"}}).keys == (("log", "l"),)


def test_a_clash_is_reported_by_the_service_layer_too() -> None:
    with pytest.raises(InvalidInput, match="config keys"):
        settings_from_dict({"keys": {"log": "q"}})


def _classes_with_bindings() -> list[type]:
    """Every class defined under crmtui.tui that declares BINDINGS of its own."""
    import crmtui.tui

    classes = []
    for module in pkgutil.walk_packages(crmtui.tui.__path__, "crmtui.tui."):
        loaded = importlib.import_module(module.name)
        classes += [c for _n, c in inspect.getmembers(loaded, inspect.isclass)
                    if c.__module__ == loaded.__name__ and "BINDINGS" in c.__dict__]
    return classes


def test_the_key_registry_is_the_apps_bindings() -> None:
    declared: set[tuple[str | None, str]] = set()
    for cls in _classes_with_bindings():
        for binding in cls.__dict__["BINDINGS"]:
            declared.add((binding.id, binding.key))
    assert declared == {(b.id, b.keys) for b in BINDINGS}


def test_the_help_has_a_section_for_every_screen_and_dialog_and_every_key_has_a_tooltip() -> None:
    from crmtui.tui.app import CrmApp, help_sections
    from crmtui.tui.bindings import tooltip

    classes = _classes_with_bindings()
    assert CrmApp in classes and len(classes) > 15  # the walk found the app, the screens and the dialogs
    in_help = [owner for _title, owner in help_sections(team=True, manager=True)]
    assert sorted(c.__name__ for c in in_help) == sorted(c.__name__ for c in classes)
    untold = [(cls.__name__, binding.key) for cls in classes for binding in cls.__dict__["BINDINGS"]
              if not tooltip(binding)]
    assert untold == []
    # a rep without a team sees no team screen's section
    solo = {owner.__name__ for _title, owner in help_sections(team=False, manager=False)}
    assert not solo & {"PoolScreen", "PoolCustomerScreen", "ConflictsScreen", "DeletedCustomersScreen"}


def test_every_tooltip_is_one_line_and_one_id_has_one_text() -> None:
    # The app finds a binding's tooltip by its id (the key may be remapped): an id on two screens has one text.
    by_id: dict[str, set[str]] = {}
    for binding in BINDINGS:
        assert binding.tooltip.strip() and "\n" not in binding.tooltip and len(binding.tooltip) <= 80, binding
        if binding.id:
            by_id.setdefault(binding.id, set()).add(binding.tooltip)
    assert {i: texts for i, texts in by_id.items() if len(texts) > 1} == {}


async def test_the_help_lists_the_dialogs_keys_with_their_tooltips(ctx) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from crmtui.tui.app import build_app

    ctx.settings = replace(ctx.settings, keys=(("open-existing", "f4"),))
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # the footer's keys carry their tooltips too (Textual shows them on hover)
        live = {active.binding.id: active.binding.tooltip for active in app.screen.active_bindings.values()}
        assert live["log"] == "Log a call, visit or message with the highlighted customer"
        assert live["today"] == "Go back to today's agenda from any screen"
        await pilot.press("question_mark")
        await pilot.pause()
        rows = [(keys, text, tip) for (keys, text), tip in zip(app.screen.rows, app.screen.tooltips, strict=True)]
    shown = {text: (keys, tip) for keys, text, tip in rows}
    # The new-record form's keys were missing from the help; a remapped key shows as remapped.
    assert shown["Open the existing record"] == (
        "f4", "Open the existing record the form found instead of adding a duplicate")
    assert ("l", "Log follow-up", "Log a call, visit or message with the highlighted customer") in rows  # Today's
    # The follow-up form's keys come from its bindings: the seven channel keys are one row, told by the tooltip.
    assert shown["Pick the channel"] == ("1-7", "") and shown["Goal met: yes / no"] == ("y / n", "")
    assert "Sync conflicts" not in shown  # no team here


@pytest.mark.parametrize("value", ["ctrl+p", "foo bar", "down", "tab", "ctrl+c"])
def test_a_key_that_is_no_key_or_is_kept_by_the_app_is_refused(home: Path, value: str) -> None:
    # ctrl+p took Log from Today's footer (the palette kept it); "foo bar" showed in the footer as a key
    _write(home, f'[keys]\nlog = "{value}"\n')
    result = fails("today")
    assert result.stderr.startswith("error: config keys.log:") and f'"{value}"' in result.stderr
