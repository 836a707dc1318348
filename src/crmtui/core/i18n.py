"""The one translation function every user-facing string goes through."""

from __future__ import annotations

import gettext
import os
from pathlib import Path

_LOCALE_DIR = Path(__file__).with_name("locale")
_translation: gettext.NullTranslations = gettext.NullTranslations()
language = "en"


def choose_language(setting: str = "auto") -> str:
    """The config's language, else the locale's (LANG=zh_CN.UTF-8 gives zh)."""
    if setting and setting != "auto":
        return "zh" if setting.lower().startswith("zh") else "en"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_language(setting: str = "auto") -> str:
    """Loads the catalog of the chosen language (English needs none)."""
    global _translation, language
    language = choose_language(setting)
    _translation = gettext.translation("crmtui", _LOCALE_DIR, languages=[language], fallback=True)
    return language


def _(message: str) -> str:
    """The message in the chosen language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The message for `count` things in the chosen language, with its plural form (Chinese has one form)."""
    return _translation.ngettext(singular, plural, count)


def names_text(names: list[str], shown: int = 3) -> str:
    """Up to `shown` names, then "and N more": the customers a notice is about."""
    # TRANSLATORS: what separates names in a list (Chinese: 、).
    listed = _(", ").join(names[:shown])
    rest = len(names) - shown
    if rest <= 0:
        return listed
    return ngettext("{names} and {count} more", "{names} and {count} more", rest).format(names=listed, count=rest)


def N_(message: str) -> str:
    """Marks a message for translation where it is declared (class attributes); `_` translates it when shown."""
    return message


def sentences(*parts: str) -> str:
    """Sentences one after another: a space after English ones, none after a Chinese full stop or question mark."""
    text = ""
    for part in filter(None, parts):
        text += part if not text or text[-1] in "。？！：；" else " " + part
    return text
