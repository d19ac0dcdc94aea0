from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from brandfit.cli import app

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["classify", *args])
    return result.exit_code, result.output


def test_cli_classify_writes_a_job_and_prints_the_summary(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    code, output = _run(
        str(inputs),
        "--out",
        str(out),
        "--models",
        str(tiny_models_dir),
        "--max-text-chars",
        "200",
        "--chunk-size",
        "4",
        "--by-author",
        "--quiet",
    )
    assert code == 0, output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows_in"] == summary["scored"] + summary["quarantined"] == 27
    assert "rows in 27" in output and "quarantined, duplicate id: 2" in output
    assert (out / "authors.parquet").is_file()
    code, output = _run(
        str(inputs),
        "--out",
        str(out),
        "--models",
        str(tiny_models_dir),
        "--max-text-chars",
        "200",
        "--chunk-size",
        "4",
        "--by-author",
    )
    assert code == 0 and "already complete" in output


def test_cli_classify_heads_and_formats(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    out = tmp_path / "out"
    code, output = _run(
        str(inputs / "posts.jsonl"),
        "--out",
        str(out),
        "--models",
        str(tiny_models_dir),
        "--heads",
        "niche,safety",
        "--format",
        "jsonl",
        "-q",
    )
    assert code == 0, output
    first = json.loads((out / "posts" / "part-00000-000000.jsonl").read_text().splitlines()[0])
    assert first["id"] == "j1" and "niche__labels" in first and "sentiment__labels" not in first
    assert set(json.loads((out / "summary.json").read_text())["model_versions"]) == {
        "niche",
        "safety",
    }


def test_cli_classify_errors_are_one_line(
    tmp_path: Path, inputs: Path, tiny_models_dir: Path
) -> None:
    models = ["--models", str(tiny_models_dir)]
    code, output = _run(str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o"), *models)
    assert code == 1 and output.startswith("error:") and "no such file" in output
    code, output = _run(
        str(inputs), "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:8786", *models
    )
    assert code == 1 and "--scheduler needs --engine dask" in output
    code, output = _run(str(inputs), "--out", str(tmp_path / "o"), "--text-col", "body", *models)
    assert code == 1 and "no column 'body'" in output
    code, output = _run(str(inputs), "--out", str(tmp_path / "o"), "--target", "nonsense", *models)
    assert code == 1 and "error:" in output
    code, _ = _run(str(inputs), "--out", str(tmp_path / "o"), "--format", "xlsx", *models)
    assert code == 2
