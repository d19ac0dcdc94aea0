"""Assemble one head's evaluation report as a single self-contained HTML page."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import numpy as np

from brandfit.data import LabelledPosts
from brandfit.heads.model import HeadModel
from brandfit.report import figures
from brandfit.report.scoring import ScoredData

#: Rows shown in "the examples it gets most wrong".
WORST_ROWS = 20
TEXT_CHARS = 280
SUMMARY_KEYS = ("n", "accuracy", "macro_f1", "micro_f1", "macro_recall", "stance_f1")

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#1b1f24;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right;vertical-align:top}
th:first-child,td:first-child,td.text{text-align:left}td.text{max-width:30rem}
.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:.5rem 1rem}
.muted{color:#666;font-size:.85rem}figure{display:inline-block;margin:.5rem 1rem .5rem 0}
figcaption{font-size:.85rem;color:#444;max-width:32rem}img{max-width:100%}
.up{color:#17803d}.down{color:#b42318}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, int):
        return f"{value:,}"
    return _e(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(rows_cell for rows_cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value: Any, cls: str = "") -> str:
    return f'<td class="{cls}">{_fmt(value)}</td>' if cls else f"<td>{_fmt(value)}</td>"


def _per_label(metrics: dict[str, Any]) -> str:
    rows = [
        [_td(label)] + [_td(v.get(k)) for k in ("precision", "recall", "f1", "support")]
        for label, v in metrics["per_label"].items()
    ]
    return _table(["label", "precision", "recall", "F1", "support"], rows)


def _delta(now: Any, before: Any) -> str:
    if not isinstance(now, int | float) or not isinstance(before, int | float):
        return "<td>–</td>"
    diff = float(now) - float(before)
    cls = "up" if diff > 0 else "down" if diff < 0 else ""
    return f'<td class="{cls}">{diff:+.4f}</td>'


def _comparison(
    metrics: dict[str, Any],
    manifest: dict[str, Any],
    baseline: tuple[str, dict[str, Any]] | None,
) -> str:
    """Metrics on this data beside the recorded ones of this version and of the one it replaced."""
    columns: list[tuple[str, dict[str, Any]]] = [("this data", metrics)]
    if baseline is not None:
        columns.append((f"{baseline[0]} on this data", baseline[1]))
    recorded = {k: v for k, v in manifest.get("metrics", {}).items() if isinstance(v, dict)}
    for split, values in recorded.items():
        columns.append((f"this version: {split} (recorded)", values))
    previous = manifest.get("previous") or {}
    before = {k: v for k, v in previous.get("metrics", {}).items() if isinstance(v, dict)}
    for split, values in before.items():
        columns.append((f"{previous.get('model_version')}: {split} (recorded)", values))
    keys = [k for k in SUMMARY_KEYS if any(c[1].get(k) is not None for c in columns)]
    deltas: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    if baseline is not None:
        deltas.append(("change on this data", metrics, baseline[1]))
    for split in recorded:
        if split in before:
            deltas.append((f"change on {split}", recorded[split], before[split]))
    header = ["metric"] + [c[0] for c in columns] + [d[0] for d in deltas]
    rows = [
        [_td(key)]
        + [_td(values.get(key)) for _, values in columns]
        + [_delta(now.get(key), old.get(key)) for _, now, old in deltas]
        for key in keys
    ]
    note = ""
    if not previous and baseline is None:
        note = (
            '<p class="muted">No previous version is recorded for this head (it was trained '
            "into an empty folder), so there is nothing to compare with yet.</p>"
        )
    return _table(header, rows) + note


def _label_sets(scored: ScoredData, data: LabelledPosts) -> list[tuple[set[str], set[str]]]:
    return [(set(gold), set(pred)) for gold, pred in zip(data.labels, scored.decided, strict=True)]


def worst_examples(
    scored: ScoredData, data: LabelledPosts, n: int = WORST_ROWS
) -> list[dict[str, Any]]:
    """The wrong predictions made with most confidence: text, gold, predicted, confidence."""
    rows = []
    index = {name: j for j, name in enumerate(scored.labels)}
    if scored.multilabel:
        for i, (gold, pred) in enumerate(_label_sets(scored, data)):
            known = scored.gold[i] >= 0
            if gold == pred or not known.any():
                continue
            error = np.where(known, np.abs(scored.gold[i] - scored.proba[i]), -1.0)
            j = int(error.argmax())
            rows.append(
                {
                    "row": i + 1,
                    "text": data.texts[i],
                    "gold": sorted(gold),
                    "predicted": sorted(pred),
                    "confidence": float(error[j]),
                    "about": f"{scored.labels[j]} p={scored.proba[i, j]:.3f}",
                }
            )
    else:
        for i, (gold, pred) in enumerate(zip(data.labels, scored.decided, strict=True)):
            if gold[0] == pred[0]:
                continue
            p = scored.proba[i]
            g = index.get(gold[0])
            rows.append(
                {
                    "row": i + 1,
                    "text": data.texts[i],
                    "gold": [gold[0]],
                    "predicted": [pred[0]],
                    "confidence": float(p[index[pred[0]]]),
                    "about": "unknown label" if g is None else f"p(gold)={p[g]:.3f}",
                }
            )
    rows.sort(key=lambda r: -r["confidence"])
    return rows[:n]


def _worst_table(rows: list[dict[str, Any]], multilabel: bool) -> str:
    if not rows:
        return "<p>No wrong predictions on this data.</p>"
    what = "error of the most wrong label" if multilabel else "confidence in the predicted label"
    cells = []
    for r in rows:
        text = r["text"] if len(r["text"]) <= TEXT_CHARS else r["text"][:TEXT_CHARS] + "…"
        cells.append(
            [
                _td(r["row"]),
                _td(text, "text"),
                _td(", ".join(r["gold"]) or "(none)", "text"),
                _td(", ".join(r["predicted"]) or "(none)", "text"),
                _td(round(r["confidence"], 3)),
                _td(r["about"], "text"),
            ]
        )
    return _table(["row", "text", "gold", "predicted", what, "detail"], cells)


def _figure(uri: str | None, caption: str) -> str:
    if uri is None:
        return ""
    return (
        f'<figure><img alt="{_e(caption)}" src="{uri}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _thresholds(model: HeadModel) -> dict[str, float]:
    if model.kind == "multilabel" and model.thresholds:
        return dict(zip(model.labels, model.thresholds, strict=True))
    if model.kind == "binary" and model.thresholds and model.positive_label is not None:
        return {model.positive_label: model.thresholds[0]}
    return {}


def _per_target(metrics: dict[str, Any]) -> str:
    targets = metrics.get("per_target")
    if not targets:
        return ""
    rows = [
        [_td(name)] + [_td(v.get(k)) for k in ("n", "f1_supports", "f1_opposes", "stance_f1")]
        for name, v in targets.items()
    ]
    return "<h2>Per value</h2>" + _table(
        ["value", "n", "F1 supports", "F1 opposes", "stance F1"], rows
    )


def build_report(
    model: HeadModel,
    manifest: dict[str, Any],
    data: LabelledPosts,
    scored: ScoredData,
    metrics: dict[str, Any],
    in_sample: bool = False,
    baseline: tuple[str, dict[str, Any]] | None = None,
) -> str:
    """The HTML page: summary, comparison, per-label table, figures, worst examples.

    ``baseline`` is (version, metrics on the same data) of the head this one overrides,
    when it could be scored; the manifest's ``previous`` entry supplies recorded figures.
    """
    ece = figures.expected_calibration_error(scored)
    summary_keys = [k for k in SUMMARY_KEYS if metrics.get(k) is not None]
    summary = _table(
        [*summary_keys, "calibration error (ECE)"],
        [[_td(metrics[k]) for k in summary_keys] + [_td(round(ece, 4))]],
    )
    if scored.multilabel:
        confusion = _figure(
            figures.label_confusion_figure(scored),
            "Per label: true positives, false negatives, false positives, true negatives.",
        )
    else:
        confusion = _figure(
            figures.confusion_figure(scored),
            "Rows are the gold labels, columns what the head decided (after its tuned offsets/threshold).",
        )
    reliability = _figure(
        figures.reliability_figure(scored),
        "Points on the diagonal mean a probability of p comes true p of the time.",
    )
    pr = _figure(figures.pr_figure(scored), "Precision against recall as the cut-off moves.")
    thresholds = _thresholds(model)
    threshold = (
        _figure(
            figures.threshold_figure(scored, thresholds),
            "F1 as a function of the decision threshold; dots are the thresholds the head uses.",
        )
        if thresholds
        else ""
    )
    warn = (
        '<p class="warn">Scored on its own training data: these figures are optimistic. '
        "Give <code>--val</code> (train) or evaluate on held-out data for honest ones.</p>"
        if in_sample
        else ""
    )
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    title = f"{model.name} — {manifest.get('model_version', 'unsaved')}"
    body = f"""
<h1>{_e(title)}</h1>
<p class="muted">{_e(model.kind)} head · {len(model.labels)} labels · data {_e(data.source)}
({len(data):,} posts) · report made {_e(created)}</p>
{warn}
<h2>Summary</h2>{summary}
<h2>Compared with the previous version</h2>{_comparison(metrics, manifest, baseline)}
<h2>Per label</h2>{_per_label(metrics)}
{_per_target(metrics)}
<h2>Figures</h2>{confusion}{reliability}{pr}{threshold}
<h2>The examples it gets most wrong</h2>
{_worst_table(worst_examples(scored, data), scored.multilabel)}
"""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>\n"
    )
