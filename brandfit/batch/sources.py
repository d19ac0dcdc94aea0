"""Input archives -> validated chunks of posts plus quarantined rows, with bounded memory.

Every record of every input file ends up in exactly one place: a chunk's ``frame``
(valid, first occurrence of its id) or its ``quarantine`` list (with ``source``,
``line``, ``reason`` and the raw content when readable). Chunks hold ``chunk_size``
records of one file, so ``(file, chunk index)`` names the same rows on every run.
"""

from __future__ import annotations

import glob
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from brandfit.batch.idset import IdSet
from brandfit.batch.readers import (
    BLANK,
    Position,
    Record,
    available_columns,
    file_format,
    read_records,
)
from brandfit.errors import InvalidInputError

METRICS: tuple[str, ...] = ("likes", "comments", "shares", "views", "followers")
DEFAULT_CHUNK_SIZE = 5_000  # 20k held ~170 MB more across driver + pool worker, no faster
DEFAULT_MAX_TEXT_CHARS = 10_000
#: Columns of every chunk frame, in order (``text`` is dropped from the output).
FRAME_COLUMNS: tuple[str, ...] = ("id", "text", "source", "line", "author", *METRICS, "target")


@dataclass(frozen=True)
class ColumnMap:
    """Which input column holds what. ``author`` and metrics are optional per file."""

    text: str = "text"
    id: str = "id"
    author: str = "author"
    metrics: dict[str, str] = field(default_factory=lambda: {m: m for m in METRICS})
    #: a row's own brand value for the alignment head (optional)
    target: str = "target"

    def names(self) -> list[str]:
        """Every input column name to read, de-duplicated in a stable order."""
        return list(
            dict.fromkeys([self.id, self.text, self.author, *self.metrics.values(), self.target])
        )


@dataclass
class Chunk:
    """``chunk_size`` consecutive records of one file: the valid posts and the rejected rows."""

    source: str
    file_index: int
    index: int
    frame: pd.DataFrame
    quarantine: list[dict[str, Any]]
    rows_in: int
    blank_lines: int
    nbytes: int

    @property
    def name(self) -> str:
        """Deterministic part name from (input file, chunk index)."""
        return f"part-{self.file_index:05d}-{self.index:06d}"


def expand_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Files named by ``inputs`` (files, directories searched recursively, globs), sorted, unique."""
    found: list[Path] = []
    for item in inputs:
        text = str(item)
        path = Path(text)
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*") if p.is_file() and _is_table(p))
        elif path.is_file():
            matches = [path]
        elif glob.has_magic(text):
            # Path.glob takes no absolute patterns; glob.glob does
            found_paths = [Path(p) for p in glob.glob(text, recursive=True)]  # noqa: PTH207
            matches = sorted(p for p in found_paths if p.is_file() and _is_table(p))
        else:
            raise InvalidInputError(f"{text}: no such file or directory")
        if not matches:
            raise InvalidInputError(f"{text}: no .csv, .jsonl or .parquet files found there")
        found.extend(matches)
    unique = list(dict.fromkeys(p.resolve() for p in found))
    for path in unique:
        file_format(path)  # unsupported type -> clear error now, not mid-job
    return unique


def _is_table(path: Path) -> bool:
    try:
        file_format(path)
    except InvalidInputError:
        return False
    return not path.name.startswith((".", "_"))


def check_columns(path: Path, columns: ColumnMap, require_author: bool = False) -> None:
    """Raise if a CSV/Parquet file lacks the id or text column (or the author column when required)."""
    names = available_columns(path)
    if names is None:
        return  # JSONL: keys are checked per line
    needed = [columns.id, columns.text] + ([columns.author] if require_author else [])
    missing = [c for c in needed if c not in names]
    if missing:
        raise InvalidInputError(
            f"{path}: no column {', '.join(map(repr, missing))}; columns are {names}. "
            "Map them with --id-col / --text-col / --author-col."
        )


Problem = tuple[str, str | None]  # (reason, detail)


def _as_id(value: Any, what: str = "id") -> tuple[str | None, Problem | None]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, (f"missing {what}", None)
    if isinstance(value, str):
        return (value, None) if value.strip() else (None, (f"missing {what}", "blank"))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), None
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), None
    return None, (f"invalid {what}", f"expected a string or an integer, got {value!r}")


def _as_count(name: str, value: Any) -> tuple[int | None, Problem | None]:
    if value is None or value == "":
        return None, None
    if type(value) is int and value >= 0:
        return value, None
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value), None
    if isinstance(value, float) and math.isnan(value):
        return None, None
    number: Any = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    ok = isinstance(number, int | float) and not isinstance(number, bool) and math.isfinite(number)
    if not ok or number < 0 or not float(number).is_integer():
        return None, (f"invalid {name}", f"expected a whole number >= 0, got {value!r}")
    return int(number), None


def _as_target(value: Any) -> tuple[str | None, Problem | None]:
    """A row's own value text: missing or blank -> None; anything but text is refused."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    if not isinstance(value, str):
        return None, ("invalid target", f"expected text, got {type(value).__name__}")
    return (value if value.strip() else None), None


def validate(
    values: dict[str, Any], columns: ColumnMap, max_chars: int
) -> tuple[dict[str, Any] | None, Problem | None]:
    """``(row, None)`` for a valid record, ``(None, (reason, detail))`` otherwise.

    Duplicate ids are not checked here; :func:`iter_chunks` does that across the job.
    """
    post_id, problem = _as_id(values.get(columns.id))
    if problem:
        return None, problem
    text = values.get(columns.text)
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None, ("missing text", None)
    if not isinstance(text, str):
        return None, ("invalid text", f"expected a string, got {type(text).__name__}")
    if not text.strip():
        return None, ("empty text", None)
    if len(text) > max_chars:
        return None, ("text too long", f"{len(text)} characters; the limit is {max_chars}")
    author, _ = _as_id(values.get(columns.author), "author")
    target, problem = _as_target(values.get(columns.target))
    if problem:
        return None, problem
    row: dict[str, Any] = {"id": post_id, "text": text, "author": author, "target": target}
    for metric in METRICS:
        column = columns.metrics.get(metric)
        row[metric], problem = _as_count(metric, values.get(column) if column else None)
        if problem:
            return None, problem
    return row, None


def _quarantine(source: str, record: Record, reason: str, detail: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": source, "line": record.line, "reason": reason}
    if detail:
        entry["detail"] = detail
    if record.raw is not None:
        entry["raw"] = record.raw
    elif record.values is not None:
        present = {k: v for k, v in record.values.items() if v is not None}
        entry["raw"] = json.dumps(present, ensure_ascii=False, default=str)
    return entry


def empty_frame() -> pd.DataFrame:
    """Return a chunk frame with no rows and the right dtypes."""
    return _frame([], "")


def _frame(rows: list[dict[str, Any]], source: str) -> pd.DataFrame:
    data: dict[str, Any] = {
        "id": pd.Series([r["id"] for r in rows], dtype=object),
        "text": pd.Series([r["text"] for r in rows], dtype=object),
        "source": pd.Series([source] * len(rows), dtype=object),
        "line": pd.Series([r["line"] for r in rows], dtype="int64"),
        "author": pd.Series([r["author"] for r in rows], dtype=object),
    }
    for metric in METRICS:
        data[metric] = pd.Series([r[metric] for r in rows], dtype="Int64")
    data["target"] = pd.Series([r["target"] for r in rows], dtype=object)
    return pd.DataFrame(data, columns=list(FRAME_COLUMNS))


def iter_chunks(
    files: Sequence[Path],
    columns: ColumnMap | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_chars: int = DEFAULT_MAX_TEXT_CHARS,
) -> Iterator[Chunk]:
    """Yield validated chunks of every file in order; ids are unique across all chunks."""
    columns = columns or ColumnMap()
    if chunk_size < 1:
        raise InvalidInputError(f"chunk size must be at least 1, got {chunk_size}")
    seen = IdSet()
    names = columns.names()
    for file_index, path in enumerate(files):
        source = str(path)
        position = Position()
        records = read_records(path, names, position)
        index, start, blank = 0, 0, 0
        pending: list[Record] = []
        full: tuple[list[Record], int] | None = None  # a full chunk held until we know what follows
        for record in records:
            if record.error == BLANK:
                blank += 1
                continue
            if full is not None:
                yield _make_chunk(
                    source,
                    file_index,
                    index,
                    *full,
                    position.done - start,
                    columns,
                    max_chars,
                    seen,
                )
                index, start, full = index + 1, position.done, None
            pending.append(record)
            if len(pending) == chunk_size:
                full, pending, blank = (pending, blank), [], 0
        end = path.stat().st_size - start
        if full is not None:
            yield _make_chunk(
                source, file_index, index, full[0], full[1] + blank, end, columns, max_chars, seen
            )
        else:  # the last, partial chunk (an empty file gives one empty chunk)
            yield _make_chunk(
                source, file_index, index, pending, blank, end, columns, max_chars, seen
            )


def _make_chunk(
    source: str,
    file_index: int,
    index: int,
    records: list[Record],
    blank: int,
    nbytes: int,
    columns: ColumnMap,
    max_chars: int,
    seen: IdSet,
) -> Chunk:
    rows: list[dict[str, Any]] = []
    quarantine: list[dict[str, Any]] = []
    for record in records:
        if record.values is None:
            quarantine.append(
                _quarantine(source, record, record.error or "unreadable record", record.detail)
            )
            continue
        row, problem = validate(record.values, columns, max_chars)
        if row is None:
            reason, detail = problem or ("invalid record", None)
            quarantine.append(_quarantine(source, record, reason, detail))
            continue
        row["line"] = record.line
        row["_record"] = record
        rows.append(row)
    duplicate = seen.add([r["id"] for r in rows]) if rows else []
    kept = []
    for row, dup in zip(rows, duplicate, strict=True):
        if dup:
            quarantine.append(
                _quarantine(
                    source,
                    row["_record"],
                    "duplicate id",
                    f"id {row['id']!r} was already seen earlier in the job",
                )
            )
        else:
            kept.append(row)
    quarantine.sort(key=lambda q: q["line"])
    return Chunk(
        source,
        file_index,
        index,
        _frame(kept, source),
        quarantine,
        len(records),
        blank,
        max(nbytes, 0),
    )
