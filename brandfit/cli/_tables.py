"""Rich tables that wrap instead of cutting: no name ends in an ellipsis at 80 columns.

When a table is wider than the console, rich shrinks its widest columns, cutting words
(``business_&_entrepr…``) even where narrowing another column would have done.
:func:`wrap_not_cut` gives every column at least its longest word and shares the rest
of the width in proportion to what each column would still like; only if the longest
words alone do not fit does a word fold onto the next line (never an ellipsis).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def wrap_not_cut(table: Table, console: Console) -> Table:
    """Fix ``table``'s column widths for ``console`` so whole words fit (see module doc)."""
    for column in table.columns:
        column.overflow = "fold"
        column.no_wrap = False
    options = console.options
    available = (table.width or options.max_width) - table._extra_width
    ranges = [table._measure_column(console, options, column) for column in table.columns]
    minimums = [r.minimum for r in ranges]
    maximums = [max(r.maximum, r.minimum) for r in ranges]
    if sum(maximums) <= available or sum(minimums) > available:
        return table  # fits as it is, or cannot fit whole words: rich folds
    wants = [high - low for low, high in zip(minimums, maximums, strict=True)]
    extra = _water_fill(available - sum(minimums), wants)
    for index, column in enumerate(table.columns):
        width = minimums[index] + extra[index]
        column.width = max(1, width - table._get_padding_width(index))
    return table


def _water_fill(total: int, wants: list[int]) -> list[int]:
    """Share ``total`` evenly, never giving a column more than it wants (max-min fair).

    Narrow columns get all they want (a short name stays on one line) and the widest
    columns share what is left, so they are the ones that wrap.
    """
    given = [0] * len(wants)
    order = sorted(range(len(wants)), key=lambda i: wants[i])
    left = total
    for k, index in enumerate(order):
        given[index] = min(wants[index], left // (len(order) - k))
        left -= given[index]
    return given
