from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from brandfit.errors import CorruptModelError, IncompatibleModelError, ModelLoadError
from brandfit.heads.model import HeadModel
from brandfit.persistence import artifact
from brandfit.persistence.artifact import load_head, record_metrics, save_head
from brandfit.persistence.registry import ModelRegistry


@pytest.fixture
def models(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_artifact_round_trip_keeps_predictions(
    models: Path, tiny_heads: dict[str, HeadModel]
) -> None:
    model, manifest = load_head(models / "sentiment")
    X = model.featurizer.transform(["love it", "hate it"])
    assert (model.predict_proba(X) == tiny_heads["sentiment"].predict_proba(X)).all()
    assert manifest["model_version"].startswith("sentiment-")
    for key in (
        "format_version",
        "labels",
        "library_versions",
        "tokenizer_version",
        "training_data",
        "config",
        "metrics",
        "artifact",
        "golden",
    ):
        assert key in manifest
    assert (models / "sentiment" / "CARD.md").read_text().startswith("# brandfit model card")


def test_artifact_truncated_file_is_refused(models: Path) -> None:
    path = models / "niche" / _manifest(models / "niche")["artifact"]["file"]
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CorruptModelError, match="sha256"):
        load_head(models / "niche")


def test_artifact_library_version_skew_is_refused(models: Path) -> None:
    manifest = _manifest(models / "niche")
    manifest["library_versions"]["scikit-learn"] = "0.24.2"
    (models / "niche" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleModelError, match=r"scikit-learn 0\.24\.2.*is installed"):
        load_head(models / "niche")


def test_artifact_lexicon_package_skew_is_refused_only_for_lexicon_heads(models: Path) -> None:
    manifest = _manifest(models / "niche")
    manifest["library_versions"]["vaderSentiment"] = "0.0.1"
    (models / "niche" / "manifest.json").write_text(json.dumps(manifest))
    load_head(models / "niche")  # the tiny heads use no lexicon: the version does not matter
    manifest["config"]["features"]["lexicon"] = "vader"
    (models / "niche" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleModelError, match=r"vaderSentiment 0\.0\.1.*is installed"):
        load_head(models / "niche")


def test_artifact_tokenizer_version_skew_is_refused(models: Path) -> None:
    manifest = _manifest(models / "niche")
    manifest["tokenizer_version"] = "brandfit.social_tokenizer.v0"
    (models / "niche" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleModelError, match="tokenizer"):
        load_head(models / "niche")


def test_artifact_golden_mismatch_is_refused(models: Path) -> None:
    manifest = _manifest(models / "sentiment")
    manifest["golden"][0]["scores"] = [0.0] * len(manifest["golden"][0]["scores"])
    (models / "sentiment" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CorruptModelError, match="golden check failed"):
        load_head(models / "sentiment")


def test_artifact_path_escape_is_refused(models: Path) -> None:
    manifest = _manifest(models / "niche")
    manifest["artifact"]["file"] = (
        "../sentiment/" + _manifest(models / "sentiment")["artifact"]["file"]
    )
    (models / "niche" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CorruptModelError, match="outside the model folder"):
        load_head(models / "niche")


def test_artifact_failed_save_leaves_the_previous_model(
    models: Path, tiny_heads: dict[str, HeadModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _manifest(models / "niche")

    def explode(manifest: dict) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(artifact, "render_card", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        save_head(tiny_heads["niche"], models)
    assert _manifest(models / "niche") == before
    load_head(models / "niche")
    assert not [p for p in models.iterdir() if p.name.startswith(".")]


def test_artifact_resave_replaces_artifact_and_removes_the_old_one(
    models: Path, tiny_heads: dict[str, HeadModel]
) -> None:
    model = tiny_heads["niche"]
    original = model.thresholds
    model.thresholds = [0.4] * len(model.labels)
    try:
        save_head(model, models)
    finally:
        model.thresholds = original
    files = sorted(p.name for p in (models / "niche").iterdir())
    assert len([f for f in files if f.endswith(".joblib")]) == 1
    load_head(models / "niche")


def test_artifact_record_metrics_updates_manifest(models: Path) -> None:
    record_metrics(models / "niche", "test", {"n": 3, "macro_f1": 0.5})
    assert _manifest(models / "niche")["metrics"]["test"]["macro_f1"] == 0.5
    load_head(models / "niche")


def test_registry_reload_keeps_last_good_models(models: Path) -> None:
    registry = ModelRegistry(models)
    first = registry.load()
    path = models / "niche" / _manifest(models / "niche")["artifact"]["file"]
    path.write_bytes(b"garbage")
    with pytest.raises(ModelLoadError):
        registry.reload()
    assert registry.models is first
    assert "sha256" in (registry.last_error or "")


def test_registry_refuses_folder_outside_models_dir(tmp_path: Path, models: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.move(models / "niche", outside)
    (models / "niche").symlink_to(outside)
    with pytest.raises(ModelLoadError, match="outside the models directory"):
        ModelRegistry(models).load()
