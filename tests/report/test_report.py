from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brandfit.cli import app
from brandfit.data import load_labelled
from brandfit.persistence.artifact import save_head
from brandfit.report.build import worst_examples
from brandfit.report.scoring import score_labelled

runner = CliRunner()
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|<link\b|<script\b[^>]*\bsrc""", re.I
)


@pytest.fixture
def models(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


def test_external_reference_pattern_catches_fetches() -> None:
    for bad in ('<img src="https://cdn.x/a.png">', "<link rel=stylesheet href=x.css>",
                '<script src="/a.js"></script>', "<a href='//evil.example'>"):  # fmt: skip
        assert EXTERNAL.search(bad), bad
    assert EXTERNAL.search("<td>see https://example.com</td>") is None


def _figures(page: str) -> list[str]:
    return re.findall(r'<img [^>]*src="(data:image/png;base64,[A-Za-z0-9+/=]+)"', page)


def test_report_is_one_self_contained_file_with_three_figures(
    models: Path, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "R.html"
    result = runner.invoke(
        app,
        ["report", "sentiment", "--data", str(data_dir / "sentiment.csv"), "--out", str(out),
         "--models", str(models)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert len(_figures(page)) >= 3  # confusion matrix, reliability diagram, PR curves
    assert EXTERNAL.search(page) is None
    assert page.count("<img") == len(_figures(page))  # every picture is inlined
    for heading in ("Per label", "Compared with the previous version", "most wrong"):
        assert heading in page
    assert "confusion matrix" in page.lower() or "gold" in page
    assert len(page.encode()) < 400_000


def test_report_of_a_multilabel_head_has_threshold_and_pr_curves(
    models: Path, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "S.html"
    result = runner.invoke(
        app,
        ["report", "safety", "--data", str(data_dir / "safety.parquet"), "--out", str(out),
         "--models", str(models)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert len(_figures(page)) == 4  # per-label confusion, reliability, PR, F1-vs-threshold
    assert "F1 as a function of the decision threshold" in page
    assert "Per label: true positives" in page


def test_report_compares_with_the_version_it_replaced(
    tmp_path: Path, tiny_heads: dict, data_dir: Path
) -> None:
    folder = tmp_path / "m"
    first = save_head(tiny_heads["sentiment"], folder, {"validation": {"n": 90, "macro_f1": 0.5}})
    second = save_head(tiny_heads["sentiment"], folder, {"validation": {"n": 90, "macro_f1": 0.75}})
    assert second["previous"]["model_version"] == first["model_version"]
    assert second["previous"]["metrics"]["validation"]["macro_f1"] == 0.5
    out = tmp_path / "R.html"
    result = runner.invoke(
        app,
        ["report", "sentiment", "--data", str(data_dir / "sentiment.csv"), "--out", str(out),
         "--models", str(folder)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert f"{first['model_version']}: validation (recorded)" in page
    assert "change on validation" in page and "+0.2500" in page


def test_worst_examples_are_wrong_and_most_confident_first(
    tiny_heads: dict, data_dir: Path
) -> None:
    data = load_labelled(data_dir / "sentiment.csv")
    model = tiny_heads["sentiment"]
    scored = score_labelled(model, data)
    rows = worst_examples(scored, data, n=5)
    for row in rows:
        assert row["gold"] != row["predicted"]
    confidences = [r["confidence"] for r in rows]
    assert confidences == sorted(confidences, reverse=True)


def test_report_unknown_head_is_one_line(models: Path, data_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["report", "sentimnet", "--data", str(data_dir / "sentiment.csv"), "--out",
         str(tmp_path / "R.html"), "--models", str(models)],
    )  # fmt: skip
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: unknown head 'sentimnet'")
    assert "sentiment" in lines[0] and "niche" in lines[0]


def test_evaluate_writes_the_report_beside_json(
    models: Path, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "metrics.json"
    result = runner.invoke(
        app,
        ["evaluate", "niche", "--data", str(data_dir / "niche.jsonl"), "--json", str(out),
         "--models", str(models)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = (tmp_path / "metrics.html").read_text(encoding="utf-8")
    assert len(_figures(page)) >= 3 and EXTERNAL.search(page) is None
    # without --record, evaluate leaves the model folder alone
    assert not (models / "niche" / "report.html").exists()
