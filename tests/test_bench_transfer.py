"""The transfer benchmark's set builders and figures (benchmarks/bench_transfer.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(REPO / "benchmarks"))  # bench_transfer imports bench_accuracy
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_transfer", REPO / "benchmarks" / "bench_transfer.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return module


def test_davidson_flag_truth_and_training_overlap_left_out(
    bench: ModuleType, tmp_path: Path
) -> None:
    folder = tmp_path / "davidson_hate_offensive"
    folder.mkdir()
    (folder / "labeled_data.csv").write_text(
        ",count,hate_speech,offensive_language,neither,class,tweet\n"
        '0,3,3,0,0,0,"a hateful tweet"\n'
        '1,3,0,3,0,1,"An  OFFENSIVE tweet"\n'
        '2,3,0,0,3,2,"a harmless tweet"\n'
        '3,3,0,0,3,2,"seen in training"\n'
        '4,3,0,0,3,2,"   "\n',
        encoding="utf-8",
    )
    posts = bench.davidson_posts(tmp_path, {bench._key("Seen in  training")}, limit=0, seed=0)
    assert posts.texts == ["a hateful tweet", "An  OFFENSIVE tweet", "a harmless tweet"]
    assert posts.labels == [["flagged"], ["flagged"], []]


def test_niche_extra_sample_is_capped_per_source_and_topic(
    bench: ModuleType, tmp_path: Path
) -> None:
    for name in bench.NICHE_SOURCES:
        folder = tmp_path / "niche_extra" / name
        folder.mkdir(parents=True)
        rows = [{"text": f"{name} food {i}", "labels": ["food_&_dining"]} for i in range(5)]
        rows += [{"text": f"{name} two", "labels": ["music", "film_tv_&_video"]}]  # not one topic
        rows += [{"text": f"{name} none", "labels": []}]
        rows += [{"text": f"{name} travel", "labels": ["travel_&_adventure"]}]
        (folder / f"{name}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
        )
    posts, sources = bench.niche_extra_posts(tmp_path, per_topic=2, seed=0)
    assert len(posts) == len(sources) == 3 * (2 + 1)
    assert sorted(set(sources)) == sorted(bench.NICHE_SOURCES)
    assert all(len(row) == 1 for row in posts.labels)
    assert sum(row == ["food_&_dining"] for row in posts.labels) == 6


def test_niche_figures_count_a_post_found_when_its_topic_is_decided(bench: ModuleType) -> None:
    from brandfit.data import LabelledPosts

    posts = LabelledPosts(
        texts=["a", "b", "c", "d"],
        labels=[["food"], ["food"], ["travel"], ["travel"]],
        multilabel=True,
    )
    sources = [
        "reddit_top_2013",
        "reddit_top_2013",
        "youtube_trending_2017",
        "youtube_trending_2017",
    ]
    decided = [["food", "travel"], [], ["travel"], ["food"]]
    figures = bench.niche_figures(posts, decided, ["food", "travel", "music"], sources)
    assert figures["found"] == 0.5
    assert figures["found_by_source"]["reddit_top_2013"] == 0.5
    assert figures["topics_per_post"] == 1.0
    # food: tp 1, fp 1, fn 1 -> 0.5; travel: tp 1, fp 1, fn 1 -> 0.5
    assert figures["macro_f1"] == 0.5
