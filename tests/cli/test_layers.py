"""Layered model directories: a head trained into a new --models DIR serves beside the shipped ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brandfit.cli import app
from brandfit.errors import ModelLoadError, UnknownHeadError
from brandfit.persistence import registry
from brandfit.persistence.registry import available_heads, find_head, load_models, model_layers

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "models"
TINY_CONFIG = "[head]\nmin_df = 1\ncalibration_cv = 3\n"


@pytest.fixture
def shipped_tiny(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_models_dir: Path) -> Path:
    """The tiny heads standing in for the shipped models/ (fast to load)."""
    base = tmp_path / "shipped"
    shutil.copytree(tiny_models_dir, base)
    monkeypatch.setattr(registry, "DEFAULT_MODELS_DIR", base)
    return base


def _one_line_error(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ") and "Traceback" not in output
    return lines[0]


def test_layers_put_the_chosen_dir_over_the_shipped_one(shipped_tiny: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    assert model_layers(mine) == (mine, shipped_tiny)
    assert model_layers(shipped_tiny) == (shipped_tiny,)
    assert model_layers(None) == (shipped_tiny,)
    shutil.copytree(shipped_tiny / "sentiment", mine / "sentiment")
    found = available_heads(model_layers(mine))
    assert found["sentiment"] == mine / "sentiment"
    assert found["niche"] == shipped_tiny / "niche"
    loaded = load_models(model_layers(mine))
    assert set(loaded.heads) == {"niche", "safety", "sentiment", "alignment"}
    assert loaded.sources["sentiment"] == mine / "sentiment"


def test_a_missing_chosen_dir_is_an_error_not_a_silent_fallback(
    shipped_tiny: Path, tmp_path: Path
) -> None:
    with pytest.raises(ModelLoadError, match="models directory not found"):
        load_models(model_layers(tmp_path / "nope"))


def test_unknown_head_lists_the_known_ones(shipped_tiny: Path) -> None:
    with pytest.raises(UnknownHeadError) as info:
        find_head(model_layers(None), "sentimnet")
    assert str(info.value) == (
        "unknown head 'sentimnet'; known heads: alignment, niche, safety, sentiment"
    )


def test_a_head_folder_escaping_its_layer_is_refused(shipped_tiny: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    outside = tmp_path / "elsewhere"
    shutil.copytree(shipped_tiny / "niche", outside)
    (mine / "niche").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ModelLoadError, match="outside the models directory"):
        load_models(model_layers(mine))


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["evaluate", "foo", "--data", "{data}/sentiment.csv"], "foo"),
        (["report", "foo", "--data", "{data}/sentiment.csv"], "foo"),
        (["uncertain", "foo", "--input", "{data}/sentiment.csv", "--out", "{tmp}/u.csv"], "foo"),
        (["predict", "x"], None),
    ],
)
def test_unknown_head_names_are_one_line(
    shipped_tiny: Path, data_dir: Path, tmp_path: Path, args: list[str], name: str | None
) -> None:
    argv = [a.format(data=data_dir, tmp=tmp_path) for a in args] + ["--models", str(shipped_tiny)]
    result = runner.invoke(app, argv)
    if name is None:  # the known-good command, for contrast
        assert result.exit_code == 0, result.output
        return
    line = _one_line_error(result.output)
    assert f"unknown head {name!r}; known heads: alignment, niche, safety, sentiment" in line


def test_classify_with_a_misspelt_head_is_one_line(
    shipped_tiny: Path, data_dir: Path, tmp_path: Path
) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"id": 1, "text": "pasta night"}\n')
    result = runner.invoke(
        app,
        ["classify", str(posts), "--out", str(tmp_path / "job"), "--heads", "sentimnet", "-q",
         "--models", str(shipped_tiny)],
    )  # fmt: skip
    line = _one_line_error(result.output)
    assert "unknown head 'sentimnet'; known heads:" in line


def test_train_says_when_it_creates_a_new_head(
    shipped_tiny: Path, data_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(TINY_CONFIG)
    mine = tmp_path / "mine"
    result = runner.invoke(
        app,
        ["train", "mood", "--data", str(data_dir / "sentiment.csv"), "--config", str(config),
         "--no-report", "--models", str(mine)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "creating a new head 'mood'" in " ".join(result.output.split())
    result = runner.invoke(
        app,
        ["train", "sentiment", "--data", str(data_dir / "sentiment.csv"), "--config", str(config),
         "--no-report", "--models", str(mine)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "it will override sentiment-" in " ".join(result.output.split())
    manifest = json.loads((mine / "sentiment" / "manifest.json").read_text())
    shipped = json.loads((shipped_tiny / "sentiment" / "manifest.json").read_text())
    assert manifest["previous"]["model_version"] == shipped["model_version"]


def test_train_on_several_files_uses_their_union(
    shipped_tiny: Path, data_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(TINY_CONFIG)
    extra = tmp_path / "extra.csv"
    extra.write_text("id,text,predicted,label\nu1,the gig was superb,neutral,positive\n")
    mine = tmp_path / "mine"
    result = runner.invoke(
        app,
        ["train", "sentiment", "--data", str(data_dir / "sentiment.csv"), "--data", str(extra),
         "--config", str(config), "--no-report", "--models", str(mine)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((mine / "sentiment" / "manifest.json").read_text())["training_data"]
    assert data["rows"] == 91
    assert data["files"] == [str(data_dir / "sentiment.csv"), str(extra)]


def test_retrained_sentiment_in_a_new_dir_predicts_beside_the_shipped_heads(
    data_dir: Path, tmp_path: Path
) -> None:
    """The issue's bar, with the real shipped models/ filling in niche, safety and alignment."""
    config = tmp_path / "c.toml"
    config.write_text(TINY_CONFIG)
    mine = tmp_path / "my_models"
    result = runner.invoke(
        app,
        ["train", "sentiment", "--data", str(data_dir / "sentiment.csv"), "--config", str(config),
         "--no-report", "--models", str(mine)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", "protein shake after leg day", "--models", str(mine)])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert {"niche", "safety", "sentiment", "alignment"} <= set(row)
    own = json.loads((mine / "sentiment" / "manifest.json").read_text())["model_version"]
    assert row["model_versions"]["sentiment"] == own
    for head in ("niche", "safety", "alignment"):
        shipped = json.loads((SHIPPED / head / "manifest.json").read_text())["model_version"]
        assert row["model_versions"][head] == shipped
    result = runner.invoke(app, ["models", "--json", "--models", str(mine)])
    sources = {r["head"]: Path(r["source"]).parent for r in json.loads(result.stdout)}
    assert sources == {"sentiment": mine, "niche": SHIPPED, "safety": SHIPPED, "alignment": SHIPPED}


def test_evaluate_with_a_missing_models_dir_does_not_fall_back(
    shipped_tiny: Path, data_dir: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        ["evaluate", "sentiment", "--data", str(data_dir / "sentiment.csv"),
         "--models", str(tmp_path / "typo")],
    )  # fmt: skip
    line = _one_line_error(result.output)
    assert "typo: models directory not found" in line


def test_evaluate_record_never_writes_into_a_lower_layer(
    shipped_tiny: Path, data_dir: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine"
    shutil.copytree(shipped_tiny / "niche", mine / "niche")
    before = (shipped_tiny / "sentiment" / "manifest.json").read_bytes()
    result = runner.invoke(
        app,
        ["evaluate", "sentiment", "--data", str(data_dir / "sentiment.csv"), "--record", "x",
         "--models", str(mine)],
    )  # fmt: skip
    line = _one_line_error(result.output)
    assert "--record writes into" in line
    assert (shipped_tiny / "sentiment" / "manifest.json").read_bytes() == before


def test_score_with_a_partial_models_dir_uses_the_shipped_heads_for_the_rest(
    shipped_tiny: Path, tmp_path: Path
) -> None:
    """The issue's failure: `score --models my_models` said "unknown niche ... none loaded"."""
    mine = tmp_path / "my_models"
    shutil.copytree(shipped_tiny / "sentiment", mine / "sentiment")
    out = tmp_path / "ranking.jsonl"
    result = runner.invoke(
        app,
        ["score", str(REPO / "examples" / "candidates.jsonl"), "--brand",
         str(REPO / "examples" / "brand.toml"), "--out", str(out), "--models", str(mine)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cards = [json.loads(line) for line in out.read_text().splitlines()]
    assert cards and all("score" in card for card in cards)
