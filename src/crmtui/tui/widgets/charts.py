"""Charts drawn in the terminal with Rich text for the Reports screen: headline figures, bars, a GitHub-style
calendar heatmap and a grid of shaded cells, in the theme's colours. Nothing to load beyond Textual and Rich
(a plotting library would add its import to the screen's first opening and draws bars no better at 80x24).

Bars and cells are coloured spaces, not block characters: those are of ambiguous width and misalign beside
Chinese text in a terminal that draws them wide."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crmtui.core import i18n
from crmtui.core.i18n import _
from crmtui.tui.widgets.cells import fit

if TYPE_CHECKING:
    from textual.app import App

    from crmtui.services.reports.base import BarChart, Drill, Figure, Grid, Heatmap, Kind

SHADES = (0.0, 0.3, 0.55, 0.8, 1.0)
"""How much of the accent colour each of the five levels mixes into the background (0: no activity)."""


def format_value(value: object, kind: Kind, *, short: bool = False) -> str:
    """A report's value as the rep reads it, by the same rule as `crm report` (services.reports.base.format_value);
    short money (1.2M / 12万) in the rep's language, no value as a dash."""
    from crmtui.services.reports.base import format_value as formatted  # deferred: the reports' code loads with them

    return formatted(value, kind, short=short, lang=i18n.language, blank="—")


class Palette:
    """The theme's colours the charts mix: the background, the muted text, the bar and shade colours."""

    def __init__(self, app: App[object]) -> None:
        variables = app.get_css_variables()
        self.background = Color.parse(variables.get("background", "#000000"))
        self.foreground = Color.parse(variables.get("foreground", "#ffffff"))
        self.bar = Color.parse(variables.get("primary", "#0178d4"))
        self.heat = Color.parse(variables.get("success", "#4ebf71"))

    def shade(self, level: int) -> Style:
        """The background of a heat cell at level 0 (none) to 4 (the busiest)."""
        if level <= 0:
            color = self.background.blend(self.foreground, 0.1)
        else:
            color = self.background.blend(self.heat, SHADES[min(level, 4)])
        return Style(bgcolor=color.rich_color)

    def bar_style(self, strong: bool) -> Style:
        """A bar's cells: the whole value strong, the part beyond its secondary (weighted) value faint."""
        return Style(bgcolor=(self.bar if strong else self.background.blend(self.bar, 0.4)).rich_color)


class FigureCard(Static):
    """One headline figure: its label over its value; Enter lists the records behind it when it has some (only
    such a figure takes the focus, so Tab goes from number to number that opens)."""

    def __init__(self, figure: Figure) -> None:
        super().__init__(classes="figure" + (" drillable" if figure.drill else ""))
        self.figure = figure
        self.drill: Drill | None = figure.drill
        self.can_focus = figure.drill is not None

    def render(self) -> Text:
        width = max(4, self.content_region.width or 20)
        text = Text(fit(self.figure.label, width), style="dim", no_wrap=True)
        text.append("\n")
        text.append(fit(format_value(self.figure.value, self.figure.kind), width), style="bold")
        return text


def bar_lines(chart: BarChart, width: int, palette: Palette) -> list[Text]:
    """One line a bar: its label, the bar scaled to the largest value, the value (and the secondary after /,
    the chart's title says what it is)."""
    short = chart.kind == "money"
    values = []
    for bar in chart.bars:
        shown = format_value(bar.value, chart.kind, short=short)
        if bar.secondary is not None:
            shown += " / " + format_value(bar.secondary, chart.kind, short=short)
        values.append(shown)
    label_width = min(max((cell_len(bar.label) for bar in chart.bars), default=0), max(8, width // 3))
    value_width = max((cell_len(value) for value in values), default=0)
    room = max(4, width - label_width - value_width - 4)
    most = max((max(bar.value, bar.secondary or 0) for bar in chart.bars), default=0)
    lines = []
    for bar, value in zip(chart.bars, values, strict=True):
        cells = round(room * bar.value / most) if most > 0 and bar.value > 0 else 0
        cells = max(cells, 1) if bar.value > 0 else 0
        strong = cells if bar.secondary is None else min(cells, round(room * bar.secondary / most) if most else 0)
        line = Text(no_wrap=True)
        line.append(fit(bar.label, label_width) + " ")
        line.append(" " * strong, style=palette.bar_style(True))
        line.append(" " * (cells - strong), style=palette.bar_style(False))
        line.append(" " * (room - cells + 1))
        line.append(fit(value, value_width, right=True), style="bold")
        lines.append(line)
    return lines


class BarChartView(OptionList):
    """A bar chart, a bar a row; Enter on a bar lists the records it counts (the screen hears OptionSelected)."""

    def __init__(self, chart: BarChart) -> None:
        super().__init__(classes="chart bars")
        self.chart = chart

    def drill_at(self, index: int) -> Drill | None:
        return self.chart.bars[index].drill if 0 <= index < len(self.chart.bars) else None

    def on_mount(self) -> None:
        self.draw()

    def on_resize(self) -> None:
        self.draw()

    def draw(self) -> None:
        width = self.scrollable_content_region.width or 76
        highlighted = self.highlighted
        self.set_options([Option(line) for line in bar_lines(self.chart, width - 2, Palette(self.app))])
        if self.chart.bars:
            self.highlighted = highlighted if highlighted is not None else 0


WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _weekday_label(index: int) -> str:
    if i18n.language == "zh":
        return ("一", "", "三", "", "五", "", "")[index]
    return WEEKDAYS[index]


def _month_label(month: int, roomy: bool) -> str:
    """A month over the heatmap's weeks: "Jan", "1月"; in Chinese with one cell a week, the number alone (the
    line starts with 月), as "10月" is wider than October's four weeks."""
    if i18n.language == "zh":
        return f"{month}月" if roomy else str(month)
    return MONTHS[month - 1]


def heatmap_lines(heatmap: Heatmap, width: int, palette: Palette) -> list[Text]:
    """The calendar: month names over the weeks, a row a weekday (Monday first), a column a week, each day
    shaded by its count; then the legend and the total. A day cell is 2 coloured cells and a gap when the
    weeks fit so, else one cell (80 and 100 columns: 53 weeks in 53 cells)."""
    from crmtui.services.reports.base import shade as shade_of  # deferred: with the reports' code

    if not heatmap.days:
        return []
    counts = dict(heatmap.days)
    first, last = heatmap.days[0][0], heatmap.days[-1][0]
    start = first - timedelta(days=first.weekday())
    weeks = (last - start).days // 7 + 1
    label_width = max(cell_len(_weekday_label(index)) for index in range(7)) + 1
    cell = 3 if label_width + weeks * 3 <= width else 2 if label_width + weeks * 2 <= width else 1
    most = max(counts.values(), default=0)
    names: list[tuple[int, str]] = []  # (cell, month name) over the week a month starts in
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        sunday = monday + timedelta(days=6)
        if week == 0 or monday.month != sunday.month or monday.day == 1:
            shown = max(first, monday) if week == 0 else monday if monday.day == 1 else sunday
            names.append((week * cell, _month_label(shown.month, cell > 1)))
    unit = "月" if i18n.language == "zh" and cell == 1 else ""
    months = Text(fit(unit, label_width), style="dim", no_wrap=True)
    used = 0  # cells of the month line written so far, after the labels' column
    for index, (at, name) in enumerate(names):
        following = names[index + 1][0] if index + 1 < len(names) else weeks * cell
        # a name needs a cell of space after it; the first (a month begun before the span) gives way to the next
        if at >= used and (at + cell_len(name) < following or index + 1 == len(names)) \
                and at + cell_len(name) <= weeks * cell:
            months.append(" " * (at - used) + name)
            used = at + cell_len(name)
    lines = [months]
    for weekday in range(7):
        line = Text(fit(_weekday_label(weekday), label_width), style="dim", no_wrap=True)
        for week in range(weeks):
            day = start + timedelta(weeks=week, days=weekday)
            if day not in counts:
                line.append(" " * cell)
                continue
            style = palette.shade(shade_of(counts[day], most))
            line.append(" " * min(cell, 2), style=style)
            if cell == 3:
                line.append(" ")
        lines.append(line)
    total = sum(counts.values())
    legend = Text(" " * label_width, no_wrap=True)
    legend.append(_("Less") + " ", style="dim")
    for shade in range(5):
        legend.append("  ", style=palette.shade(shade))
        legend.append(" ")
    legend.append(_("More"), style="dim")
    legend.append("   " + _("{count} in all, at most {most} a day").format(count=f"{total:,}", most=most), style="dim")
    lines.append(legend)
    return lines


class HeatmapView(Static):
    """The calendar heatmap (drawn again for the width it is given)."""

    def __init__(self, heatmap: Heatmap) -> None:
        super().__init__(classes="chart heatmap")
        self.heatmap = heatmap

    def render(self) -> Text:
        width = self.content_region.width or 76
        return Text("\n").join(heatmap_lines(self.heatmap, width, Palette(self.app)))


def grid_lines(grid: Grid, width: int, palette: Palette) -> tuple[Text, list[Text]]:
    """The header and a line per row of a grid: the row's label, then its cells shaded by count with the count
    in them. When the columns do not all fit, the last ones are shown (the most recent weeks)."""
    from crmtui.services.reports.base import shade as shade_of  # deferred: with the reports' code

    label_width = min(max((cell_len(label) for label in grid.row_labels), default=0), max(8, width // 4))
    most = max((max(row, default=0) for row in grid.cells), default=0)
    cell = 3 if most < 100 else 4
    shown = max(1, min(len(grid.column_labels), (width - label_width - 1) // cell))
    first = len(grid.column_labels) - shown
    header = Text(" " * (label_width + 1), no_wrap=True, style="dim")
    used = 0
    for index, label in enumerate(grid.column_labels[first:]):
        at = index * cell
        if at >= used:
            header.append(" " * (at - used) + label)
            used = at + cell_len(label) + 1
            header.append(" ")
    lines = []
    for label, row in zip(grid.row_labels, grid.cells, strict=True):
        line = Text(fit(label, label_width) + " ", no_wrap=True)
        for count in row[first:]:
            line.append(fit(str(count) if count else "", cell - 1, right=True),
                        style=palette.shade(shade_of(count, most)))
            line.append(" ")
        lines.append(line)
    return header, lines


class GridView(OptionList):
    """A grid of shaded cells, a row an option under a header; Enter on a row lists its records."""

    def __init__(self, grid: Grid) -> None:
        super().__init__(classes="chart grid")
        self.grid = grid

    def drill_at(self, index: int) -> Drill | None:
        row = index - 1  # the header is the first option
        return self.grid.row_drills[row] if 0 <= row < len(self.grid.row_drills) else None

    def on_mount(self) -> None:
        self.draw()

    def on_resize(self) -> None:
        self.draw()

    def draw(self) -> None:
        width = self.scrollable_content_region.width or 76
        header, lines = grid_lines(self.grid, width - 1, Palette(self.app))
        highlighted = self.highlighted
        self.set_options([Option(header, disabled=True), *(Option(line) for line in lines)])
        if lines:
            self.highlighted = highlighted if highlighted else 1
