from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from brandfit.cli import app
from brandfit.cli._progress import progress_bar

runner = CliRunner()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=80), buffer


def test_bar_appears_only_once_the_step_has_taken_a_second() -> None:
    console, buffer = _console(terminal=True)
    clock = Clock()
    with progress_bar("scoring", 10, console=console, clock=clock) as advance:
        advance(3)
        clock.now = 0.5
        advance(3)
        assert buffer.getvalue() == ""  # quick so far: nothing drawn
        clock.now = 1.5
        advance(3)
    assert "scoring" in buffer.getvalue()


def test_no_bar_when_stderr_is_not_a_terminal() -> None:
    console, buffer = _console(terminal=False)
    clock = Clock()
    with progress_bar("scoring", 10, console=console, clock=clock) as advance:
        clock.now = 5.0
        advance(10)
    assert buffer.getvalue() == ""


@pytest.fixture
def models(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


def test_redirected_cli_output_has_no_bars_or_escape_codes(
    models: Path, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "m.json"
    result = runner.invoke(
        app,
        ["evaluate", "sentiment", "--data", str(data_dir / "sentiment.csv"), "--json", str(out),
         "--models", str(models)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output and "\r" not in result.output
    assert "evaluate sentiment" not in result.output  # the bar's label
    config = tmp_path / "c.toml"
    config.write_text("[head]\nmin_df = 1\ncalibration_cv = 3\n")
    result = runner.invoke(
        app,
        ["train", "sentiment", "--data", str(data_dir / "sentiment.csv"), "--config", str(config),
         "--models", str(tmp_path / "new")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output and "\r" not in result.output
    assert "fitting multiclass head 'sentiment'" in result.output  # steps as plain lines
