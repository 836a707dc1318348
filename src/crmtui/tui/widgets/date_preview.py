"""The line under a date field that says what the text was read as ("→ Fri 11 Dec 15:00") or why not."""

from __future__ import annotations

from textual.widgets import Label

from crmtui.core import i18n
from crmtui.core.dates import DateParseError, format_when, parse_next_date
from crmtui.core.errors import InvalidInput
from crmtui.core.labels import DateProblem
from crmtui.services import fields
from crmtui.services.context import Context
from crmtui.tui.widgets.cells import literal


def show_next_date(preview: Label, text: str, ctx: Context, empty: str = "") -> None:
    """Fills `preview` for the typed `text`: the reading, the refusal (marked as an error), or `empty`."""
    text = text.strip()
    if not text:
        preview.update(empty)
        preview.remove_class("error")
        return
    try:
        parsed = parse_next_date(text, ctx.clock.now(), ctx.settings.default_time)
    except DateParseError as exc:
        preview.update(literal(str(DateProblem(exc))))
        preview.add_class("error")
        return
    preview.update("→ " + format_when(parsed.when, parsed.has_time, i18n.language, ctx.clock.today()))
    preview.remove_class("error")


def show_day(preview: Label, field: str, text: str, ctx: Context, past: bool = False) -> None:
    """Fills `preview` for a day field's typed `text` (`field` a key of core.fields, read by services.fields.day;
    `past` for a day that happened): the day read, the refusal naming the field (marked as an error), or nothing
    for an empty text."""
    try:
        day = fields.day(field, text, ctx.clock.now(), past=past)
    except InvalidInput as refusal:
        preview.update(literal(refusal.labelled()))
        preview.add_class("error")
        return
    preview.remove_class("error")
    preview.update("" if day is None else "→ " + format_when(day, False, i18n.language, ctx.clock.today()))
