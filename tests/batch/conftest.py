"""Shared helpers for the batch tests: the bad-input fixtures and a job runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from brandfit.batch import JobOptions, run_job

BATCH = Path(__file__).resolve().parent.parent / "data" / "batch"
MAX_CHARS = 200  # the fixtures' over-long text has 320 characters


@pytest.fixture(scope="session")
def batch_dir() -> Path:
    return BATCH


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    return json.loads((BATCH / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A private copy of the three fixture files (so tests may touch or compress them)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("posts.csv", "posts.jsonl", "posts.parquet"):
        (folder / name).write_bytes((BATCH / name).read_bytes())
    return folder


def job(out: Path, inputs: list[Path | str], models: Path, **options: Any) -> dict[str, Any]:
    options.setdefault("max_text_chars", MAX_CHARS)
    return run_job(
        JobOptions(inputs=[str(p) for p in inputs], out=out, models_dir=models, **options)
    )


def posts(out: Path, fmt: str = "parquet") -> pd.DataFrame:
    from brandfit.batch.writers import read_part

    parts = sorted((out / "posts").glob(f"part-*.{fmt}"))
    return pd.concat([read_part(p, fmt) for p in parts], ignore_index=True)


def quarantine(out: Path) -> list[dict[str, Any]]:
    text = (out / "quarantine.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of a job directory (relative path -> bytes)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
