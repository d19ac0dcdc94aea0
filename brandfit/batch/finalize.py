"""The end of a job: assemble the quarantine, prove exactly-once, write the authors table.

Counts are taken from the files on disk, not from memory: the rows in each posts
part, the lines in each quarantine part. A job only gets its ``summary.json`` when,
for every input file, ``rows_in == scored + quarantined`` and no id appears twice
across all parts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from brandfit.batch.authors import AuthorAggregator
from brandfit.batch.idset import IdSet
from brandfit.batch.job import JobDir
from brandfit.batch.ranking import rank_authors
from brandfit.batch.writers import atomic_path, count_rows, read_part, to_arrow
from brandfit.errors import BrandfitError
from brandfit.predict import Predictor

if TYPE_CHECKING:
    from brandfit.batch.runner import JobOptions


class ExactlyOnceError(BrandfitError, RuntimeError):
    """The output does not account for every input row exactly once."""


def _assemble_quarantine(job: JobDir, entries: list[dict[str, Any]]) -> Counter[str]:
    reasons: Counter[str] = Counter()
    with atomic_path(job.quarantine) as tmp, tmp.open("w", encoding="utf-8") as out:
        for entry in entries:
            if not entry["quarantined"]:
                continue
            path = job.quarantine_part(entry["part"])
            lines = path.read_text(encoding="utf-8").splitlines()
            if len(lines) != entry["quarantined"]:
                raise ExactlyOnceError(
                    f"{path}: {len(lines)} quarantined rows, the checkpoint says {entry['quarantined']}"
                )
            for line in lines:
                out.write(line + "\n")
                reasons[_reason(line)] += 1
    return reasons


def _reason(line: str) -> str:
    return str(json.loads(line)["reason"])


def finalize(
    job: JobDir,
    files: list[Path],
    entries: list[dict[str, Any]],
    opts: JobOptions,
    predictor: Predictor,
    targets: list[str],
) -> dict[str, Any]:
    """Check and complete a job whose parts are all written; returns the summary (without timings)."""
    entries = sorted(entries, key=lambda e: e["part"])
    reasons = _assemble_quarantine(job, entries)
    seen = IdSet()
    authors = AuthorAggregator() if opts.by_author else None
    columns = None if authors else ["id"]
    per_file: dict[str, dict[str, int]] = {
        str(p): dict.fromkeys(("rows_in", "scored", "quarantined", "blank_lines"), 0) for p in files
    }
    for entry in entries:
        path = job.part(entry["part"])
        scored = count_rows(path, opts.fmt)
        if scored != entry["scored"]:
            raise ExactlyOnceError(f"{path}: {scored} rows, the checkpoint says {entry['scored']}")
        frame = read_part(path, opts.fmt, columns)
        if scored and seen.add([str(i) for i in frame["id"]]).any():
            raise ExactlyOnceError(f"{path}: holds an id already written by another part")
        if authors is not None and scored:
            authors.add(frame)
        counts = per_file[entry["source"]]
        for key in counts:
            counts[key] += int(entry[key])
    problems = [
        f"{src}: {c['rows_in']} rows in, {c['scored']} scored + {c['quarantined']} quarantined"
        for src, c in per_file.items()
        if c["rows_in"] != c["scored"] + c["quarantined"]
    ]
    if problems:
        raise ExactlyOnceError("rows unaccounted for: " + "; ".join(problems))
    totals = {
        key: sum(c[key] for c in per_file.values())
        for key in ("rows_in", "scored", "quarantined", "blank_lines")
    }
    summary: dict[str, Any] = {
        **totals,
        "exactly_once": True,
        "unique_ids": len(seen),
        "quarantine_reasons": dict(sorted(reasons.items())),
        "files": [{"source": src, **counts} for src, counts in per_file.items()],
        "parts": len(entries),
        "model_versions": dict(sorted(predictor.versions.items())),
        "heads": list(predictor.models.heads),
        "targets": targets,
        "outputs": {"posts": f"posts/*.{opts.fmt}", "quarantine": job.quarantine.name},
    }
    if authors is not None:
        table = authors.result()
        with atomic_path(job.authors) as tmp:
            pq.write_table(to_arrow(table), tmp, compression="zstd")
        summary["authors"] = len(table)
        summary["posts_without_author"] = authors.posts_without_author
        summary["outputs"]["authors"] = job.authors.name
    if opts.brand is not None:
        scorer = predictor if opts.heads is None else Predictor.from_dir(opts.models_dir)
        workdir = job.root / "_ranking"
        ranking, errors = rank_authors(
            opts.brand,
            files,
            opts.columns,
            opts.chunk_size,
            opts.max_text_chars,
            totals["scored"],
            workdir,
            scorer,
        )
        with atomic_path(job.ranking) as tmp:
            pq.write_table(
                pa.Table.from_pandas(ranking, preserve_index=False), tmp, compression="zstd"
            )
        summary["ranked_creators"] = len(ranking)
        summary["ranking_errors"] = errors
        summary["outputs"]["ranking"] = job.ranking.name
    return summary
