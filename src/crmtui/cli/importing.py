"""`crm import FILE`: customers, contacts or leads from a spreadsheet (CSV, XLSX) or a phone's contacts (vCard).

A dry run prints what would be created, merged, skipped and refused, and the detected mapping as TOML ready to
save; a real run writes the good rows and puts the refused ones in a rejects file of the input's own format.
The import's services (and openpyxl, vobject) are imported inside the command: no other command pays for them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crmtui.cli.output import console, out, print_json
from crmtui.cli.session import open_session
from crmtui.core.i18n import N_, _
from crmtui.services.importing.words import added_lines, refusal_line, summary_lines

if TYPE_CHECKING:
    from crmtui.services.importing.run import ImportResult


def register(app: typer.Typer) -> None:
    """Adds `crm import` to the `crm` command."""
    app.command("import")(import_file)


def import_file(
    path: Annotated[Path, typer.Argument(metavar="FILE", help=N_("A .csv, .xlsx or .vcf file."), show_default=False)],
    kind: Annotated[str | None, typer.Option(
        metavar="KIND", help=N_("customers, contacts, leads, deals or follow-ups (default: customers; contacts for a"
                                " .vcf)."))] = None,
    map_: Annotated[list[str] | None, typer.Option("--map", metavar="COLUMN=FIELD", help=N_(
        'COLUMN=field for one column, e.g. --map "传真=note"; repeat for several.'))] = None,
    mapping: Annotated[str | None, typer.Option(
        metavar="FILE|NAME", help=N_("A mapping file (.toml) or the name of a saved one."))] = None,
    save_mapping: Annotated[str | None, typer.Option(
        metavar="NAME", help=N_("Save the mapping used under this name."))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Store nothing: say what would happen."))] = False,
    on_duplicate: Annotated[str, typer.Option(metavar="skip|merge|create", show_default=False, help=N_(
        "skip (default), merge (fill what the record lacks) or create (add anyway)."))] = "skip",
    rejects: Annotated[Path | None, typer.Option(metavar="FILE", help=N_(
        "Where refused rows go (default: FILE.rejects beside the file)."))] = None,
    encoding: Annotated[str | None, typer.Option(
        metavar="ENC", help=N_("The file's encoding, e.g. gbk (default: detected)."))] = None,
    sheet: Annotated[str | None, typer.Option(
        metavar="NAME", help=N_("The sheet of a workbook (default: the first)."))] = None,
    header_row: Annotated[int | None, typer.Option(
        metavar="N", help=N_("The row holding the column names (default: found among the first 10 rows)."))] = None,
    json_: Annotated[bool, typer.Option("--json", help=N_("Print the result as JSON."))] = False,
) -> None:
    """Imports customers, contacts, leads, deals or follow-ups from CSV, Excel or vCard (try --dry-run first)."""
    from crmtui.services.importing.run import Options, prepare, run_import  # deferred: the import's services, ~50 ms

    options = Options(kind=kind, maps=list(map_ or []), mapping=mapping, save_mapping=save_mapping, dry_run=dry_run,
                      on_duplicate=on_duplicate, rejects=rejects, encoding=encoding, sheet=sheet,
                      header_row=header_row)
    with open_session() as ctx:
        prepared = prepare(ctx, path, options)
        if json_ or not (sys.stdout.isatty() and sys.stderr.isatty()):  # piped: no bar in the way
            result = run_import(ctx, path, options, prepared=prepared)
        else:
            result = _with_progress(lambda progress: run_import(ctx, path, options, progress, prepared),
                                    prepared[0].total())
    if json_:
        data = result.as_dict()
        if dry_run:
            from crmtui.services.importing.mapping import to_toml  # deferred: with the services above

            data["mapping"] = to_toml(result.mapping, path.name)
        print_json(data)
        return
    _report(result)


def _with_progress(work: Any, total: int | None) -> ImportResult:
    """Runs the import under a Rich progress bar on the terminal's stderr (gone when done)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # deferred: Rich

    with Progress(TextColumn(_("importing")), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("import", total=total)
        return work(lambda done: bar.update(task, completed=done))  # type: ignore[no-any-return]


def _report(result: ImportResult) -> None:
    for line in summary_lines(result):
        out(line)
    extra = added_lines(result)
    if extra:
        out("  " + "; ".join(extra))
    if result.refusals:
        out(_("refused:"))
        for refusal in result.refusals:
            out("  " + refusal_line(refusal.row, refusal.column, refusal.reason))
    if result.skips:
        out(_("skipped (already in the book or earlier in the file; --on-duplicate merge or create decides otherwise):"))
        for skip in result.skips:
            out("  " + _("row {row}").format(row=skip.row) + f": {skip.reason}")
        if result.skipped > len(result.skips):
            out("  " + _("... and {count} more").format(count=result.skipped - len(result.skips)))
    if result.team_check:
        out(result.team_check)
    if result.merges:
        out(_("merged (only what the record lacked was filled from the row):"))
        for merge in result.merges:
            out("  " + _("row {row}").format(row=merge.row) + f": {merge.reason}")
        if result.merged > len(result.merges):
            out("  " + _("... and {count} more").format(count=result.merged - len(result.merges)))
    if result.mapping.unknown:
        out(_("columns not recognised, kept in each record's note: {columns} (map them with --map COLUMN=field)")
            .format(columns=", ".join(result.mapping.unknown)))
    if result.rejects is not None:
        out(_("refused rows written to {path}: fix them there and import that file").format(path=result.rejects))
    if result.mapping_saved is not None:
        out(_("mapping saved as {path} (use it with --mapping {name})").format(
            path=result.mapping_saved, name=result.mapping_saved.stem))
    if result.dry_run:
        from crmtui.services.importing.mapping import to_toml  # deferred: with the services

        out(_("the mapping used (save it as a .toml file, edit it, and pass it with --mapping FILE):"))
        out(to_toml(result.mapping, result.path.name).rstrip("\n"))
