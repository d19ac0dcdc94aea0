"""``brandfit report``: one self-contained HTML page about a head on labelled posts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from brandfit.cli._common import ModelsOption, console, friendly_errors, model_layers, status
from brandfit.cli._progress import progress_bar
from brandfit.data import LabelledPosts, load_labelled
from brandfit.errors import InvalidInputError
from brandfit.heads.model import HeadModel
from brandfit.persistence.artifact import load_head
from brandfit.persistence.registry import available_heads, find_head


def load_cli_head(
    head: str, models: Path | None, with_baseline: bool = False
) -> tuple[HeadModel, dict[str, Any], Path, tuple[HeadModel, dict[str, Any]] | None]:
    """Head ``head`` from the model layers: model, manifest, folder, and the version it overrides.

    The overridden version (the same head in a lower layer, e.g. the shipped one) is
    loaded only when ``with_baseline``.
    """
    layers = model_layers(models)
    folder = find_head(layers, head)
    with status(f"loading {head}"):
        model, manifest = load_head(folder)
        baseline = None
        if with_baseline:
            lower = available_heads(layers[1:]) if folder.parent == layers[0] else {}
            if head in lower:
                baseline = load_head(lower[head])
    return model, manifest, folder, baseline


def write_report(
    model: HeadModel,
    manifest: dict[str, Any],
    data: LabelledPosts,
    out: Path,
    in_sample: bool = False,
    baseline: tuple[HeadModel, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Score, draw and write the report to ``out`` with a progress bar; return the metrics."""
    from brandfit.report.write import report_html, write_html

    rows = len(data) * (2 if baseline is not None else 1)
    with progress_bar(f"report {model.name}", rows) as advance:
        page, metrics = report_html(model, manifest, data, in_sample, baseline, advance)
    write_html(out, page)
    console.print(f"report: {out} ({len(page.encode()) // 1024:,} KB)", highlight=False)
    return metrics


@friendly_errors
def report(
    head: Annotated[str, typer.Argument(help="Head to report on.")],
    data: Annotated[Path, typer.Option("--data", help="Labelled posts: CSV, JSONL or Parquet.")],
    out: Annotated[
        Path, typer.Option("--out", help="HTML file to write (one file, nothing fetched).")
    ] = Path("report.html"),
    text_col: Annotated[str, typer.Option("--text-col")] = "text",
    label_col: Annotated[str | None, typer.Option("--label-col")] = None,
    models: ModelsOption = None,
) -> None:
    """Write an HTML report: per-label P/R/F1, confusion matrix, reliability, PR and threshold curves, worst examples, comparison with the previous version."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise InvalidInputError(f"--out must end in .html; got {out.name!r}")
    model, manifest, _, baseline = load_cli_head(head, models, with_baseline=True)
    posts = load_labelled(
        data, text_col, label_col, require_target=model.targets is not None, allow_single_class=True
    )
    metrics = write_report(model, manifest, posts, out, baseline=baseline)
    console.print(
        f"{head} on {data}: n={metrics['n']} macro_f1={metrics['macro_f1']} "
        f"micro_f1={metrics['micro_f1']}",
        highlight=False,
    )
