"""``brandfit uncertain`` and the labelling loop it starts."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from brandfit.cli import app
from brandfit.data import LabelledPosts
from brandfit.persistence.artifact import load_head
from brandfit.report.scoring import score_labelled
from brandfit.uncertain import dedupe_key, select_uncertain, uncertainty

runner = CliRunner()
POSITIVE = ["superb", "stellar", "splendid", "glorious", "sublime", "marvellous"]
NEGATIVE = ["dreadful", "dismal", "atrocious", "abysmal", "woeful", "appalling"]
POOL_SUBJECTS = ["concert", "gig", "album", "show", "festival", "encore", "lineup", "remix"]
HELD_OUT_SUBJECTS = ["playlist", "tour", "single"]


@pytest.fixture
def models(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


def _reviews(subjects: list[str]) -> list[tuple[str, str]]:
    return [
        (f"the {subject} was {adj}", "positive" if adj in POSITIVE else "negative")
        for subject, adj in itertools.product(subjects, POSITIVE + NEGATIVE)
    ]


def _pool(tmp_path: Path, data_dir: Path) -> tuple[Path, dict[str, str]]:
    """Posts like the training fixture (the head is sure of them) plus reviews in new words."""
    known = pd.read_csv(data_dir / "sentiment.csv")["text"].tolist()
    reviews = _reviews(POOL_SUBJECTS)
    texts = [f"{t} again" for t in known] + [t for t, _ in reviews]
    frame = pd.DataFrame({"id": [f"p{i}" for i in range(len(texts))], "text": texts})
    path = tmp_path / "pool.csv"
    frame.to_csv(path, index=False)
    return path, dict(reviews)


def test_uncertain_writes_n_rows_with_id_text_scores_and_an_empty_label(
    models: Path, data_dir: Path, tmp_path: Path
) -> None:
    pool, truth = _pool(tmp_path, data_dir)
    out = tmp_path / "U.csv"
    result = runner.invoke(
        app,
        ["uncertain", "sentiment", "--input", str(pool), "--n", "20", "--out", str(out),
         "--models", str(models)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False)
    assert len(table) == 20
    assert list(table.columns[:3]) == ["id", "text", "predicted"]
    assert {"score_negative", "score_neutral", "score_positive", "uncertainty"} <= set(table)
    assert table.columns[-1] == "label" and (table["label"] == "").all()
    assert table["uncertainty"].is_monotonic_decreasing
    assert len({dedupe_key(t) for t in table["text"]}) == 20
    # the head is unsure of the reviews in words it never saw, not of its own kind of post
    assert sum(t in truth for t in table["text"]) >= 18


def test_uncertain_skips_repeats_and_near_duplicates() -> None:
    texts = ["Great gig tonight!", "great gig tonight", "great gig tonight!!! 2", "tax forms due"]
    scores = np.asarray([0.9, 0.95, 0.99, 0.5])
    picked = select_uncertain(texts, scores, n=3)
    # row 1 normalises to row 0's text; row 0 is then a near-duplicate of the picked row 2
    assert picked.rows == [2, 3]
    assert picked.duplicates == 1 and picked.similar == 1
    similar = select_uncertain(
        ["red shoes on sale now", "red shoes on sale now today"], np.ones(2), 2
    )
    assert similar.rows == [0] and similar.similar == 1
    assert select_uncertain(["a b c d", "x y z w"], np.ones(2), 2, max_similarity=0.99).rows == [
        0,
        1,
    ]


def test_uncertainty_is_highest_at_the_decision_boundary(tiny_heads: dict) -> None:
    sentiment, safety = tiny_heads["sentiment"], tiny_heads["safety"]
    P = np.asarray([[0.34, 0.33, 0.33], [0.98, 0.01, 0.01]])
    u = uncertainty(sentiment, P)
    assert u[0] > 0.9 > 0.1 > u[1]
    assert uncertainty(sentiment, P, "entropy")[0] > 0.99
    cut = np.asarray(safety.thresholds)
    at_cut = uncertainty(safety, np.tile(cut, (1, 1)))
    far = uncertainty(safety, np.where(cut > 0.5, 0.0, 1.0)[None, :])
    assert at_cut[0] == pytest.approx(1.0) and far[0] == pytest.approx(0.0)


def _accuracy_and_gold_proba(folder: Path, posts: list[tuple[str, str]]) -> tuple[float, float]:
    model, _ = load_head(folder)
    data = LabelledPosts([t for t, _ in posts], [[g] for _, g in posts], multilabel=False)
    scored = score_labelled(model, data)
    gold = scored.gold
    accuracy = float(np.mean([d[0] == g for d, (_, g) in zip(scored.decided, posts, strict=True)]))
    return accuracy, float(scored.proba[np.arange(len(gold)), gold].mean())


def test_labelled_uncertain_posts_move_the_head(
    models: Path, data_dir: Path, tmp_path: Path
) -> None:
    """Pick uncertain posts, label them with the truth, retrain on both files: held-out posts
    of that kind are now classified much better (and the base kind no worse)."""
    pool, truth = _pool(tmp_path, data_dir)
    picks = tmp_path / "to_label.csv"
    result = runner.invoke(
        app,
        ["uncertain", "sentiment", "--input", str(pool), "--n", "24", "--out", str(picks),
         "--models", str(models)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(picks, keep_default_na=False)
    table["label"] = [truth.get(t, "") for t in table["text"]]
    table = table[table["label"] != ""]  # a person labels the reviews (all but a few picks)
    table.to_csv(picks, index=False)
    config = tmp_path / "c.toml"
    config.write_text("[head]\nmin_df = 1\ncalibration_cv = 3\nC = 10.0\n")
    retrained = tmp_path / "retrained"
    result = runner.invoke(
        app,
        ["train", "sentiment", "--data", str(data_dir / "sentiment.csv"), "--data", str(picks),
         "--val", str(data_dir / "sentiment.csv"), "--config", str(config), "--no-report",
         "--models", str(retrained)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    held_out = _reviews(HELD_OUT_SUBJECTS)
    before, before_p = _accuracy_and_gold_proba(models / "sentiment", held_out)
    after, after_p = _accuracy_and_gold_proba(retrained / "sentiment", held_out)
    assert after >= before + 0.3, (before, after)
    assert after_p > before_p + 0.15, (before_p, after_p)
    base = pd.read_csv(data_dir / "sentiment.csv")
    base_posts = list(zip(base["text"], base["label"], strict=True))
    assert _accuracy_and_gold_proba(retrained / "sentiment", base_posts)[0] >= 0.95


def test_uncertain_without_text_column_is_one_line(models: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,body\n1,hello\n")
    result = runner.invoke(
        app,
        ["uncertain", "sentiment", "--input", str(bad), "--out", str(tmp_path / "u.csv"),
         "--models", str(models)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        result.output.strip().startswith("error: ") and len(result.output.strip().splitlines()) == 1
    )
