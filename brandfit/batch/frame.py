"""``classify_frame``: the one pure partition function both batch engines call.

It turns a DataFrame of posts into one flat, Parquet-friendly row per post. The
layout follows the Predictor's output contract, flattened with ``__`` as separator:

==============================  =============  ==============================================
column                          type           meaning
==============================  =============  ==============================================
``id``                          string         the post id
``text``                        string         the post text (only with ``keep_text=True``)
(every other input column)      as given       passed through unchanged
``<head>__labels``              list<string>   labels decided by ``niche``/``safety``/``sentiment``
``<head>__<label>``             float64        that label's probability (4 decimals)
``alignment__<value>__labels``  list<string>   stance toward ``value`` (supports/neutral/opposes)
``alignment__<value>__<stance>`` float64       that stance's probability
``alignment__row_target__*``    as above       stance toward the row's own ``target`` (when
                                               the frame has a ``target`` column and the
                                               alignment head takes any value; empty list and
                                               NaN where a row names none)
``flags``                       list<string>   weak-signal flags (empty_text, no_signal, ...)
``model_version__<head>``       string         version of the model that made the columns
==============================  =============  ==============================================

Heads appear in the models' order, labels in each head's label order, values in the
order of ``targets``: the schema depends only on the models and options, never on the
rows, so an empty partition has the same columns and types as a full one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from brandfit.errors import InvalidInputError
from brandfit.predict import HeadScores, Predictor, ScoredPosts

SEP = "__"
#: input column naming a row's own brand value, and the output group judged against it
TARGET_COL = "target"
ROW_TARGET = "row_target"
#: Posts per ``Predictor.predict`` call: bounds memory (about 0.1 MB per post in flight).
PREDICT_BATCH = 1000


def score_columns(
    predictor: Predictor,
    heads: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    row_targets: bool = False,
) -> list[str]:
    """Prediction column names (after the pass-through columns) for these heads and targets.

    ``row_targets``: the input has a ``target`` column (adds the ``row_target`` group).
    """
    names = _heads(predictor, heads)
    values = predictor.resolve_targets(targets) if "alignment" in names else []
    if _judges_row_targets(predictor, names, row_targets):
        values = [*values, ROW_TARGET]
    columns: list[str] = []
    for name in names:
        model = predictor.models.heads[name]
        if model.targets is not None:
            for value in values:
                columns += [f"{name}{SEP}{value}{SEP}labels"] + [
                    f"{name}{SEP}{value}{SEP}{label}" for label in model.labels
                ]
        else:
            columns += [f"{name}{SEP}labels"] + [f"{name}{SEP}{label}" for label in model.labels]
    columns.append("flags")
    columns += [f"model_version{SEP}{name}" for name in names]
    return columns


def _judges_row_targets(predictor: Predictor, names: list[str], has_column: bool) -> bool:
    """True when rows' own values get the ``row_target`` group: a value-stance alignment head."""
    head = predictor.models.heads.get("alignment") if "alignment" in names else None
    return has_column and head is not None and getattr(head, "open_values", False)


def _heads(predictor: Predictor, heads: Sequence[str] | None) -> list[str]:
    loaded = list(predictor.models.heads)
    if heads is None:
        return loaded
    for name in heads:
        predictor.models.head(name)  # unknown -> UnknownHeadError
    return [name for name in loaded if name in heads]


def classify_frame(
    df: pd.DataFrame,
    predictor: Predictor,
    *,
    text_col: str = "text",
    id_col: str = "id",
    heads: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    batch_size: int = PREDICT_BATCH,
    keep_text: bool = False,
) -> pd.DataFrame:
    """Classify every post of ``df`` with every head; one flat output row per input row.

    Parameters
    ----------
    df
        Posts; needs ``text_col`` (strings) and ``id_col``. Other columns pass through.
    predictor
        A loaded :class:`~brandfit.predict.Predictor`.
    text_col, id_col
        Column names of the post text and id (the id column comes out as ``id``).
    heads
        Heads to run (default: every loaded head).
    targets
        Values for the alignment head (default: every value it knows).
    batch_size
        Posts per ``Predictor.predict`` call; results do not depend on it.
    keep_text
        Keep the text as a ``text`` column right after ``id`` (``brandfit classify`` does
        unless ``--no-text``); by default it is dropped.

    Returns
    -------
    pandas.DataFrame
        ``id`` (and ``text``), the pass-through columns, then :func:`score_columns`; same
        row order.
    """
    for column in (text_col, id_col):
        if column not in df.columns:
            raise InvalidInputError(f"no column {column!r}; columns are {list(df.columns)}")
    names = _heads(predictor, heads)
    values = predictor.resolve_targets(targets) if "alignment" in names else []
    texts = [t if isinstance(t, str) else None for t in df[text_col].tolist()]
    own: list[str | None] | None = None
    if _judges_row_targets(predictor, names, TARGET_COL in df.columns):
        own = [t if isinstance(t, str) and t.strip() else None for t in df[TARGET_COL].tolist()]
    elif "alignment" in names and TARGET_COL in df.columns and df[TARGET_COL].notna().any():
        raise InvalidInputError(
            "rows name their own 'target', but this models folder's alignment head knows "
            "named targets only; drop the column or use the shipped alignment head"
        )
    batches = [  # the Predictor's memory grows with its batch
        predictor.score(
            texts[start : start + batch_size],
            targets=values,
            heads=names,
            row_targets=own[start : start + batch_size] if own is not None else None,
        )
        for start in range(0, len(texts), batch_size)
    ]
    out = df.drop(columns=[text_col]).reset_index(drop=True)
    out = out.rename(columns={id_col: "id"})
    out = out[["id", *[c for c in out.columns if c != "id"]]]
    if keep_text:
        if "text" in out.columns:
            raise InvalidInputError(
                f"input column 'text' clashes with the kept text of {text_col!r}; rename it"
            )
        out.insert(1, "text", pd.Series(texts, dtype=object))
    columns: dict[str, Any] = {}
    for name in names:
        model = predictor.models.heads[name]
        if model.targets is not None:
            for value in values:
                parts = [batch.alignment[value] for batch in batches]
                columns.update(_flatten(f"{name}{SEP}{value}", model.labels, parts))
            if own is not None:
                parts = [_row_scores(batch, model.labels) for batch in batches]
                columns.update(_flatten(f"{name}{SEP}{ROW_TARGET}", model.labels, parts))
        else:
            columns.update(_flatten(name, model.labels, [batch.heads[name] for batch in batches]))
    columns["flags"] = pd.Series([f for batch in batches for f in batch.flags], dtype=object)
    versions = predictor.versions
    for name in names:
        columns[f"model_version{SEP}{name}"] = pd.Series([versions[name]] * len(out), dtype=object)
    clash = set(columns) & set(out.columns)
    if clash:
        raise InvalidInputError(
            f"input columns {sorted(clash)} clash with output columns; rename them"
        )
    scored = pd.DataFrame(columns, index=out.index)
    return pd.concat([out, scored], axis=1)


def _row_scores(batch: ScoredPosts, labels: Sequence[str]) -> HeadScores:
    """Each post's scores against its own value (empty labels and NaN where it names none)."""
    P = np.full((batch.n, len(labels)), np.nan)
    decided: list[list[str]] = [[] for _ in range(batch.n)]
    for i, entry in enumerate(batch.row_alignment):
        if entry is not None:
            P[i] = entry[1].proba[0]
            decided[i] = entry[1].decided[0]
    return HeadScores(list(labels), P, decided)


def _flatten(prefix: str, labels: Sequence[str], parts: list[HeadScores]) -> dict[str, pd.Series]:
    decided = [labels_of_post for part in parts for labels_of_post in part.decided]
    out: dict[str, pd.Series] = {f"{prefix}{SEP}labels": pd.Series(decided, dtype=object)}
    if parts:
        proba = np.concatenate([part.rounded() for part in parts])
    else:
        proba = np.empty((0, len(labels)))
    for j, label in enumerate(labels):
        out[f"{prefix}{SEP}{label}"] = pd.Series(proba[:, j], dtype="float64")
    return out
