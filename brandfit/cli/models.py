"""``brandfit models``: heads, versions, labels and recorded metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from brandfit.cli._common import ModelsOption, friendly_errors, model_layers
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


def _origin(folder: Path, layers: tuple[Path, ...]) -> str:
    """Where a head came from, short enough for the table (the title lists the folders)."""
    if len(layers) > 1 and folder.parent == layers[-1]:
        return "shipped"
    return folder.parent.name


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
    # three columns, so whole names fit in 80: head (kind, version, origin), labels, metrics
    table = Table(title=f"models in {title}", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("head / kind / version / from", "labels", "metrics"):
        table.add_column(column)
    for row in rows:
        labels = ", ".join(row["labels"]) + (
            f"\nvalues: {', '.join(row['targets'])}" if row["targets"] else ""
        )
        head = Text(row["head"], style="bold")
        origin = _origin(Path(row["source"]), layers)
        head.append(f"\n{row['kind']}\n{row['model_version']}\nfrom {origin}", style="")
        table.add_row(head, labels, _metric_summary(row["metrics"]), end_section=True)
    out = Console()
    out.print(wrap_not_cut(table, out))
