"""Compiled scoring: every loaded head fused into one table, one pass per batch for all.

A head is column selection + TF-IDF (L2 per block) + a linear model + calibrators. The
scikit-learn path re-validates and re-copies at every step, which dominates when a
request carries one post. Here the kept columns of all heads (sharing one featurizer)
are merged into one sorted array (the *union*), searched once per batch, and each union
position owns one row of a sparse *fused* table: for every head that keeps the column,
``idf * weight`` in one fused column per (piece, block, output) and ``idf ** 2`` in one
per (piece, block). A batch's fused sums are then one gather and one ``bincount`` for
every head at once; each head reads its block sums and squared norms from them and
finishes with a few array operations (divide by the block norms, add, calibrate).

Target-conditioned heads (alignment) are scored without building the conditioned
matrix: a post judged against value *t* is its shared piece plus its piece for *t*, so
the fused sums of both are added, norms included; the result is the same linear function.

Heads whose structure is not recognised (or whose term-frequency transform differs from
the first compiled head's) are not compiled: callers fall back to
:meth:`HeadModel.predict_proba`; a test pins that both paths agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV

from brandfit.features.tfidf_columns import TfidfColumns
from brandfit.heads.fast import _linear_weights
from brandfit.heads.model import HeadModel
from brandfit.heads.multilabel import PartialLabelOneVsRest

try:  # the fused sums in C, built at install when a C compiler is present
    from brandfit import _native
except ImportError:  # pragma: no cover - NumPy does the same sums, about 10x slower
    _native = None

#: (entry x fused column) cells per NumPy pass (no native kernel): bounds the temporaries (~30 B a cell).
CHUNK_CELLS = 1 << 19


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


def _linear_part(clf: Any) -> tuple[np.ndarray, np.ndarray, _Calibration] | None:
    """Stacked weights (n_outputs, n_columns), intercepts and calibration of a head's model."""
    if isinstance(clf, PartialLabelOneVsRest):
        coefs, intercepts, calibrators = [], [], []
        for est in clf.estimators_:
            found = _single_calibrated(est)
            if found is None or found[2].method != "sigmoid" or found[0].shape[0] != 1:
                return None
            coefs.append(found[0][0])
            intercepts.append(found[1][0])
            calibrators.append(found[2].calibrators[0])
        a, b = _sigmoid_params(calibrators)
        calibration = _Calibration("sigmoid", len(coefs), a, b, per_label=True)
        return np.vstack(coefs), np.asarray(intercepts), calibration
    found = _single_calibrated(clf)
    if found is None:
        return None
    coef, intercept, cc = found
    n_classes = len(cc.classes)
    if cc.method == "temperature":
        if coef.shape[0] < 2:
            return None
        calibration = _Calibration("temperature", n_classes, beta=float(cc.calibrators[0].beta_))
        return coef, intercept, calibration
    if (n_classes == 2) != (coef.shape[0] == 1) or len(cc.calibrators) != coef.shape[0]:
        return None
    a, b = _sigmoid_params(cc.calibrators)
    return coef, intercept, _Calibration("sigmoid", n_classes, a, b)


def _block_decision(raw: np.ndarray, squares: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Decision values from block sums (..., n_blocks, k) and squared norms (..., n_blocks)."""
    norms = np.sqrt(squares)[..., None]
    scaled = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
    return scaled.sum(axis=-2) + intercept


@dataclass(frozen=True)
class CompiledHead:
    """Where one head's sums sit in the fused output, and how they become probabilities.

    Fused columns ``offset + (piece * n_blocks + block) * n_outputs + output`` hold the
    block sums, ``norm_offset + piece * n_blocks + block`` the squared block norms; piece 0
    is the post itself, piece ``1 + t`` its features conditioned on target ``t``.
    """

    model: HeadModel
    offset: int
    norm_offset: int
    n_pieces: int
    n_blocks: int
    n_outputs: int
    intercept: np.ndarray
    calibration: _Calibration
    known_bit: int
    owner: CompiledHeads = field(repr=False, compare=False)

    def _sums(self, fused: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = fused.shape[0]
        cells = self.n_pieces * self.n_blocks
        raw = fused[:, self.offset : self.offset + cells * self.n_outputs]
        squares = fused[:, self.norm_offset : self.norm_offset + cells]
        return (
            raw.reshape(n, self.n_pieces, self.n_blocks, self.n_outputs),
            squares.reshape(n, self.n_pieces, self.n_blocks),
        )

    def proba_from(self, fused: np.ndarray) -> np.ndarray:
        """Probabilities (n_rows, n_labels) of a head without targets, from fused sums."""
        raw, squares = self._sums(fused)
        return self.calibration.proba(_block_decision(raw[:, 0], squares[:, 0], self.intercept))

    def proba_targets_from(self, fused: np.ndarray, target_ids: Sequence[int]) -> np.ndarray:
        """Probabilities (n_rows, n_targets, n_labels): every post against every target."""
        raw, squares = self._sums(fused)
        pieces = 1 + np.asarray(target_ids, dtype=np.intp)
        decision = _block_decision(
            raw[:, :1] + raw[:, pieces], squares[:, :1] + squares[:, pieces], self.intercept
        )
        n, n_targets = decision.shape[:2]
        proba = self.calibration.proba(decision.reshape(n * n_targets, -1))
        return proba.reshape(n, n_targets, -1)

    def known_from(self, rows: np.ndarray, union_pos: np.ndarray, n_rows: int) -> np.ndarray:
        """Same as :meth:`HeadModel.known_counts`, from distinct (row, union position) entries."""
        hit = union_pos >= 0
        bits = self.owner.known_bits[union_pos[hit]]
        mine = ((bits >> self.known_bit) & 1).astype(bool)
        return np.bincount(rows[hit][mine], minlength=n_rows)

    # -- one head at a time (tests, profiling) --------------------------------------
    def predict_proba(
        self, rows: np.ndarray, union_pos: np.ndarray, data: np.ndarray, n_rows: int
    ) -> np.ndarray:
        """Probabilities (n_rows, n_labels) from :meth:`CompiledHeads.lookup` output."""
        return self.proba_from(self.owner.accumulate(rows, union_pos, data, n_rows))

    def predict_proba_targets(
        self,
        rows: np.ndarray,
        union_pos: np.ndarray,
        data: np.ndarray,
        n_rows: int,
        target_ids: Sequence[int],
    ) -> np.ndarray:
        """Probabilities (n_rows, n_targets, n_labels) from :meth:`CompiledHeads.lookup` output."""
        return self.proba_targets_from(
            self.owner.accumulate(rows, union_pos, data, n_rows), target_ids
        )

    def known_counts(
        self, rows: np.ndarray, union_pos: np.ndarray, indices: np.ndarray, n_rows: int
    ) -> np.ndarray:
        """Same as :meth:`HeadModel.known_counts` (``indices`` kept for the old signature)."""
        return self.known_from(rows, union_pos, n_rows)


class CompiledHeads:
    """All compilable heads of a model set, fused into one table over their kept columns."""

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
            setting = (model.featurizer_setting(), bool(select.sublinear_tf))
            if reference is None:
                reference = setting
            if setting != reference:
                continue
            parts[name] = (model, select, linear)
        self.width = 0
        self.sublinear_tf = False
        self.union = np.empty(0, dtype=np.int64)
        self.indptr = np.zeros(1, dtype=np.int64)
        self.columns = np.empty(0, dtype=np.int32)
        self.values = np.empty(0, dtype=np.float32)
        self.squared = np.empty(0, dtype=bool)
        self.known_bits = np.empty(0, dtype=np.uint8)
        self.n_fused = 0
        if not parts:
            return
        first_model, first_select, _ = next(iter(parts.values()))
        self.width = first_model.featurizer.n_columns
        self.sublinear_tf = bool(first_select.sublinear_tf)
        union = np.unique(
            np.concatenate(
                [select.columns_.astype(np.int64) % self.width for _, select, _ in parts.values()]
            )
        )
        self.union = union.astype(np.int32 if self.width < 2**31 else np.int64)
        bit_type = np.uint8 if len(parts) <= 8 else np.uint64
        self.known_bits = np.zeros(union.size, dtype=bit_type)
        cells: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (union pos, column, value)
        squared: list[np.ndarray] = []
        for bit, (name, (model, select, linear)) in enumerate(parts.items()):
            head, head_cells, head_squared = self._compile(
                model, select, linear, union, self.n_fused, bit
            )
            cells += head_cells
            squared.append(head_squared)
            self.n_fused += head_squared.size
            self.heads[name] = head
        self.squared = np.concatenate(squared)
        positions = np.concatenate([c[0] for c in cells])
        order = np.argsort(positions, kind="stable")
        column_type = np.uint16 if self.n_fused < 2**16 else np.int32
        self.columns = np.concatenate([c[1] for c in cells])[order].astype(column_type)
        self.values = np.concatenate([c[2] for c in cells])[order].astype(np.float32)
        counts = np.bincount(positions, minlength=union.size)
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def _compile(
        self,
        model: HeadModel,
        select: TfidfColumns,
        linear: tuple[np.ndarray, np.ndarray, _Calibration],
        union: np.ndarray,
        offset: int,
        bit: int,
    ) -> tuple[CompiledHead, list[tuple[np.ndarray, np.ndarray, np.ndarray]], np.ndarray]:
        coef, intercept, calibration = linear
        n_outputs = coef.shape[0]
        columns = select.columns_.astype(np.int64)
        n_pieces = 1 + (len(model.targets) if model.targets is not None else 0)
        blocks = select.column_blocks_.astype(np.int64)
        n_blocks = int(blocks.max()) + 1 if blocks.size else 1
        piece = columns // self.width
        position = np.searchsorted(union, columns - piece * self.width)
        cell = piece * n_blocks + blocks  # (piece, block) of each kept column
        norm_offset = offset + n_pieces * n_blocks * n_outputs
        idf = select.idf_.astype(np.float64)
        weights = np.asarray(coef, dtype=np.float64).T * idf[:, None]  # (kept, outputs)
        kept, output = np.nonzero(weights)  # exact zeros add nothing
        head_cells = [
            (position[kept], offset + cell[kept] * n_outputs + output, weights[kept, output]),
            (position, norm_offset + cell, np.square(idf)),
        ]
        word = (piece == 0) & (columns < model.featurizer.n_word_columns)
        self.known_bits[position[word]] |= np.asarray(1 << bit, dtype=self.known_bits.dtype)
        n_cells = n_pieces * n_blocks
        squared = np.zeros(n_cells * n_outputs + n_cells, dtype=bool)
        squared[n_cells * n_outputs :] = True
        head = CompiledHead(
            model=model,
            offset=offset,
            norm_offset=norm_offset,
            n_pieces=n_pieces,
            n_blocks=n_blocks,
            n_outputs=n_outputs,
            intercept=np.asarray(intercept, dtype=np.float64),
            calibration=calibration,
            known_bit=bit,
            owner=self,
        )
        return head, head_cells, squared

    # -- per batch ------------------------------------------------------------------
    def lookup(self, X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(row of each stored entry of a count matrix, its union position or -1)."""
        rows = np.repeat(np.arange(X.shape[0], dtype=np.int64), np.diff(X.indptr))
        return rows, self._positions(X.indices)

    def _positions(self, columns: np.ndarray) -> np.ndarray:
        columns = columns.astype(self.union.dtype, copy=False)
        if not self.union.size:
            return np.full(columns.shape, -1, dtype=np.int64)
        found = np.searchsorted(self.union, columns)  # binary search: no hash table to hold
        np.minimum(found, self.union.size - 1, out=found)
        found[self.union[found] != columns] = -1
        return found

    def lookup_entries(
        self, rows: np.ndarray, columns: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Feature occurrences (row, column) -> distinct (row, union position, count), rows ascending.

        Columns no compiled head keeps are dropped before counting, so the count matrix
        itself is never built.
        """
        found = self._positions(columns)
        hit = found >= 0
        key = rows[hit].astype(np.int64) * max(self.union.size, 1) + found[hit]
        distinct, counts = np.unique(key, return_counts=True)
        rows_out, union_pos = np.divmod(distinct, max(self.union.size, 1))
        return rows_out, union_pos, counts.astype(np.float32)

    def accumulate(
        self, rows: np.ndarray, union_pos: np.ndarray, counts: np.ndarray, n_rows: int
    ) -> np.ndarray:
        """Fused sums (n_rows, n_fused) of (row, union position, count) entries (-1: none)."""
        out = np.zeros((n_rows, self.n_fused))
        hit = union_pos >= 0
        if not hit.all():
            rows, union_pos, counts = rows[hit], union_pos[hit], counts[hit]
        if not rows.size:
            return out
        tf = np.asarray(counts, dtype=np.float32)
        if self.sublinear_tf:  # sign-preserving, as TfidfColumns does
            tf = np.sign(tf) * np.log1p(np.abs(tf))
        if _native is not None and self.columns.dtype == np.uint16:
            _native.fused_sums(
                out,
                np.ascontiguousarray(rows, dtype=np.int64),
                np.ascontiguousarray(union_pos, dtype=np.int64),
                np.ascontiguousarray(tf, dtype=np.float32),
                self.indptr,
                self.columns,
                self.values,
                self.squared,
                self.n_fused,
            )
            return out
        starts = self.indptr[union_pos]
        lengths = self.indptr[union_pos + 1] - starts
        ends = np.cumsum(lengths)
        cuts = np.searchsorted(ends, np.arange(CHUNK_CELLS, int(ends[-1]), CHUNK_CELLS))
        bounds = [0, *np.unique(cuts + 1).tolist(), rows.size]
        for lo, hi in pairwise(bounds):
            if hi > lo:
                self._add_numpy(out, rows[lo:hi], starts[lo:hi], lengths[lo:hi], tf[lo:hi])
        return out

    def _add_numpy(
        self,
        out: np.ndarray,
        rows: np.ndarray,
        starts: np.ndarray,
        lengths: np.ndarray,
        tf: np.ndarray,
    ) -> None:
        first = rows.min()
        span = int(rows.max() - first) + 1
        total = int(lengths.sum())
        begin = np.cumsum(lengths) - lengths
        cells = np.arange(total, dtype=np.int64) + np.repeat(starts - begin, lengths)
        columns = self.columns[cells]
        tf_cells = np.repeat(tf.astype(np.float64), lengths)  # double, as the native kernel
        weights = self.values[cells] * tf_cells
        squared = self.squared[columns]
        weights[squared] *= tf_cells[squared]
        keys = np.repeat(rows - first, lengths) * self.n_fused + columns
        sums = np.bincount(keys, weights=weights, minlength=span * self.n_fused)
        out[first : first + span] += sums.reshape(span, self.n_fused)
