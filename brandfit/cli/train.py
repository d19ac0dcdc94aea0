"""``brandfit train``: fit a head from labelled posts and save it to the model store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brandfit.cli._common import ModelsOption, console, friendly_errors, models_dir, status
from brandfit.config import load_train_config
from brandfit.data import load_labelled
from brandfit.evaluate import evaluate_head
from brandfit.labels import HEAD_NAMES
from brandfit.persistence.artifact import save_head
from brandfit.persistence.manifest import fingerprint_data


@friendly_errors
def train(
    head: Annotated[
        str, typer.Argument(help=f"Head to train: {', '.join(HEAD_NAMES)} (or a new name).")
    ],
    data: Annotated[Path, typer.Option("--data", help="Training posts: CSV, JSONL or Parquet.")],
    val: Annotated[
        Path | None, typer.Option("--val", help="Validation posts (thresholds are tuned here).")
    ] = None,
    text_col: Annotated[
        str, typer.Option("--text-col", help="Column holding the post text.")
    ] = "text",
    label_col: Annotated[
        str | None,
        typer.Option(
            "--label-col",
            help="'label' (one label) or 'labels' (several); default: whichever the file has.",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Training config TOML (features, head, data provenance)."),
    ] = None,
    models: ModelsOption = None,
) -> None:
    """Train HEAD from labelled posts and save it atomically under the models directory."""
    from brandfit.train import fit_head

    cfg = load_train_config(config)
    needs_target = head == "alignment"
    train_posts = load_labelled(data, text_col, label_col, require_target=needs_target)
    val_posts = (
        load_labelled(val, text_col, label_col, require_target=needs_target) if val else None
    )
    with status(f"training {head}") as update:
        model = fit_head(head, train_posts, cfg, val_posts, progress=update)
        metrics = {}
        if val_posts is not None:
            update("evaluating on validation data")
            metrics["validation"] = evaluate_head(model, val_posts)
        fingerprint = fingerprint_data(
            train_posts.texts, train_posts.labels, train_posts.targets or []
        )
        info = {**cfg.data, "rows": len(train_posts), "file": str(data)}
        manifest = save_head(model, models_dir(models), metrics, info, fingerprint)
    console.print(f"saved [bold]{manifest['model_version']}[/] to {models_dir(models) / head}")
    if "validation" in metrics:
        v = metrics["validation"]
        console.print(f"validation: n={v['n']} macro_f1={v['macro_f1']} micro_f1={v['micro_f1']}")
