"""Atomic save and verified load of one head's model folder.

Trust boundary: joblib files are pickles and run code when loaded. Only load model
folders you made or trust; brandfit checks the sha256 recorded in the manifest
before unpickling, but a manifest can be forged along with its artefact.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.exceptions import InconsistentVersionWarning

from brandfit.errors import CorruptModelError, IncompatibleModelError
from brandfit.features.encoder_cache import encoder_dir_for, load_encoder
from brandfit.heads.model import HeadModel
from brandfit.persistence.card import render_card
from brandfit.persistence.manifest import (
    CARD_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    check_artifact,
    check_compatible,
    library_versions,
    read_manifest,
    sha256_file,
)
from brandfit.text.nlp import TOKENIZER_VERSION

#: Example posts whose outputs are recorded at save and re-checked at every load.
GOLDEN_TEXTS = (
    "Just finished a 10k run and a protein smoothie 💪 #fitness #health",
    "New album drops Friday, the tour starts next month! @user",
    "I hate this stupid traffic, worst day ever",
    "Thanks @user for the amazing dinner, the pasta was incredible 😍",
    "",
)


def _golden_predictions(model: HeadModel) -> list[dict[str, Any]]:
    texts = list(GOLDEN_TEXTS)
    targets = (
        [model.targets[i % len(model.targets)] for i in range(len(texts))]
        if model.targets
        else None
    )
    P = model.predict_texts(texts, targets)
    decided = model.decide(P)
    return [
        {
            "text": text,
            "target": targets[i] if targets else None,
            "labels": decided[i],
            "scores": [round(float(p), 6) for p in P[i]],
        }
        for i, text in enumerate(texts)
    ]


def _check_golden(model: HeadModel, manifest: dict[str, Any], folder: Path) -> None:
    """Refuse a model whose recorded golden predictions are missing, edited or not reproduced."""
    expected = manifest["golden"]
    texts = [want.get("text") for want in expected]
    if texts != list(GOLDEN_TEXTS):
        raise CorruptModelError(
            f"{folder}: the manifest's golden examples are not this brandfit's "
            f"{len(GOLDEN_TEXTS)} golden inputs (found {len(texts)}, texts differ or are "
            "missing); the manifest was edited or made by another brandfit; retrain the head"
        )
    actual = _golden_predictions(model)
    for want, got in zip(expected, actual, strict=True):
        scores = want.get("scores")
        close = (
            isinstance(scores, list)
            and len(scores) == len(got["scores"])
            and np.allclose(scores, got["scores"], atol=1e-4)
        )
        same = want.get("labels") == got["labels"] and want.get("target") == got["target"]
        if not close or not same:
            raise CorruptModelError(
                f"{folder}: golden check failed for {want['text']!r}: expected "
                f"{want.get('labels')} {scores}, got {got['labels']} {got['scores']}; the model "
                "does not behave as when it was saved"
            )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def save_head(
    model: HeadModel,
    models_dir: str | Path,
    metrics: dict[str, Any] | None = None,
    data_info: dict[str, Any] | None = None,
    data_fingerprint: str | None = None,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Save ``model`` to ``models_dir/<head>/`` atomically; return the manifest.

    ``previous`` is the manifest of the version this one replaces (default: the one in
    ``models_dir/<head>/`` if any); its version and metrics are kept under ``"previous"``
    so reports can compare the two.

    The manifest is the commit point: the new artefact is written under a new name,
    then ``manifest.json`` is replaced in one rename, then the old artefact removed.
    A crash at any point leaves either the old or the new complete model; an artefact
    a crash left unnamed by the manifest is removed by the next save of the head.
    """
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    final = models_dir / model.name
    if previous is None and (final / MANIFEST_NAME).is_file():
        try:
            previous = read_manifest(final)
        except CorruptModelError:
            previous = None
    staging = Path(tempfile.mkdtemp(prefix=f".{model.name}-", suffix=".tmp", dir=models_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; a model folder is readable like its files
    try:
        scratch = staging / "pipeline.joblib"
        joblib.dump(model, scratch, compress=("zlib", 6))
        digest = sha256_file(scratch)
        artifact_name = f"pipeline-{digest[:12]}.joblib"
        created = datetime.now(UTC).replace(microsecond=0)
        manifest: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "head": model.name,
            "model_version": f"{model.name}-{created:%Y%m%d}-{digest[:8]}",
            "created_at": created.isoformat(),
            "kind": model.kind,
            "labels": model.labels,
            "targets": model.targets,
            "positive_label": model.positive_label,
            "thresholds": model.thresholds,
            "library_versions": library_versions(),
            "tokenizer_version": TOKENIZER_VERSION,
            "encoder_version": model.encoder_version,
            "training_data": {"fingerprint": data_fingerprint, **(data_info or {})},
            "config": model.config,
            "metrics": metrics or {},
            "artifact": {"file": artifact_name, "sha256": digest, "bytes": scratch.stat().st_size},
            "golden": _golden_predictions(model),
        }
        if previous is not None:
            manifest["previous"] = previous_summary(previous)
        card = render_card(manifest)
        if not final.exists():
            scratch.rename(staging / artifact_name)
            (staging / MANIFEST_NAME).write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            (staging / CARD_NAME).write_text(card, encoding="utf-8")
            staging.rename(final)
            _fsync_dir(models_dir)
            return manifest
        old = _existing_artifact(final)
        shutil.move(str(scratch), final / artifact_name)
        _fsync_dir(final)
        _write_text_atomic(
            final / MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
        _write_text_atomic(final / CARD_NAME, card)
        if old is not None and old.name != artifact_name:
            old.unlink(missing_ok=True)
        _remove_orphans(final, keep=artifact_name)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def previous_summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a new manifest keeps of the version it replaces: version, date, data, metrics."""
    data = manifest.get("training_data") or {}
    return {
        "model_version": manifest.get("model_version"),
        "created_at": manifest.get("created_at"),
        "training_data": {k: data[k] for k in ("rows", "file") if k in data},
        "metrics": manifest.get("metrics", {}),
    }


def _remove_orphans(folder: Path, keep: str) -> None:
    """Delete artefacts and temp files a killed earlier save left beside the committed model.

    A save killed between moving its artefact in and swapping the manifest leaves an
    artefact no manifest names; the next save of the head removes it (and any other
    ``pipeline-*.joblib`` but ``keep``).
    """
    for path in folder.glob("pipeline-*.joblib"):
        if path.name != keep:
            path.unlink(missing_ok=True)
    for path in folder.glob(".*.tmp"):
        if path.is_file():
            path.unlink(missing_ok=True)


def _existing_artifact(folder: Path) -> Path | None:
    try:
        name = read_manifest(folder)["artifact"]["file"]
    except (CorruptModelError, KeyError, TypeError):
        return None
    return folder / name


def load_head(folder: str | Path) -> tuple[HeadModel, dict[str, Any]]:
    """Load and verify one head folder; raise a :class:`ModelLoadError` subclass on any problem."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    check_compatible(manifest, folder)
    path = check_artifact(manifest, folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            model = joblib.load(path)
    except InconsistentVersionWarning as exc:
        raise IncompatibleModelError(f"{path}: {exc}") from exc
    except Exception as exc:  # a damaged pickle can raise almost anything
        raise CorruptModelError(
            f"{path}: cannot unpickle the model ({type(exc).__name__}: {exc})"
        ) from exc
    if not isinstance(model, HeadModel):
        raise CorruptModelError(f"{path}: expected a HeadModel, found {type(model).__name__}")
    if model.name != manifest["head"]:
        raise CorruptModelError(
            f"{path}: artefact is head {model.name!r}, manifest says {manifest['head']!r}"
        )
    if model.uses_encoder:
        model.encoder = _matching_encoder(model, folder)
    _check_golden(model, manifest, folder)
    return model, manifest


def _matching_encoder(model: HeadModel, folder: Path) -> Any:
    """The verified sentence encoder the head was trained with (its models dir's, else shipped)."""
    encoder_dir = encoder_dir_for(folder.parent)
    encoder = load_encoder(encoder_dir)
    if encoder.version != model.encoder_version:
        raise IncompatibleModelError(
            f"{folder}: trained with sentence encoder {model.encoder_version}, but "
            f"{encoder_dir} holds {encoder.version}; retrain the head or restore that encoder"
        )
    return encoder


def record_metrics(folder: str | Path, name: str, metrics: dict[str, Any]) -> None:
    """Store ``metrics`` under ``name`` in a head's manifest (and refresh its card) atomically."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    manifest.setdefault("metrics", {})[name] = metrics
    _write_text_atomic(
        folder / MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    )
    _write_text_atomic(folder / CARD_NAME, render_card(manifest))
