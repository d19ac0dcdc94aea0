"""``brandfit train`` with the encoder block: the embedding cache and the reserved name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brandfit.cli import app
from brandfit.features.encoder import SentenceEncoder
from brandfit.settings import DEFAULT_MODELS_DIR

runner = CliRunner()
HYBRID = '[features]\nblocks = ["lexical", "encoder"]\n[head]\nmin_df = 1\ncalibration_cv = 3\n'


@pytest.fixture
def hybrid_config(tmp_path: Path) -> Path:
    if not (DEFAULT_MODELS_DIR / "encoder").is_dir():
        pytest.skip("needs the shipped sentence encoder in models/encoder")
    path = tmp_path / "hybrid.toml"
    path.write_text(HYBRID)
    return path


def _train(data: Path, config: Path, models: Path, cache: Path):
    return runner.invoke(
        app,
        ["train", "mood", "--data", str(data), "--config", str(config), "--no-report",
         "--models", str(models), "--embedding-cache", str(cache)],
    )  # fmt: skip


def test_embedding_cache_lets_a_retrain_skip_the_encoder(
    data_dir: Path, hybrid_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "emb.npz"
    first = _train(data_dir / "sentiment.csv", hybrid_config, tmp_path / "m1", cache)
    assert first.exit_code == 0, first.output
    assert cache.is_file()
    manifest = json.loads((tmp_path / "m1" / "mood" / "manifest.json").read_text())
    assert manifest["encoder_version"].startswith("minilm-l6-v2-int8-")
    assert manifest["config"]["features"]["blocks"] == ["lexical", "encoder"]

    def refuse(self, texts, batch_size=64):
        # only the golden examples (never in the training data) may still be encoded
        assert len(texts) <= 5, f"encoder called on {len(texts)} posts despite the cache"
        return original(self, texts, batch_size)

    original = SentenceEncoder.encode
    monkeypatch.setattr(SentenceEncoder, "encode", refuse)
    second = _train(data_dir / "sentiment.csv", hybrid_config, tmp_path / "m2", cache)
    assert second.exit_code == 0, second.output
    again = json.loads((tmp_path / "m2" / "mood" / "manifest.json").read_text())
    assert again["golden"] == manifest["golden"]


def test_encoder_is_not_a_head_name(data_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["train", "encoder", "--data", str(data_dir / "sentiment.csv"), "--models", str(tmp_path)],
    )
    assert result.exit_code == 1
    assert "sentence encoder's folder" in result.output
