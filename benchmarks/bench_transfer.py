"""Transfer: shipped heads on real posts from sources they never trained on, against the TF-IDF peer.

Usage:
    python training/prepare_data.py --out training/build      # once: the training files
    python benchmarks/bench_transfer.py [--models models] [--build training/build]
        [--shared ../shared/data] [--per-topic 100] [--limit 0] [--seed 0]

The public test splits come from the same sources as the training rows; these sets do not:

* **safety flag** on the tweets of Davidson et al. (ICWSM 2017): a tweet is flagged when the
  head decides any of its labels; the truth is flagged when the coders' majority class is
  hate speech or offensive language. Binary macro-F1 of the flag and the share flagged.
  Tweets whose normalised text is in the safety training file are left out.
* **niche** on ``niche_extra`` (Reddit 2013, YouTube 2017, Instagram captions): a post's
  topic is the one its subreddit, video category or account category maps to (where it was
  published, not what a reader gave it). Up to ``--per-topic`` posts per source and topic,
  seeded. ``found``: share of posts whose topic is among the decided ones; macro-F1 over
  topics (weak labels: a right extra topic counts as a false positive, for both models).

The peer is ``bench_accuracy.py``'s TF-IDF + logistic regression, trained in this run on the
same training file as the head. The script refuses to run if the head's training config
uses the set (``davidson_weight``, ``niche_extra_weight`` > 0). Nothing is chosen here.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np
from bench_accuracy import _Peer  # benchmarks/ is on sys.path when run as a script
from sklearn.metrics import f1_score

from brandfit.data import LabelledPosts, load_labelled
from brandfit.heads.model import HeadModel
from brandfit.persistence.registry import load_models
from brandfit.text.normalize import normalize_text

REPO = Path(__file__).resolve().parent.parent
NICHE_SOURCES = ("reddit_top_2013", "youtube_trending_2017", "instagram_influencer_posts")


def _prepare_setting(head: str, key: str) -> float:
    config = tomllib.loads((REPO / "training" / "configs" / f"{head}.toml").read_text("utf-8"))
    return float(config.get("data", {}).get("prepare", {}).get(key, 0.0))


def _key(text: str) -> str:
    return " ".join(normalize_text(text).lower().split())


def davidson_posts(shared: Path, exclude: set[str], limit: int, seed: int) -> LabelledPosts:
    """Davidson tweets as flag truth (``flagged`` when the majority class is 0 or 1)."""
    path = shared / "davidson_hate_offensive" / "labeled_data.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        records = [r for r in csv.DictReader(handle) if r["tweet"].strip()]
    records = [r for r in records if _key(r["tweet"]) not in exclude]
    if limit:
        records = random.Random(seed).sample(records, min(limit, len(records)))
    return LabelledPosts(
        texts=[r["tweet"] for r in records],
        labels=[["flagged"] if r["class"] in ("0", "1") else [] for r in records],
        multilabel=True,
        source="davidson",
    )


def niche_extra_posts(shared: Path, per_topic: int, seed: int) -> tuple[LabelledPosts, list[str]]:
    """Up to ``per_topic`` posts per (source, mapped topic); returns the posts and their source."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[list[str]] = []
    sources: list[str] = []
    for name in NICHE_SOURCES:
        by_topic: dict[str, list[str]] = defaultdict(list)
        with (shared / "niche_extra" / name / f"{name}.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if len(record["labels"]) == 1 and record["text"].strip():
                    by_topic[record["labels"][0]].append(record["text"])
        for topic in sorted(by_topic):
            picked = rng.sample(by_topic[topic], min(per_topic, len(by_topic[topic])))
            texts += picked
            labels += [[topic]] * len(picked)
            sources += [name] * len(picked)
    return LabelledPosts(texts=texts, labels=labels, multilabel=True, source="niche_extra"), sources


def flag_figures(truth: list[bool], flagged: list[bool]) -> dict[str, float]:
    return {
        "flag_macro_f1": round(float(f1_score(truth, flagged, average="macro")), 4),
        "flagged_share": round(float(np.mean(flagged)), 4),
    }


def niche_figures(
    data: LabelledPosts, decided: list[list[str]], topics: list[str], sources: list[str]
) -> dict[str, object]:
    truth = [row[0] for row in data.labels]
    found = [t in row for t, row in zip(truth, decided, strict=True)]
    per_topic_f1 = []
    for topic in sorted(set(truth)):
        y = [t == topic for t in truth]
        p = [topic in row for row in decided]
        per_topic_f1.append(f1_score(y, p, zero_division=0))
    by_source = {
        name: round(
            float(np.mean([f for f, s in zip(found, sources, strict=True) if s == name])), 4
        )
        for name in NICHE_SOURCES
        if name in sources
    }
    unknown = sorted(set(truth) - set(topics))
    return {
        "found": round(float(np.mean(found)), 4),
        "found_by_source": by_source,
        "macro_f1": round(float(np.mean(per_topic_f1)), 4),
        "topics_per_post": round(float(np.mean([len(row) for row in decided])), 3),
        "topics_not_in_head": unknown,
    }


def _decide(model: HeadModel, texts: list[str]) -> list[list[str]]:
    return model.decide(model.predict_texts(texts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument("--build", type=Path, default=REPO / "training" / "build")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--per-topic", type=int, default=100)
    parser.add_argument("--limit", type=int, default=0, help="Davidson tweets (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for head, key in (("safety", "davidson_weight"), ("niche", "niche_extra_weight")):
        if _prepare_setting(head, key) > 0:
            print(f"{head} trains on this set ({key} > 0): not a transfer test", file=sys.stderr)
            return 2
    models = load_models(args.models)

    safety_train = load_labelled(args.build / "safety" / "train.jsonl")
    davidson = davidson_posts(
        args.shared, {_key(t) for t in safety_train.texts}, args.limit, args.seed
    )
    truth = [bool(row) for row in davidson.labels]
    started = time.perf_counter()
    ours = flag_figures(
        truth, [bool(row) for row in _decide(models.head("safety"), davidson.texts)]
    )
    seconds = time.perf_counter() - started
    peer = flag_figures(truth, [bool(row) for row in _Peer(safety_train).decide(davidson)])
    print(
        json.dumps(
            {
                "head": "safety",
                "set": "davidson",
                "n": len(davidson),
                "truth_flagged_share": round(float(np.mean(truth)), 4),
                "brandfit": ours,
                "tfidf_peer": peer,
                "brandfit_seconds": round(seconds, 1),
                "model_version": models.versions["safety"],
            }
        ),
        flush=True,
    )

    niche = models.head("niche")
    posts, sources = niche_extra_posts(args.shared, args.per_topic, args.seed)
    niche_peer = _Peer(load_labelled(args.build / "niche" / "train.jsonl"))
    print(
        json.dumps(
            {
                "head": "niche",
                "set": "niche_extra",
                "n": len(posts),
                "brandfit": niche_figures(
                    posts, _decide(niche, posts.texts), niche.labels, sources
                ),
                "tfidf_peer": niche_figures(
                    posts, niche_peer.decide(posts), niche_peer.labels, sources
                ),
                "model_version": models.versions["niche"],
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
