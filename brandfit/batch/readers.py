"""Record readers for CSV, JSONL and Parquet: every input record comes out, readable or not.

Each reader yields :class:`Record` objects in file order. A record that cannot be read
(a CSV row with the wrong number of fields, invalid UTF-8, a broken JSON line) still
comes out, with ``values=None``, the reason and the raw content, so the caller can
quarantine it instead of losing it. Blank lines are not records; they are counted.
CSV parsing lives in :mod:`brandfit.batch.csv_records`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from brandfit.errors import InvalidInputError

COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd", ".bz2": "bz2"}
FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
RAW_LIMIT = 1_000_000  # characters of raw content kept per quarantined record
BLOCK_SIZE = 1 << 20
BLANK = "blank line"  # not a record: counted, never quarantined


@dataclass
class Position:
    """How many bytes of the (compressed) file a reader has consumed so far."""

    done: int = 0


@dataclass(frozen=True, slots=True)
class Record:
    """One input record: its 1-based line (or row) number and its values, or why it is unreadable."""

    line: int
    values: dict[str, Any] | None
    error: str | None = None
    raw: str | None = None
    detail: str | None = None


def file_format(path: Path) -> tuple[str, str | None]:
    """``(format, compression)`` from the file name, e.g. ``("csv", "gzip")`` for ``x.csv.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = COMPRESSIONS.get(suffixes[-1]) if suffixes else None
    if compression:
        suffixes = suffixes[:-1]
    kind = FORMATS.get(suffixes[-1]) if suffixes else None
    if kind is None:
        raise InvalidInputError(
            f"{path}: unsupported file type; use .csv, .jsonl or .parquet (optionally .gz/.zst)"
        )
    return kind, compression


def open_binary(path: Path, compression: str | None, raw: IO[bytes] | None = None) -> IO[bytes]:
    """Open the file's bytes, decompressed transparently (reading from ``raw`` if given)."""
    source: IO[bytes] = raw if raw is not None else path.open("rb")
    if compression == "gzip":
        return gzip.GzipFile(fileobj=source, mode="rb")
    if compression == "zstd":
        import zstandard

        reader = zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=True)
        return io.BufferedReader(reader)  # type: ignore[arg-type]
    if compression == "bz2":
        return bz2.BZ2File(source, "rb")
    return source


def clip_raw(text: str) -> str:
    """Cut raw content kept for the quarantine to :data:`RAW_LIMIT` characters, saying so."""
    return (
        text
        if len(text) <= RAW_LIMIT
        else text[:RAW_LIMIT] + f"... [{len(text) - RAW_LIMIT} more characters]"
    )


def _decode(value: bytes | None) -> tuple[str | None, bool]:
    """``(text, ok)``; invalid UTF-8 comes back with backslash escapes and ``ok=False``."""
    if value is None:
        return None, True
    try:
        return value.decode("utf-8"), True
    except UnicodeDecodeError:
        return value.decode("utf-8", "backslashreplace"), False


# ----------------------------------------------------------------------------- JSONL


def read_jsonl(
    path: Path, compression: str | None, columns: list[str], position: Position
) -> Iterator[Record]:
    """Yield the records of a JSON Lines file, one per line."""
    with path.open("rb") as raw, open_binary(path, compression, raw) as handle:
        for line_no, line in enumerate(handle, start=1):
            if line_no % 1024 == 0:
                position.done = raw.tell()
            if not line.strip():
                yield Record(line_no, None, BLANK)
                continue
            text, ok = _decode(line.rstrip(b"\r\n"))
            assert text is not None
            if not ok:
                yield Record(line_no, None, "invalid UTF-8", clip_raw(text))
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Record(
                    line_no,
                    None,
                    "broken JSON line",
                    clip_raw(text),
                    f"{exc.msg} at column {exc.colno}",
                )
                continue
            if not isinstance(obj, dict):
                yield Record(
                    line_no,
                    None,
                    "not a JSON object",
                    clip_raw(text),
                    f"the line holds a JSON {type(obj).__name__}",
                )
                continue
            yield Record(line_no, {name: obj.get(name) for name in columns}, raw=clip_raw(text))


# ----------------------------------------------------------------------------- Parquet


@contextmanager
def parquet_file(path: Path, compression: str | None) -> Iterator[pq.ParquetFile]:
    """Open a ParquetFile; a compressed one is first streamed into a temporary file."""
    if compression is None:
        with pq.ParquetFile(path) as handle:
            yield handle
        return
    with tempfile.TemporaryDirectory(prefix="brandfit-") as tmp:
        target = Path(tmp) / "input.parquet"
        with open_binary(path, compression) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, BLOCK_SIZE)
        with pq.ParquetFile(target) as handle:
            yield handle


def parquet_columns(path: Path, compression: str | None) -> list[str]:
    """Column names of a Parquet file."""
    try:
        with parquet_file(path, compression) as handle:
            return list(handle.schema_arrow.names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInputError(f"{path}: cannot read as Parquet: {exc}") from exc


def read_parquet(
    path: Path,
    compression: str | None,
    columns: list[str],
    position: Position,
    batch_size: int = 8192,
) -> Iterator[Record]:
    """Yield the records of a Parquet file (``line`` is the 1-based row number)."""
    row = 0
    size = path.stat().st_size
    with parquet_file(path, compression) as handle:
        present = [c for c in columns if c in handle.schema_arrow.names]
        total = max(handle.metadata.num_rows, 1)
        for batch in handle.iter_batches(batch_size=batch_size, columns=present):
            position.done = int(size * row / total)
            batch = _with_missing(batch, columns)
            cols = [batch.column(name).to_pylist() for name in columns]
            for values in zip(*cols, strict=True):
                row += 1
                out: dict[str, Any] = {}
                ok = True
                for name, value in zip(columns, values, strict=True):
                    if isinstance(value, bytes):
                        value, good = _decode(value)
                        ok = ok and good
                    out[name] = value
                if ok:
                    yield Record(row, out)
                else:
                    yield Record(
                        row,
                        None,
                        "invalid UTF-8",
                        clip_raw(json.dumps(out, ensure_ascii=False, default=str)),
                    )


def _with_missing(batch: pa.RecordBatch, columns: list[str]) -> pa.RecordBatch:
    arrays = [
        batch.column(c) if c in batch.schema.names else pa.nulls(batch.num_rows) for c in columns
    ]
    return pa.RecordBatch.from_arrays(arrays, names=columns)


def read_records(
    path: Path, columns: list[str], position: Position | None = None
) -> Iterator[Record]:
    """Every record of ``path`` (CSV, JSONL or Parquet, compressed or not) in file order."""
    kind, compression = file_format(path)
    position = position if position is not None else Position()
    if kind == "csv":
        from brandfit.batch.csv_records import read_csv

        return read_csv(path, compression, columns, position)
    if kind == "jsonl":
        return read_jsonl(path, compression, columns, position)
    return read_parquet(path, compression, columns, position)


def available_columns(path: Path) -> list[str] | None:
    """Column names of a CSV or Parquet file; ``None`` for JSONL (columns vary per line)."""
    kind, compression = file_format(path)
    if kind == "csv":
        from brandfit.batch.csv_records import csv_header

        return csv_header(path, compression)
    if kind == "parquet":
        return parquet_columns(path, compression)
    return None
