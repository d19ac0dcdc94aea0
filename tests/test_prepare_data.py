"""``training/prepare_data.py``: data-set conventions rewritten before training."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))

import json

from prepare_data import coarse_to_fine, description_rows, prepare_settings, single_topic_extra, sxsw_text

from brandfit.text.normalize import normalize_text


def test_sxsw_placeholders_become_the_conventions_the_normaliser_knows() -> None:
    raw = ".@mention RT @mention Google Circles {link} #SXSW"
    assert sxsw_text(raw) == ".@user RT @user Google Circles {{URL}} #SXSW"
    assert normalize_text(sxsw_text(raw)) == ".@user RT @user Google Circles httpurl #SXSW"


def test_sxsw_rewrite_leaves_real_handles_and_addresses_alone() -> None:
    raw = "@mentioned me at team@mention.com"
    assert sxsw_text(raw) == raw


def _overlap(coarse: str, fine: list[str], n: int, start: int = 0) -> tuple[list[dict], list[dict]]:
    texts = [f"{coarse} tweet {start + i}" for i in range(n)]
    return [{"text": t, "coarse": coarse} for t in texts], [
        {"text": t, "labels": fine} for t in texts
    ]


def test_coarse_topic_implies_excludes_or_leaves_fine_topics_unjudged() -> None:
    s1, m1 = _overlap("sports_&_gaming", ["sports"], 18)
    s2, m2 = _overlap("sports_&_gaming", ["sports", "gaming"], 2, start=100)
    s3, m3 = _overlap("sports_&_gaming", ["gaming"], 0)
    s4, m4 = _overlap("arts_&_culture", ["arts_&_culture"], 5)
    s5, m5 = _overlap("pop_culture", ["music"], 10)
    s6, m6 = _overlap("pop_culture", ["film_tv_&_video"], 10, start=200)
    mapping = coarse_to_fine(s1 + s2 + s3 + s4 + s5 + s6, m1 + m2 + m3 + m4 + m5 + m6)
    implied, excluded = mapping["sports_&_gaming"]
    assert implied == ["sports"]  # 20/20
    assert "gaming" not in excluded and "sports" not in excluded  # gaming co-occurs 2/20: unjudged
    assert set(excluded) == {"arts_&_culture", "music", "film_tv_&_video"}
    assert mapping["arts_&_culture"] == (
        ["arts_&_culture"],
        [],
    )  # 5 overlap tweets: too few to exclude
    implied, excluded = mapping["pop_culture"]
    assert implied == [] and set(excluded) == {
        "sports",
        "gaming",
        "arts_&_culture",
    }  # 50% each: unjudged


def test_single_topic_rows_skip_sample_tweets_and_read_train_files_only(tmp_path: Path) -> None:
    folder = tmp_path / "tweet_topic_single"
    (folder / "split_temporal").mkdir(parents=True)
    (folder / "split_random").mkdir()
    (folder / "label.single.json").write_text(
        json.dumps({"arts_&_culture": 0, "sports_&_gaming": 4})
    )
    train = [{"text": f"match report {i}", "label": 4, "id": i} for i in range(20)]
    train += [
        {"text": "a brand new sports tweet", "label": 4, "id": 99},
        {"text": "Gallery opening tonight", "label": 0, "id": 98},
    ]
    lines = "\n".join(json.dumps(r) for r in train)
    for name in (
        "split_temporal/train_2020",
        "split_temporal/train_2021",
        "split_random/train_random",
    ):
        (folder / f"{name}.single.json").write_text(lines)  # duplicates across files are kept once
    (folder / "split_temporal/test_2020.single.json").write_text(
        json.dumps({"text": "held out", "label": 4, "id": 1})
    )
    multi = {
        "train": [{"text": f"match report {i}", "labels": ["sports"]} for i in range(16)],
        "val": [{"text": "match report 16", "labels": ["sports"]}],
        "test": [{"text": "MATCH  report 17", "labels": ["sports", "news_&_social_concern"]}],
    }
    multi["train"].append({"text": "some gig", "labels": ["music"]})
    rows = single_topic_extra(tmp_path, multi, weight=0.3)
    texts = sorted(r["text"] for r in rows)
    # sample tweets (any split, after normalisation) are never re-added; the test file is never read;
    # an arts tweet has no overlap, so its coarse topic says nothing and the row is skipped
    assert texts == ["a brand new sports tweet", "match report 18", "match report 19"]
    row = next(r for r in rows if r["text"] == "a brand new sports tweet")
    assert row["labels"] == ["sports"] and set(row["known_labels"]) == {"sports", "music"}
    assert row["weight"] == 0.3 and row["id"] == "tweet_topic_single:99"


def test_topic_descriptions_are_positive_only_rows_for_every_shipped_topic() -> None:
    manifest = Path(__file__).resolve().parent.parent / "models" / "niche" / "manifest.json"
    topics = set(json.loads(manifest.read_text(encoding="utf-8"))["labels"])
    rows = description_rows(2.0)
    assert {r["labels"][0] for r in rows} == topics
    assert all(r["known_labels"] == r["labels"] and len(r["labels"]) == 1 for r in rows)
    assert all(r["weight"] == 2.0 and r["text"].strip() for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)


def test_prepare_overrides_reach_only_the_head_they_name() -> None:
    base = prepare_settings("niche")
    changed = prepare_settings("niche", ["niche.niche_extra_weight=0.5", "safety.davidson_weight=1"])
    assert changed == {**base, "niche_extra_weight": 0.5}
    assert prepare_settings("safety", ["safety.davidson_weight=1"])["davidson_weight"] == 1


def test_a_malformed_prepare_override_is_refused_with_its_text() -> None:
    import pytest

    with pytest.raises(SystemExit, match="niche.niche_extra_weight=abc"):
        prepare_settings("niche", ["niche.niche_extra_weight=abc"])
