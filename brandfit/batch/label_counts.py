"""``OUT/labels.csv``: how many scored posts got each label, per head (and alignment value).

Read from the finished part files (only their label-list columns and ``flags``), so it
describes exactly what ``posts/`` holds. Columns: ``head`` (``niche``, ``safety``,
``sentiment``, ``alignment`` or ``flags``), ``value`` (the alignment value, else empty),
``label``, ``posts`` and ``share`` (of all scored posts, 4 decimals). ``(none)`` counts the
posts given no label by a multi-label head (or no flag). Within a head, most frequent first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from brandfit.batch.frame import SEP
from brandfit.batch.job import JobDir
from brandfit.batch.writers import read_part, write_text_atomic

LABELS_FILE = "labels.csv"
NONE = "(none)"
COLUMNS = ["head", "value", "label", "posts", "share"]
_SUFFIX = f"{SEP}labels"


def _label_columns(names: Iterable[str]) -> list[str]:
    return [name for name in names if name == "flags" or name.endswith(_SUFFIX)]


def _head_value(column: str) -> tuple[str, str]:
    if column == "flags":
        return "flags", ""
    head, _, value = column[: -len(_SUFFIX)].partition(SEP)
    return head, value


def _count_parquet(path: Path, counts: dict[str, Counter[str]]) -> int:
    columns = _label_columns(pq.ParquetFile(path).schema_arrow.names)
    table = pq.read_table(path, columns=columns)
    for name in columns:
        column = table.column(name)
        counter = counts.setdefault(name, Counter())
        for item in pc.value_counts(pc.list_flatten(column)).to_pylist():
            counter[item["values"]] += item["counts"]
        counter[NONE] += int(pc.sum(pc.equal(pc.list_value_length(column), 0)).as_py() or 0)
    return table.num_rows


def _count_frame(frame: pd.DataFrame, counts: dict[str, Counter[str]]) -> int:
    for name in _label_columns(str(c) for c in frame.columns):
        counter = counts.setdefault(name, Counter())
        for labels in frame[name]:
            labels = list(labels) if labels is not None else []
            counter.update(labels)
            if not labels:
                counter[NONE] += 1
    return len(frame)


def count_labels(job: JobDir, parts: Iterable[str]) -> pd.DataFrame:
    """The label distribution over the given finished parts of ``job`` (see module doc)."""
    counts: dict[str, Counter[str]] = {}
    total = 0
    for name in parts:
        path = job.part(name)
        if job.fmt == "parquet":
            total += _count_parquet(path, counts)
        else:
            total += _count_frame(read_part(path, job.fmt), counts)
    rows = []
    for column, counter in counts.items():
        head, value = _head_value(column)
        ranked = sorted(
            ((n, label) for label, n in counter.items() if n), key=lambda x: (-x[0], x[1])
        )
        for n, label in ranked:
            share = round(n / total, 4) if total else 0.0
            rows.append({"head": head, "value": value, "label": label, "posts": n, "share": share})
    return pd.DataFrame(rows, columns=COLUMNS)


def write_label_distribution(job: JobDir, parts: Iterable[str]) -> str:
    """Write ``OUT/labels.csv`` atomically; returns its name (for ``summary["outputs"]``)."""
    frame = count_labels(job, parts)
    write_text_atomic(job.root / LABELS_FILE, frame.to_csv(index=False))
    return LABELS_FILE


def read_label_distribution(root: str | Path) -> pd.DataFrame | None:
    """``OUT/labels.csv`` of a finished job, or None if it has none (an older job)."""
    path = Path(root) / LABELS_FILE
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype={"value": str}, keep_default_na=False)
