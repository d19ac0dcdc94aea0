from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brandfit.cli import app

REPO = Path(__file__).resolve().parents[2]

runner = CliRunner()


@pytest.fixture
def models(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


def test_cli_predict_prints_one_json_object_per_post(models: Path) -> None:
    result = runner.invoke(
        app, ["predict", "gym then pasta", "ranked matches", "--models", str(models)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["id"] for r in rows] == [0, 1]
    assert set(rows[0]) == {
        "id",
        "niche",
        "safety",
        "sentiment",
        "alignment",
        "flags",
        "weak_signal",
        "model_versions",
    }


def test_cli_predict_reads_stdin_and_targets(models: Path) -> None:
    result = runner.invoke(
        app,
        ["predict", "-", "--target", "climate_action", "--models", str(models)],
        input="we must cut emissions now\nfeminism has gone too far\n",
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["id"] for r in rows] == ["stdin:1", "stdin:2"]
    assert list(rows[0]["alignment"]) == ["climate"]


def test_cli_predict_input_file_keeps_ids(models: Path, tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "a", "text": "pasta"}\n{"id": "b", "text": ""}\n')
    result = runner.invoke(app, ["predict", "--input", str(path), "--models", str(models)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[1]["flags"] == ["empty_text"]


def test_cli_predict_unknown_target_is_one_line_error(models: Path) -> None:
    result = runner.invoke(app, ["predict", "x", "--target", "veganism", "--models", str(models)])
    assert result.exit_code == 1
    assert "unknown value 'veganism'" in result.output
    assert "Traceback" not in result.output


def test_cli_train_evaluate_and_models(tmp_path: Path, data_dir: Path) -> None:
    models = tmp_path / "m"
    config = tmp_path / "c.toml"
    config.write_text("[head]\nmin_df = 1\ncalibration_cv = 3\n[data]\nnotes = 'tiny fixture'\n")
    result = runner.invoke(
        app,
        [
            "train",
            "sentiment",
            "--data",
            str(data_dir / "sentiment.csv"),
            "--val",
            str(data_dir / "sentiment.csv"),
            "--config",
            str(config),
            "--models",
            str(models),
        ],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "metrics.json"
    result = runner.invoke(
        app,
        [
            "evaluate",
            "sentiment",
            "--data",
            str(data_dir / "sentiment.csv"),
            "--json",
            str(out),
            "--record",
            "test",
            "--models",
            str(models),
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())
    assert {"n", "accuracy", "macro_f1", "micro_f1", "per_label", "model_version"} <= set(metrics)
    assert metrics["n"] == 90
    result = runner.invoke(app, ["models", "--json", "--models", str(models)])
    assert result.exit_code == 0, result.output
    rows = {row["head"]: row for row in json.loads(result.stdout)}
    row = rows["sentiment"]
    assert row["metrics"]["test"]["macro_f1"] == metrics["macro_f1"]
    assert Path(row["source"]) == models / "sentiment"
    # the shipped models fill in the heads the new directory lacks
    assert {Path(r["source"]).parent for h, r in rows.items() if h != "sentiment"} <= {
        REPO / "models"
    }
    assert (models / "sentiment" / "report.html").is_file()  # written by train
    assert out.with_suffix(".html").is_file()  # written by evaluate beside --json
    manifest = json.loads((models / "sentiment" / "manifest.json").read_text())
    assert manifest["training_data"]["notes"] == "tiny fixture"


def test_cli_train_bad_data_names_file_row_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nok,positive\n,negative\n")
    result = runner.invoke(
        app, ["train", "sentiment", "--data", str(bad), "--models", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "bad.csv: row 2 (line 3), column 'text': missing or empty text" in result.output.replace(
        "\n", ""
    )


def test_cli_corrupt_model_is_refused(models: Path) -> None:
    manifest = json.loads((models / "niche" / "manifest.json").read_text())
    (models / "niche" / manifest["artifact"]["file"]).write_bytes(b"not a pickle")
    result = runner.invoke(app, ["predict", "x", "--models", str(models)])
    assert result.exit_code == 1
    assert "sha256" in result.output
