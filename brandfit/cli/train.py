"""``brandfit train``: fit a head from labelled posts and save it to the model store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from brandfit.cli._common import (
    ModelsOption,
    console,
    friendly_errors,
    model_layers,
    models_dir,
    status,
)
from brandfit.config import load_train_config
from brandfit.data import check_classes, combine_labelled, load_labelled
from brandfit.errors import InvalidInputError
from brandfit.evaluate import evaluate_head
from brandfit.features.encoder_cache import MemoEncoder, encoder_dir_for, load_encoder
from brandfit.labels import HEAD_NAMES
from brandfit.persistence.artifact import save_head
from brandfit.persistence.manifest import fingerprint_data, read_manifest
from brandfit.persistence.registry import available_heads
from brandfit.settings import ENCODER_DIRNAME
from brandfit.train_size import plan_training

REPORT_NAME = "report.html"


def _previous(head: str, target: Path) -> dict[str, Any] | None:
    """Announce what this run replaces; return the manifest of the version it supersedes."""
    found = available_heads(model_layers(target))
    if head not in found:
        known = ", ".join(sorted(found)) or "none"
        console.print(
            f"creating a new head {head!r} in {target} (known heads: {known})", highlight=False
        )
        return None
    folder = found[head]
    manifest = read_manifest(folder)
    if folder.parent.resolve() != target.resolve():
        console.print(
            f"training {head!r} into {target}; it will override {manifest.get('model_version')} "
            f"from {folder.parent}",
            highlight=False,
        )
    return manifest


@friendly_errors
def train(
    head: Annotated[
        str, typer.Argument(help=f"Head to train: {', '.join(HEAD_NAMES)} (or a new name).")
    ],
    data: Annotated[
        list[Path],
        typer.Option(
            "--data",
            help="Training posts: CSV, JSONL or Parquet. Repeat to train on several files together.",
        ),
    ],
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
    report: Annotated[
        bool,
        typer.Option(
            "--report/--no-report",
            help=f"Write {REPORT_NAME} into the head's folder (on --val, else on the training data).",
        ),
    ] = True,
    embedding_cache: Annotated[
        Path | None,
        typer.Option(
            "--embedding-cache",
            help="Keep the posts' sentence-encoder embeddings in this .npz file, so "
            "retraining on the same posts skips the encoder (heads using the encoder block).",
        ),
    ] = None,
    allow_thin_labels: Annotated[
        bool,
        typer.Option(
            "--allow-thin-labels",
            help="Train even if a label has fewer rows than the size check asks for "
            "(its probabilities rest on few examples); the configured folds are kept.",
        ),
    ] = False,
    models: ModelsOption = None,
) -> None:
    """Train HEAD from labelled posts and save it atomically under the models directory.

    Heads trained into a new ``--models DIR`` serve beside the shipped ones: DIR
    overrides them head by head and the shipped ``models/`` fills in the rest.
    """
    from brandfit.train import fit_head

    if head == ENCODER_DIRNAME:
        raise InvalidInputError(f"{head!r} is the sentence encoder's folder, not a head name")
    cfg = load_train_config(config)
    target = models_dir(models)
    needs_target = head == "alignment"
    # single-class files are fine as parts: the union is checked below
    parts = [
        load_labelled(
            path, text_col, label_col, require_target=needs_target, allow_single_class=True
        )
        for path in data
    ]
    train_posts = combine_labelled(parts)
    column = label_col or ("labels" if train_posts.multilabel else "label")
    check_classes(train_posts, train_posts.source, column)
    val_posts = (
        load_labelled(val, text_col, label_col, require_target=needs_target) if val else None
    )
    plan = plan_training(
        train_posts, cfg, head, has_val=val_posts is not None, allow_thin=allow_thin_labels
    )
    if plan.note:
        console.print(plan.note, highlight=False)
    previous = _previous(head, target)
    with status(f"training {head}") as update:
        encoder = None
        if plan.config.features.uses_encoder:
            shipped = load_encoder(encoder_dir_for(target))
            encoder = MemoEncoder(shipped, embedding_cache) if embedding_cache else shipped
        model = fit_head(
            head, train_posts, plan.config, val_posts, progress=update, encoder=encoder
        )
        metrics = {}
        if val_posts is not None:
            update("evaluating on validation data")
            metrics["validation"] = evaluate_head(model, val_posts)
        fingerprint = fingerprint_data(
            train_posts.texts, train_posts.labels, train_posts.targets or []
        )
        files = [str(path) for path in data]
        info = {**cfg.data, "rows": len(train_posts), "file": " + ".join(files)}
        if len(files) > 1:
            info["files"] = files
        manifest = save_head(model, target, metrics, info, fingerprint, previous=previous)
    console.print(f"saved [bold]{manifest['model_version']}[/] to {target / head}")
    if "validation" in metrics:
        v = metrics["validation"]
        console.print(f"validation: n={v['n']} macro_f1={v['macro_f1']} micro_f1={v['micro_f1']}")
    if report:
        from brandfit.cli.report import write_report

        shown = val_posts if val_posts is not None else train_posts
        out = target / head / REPORT_NAME
        write_report(model, manifest, shown, out, in_sample=val_posts is None)
