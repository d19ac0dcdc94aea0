"""``brandfit uncertain``: the posts a head is least sure of, as a CSV to label and retrain on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from brandfit.cli._common import ModelsOption, console, friendly_errors
from brandfit.cli._progress import progress_bar
from brandfit.cli.report import load_cli_head
from brandfit.data import read_table
from brandfit.errors import InvalidInputError
from brandfit.uncertain import MAX_SIMILARITY, select_uncertain, uncertainty

OUT_SUFFIXES = (".csv",)


@friendly_errors
def uncertain(
    head: Annotated[str, typer.Argument(help="Head whose uncertain posts to pick.")],
    input_file: Annotated[
        Path, typer.Option("--input", help="Unlabelled posts: CSV, JSONL or Parquet.")
    ],
    out: Annotated[Path, typer.Option("--out", help="CSV to write (label it, then train).")],
    n: Annotated[int, typer.Option("--n", min=1, help="How many posts to pick.")] = 50,
    strategy: Annotated[
        str,
        typer.Option("--strategy", help="Multi-class heads: 'margin' or 'entropy'."),
    ] = "margin",
    max_similarity: Annotated[
        float,
        typer.Option(
            "--max-similarity",
            min=0.0,
            max=1.0,
            help="Skip posts whose word-n-gram cosine to an already picked post is above this.",
        ),
    ] = MAX_SIMILARITY,
    target: Annotated[
        str | None,
        typer.Option("--target", help="Alignment head: the value, when the file has no 'target'."),
    ] = None,
    text_col: Annotated[str, typer.Option("--text-col")] = "text",
    id_col: Annotated[str, typer.Option("--id-col")] = "id",
    models: ModelsOption = None,
) -> None:
    """Write the N posts HEAD is least sure of (no near-duplicates) with an empty label column.

    Fill in ``label`` (``labels``, '|'-separated, for multi-label heads; an empty cell
    there means "none of the labels"), then retrain on both files:
    ``brandfit train HEAD --data base.csv --data OUT``.
    """
    from brandfit.report.scoring import head_proba

    if out.suffix.lower() not in OUT_SUFFIXES:
        raise InvalidInputError(f"--out must end in .csv; got {out.name!r}")
    if strategy not in ("margin", "entropy"):
        raise InvalidInputError(f"--strategy must be 'margin' or 'entropy'; got {strategy!r}")
    model, _, _, _ = load_cli_head(head, models)
    frame = read_table(input_file)
    if text_col not in frame.columns:
        raise InvalidInputError(
            f"{input_file}: no text column {text_col!r}; columns are {list(frame.columns)}"
        )
    has_text = frame[text_col].map(lambda v: isinstance(v, str) and bool(v.strip()))
    skipped = int((~has_text).sum())
    frame = frame[has_text].reset_index(drop=True)
    if frame.empty:
        raise InvalidInputError(f"{input_file}: no post has any text")
    ids = frame[id_col].tolist() if id_col in frame.columns else list(frame.index + 1)
    targets = None
    if model.targets is not None:
        if "target" in frame.columns:
            targets = [str(t) for t in frame["target"]]
        elif target is not None:
            targets = [target] * len(frame)
        else:
            raise InvalidInputError(
                f"head {head!r} scores a post for a value: give a 'target' column or --target"
            )
    texts = [str(t) for t in frame[text_col]]
    with progress_bar(f"scoring {head}", len(texts)) as advance:
        P = head_proba(model, texts, targets, advance)
    scores = uncertainty(model, P, strategy)  # type: ignore[arg-type]
    picked = select_uncertain(texts, scores, n, max_similarity)
    decided = model.decide(P[picked.rows]) if picked.rows else []
    table = pd.DataFrame(
        {
            "id": [ids[i] for i in picked.rows],
            "text": [texts[i] for i in picked.rows],
            **({"target": [targets[i] for i in picked.rows]} if targets is not None else {}),
            "predicted": ["|".join(labels) for labels in decided],
            **{
                f"score_{label}": [round(float(P[i, j]), 4) for i in picked.rows]
                for j, label in enumerate(model.labels)
            },
            "uncertainty": [round(float(scores[i]), 4) for i in picked.rows],
            ("labels" if model.kind == "multilabel" else "label"): [""] * len(picked.rows),
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    notes = [f"{picked.duplicates} repeated texts", f"{picked.similar} near-duplicates"]
    if skipped:
        notes.append(f"{skipped} posts without text")
    console.print(
        f"wrote {len(table)} of {len(texts):,} posts to {out} (skipped {', '.join(notes)}); "
        f"fill in '{table.columns[-1]}', then: brandfit train {head} --data BASE --data {out}",
        highlight=False,
    )
