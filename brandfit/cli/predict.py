"""``brandfit predict``: one JSON object per post in input order, or a table (``--format table``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from brandfit.cli._common import ModelsOption, friendly_errors, model_layers
from brandfit.cli._tables import wrap_not_cut
from brandfit.data import read_table
from brandfit.errors import InvalidInputError

CHUNK = 2000


class PredictFormat(StrEnum):
    """How predictions are printed."""

    json = "json"
    table = "table"


#: column of an --input file naming a row's own alignment value
TARGET_COL = "target"


def _posts(
    texts: list[str], input_file: Path | None, text_col: str, id_col: str
) -> Iterator[tuple[Any, str | None, str | None]]:
    """(id, text, the row's own alignment value from a ``target`` column or None)."""
    for i, text in enumerate(texts):
        if text == "-":
            for j, line in enumerate(sys.stdin):
                yield f"stdin:{j + 1}", line.rstrip("\n"), None
        else:
            yield i, text, None
    if input_file is not None:
        frame = read_table(input_file)
        if text_col not in frame.columns:
            raise InvalidInputError(
                f"{input_file}: no text column {text_col!r}; columns are {list(frame.columns)}"
            )
        ids = frame[id_col].tolist() if id_col in frame.columns else list(range(len(frame)))
        own = frame[TARGET_COL].tolist() if TARGET_COL in frame.columns else [None] * len(ids)
        for post_id, text, target in zip(ids, frame[text_col].tolist(), own, strict=True):
            value = target.strip() if isinstance(target, str) and target.strip() else None
            yield post_id, text if isinstance(text, str) else None, value


@friendly_errors
def predict(
    texts: Annotated[
        list[str] | None, typer.Argument(help="Post texts; '-' reads one post per line from stdin.")
    ] = None,
    input_file: Annotated[
        Path | None,
        typer.Option("--input", help="CSV, JSONL or Parquet with a text column and optional id."),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target", help="Value(s) for the alignment head (default: every value it knows)."
        ),
    ] = None,
    text_col: Annotated[str, typer.Option("--text-col")] = "text",
    id_col: Annotated[str, typer.Option("--id-col")] = "id",
    fmt: Annotated[
        PredictFormat,
        typer.Option("--format", help="json: one object per line; table: for reading (80 cols)."),
    ] = PredictFormat.json,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Add the evidence words behind each decided label."),
    ] = False,
    models: ModelsOption = None,
) -> None:
    """Print one JSON prediction per post: niche, safety, sentiment, alignment, flags, versions."""
    from rich.console import Console

    from brandfit.cli.predict_table import prediction_table
    from brandfit.explain import explain_predictions
    from brandfit.predict import Predictor

    if not texts and input_file is None:
        raise InvalidInputError("give post texts, '-' for stdin, or --input FILE")
    predictor = Predictor.from_dir(model_layers(models))
    targets = predictor.resolve_targets(target or None)
    batch: list[tuple[Any, str | None, str | None]] = []

    out = Console(soft_wrap=False)

    def flush() -> None:
        ids = [item[0] for item in batch]
        texts = [item[1] for item in batch]
        own = [item[2] for item in batch]
        if any(own):
            predictor.resolve_targets([t for t in own if t])  # bad or unknown values fail clearly
        rows = predictor.predict(
            texts, ids=ids, targets=targets, row_targets=own if any(own) else None
        )
        evidence = explain_predictions(predictor.models.heads, texts, rows) if explain else None
        if fmt is PredictFormat.table:
            out.print(wrap_not_cut(prediction_table(rows, texts, evidence), out))
        else:
            for i, row in enumerate(rows):
                if evidence is not None:
                    row["evidence"] = evidence[i]
                typer.echo(json.dumps(row, ensure_ascii=False, default=str))
        batch.clear()

    for item in _posts(texts or [], input_file, text_col, id_col):
        batch.append(item)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
