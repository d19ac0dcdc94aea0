"""Build the unfitted scikit-learn parts of a head from its config."""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from brandfit.config import FeatureConfig, HeadConfig
from brandfit.features import SocialFeatureHasher, TfidfColumns
from brandfit.heads.multilabel import PartialLabelOneVsRest
from brandfit.heads.nb_linear import NBLinearClassifier


def build_featurizer(config: FeatureConfig) -> SocialFeatureHasher:
    """The shared featurizer with the config's parameters."""
    return SocialFeatureHasher(
        word_ngram_range=tuple(config.word_ngram_range),
        char_ngram_range=tuple(config.char_ngram_range),
        block_width=config.block_width,
        lexicon=config.lexicon,
    )


def build_classifier(config: HeadConfig) -> Any:
    """The (uncalibrated) linear classifier the config describes."""
    base: Any
    if config.classifier == "logreg":
        base = LogisticRegression(
            C=config.C,
            class_weight=config.class_weight,
            max_iter=config.max_iter,
            solver=config.solver,
            random_state=config.random_state,
        )
    elif config.classifier in ("nb_logreg", "nb_svc"):
        base = NBLinearClassifier(
            loss="svc" if config.classifier == "nb_svc" else "logreg",
            C=config.C,
            alpha=config.nb_alpha,
            class_weight=config.class_weight,
            max_iter=config.max_iter,
            random_state=config.random_state,
        )
    elif config.classifier == "linear_svc":
        base = LinearSVC(
            C=config.C,
            class_weight=config.class_weight,
            max_iter=config.max_iter,
            random_state=config.random_state,
        )
    else:
        base = SGDClassifier(
            loss="modified_huber",
            alpha=1.0 / (config.C * 10_000),
            class_weight=config.class_weight,
            max_iter=config.max_iter,
            random_state=config.random_state,
        )
    return base


def calibration_method(config: HeadConfig, kind: str) -> str:
    """Calibration method for a head kind.

    ``auto`` is temperature scaling for multi-class heads (keeps the argmax) and a sigmoid
    for binary and multi-label heads (monotone, so tuned thresholds still apply).
    """
    if config.calibration != "auto":
        return config.calibration
    return "temperature" if kind == "multiclass" else "sigmoid"


def build_head_pipeline(
    config: HeadConfig,
    multilabel: bool,
    block_width: int | None = None,
    dense_columns: int = 0,
    lexical: bool = True,
) -> Pipeline:
    """Column selection + TF-IDF (+ the encoder block) -> linear classifier.

    The classifier is one-vs-rest when multi-label. Calibration is added after fitting
    (see :mod:`brandfit.heads.calibrate`). ``block_width`` (the featurizer's block size)
    turns on per-block L2 normalisation; ``dense_columns`` is the width of the encoder
    block at the end of each input row (0: none), scaled by ``config.encoder_weight``;
    ``lexical=False`` keeps no hashed column.
    """
    classifier = build_classifier(config)
    if multilabel:
        classifier = PartialLabelOneVsRest(classifier)
    select = TfidfColumns(
        min_df=config.min_df,
        max_features=config.max_features,
        sublinear_tf=config.sublinear_tf,
        block_width=block_width if config.block_norm else None,
        dense_columns=dense_columns,
        dense_weight=config.encoder_weight,
        lexical=lexical,
    )
    return Pipeline([("select", select), ("clf", classifier)])
