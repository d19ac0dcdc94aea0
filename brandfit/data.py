"""Labelled posts from CSV, JSONL or Parquet -> a validated :class:`LabelledPosts`.

Errors name the file, the row (1-based data row; CSV also gives the line) and the
column, so a user can fix a 100k-row export without guessing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from brandfit.errors import InvalidInputError

TABLE_SUFFIXES = (".csv", ".jsonl", ".json", ".ndjson", ".parquet", ".pq")


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst", ".bz2", ".xz"):
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV, JSONL or Parquet file into a DataFrame of Python objects."""
    path = Path(path)
    if not path.exists():
        raise InvalidInputError(f"{path}: file not found")
    kind = _suffix(path)
    try:
        if kind == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        if kind in (".jsonl", ".ndjson", ".json"):
            return _read_jsonl(path)
        if kind in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except InvalidInputError:
        raise
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InvalidInputError(f"{path}: cannot read as {kind[1:]}: {exc}") from exc
    raise InvalidInputError(
        f"{path}: unsupported file type {kind or '(none)'}; use .csv, .jsonl or .parquet"
    )


def read_jsonl_records(path: str | Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file (``.gz`` read transparently), one per non-blank line.

    A broken line, a line that is not an object or undecodable bytes raise
    :class:`InvalidInputError` naming the file and line.
    """
    import gzip

    path = Path(path)
    opener: Any = gzip.open if path.suffix.lower() == ".gz" else open
    records: list[dict[str, Any]] = []
    try:
        with opener(path, "rt", encoding="utf-8", newline="\n") as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInputError(
                        f"{path}: line {line_no}: not valid JSON ({exc.msg})"
                    ) from exc
                if not isinstance(record, dict):
                    raise InvalidInputError(f"{path}: line {line_no}: expected a JSON object")
                records.append(record)
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})"
        ) from exc
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc})") from exc
    return records


def _read_jsonl(path: Path) -> pd.DataFrame:
    return pd.DataFrame.from_records(read_jsonl_records(path))


@dataclass
class LabelledPosts:
    """Validated training or evaluation rows."""

    texts: list[str]
    labels: list[list[str]]  # one label per row for single-label data
    multilabel: bool
    targets: list[str] | None = None
    weights: np.ndarray | None = None
    known_labels: list[list[str] | None] | None = None
    source: str = ""

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, rows: Sequence[int] | np.ndarray) -> LabelledPosts:
        """The rows ``rows``, in that order, as a labelled set of their own (CV folds, splits)."""
        rows = [int(i) for i in rows]
        return LabelledPosts(
            texts=[self.texts[i] for i in rows],
            labels=[self.labels[i] for i in rows],
            multilabel=self.multilabel,
            targets=None if self.targets is None else [self.targets[i] for i in rows],
            weights=None if self.weights is None else self.weights[rows],
            known_labels=None
            if self.known_labels is None
            else [self.known_labels[i] for i in rows],
            source=self.source,
        )

    @property
    def label_set(self) -> list[str]:
        """Every label that occurs (plus every known-but-absent label for multi-label)."""
        seen = {label for row in self.labels for label in row}
        for row in self.known_labels or []:
            seen.update(row or [])
        return sorted(seen)


def _where(path: str, kind: str, index: int) -> str:
    row = index + 1
    return f"{path}: row {row} (line {row + 1})" if kind == ".csv" else f"{path}: row {row}"


def _split_labels(
    value: Any, where: str, column: str, csv: bool, empty_ok: bool = False
) -> list[str]:
    if empty_ok and csv and (value is None or (isinstance(value, float) and np.isnan(value))):
        return []  # an empty CSV cell in a 'labels' column: no labels
    if isinstance(value, str):
        parts = value.split("|") if csv else [value]
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, list | tuple | np.ndarray):
        out = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise InvalidInputError(
                    f"{where}, column {column!r}: labels must be non-empty strings"
                )
            out.append(item.strip())
        return out
    raise InvalidInputError(f"{where}, column {column!r}: missing or invalid labels ({value!r})")


def load_labelled(
    path: str | Path,
    text_col: str = "text",
    label_col: str | None = None,
    target_col: str | None = None,
    require_target: bool = False,
    allow_single_class: bool = False,
) -> LabelledPosts:
    """Read and validate labelled posts.

    ``label_col`` defaults to ``labels`` (multi-label) if the file has it, else ``label``.
    """
    path = Path(path)
    frame = read_table(path)
    where_file = str(path)
    kind = _suffix(path)
    if text_col not in frame.columns:
        raise InvalidInputError(
            f"{where_file}: no text column {text_col!r}; columns are {list(frame.columns)}"
        )
    if label_col is None:
        label_col = "labels" if "labels" in frame.columns else "label"
    if label_col not in frame.columns:
        raise InvalidInputError(
            f"{where_file}: unknown label column {label_col!r}; expected 'label' (one label) or "
            f"'labels' (several); columns are {list(frame.columns)}"
        )
    multilabel = (
        label_col == "labels"
        or frame[label_col].map(lambda v: isinstance(v, list | tuple | np.ndarray)).any()
    )
    texts: list[str] = []
    labels: list[list[str]] = []
    for i, (text, value) in enumerate(zip(frame[text_col], frame[label_col], strict=True)):
        where = _where(where_file, kind, i)
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError(f"{where}, column {text_col!r}: missing or empty text")
        row_labels = _split_labels(
            value, where, label_col, csv=kind == ".csv", empty_ok=bool(multilabel)
        )
        if not multilabel and len(row_labels) != 1:
            raise InvalidInputError(f"{where}, column {label_col!r}: expected exactly one label")
        texts.append(text)
        labels.append(row_labels)
    if not texts:
        raise InvalidInputError(f"{where_file}: no rows")
    targets = None
    tcol = target_col or "target"
    if require_target or target_col:
        if tcol not in frame.columns:
            raise InvalidInputError(
                f"{where_file}: no target column {tcol!r}; columns are {list(frame.columns)}"
            )
        targets = []
        for i, value in enumerate(frame[tcol]):
            if not isinstance(value, str) or not value.strip():
                raise InvalidInputError(
                    f"{_where(where_file, kind, i)}, column {tcol!r}: missing target"
                )
            targets.append(value.strip())
    weights = None
    if "weight" in frame.columns:
        weights = pd.to_numeric(frame["weight"], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
        if bad.size:
            raise InvalidInputError(
                f"{_where(where_file, kind, int(bad[0]))}, column 'weight': not a non-negative number"
            )
    known = None
    if multilabel and "known_labels" in frame.columns:
        known = [
            None
            if v is None or (isinstance(v, float) and np.isnan(v))
            else _split_labels(v, _where(where_file, kind, i), "known_labels", kind == ".csv")
            for i, v in enumerate(frame["known_labels"])
        ]
    data = LabelledPosts(texts, labels, bool(multilabel), targets, weights, known, where_file)
    if not allow_single_class:
        check_classes(data, where_file, label_col)
    return data


def check_classes(data: LabelledPosts, where: str, column: str) -> None:
    """Refuse single-label data with one class, and multi-label data without any label."""
    if data.multilabel:
        if not data.label_set:
            raise InvalidInputError(f"{where}, column {column!r}: no row has any label")
        return
    classes = {row[0] for row in data.labels}
    if len(classes) < 2:
        only = next(iter(classes))
        raise InvalidInputError(
            f"{where}, column {column!r}: a single class ({only!r}); a head needs at least two"
        )


def indicator_matrix(data: LabelledPosts, label_names: Sequence[str]) -> np.ndarray:
    """Multi-label targets as a matrix of 1 / 0 / -1 (label not judged for that row)."""
    index = {name: j for j, name in enumerate(label_names)}
    Y = np.zeros((len(data), len(label_names)), dtype=np.int8)
    for i, row in enumerate(data.labels):
        if data.known_labels is not None and data.known_labels[i] is not None:
            Y[i, :] = -1
            for name in data.known_labels[i] or []:
                if name in index:
                    Y[i, index[name]] = 0
        for name in row:
            if name in index:
                Y[i, index[name]] = 1
    return Y


def combine_labelled(parts: Sequence[LabelledPosts]) -> LabelledPosts:
    """Rows of several labelled files as one set, in order (``train --data a --data b``).

    The files must agree on the label form (one label or several) and on whether rows
    carry a target; weights default to 1 and ``known_labels`` to "all judged" in files
    that lack them.
    """
    if not parts:
        raise InvalidInputError("no training files given")
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    for part in parts[1:]:
        if part.multilabel != first.multilabel:
            kinds = {True: "'labels' (several)", False: "'label' (one)"}
            raise InvalidInputError(
                f"{part.source}: has {kinds[part.multilabel]} labels but {first.source} has "
                f"{kinds[first.multilabel]}; every training file needs the same label column"
            )
        if (part.targets is None) != (first.targets is None):
            raise InvalidInputError(
                f"{part.source}: rows {'lack' if part.targets is None else 'have'} a target "
                f"column, unlike {first.source}; every training file needs the same columns"
            )
    weights = None
    if any(p.weights is not None for p in parts):
        weights = np.concatenate(
            [p.weights if p.weights is not None else np.ones(len(p)) for p in parts]
        )
    known: list[list[str] | None] | None = None
    if any(p.known_labels is not None for p in parts):
        known = [k for p in parts for k in (p.known_labels or [None] * len(p))]
    return LabelledPosts(
        texts=[t for p in parts for t in p.texts],
        labels=[row for p in parts for row in p.labels],
        multilabel=first.multilabel,
        targets=None if first.targets is None else [t for p in parts for t in p.targets or []],
        weights=weights,
        known_labels=known,
        source=" + ".join(p.source for p in parts),
    )
