"""The default models committed in models/: complete, verified, documented, reproducible figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from brandfit.data import load_labelled
from brandfit.evaluate import evaluate_head
from brandfit.labels import ALIGNMENT_TARGETS, NICHE_LABELS, SENTIMENT_LABELS, STANCE_LABELS
from brandfit.persistence.registry import load_models
from tests.conftest import REPO, SHARED

MODELS = REPO / "models"
#: Posts whose prediction may differ from the recorded run (see the test that uses it).
FLIPPED_POSTS_ALLOWED = 5


@pytest.fixture(scope="module")
def shipped():
    return load_models(MODELS)


def test_shipped_models_are_complete_and_verified(shipped) -> None:
    assert set(shipped.heads) == {"niche", "safety", "sentiment", "alignment"}
    assert shipped.heads["niche"].labels == sorted(NICHE_LABELS)
    assert {"offensive", "hate"} <= set(shipped.heads["safety"].labels)
    assert shipped.heads["sentiment"].labels == sorted(SENTIMENT_LABELS)
    assert shipped.heads["alignment"].labels == sorted(STANCE_LABELS)
    assert shipped.heads["alignment"].targets == list(ALIGNMENT_TARGETS)


def test_shipped_models_record_data_licences_and_test_metrics(shipped) -> None:
    for name, manifest in shipped.manifests.items():
        sources = manifest["training_data"]["sources"]
        assert sources and all(s.get("licence") for s in sources), name
        assert any(k.startswith("test") for k in manifest["metrics"]), name
        card = (MODELS / name / "CARD.md").read_text()
        assert "licence" in card


def test_shipped_models_stay_small() -> None:
    # The sentence encoder (models/encoder/, ~23.5 MB) has its own budget in
    # tests/features/test_encoder.py; this one is for the heads.
    encoder = MODELS / "encoder"
    size = sum(
        p.stat().st_size for p in MODELS.rglob("*") if p.is_file() and not p.is_relative_to(encoder)
    )
    assert size < 30e6, f"the heads in models/ are {size / 1e6:.1f} MB; the budget is 30 MB"


def test_shipped_models_predict_the_obvious(shipped) -> None:
    from brandfit.predict import Predictor

    rows = Predictor(shipped).predict(
        [
            "Crushed leg day at the gym, new squat PR! #fitness",
            "you are a fucking idiot, shut up",
            "I love my new phone, the camera is amazing!",
        ]
    )
    assert "fitness_&_health" in rows[0]["niche"]["labels"]
    assert "offensive" in rows[1]["safety"]["labels"]
    assert rows[2]["sentiment"]["labels"] == ["positive"]


def _build_test_splits(tmp: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "training" / "prepare_data.py"),
            "--shared",
            str(SHARED),
            "--out",
            str(tmp),
        ],
        check=True,
        capture_output=True,
    )
    return tmp


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("head", "split", "recorded"),
    [
        ("sentiment", "sentiment/test.jsonl", "test"),
        ("safety", "safety/test_offensive.jsonl", "test_offensive"),
        ("safety", "safety/test_hate.jsonl", "test_hate"),
        ("alignment", "alignment/test.jsonl", "test"),
        ("niche", "niche/test.jsonl", "test"),
    ],
)
def test_shipped_models_reproduce_their_recorded_test_figures(
    shipped, tmp_path_factory, head: str, split: str, recorded: str
) -> None:
    build = tmp_path_factory.getbasetemp() / "shared_build"
    if not (build / split).exists():
        _build_test_splits(build)
    model = shipped.heads[head]
    data = load_labelled(
        build / split, require_target=model.targets is not None, allow_single_class=True
    )
    metrics = evaluate_head(model, data)
    expected = shipped.manifests[head]["metrics"][recorded]
    # Another CPU rounds the encoder's float parts (layer norm, softmax) differently, which
    # moves a few borderline posts (about 3 of 12,284 sentiment and 2 of 1,249 stance tweets
    # between a VNNI and an AVX2 machine); allow the figures that many posts' worth of change.
    moved = FLIPPED_POSTS_ALLOWED
    assert metrics["n"] == expected["n"]
    for key in ("macro_f1", "micro_f1", "accuracy", "macro_recall", "stance_f1"):
        if key in expected:
            slack = moved / metrics["n"]
            assert metrics[key] == pytest.approx(expected[key], abs=slack), (head, key)
    assert metrics["per_label"].keys() == expected["per_label"].keys()
    for label, got in metrics["per_label"].items():
        want = expected["per_label"][label]
        assert got["support"] == want["support"], (head, label)
        assert got.get("judged") == want.get("judged"), (head, label)
        for key in ("f1", "precision", "recall", "binary_macro_f1"):
            if key not in want:
                continue
            slack = max(1e-4, moved / max(want["support"], 1))
            assert got[key] == pytest.approx(want[key], abs=slack), (head, label, key)
