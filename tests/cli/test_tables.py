"""Every rich table the CLI prints fits 80 columns and wraps names instead of cutting them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from brandfit.cli import app
from brandfit.cli._tables import wrap_not_cut

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SHIPPED = REPO / "models"
NICHES = ["business_&_entrepreneurs", "celebrity_&_pop_culture", "learning_&_educational"]


def _assert_fits(output: str) -> None:
    assert "…" not in output, output
    assert max(cell_len(line) for line in output.splitlines()) <= 80, output


def _render(table: Table) -> str:
    console = Console(width=80, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def _wide_table() -> Table:
    table = Table(title="models")
    for name in ("head", "labels", "metrics"):
        table.add_column(name)
    table.add_row(
        "niche multilabel niche-20261202-5a7f2d5f",
        ", ".join(NICHES),
        "validation: macro_f1=0.4878 micro_f1=0.6437 macro_recall=0.5012",
    )
    return table


def test_tables_rich_alone_would_cut_names_at_80_columns() -> None:
    assert "…" in _render(_wide_table())  # the problem wrap_not_cut solves


def test_tables_wrap_not_cut_keeps_every_name_whole() -> None:
    console = Console(width=80, record=True, color_system=None)
    console.print(wrap_not_cut(_wide_table(), console))
    output = console.export_text()
    _assert_fits(output)
    for name in [*NICHES, "niche-20261202-5a7f2d5f", "macro_f1=0.4878", "multilabel"]:
        assert name in output, name


def test_tables_models_command_fits_80_columns(tiny_models_dir: Path) -> None:
    models = SHIPPED if (SHIPPED / "niche" / "manifest.json").is_file() else tiny_models_dir
    result = runner.invoke(app, ["models", "--models", str(models)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    _assert_fits(result.stdout)
    for manifest in models.glob("*/manifest.json"):
        data = json.loads(manifest.read_text())
        if data.get("kind") == "sentence-encoder":
            continue  # not a head
        assert data["model_version"] in result.stdout
        for label in data["labels"]:
            assert label in result.stdout, label


def test_tables_score_command_fits_80_columns(tiny_models_dir: Path) -> None:
    args = ["score", str(EXAMPLES / "candidates.jsonl"), "--brand", str(EXAMPLES / "brand.json")]
    result = runner.invoke(app, [*args, "--models", str(tiny_models_dir)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    _assert_fits(result.stdout)
    for handle in ("@mia.moves", "@chef.sam", "@jo.lifts", "@rage.gamer"):
        assert handle in result.stdout
    assert "disclosure" in result.stdout


@pytest.mark.parametrize("head", ["niche", "sentiment"])
def test_tables_evaluate_command_fits_80_columns(
    tiny_models_dir: Path, data_dir: Path, head: str
) -> None:
    data = {"niche": "niche.jsonl", "sentiment": "sentiment.csv"}[head]
    result = runner.invoke(
        app,
        ["evaluate", head, "--data", str(data_dir / data), "--models", str(tiny_models_dir)],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    _assert_fits(result.stderr)  # the table; stdout has the JSON line
