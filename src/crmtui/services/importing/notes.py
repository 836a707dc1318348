"""The notes an import adds to a customer, one rule for every kind of file: a text the notes already hold is not
added again, and notes longer than `crm edit --notes` takes refuse the row (naming the column and the limit) rather
than being cut without a word."""

from __future__ import annotations

from collections.abc import Iterable

from crmtui.core.errors import InvalidInput
from crmtui.services.fields import TEXT_MAX


def joined(current: str | None, texts: Iterable[str]) -> str:
    """The notes with the texts after them, one a line."""
    return "\n".join([current, *texts] if current else texts)


def appended(current: str | None, texts: Iterable[str]) -> str | None:
    """The customer's notes with the texts they do not hold yet; None when every text is there already."""
    new: list[str] = []
    for text in texts:
        if text and text not in (current or "") and text not in new:
            new.append(text)
    return joined(current, new) if new else None


def check_length(text: str, before: int = 0) -> None:
    """Refuses notes that would grow past what `crm edit --notes` takes: `text` added after `before` characters
    of notes (and a line break)."""
    count = before + (1 if before else 0) + len(text)
    if count > TEXT_MAX:
        raise InvalidInput("notes", "at most {max} characters (got {count})", max=TEXT_MAX, count=count)
