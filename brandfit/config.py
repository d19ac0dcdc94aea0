"""Training configuration: a TOML file parsed into a frozen, self-checking model.

The parsed config is copied into every manifest, so a model folder says exactly how
it was made. Unknown keys are errors (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from brandfit.errors import InvalidInputError


class FeatureConfig(BaseModel):
    """Parameters of the shared :class:`~brandfit.features.SocialFeatureHasher`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    word_ngram_range: tuple[int, int] = (1, 2)
    char_ngram_range: tuple[int, int] = (2, 5)
    block_width: int = Field(default=2**20, ge=2**8, le=2**24)
    #: "vader": rated words are preceded by a polarity pseudo-word (word units, bigrams)
    lexicon: Literal["vader"] | None = None
    #: Feature blocks the head learns from: hashed word/character n-grams ("lexical"), the
    #: shipped sentence encoder's embedding of the post ("encoder"), or both.
    blocks: tuple[Literal["lexical", "encoder"], ...] = ("lexical",)

    @model_validator(mode="after")
    def _some_blocks(self) -> FeatureConfig:
        if not self.blocks or len(set(self.blocks)) != len(self.blocks):
            raise ValueError(
                f"blocks must name 'lexical' and/or 'encoder' once each, got {self.blocks}"
            )
        return self

    @property
    def uses_encoder(self) -> bool:
        """True when the head learns from sentence-encoder embeddings."""
        return "encoder" in self.blocks

    @property
    def uses_lexical(self) -> bool:
        """True when the head learns from hashed n-grams."""
        return "lexical" in self.blocks


class HeadConfig(BaseModel):
    """What a head learns on top of the shared features."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_df: int = Field(default=2, ge=1)
    max_features: int | None = Field(default=None, ge=1)
    sublinear_tf: bool = True
    block_norm: bool = True
    classifier: Literal["logreg", "linear_svc", "sgd", "nb_logreg", "nb_svc"] = "logreg"
    nb_alpha: float = Field(default=1.0, gt=0)
    #: solver of the logreg classifier (liblinear is fastest for binary / one-vs-rest heads)
    solver: Literal["lbfgs", "liblinear", "saga"] = "lbfgs"
    C: float = Field(default=4.0, gt=0)
    class_weight: Literal["balanced"] | None = "balanced"
    max_iter: int = Field(default=2000, ge=10)
    calibration: Literal["auto", "sigmoid", "isotonic", "temperature", "none"] = "auto"
    calibration_cv: int = Field(default=5, ge=2)
    threshold_metric: Literal["f1", "macro_f1"] = "macro_f1"
    #: tuned decision thresholds never go below this (binary and multi-label heads)
    threshold_floor: float = Field(default=0.0, ge=0.0, lt=1.0)
    #: multi-class heads: tune log-probability offsets on validation data for this metric
    class_offsets_metric: Literal["none", "macro_f1", "macro_recall"] = "none"
    low_coverage_min_known: int = Field(default=2, ge=0)
    #: multi-label heads: a post gets at least this many labels (those closest to their
    #: thresholds) even when fewer pass them; weak-signal posts still get none
    min_labels: int = Field(default=0, ge=0, le=3)
    #: multi-label heads with validation data: ``validation+train_cv`` tunes the per-label
    #: thresholds on the validation rows plus out-of-fold probabilities of the fully weighted
    #: (weight >= 1) training rows, each fold refitted and calibrated like the final model
    thresholds_from: Literal["validation", "validation+train_cv"] = "validation"
    #: Scale of the encoder block (unit-norm embedding) beside the L2-normalised TF-IDF blocks.
    encoder_weight: float = Field(default=1.0, gt=0)
    random_state: int = 0

    @model_validator(mode="after")
    def _probabilities_available(self) -> HeadConfig:
        if self.calibration == "none" and self.classifier not in ("logreg", "sgd"):
            raise ValueError(
                f"classifier {self.classifier!r} gives no probabilities; set a calibration"
            )
        return self


class TrainConfig(BaseModel):
    """Everything needed to re-fit a head given the same data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    features: FeatureConfig = FeatureConfig()
    head: HeadConfig = HeadConfig()
    #: free-form provenance (data sets, licences, splits) copied to the manifest and card
    data: dict[str, Any] = Field(default_factory=dict)


def load_train_config(path: str | Path | None) -> TrainConfig:
    """Parse a training config TOML file (``None`` gives the defaults)."""
    if path is None:
        return TrainConfig()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInputError(f"{path}: config file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return TrainConfig.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInputError(f"{path}: invalid training config:\n{exc}") from exc
