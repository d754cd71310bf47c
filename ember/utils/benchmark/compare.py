"""`Compare`: many Measurements as tables, one per label: a row per sub_label (grouped by thread
count), a column per description, each cell the median in one shared unit."""
import collections
import enum
import math

from . import common

__all__ = ['Compare', 'Colorize']

BEST, GOOD, BAD, VERY_BAD = "\033[92m", "\033[34m", "\033[2m\033[91m", "\033[31m"
BOLD, TERMINATE = "\033[1m", "\033[0m"


class Colorize(enum.Enum):
    NONE = "none"
    COLUMNWISE = "columnwise"
    ROWWISE = "rowwise"


class _Column:
    """How one column prints its numbers: as many integer digits as its largest median needs, and
    one decimal (or, with trimming, as many as the least certain measurement supports)."""

    def __init__(self, grouped_results, time_scale, trim_significant_figures, highlight_warnings):
        self._grouped_results = grouped_results
        flat_results = [r for group in grouped_results for r in group]
        self._time_scale = time_scale
        self._trim_significant_figures = trim_significant_figures
        self._highlight_warnings = highlight_warnings and any(r.has_warnings for r in flat_results if r)
        leading_digits = [math.ceil(math.log10(r.median / time_scale)) if r else None for r in flat_results]
        unit_digits = max(d for d in leading_digits if d is not None)
        decimal_digits = min(max(r.significant_figures - digits, 0)
                             for digits, r in zip(leading_digits, flat_results) if r is not None) \
            if trim_significant_figures else 1
        length = unit_digits + decimal_digits + (1 if decimal_digits else 0)
        self._template = f"{{:>{length}.{decimal_digits}f}}{{:>{7 if self._highlight_warnings else 0}}}"

    def get_results_for(self, group):
        return self._grouped_results[group]

    def num_to_str(self, value, estimated_sigfigs, spread):
        if value is None:
            return " " * len(self.num_to_str(1, estimated_sigfigs, None))
        if self._trim_significant_figures:
            value = common.trim_sigfig(value, estimated_sigfigs)
        return self._template.format(value, f" (! {spread * 100:.0f}%)"
                                     if self._highlight_warnings and spread is not None else "")


class _Row:
    def __init__(self, results, row_group, render_env, env_str_len, time_scale, colorize, num_threads=None):
        self._results = results
        self._row_group = row_group
        self._render_env, self._env_str_len = render_env, env_str_len
        self._time_scale = time_scale
        self._colorize = colorize
        self._num_threads = num_threads  # (set on the first row of a thread-count group: it prints the separator)
        self._columns = ()

    def as_column_strings(self):
        first = next(r for r in self._results if r is not None)
        env = (f"({first.env})" if self._render_env else "").ljust(self._env_str_len + 4)
        output = ["  " + env + first.as_row_name]
        for measurement, column in zip(self._results, self._columns):
            if measurement is None:
                output.append(column.num_to_str(None, 1, None))
            else:
                output.append(column.num_to_str(measurement.median / self._time_scale,
                                                measurement.significant_figures,
                                                measurement.iqr / measurement.median
                                                if measurement.has_warnings else None))
        return output

    @staticmethod
    def color_segment(segment, value, best_value):
        if value <= best_value * 1.01 or value <= best_value + 100e-9:
            return BEST + BOLD + segment + TERMINATE * 2
        if value <= best_value * 1.1:
            return GOOD + BOLD + segment + TERMINATE * 2
        if value >= best_value * 5:
            return VERY_BAD + BOLD + segment + TERMINATE * 2
        if value >= best_value * 2:
            return BAD + segment + TERMINATE * 2
        return segment

    def row_separator(self, overall_width):
        return [f"{self._num_threads} threads: ".ljust(overall_width, "-")] if self._num_threads is not None else []

    def finalize_column_strings(self, column_strings, column_widths):
        best_values = [-1] * len(column_strings)
        if self._colorize == Colorize.ROWWISE:
            best_values = [min(r.median for r in self._results if r is not None)] * len(column_strings)
        elif self._colorize == Colorize.COLUMNWISE:
            best_values = [min((r.median for r in column.get_results_for(self._row_group) if r is not None),
                               default=None) for column in self._columns]
        row = [column_strings[0].ljust(column_widths[0])]
        for text, width, result, best in zip(column_strings[1:], column_widths[1:], self._results, best_values):
            text = text.center(width)
            if self._colorize != Colorize.NONE and result is not None and best is not None:
                text = self.color_segment(text, result.median, best)
            row.append(text)
        return row


class _Table:
    """The Measurements of one label laid out as rows x columns."""

    def __init__(self, results, colorize, trim_significant_figures, highlight_warnings):
        if len({r.label for r in results}) != 1:
            raise AssertionError("All results must share the same label")
        self.results = results
        self.label = results[0].label
        self._colorize = colorize
        self._highlight_warnings = highlight_warnings
        self.time_unit, self.time_scale = common.select_unit(min(r.median for r in results))
        row_keys = common.ordered_unique((r.num_threads, r.env, r.as_row_name) for r in results)
        row_keys.sort(key=lambda key: key[:2])  # by thread count and env; statements keep their order
        self.column_keys = common.ordered_unique(r.description for r in results)
        cells = [[None] * len(self.column_keys) for _ in row_keys]
        row_position = {key: i for i, key in enumerate(row_keys)}
        column_position = {key: j for j, key in enumerate(self.column_keys)}
        for r in results:
            cells[row_position[(r.num_threads, r.env, r.as_row_name)]][column_position[r.description]] = r

        envs = {r.env for r in results}
        render_env = len(envs) > 1
        env_str_len = max(len(env) for env in envs) if render_env else 0
        self.rows, rows_by_group = [], []
        prior_num_threads, prior_env = -1, ""
        for (num_threads, env, _), row_cells in zip(row_keys, cells):
            new_group = num_threads != prior_num_threads
            if new_group:
                prior_num_threads, prior_env = num_threads, ""
                rows_by_group.append([])
            self.rows.append(_Row(row_cells, len(rows_by_group) - 1, render_env and env != prior_env, env_str_len,
                                  self.time_scale, colorize, num_threads if new_group else None))
            rows_by_group[-1].append(row_cells)
            prior_env = env
        self.columns = tuple(_Column([tuple(row[j] for row in group) for group in rows_by_group], self.time_scale,
                                     trim_significant_figures, highlight_warnings)
                             for j in range(len(self.column_keys)))
        for row in self.rows:
            row._columns = self.columns

    def render(self):
        string_rows = [[""] + [str(key) if key is not None else "" for key in self.column_keys]]
        string_rows.extend(row.as_column_strings() for row in self.rows)
        num_columns = max(len(row) for row in string_rows)
        for row in string_rows:
            row.extend([""] * (num_columns - len(row)))
        widths = [max(len(cell) for cell in column) for column in zip(*string_rows)]
        lines = ["  |  ".join(cell.center(width) for cell, width in zip(string_rows[0], widths))]
        overall_width = len(lines[0])
        for strings, row in zip(string_rows[1:], self.rows):
            lines.extend(row.row_separator(overall_width))
            lines.append("  |  ".join(row.finalize_column_strings(strings, widths)))
        has_warnings = self._highlight_warnings and any(r.has_warnings for r in self.results)
        return (f"[{(' ' + (self.label or '') + ' ').center(overall_width - 2, '-')}]\n" + "\n".join(lines) +
                f"\n\nTimes are in {common.unit_to_english(self.time_unit)}s ({self.time_unit}).\n" +
                ("(! XX%) Measurement has high variance, where XX is the IQR / median * 100.\n" if has_warnings
                 else ""))


class Compare:
    """A table of Measurements: one per label, a row per sub_label (or statement), a column per
    description. Replicates of a task are merged."""

    def __init__(self, results):
        self._results = []
        self.extend_results(results)
        self._trim_significant_figures = False
        self._colorize = Colorize.NONE
        self._highlight_warnings = False

    def __str__(self):
        return "\n".join(self._render())

    def extend_results(self, results):
        for r in results:
            if not isinstance(r, common.Measurement):
                raise ValueError(f"Expected an instance of `Measurement`, got {type(r)} instead.")
        self._results.extend(results)

    def trim_significant_figures(self):
        """Print only the digits each measurement's spread supports."""
        self._trim_significant_figures = True

    def colorize(self, rowwise=False):
        """Color each cell by how it compares with the best of its column (or row)."""
        self._colorize = Colorize.ROWWISE if rowwise else Colorize.COLUMNWISE

    def highlight_warnings(self):
        """Mark cells whose spread is large."""
        self._highlight_warnings = True

    def print(self):
        print(str(self))

    def _render(self):
        by_label = collections.defaultdict(list)
        for r in common.Measurement.merge(self._results):
            by_label[r.label].append(r)
        return [_Table(group, self._colorize, self._trim_significant_figures, self._highlight_warnings).render()
                for group in by_label.values()]
