"""How much labelled data a head needs, checked before any fitting starts.

A head's probabilities are calibrated by k-fold cross-validation on its training rows
(``calibration_cv`` folds), and heads without validation data that tune thresholds do
so on 3-fold out-of-fold predictions, each fold calibrating on two thirds of the rows.
So every label needs enough rows for each calibration fold to hold some of them:
:data:`ROWS_PER_FOLD` per fold, at least :data:`MIN_FOLDS` folds. With fewer rows than
the configured folds need, training uses fewer folds (down to :data:`MIN_FOLDS`);
below that it refuses, in one line that says how many rows each label needs.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from brandfit.config import TrainConfig
from brandfit.data import LabelledPosts, indicator_matrix
from brandfit.errors import InvalidInputError

#: Rows of each label (positives and negatives for multi-label heads) per calibration fold.
ROWS_PER_FOLD = 10
#: Fewest calibration folds a head is trained with.
MIN_FOLDS = 2
#: Folds of the out-of-fold predictions thresholds are tuned on (see ``brandfit.train``).
TUNING_FOLDS = 3


@dataclass(frozen=True)
class SizePlan:
    """The outcome of :func:`plan_training`: the config to fit with and what was adapted."""

    config: TrainConfig
    smallest_label: str
    smallest_count: int
    folds: int
    note: str | None = None


def label_counts(data: LabelledPosts) -> dict[str, int]:
    """Rows per label; for multi-label data the rarer side (positive or negative) of each label."""
    if not data.multilabel:
        return dict(Counter(row[0] for row in data.labels))
    labels = data.label_set
    Y = indicator_matrix(data, labels)
    counts = {}
    for j, name in enumerate(labels):
        known = Y[:, j] >= 0
        positives = int((Y[known, j] == 1).sum())
        counts[name] = min(positives, int(known.sum()) - positives)
    return counts


def _nested(data: LabelledPosts, config: TrainConfig, has_val: bool) -> bool:
    """True when thresholds are tuned on out-of-fold predictions (calibration sees 2/3)."""
    if has_val:
        return False
    return data.multilabel or config.head.class_offsets_metric != "none"


def rows_needed(folds: int, nested: bool) -> int:
    """Rows of each label needed for ``folds`` calibration folds."""
    share = (TUNING_FOLDS - 1) / TUNING_FOLDS if nested else 1.0
    return math.ceil(ROWS_PER_FOLD * folds / share)


def plan_training(
    data: LabelledPosts,
    config: TrainConfig,
    head: str,
    has_val: bool = False,
    allow_thin: bool = False,
) -> SizePlan:
    """Check ``data`` is large enough for ``head``; lower the calibration folds if needed.

    Raises :class:`InvalidInputError` (one line: the label, its count, the rows needed
    and why) when even :data:`MIN_FOLDS` folds cannot be filled. ``allow_thin`` trains
    anyway, with the configured folds and a note naming every thin label, as long as each
    fold can hold one row of every label.
    """
    counts = label_counts(data)
    name, count = min(counts.items(), key=lambda item: (item[1], item[0]))
    nested = _nested(data, config, has_val)
    uses_cv = config.head.calibration != "none"
    needed = rows_needed(MIN_FOLDS, nested)
    folds_held = config.head.calibration_cv if uses_cv else TUNING_FOLDS
    if count < needed and allow_thin and count >= folds_held:
        thin = sorted(label for label, n in counts.items() if n < needed)
        note = (
            f"training anyway (thin labels allowed): {', '.join(thin)} "
            f"{'has' if len(thin) == 1 else 'have'} fewer than {needed} rows "
            f"(smallest: {name!r}, {count}); their probabilities rest on few examples"
        )
        return SizePlan(config, name, count, config.head.calibration_cv if uses_cv else 0, note)
    if count < needed:
        side = " (positive or negative)" if data.multilabel else ""
        why = (
            f"probabilities are calibrated by cross-validation with at least {MIN_FOLDS} folds "
            f"of {ROWS_PER_FOLD} rows of each label"
            if uses_cv
            else f"thresholds are tuned on {TUNING_FOLDS}-fold cross-validation"
        ) + (
            f", inside {TUNING_FOLDS}-fold threshold tuning (give --val to avoid it)"
            if nested and uses_cv
            else ""
        )
        hint = "; --allow-thin-labels trains anyway" if count >= folds_held else ""
        raise InvalidInputError(
            f"{data.source}: too little data to train {head!r}: label {name!r} has {count} "
            f"row{'' if count == 1 else 's'}{side}, each label needs at least {needed} ({why}); "
            f"{len(data)} rows in all{hint}"
        )
    if not uses_cv:
        return SizePlan(config, name, count, 0)
    share = (TUNING_FOLDS - 1) / TUNING_FOLDS if nested else 1.0
    fits = max(MIN_FOLDS, int(count * share // ROWS_PER_FOLD))
    folds = min(config.head.calibration_cv, fits)
    if folds == config.head.calibration_cv:
        return SizePlan(config, name, count, folds)
    head_config = config.head.model_copy(update={"calibration_cv": folds})
    note = (
        f"calibrating with {folds} folds instead of {config.head.calibration_cv}: label "
        f"{name!r} has {count} rows (each fold needs {ROWS_PER_FOLD} of each label)"
    )
    return SizePlan(config.model_copy(update={"head": head_config}), name, count, folds, note)
