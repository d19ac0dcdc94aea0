"""``brandfit evaluate``: metrics of a saved head on labelled posts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from brandfit.cli._common import ModelsOption, console, friendly_errors, models_dir, status
from brandfit.data import load_labelled
from brandfit.evaluate import evaluate_head
from brandfit.persistence.artifact import load_head, record_metrics
from brandfit.persistence.registry import head_folder


def _table(metrics: dict[str, Any]) -> Table:
    table = Table(title=f"{metrics['head']} on {metrics['data']} (n={metrics['n']})")
    for column in ("label", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, values in metrics["per_label"].items():
        table.add_row(label, *(str(values[k]) for k in ("precision", "recall", "f1", "support")))
    return table


@friendly_errors
def evaluate(
    head: Annotated[str, typer.Argument(help="Head to evaluate.")],
    data: Annotated[Path, typer.Option("--data", help="Labelled posts: CSV, JSONL or Parquet.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the metrics to this JSON file.")
    ] = None,
    text_col: Annotated[str, typer.Option("--text-col")] = "text",
    label_col: Annotated[str | None, typer.Option("--label-col")] = None,
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            help="Store the metrics in the head's manifest under this name (e.g. 'test').",
        ),
    ] = None,
    models: ModelsOption = None,
) -> None:
    """Print (and optionally write) n, accuracy, macro/micro F1 and per-label metrics."""
    folder = head_folder(models_dir(models), head)  # the registry's trust boundary
    with status(f"loading {head}"):
        model, manifest = load_head(folder)
    posts = load_labelled(
        data, text_col, label_col, require_target=model.targets is not None, allow_single_class=True
    )
    with status(f"scoring {len(posts):,} posts"):
        metrics = evaluate_head(model, posts, manifest["model_version"])
    console.print(_table(metrics))
    summary = {k: v for k, v in metrics.items() if k not in ("per_label", "per_target")}
    typer.echo(json.dumps(summary, ensure_ascii=False))
    if json_out is not None:
        json_out.write_text(
            json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if record:
        record_metrics(folder, record, metrics)
        console.print(f"recorded as {record!r} in {folder / 'manifest.json'}")
