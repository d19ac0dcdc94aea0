"""``brandfit evaluate HEAD`` loads only heads inside the models directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brandfit.cli import app

runner = CliRunner()


@pytest.fixture
def models(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


def _evaluate(models: Path, head: str, data_dir: Path) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "evaluate",
            head,
            "--data",
            str(data_dir / "sentiment.csv"),
            "--record",
            "test",
            "--models",
            str(models),
        ],
    )
    return result.exit_code, result.output.replace("\n", "")


def test_evaluate_refuses_a_path_outside_the_models_dir(
    tmp_path: Path, models: Path, data_dir: Path
) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(models / "sentiment", outside)
    before = (outside / "manifest.json").read_bytes()
    code, output = _evaluate(models, "../outside", data_dir)
    assert code == 1
    assert "not a head name" in output and "Traceback" not in output
    assert (outside / "manifest.json").read_bytes() == before  # --record wrote nothing


def test_evaluate_refuses_a_symlinked_head_outside(
    tmp_path: Path, models: Path, data_dir: Path
) -> None:
    outside = tmp_path / "outside"
    shutil.move(models / "sentiment", outside)
    (models / "sentiment").symlink_to(outside)
    before = (outside / "manifest.json").read_bytes()
    code, output = _evaluate(models, "sentiment", data_dir)
    assert code == 1
    assert "outside the models directory" in output
    assert (outside / "manifest.json").read_bytes() == before


def test_evaluate_records_inside_the_models_dir(models: Path, data_dir: Path) -> None:
    code, output = _evaluate(models, "sentiment", data_dir)
    assert code == 0, output
    assert '"test"' in (models / "sentiment" / "manifest.json").read_text()
