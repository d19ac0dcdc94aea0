"""Score a head on labelled posts and write its report (the one call the CLI makes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from brandfit.data import LabelledPosts
from brandfit.evaluate import metrics_from_decisions
from brandfit.heads.model import HeadModel
from brandfit.report.build import build_report
from brandfit.report.scoring import score_labelled


def _noop(_: int) -> None:
    return None


def report_html(
    model: HeadModel,
    manifest: dict[str, Any],
    data: LabelledPosts,
    in_sample: bool = False,
    baseline: tuple[HeadModel, dict[str, Any]] | None = None,
    on_progress: Callable[[int], None] = _noop,
) -> tuple[str, dict[str, Any]]:
    """The report page and the metrics it shows.

    ``baseline`` is another version of the head (model, manifest), e.g. the shipped one
    a retrained head overrides; it is scored on the same posts for a like-for-like
    comparison. ``on_progress`` receives rows scored (twice as many with a baseline).
    """
    scored = score_labelled(model, data, on_progress)
    metrics = metrics_from_decisions(model, data, scored.decided, manifest.get("model_version"))
    compared = None
    if baseline is not None:
        other, other_manifest = baseline
        other_scored = score_labelled(other, data, on_progress)
        version = str(other_manifest.get("model_version"))
        compared = (version, metrics_from_decisions(other, data, other_scored.decided, version))
    page = build_report(model, manifest, data, scored, metrics, in_sample, compared)
    return page, metrics


def write_html(path: str | Path, page: str) -> Path:
    """Write ``page`` to ``path`` (via a temporary file and a rename, so never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
