"""Batch classification of post archives: streaming, resumable, exactly once, local or Dask.

Library entry points (the CLI is ``brandfit classify``; see docs/batch.md):

- :func:`classify_frame` — a DataFrame of posts -> one flat row of labels and scores per post;
- :func:`iter_classified` — files, directories or globs -> classified chunks + quarantined rows;
- :func:`run_job` — the whole job: part files, checkpoint, resume, summary, authors table;
- :func:`classify_dask_frame` — ``classify_frame`` over a Dask DataFrame (needs the dask extra).
"""

from __future__ import annotations

from typing import Any

from brandfit.batch.frame import classify_frame, score_columns
from brandfit.batch.runner import JobOptions, run_job
from brandfit.batch.sources import ColumnMap
from brandfit.batch.stream import ClassifiedChunk, iter_classified


def classify_dask_frame(*args: Any, **kwargs: Any) -> Any:
    """See :func:`brandfit.batch.dask_backend.classify_dask_frame` (imported lazily)."""
    from brandfit.batch.dask_backend import classify_dask_frame as run

    return run(*args, **kwargs)


__all__ = [
    "ClassifiedChunk",
    "ColumnMap",
    "JobOptions",
    "classify_dask_frame",
    "classify_frame",
    "iter_classified",
    "run_job",
    "score_columns",
]
