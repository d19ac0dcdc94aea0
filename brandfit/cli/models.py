"""``brandfit models``: heads, versions, labels and recorded metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from brandfit.cli._common import ModelsOption, friendly_errors, model_layers
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


def _origin(folder: Path, layers: tuple[Path, ...]) -> str:
    if len(layers) > 1 and folder.parent == layers[-1]:
        return "shipped"
    return str(folder.parent)


@friendly_errors
def models_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    models: ModelsOption = None,
) -> None:
    """List the verified heads with version, kind, labels, recorded metrics and source folder.

    With ``--models DIR`` the heads in DIR override the shipped ones; the shipped
    ``models/`` fills in the others ("source" says which folder each head came from).
    """
    layers = model_layers(models)
    loaded = load_models(layers)
    rows = []
    for name, manifest in loaded.manifests.items():
        rows.append(
            {
                "head": name,
                "model_version": manifest["model_version"],
                "kind": manifest["kind"],
                "labels": manifest["labels"],
                "targets": manifest.get("targets"),
                "source": str(loaded.sources[name]),
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
    title = " over ".join(str(layer) for layer in layers)
    table = Table(title=f"models in {title}")
    for column in ("head", "version", "kind", "labels", "metrics", "from"):
        table.add_column(column)
    for row in rows:
        labels = ", ".join(row["labels"]) + (
            f"\nvalues: {', '.join(row['targets'])}" if row["targets"] else ""
        )
        table.add_row(
            row["head"],
            row["model_version"],
            row["kind"],
            labels,
            _metric_summary(row["metrics"]),
            _origin(Path(row["source"]), layers),
        )
    Console().print(table)
