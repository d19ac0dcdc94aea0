"""The task both engines run on a chunk, and the per-process Predictor cache behind it.

A task carries the chunk and a small :class:`TaskSpec` (models dir, expected
versions, heads, targets) — never the models. Each process (the local process, a
local pool worker, a Dask worker) loads the Predictor once, on its first task, and
keeps it keyed by models dir + versions. A worker whose models differ from the
driver's refuses the task instead of mixing versions in one output.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from brandfit.batch.frame import classify_frame
from brandfit.errors import IncompatibleModelError
from brandfit.heap import limit_malloc_arenas, settle_heap
from brandfit.persistence.registry import ModelsLocation
from brandfit.predict import Predictor


@dataclass(frozen=True)
class TaskSpec:
    """What a worker needs to classify a chunk exactly as the driver would."""

    models_dir: str | tuple[str, ...]  # one directory, or layers (first wins per head)
    versions: tuple[tuple[str, str], ...]
    heads: tuple[str, ...]
    targets: tuple[str, ...]
    keep_text: bool = False

    @classmethod
    def for_predictor(
        cls,
        predictor: Predictor,
        models_dir: ModelsLocation,
        targets: list[str],
        keep_text: bool = False,
    ) -> TaskSpec:
        """Build the spec that reproduces ``predictor``'s output with ``targets``."""
        versions = tuple(sorted(predictor.versions.items()))
        where: str | tuple[str, ...] = (
            str(Path(models_dir).resolve())
            if isinstance(models_dir, str | Path)
            else tuple(str(Path(p).resolve()) for p in models_dir)
        )
        return cls(where, versions, tuple(predictor.models.heads), tuple(targets), keep_text)


_CACHE: dict[tuple[str, tuple[tuple[str, str], ...]], Predictor] = {}
_LOCK = threading.Lock()


def remember(spec: TaskSpec, predictor: Predictor) -> None:
    """Seed this process's cache with an already loaded Predictor."""
    with _LOCK:
        _CACHE[(spec.models_dir, spec.versions)] = predictor
    settle_heap()


def predictor_for(spec: TaskSpec) -> Predictor:
    """Return this process's Predictor for ``spec``, loading it on first use."""
    key = (spec.models_dir, spec.versions)
    with _LOCK:
        predictor = _CACHE.get(key)
        if predictor is None:
            limit_malloc_arenas()  # load-time temporaries must not stay resident (see heap.py)
            predictor = Predictor.from_dir(spec.models_dir, list(spec.heads))
            found = tuple(sorted(predictor.versions.items()))
            if found != spec.versions:
                raise IncompatibleModelError(
                    f"{spec.models_dir} on this worker holds models {dict(found)}, but the job runs "
                    f"{dict(spec.versions)}; install the same models on every worker"
                )
            _CACHE[key] = predictor
            settle_heap()  # the loaded models stay out of every later collection
    return predictor


def classify_partition(frame: pd.DataFrame, spec: TaskSpec) -> pd.DataFrame:
    """Classify one chunk frame (``id``, ``text``, pass-through columns) in this process."""
    predictor = predictor_for(spec)
    return classify_frame(
        frame,
        predictor,
        heads=list(spec.heads),
        targets=list(spec.targets),
        keep_text=spec.keep_text,
    )
