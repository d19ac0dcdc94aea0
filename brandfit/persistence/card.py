"""A short model card (CARD.md) rendered from a manifest."""

from __future__ import annotations

import json
from typing import Any

from brandfit.labels import NICHE_TO_IAB, SAFETY_TO_GARM


def _metrics_lines(metrics: dict[str, Any]) -> list[str]:
    lines = []
    for split, values in metrics.items():
        if not isinstance(values, dict):
            continue
        keys = (
            "n",
            "macro_f1",
            "micro_f1",
            "accuracy",
            "macro_recall",
            "stance_f1",
            "stance_f1_target_mean",
        )
        shown = ", ".join(f"{k} {values[k]}" for k in keys if values.get(k) is not None)
        lines.append(f"- **{split}** ({values.get('data', '')}): {shown}")
        for label, per in (values.get("per_label") or {}).items():
            if "binary_macro_f1" in per:
                lines.append(
                    f"  - {label}: F1 {per['f1']}, binary macro-F1 {per['binary_macro_f1']} (judged {per['judged']})"
                )
    return lines or ["- none recorded"]


def render_card(manifest: dict[str, Any]) -> str:
    """Markdown model card: what the head does, data and licences, metrics, limits."""
    head = manifest["head"]
    data = manifest.get("training_data", {})
    lines = [
        f"# brandfit model card: `{head}`",
        "",
        f"- Version: `{manifest['model_version']}` (created {manifest['created_at']})",
        f"- Kind: {manifest['kind']}; labels: {', '.join(f'`{label}`' for label in manifest['labels'])}",
    ]
    if manifest.get("targets"):
        lines.append(f"- Values (targets): {', '.join(manifest['targets'])}")
    if manifest.get("thresholds"):
        lines.append(f"- Decision thresholds (tuned on validation data): {manifest['thresholds']}")
    mapping = NICHE_TO_IAB if head == "niche" else SAFETY_TO_GARM if head == "safety" else {}
    shown = [label for label in manifest["labels"] if label in mapping]
    if shown:
        scheme = "IAB Content Taxonomy 3.1 tier 1" if head == "niche" else "GARM category"
        lines += ["", f"## Label mapping ({scheme})", ""]
        lines += [f"- `{label}` → {mapping[label]}" for label in shown]
    blocks = manifest.get("config", {}).get("features", {}).get("blocks", ["lexical"])
    lines += ["", "## Features", ""]
    if "lexical" in blocks:
        lines.append(
            "- Hashed word and character n-grams of the post (TF-IDF), spaCy social tokenizer."
        )
    if manifest.get("encoder_version"):
        lines.append(
            f"- Sentence embedding from the shipped encoder `{manifest['encoder_version']}` "
            "(all-MiniLM-L6-v2, sentence-transformers, Apache-2.0; int8 ONNX in `models/encoder/`, "
            "see its CARD.md); the head loads only beside that exact encoder."
        )
    lines += ["", "## Training data", ""]
    for source in data.get("sources", []):
        rows = f"{source['rows']} rows, " if "rows" in source else ""
        lines.append(
            f"- {source.get('name')}: {rows}split {source.get('split', '?')}; "
            f"licence: {source.get('licence', 'not stated')}"
        )
    if data.get("notes"):
        lines.append(f"- Notes: {data['notes']}")
    lines.append(f"- Fingerprint (sha256 of texts+labels): `{data.get('fingerprint')}`")
    lines += ["", "## Metrics", "", *_metrics_lines(manifest.get("metrics", {}))]
    lines += [
        "",
        "## Configuration",
        "",
        "```json",
        json.dumps(manifest.get("config", {}), indent=2),
        "```",
        "",
        "## Limits",
        "",
        "- Linear model over the features above: sarcasm, coded language and context "
        "outside the post are missed; the sentence embedding carries topic and tone, "
        "not world knowledge.",
        "- Trained on English tweets/posts from the data sets above; other languages and "
        "platforms get a `non_english` / `low_coverage` flag rather than a trusted score.",
        "- Research-only licences above may restrict commercial use of this model.",
        "- The artefact is a joblib pickle: load it only from a models folder you trust.",
        "",
    ]
    return "\n".join(lines)
