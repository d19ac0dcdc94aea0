"""``run_job``: classify archives into a job directory, exactly once, resumable.

The driver streams validated chunks (:mod:`brandfit.batch.sources`), skips the ones
the checkpoint lists, sends the rest to an engine (in-process, a local process pool,
or Dask) with a bounded number in flight, and writes each result as one atomic part
followed by a checkpoint line. At the end it assembles ``quarantine.jsonl``, checks
``rows_in == scored + quarantined`` per file and that ids are unique across parts,
writes the optional authors table and, last, ``summary.json``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from brandfit.batch.cores import threads_per_process
from brandfit.batch.engines import LocalEngine
from brandfit.batch.finalize import finalize
from brandfit.batch.job import JOB_FORMAT, JobDir
from brandfit.batch.label_counts import write_label_distribution
from brandfit.batch.ranking import check_brand
from brandfit.batch.sources import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_TEXT_CHARS,
    Chunk,
    ColumnMap,
    check_columns,
    expand_inputs,
    iter_chunks,
)
from brandfit.batch.worker import TaskSpec
from brandfit.batch.writers import FORMATS, write_part, write_text_atomic
from brandfit.errors import InvalidInputError
from brandfit.features.encoder_cache import encoder_threads
from brandfit.predict import Predictor

EventHandler = Callable[[str, dict[str, Any]], None]


@dataclass
class JobOptions:
    """Everything ``brandfit classify`` takes (see docs/batch.md)."""

    inputs: list[str]
    out: Path
    models_dir: Path | tuple[Path, ...]  # one directory or layers (see model_layers)
    engine: str = "local"
    scheduler: str | None = None
    workers: int = 1
    chunk_size: int | None = None  # None: the job's earlier size on resume, else the default
    heads: list[str] | None = None
    targets: list[str] | None = None
    columns: ColumnMap = field(default_factory=ColumnMap)
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    fmt: str = "parquet"
    by_author: bool = False
    brand: Path | None = None
    resume: bool = False
    keep_text: bool = True  # the post text in posts/ (CLI: --no-text drops it)


class Engine(Protocol):
    """What the runner needs from an engine."""

    window: int
    description: str

    def submit(self, frame: pd.DataFrame, spec: TaskSpec, key: str) -> Any: ...  # noqa: D102

    def wait_first(self, futures: list[Any]) -> set[Any]: ...  # noqa: D102

    def close(self) -> None: ...  # noqa: D102


def _ignore(kind: str, data: dict[str, Any]) -> None:
    """Drop progress events."""


def _manifest(
    opts: JobOptions, files: list[Path], predictor: Predictor, targets: list[str]
) -> dict[str, Any]:
    return {
        "job_format": JOB_FORMAT,
        "inputs": [
            {"path": str(p), "size": p.stat().st_size, "mtime_ns": p.stat().st_mtime_ns}
            for p in files
        ],
        "columns": {
            "id": opts.columns.id,
            "text": opts.columns.text,
            "author": opts.columns.author,
            "metrics": opts.columns.metrics,
        },
        "chunk_size": opts.chunk_size,
        "max_text_chars": opts.max_text_chars,
        "heads": list(predictor.models.heads),
        "targets": targets,
        "format": opts.fmt,
        "by_author": opts.by_author,
        "keep_text": opts.keep_text,
        "brand": str(opts.brand.resolve()) if opts.brand else None,
        "model_versions": dict(sorted(predictor.versions.items())),
    }


def _engine(opts: JobOptions, spec: TaskSpec, predictor: Predictor) -> Engine:
    if opts.engine == "dask":
        from brandfit.batch.dask_backend import DaskEngine

        return DaskEngine(opts.scheduler, max(opts.workers, 1))
    if opts.engine != "local":
        raise InvalidInputError(f"unknown engine {opts.engine!r}; use local or dask")
    if opts.scheduler:
        raise InvalidInputError("--scheduler needs --engine dask")
    return LocalEngine(opts.workers, spec, predictor)


def run_job(opts: JobOptions, on_event: EventHandler | None = None) -> dict[str, Any]:
    """Run (or resume, or confirm) a batch job; returns the summary written to ``summary.json``."""
    emit = on_event or _ignore
    started = time.perf_counter()
    if opts.fmt not in FORMATS:
        raise InvalidInputError(
            f"unknown output format {opts.fmt!r}; use one of {', '.join(FORMATS)}"
        )
    if opts.engine == "dask":
        from brandfit.batch.dask_backend import import_dask

        import_dask()  # a missing extra is reported before any work
    files = expand_inputs(opts.inputs)
    for path in files:
        check_columns(path, opts.columns, require_author=opts.by_author)
    # the driver classifies too in the local engine: it takes its share of the cores
    with encoder_threads(threads_per_process(opts.workers) if opts.engine == "local" else None):
        predictor = Predictor.from_dir(opts.models_dir, opts.heads)
        targets = (
            predictor.resolve_targets(opts.targets) if "alignment" in predictor.models.heads else []
        )
        spec = TaskSpec.for_predictor(predictor, opts.models_dir, targets, opts.keep_text)
        if opts.brand is not None:
            check_brand(
                opts.brand, predictor if opts.heads is None else Predictor.from_dir(opts.models_dir)
            )
    job = JobDir(opts.out, opts.fmt)
    opts = replace(opts, chunk_size=_chunk_size(opts, job))
    state = job.prepare(_manifest(opts, files, predictor, targets), opts.resume)
    if state == "complete":
        summary: dict[str, Any] = json.loads(job.summary.read_text(encoding="utf-8"))
        emit("complete", summary)
        return summary
    done = job.finished()
    emit(
        "start",
        {
            "total_bytes": sum(p.stat().st_size for p in files),
            "files": len(files),
            "resumed_parts": len(done),
        },
    )
    engine = _engine(opts, spec, predictor)
    try:
        entries, computed = _process(files, opts, job, done, engine, spec, emit)
    finally:
        engine.close()
    emit("finalize", {})
    summary = finalize(job, files, entries, opts, predictor, targets)
    summary["outputs"]["labels"] = write_label_distribution(job, [e["part"] for e in entries])
    elapsed = time.perf_counter() - started
    summary["engine"] = engine.description
    summary["timings"] = {
        "elapsed_s": round(elapsed, 3),
        "rows_per_s": round(
            sum(e["rows_in"] for e in entries if e["part"] in computed) / elapsed, 1
        )
        if computed
        else None,
        "parts_computed": len(computed),
        "parts_resumed": len(entries) - len(computed),
    }
    write_text_atomic(job.summary, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    emit("done", summary)
    return summary


def _chunk_size(opts: JobOptions, job: JobDir) -> int:
    """The chunk size asked for, else the one an existing job was started with, else the default.

    Part names come from chunk indices, so a job resumed without ``--chunk-size`` keeps
    the size it started with (also across releases that change the default).
    """
    if opts.chunk_size is not None:
        return opts.chunk_size
    try:
        previous = job.previous_manifest()
        return int(previous["chunk_size"]) if previous is not None else DEFAULT_CHUNK_SIZE
    except (ValueError, KeyError, TypeError):
        return DEFAULT_CHUNK_SIZE  # not a readable manifest: prepare() says so


def _entry(chunk: Chunk, scored: int) -> dict[str, Any]:
    return {
        "part": chunk.name,
        "source": chunk.source,
        "file_index": chunk.file_index,
        "chunk": chunk.index,
        "rows_in": chunk.rows_in,
        "scored": scored,
        "quarantined": len(chunk.quarantine),
        "blank_lines": chunk.blank_lines,
    }


def _check_resumed(chunk: Chunk, entry: dict[str, Any]) -> None:
    expected = _entry(chunk, len(chunk.frame))
    if any(entry.get(k) != v for k, v in expected.items()):
        raise InvalidInputError(
            f"{chunk.source}: chunk {chunk.index} no longer matches the finished part {chunk.name} "
            "(the input changed since the job started); write to a new --out"
        )


def _process(
    files: list[Path],
    opts: JobOptions,
    job: JobDir,
    done: dict[str, dict[str, Any]],
    engine: Engine,
    spec: TaskSpec,
    emit: EventHandler,
) -> tuple[list[dict[str, Any]], set[str]]:
    entries: list[dict[str, Any]] = []
    computed: set[str] = set()
    pending: dict[Any, Chunk] = {}
    run = uuid.uuid4().hex[:8]

    def collect(futures: set[Any]) -> Iterator[None]:
        for future in futures:
            chunk = pending.pop(future)
            result = future.result()
            if (
                len(result) != len(chunk.frame)
                or result["id"].tolist() != chunk.frame["id"].tolist()
            ):
                raise RuntimeError(
                    f"{chunk.name}: the engine returned other rows than it was given"
                )
            entry = _write(job, chunk, result, opts.fmt)
            computed.add(chunk.name)
            emit("part", {**entry, "nbytes": chunk.nbytes, "skipped": False})
            yield None

    for chunk in iter_chunks(files, opts.columns, opts.chunk_size, opts.max_text_chars):
        if chunk.name in done:
            _check_resumed(chunk, done[chunk.name])
            entries.append(done[chunk.name])
            emit("part", {**done[chunk.name], "nbytes": chunk.nbytes, "skipped": True})
            continue
        while len(pending) >= engine.window:
            list(collect(engine.wait_first(list(pending))))
        pending[engine.submit(chunk.frame, spec, f"brandfit-{run}-{chunk.name}")] = chunk
        entries.append(_entry(chunk, len(chunk.frame)))
    while pending:
        list(collect(engine.wait_first(list(pending))))
    return entries, computed


def _write(job: JobDir, chunk: Chunk, result: pd.DataFrame, fmt: str) -> dict[str, Any]:
    if chunk.quarantine:
        path = job.quarantine_part(chunk.name)
        text = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in chunk.quarantine)
        write_text_atomic(path, text)
    scored = write_part(result, job.part(chunk.name), fmt)
    entry = _entry(chunk, scored)
    job.record(entry)
    return entry
