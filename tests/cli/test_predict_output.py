"""``brandfit predict --format table`` and ``--explain``: outputs a person reads."""

from __future__ import annotations

import json
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from brandfit.cli import app
from brandfit.cli.predict_table import prediction_table
from brandfit.text.stopwords import is_stop_term

runner = CliRunner()
TEXTS = ["leg day at the gym #fitness 💪", "worst experience ever, it is not ok", ""]


def _lines(output: str) -> list[str]:
    return output.rstrip("\n").splitlines()


def test_predict_table_fits_80_columns_and_shows_every_head(tiny_models_dir: Path) -> None:
    result = runner.invoke(
        app,
        ["predict", *TEXTS, "--format", "table", "--models", str(tiny_models_dir)],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert max(cell_len(line) for line in lines) <= 80
    for head in ("niche", "safety", "sentiment", "alignment", "flags"):
        assert any(line.split()[:1] == [head] or f" {head} " in line for line in lines), head
    assert "fitness_&_health" in result.stdout  # the decided niche label, whole
    assert "empty_text" in result.stdout  # the flag of the empty post
    assert "…" not in result.stdout


def test_predict_table_wraps_long_names_and_texts_instead_of_cutting() -> None:
    long_label = "celebrity_&_pop_culture"
    rows = [
        {
            "id": "a-very-long-post-identifier-0001",
            "niche": {"labels": [long_label], "scores": {long_label: 0.91}},
            "alignment": {
                "climate": {"labels": ["supports"], "scores": {"supports": 0.8}},
                "feminist": {"labels": ["neutral"], "scores": {"neutral": 0.7}},
            },
            "flags": ["low_coverage"],
        }
    ]
    text = "a long caption " * 20
    evidence = [
        {
            "niche": {long_label: ["red carpet", "premiere night", "celebrity gossip"]},
            "alignment": {"climate": {"supports": ["emissions"]}, "feminist": {"neutral": []}},
        }
    ]
    console = Console(width=80, record=True, color_system=None)
    console.print(prediction_table(rows, [text], evidence))
    output = console.export_text()
    assert max(cell_len(line) for line in _lines(output)) <= 80
    assert f"{long_label} 0.91" in output
    assert "a-very-long-post-identifier-0001" in output.replace("\n", "").replace(" ", "")
    assert "red carpet, premiere night" in output
    assert "climate: supports 0.80" in output
    assert "(no readable evidence)" in output
    assert output.count("caption") == 20  # the whole text, wrapped
    assert "…" not in output


def test_predict_explain_adds_evidence_for_decided_labels(tiny_models_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "predict",
            *TEXTS[:2],
            "--explain",
            "--target",
            "climate",
            "--models",
            str(tiny_models_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    gym = rows[0]
    assert set(gym["evidence"]["niche"]) == set(gym["niche"]["labels"])
    assert any("fitness" in term for term in gym["evidence"]["niche"]["fitness_&_health"])
    assert set(gym["evidence"]["alignment"]["climate"]) == set(
        gym["alignment"]["climate"]["labels"]
    )
    for row in rows:
        for head, labels in row["evidence"].items():
            groups = (
                labels.values()
                if head != "alignment"
                else [terms for value in labels.values() for terms in value.values()]
            )
            for terms in groups:
                assert not any(is_stop_term(t) for t in terms), terms


def test_predict_table_with_explain_shows_evidence_words(tiny_models_dir: Path) -> None:
    result = runner.invoke(
        app,
        ["predict", TEXTS[0], "--format", "table", "--explain", "--models", str(tiny_models_dir)],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert "and evidence" in result.stdout
    assert "#fitness, fitness" in result.stdout  # the evidence line under the niche label
    assert max(cell_len(line) for line in _lines(result.stdout)) <= 80
