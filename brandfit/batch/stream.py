"""Streaming classification for notebooks: archives in, classified chunks out.

>>> from brandfit.batch import iter_classified
>>> for chunk in iter_classified(["exports/"], models_dir="models"):  # doctest: +SKIP
...     chunk.posts        # DataFrame: one flat row per valid post (see classify_frame)
...     chunk.quarantine   # list of {"source", "line", "reason", "detail"?, "raw"?}

Nothing is dropped: every input row is in exactly one chunk's ``posts`` or
``quarantine``, and ``chunk.rows_in == len(chunk.posts) + len(chunk.quarantine)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from brandfit.batch.frame import classify_frame
from brandfit.batch.sources import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_TEXT_CHARS,
    ColumnMap,
    check_columns,
    expand_inputs,
    iter_chunks,
)
from brandfit.predict import Predictor
from brandfit.settings import get_settings


@dataclass
class ClassifiedChunk:
    """One chunk of one input file: classified posts plus the rows that were rejected."""

    source: str
    index: int
    rows_in: int
    posts: pd.DataFrame
    quarantine: list[dict[str, Any]]


def iter_classified(
    inputs: Sequence[str | Path],
    predictor: Predictor | None = None,
    *,
    models_dir: str | Path | None = None,
    columns: ColumnMap | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
    heads: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    keep_text: bool = True,
) -> Iterator[ClassifiedChunk]:
    """Classify CSV/JSONL/Parquet files (or directories, globs) chunk by chunk, in order.

    Memory stays bounded by ``chunk_size``; ids are unique across all chunks (a repeated
    id is quarantined as ``duplicate id``). ``predictor`` defaults to the models in
    ``models_dir`` (default: ``BRANDFIT_MODELS_DIR`` or the shipped models). Like
    ``run_job``, each row keeps its post ``text`` unless ``keep_text=False``.
    """
    columns = columns or ColumnMap()
    files = expand_inputs(inputs)
    for path in files:
        check_columns(path, columns)
    if predictor is None:
        predictor = Predictor.from_dir(
            models_dir or get_settings().models_dir, list(heads) if heads else None
        )
    for chunk in iter_chunks(files, columns, chunk_size, max_text_chars):
        posts = classify_frame(
            chunk.frame, predictor, heads=heads, targets=targets, keep_text=keep_text
        )
        yield ClassifiedChunk(chunk.source, chunk.index, chunk.rows_in, posts, chunk.quarantine)
