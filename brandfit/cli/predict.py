"""``brandfit predict``: one JSON object per post, in input order."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from brandfit.cli._common import ModelsOption, friendly_errors, model_layers
from brandfit.data import read_table
from brandfit.errors import InvalidInputError

CHUNK = 2000


def _posts(
    texts: list[str], input_file: Path | None, text_col: str, id_col: str
) -> Iterator[tuple[Any, str | None]]:
    for i, text in enumerate(texts):
        if text == "-":
            for j, line in enumerate(sys.stdin):
                yield f"stdin:{j + 1}", line.rstrip("\n")
        else:
            yield i, text
    if input_file is not None:
        frame = read_table(input_file)
        if text_col not in frame.columns:
            raise InvalidInputError(
                f"{input_file}: no text column {text_col!r}; columns are {list(frame.columns)}"
            )
        ids = frame[id_col].tolist() if id_col in frame.columns else list(range(len(frame)))
        for post_id, text in zip(ids, frame[text_col].tolist(), strict=True):
            yield post_id, text if isinstance(text, str) else None


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
    models: ModelsOption = None,
) -> None:
    """Print one JSON prediction per post: niche, safety, sentiment, alignment, flags, versions."""
    from brandfit.predict import Predictor

    if not texts and input_file is None:
        raise InvalidInputError("give post texts, '-' for stdin, or --input FILE")
    predictor = Predictor.from_dir(model_layers(models))
    targets = predictor.resolve_targets(target or None)
    batch: list[tuple[Any, str | None]] = []

    def flush() -> None:
        ids = [item[0] for item in batch]
        for row in predictor.predict([item[1] for item in batch], ids=ids, targets=targets):
            typer.echo(json.dumps(row, ensure_ascii=False, default=str))
        batch.clear()

    for item in _posts(texts or [], input_file, text_col, id_col):
        batch.append(item)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
