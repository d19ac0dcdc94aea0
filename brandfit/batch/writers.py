"""Part files: classified frames written atomically as Parquet, JSONL or CSV, and read back.

A part is written to a hidden temporary file in the same folder, flushed to disk and
renamed over its final name, so a reader (or a resumed job) never sees half a part.
Parquet parts get an explicit Arrow schema built from the column names, so an empty
part has the same schema as a full one and both engines write identical bytes.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from brandfit.batch.frame import SEP
from brandfit.batch.sources import METRICS

FORMATS = ("parquet", "jsonl", "csv")
LIST_SEP = "|"  # joins label lists in CSV parts
TMP_MARK = ".tmp-"
_STRINGS = {"id", "text", "source", "author"}
_INTS = {"line", *METRICS}


def _is_list(name: str) -> bool:
    return name == "flags" or name.endswith(f"{SEP}labels")


def arrow_type(name: str, series: pd.Series) -> pa.DataType | None:
    """Return the Arrow type of an output column (``None``: let Arrow infer it)."""
    if name in _STRINGS or name.startswith(f"model_version{SEP}"):
        return pa.string()
    if name in _INTS:
        return pa.int64()
    if _is_list(name):
        return pa.list_(pa.string())
    if pd.api.types.is_float_dtype(series.dtype):
        return pa.float64()
    return None


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Convert to a table whose schema depends on the column names only (no pandas metadata)."""
    arrays = []
    for name in frame.columns:
        series = frame[name]
        kind = arrow_type(str(name), series)
        arrays.append(pa.array(series, type=kind, from_pandas=True))
    return pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``final``, renamed over it when the block succeeds."""
    tmp = final.with_name(f".{final.name}{TMP_MARK}{os.getpid()}")
    try:
        yield tmp
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(final)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(final: Path, text: str) -> None:
    """Write ``text`` to ``final`` atomically."""
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_part(frame: pd.DataFrame, final: Path, fmt: str) -> int:
    """Write ``frame`` atomically as ``fmt``; returns the number of rows."""
    table = to_arrow(frame)
    with atomic_path(final) as tmp:
        if fmt == "parquet":
            pq.write_table(table, tmp, compression="zstd")
        elif fmt == "jsonl":
            with tmp.open("w", encoding="utf-8") as handle:
                write_jsonl(handle, table.to_pylist())
        elif fmt == "csv":
            flat = frame.copy()
            for name in flat.columns:
                if _is_list(str(name)):
                    flat[name] = [LIST_SEP.join(v) for v in flat[name]]
            flat.to_csv(tmp, index=False)
        else:
            raise ValueError(f"unknown part format {fmt!r}; use one of {FORMATS}")
    return table.num_rows


def write_jsonl(handle: IO[str], rows: list[dict[str, Any]]) -> None:
    """One compact JSON object per line."""
    for row in rows:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_part(path: Path, fmt: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a part file back as a DataFrame (label lists as Python lists in every format)."""
    if fmt == "parquet":
        return pq.read_table(path, columns=columns).to_pandas()
    if fmt == "jsonl":
        text = path.read_text(encoding="utf-8")
        frame = (
            pd.read_json(io.StringIO(text), lines=True, dtype=False, precise_float=True)
            if text.strip()
            else pd.DataFrame()
        )
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for name in frame.columns:
            if _is_list(str(name)):
                frame[name] = [v.split(LIST_SEP) if v else [] for v in frame[name]]
    if columns is not None:
        frame = frame.reindex(columns=columns)
    return frame


def count_rows(path: Path, fmt: str) -> int:
    """Rows in a part file without loading it (Parquet footer; one line per row otherwise)."""
    if fmt == "parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    if fmt == "jsonl":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    return len(pd.read_csv(path, dtype=str, usecols=["id"], keep_default_na=False))
