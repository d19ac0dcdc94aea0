"""``brandfit models``: heads, versions, labels and recorded metrics."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from brandfit.cli._common import ModelsOption, friendly_errors, models_dir
from brandfit.cli._tables import wrap_not_cut
from brandfit.persistence.registry import load_models


def _metric_summary(metrics: dict[str, Any]) -> str:
    parts = []
    for split, values in metrics.items():
        if not isinstance(values, dict):
            continue
        keys = ("macro_f1", "micro_f1", "macro_recall", "stance_f1")
        shown = " ".join(f"{k}={values[k]}" for k in keys if values.get(k) is not None)
        parts.append(f"{split}: {shown}")
    return "\n".join(parts) or "-"


@friendly_errors
def models_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    models: ModelsOption = None,
) -> None:
    """List the verified heads with version, kind, labels and recorded metrics."""
    loaded = load_models(models_dir(models))
    rows = []
    for name, manifest in loaded.manifests.items():
        rows.append(
            {
                "head": name,
                "model_version": manifest["model_version"],
                "kind": manifest["kind"],
                "labels": manifest["labels"],
                "targets": manifest.get("targets"),
                "metrics": {
                    k: {
                        m: v.get(m)
                        for m in ("n", "macro_f1", "micro_f1", "macro_recall", "stance_f1", "data")
                        if m in v
                    }
                    for k, v in manifest.get("metrics", {}).items()
                    if isinstance(v, dict)
                },
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    # three columns, so whole names fit in 80: head (with kind and version), labels, metrics
    table = Table(title=f"models in {models_dir(models)}", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("head / kind / version", "labels", "metrics"):
        table.add_column(column)
    for row in rows:
        labels = ", ".join(row["labels"]) + (
            f"\nvalues: {', '.join(row['targets'])}" if row["targets"] else ""
        )
        head = Text(row["head"], style="bold")
        head.append(f"\n{row['kind']}\n{row['model_version']}", style="")
        table.add_row(head, labels, _metric_summary(row["metrics"]), end_section=True)
    out = Console()
    out.print(wrap_not_cut(table, out))
