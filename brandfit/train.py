"""Fit a head from labelled posts: library function, no file I/O (the CLI wraps it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold

from brandfit.config import TrainConfig
from brandfit.data import LabelledPosts, indicator_matrix
from brandfit.errors import InvalidInputError
from brandfit.features.encoder import SentenceEncoder
from brandfit.features.encoder_cache import ENCODER_DIR_NAME, MemoEncoder, load_encoder
from brandfit.heads.build import build_featurizer, build_head_pipeline, calibration_method
from brandfit.heads.calibrate import calibrate_estimator, calibrate_multilabel
from brandfit.heads.compact import compact_weights
from brandfit.heads.model import HeadKind, HeadModel
from brandfit.heads.thresholds import (
    tune_binary_threshold,
    tune_class_offsets,
    tune_label_thresholds,
)
from brandfit.labels import canonical_target
from brandfit.settings import DEFAULT_MODELS_DIR

Progress = Callable[[str], None]


def _noop(_: str) -> None:
    return None


def _kind(data: LabelledPosts) -> HeadKind:
    if data.multilabel:
        return "multilabel"
    return "binary" if len({row[0] for row in data.labels}) == 2 else "multiclass"


def _targets(data: LabelledPosts) -> list[str] | None:
    if data.targets is None:
        return None
    return sorted({canonical_target(t) for t in data.targets})


def _check_multilabel(Y: np.ndarray, labels: list[str], source: str) -> None:
    for j, name in enumerate(labels):
        known = Y[:, j] >= 0
        positives = int((Y[known, j] == 1).sum())
        if positives == 0 or positives == int(known.sum()):
            raise InvalidInputError(
                f"{source}, column 'labels': label {name!r} has a single class "
                f"({positives} of {int(known.sum())} judged rows are positive); "
                "each label needs positive and negative rows"
            )


def fit_head(
    name: str,
    train: LabelledPosts,
    config: TrainConfig | None = None,
    val: LabelledPosts | None = None,
    progress: Progress = _noop,
    encoder: SentenceEncoder | None = None,
) -> HeadModel:
    """Fit head ``name`` on ``train``; tune thresholds on ``val`` (or on CV predictions).

    A config whose feature blocks include ``encoder`` embeds every post with ``encoder``
    (default: the shipped one under ``models/encoder``).
    """
    config = config or TrainConfig()
    kind = _kind(train)
    targets = _targets(train)
    if config.features.uses_encoder and encoder is None:
        encoder = load_encoder(DEFAULT_MODELS_DIR / ENCODER_DIR_NAME)
    memo = MemoEncoder(encoder) if config.features.uses_encoder and encoder is not None else None
    featurizer = build_featurizer(config.features).fit(train.texts)
    dense_columns = memo.dim * (1 + len(targets or [])) if memo is not None else 0
    estimator = build_head_pipeline(
        config.head,
        multilabel=kind == "multilabel",
        block_width=config.features.block_width,
        dense_columns=dense_columns,
        lexical=config.features.uses_lexical,
    )
    model = HeadModel(
        name=name,
        kind=kind,
        labels=[],
        featurizer=featurizer,
        estimator=estimator,
        targets=targets,
        low_coverage_min_known=config.head.low_coverage_min_known,
        config=config.model_dump(mode="json"),
        encoder_version=memo.version if memo is not None else None,
        encoder=memo,
    )
    progress(
        f"tokenising {len(train):,} training posts"
        + (" and embedding them with the sentence encoder" if memo is not None else "")
    )
    X = model.features(train.texts, train.targets)
    fit_params = {} if train.weights is None else {"clf__sample_weight": train.weights}
    if kind == "multilabel":
        model.labels = train.label_set
        y = indicator_matrix(train, model.labels)
        _check_multilabel(y, model.labels, train.source)
    else:
        y = np.asarray([row[0] for row in train.labels], dtype=object)
    progress(f"fitting {kind} head {name!r} on {X.shape[0]:,} posts")
    estimator.fit(X, y, **fit_params)
    if kind != "multilabel":
        model.labels = [str(c) for c in estimator.classes_]
    X_val, y_val = _validation_inputs(model, val)
    if config.head.calibration != "none":
        progress(
            "calibrating probabilities"
            + (" on validation data" if val is not None else " by cross-validation")
        )
        _calibrate(model, config, X, y, X_val, y_val, train.weights)
    compact_weights(model.estimator.named_steps["clf"])
    _tune(model, train, val, X, y, config, progress)
    model.encoder = getattr(encoder, "encoder", encoder)  # a training memo stays behind
    return model


def _validation_inputs(
    model: HeadModel, val: LabelledPosts | None
) -> tuple[object | None, np.ndarray | None]:
    """Validation rows as the classifier sees them (selected TF-IDF columns) and their targets."""
    if val is None:
        return None, None
    inputs = model.features(val.texts, val.targets)
    X_val = model.estimator.named_steps["select"].transform(inputs)
    if model.kind == "multilabel":
        return X_val, indicator_matrix(val, model.labels)
    return X_val, np.asarray([row[0] for row in val.labels], dtype=object)


def _calibrate(
    model: HeadModel,
    config: TrainConfig,
    X: object,
    y: np.ndarray,
    X_val: object | None,
    y_val: np.ndarray | None,
    weights: np.ndarray | None,
) -> None:
    select = model.estimator.named_steps["select"]
    X_sel = select.transform(X)
    clf = model.estimator.named_steps["clf"]
    cv = config.head.calibration_cv
    if model.kind == "multilabel":
        calibrate_multilabel(clf, X_val, y_val, X_sel, y, cv, weights)
        return
    method = calibration_method(config.head, model.kind)
    calibrated = calibrate_estimator(clf, method, X_val, y_val, X_sel, y, cv, weights)
    model.estimator.steps[-1] = ("clf", calibrated)


def _tune(
    model: HeadModel,
    train: LabelledPosts,
    val: LabelledPosts | None,
    X_train: Any,
    y_train: np.ndarray,
    config: TrainConfig,
    progress: Progress,
) -> None:
    """Set decision thresholds from validation data."""
    if model.kind == "multiclass":
        metric = config.head.class_offsets_metric
        if metric == "none":
            return
        if val is not None:
            progress(f"tuning class offsets for {metric} on {len(val):,} validation posts")
            P = model.predict_texts(val.texts, val.targets)
            truth = np.asarray(
                [model.labels.index(row[0]) if row[0] in model.labels else -1 for row in val.labels]
            )
        else:
            progress(f"tuning class offsets for {metric} on 3-fold cross-validation predictions")
            P = _cross_val_proba(model, X_train, y_train, config, train.weights)
            truth = np.asarray([model.labels.index(label) for label in y_train])
        model.thresholds = [float(v) for v in tune_class_offsets(truth, P, metric)]
        return
    if model.kind == "binary":
        counts = Counter(row[0] for row in train.labels)
        model.positive_label = min(model.labels, key=lambda c: (counts[c], c))
    if val is not None:
        progress(f"tuning thresholds on {len(val):,} validation posts")
        P = model.predict_texts(val.texts, val.targets)
        if model.kind == "multilabel":
            Y = indicator_matrix(val, model.labels)
            if config.head.thresholds_from == "validation+train_cv":
                rows, P_train = _full_weight_out_of_fold(
                    model, X_train, y_train, train, val, Y, config
                )
                progress(f"  and on {len(rows):,} fully weighted training posts, out of fold")
                P, Y = np.vstack([P, P_train]), np.vstack([Y, y_train[rows]])
        else:
            Y = np.asarray([row[0] for row in val.labels], dtype=object)
    elif model.kind == "multilabel":
        progress("tuning thresholds on 3-fold cross-validation predictions")
        P = _cross_val_proba(model, X_train, y_train, config, train.weights)
        Y = y_train
    else:
        return
    metric = config.head.threshold_metric
    if model.kind == "multilabel":
        floor = config.head.threshold_floor
        model.thresholds = [float(t) for t in tune_label_thresholds(Y, P, metric, floor=floor)]
        return
    assert model.positive_label is not None
    pos = model.labels.index(model.positive_label)
    truth = (model.positive_label == Y).astype(int)
    model.thresholds = [
        tune_binary_threshold(truth, P[:, pos], metric, config.head.threshold_floor)
    ]


def _full_weight_out_of_fold(
    model: HeadModel,
    X: Any,
    Y: np.ndarray,
    train: LabelledPosts,
    val: LabelledPosts,
    Y_val: np.ndarray,
    config: TrainConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities of a multi-label head for its fully weighted training rows.

    Each fold's head is calibrated on the validation rows, as the final head is, so its
    probabilities are on the same scale. Returns the rows (weight >= 1) and their probabilities.
    """
    weights = train.weights if train.weights is not None else np.ones(len(train))
    rows = np.flatnonzero(weights >= 1.0)
    val_inputs = model.features(val.texts, val.targets)
    return rows, _multilabel_out_of_fold(model, X, Y, config, weights, rows, val_inputs, Y_val)


def _multilabel_out_of_fold(
    model: HeadModel,
    X: Any,
    Y: np.ndarray,
    config: TrainConfig,
    weights: np.ndarray | None,
    rows: np.ndarray,
    val_inputs: Any | None = None,
    Y_val: np.ndarray | None = None,
) -> np.ndarray:
    """Probabilities for ``rows`` from 3 folds of the head, each fitted on every other row.

    Weights are kept; each fold is calibrated on ``val_inputs`` when given, else by CV.
    """
    P = np.zeros((rows.size, Y.shape[1]), dtype=np.float64)
    folds = KFold(n_splits=3, shuffle=True, random_state=config.head.random_state)
    for _, held in folds.split(rows):
        fit_rows = np.setdiff1d(np.arange(Y.shape[0]), rows[held])
        fit_weights = None if weights is None else weights[fit_rows]
        fold = clone(model.estimator)
        params = {} if fit_weights is None else {"clf__sample_weight": fit_weights}
        fold.fit(X[fit_rows], Y[fit_rows], **params)
        if config.head.calibration != "none":
            select = fold.named_steps["select"]
            calibrate_multilabel(
                fold.named_steps["clf"],
                None if val_inputs is None else select.transform(val_inputs),
                Y_val,
                select.transform(X[fit_rows]),
                Y[fit_rows],
                config.head.calibration_cv,
                fit_weights,
            )
        P[held] = fold.predict_proba(X[rows[held]])
    return P


def _cross_val_proba(
    model: HeadModel, X: Any, Y: np.ndarray, config: TrainConfig, weights: np.ndarray | None = None
) -> np.ndarray:
    """Out-of-fold calibrated probabilities of a head on its own training data (3 folds).

    Each fold refits the whole head (column selection, classifier, calibration) on the
    other two thirds, so the probabilities are those of a model that never saw the row.
    """
    rs = config.head.random_state
    if model.kind != "multilabel":
        P = np.zeros((Y.shape[0], len(model.labels)), dtype=np.float64)
        for fit_rows, held_rows in StratifiedKFold(3, shuffle=True, random_state=rs).split(X, Y):
            fold = clone(model.estimator)  # calibration (when on) is a step of this pipeline
            params = {} if weights is None else {"clf__sample_weight": weights[fit_rows]}
            fold.fit(X[fit_rows], Y[fit_rows], **params)
            columns = [list(fold.classes_).index(label) for label in model.labels]
            P[held_rows] = fold.predict_proba(X[held_rows])[:, columns]
        return P
    return _multilabel_out_of_fold(model, X, Y, config, weights, np.arange(Y.shape[0]))
