"""``classify`` keeps the post text (``--no-text`` drops it) and writes ``labels.csv``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from brandfit.batch.label_counts import NONE, read_label_distribution
from brandfit.cli import app

from .conftest import BATCH, MAX_CHARS, job, posts

runner = CliRunner()


def _source_texts() -> list[str]:
    """The texts of the Parquet fixture's rows (its ``line`` is the 1-based row)."""
    return pd.read_parquet(BATCH / "posts.parquet")["text"].tolist()


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_classify_keeps_the_text_next_to_the_id(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path, fmt: str
) -> None:
    out = tmp_path / "out"
    job(out, [inputs], tiny_models_dir, chunk_size=4, fmt=fmt)
    frame = posts(out, fmt)
    assert list(frame.columns[:2]) == ["id", "text"]
    assert frame["text"].map(lambda t: isinstance(t, str) and t.strip() != "").all()
    texts = _source_texts()
    from_parquet = frame[frame["source"].str.endswith("posts.parquet")]
    assert len(from_parquet) > 0
    for line, text in zip(from_parquet["line"], from_parquet["text"], strict=True):
        assert text == texts[int(line) - 1]


def test_classify_no_text_drops_only_the_text_column(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    job(tmp_path / "a", [inputs], tiny_models_dir)
    job(tmp_path / "b", [inputs], tiny_models_dir, keep_text=False)
    with_text, without = posts(tmp_path / "a"), posts(tmp_path / "b")
    assert "text" not in without.columns
    assert list(with_text.drop(columns=["text"]).columns) == list(without.columns)
    pd.testing.assert_frame_equal(with_text.drop(columns=["text"]), without)


def test_classify_label_distribution_counts_the_written_posts(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    summary = job(out, [inputs], tiny_models_dir, chunk_size=4)
    assert summary["outputs"]["labels"] == "labels.csv"
    labels = read_label_distribution(out)
    assert labels is not None
    assert list(labels.columns) == ["head", "value", "label", "posts", "share"]
    frame = posts(out)
    for column in [c for c in frame.columns if c == "flags" or c.endswith("__labels")]:
        head, _, value = column.removesuffix("__labels").partition("__")
        expected = Counter(label for row in frame[column] for label in row)
        expected[NONE] = sum(1 for row in frame[column] if len(row) == 0)
        got = labels[(labels["head"] == head) & (labels["value"] == value)]
        assert dict(zip(got["label"], got["posts"], strict=True)) == {
            k: v for k, v in expected.items() if v
        }, column
        assert (got["share"] - got["posts"] / len(frame)).abs().max() < 1e-4
        assert list(got["posts"]) == sorted(got["posts"], reverse=True)


def test_classify_cli_prints_a_label_table_that_fits_80_columns(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    args = ["classify", str(inputs), "--out", str(out), "--models", str(tiny_models_dir)]
    args += ["--max-text-chars", str(MAX_CHARS), "--quiet"]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "labels (share of scored posts)" in result.output
    assert "sentiment" in result.output and "alignment: climate" in result.output, result.output
    assert max(cell_len(line) for line in result.output.splitlines()) <= 80
    assert "text" in posts(out).columns
    no_text = tmp_path / "no_text"
    args[3] = str(no_text)
    result = runner.invoke(app, [*args, "--no-text"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "text" not in posts(no_text).columns
