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


def test_the_key_registry_is_the_apps_bindings() -> None:
    import crmtui.tui
    from crmtui.tui.app import CrmApp

    declared: set[tuple[str | None, str]] = set()
    classes = [CrmApp]
    for module in pkgutil.walk_packages(crmtui.tui.__path__, "crmtui.tui."):
        loaded = importlib.import_module(module.name)
        classes += [c for _n, c in inspect.getmembers(loaded, inspect.isclass) if c.__module__ == loaded.__name__]
    for cls in classes:
        for binding in cls.__dict__.get("BINDINGS", []):
            declared.add((binding.id, binding.key))
    assert declared == {(b.id, b.keys) for b in BINDINGS}


@pytest.mark.parametrize("value", ["ctrl+p", "foo bar", "down", "tab", "ctrl+c"])
def test_a_key_that_is_no_key_or_is_kept_by_the_app_is_refused(home: Path, value: str) -> None:
    # ctrl+p took Log from Today's footer (the palette kept it); "foo bar" showed in the footer as a key
    _write(home, f'[keys]\nlog = "{value}"\n')
    result = fails("today")
    assert result.stderr.startswith("error: config keys.log:") and f'"{value}"' in result.stderr
