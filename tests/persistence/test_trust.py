"""The model store's promises that a forged, edited or half-written folder cannot break."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import sklearn.base
from sklearn.exceptions import InconsistentVersionWarning

from brandfit.errors import CorruptModelError, IncompatibleModelError, ModelLoadError
from brandfit.heads.model import HeadModel
from brandfit.persistence import artifact
from brandfit.persistence.artifact import GOLDEN_TEXTS, load_head, save_head
from brandfit.persistence.registry import find_head


@pytest.fixture
def models(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _write(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest))


# -- 1. golden inputs cannot be switched off ---------------------------------------------


def test_manifest_without_golden_is_refused(models: Path) -> None:
    manifest = _manifest(models / "sentiment")
    del manifest["golden"]
    _write(models / "sentiment", manifest)
    with pytest.raises(CorruptModelError, match="manifest lacks 'golden'"):
        load_head(models / "sentiment")


def test_manifest_with_empty_golden_is_refused(models: Path) -> None:
    manifest = _manifest(models / "sentiment")
    manifest["golden"] = []
    _write(models / "sentiment", manifest)
    with pytest.raises(CorruptModelError, match="non-empty list"):
        load_head(models / "sentiment")


def test_manifest_with_every_golden_text_changed_is_refused(models: Path) -> None:
    manifest = _manifest(models / "sentiment")
    for i, row in enumerate(manifest["golden"]):
        row["text"] = f"something else {i}"
    _write(models / "sentiment", manifest)
    with pytest.raises(CorruptModelError, match="golden examples are not"):
        load_head(models / "sentiment")


def test_manifest_with_truncated_golden_list_is_refused(models: Path) -> None:
    manifest = _manifest(models / "sentiment")
    manifest["golden"] = manifest["golden"][:1]
    _write(models / "sentiment", manifest)
    with pytest.raises(CorruptModelError, match=f"{len(GOLDEN_TEXTS)} golden inputs"):
        load_head(models / "sentiment")


def test_golden_label_edit_is_refused(models: Path) -> None:
    manifest = _manifest(models / "niche")
    manifest["golden"][-1]["labels"] = ["made_up"]
    _write(models / "niche", manifest)
    with pytest.raises(CorruptModelError, match="golden check failed"):
        load_head(models / "niche")


# -- 2. one head folder goes through the registry's boundary ------------------------------


@pytest.mark.parametrize("name", ["../outside", "..", ".", "", "sub/niche", ".hidden"])
def test_head_folder_refuses_paths(models: Path, name: str) -> None:
    with pytest.raises(ModelLoadError, match="not a head name"):
        find_head(models, name)


def test_head_folder_refuses_symlink_outside(tmp_path: Path, models: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.move(models / "niche", outside)
    (models / "niche").symlink_to(outside)
    with pytest.raises(ModelLoadError, match="outside the models directory"):
        find_head(models, "niche")


def test_head_folder_accepts_a_head(models: Path) -> None:
    assert find_head(models, "niche") == models / "niche"


# -- 4. a save killed between the artefact move and the manifest swap ---------------------


def test_save_killed_before_manifest_swap_leaves_no_orphan_after_next_save(
    models: Path, tiny_heads: dict[str, HeadModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = models / "niche"
    before = _manifest(folder)
    real_write = artifact._write_text_atomic

    def killed_at_manifest(path: Path, text: str) -> None:
        if path.name == "manifest.json":
            raise KeyboardInterrupt("killed between artefact move and manifest swap")
        real_write(path, text)

    model = copy.deepcopy(tiny_heads["niche"])
    model.thresholds = [0.41] * len(model.labels)
    monkeypatch.setattr(artifact, "_write_text_atomic", killed_at_manifest)
    with pytest.raises(KeyboardInterrupt):
        save_head(model, models)
    monkeypatch.setattr(artifact, "_write_text_atomic", real_write)
    # the old model still loads, and the orphan is there (the crash's footprint)
    assert _manifest(folder) == before
    load_head(folder)
    assert len(list(folder.glob("pipeline-*.joblib"))) == 2

    other = copy.deepcopy(tiny_heads["niche"])
    other.thresholds = [0.42] * len(other.labels)
    manifest = save_head(other, models)
    assert sorted(p.name for p in folder.glob("pipeline-*.joblib")) == [
        manifest["artifact"]["file"]
    ]
    assert not list(folder.glob(".*.tmp"))
    load_head(folder)


# -- 5. version skew ----------------------------------------------------------------------


def test_spacy_version_skew_in_manifest_is_refused(models: Path) -> None:
    manifest = _manifest(models / "niche")
    manifest["library_versions"]["spacy"] = "2.3.9"
    _write(models / "niche", manifest)
    with pytest.raises(IncompatibleModelError, match=r"spacy 2\.3\.9.*is installed"):
        load_head(models / "niche")


def test_pickled_sklearn_version_skew_escalates_to_an_error(
    models: Path, tiny_heads: dict[str, HeadModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An estimator pickled by another scikit-learn is refused even if the manifest agrees."""
    from sklearn.linear_model import LogisticRegression

    model = copy.deepcopy(tiny_heads["niche"])
    model.config = {**model.config, "probe": "skew"}
    model.skew_probe = LogisticRegression().fit([[0.0], [1.0]], [0, 1])  # type: ignore[attr-defined]
    # the estimator records sklearn.base.__version__ in its pickle as `_sklearn_version`
    monkeypatch.setattr(sklearn.base, "__version__", "0.24.2")
    save_head(model, models)
    monkeypatch.undo()
    assert _manifest(models / "niche")["library_versions"]["scikit-learn"] == sklearn.__version__
    with pytest.raises(IncompatibleModelError, match=r"0\.24\.2") as info:
        load_head(models / "niche")
    assert isinstance(info.value.__cause__, InconsistentVersionWarning)
