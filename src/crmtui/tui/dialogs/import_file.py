"""Import… in the app: a file picked by its path (Tab completes it), what was detected in it (format, encoding,
sheet, the kind of record, which column goes to which field) and a dry run's counts, then the import itself on
Ctrl+S or the Import button.

Both the dry run and the import are the `crm import` services, run in thread workers: the screen never touches the
book. The import is one transaction, so stopping it (Esc, then yes) stores nothing of it; a dry run stores nothing
at all. The folder of the last file read is remembered in a small file beside the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, Select, Static, TextArea
from textual.worker import get_current_worker

from crmtui.core import labels, paths
from crmtui.core.errors import CrmError
from crmtui.core.i18n import N_, _, ngettext
from crmtui.core.normalize import visible
from crmtui.services.importing.mapping import KINDS
from crmtui.services.importing.words import KIND_WORDS, added_lines, refusal_line, summary_lines
from crmtui.tui.base import CrmScreenMixin
from crmtui.tui.dialogs.confirm import ConfirmScreen
from crmtui.tui.widgets.cells import fit
from crmtui.tui.widgets.path_input import PathInput, expand

if TYPE_CHECKING:
    from crmtui.services.importing.run import ImportResult

SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".vcf", ".vcard")
"""The files the import reads (a .txt or .tsv is read as CSV): the only ones Tab offers, and the only ones taken."""
ON_DUPLICATE = {"skip": N_("skip"), "merge": N_("merge"), "create": N_("create")}
ENCODINGS = ("utf-8", "gbk", "gb18030", "utf-16")
"""The encodings the rep may pick when the one detected is wrong (Excel and WPS on a Chinese Windows save GBK)."""
FIELD_KEYS = {"decision-maker": "decision_maker", "next": "next_at", "next-plan": "next_plan", "met": "goal_met",
              "lost-reason": "lost_reason", "close": "close", "probability": "probability"}
"""The import's field names that the app's labels know by another key."""
FIELD_LABELS = {"external_id": N_("ID in the other system"), "id": N_("ID in crmtui (its own export)"),
                "first-name": N_("Given name"),
                "last-name": N_("Family name"), "type": N_("Person or company"), "created": N_("Opened on"),
                "closed": N_("Closed on"), "at": N_("When")}
"""Labels of the import's fields that no form has."""
"""What a row that repeats a record does (the services' choices, in the rep's words)."""
SHOWN_REFUSALS = 5
"""Refused rows listed under the counts (all are counted; the rejects file has every one)."""
COLUMN_WIDTH = 24
"""Cells a source column's name takes at most in the mapping."""
LAST_FOLDER_FILE = "last-import-folder.txt"


def last_folder_file() -> Path:
    """Where the folder of the last file read is kept (beside the database: it is this book's state)."""
    return paths.data_dir() / LAST_FOLDER_FILE


def shown_path(path: Path) -> str:
    """A path as typed by a rep: `~/…` under the home folder."""
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home)) if path != home else "~"
    except ValueError:
        return str(path)


def starting_text() -> str:
    """What the path field holds as the dialog opens: the last folder used (if it still exists), else the folder
    `crm` was started from (where the rep's file most likely is, as for `crm import`), else the home."""
    try:
        folder: Path | None = Path(last_folder_file().read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        folder = None
    if folder is None or not folder.is_dir():
        try:
            folder = Path.cwd()
        except OSError:  # the folder was removed since crm started
            return "~/"
    return shown_path(folder).rstrip("/") + "/"


def remember_folder(folder: Path) -> None:
    """Keeps the folder for the next import; a folder that cannot be written to only loses the convenience."""
    try:
        last_folder_file().parent.mkdir(parents=True, exist_ok=True)
        last_folder_file().write_text(str(folder), encoding="utf-8")
    except OSError:
        pass


def refusal(text: str) -> str | None:
    """Why the typed path cannot be imported (no file, a folder, a type the import does not read), else None."""
    path = expand(text)
    if not text.strip():
        return _("File: type the path of a .csv, .xlsx or .vcf file (Tab completes it)")
    if not path.exists():
        return _("{path}: no such file").format(path=text.strip())
    if path.is_dir():
        return _("{path}: a folder, not a file").format(path=text.strip())
    if path.suffix.casefold() not in SUFFIXES and path.suffix.casefold() != ".xls":  # .xls: the import says what to do
        return _("{path}: not a file crmtui imports (.csv, .xlsx, .vcf or .txt)").format(path=text.strip())
    return None


def field_words(field: str, unknown: bool, kind: str | None = None) -> str:
    """Where a column goes, as the rep reads it in the mapping: the field's label, with the import's name for it
    in brackets where that differs (the name a mapping file or `--map` uses)."""
    if field == "note":
        return _("kept in a note (not recognised)") if unknown else _("kept in a note")
    if field == "notes":
        return _("the note's text")
    if field == "ignore":
        return _("ignored")
    if field in FIELD_LABELS:
        label = _(FIELD_LABELS[field])
    elif field == "title":
        label = labels.column("deal" if kind == "deals" else "contact", "title")
    else:
        label = labels.field(FIELD_KEYS.get(field, field))
    return label if label.casefold() == field.casefold() else f"{label} ({field})"


def mapping_lines(result: ImportResult) -> list[str]:
    """Each column of the file and where it goes, the columns' names padded by display cells (Chinese aligns)."""
    columns = result.mapping.columns
    width = min(COLUMN_WIDTH, max((cell_len(column) for column in columns), default=0))
    return [f"  {fit(column, width)}  → {field_words(field, column in result.mapping.unknown, result.kind)}"
            for column, field in columns.items()]


def count_lines(result: ImportResult) -> list[str]:
    """What the run did (or would do): the counts, the records added beside them, the first refusals."""
    lines = summary_lines(result)
    lines += ["  " + line for line in added_lines(result)]
    if result.refusals:
        lines.append(_("refused:"))
        for refused in result.refusals[:SHOWN_REFUSALS]:
            lines.append("  " + refusal_line(refused.row, refused.column, refused.reason))
        if result.refused > SHOWN_REFUSALS:
            lines.append("  " + _("... and {count} more").format(count=result.refused - SHOWN_REFUSALS))
    if result.team_check:  # offline, or the day's budget used up: checked against this laptop's book only
        lines.append(result.team_check)
    return lines


class _Stopped(Exception):
    """Raised from the progress callback to end a run: the import's transaction rolls back."""


class ImportDialog(CrmScreenMixin, ModalScreen[None]):
    """Path (Tab completes), kind and duplicates, then what the dry run found; Ctrl+S imports. Esc closes (while
    importing it asks first: stopping stores nothing of the import)."""

    BINDINGS = [
        Binding("ctrl+s", "run_import", N_("Import"), id="save-import"),
        Binding("escape", "close", N_("Close"), id="close-import"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.previewed: ImportResult | None = None
        """The dry run shown (of the file, kind and duplicates choice now in the fields)."""
        self.done: ImportResult | None = None
        self.reading: Path | None = None
        """The file of the last dry run started: another kind or duplicates choice reads it again."""
        self.kind_picked = False
        """The rep chose the kind: until then each file is read as the kind it suggests (a .vcf: contacts)."""
        self.generation = 0
        """Counts the runs started: an answer of an older run (the rep changed something since) is dropped."""
        self.importing = False
        self.stop = threading.Event()
        """Set when the rep stops the import: the next progress report ends it, and nothing of it is stored."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="import-dialog"):
            yield Static(_("Import a file"), classes="title")
            with Horizontal(classes="import-row"):
                yield Label(_("File"), classes="label")
                yield PathInput(starting_text(), suffixes=SUFFIXES, id="import-path", compact=True,
                                select_on_focus=False, placeholder=_("a .csv, .xlsx or .vcf file"))
            yield Static("", id="import-message", classes="hint", markup=False)
            with Horizontal(classes="import-row"):
                yield Label(_("Kind"), classes="label")
                yield Select([(_(KIND_WORDS.get(kind, kind)), kind) for kind in KINDS], id="import-kind",
                             prompt=_("as detected"), compact=True)
                yield Label(_("Duplicates"), classes="label", id="import-duplicates-label")
                yield Select([(_(words), choice) for choice, words in ON_DUPLICATE.items()], id="import-duplicates",
                             allow_blank=False, value="skip", compact=True)
            with Horizontal(classes="import-row"):  # a row of its own: three choices do not fit 80 columns
                yield Label(_("Encoding"), classes="label", id="import-encoding-label")
                yield Select([(name, name) for name in ENCODINGS], id="import-encoding", prompt=_("as detected"),
                             compact=True)
            with VerticalScroll(id="import-details"):
                yield Static("", id="import-summary", markup=False)
                yield Static("", id="import-mapping", markup=False)
            yield ProgressBar(id="import-progress", show_eta=False)
            with Horizontal(classes="import-row", id="import-rejects-row"):
                yield Label(_("Rejects"), classes="label")
                yield TextArea("", id="import-rejects", read_only=True, compact=True, show_line_numbers=False)
            with Horizontal(classes="import-row", id="import-buttons"):
                yield Button(_("Import"), id="import-go", compact=True, disabled=True)
            yield Static(_("Tab completes · Enter reads the file · Ctrl+S imports · Esc closes"), classes="hint",
                         id="import-hint")

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-rejects-row").display = False
        path_input = self.query_one(PathInput)
        path_input.focus()
        path_input.cursor_position = len(path_input.value)

    # ------------------------------------------------------------------ the path

    def say(self, text: str, error: bool = False) -> None:
        """One line under the path: what is going on, or (error) why the file cannot be read."""
        message = self.query_one("#import-message", Static)
        message.update(visible(text))  # it names the rep's files: a control character in a name is shown, not run
        message.set_class(error, "error")

    @on(PathInput.Candidates)
    def listed(self, event: PathInput.Candidates) -> None:
        if len(event.names) > 1:
            self.say("  ".join(event.names))
        elif (not event.names and event.path_input.value.strip() and not expand(event.path_input.value).is_file()
              and not expand(event.path_input.value).is_dir()):  # Tab just completed a folder: Tab again lists it
            self.say(_("nothing here matches: a folder, or a .csv, .xlsx, .vcf or .txt file"))
        else:
            self.say("")

    @on(PathInput.Submitted, "#import-path")
    def read_file(self) -> None:
        self.start_dry_run()

    @on(Select.Changed, "#import-kind")
    def kind_changed(self, event: Select.Changed) -> None:
        """A kind the rep picks is kept (for this file and the next); the dry run runs again with it."""
        if event.value is Select.NULL or self.previewed is not None and event.value == self.previewed.kind:
            return  # none yet, or the kind the dry run found, set in the field as its answer came
        self.kind_picked = True
        self.read_again()

    @on(Select.Changed, "#import-duplicates")
    @on(Select.Changed, "#import-encoding")
    def duplicates_changed(self) -> None:
        self.read_again()

    def read_again(self) -> None:
        """The dry run again with the choices now in the fields, once a file was read (not after the import)."""
        if self.reading is not None and not self.importing and self.done is None:
            self.start_dry_run()

    def chosen(self) -> tuple[str | None, str]:
        """(the kind the rep picked, None to let the file suggest it; the duplicates choice)."""
        kind = self.query_one("#import-kind", Select).value
        duplicates = self.query_one("#import-duplicates", Select).value
        return (str(kind) if self.kind_picked and kind in KINDS else None), str(duplicates)

    def encoding(self) -> str | None:
        """The encoding the rep picked, None to let the file's bytes say."""
        picked = self.query_one("#import-encoding", Select).value
        return str(picked) if picked in ENCODINGS else None

    def start_dry_run(self) -> None:
        """Checks the path, then runs the dry run in a worker (the previous one, if still going, is stopped)."""
        if self.importing or self.done is not None:
            return
        text = self.query_one(PathInput).value
        problem = refusal(text)
        if problem:
            self.say(problem, error=True)
            return
        path = expand(text).resolve()
        chosen_kind, duplicates = self.chosen()
        self.reading = path
        self.generation += 1
        self.previewed = None
        self.query_one("#import-go", Button).disabled = True
        for shown in self.query("#import-summary, #import-mapping").results(Static):
            shown.update("")  # they told of other choices: never left beside a refusal of these
        self.say(_("reading {file}…").format(file=path.name))
        remember_folder(path.parent)
        self.dry_run(path, chosen_kind, duplicates, self.encoding(), self.generation)

    @work(thread=True, exclusive=True, group="import-dry-run", exit_on_error=False)
    def dry_run(self, path: Path, kind: str | None, duplicates: str, encoding: str | None, generation: int) -> None:
        """The file read and checked row by row as the import would, storing nothing."""
        # deferred: the import's services bring SQLModel and the readers (about 0.5 s), loaded in this thread the
        # first time a file is read, not on the event loop as the dialog opens
        from crmtui.services.importing.run import Options, prepare, run_import

        worker = get_current_worker()
        options = Options(kind=kind, on_duplicate=duplicates, dry_run=True, encoding=encoding)
        self._run(generation, lambda progress: run_import(self.crm.ctx, path, options, progress,
                                                          self._prepared(generation, prepare, path, options)),
                  lambda: worker.is_cancelled, self.show_dry_run)

    def _prepared(self, generation: int, prepare: Callable[..., tuple], path: Path, options: object) -> tuple:
        """The file opened and mapped; the progress bar gets its length (about how many rows)."""
        prepared = prepare(self.crm.ctx, path, options)
        self.app.call_from_thread(self.show_progress, generation, 0, prepared[0].total())
        return prepared

    def _run(self, generation: int, run: Callable[[Callable[[int], None]], ImportResult],
             stopped: Callable[[], bool], then: Callable[[int, ImportResult], None]) -> None:
        """Runs the import's service with a progress report that also ends it when `stopped()` says so; the
        outcome goes back to the event loop."""
        def progress(done: int) -> None:
            if stopped():
                raise _Stopped
            self.app.call_from_thread(self.show_progress, generation, done, None)

        try:
            result = run(progress)
        except _Stopped:
            self.app.call_from_thread(self.ended, generation, _("Import stopped: nothing of it was stored"), False)
            return
        except CrmError as exc:
            # the import's messages name the command line's option; here the rep picks the encoding in a field
            message = exc.message().replace("--encoding", _("the Encoding field"))
            self.app.call_from_thread(self.ended, generation, message, True)
            return
        except Exception:
            self.app.call_from_thread(self.ended, generation, _("The import failed: nothing of it was stored"), True)
            raise  # the screen's worker handler says what went wrong
        self.app.call_from_thread(then, generation, result)

    def show_progress(self, generation: int, done: int, total: int | None) -> None:
        if generation != self.generation:
            return
        bar = self.query_one("#import-progress", ProgressBar)
        if total is not None:
            bar.update(total=total or None, progress=0)
        else:
            bar.update(progress=done)
        bar.display = True

    def ended(self, generation: int, message: str, error: bool) -> None:
        """A run that stopped or was refused: nothing of it was stored; the dialog can read a file again."""
        if generation != self.generation:
            return
        self.importing = False
        self.query_one("#import-progress").display = False
        self.say(message, error=error)
        self.query_one("#import-go", Button).disabled = self.previewed is None or not self._rows(self.previewed)

    def show_dry_run(self, generation: int, result: ImportResult) -> None:
        if generation != self.generation:
            return
        self.previewed = result
        self.query_one("#import-progress").display = False
        self.say("")
        kind_select = self.query_one("#import-kind", Select)
        if kind_select.value != result.kind and result.kind in KINDS:
            kind_select.value = result.kind  # the kind the file was read as (a .vcf: contacts)
        self.query_one("#import-summary", Static).update(visible("\n".join(count_lines(result))))
        self.query_one("#import-mapping", Static).update(visible("\n".join([_("columns:"), *mapping_lines(result)])))
        rows = self._rows(result)
        button = self.query_one("#import-go", Button)
        button.label = ngettext("Import {count} row", "Import {count} rows", rows).format(count=rows)
        button.refresh(layout=True)  # a label is no layout change to Textual: a longer one would be cut
        button.disabled = rows == 0

    @staticmethod
    def _rows(result: ImportResult) -> int:
        """The rows an import would store: those created and those merged."""
        return result.created + result.merged

    # ------------------------------------------------------------------ the import

    @on(Button.Pressed, "#import-go")
    def pressed(self) -> None:
        self.action_run_import()

    def action_run_import(self) -> None:
        if self.importing:
            return
        if self.done is not None:
            self.dismiss(None)
            return
        shown = self.previewed
        text = self.query_one(PathInput).value
        if shown is None or refusal(text) is not None or expand(text).resolve() != shown.path:
            self.start_dry_run()  # what the import will do is shown first
            return
        rows = self._rows(shown)
        if rows == 0:
            self.say(_("nothing to import: every row would be skipped or refused"), error=True)
            return
        kind, duplicates = self.chosen()
        self.importing = True
        self.stop.clear()
        self.generation += 1
        self.query_one("#import-go", Button).disabled = True
        self.say(_("importing {file}…").format(file=shown.path.name))
        self.import_rows(shown.path, kind or shown.kind, duplicates, self.encoding(), self.generation)

    @work(thread=True, exclusive=True, group="import-run", exit_on_error=False)
    def import_rows(self, path: Path, kind: str, duplicates: str, encoding: str | None, generation: int) -> None:
        """The import itself, in one transaction: the good rows stored, the refused ones written to the rejects
        file."""
        # deferred: as in dry_run
        from crmtui.services.importing.run import Options, prepare, run_import

        options = Options(kind=kind, on_duplicate=duplicates, encoding=encoding)
        self._run(generation, lambda progress: run_import(self.crm.ctx, path, options, progress,
                                                          self._prepared(generation, prepare, path, options)),
                  self.stop.is_set, self.imported)

    def imported(self, generation: int, result: ImportResult) -> None:
        if generation != self.generation:
            return
        self.importing = False
        self.done = result
        self.query_one("#import-progress").display = False
        lines = summary_lines(result)
        if self.stop.is_set():
            lines.insert(0, _("The import had finished before it could be stopped: it is stored."))
        self.query_one("#import-summary", Static).update(visible("\n".join(lines)))
        if result.rejects is not None:
            # the path in a field of its own: the rep selects it and copies it (Ctrl+C), to open it later
            self.say(_("the refused rows are in the file below: fix them there, then import it"))
            rejects = self.query_one("#import-rejects", TextArea)
            rejects.text = str(result.rejects)
            rejects.select_all()  # Tab to it, Ctrl+C: copied
            self.query_one("#import-rejects-row").display = True
        else:
            self.say(_("done"))
        self.query_one("#import-hint", Static).update(
            _("Enter or Esc closes · Tab to the rejects path, then Ctrl+C copies it")
            if result.rejects is not None else _("Enter or Esc closes"))
        button = self.query_one("#import-go", Button)
        button.label = _("Close")
        button.refresh(layout=True)
        button.disabled = False
        button.focus()
        self.crm.refresh_data()  # Today and the other screens read the book again

    def action_close(self) -> None:
        if not self.importing:
            self.generation += 1  # a dry run still going is dropped (it stores nothing)
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes and self.importing:
                self.stop.set()
                self.say(_("stopping…"))

        self.app.push_screen(ConfirmScreen(_("Stop the import? It is one transaction: nothing of it will be"
                                             " stored.")), answered)


def open_import(app: App[Any]) -> None:
    """Opens the dialog over whatever screen is shown (Today's `i`, the palette's Import…)."""
    if not isinstance(app.screen, ImportDialog):
        app.push_screen(ImportDialog())
