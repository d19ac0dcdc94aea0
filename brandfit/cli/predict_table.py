"""``brandfit predict --format table``: predictions as a rich table a person reads.

One row per head of each post, posts separated by a rule: the post (id and text), the head, and the labels it decided
with their probabilities (with ``--explain``, the evidence words under each label), then
the weak-signal flags. The table fits 80 columns: long texts and names wrap, never get
cut (the label column is as wide as the longest label shown, up to :data:`MAX_LABEL_WIDTH`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

#: Widest label column; longer names fold onto the next line instead of being cut.
MAX_LABEL_WIDTH = 32
SINGLE_HEADS = ("niche", "safety", "sentiment")


def _label_lines(
    result: Mapping[str, Any], evidence: Mapping[str, list[str]] | None, prefix: str = ""
) -> list[tuple[str, str | None]]:
    """``(label p, evidence words)`` per decided label; ``[("-", None)]`` when none."""
    lines: list[tuple[str, str | None]] = []
    for label in result["labels"]:
        words = evidence.get(label) if evidence is not None else None
        shown = ", ".join(words) if words else ("(no readable evidence)" if evidence else None)
        lines.append((f"{prefix}{label} {result['scores'][label]:.2f}", shown))
    return lines or [(f"{prefix}-", None)]


def head_lines(
    row: Mapping[str, Any], evidence: Mapping[str, Any] | None
) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """``(head, [(label line, evidence line)])`` for every head present in a prediction."""
    out: list[tuple[str, list[tuple[str, str | None]]]] = []
    for name in SINGLE_HEADS:
        if isinstance(row.get(name), Mapping):
            found = evidence.get(name, {}) if evidence is not None else None
            out.append((name, _label_lines(row[name], found)))
    alignment = row.get("alignment")
    if isinstance(alignment, Mapping) and alignment:
        lines: list[tuple[str, str | None]] = []
        for value, result in alignment.items():
            found = evidence.get("alignment", {}).get(value, {}) if evidence is not None else None
            lines += _label_lines(result, found, prefix=f"{value}: ")
        out.append(("alignment", lines))
    return out


def _cell(lines: Sequence[tuple[str, str | None]]) -> Text:
    cell = Text()
    for i, (label, words) in enumerate(lines):
        if i:
            cell.append("\n")
        cell.append(label, style="bold" if not label.endswith("-") else "dim")
        if words is not None:
            cell.append(f"\n  {words}", style="italic cyan")
    return cell


def prediction_table(
    rows: Sequence[Mapping[str, Any]],
    texts: Sequence[str | None],
    evidence: Sequence[Mapping[str, Any]] | None = None,
) -> Table:
    """A table of ``Predictor.predict`` rows (and ``explain_predictions`` evidence) for ``texts``."""
    label_width = 8
    for row, found in zip(rows, evidence or [None] * len(rows), strict=True):
        for _, lines in head_lines(row, found):
            label_width = max(label_width, *(len(label) for label, _ in lines))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=False)
    table.add_column("post", overflow="fold", ratio=1, min_width=16)
    table.add_column("head", no_wrap=True)
    table.add_column(
        "labels (p)" + (" and evidence" if evidence is not None else ""),
        overflow="fold",
        min_width=min(label_width, MAX_LABEL_WIDTH),
        ratio=1,
    )
    for i, row in enumerate(rows):
        text = texts[i] if i < len(texts) else None
        post = Text(f"{row['id']}\n", style="bold")
        post.append(text if text else "(no text)", style="" if text else "dim")
        heads = head_lines(row, evidence[i] if evidence is not None else None)
        if row.get("flags"):
            heads.append(("flags", [(", ".join(row["flags"]), None)]))
        for j, (name, lines) in enumerate(heads):
            table.add_row(
                post if j == 0 else "", name, _cell(lines), end_section=j == len(heads) - 1
            )
    return table
