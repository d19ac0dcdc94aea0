"""The report's figures, drawn with matplotlib's object API (Agg, no pyplot state).

Each function returns a ``data:image/png;base64,...`` URI, so the HTML embeds the
picture and fetches nothing.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image
from sklearn.metrics import precision_recall_curve

from brandfit.report.scoring import ScoredData

DPI = 80
PALETTE = 64
BINS = 10
#: Most curves drawn in one PR / threshold figure (the labels with most positives).
MAX_CURVES = 12
#: Distinct colours for up to MAX_CURVES lines (matplotlib's tab20, dark shades first).
CURVE_COLOURS = [colormaps["tab20"](i) for i in (*range(0, 20, 2), *range(1, 20, 2))][:MAX_CURVES]


def _uri(fig: Figure) -> str:
    """The figure as a PNG data URI, reduced to a 64-colour palette (about a third the bytes)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    buffer.seek(0)
    with Image.open(buffer) as image:
        small = image.convert("RGB").quantize(colors=PALETTE)
        out = io.BytesIO()
        small.save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _heatmap(ax: Axes, counts: np.ndarray, rates: np.ndarray) -> None:
    ax.imshow(rates, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    for (i, j), value in np.ndenumerate(counts):
        ax.text(
            j,
            i,
            f"{int(value):,}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if rates[i, j] > 0.6 else "black",
        )


def confusion_figure(scored: ScoredData) -> str:
    """Single-label heads: gold (rows) x predicted (columns), shaded by share of the gold row."""
    labels = scored.labels
    k = len(labels)
    index = {name: j for j, name in enumerate(labels)}
    counts = np.zeros((k, k), dtype=np.int64)
    for gold, row in zip(scored.gold, scored.decided, strict=True):
        if gold >= 0:
            counts[gold, index[row[0]]] += 1
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = 2.5 + 0.35 * k
    fig = Figure(figsize=(size + 1, size), layout="constrained")
    ax = fig.add_subplot()
    _heatmap(ax, counts, rates)
    ax.set_xticks(range(k), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title("confusion matrix (counts; shade = share of the gold row)", fontsize=9)
    return _uri(fig)


def label_confusion_figure(scored: ScoredData) -> str:
    """Multi-label heads: per label TP / FN / FP / TN on judged rows, shaded by rate."""
    labels = scored.labels
    predicted = np.zeros(scored.gold.shape, dtype=bool)
    index = {name: j for j, name in enumerate(labels)}
    for i, row in enumerate(scored.decided):
        for name in row:
            predicted[i, index[name]] = True
    counts = np.zeros((len(labels), 4), dtype=np.int64)
    for j in range(len(labels)):
        known = scored.gold[:, j] >= 0
        truth, guess = scored.gold[known, j] == 1, predicted[known, j]
        counts[j] = [
            (truth & guess).sum(),
            (truth & ~guess).sum(),
            (~truth & guess).sum(),
            (~truth & ~guess).sum(),
        ]
    positives = np.maximum(counts[:, :2].sum(axis=1, keepdims=True), 1)
    negatives = np.maximum(counts[:, 2:].sum(axis=1, keepdims=True), 1)
    rates = np.hstack([counts[:, :2] / positives, counts[:, 2:] / negatives])
    fig = Figure(figsize=(5.5, 1.2 + 0.3 * len(labels)), layout="constrained")
    ax = fig.add_subplot()
    _heatmap(ax, counts, rates)
    ax.set_xticks(range(4), ["TP", "FN", "FP", "TN"], fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_title("confusion per label (shade: rate among gold positives / negatives)", fontsize=8)
    return _uri(fig)


def _confidence_pairs(scored: ScoredData) -> tuple[np.ndarray, np.ndarray]:
    """(predicted probability, 1 if it came true) pairs the reliability diagram bins."""
    if scored.multilabel:
        known = scored.gold >= 0
        return scored.proba[known], (scored.gold[known] == 1).astype(float)
    rows = scored.gold >= 0
    index = {name: j for j, name in enumerate(scored.labels)}
    picked = np.asarray([index[row[0]] for row in scored.decided], dtype=np.int64)
    confidence = scored.proba[np.arange(len(picked)), picked]
    return confidence[rows], (picked[rows] == scored.gold[rows]).astype(float)


def expected_calibration_error(scored: ScoredData) -> float:
    """Bin-weighted mean gap between predicted probability and observed frequency (10 bins)."""
    p, hit = _confidence_pairs(scored)
    if p.size == 0:
        return 0.0
    bins = np.minimum((p * BINS).astype(int), BINS - 1)
    gap = 0.0
    for b in range(BINS):
        inside = bins == b
        if inside.any():
            gap += inside.sum() * abs(p[inside].mean() - hit[inside].mean())
    return float(gap / p.size)


def reliability_figure(scored: ScoredData) -> str:
    """Observed frequency against predicted probability in 10 bins, with the bin counts."""
    p, hit = _confidence_pairs(scored)
    bins = np.minimum((p * BINS).astype(int), BINS - 1)
    mean_p, freq, count = [], [], []
    for b in range(BINS):
        inside = bins == b
        count.append(int(inside.sum()))
        if inside.any():
            mean_p.append(p[inside].mean())
            freq.append(hit[inside].mean())
    fig = Figure(figsize=(4.5, 5), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 1], sharex=True)
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect")
    top.plot(mean_p, freq, marker="o", label="this head")
    top.set_ylabel("observed frequency")
    what = "every judged (post, label) pair" if scored.multilabel else "the predicted label"
    top.set_title(f"reliability of {what}", fontsize=9)
    top.legend(fontsize=8)
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    bottom.bar((np.arange(BINS) + 0.5) / BINS, count, width=1 / BINS, edgecolor="white")
    bottom.set_xlabel("predicted probability")
    bottom.set_ylabel("posts")
    return _uri(fig)


def _curve_labels(scored: ScoredData) -> list[tuple[int, np.ndarray]]:
    """(label index, 0/1 truth on judged rows) for labels with positives, most first."""
    out = []
    for j in range(len(scored.labels)):
        if scored.multilabel:
            truth = scored.gold[:, j]
        else:
            truth = np.where(scored.gold >= 0, (scored.gold == j).astype(np.int64), -1)
        if (truth == 1).any() and (truth == 0).any():
            out.append((j, truth))
    out.sort(key=lambda item: -int((item[1] == 1).sum()))
    return out[:MAX_CURVES]


def pr_figure(scored: ScoredData) -> str | None:
    """Precision-recall curve per label (one-vs-rest for single-label heads)."""
    curves = _curve_labels(scored)
    if not curves:
        return None
    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.set_prop_cycle(color=CURVE_COLOURS)
    for j, truth in curves:
        known = truth >= 0
        precision, recall, _ = precision_recall_curve(truth[known], scored.proba[known, j])
        ax.plot(recall, precision, linewidth=1.2, label=scored.labels[j])
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("precision-recall per label", fontsize=9)
    ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _uri(fig)


def _f1_by_threshold(truth: np.ndarray, p: np.ndarray, grid: np.ndarray) -> np.ndarray:
    positive = truth == 1
    out = []
    for t in grid:
        guess = p >= t
        tp = float((guess & positive).sum())
        denom = float(guess.sum() + positive.sum())
        out.append(2 * tp / denom if denom else 0.0)
    return np.asarray(out)


def threshold_figure(scored: ScoredData, thresholds: dict[str, float]) -> str | None:
    """F1 of each label against its decision threshold; dots mark the tuned thresholds."""
    curves = [(j, t) for j, t in _curve_labels(scored) if scored.labels[j] in thresholds]
    if not curves:
        return None
    grid = np.linspace(0.01, 0.99, 99)
    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.set_prop_cycle(color=CURVE_COLOURS)
    for j, truth in curves:
        known = truth >= 0
        name = scored.labels[j]
        f1 = _f1_by_threshold(truth[known], scored.proba[known, j], grid)
        (line,) = ax.plot(grid, f1, linewidth=1.2, label=name)
        tuned = thresholds[name]
        at = _f1_by_threshold(truth[known], scored.proba[known, j], np.asarray([tuned]))[0]
        ax.plot([tuned], [at], marker="o", color=line.get_color())
    ax.set_xlabel("threshold")
    ax.set_ylabel("F1")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("F1 against threshold (dot: the head's tuned threshold)", fontsize=9)
    ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _uri(fig)
