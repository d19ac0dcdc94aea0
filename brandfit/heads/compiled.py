"""Compiled scoring: every loaded head as plain arrays, summed in one pass for all heads.

A head is column selection + TF-IDF (L2 per block) + a linear model + calibrators. The
scikit-learn path re-validates and re-copies at every step, which dominates when a
request carries one post. Here the kept columns of all heads (sharing one featurizer)
are merged into one sorted array (the *union*), searched once per batch; each union
position lists its *segments*, the (head piece, kept column) pairs that keep it. One
pass over a batch's distinct features then adds, for every segment, ``tf * idf *
weights`` to that piece's block sums and ``(tf * idf) ** 2`` to its squared block norm,
into one *fused* row per post (a C loop in :mod:`brandfit._native` when it was built,
NumPy otherwise). Each head reads its sums from the fused rows and finishes with a few
array operations: divide by the block norms, add the blocks, calibrate.

Target-conditioned heads (alignment) are scored without building the conditioned
matrix: a post judged against value *t* is its shared piece plus its piece for *t*, so
the sums of both are added, norms included; the result is the same linear function.

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
from sklearn.frozen import FrozenEstimator

from brandfit.features.tfidf_columns import TfidfColumns
from brandfit.heads.fast import _linear_weights
from brandfit.heads.model import HeadModel
from brandfit.heads.multilabel import PartialLabelOneVsRest

try:  # the fused sums in C, built at install when a C compiler is present
    from brandfit import _native
except ImportError:  # pragma: no cover - NumPy does the same sums, about 10x slower
    _native = None

#: (entry x segment) pairs per NumPy pass (no native kernel): bounds the temporaries.
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

    The numbers are the same (checked); the model's scikit-learn path (and the evidence
    in :mod:`brandfit.explain`) keeps working on the view, and the process holds one copy
    of every head's weights instead of two.
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
    is the post itself, piece ``1 + t`` its features conditioned on target ``t``. ``weights``,
    ``idf`` and ``blocks`` are indexed by the head's kept columns, in ``columns_`` order.
    """

    model: HeadModel
    offset: int
    norm_offset: int
    n_pieces: int
    n_blocks: int
    n_outputs: int
    weights: np.ndarray  # (n_kept, n_outputs) float32, C-contiguous; the model's coef_ views it
    idf: np.ndarray  # (n_kept,) float32
    blocks: np.ndarray  # (n_kept,) uint16: block of each kept column
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


class CompiledHeads:
    """All compilable heads of a model set, sharing one sorted array of their kept columns.

    ``segments[indptr[u]:indptr[u + 1]]`` are the (piece, kept column) pairs of union
    position ``u``: ``pieces[p]`` says which head and piece, ``kept`` indexes that head's
    ``weights``, ``idf`` and ``blocks``.
    """

    def __init__(self, heads: Mapping[str, HeadModel]) -> None:
        self.heads: dict[str, CompiledHead] = {}
        parts: dict[
            str,
            tuple[
                HeadModel, TfidfColumns, tuple[np.ndarray, np.ndarray, _Calibration, WeightSources]
            ],
        ] = {}
        reference = None
        for name, model in heads.items():
            select = model.estimator.named_steps.get("select")
            linear = _linear_part(model.estimator.named_steps.get("clf"))
            if not isinstance(select, TfidfColumns) or linear is None or model.uses_encoder:
                continue
            if select.column_blocks_.max(initial=0) >= 2**16:
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
        self.segment_piece = np.empty(0, dtype=np.uint8)
        self.segment_kept = np.empty(0, dtype=np.int32)
        self.known_bits = np.empty(0, dtype=np.uint8)
        self.pieces: list[tuple[CompiledHead, int]] = []  # (head, piece of that head)
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
        self.known_bits = np.zeros(union.size, dtype=np.uint8 if len(parts) <= 8 else np.uint64)
        positions: list[np.ndarray] = []
        piece_ids: list[np.ndarray] = []
        kept_ids: list[np.ndarray] = []
        for bit, (name, (model, select, linear)) in enumerate(parts.items()):
            head, piece_of, position = self._compile(model, select, linear, union, bit)
            _share_weights(head.weights, linear[3])
            self.heads[name] = head
            for piece in range(head.n_pieces):
                mine = np.flatnonzero(piece_of == piece)
                positions.append(position[mine])
                piece_ids.append(np.full(mine.size, len(self.pieces), dtype=np.uint8))
                kept_ids.append(mine.astype(np.int32))
                self.pieces.append((head, piece))
        if len(self.pieces) >= 2**8:  # pragma: no cover - hundreds of targets
            raise ValueError("too many compiled pieces (targets) for one model set")
        position = np.concatenate(positions)
        order = np.argsort(position, kind="stable")
        self.segment_piece = np.concatenate(piece_ids)[order]
        self.segment_kept = np.concatenate(kept_ids)[order]
        counts = np.bincount(position, minlength=union.size)
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        # per piece: (weights, idf, blocks, n_outputs, n_blocks, raw offset, norm offset)
        self.kernel_pieces = tuple(
            (
                head.weights,
                head.idf,
                head.blocks,
                head.n_outputs,
                head.n_blocks,
                head.offset + piece * head.n_blocks * head.n_outputs,
                head.norm_offset + piece * head.n_blocks,
            )
            for head, piece in self.pieces
        )

    def _compile(
        self,
        model: HeadModel,
        select: TfidfColumns,
        linear: tuple[np.ndarray, np.ndarray, _Calibration, WeightSources],
        union: np.ndarray,
        bit: int,
    ) -> tuple[CompiledHead, np.ndarray, np.ndarray]:
        """The head's layout in the fused output, and the piece and union position of each kept column."""
        coef, intercept, calibration, _ = linear
        n_outputs = coef.shape[0]
        columns = select.columns_.astype(np.int64)
        n_pieces = 1 + (len(model.targets) if model.targets is not None else 0)
        n_blocks = int(select.column_blocks_.max()) + 1 if select.column_blocks_.size else 1
        piece_of = columns // self.width
        position = np.searchsorted(union, columns - piece_of * self.width)
        word = (piece_of == 0) & (columns < model.featurizer.n_word_columns)
        self.known_bits[position[word]] |= np.asarray(1 << bit, dtype=self.known_bits.dtype)
        offset = self.n_fused
        norm_offset = offset + n_pieces * n_blocks * n_outputs
        self.n_fused = norm_offset + n_pieces * n_blocks
        head = CompiledHead(
            model=model,
            offset=offset,
            norm_offset=norm_offset,
            n_pieces=n_pieces,
            n_blocks=n_blocks,
            n_outputs=n_outputs,
            weights=np.ascontiguousarray(coef.T, dtype=np.float32),
            idf=np.ascontiguousarray(select.idf_, dtype=np.float32),
            blocks=select.column_blocks_.astype(np.uint16),
            intercept=np.asarray(intercept, dtype=np.float64),
            calibration=calibration,
            known_bit=bit,
            owner=self,
        )
        return head, piece_of, position

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
        """Feature occurrences (row, column) -> distinct (row, union position, count).

        Columns no compiled head keeps are dropped, so the count matrix itself is never
        built. The result is ordered by union position (then row): the binary search
        gets sorted keys and the fused pass walks every table in order, which on a
        batch of posts saves most cache misses.
        """
        if not rows.size:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0, dtype=np.float32)
        n_rows = int(rows.max()) + 1
        key = columns.astype(np.int64) * n_rows + rows
        distinct, counts = np.unique(key, return_counts=True)
        distinct_columns, distinct_rows = np.divmod(distinct, n_rows)
        found = self._positions(distinct_columns)
        hit = found >= 0
        return distinct_rows[hit], found[hit].astype(np.int64), counts[hit].astype(np.float32)

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
        if _native is not None:
            _native.fused_sums(
                out,
                np.ascontiguousarray(rows, dtype=np.int64),
                np.ascontiguousarray(union_pos, dtype=np.int64),
                np.ascontiguousarray(tf, dtype=np.float32),
                self.indptr,
                self.segment_piece,
                self.segment_kept,
                self.kernel_pieces,
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
        """What the native kernel does, in NumPy: every segment of every entry, piece by piece."""
        total = int(lengths.sum())
        begin = np.cumsum(lengths) - lengths
        segments = np.arange(total, dtype=np.int64) + np.repeat(starts - begin, lengths)
        seg_rows = np.repeat(rows, lengths)
        seg_tf = np.repeat(tf.astype(np.float64), lengths)
        seg_piece = self.segment_piece[segments]
        seg_kept = self.segment_kept[segments]
        n_rows = out.shape[0]
        for p, (head, piece) in enumerate(self.pieces):
            mine = np.flatnonzero(seg_piece == p)
            if not mine.size:
                continue
            kept = seg_kept[mine]
            values = seg_tf[mine] * head.idf[kept]
            cell = seg_rows[mine] * head.n_blocks + head.blocks[kept]
            size = n_rows * head.n_blocks
            squares = np.bincount(cell, weights=np.square(values), minlength=size)
            spread = sp.csr_matrix((values, (cell, kept)), shape=(size, head.weights.shape[0]))
            raw = np.asarray(spread @ head.weights.astype(np.float64))
            first = head.offset + piece * head.n_blocks * head.n_outputs
            width = head.n_blocks * head.n_outputs
            out[:, first : first + width] += raw.reshape(n_rows, width)
            first = head.norm_offset + piece * head.n_blocks
            out[:, first : first + head.n_blocks] += squares.reshape(n_rows, head.n_blocks)
