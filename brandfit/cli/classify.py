"""``brandfit classify``: batch-classify post archives into a resumable job directory."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from brandfit.batch.label_counts import read_label_distribution
from brandfit.batch.runner import JobOptions, run_job
from brandfit.batch.sources import DEFAULT_CHUNK_SIZE, DEFAULT_MAX_TEXT_CHARS, ColumnMap
from brandfit.cli._common import ModelsOption, console, friendly_errors, model_layers
from brandfit.cli._tables import wrap_not_cut


class EngineName(StrEnum):
    """Where chunks are classified."""

    local = "local"
    dask = "dask"


class OutFormat(StrEnum):
    """File format of the ``OUT/posts/`` parts."""

    parquet = "parquet"
    jsonl = "jsonl"
    csv = "csv"


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


class _Reporter:
    """Turns runner events into a rich progress bar (bytes, rows, rows/s, ETA)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.rows = 0
        self.started = time.perf_counter()
        self.progress = Progress(
            TextColumn("[bold]classify"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[rows]:>12,} rows  {task.fields[rate]:>9} rows/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=quiet,
        )
        self.task: Any = None

    def stop(self) -> None:
        """Stop the bar if it was started."""
        if self.task is not None:
            self.progress.stop()

    def __call__(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "start":
            self.progress.start()
            self.task = self.progress.add_task(
                "classify", total=data["total_bytes"] or 1, rows=0, rate="-"
            )
            if data["resumed_parts"]:
                console.print(
                    f"resuming: {data['resumed_parts']} finished parts are kept, not recomputed"
                )
        elif kind == "part" and self.task is not None:
            self.rows += int(data["rows_in"])
            elapsed = time.perf_counter() - self.started
            rate = f"{self.rows / elapsed:,.0f}" if elapsed > 0 else "-"
            self.progress.update(self.task, advance=data["nbytes"], rows=self.rows, rate=rate)
        elif kind == "finalize":
            self.stop()
            if not self.quiet:
                console.print("checking exactly-once and assembling outputs ...")
        elif kind == "complete":
            console.print("this job is already complete; nothing changed (see summary.json)")


def _print_summary(summary: dict[str, Any], out: Path) -> None:
    timings = summary.get("timings", {})
    rate = timings.get("rows_per_s")
    console.print(
        f"[bold]rows in[/] {summary['rows_in']:,}   [bold]scored[/] {summary['scored']:,}   "
        f"[bold]quarantined[/] {summary['quarantined']:,}   "
        f"[bold]time[/] {timings.get('elapsed_s', 0):.1f} s   "
        f"[bold]rows/s[/] {f'{rate:,.0f}' if rate else '-'}",
        highlight=False,
    )
    check = "[green]yes[/]" if summary.get("exactly_once") else "[red]NO[/]"
    console.print(f"rows_in == scored + quarantined, ids unique: {check}", highlight=False)
    for reason, count in summary.get("quarantine_reasons", {}).items():
        console.print(f"  quarantined, {reason}: {count:,}", highlight=False)
    labels = read_label_distribution(out)
    if labels is not None and len(labels):
        console.print(wrap_not_cut(label_table(labels), console))
    console.print(
        f"output: {out}/ (summary.json, posts/, quarantine.jsonl, labels.csv)", highlight=False
    )


def label_table(labels: pd.DataFrame, top: int = 3) -> Table:
    """The label distribution in short: per head (and value), its ``top`` labels by posts."""
    table = Table(title="labels (share of scored posts)", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("head", overflow="fold", max_width=24)
    table.add_column(f"top {top} labels", overflow="fold", ratio=1)
    for (head, value), group in labels.groupby(["head", "value"], sort=False):
        shown = [f"{r.label} {r.share:.0%} ({r.posts:,})" for r in group.head(top).itertuples()]
        more = len(group) - top
        if more > 0:
            shown.append(f"+{more} more")
        table.add_row(f"{head}: {value}" if value else str(head), ", ".join(shown))
    return table


@friendly_errors
def classify(
    inputs: Annotated[
        list[str],
        typer.Argument(help="CSV, JSONL or Parquet files (gzip/zstd ok), directories or globs."),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", help="Job directory: posts/, quarantine.jsonl, summary.json, ..."),
    ],
    engine: Annotated[
        EngineName, typer.Option("--engine", help="local: this machine; dask: a Dask cluster.")
    ] = EngineName.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address, e.g. tcp://host:8786 (default: start a LocalCluster).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes (default: 1 local, 2 for a Dask LocalCluster).",
        ),
    ] = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size",
            min=1,
            help=f"Input rows per part file (default {DEFAULT_CHUNK_SIZE:,}; "
            "a resumed job keeps its own).",
        ),
    ] = None,
    heads: Annotated[
        list[str] | None,
        typer.Option("--heads", help="Heads to run (repeat or comma-separate; default: all)."),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target", help="Value(s) for the alignment head (default: every value it knows)."
        ),
    ] = None,
    brand: Annotated[
        Path | None, typer.Option("--brand", help="Brand profile: adds OUT/ranking.parquet.")
    ] = None,
    by_author: Annotated[
        bool, typer.Option("--by-author", help="Add OUT/authors.parquet (per-creator aggregates).")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Continue an interrupted job; only missing parts are computed."
        ),
    ] = False,
    fmt: Annotated[
        OutFormat, typer.Option("--format", help="Format of the posts parts.")
    ] = OutFormat.parquet,
    text_col: Annotated[str, typer.Option("--text-col")] = "text",
    id_col: Annotated[str, typer.Option("--id-col")] = "id",
    author_col: Annotated[str, typer.Option("--author-col")] = "author",
    likes_col: Annotated[str, typer.Option("--likes-col")] = "likes",
    comments_col: Annotated[str, typer.Option("--comments-col")] = "comments",
    shares_col: Annotated[str, typer.Option("--shares-col")] = "shares",
    views_col: Annotated[str, typer.Option("--views-col")] = "views",
    followers_col: Annotated[str, typer.Option("--followers-col")] = "followers",
    target_col: Annotated[
        str,
        typer.Option("--target-col", help="A row's own brand value for the alignment head."),
    ] = "target",
    max_text_chars: Annotated[
        int, typer.Option("--max-text-chars", min=1, help="Longer texts are quarantined.")
    ] = DEFAULT_MAX_TEXT_CHARS,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    no_text: Annotated[
        bool, typer.Option("--no-text", help="Leave the post text out of the posts/ parts.")
    ] = False,
    models: ModelsOption = None,
) -> None:
    """Classify post archives with every head; every row ends up scored or quarantined."""
    columns = ColumnMap(
        text=text_col,
        id=id_col,
        author=author_col,
        metrics={
            "likes": likes_col,
            "comments": comments_col,
            "shares": shares_col,
            "views": views_col,
            "followers": followers_col,
        },
        target=target_col,
    )
    options = JobOptions(
        inputs=list(inputs),
        out=out,
        models_dir=model_layers(models),
        engine=engine.value,
        scheduler=scheduler,
        workers=workers or (2 if engine is EngineName.dask else 1),
        chunk_size=chunk_size,
        heads=_split(heads),
        targets=_split(target),
        columns=columns,
        max_text_chars=max_text_chars,
        fmt=fmt.value,
        by_author=by_author,
        brand=brand,
        resume=resume,
        keep_text=not no_text,
    )
    reporter = _Reporter(quiet)
    try:
        summary = run_job(options, reporter)
    finally:
        reporter.stop()
    _print_summary(summary, out)
