"""Progress bars for long CLI steps: on stderr, only on a terminal, only after a second."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from brandfit.cli._common import console as stderr_console

#: Seconds a step runs before its bar appears (quick steps print nothing).
DELAY = 1.0


@contextmanager
def progress_bar(
    description: str,
    total: int | None,
    console: Console | None = None,
    delay: float = DELAY,
    clock: Callable[[], float] = time.perf_counter,
) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; a bar is drawn once ``delay`` seconds have passed.

    Nothing is drawn when the console is not a terminal (pipes, CI logs, tests), so
    redirected output stays clean.
    """
    console = console or stderr_console
    started = clock()
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = bar.add_task(description, total=total)
    shown = False

    def advance(n: int) -> None:
        nonlocal shown
        bar.advance(task, n)
        if not shown and not bar.disable and clock() - started >= delay:
            bar.start()
            shown = True

    try:
        yield advance
    finally:
        if shown:
            bar.stop()
