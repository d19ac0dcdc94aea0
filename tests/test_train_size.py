from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brandfit.cli import app
from brandfit.config import HeadConfig, TrainConfig
from brandfit.data import LabelledPosts
from brandfit.errors import InvalidInputError
from brandfit.train_size import label_counts, plan_training, rows_needed

runner = CliRunner()
WORDS = ["sun", "rain", "cake", "train", "phone", "song", "game", "shoe", "book", "tea"]


def _single(per_label: dict[str, int]) -> LabelledPosts:
    texts, labels = [], []
    for label, n in per_label.items():
        for i in range(n):
            texts.append(f"{label} {WORDS[i % 10]} {WORDS[(i // 10) % 10]} {i}")
            labels.append([label])
    return LabelledPosts(texts, labels, multilabel=False, source="d.csv")


def test_refuses_a_label_below_the_minimum_naming_it_and_the_reason() -> None:
    data = _single({"positive": 40, "negative": 12})
    with pytest.raises(InvalidInputError) as info:
        plan_training(data, TrainConfig(), "sentiment")
    message = str(info.value)
    assert "\n" not in message
    assert "label 'negative' has 12 rows" in message
    assert f"at least {rows_needed(2, nested=False)}" in message
    assert "folds" in message and "cross-validation" in message


def test_lowers_the_calibration_folds_for_small_data() -> None:
    plan = plan_training(_single({"a": 50, "b": 25}), TrainConfig(), "x")
    assert plan.config.head.calibration_cv == 2 and plan.folds == 2
    assert plan.note is not None and "2 folds instead of 5" in plan.note
    big = plan_training(_single({"a": 60, "b": 60}), TrainConfig(), "x")
    assert big.config.head.calibration_cv == 5 and big.note is None


def test_out_of_fold_threshold_tuning_needs_more_rows_unless_validation_is_given() -> None:
    config = TrainConfig(head=HeadConfig(class_offsets_metric="macro_recall"))
    data = _single({"a": 25, "b": 25})
    with pytest.raises(InvalidInputError, match="give --val"):
        plan_training(data, config, "x")
    assert plan_training(data, config, "x", has_val=True).folds == 2


def test_multilabel_counts_the_rarer_side_of_each_label() -> None:
    labels = [["a"]] * 5 + [[]] * 40 + [["b"]] * 30
    data = LabelledPosts([f"t{i}" for i in range(75)], labels, multilabel=True, source="m")
    assert label_counts(data) == {"a": 5, "b": 30}
    with pytest.raises(InvalidInputError, match=r"label 'a' has 5 rows \(positive or negative\)"):
        plan_training(data, TrainConfig(), "safety")


def _write(path: Path, rows: int) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i in range(rows):
            label = ("negative", "neutral", "positive")[i % 3]
            writer.writerow([f"{label} post about {WORDS[i % 10]} number {i}", label])
    return path


@pytest.mark.parametrize("rows", [3, 10, 30])
def test_cli_train_on_too_few_rows_is_one_error_line_before_fitting(
    tmp_path: Path, rows: int
) -> None:
    data = _write(tmp_path / f"t{rows}.csv", rows)
    result = runner.invoke(
        app, ["train", "sentiment", "--data", str(data), "--models", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "too little data" in lines[0] and "needs at least 20" in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "m").exists()  # refused before anything was fitted or saved


def test_cli_trains_from_20_rows_per_label_with_fewer_folds(tmp_path: Path) -> None:
    data = _write(tmp_path / "t60.csv", 60)
    config = tmp_path / "c.toml"
    config.write_text("[head]\nmin_df = 1\n")
    result = runner.invoke(
        app,
        ["train", "sentiment", "--data", str(data), "--config", str(config), "--no-report",
         "--models", str(tmp_path / "m")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "calibrating with 2 folds instead of 5" in result.output
    assert (tmp_path / "m" / "sentiment" / "manifest.json").is_file()


def test_thin_labels_train_only_when_allowed_with_the_configured_folds_and_a_note() -> None:
    labels = [["a"]] * 11 + [["b"]] * 12 + [["c"]] * 40 + [[]] * 40
    data = LabelledPosts([f"t{i}" for i in range(len(labels))], labels, multilabel=True, source="m")
    config = TrainConfig(head=HeadConfig(calibration_cv=3))
    with pytest.raises(InvalidInputError, match="label 'a' has 11 rows"):
        plan_training(data, config, "niche", has_val=True)
    plan = plan_training(data, config, "niche", has_val=True, allow_thin=True)
    assert plan.config.head.calibration_cv == 3 and plan.folds == 3
    assert plan.note is not None and "a, b have fewer than 20 rows" in plan.note
    too_thin = LabelledPosts(["x", "y", "z", "w"], [["a"], ["a"], [], []], multilabel=True)
    with pytest.raises(InvalidInputError, match="too little data"):  # a fold without an 'a'
        plan_training(too_thin, config, "niche", has_val=True, allow_thin=True)


def test_cli_train_allow_thin_labels_trains_a_rare_label(tmp_path: Path) -> None:
    rows = [f"{WORDS[i % 10]} cake post {i},food" for i in range(12)]
    rows += [f"{WORDS[i % 10]} match post {i},sports" for i in range(40)]
    data = tmp_path / "thin.csv"
    data.write_text("text,label\n" + "\n".join(rows) + "\n")
    config = tmp_path / "c.toml"
    config.write_text("[head]\nmin_df = 1\ncalibration_cv = 3\n")
    args = ["train", "topic", "--data", str(data), "--config", str(config), "--no-report",
            "--models", str(tmp_path / "m")]  # fmt: skip
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "too little data" in refused.output
    assert "--allow-thin-labels trains anyway" in " ".join(refused.output.split())
    result = runner.invoke(app, [*args, "--allow-thin-labels"])
    assert result.exit_code == 0, result.output
    assert "thin labels allowed" in result.output and "food" in result.output
    assert (tmp_path / "m" / "topic" / "manifest.json").is_file()
