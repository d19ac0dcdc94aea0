"""``brandfit evaluate``: metrics of a saved head on labelled posts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from brandfit.cli._common import ModelsOption, console, friendly_errors, model_layers
from brandfit.cli._progress import progress_bar
from brandfit.cli._tables import wrap_not_cut
from brandfit.cli.report import load_cli_head
from brandfit.data import load_labelled
from brandfit.errors import InvalidInputError
from brandfit.evaluate import metrics_from_decisions
from brandfit.persistence.artifact import record_metrics


def _table(metrics: dict[str, Any]) -> Table:
    table = Table(title=f"{metrics['head']} on {metrics['data']} (n={metrics['n']})")
    for column in ("label", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, values in metrics["per_label"].items():
        table.add_row(label, *(str(values[k]) for k in ("precision", "recall", "f1", "support")))
    return table


def _report_path(
    report: Path | None, json_out: Path | None, record: str | None, folder: Path
) -> Path | None:
    """Where the HTML report goes: --report, else beside --json, else in the head folder with --record."""
    if report is not None:
        if report.suffix.lower() not in (".html", ".htm"):
            raise InvalidInputError(f"--report must end in .html; got {report.name!r}")
        return report
    if json_out is not None:
        return json_out.with_suffix(".html")
    if record:
        return folder / f"report-{record}.html"
    return None


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
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="HTML report path (default: beside --json, or report-NAME.html in the head folder with --record).",
        ),
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Write no HTML report.")] = False,
    models: ModelsOption = None,
) -> None:
    """Print (and optionally write) n, accuracy, macro/micro F1 and per-label metrics."""
    from brandfit.report.scoring import score_labelled

    model, manifest, folder, _ = load_cli_head(head, models)
    top = model_layers(models)[0]
    if record and folder.parent.resolve() != top.resolve():
        raise InvalidInputError(
            f"--record writes into {top}, but {head!r} comes from {folder.parent}; "
            f"train it into {top} first or pass --models {folder.parent}"
        )
    out = None if no_report else _report_path(report, json_out, record, folder)
    posts = load_labelled(
        data, text_col, label_col, require_target=model.targets is not None, allow_single_class=True
    )
    with progress_bar(f"evaluate {head}", len(posts)) as advance:
        scored = score_labelled(model, posts, advance)
    metrics = metrics_from_decisions(model, posts, scored.decided, manifest["model_version"])
    console.print(wrap_not_cut(_table(metrics), console))
    summary = {k: v for k, v in metrics.items() if k not in ("per_label", "per_target")}
    typer.echo(json.dumps(summary, ensure_ascii=False))
    if json_out is not None:
        json_out.write_text(
            json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if record:
        record_metrics(folder, record, metrics)
        console.print(f"recorded as {record!r} in {folder / 'manifest.json'}")
        manifest = {**manifest, "metrics": {**manifest.get("metrics", {}), record: metrics}}
    if out is not None:
        from brandfit.report import build_report
        from brandfit.report.write import write_html

        page = build_report(model, manifest, posts, scored, metrics)
        write_html(out, page)
        console.print(f"report: {out} ({len(page.encode()) // 1024:,} KB)", highlight=False)
