"""``training/cross_validate.py``: the settings search the shipped configs record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "training" / "cross_validate.py"

WORDS = {
    "positive": ["love", "great", "amazing", "happy", "best"],
    "negative": ["hate", "awful", "worst", "angry", "terrible"],
    "neutral": ["table", "tuesday", "report", "schedule", "meeting"],
}
TARGETS = ["climate", "feminist"]


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _rows(n: int, offset: int, with_target: bool) -> list[dict[str, str]]:
    labels = {"positive": "supports", "negative": "opposes", "neutral": "neutral"}
    rows = []
    for i in range(offset, offset + n):
        mood = list(WORDS)[i % 3]
        text = f"{WORDS[mood][i % 5]} {WORDS[mood][(i // 5) % 5]} post {i}"
        if with_target:
            rows.append({"text": text, "label": labels[mood], "target": TARGETS[i % 2]})
        else:
            rows.append({"text": text, "label": mood})
    return rows


def _run(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("head", ["sentiment", "alignment"])
def test_scores_every_row_once_and_learns_a_separable_task(tmp_path: Path, head: str) -> None:
    build = tmp_path / "build"
    _write(build / head / "train.jsonl", _rows(120, 0, head == "alignment"))
    if head == "sentiment":
        _write(build / head / "val.jsonl", _rows(30, 500, False))
    result = _run(
        head,
        "--build",
        str(build),
        "--shared",
        str(tmp_path / "no-shared"),
        "--folds",
        "3",
        "--set",
        "head.min_df=1",
        "--set",
        'features.blocks=["lexical"]',  # the argmax mode fits lexical columns only
    )
    assert result["rows_scored"] == (150 if head == "sentiment" else 120)
    assert result["rows_always_in_training"] == 0
    assert result["settings"] == ["head.min_df=1", 'features.blocks=["lexical"]']
    assert result["cv_score"] > 0.9  # the words decide the label


@pytest.mark.parametrize(
    ("setting", "named"), [("head.nope=1", "nope"), ("head.C", "head.C"), ("head.C=two", "two")]
)
def test_a_bad_setting_is_refused_by_name(tmp_path: Path, setting: str, named: str) -> None:
    build = tmp_path / "build"
    _write(build / "sentiment" / "train.jsonl", _rows(60, 0, False))
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "sentiment", "--build", str(build), "--set", setting],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert named in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("procedure", ["holdout", "all-rows"])
def test_a_whole_training_procedure_is_scored_fold_by_fold(tmp_path: Path, procedure: str) -> None:
    build = tmp_path / "build"
    _write(build / "sentiment" / "train.jsonl", _rows(120, 0, False))
    _write(build / "sentiment" / "val.jsonl", _rows(30, 500, False))
    args = ["--build", str(build), "--shared", str(tmp_path / "no-shared"), "--folds", "3"]
    result = _run(
        "sentiment", *args, "--procedure", procedure, "--holdout", "21", "--set", "head.min_df=1"
    )
    assert result["procedure"] == procedure
    assert result["rows_scored"] == 150
    assert result["cv_score"] > 0.9


@pytest.mark.parametrize("holdout", ["0", "500"])
def test_a_holdout_that_leaves_nothing_to_fit_is_refused(tmp_path: Path, holdout: str) -> None:
    build = tmp_path / "build"
    _write(build / "sentiment" / "train.jsonl", _rows(60, 0, False))
    args = ["sentiment", "--build", str(build), "--procedure", "holdout", "--holdout", holdout]
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)
    assert proc.returncode != 0
    assert f"--holdout {holdout}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_argmax_mode_refuses_the_encoder_block(tmp_path: Path) -> None:
    build = tmp_path / "build"
    _write(build / "sentiment" / "train.jsonl", _rows(60, 0, False))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "sentiment", "--build", str(build),
         "--shared", str(tmp_path / "no-shared"), "--set", 'features.blocks=["lexical", "encoder"]'],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "encoder block" in result.stderr
