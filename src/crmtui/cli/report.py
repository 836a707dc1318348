"""`crm report NAME`: the reports of the review (funnel, lost, sources, forecast, activity, rfm, payments, team) as
text, JSON or CSV, and the records behind any of their numbers.

Generic over services.reports.base.Report: a new report needs nothing here. The services are imported inside the
command, so no other command pays for them.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from crmtui.cli.output import confirm, fail, out, print_json
from crmtui.cli.session import find_customer, open_session
from crmtui.core.errors import InvalidInput
from crmtui.core.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from crmtui.services.context import Context
    from crmtui.services.reports.base import BarChart, Drill, Grid, Heatmap, Kind, Report, Row, Table

REPORT_NAMES = ("funnel", "lost", "sources", "forecast", "activity", "rfm", "payments", "team")
"""The names `crm report` takes (services.reports.REPORTS, repeated so that the help costs no import)."""

WIDTH = 80
"""Text output is laid out for this many columns."""
BLOCKS = " ▏▎▍▌▋▊▉█"
MANY_BARS = 31
"""A bar chart with more bars than this (a day each over months) is drawn as a line of marks, one a bar."""
SPARKS = "·▁▂▃▄▅▆▇█"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SHADES = "·░▒▓█"
"""A heatmap's day: none, then four levels up to the busiest day."""


def register(app: typer.Typer) -> None:
    """Adds `crm report` to the `crm` command."""
    app.command("report")(report)


def report(
    name: Annotated[str, typer.Argument(metavar="NAME", help=N_(
        "funnel, lost, sources, forecast, activity, rfm, payments or team."), show_default=False)],
    period: Annotated[Optional[str], typer.Option("--period", "-p", metavar="PERIOD", help=N_(
        "this week, this month (the default), this quarter, last 30 days, 2017Q2, 2017-04, 2017 or FROM..TO such "
        "as 2017-04-01..2017-06-30; Chinese too (本月, 上季度, 近30天)."))] = None,
    rep: Annotated[Optional[str], typer.Option("--rep", metavar="NAME", help=N_(
        "A rep's figures (a manager's copy), or all for the whole team."))] = None,
    json_out: Annotated[bool, typer.Option("--json", help=N_("The whole report as JSON."))] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help=N_("The report's tables as CSV, each under its title."))] = False,
    records_key: Annotated[Optional[str], typer.Option("--records", metavar="KEY", help=N_(
        "List the records behind a row or a figure: its key, as the report's last line (or --json) gives it."))] = None,
    apply: Annotated[Optional[list[str]], typer.Option("--apply", metavar="CUSTOMER", help=N_(
        "rfm: set this customer's suggested tier (repeatable)."))] = None,
    apply_all: Annotated[bool, typer.Option("--apply-all", help=N_("rfm: set every suggested tier."))] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))] = False,
) -> None:
    """A report of the review for a period: funnel and conversion, why deals are lost, sources, the forecast by
    month, activity, customer value (rfm), payments, and a manager's team."""
    if name not in REPORT_NAMES:
        fail(InvalidInput("report", "one of {names}", name, names=", ".join(REPORT_NAMES)).message(), 2)
    if json_out and csv_out:
        fail(_("--json or --csv, not both"), 2)
    if (apply or apply_all) and name != "rfm":
        fail(_("--apply and --apply-all are for crm report rfm"), 2)
    # deferred: the periods and the report's own service load for this command only
    from crmtui.core.periods import parse_period
    from crmtui.services import reports
    from crmtui.services.reports.scope import resolve

    with open_session() as ctx:
        try:
            service = reports.module(name)
        except ModuleNotFoundError:
            fail(_("the {name} report is not available yet").format(name=name))
        if apply or apply_all:
            _apply(ctx, service, apply or [], apply_all, yes, json_out)
            return
        chosen = parse_period(period, ctx.clock.today(), ctx.clock.zone)
        whose = resolve(ctx, rep) if rep is not None else None
        built: Report = service.build(ctx, chosen, whose)
        if records_key is not None:
            _print_records(ctx, built, records_key, json_out)
        elif json_out:
            print_json(report_dict(built))
        elif csv_out:
            if built.empty:
                sys.stderr.write(built.empty_text + "\n")  # on stderr: the CSV on stdout stays data only
            try:
                write_csv(built)
                sys.stdout.flush()
            except BrokenPipeError:
                # the reader stopped early (`crm report payments --csv | head`): nothing to say, and Python must not
                # try to flush the closed pipe again at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                raise typer.Exit(0) from None
        else:
            print_text(built)


def _apply(ctx: Context, service: object, refs: list[str], every: bool, yes: bool, json_out: bool) -> None:
    """rfm: sets the suggested tiers of the customers named (or of all), after asking."""
    apply_suggestions = getattr(service, "apply_suggestions", None)
    if apply_suggestions is None:
        fail(_("applying suggested tiers is not available yet"))
    ids = None if every else [find_customer(ctx, ref).id for ref in refs]
    count = len(ids) if ids is not None else None
    question = (_("Set the suggested tier of every customer whose tier differs?") if count is None else
                ngettext("Set the suggested tier of {count} customer?", "Set the suggested tier of {count} customers?",
                         count).format(count=count))
    confirm(question, yes)
    changed = apply_suggestions(ctx, ids)  # type: ignore[misc]
    if json_out:
        print_json({"changed": changed})
    else:
        out(ngettext("{count} tier set.", "{count} tiers set.", changed).format(count=changed))


# ---------------------------------------------------------------- values


def shown(value: object, kind: Kind) -> str:
    """A value as the text output shows it: the app's rule (services.reports.base.format_value), a dash for none."""
    from crmtui.services.reports.base import format_value  # deferred: with the command

    return format_value(value, kind)


def plain(value: object, kind: Kind) -> object:
    """A value for JSON and CSV: money as a decimal number of yuan, dates in ISO form, others as they are."""
    from crmtui.core.formatting import amount_number  # deferred: with the command

    if kind == "money" and isinstance(value, int | float):
        return amount_number(round(value))
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value


def _drill_dict(drill: Drill | None) -> dict[str, object] | None:
    return None if drill is None else {"kind": drill.kind, "title": drill.title, "ids": list(drill.ids)}


def report_dict(built: Report) -> dict[str, object]:
    """The whole report as plain JSON values."""
    from crmtui.services.reports.base import BarChart, Heatmap  # deferred: with the command

    charts: list[dict[str, object]] = []
    for chart in built.charts:
        if isinstance(chart, BarChart):
            charts.append({"type": "bars", "key": chart.key, "title": chart.title, "kind": chart.kind, "bars": [
                {"key": bar.name, "label": bar.label, "value": plain(bar.value, chart.kind),
                 "secondary": plain(bar.secondary, chart.kind), "drill": _drill_dict(bar.drill)}
                for bar in chart.bars]})
        elif isinstance(chart, Heatmap):
            charts.append({"type": "heatmap", "key": chart.key, "title": chart.title,
                           "days": [[day.isoformat(), count] for day, count in chart.days]})
        else:
            charts.append({"type": "grid", "key": chart.key, "title": chart.title, "rows": list(chart.row_labels),
                           "columns": list(chart.column_labels), "cells": [list(row) for row in chart.cells],
                           "row_drills": [_drill_dict(drill) for drill in chart.row_drills]})
    period = built.period
    return {
        "report": built.key,
        "title": built.title,
        "period": {"label": period.label, "first_day": period.first_day.isoformat(),
                   "last_day": period.last_day.isoformat(), "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "rep": built.rep,
        "empty": built.empty,
        "empty_text": built.empty_text,
        "notes": list(built.notes),
        "figures": [{"key": figure.key, "label": figure.label, "value": plain(figure.value, figure.kind),
                     "kind": figure.kind, "drill": _drill_dict(figure.drill)} for figure in built.figures],
        "tables": [{"key": table.key, "title": table.title,
                    "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
                    "rows": [{"key": row.key,
                              "values": {c.key: plain(v, c.kind) for c, v in zip(table.columns, row.values, strict=False)},
                              "drill": _drill_dict(row.drill),
                              **({"cell_drills": {c.key: _drill_dict(d) for c, d in
                                                  zip(table.columns, row.cell_drills, strict=False) if d is not None}}
                                 if row.cell_drills else {})}
                             for row in table.rows]} for table in built.tables],
        "charts": charts,
    }


def write_csv(built: Report) -> None:
    """Each table under a line with its title, a blank line between tables."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    for index, table in enumerate(built.tables):
        if index:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([column.label for column in table.columns])
        for row in table.rows:
            writer.writerow(["" if value is None else plain(value, column.kind)
                             for column, value in zip(table.columns, row.values, strict=False)])


# ---------------------------------------------------------------- text


def cells(text: str) -> int:
    """How many terminal columns the text takes (a Chinese character two)."""
    from crmtui.cli.help import cells as counted  # deferred: the help's module loads for `--help` only

    return counted(text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - cells(text))
    return gap + text if right else text + gap


def _cut(text: str, width: int) -> str:
    """The text in at most `width` cells, an ellipsis where it was cut."""
    if cells(text) <= width:
        return text
    while text and cells(text) > width - 1:
        text = text[:-1]
    return text + "…"


def print_text(built: Report) -> None:
    """Title and period, the figures, each table with aligned columns, the charts, the notes."""
    whose = f" · {built.rep}" if built.rep else ""
    from crmtui.core.periods import heading  # deferred: with the command

    out(f"{built.title} · {heading(built.period)}{whose}")
    if built.empty:
        from crmtui.cli.help import wrap  # deferred: the help's module loads for `--help` only

        for line in wrap(built.empty_text, WIDTH):
            out(line)
        return
    if built.figures:
        out("")
        width = min(max(cells(figure.label) for figure in built.figures), 40)
        for figure in built.figures:
            out(f"  {_pad(_cut(figure.label, width), width)}  {shown(figure.value, figure.kind)}")
    for table in built.tables:
        out("")
        _print_table(table.title, [column.label for column in table.columns],
                     [[shown(value, column.kind) for column, value in zip(table.columns, row.values, strict=False)]
                      for row in table.rows],
                     [column.kind not in ("text", "date") for column in table.columns])
    from crmtui.services.reports.base import BarChart, Heatmap  # deferred: with the command

    for chart in built.charts:
        out("")
        if isinstance(chart, BarChart):
            _print_bars(chart)
        elif isinstance(chart, Heatmap):
            _print_heatmap(chart)
        else:
            _print_grid(chart)
    from crmtui.cli.help import wrap  # deferred: the help's module loads for `--help` only

    if built.notes:
        out("")
        for note in built.notes:
            for line in wrap(note, WIDTH):
                out(line)
    keys = [row.key for table in built.tables for row in table.rows if not _is_record_id(row)]
    named = [(table.title, _row_name(table, row)) for table in built.tables for row in table.rows
             if _is_record_id(row) and _row_name(table, row)]
    parts = [", ".join(dict.fromkeys(keys))] if keys else []
    parts += [_("a row of {table}: a name or number in it, such as {example}").format(table=title, example=example)
              for title, example in dict(reversed(named)).items()]
    if parts:
        out("")
        for line in wrap(_("Records behind a row: crm report {name} --records KEY ({keys})").format(
                name=built.key, keys="; ".join(parts)), WIDTH):
            out(line)


def _is_record_id(row: Row) -> bool:
    """Whether a row's key is a record's id (a customer's, an instalment's): no key a rep would type."""
    return bool(row.drill and row.key in row.drill.ids) or bool(_UUID.fullmatch(row.key))


def _row_name(table: Table, row: Row) -> str:
    """How a rep names a row whose key is an id: its text in the table's most telling column (the one of the most
    different values: a customer's name rather than a deal's, which repeat)."""
    texts = [index for index, column in enumerate(table.columns) if column.kind == "text"]
    if not texts:
        return ""
    best = max(texts, key=lambda index: (len({str(other.values[index]) for other in table.rows
                                              if index < len(other.values)}), -index))
    value = row.values[best] if best < len(row.values) else None
    return str(value) if value else ""


def _fit(headers: list[str], rows: list[list[str]], right: list[bool]) -> tuple[list[int], list[list[str]]]:
    """Column widths within WIDTH and the header lines: a header longer than its values wraps onto more lines
    (the values are never cut for it); when that is not enough, the widest text columns give way, cut with "…"."""
    from crmtui.cli.help import wrap  # deferred: the help's module loads for `--help` only

    values = [max((cells(row[index]) for row in rows), default=0) for index in range(len(headers))]
    widths = [max(value, cells(header)) for value, header in zip(values, headers, strict=True)]
    room = WIDTH - 2 - 2 * (len(widths) - 1)
    from crmtui.cli.help import _TOKEN  # deferred: with wrap

    # a header breaks between words, or between wide characters (a Chinese header of no spaces)
    floors = [max(value, *(cells(token.strip()) for token in _TOKEN.findall(header) or [""]))
              for value, header in zip(values, headers, strict=True)]
    while sum(widths) > room:  # the longest header that can wrap gives a column at a time
        wrappable = [index for index, width in enumerate(widths) if width > floors[index]]
        if not wrappable:
            break
        widths[max(wrappable, key=lambda index: widths[index])] -= 1
    texts = [index for index, numeric in enumerate(right) if not numeric]
    while sum(widths) > room and texts:
        widest = max(texts, key=lambda index: widths[index])
        if widths[widest] <= 8:
            break
        widths[widest] -= 1
    lines = [wrap(header, width) or [""] for header, width in zip(headers, widths, strict=True)]
    height = max(len(parts) for parts in lines)
    header_rows = [[parts[row - (height - len(parts))] if row >= height - len(parts) else "" for parts in lines]
                   for row in range(height)]
    return widths, header_rows


def _print_table(title: str, headers: list[str], rows: list[list[str]], right: list[bool]) -> None:
    out(title)
    if not rows:
        out("  " + _("(none)"))
        return
    widths, header_rows = _fit(headers, rows, right)
    for line in [*header_rows, *rows]:
        out("  " + "  ".join(_pad(_cut(text, width), width, align)
                             for text, width, align in zip(line, widths, right, strict=False)).rstrip())


def _print_bars(chart: BarChart) -> None:
    out(chart.title)
    if not chart.bars:
        out("  " + _("(none)"))
        return
    if len(chart.bars) > MANY_BARS:
        _print_spark(chart)
        return
    labels = [_cut(bar.label, 20) for bar in chart.bars]
    values = [shown(bar.value, chart.kind) + ("" if bar.secondary is None else f" · {shown(bar.secondary, chart.kind)}")
              for bar in chart.bars]
    label_width = max(cells(label) for label in labels)
    value_width = max(cells(value) for value in values)
    room = max(10, WIDTH - 2 - label_width - 2 - 2 - value_width)
    top = max((abs(float(bar.value)) for bar in chart.bars), default=0) or 1
    for label, value, bar in zip(labels, values, chart.bars, strict=True):
        eighths = round(abs(float(bar.value)) / top * room * 8)
        drawn = "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")
        out(f"  {_pad(label, label_width)}  {_pad(drawn, room)}  {_pad(value, value_width, True)}")


def _print_spark(chart: BarChart) -> None:
    """Many bars (a day each over months): one mark a bar, its height by its value, a line of them under the
    label of its first bar."""
    top = max((abs(float(bar.value)) for bar in chart.bars), default=0)
    labels = [_cut(bar.label, 20) for bar in chart.bars]
    width = max(cells(label) for label in labels)
    each = max(10, WIDTH - 2 - width - 2)
    for first in range(0, len(chart.bars), each):
        marks = "".join(SPARKS[0] if not bar.value or not top else
                        SPARKS[1 + min(7, int(abs(float(bar.value)) / top * 8 - 1e-9))]
                        for bar in chart.bars[first:first + each])
        out(f"  {_pad(labels[first], width)}  {marks}")
    out("  " + _("one mark each, {none} none, {most} the most ({top})").format(
        none=SPARKS[0], most=SPARKS[-1], top=shown(max((bar.value for bar in chart.bars), key=abs), chart.kind)))


def _print_heatmap(chart: Heatmap) -> None:
    """One line a month, one character a day, shaded by its count against the busiest day."""
    from crmtui.services.reports.base import shade  # deferred: with the command

    out(chart.title)
    top = max((count for _day, count in chart.days), default=0)
    months: dict[str, list[str]] = {}
    for day, count in chart.days:
        level = shade(count, top)
        months.setdefault(f"{day:%Y-%m}", []).append(SHADES[level])
    for month, shades in months.items():
        out(f"  {month}  {''.join(shades)}")
    out("  " + _("one mark a day: {none} none, {most} the busiest ({top})").format(none=SHADES[0], most=SHADES[4],
                                                                                  top=top))


def _print_grid(chart: Grid) -> None:
    """Rows × columns of counts: a shade a cell, the columns named at both ends."""
    from crmtui.services.reports.base import shade  # deferred: with the command

    out(chart.title)
    if not chart.row_labels:
        out("  " + _("(none)"))
        return
    top = max((count for row in chart.cells for count in row), default=0)
    labels = [_cut(label, 24) for label in chart.row_labels]
    width = max(cells(label) for label in labels)
    if chart.column_labels:
        out(f"  {_pad('', width)}  {chart.column_labels[0]} .. {chart.column_labels[-1]}")
    for label, row in zip(labels, chart.cells, strict=False):
        marks = "".join(SHADES[shade(count, top)] for count in row)
        out(f"  {_pad(label, width)}  {marks}")


# ---------------------------------------------------------------- records


def drills(built: Report) -> dict[str, Drill]:
    """Every drill of the report by the key `--records` names it: figures by their key, rows by theirs and as
    TABLE/ROW, a row's numbers as ROW/COLUMN, bars as CHART/KEY (the bar's key, else its label). A bare key is the
    first thing that has it (a later table's row of the same key is reached as TABLE/ROW)."""
    named: dict[str, Drill] = {}

    def add(key: str, drill: Drill | None) -> None:
        if drill is not None:
            named.setdefault(key, drill)

    for figure in built.figures:
        add(figure.key, figure.drill)
    for table in built.tables:
        for row in table.rows:
            add(row.key, row.drill)
            add(f"{table.key}/{row.key}", row.drill)
            for column, drill in zip(table.columns, row.cell_drills, strict=False):
                add(f"{row.key}/{column.key}", drill)
    from crmtui.services.reports.base import BarChart  # deferred: with the command

    for chart in built.charts:
        if isinstance(chart, BarChart):
            for bar in chart.bars:
                add(f"{chart.key}/{bar.name}", bar.drill)
    return named


def _named_row(built: Report, ref: str) -> Drill | None:
    """The drill of the row whose key is a record's id and whose text (a customer's name, a contract number) is
    `ref`: the id's first 8 characters or more, the same text exactly, else the one row whose text contains it;
    several rows: Ambiguous lists them."""
    from crmtui.core.errors import Ambiguous, Match  # deferred: with the command

    wanted = ref.strip().casefold()
    if not wanted:
        return None
    rows = [(table, row) for table in built.tables for row in table.rows if row.drill and _is_record_id(row)]

    def texts(table: Table, row: Row) -> list[str]:
        return [str(value).casefold() for column, value in zip(table.columns, row.values, strict=False)
                if column.kind == "text" and value]

    by_id = [row for _table, row in rows if len(wanted) >= 8 and row.key.startswith(wanted)]
    if len(by_id) == 1:
        return by_id[0].drill
    for test in (lambda text: text == wanted, lambda text: wanted in text):
        matches = [(table, row) for table, row in rows if any(test(text) for text in texts(table, row))]
        if len(matches) == 1:
            return matches[0][1].drill
        if matches:
            kind = "customer" if all(row.drill and row.drill.kind == "customers" for _t, row in matches) else "record"
            raise Ambiguous(kind, ref, [Match(row.key, " · ".join(_telling(table, row))) for table, row in matches])
    return None


def _telling(table: Table, row: Row) -> list[str]:
    """A row's two first texts that tell it apart (its name, a contract number or a segment), not a tier's letter."""
    return [str(value) for column, value in zip(table.columns, row.values, strict=False)
            if column.kind == "text" and value and cells(str(value)) > 3][:2]


def _print_records(ctx: Context, built: Report, key: str, json_out: bool) -> None:
    from crmtui.core.formatting import amount_number, format_amount  # deferred: with the command
    from crmtui.services.reports.records import records  # deferred: with the command

    found = drills(built)
    drill = found.get(key) or _named_row(built, key)
    if drill is None and built.empty:
        fail(built.empty_text)
    if drill is None:
        shown_keys = [name for name in found if not _UUID.search(name)]
        raise InvalidInput("records", "one of {keys}, or a name in a row", key, keys=", ".join(shown_keys) or "-")
    lines = records(ctx, drill)
    if json_out:
        print_json({"title": drill.title, "kind": drill.kind, "records": [
            {"id": line.id, "name": line.name, "customer_id": line.customer_id, "customer": line.customer,
             "state": line.state, "amount": amount_number(line.amount_cents),
             "day": line.day.isoformat() if line.day else None} for line in lines]})
        return
    out(f"{drill.title} ({len(lines)})")
    if not lines:
        out(_("(none)"))
        return
    for line in lines:
        parts = [line.name] if drill.kind == "customers" else [line.customer, line.name]
        parts += [line.state, format_amount(line.amount_cents), line.day.isoformat() if line.day else ""]
        out(f"{line.id[:8]}  " + "  ·  ".join(part for part in parts if part))
