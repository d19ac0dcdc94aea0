"""Compiled scoring: each loaded head as plain arrays, one lookup and one product per head.

A head is column selection + TF-IDF (L2 per block) + a linear model + calibrators. The
scikit-learn path re-validates and re-copies at every step, which dominates when a
request carries one post, and each head searches its own kept columns. Here the kept
columns of all heads (sharing one featurizer) are merged into one sorted array, searched
once per batch; each head then maps those positions to its own weights.

Target-conditioned heads (alignment) are scored without building the conditioned
matrix: a post judged against value *t* is its shared block plus its block for *t*, so
the shared part is computed once and each value adds its own part. The TF-IDF block
norms are combined from the parts, so the result is the same linear function.

Heads whose structure is not recognised are not compiled (callers fall back to
:meth:`HeadModel.predict_proba`); a test pins that both paths agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator

from brandfit.features.tfidf_columns import TfidfColumns
from brandfit.heads.fast import _linear_weights
from brandfit.heads.model import HeadModel
from brandfit.heads.multilabel import PartialLabelOneVsRest

#: Up to this many (row-block x entry) cells a head's scores come from a dense product (small requests).
SMALL_BATCH_CELLS = 1 << 16
#: Up to this many (post x value) pairs, a target-conditioned head scores all values in one pass.
FEW_CELLS = 256


@dataclass(frozen=True)
class _Calibration:
    """How decision values become probabilities (mirrors ``_CalibratedClassifier``)."""

    method: str  # "sigmoid" or "temperature"
    n_classes: int
    a: np.ndarray | None = None  # sigmoid slope per output
    b: np.ndarray | None = None  # sigmoid offset per output
    beta: float = 1.0  # temperature scaling: softmax(beta * logits)
    per_label: bool = False  # multi-label: one binary calibrator per output column

    def proba(self, decision: np.ndarray) -> np.ndarray:
        """Probabilities from decision values of shape (n, n_outputs)."""
        if self.method == "temperature":
            proba = _softmax(self.beta * _logits(decision))
        elif self.per_label or self.n_classes == 2:
            proba = expit(-(self.a * decision + self.b))
            if not self.per_label:
                proba = np.column_stack([1.0 - proba[:, 0], proba[:, 0]])
        else:
            proba = expit(-(self.a * decision + self.b))
            total = proba.sum(axis=1, keepdims=True)
            proba = np.divide(
                proba, total, out=np.full_like(proba, 1 / self.n_classes), where=total != 0
            )
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba


def _logits(decision: np.ndarray) -> np.ndarray:
    """scikit-learn's ``_convert_to_logits`` for (n, k > 1) decision values."""
    looks_like_proba = np.all((decision >= 0) & (decision <= 1)) and np.all(
        np.isclose(decision.sum(axis=1), 1.0)
    )
    return np.log(decision + 1e-12) if looks_like_proba else decision


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _single_calibrated(calibrated: Any) -> tuple[np.ndarray, np.ndarray, Any] | None:
    """(coef (k, n), intercept (k,), calibrated classifier) of a one-fold calibrated model."""
    if not isinstance(calibrated, CalibratedClassifierCV):
        return None
    parts = getattr(calibrated, "calibrated_classifiers_", None)
    if not parts or len(parts) != 1 or parts[0].method not in ("sigmoid", "temperature"):
        return None
    weights = _linear_weights(parts[0].estimator)
    if weights is None:
        return None
    return weights[0], weights[1], parts[0]


def _sigmoid_params(calibrators: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.asarray([float(c.a_) for c in calibrators]),
        np.asarray([float(c.b_) for c in calibrators]),
    )


def _weight_owner(calibrated: Any) -> tuple[Any, str]:
    """The object and attribute holding the coefficients of a one-fold calibrated model."""
    model = calibrated.calibrated_classifiers_[0].estimator
    if isinstance(model, FrozenEstimator):
        model = model.estimator
    name = "effective_coef_" if "effective_coef_" in model.__dict__ else "coef_"
    return model, name


#: (object, attribute, first output column) of each coefficient array a compiled head copied
WeightSources = list[tuple[Any, str, int]]


def _linear_part(clf: Any) -> tuple[np.ndarray, np.ndarray, _Calibration, WeightSources] | None:
    """Stacked weights (n_outputs, n_columns), intercepts, calibration and where the weights came from."""
    if isinstance(clf, PartialLabelOneVsRest):
        coefs, intercepts, calibrators, sources = [], [], [], []
        for j, est in enumerate(clf.estimators_):
            found = _single_calibrated(est)
            if found is None or found[2].method != "sigmoid" or found[0].shape[0] != 1:
                return None
            coefs.append(found[0][0])
            intercepts.append(found[1][0])
            calibrators.append(found[2].calibrators[0])
            sources.append((*_weight_owner(est), j))
        a, b = _sigmoid_params(calibrators)
        calibration = _Calibration("sigmoid", len(coefs), a, b, per_label=True)
        return np.vstack(coefs), np.asarray(intercepts), calibration, sources
    found = _single_calibrated(clf)
    if found is None:
        return None
    coef, intercept, cc = found
    n_classes = len(cc.classes)
    sources = [(*_weight_owner(clf), 0)]
    if cc.method == "temperature":
        if coef.shape[0] < 2:
            return None
        calibration = _Calibration("temperature", n_classes, beta=float(cc.calibrators[0].beta_))
        return coef, intercept, calibration, sources
    if (n_classes == 2) != (coef.shape[0] == 1) or len(cc.calibrators) != coef.shape[0]:
        return None
    a, b = _sigmoid_params(cc.calibrators)
    return coef, intercept, _Calibration("sigmoid", n_classes, a, b), sources


def _share_weights(weights: np.ndarray, sources: WeightSources) -> None:
    """Point each source model at its rows of the compiled weights instead of its own copy.

    The numbers are the same (checked); the model's scikit-learn path keeps working on the
    view, and the process holds one copy of every head's weights instead of two.
    """
    for owner, name, first in sources:
        original = owner.__dict__.get(name)
        if not isinstance(original, np.ndarray) or original.ndim != 2:
            continue
        view = weights[:, first : first + original.shape[0]].T
        if (
            original.dtype == view.dtype
            and original.shape == view.shape
            and np.array_equal(original, view)
        ):
            setattr(owner, name, view)


@dataclass
class CompiledHead:
    """One head as arrays: kept columns' IDF, block and weights, per input piece."""

    model: HeadModel
    maps: np.ndarray  # (pieces: shared, then one per target) x union position -> kept column or -1
    idf: np.ndarray  # float32, per kept column
    blocks: np.ndarray  # block of each kept column (int16 unless there are very many blocks)
    n_blocks: int
    sublinear_tf: bool
    weights: np.ndarray  # (n_kept, n_outputs) float32, C-contiguous
    intercept: np.ndarray  # (n_outputs,)
    calibration: _Calibration

    def _pieces(
        self,
        rows: np.ndarray,
        union_pos: np.ndarray,
        tf: np.ndarray,
        n_rows: int,
        pieces: Sequence[int],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unnormalised block sums (p, n, n_blocks, k) and squared norms (p, n, n_blocks).

        All pieces come from one gather and one product, so scoring a post against
        five values costs one pass, not five.
        """
        n_pieces = len(pieces)
        kept = self.maps[np.asarray(pieces, dtype=np.intp)[:, None], union_pos[None, :]]
        piece, entry = np.nonzero(kept >= 0)
        col = kept[piece, entry]
        values = tf[entry] * self.idf[col]
        key = (piece * n_rows + rows[entry]) * self.n_blocks + self.blocks[col].astype(np.int64)
        size = n_pieces * n_rows * self.n_blocks
        squares = np.bincount(key, weights=np.square(values, dtype=np.float64), minlength=size)
        if values.size * size <= SMALL_BATCH_CELLS:  # a few posts: a dense one-hot product
            onehot = np.zeros((size, values.size), dtype=np.float32)
            onehot[key, np.arange(values.size)] = values
            raw = (onehot @ self.weights[col]).astype(np.float64)
        else:
            matrix = sp.csr_matrix((values, (key, col)), shape=(size, self.weights.shape[0]))
            raw = np.asarray(matrix @ self.weights, dtype=np.float64)
        shape = (n_pieces, n_rows, self.n_blocks)
        return raw.reshape(*shape, -1), squares.reshape(shape)

    def _decision(self, raw: np.ndarray, squares: np.ndarray) -> np.ndarray:
        norms = np.sqrt(squares)[:, :, None]
        scaled = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
        return scaled.sum(axis=1) + self.intercept

    def _tf(self, data: np.ndarray) -> np.ndarray:
        values = data.astype(np.float32)
        return np.sign(values) * np.log1p(np.abs(values)) if self.sublinear_tf else values

    def predict_proba(
        self, rows: np.ndarray, union_pos: np.ndarray, data: np.ndarray, n_rows: int
    ) -> np.ndarray:
        """Probabilities (n_rows, n_labels) of a head without targets."""
        raw, squares = self._pieces(rows, union_pos, self._tf(data), n_rows, [0])
        return self.calibration.proba(self._decision(raw[0], squares[0]))

    def predict_proba_targets(
        self,
        rows: np.ndarray,
        union_pos: np.ndarray,
        data: np.ndarray,
        n_rows: int,
        target_ids: Sequence[int],
    ) -> np.ndarray:
        """Probabilities (n_rows, n_targets, n_labels): every post judged against every target."""
        tf = self._tf(data)
        raw_shared, sq_shared = self._pieces(rows, union_pos, tf, n_rows, [0])
        pieces = [int(t) + 1 for t in target_ids]
        # a few posts: every value in one pass (less overhead); many: one value at a time
        # (the one-pass temporaries grow with posts x values)
        groups = [pieces] if n_rows * len(pieces) <= FEW_CELLS else [[p] for p in pieces]
        out = np.empty((n_rows, len(pieces), len(self.model.labels)))
        done = 0
        for group in groups:
            raw, squares = self._pieces(rows, union_pos, tf, n_rows, group)
            size = len(group) * n_rows
            raw = (raw + raw_shared).reshape(size, self.n_blocks, -1)
            squares = (squares + sq_shared).reshape(size, self.n_blocks)
            proba = self.calibration.proba(self._decision(raw, squares))
            out[:, done : done + len(group), :] = proba.reshape(len(group), n_rows, -1).transpose(
                1, 0, 2
            )
            done += len(group)
        return out

    def known_counts(
        self, rows: np.ndarray, union_pos: np.ndarray, indices: np.ndarray, n_rows: int
    ) -> np.ndarray:
        """Same as :meth:`HeadModel.known_counts`: learned word n-grams per post."""
        hit = (self.maps[0][union_pos] >= 0) & (indices < self.model.featurizer.n_word_columns)
        return np.bincount(rows[hit], minlength=n_rows)


class CompiledHeads:
    """All compilable heads of a model set, sharing one sorted array of their kept columns."""

    def __init__(self, heads: Mapping[str, HeadModel]) -> None:
        self.heads: dict[str, CompiledHead] = {}
        parts: dict[
            str, tuple[HeadModel, TfidfColumns, tuple[np.ndarray, np.ndarray, _Calibration]]
        ] = {}
        reference = None
        for name, model in heads.items():
            select = model.estimator.named_steps.get("select")
            linear = _linear_part(model.estimator.named_steps.get("clf"))
            if not isinstance(select, TfidfColumns) or linear is None:
                continue
            setting = model.featurizer_setting()
            if reference is None:
                reference = setting
            if setting != reference:
                continue
            parts[name] = (model, select, linear)
        self.width = 0
        self.union = np.empty(0, dtype=np.int64)
        if not parts:
            return
        self.width = next(iter(parts.values()))[0].featurizer.n_columns
        union = np.unique(
            np.concatenate(
                [select.columns_.astype(np.int64) % self.width for _, select, _ in parts.values()]
            )
        )
        self.union = union.astype(np.int32 if self.width < 2**31 else np.int64)
        for name, (model, select, (coef, intercept, calibration, sources)) in parts.items():
            head = self._compile(model, select, coef, intercept, calibration, union)
            _share_weights(head.weights, sources)
            self.heads[name] = head

    def _compile(
        self,
        model: HeadModel,
        select: TfidfColumns,
        coef: np.ndarray,
        intercept: np.ndarray,
        calibration: _Calibration,
        union: np.ndarray,
    ) -> CompiledHead:
        columns = select.columns_.astype(np.int64)
        n_pieces = 1 + (len(model.targets) if model.targets is not None else 0)
        piece_of = columns // self.width
        maps = np.full((n_pieces, union.size + 1), -1, dtype=np.int32)  # last: not in the union
        for piece in range(n_pieces):
            mine = np.flatnonzero(piece_of == piece)
            maps[piece, np.searchsorted(union, columns[mine] - piece * self.width)] = mine
        return CompiledHead(
            model=model,
            maps=maps,
            idf=select.idf_.astype(np.float32),
            blocks=select.column_blocks_.astype(
                np.int16 if select.column_blocks_.max(initial=0) < 2**15 else np.int64
            ),
            n_blocks=int(select.column_blocks_.max()) + 1 if select.column_blocks_.size else 1,
            sublinear_tf=bool(select.sublinear_tf),
            weights=np.ascontiguousarray(coef.T, dtype=np.float32),
            intercept=np.asarray(intercept, dtype=np.float64),
            calibration=calibration,
        )

    def lookup(self, X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(row of each stored entry, its union position; -1 -> the map's 'absent' slot)."""
        rows = np.repeat(np.arange(X.shape[0], dtype=np.int64), np.diff(X.indptr))
        indices = X.indices.astype(self.union.dtype, copy=False)
        union_pos = np.searchsorted(self.union, indices)  # binary search: no hash table to hold
        if self.union.size:
            np.minimum(union_pos, self.union.size - 1, out=union_pos)
            union_pos[self.union[union_pos] != indices] = -1
        else:
            union_pos = np.full(indices.shape, -1, dtype=np.int64)
        return rows, union_pos
