"""What an import did, in the rep's words: the lines the command line and the app's Import… dialog both show
under the counts, so the two never word the same result differently."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmtui.core.i18n import N_, _

if TYPE_CHECKING:
    from crmtui.services.importing.run import ImportResult


KIND_WORDS = {"customers": N_("customers"), "contacts": N_("contacts"), "leads": N_("leads"), "deals": N_("deals"),
              "follow-ups": N_("follow-ups")}
"""The kinds' names in the rep's language; a kind added later shows as its own name until it has one."""


def summary_lines(result: ImportResult) -> list[str]:
    """The file, its format and kind, and what was (or, dry, would be) created, merged, skipped and refused."""
    where = result.path.name + (f" [{result.sheet}]" if result.sheet else "")
    fmt = result.format.upper() + (f", {result.encoding}" if result.encoding else "")
    kind = _(KIND_WORDS.get(result.kind, result.kind))
    counts = {"created": result.created, "merged": result.merged, "skipped": result.skipped, "refused": result.refused}
    if result.dry_run:
        return [_("dry run of {file} ({format}) as {kind}: nothing was stored").format(file=where, format=fmt,
                                                                                        kind=kind),
                _("would create {created}, merge {merged}, skip {skipped}, refuse {refused}").format(**counts)]
    return [_("imported {file} ({format}) as {kind}: created {created}, merged {merged}, skipped {skipped},"
              " refused {refused}").format(file=where, format=fmt, kind=kind, **counts)]


def refusal_line(row: int, column: str | None, reason: str) -> str:
    """One refused row: its number, the file's column at fault, why. The column is left out when the reason
    already begins with it (a Chinese sheet's 邮箱 column and the field's own label 邮箱 are the same word)."""
    where_in = _("row {row}").format(row=row)
    if column and not reason.startswith((f"{column}:", f"{column}：")):
        where_in += f", {column}"
    return f"{where_in}: {reason}"


def added_lines(result: ImportResult) -> list[str]:
    """The records added beside the ones counted (contacts with their customers, customers a deal or follow-up
    named that were not in the book) and the deals a changed row updated."""
    lines = []
    if result.contacts:
        lines.append(_("contacts added with them: {count}").format(count=result.contacts))
    if result.customers and result.kind in ("deals", "follow-ups"):
        lines.append(_("customers added for them (not in the book by that name): {count}").format(
            count=result.customers))
    elif result.customers:
        lines.append(_("companies added for their contacts: {count}").format(count=result.customers))
    if result.merged and result.kind == "deals":
        lines.append(_("deals updated from changed rows: {count}").format(count=result.merged))
    return lines
