"""Turn ../shared/data into brandfit's labelled-post files (JSONL) for the shipped heads.

Usage:  python training/prepare_data.py [--shared ../shared/data] [--out training/build]

Writes ``<out>/<head>/{train,val}.jsonl`` plus the test files the README reports on.
Only train/validation splits go into train/val files; test splits are written
separately and never read by training. Rows whose normalised text also occurs in a
reported test split are dropped from training (TweetEval hate has 230 such rows).
Nothing here is copied into the repository: ``training/build/`` is git-ignored.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from brandfit.data import read_jsonl_records

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parent.parent / "shared" / "data"

STANCE_NAMES = {"none": "neutral", "against": "opposes", "favor": "supports"}
STANCE_TARGETS = ("abortion", "atheism", "climate", "feminist", "hillary")
SXSW_SENTIMENT = {
    "Positive emotion": "positive",
    "Negative emotion": "negative",
    "No emotion toward brand or product": "neutral",
}


SXSW_MENTION = re.compile(r"(?<![\w@])@mention\b")
SXSW_LINK = re.compile(r"\{link\}")


def norm_key(text: str) -> str:
    """Text key used for overlap checks: stripped, lower-cased, whitespace collapsed."""
    return re.sub(r"\s+", " ", text.strip().lower())


def read_lines(path: Path) -> list[str]:
    """Lines of a text file without their line ends (a last empty line is not a row)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def tweeteval(shared: Path, task: str, split: str) -> list[tuple[str, str]]:
    """(text, label name) rows of a TweetEval task split (``task`` may be ``stance/<target>``)."""
    folder = shared / "tweeteval" / task
    mapping = shared / "tweeteval" / task.split("/")[0] / "mapping.txt"
    names = dict(line.split("\t")[:2] for line in read_lines(mapping) if line.strip())
    texts = read_lines(folder / f"{split}_text.txt")
    labels = [lab.strip() for lab in read_lines(folder / f"{split}_labels.txt")]
    if len(texts) != len(labels):
        raise SystemExit(f"{folder}: {split} has {len(texts)} texts but {len(labels)} labels")
    rows = [(t.strip(), names[lab]) for t, lab in zip(texts, labels, strict=True)]
    empty = sum(1 for t, _ in rows if not t)
    if empty:
        print(f"  tweeteval/{task}/{split}: skipped {empty} empty text line(s)")
    return [(t, lab) for t, lab in rows if t]


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def drop_overlap(rows: list[dict[str, Any]], banned: set[str], what: str) -> list[dict[str, Any]]:
    kept = [r for r in rows if norm_key(r["text"]) not in banned]
    print(f"  {what}: dropped {len(rows) - len(kept)} rows whose text occurs in a reported test split")
    return kept


# -- heads ---------------------------------------------------------------------------
def prepare_sentiment(shared: Path, out: Path, sxsw_weight: float = 0.0) -> None:
    test = [{"text": t, "label": lab} for t, lab in tweeteval(shared, "sentiment", "test")]
    banned = {norm_key(r["text"]) for r in test}
    train = [{"text": t, "label": lab, "weight": 1.0} for t, lab in tweeteval(shared, "sentiment", "train")]
    if sxsw_weight > 0:
        train += sxsw_rows(shared, sxsw_weight)
    train = drop_overlap(train, banned, "sentiment train")
    val = [{"text": t, "label": lab} for t, lab in tweeteval(shared, "sentiment", "val")]
    counts = (write_jsonl(out / "sentiment/train.jsonl", train), write_jsonl(out / "sentiment/val.jsonl", val), write_jsonl(out / "sentiment/test.jsonl", test))
    print(f"sentiment: train/val/test = {counts}")


def sxsw_text(text: str) -> str:
    """An SXSW tweet with the data set's own placeholders (``@mention``, ``{link}``) written
    the way TweetEval and TweetTopic write them, so the normaliser treats all three alike."""
    return SXSW_LINK.sub("{{URL}}", SXSW_MENTION.sub("@user", text))


def sxsw_rows(shared: Path, weight: float) -> list[dict[str, Any]]:
    path = shared / "brand_product_emotions_sxsw" / "brand_product_emotions_70pct.csv"
    rows = []
    with path.open(encoding="latin-1", newline="") as handle:  # cp1252 with stray bytes
        for record in csv.DictReader(handle):
            label = SXSW_SENTIMENT.get(record["is_there_an_emotion_directed_at_a_brand_or_product"])
            text = sxsw_text((record["tweet_text"] or "").strip())
            if label and text:
                rows.append({"text": text, "label": label, "weight": weight})
    return rows


def davidson_rows(shared: Path) -> list[dict[str, Any]]:
    path = shared / "davidson_hate_offensive" / "labeled_data.csv"
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            cls = int(record["class"])
            labels = ["offensive", "hate"] if cls == 0 else ["offensive"] if cls == 1 else []
            rows.append({"text": record["tweet"], "labels": labels, "known_labels": ["offensive", "hate"]})
    return rows


def prepare_safety(shared: Path, out: Path, davidson_weight: float = 0.0, hate_as_offensive: bool = False) -> None:
    off_test = [{"text": t, "labels": ["offensive"] if lab == "offensive" else [], "known_labels": ["offensive"]} for t, lab in tweeteval(shared, "offensive", "test")]
    hate_test = [{"text": t, "labels": ["hate"] if lab == "hate" else [], "known_labels": ["hate"]} for t, lab in tweeteval(shared, "hate", "test")]
    banned = {norm_key(r["text"]) for r in off_test + hate_test}
    train: list[dict[str, Any]] = []
    for t, lab in tweeteval(shared, "offensive", "train"):
        train.append({"text": t, "labels": ["offensive"] if lab == "offensive" else [], "known_labels": ["offensive"], "weight": 1.0})
    for t, lab in tweeteval(shared, "hate", "train"):
        known = ["hate", "offensive"] if (hate_as_offensive and lab == "hate") else ["hate"]
        labels = ["hate", "offensive"] if (hate_as_offensive and lab == "hate") else (["hate"] if lab == "hate" else [])
        train.append({"text": t, "labels": labels, "known_labels": known, "weight": 1.0})
    if davidson_weight > 0:
        train += [{**r, "weight": davidson_weight} for r in davidson_rows(shared)]
    train = drop_overlap(train, banned, "safety train")
    val = [{"text": t, "labels": ["offensive"] if lab == "offensive" else [], "known_labels": ["offensive"]} for t, lab in tweeteval(shared, "offensive", "val")]
    val += [{"text": t, "labels": ["hate"] if lab == "hate" else [], "known_labels": ["hate"]} for t, lab in tweeteval(shared, "hate", "val")]
    counts = (
        write_jsonl(out / "safety/train.jsonl", train),
        write_jsonl(out / "safety/val.jsonl", val),
        write_jsonl(out / "safety/test_offensive.jsonl", off_test),
        write_jsonl(out / "safety/test_hate.jsonl", hate_test),
    )
    print(f"safety: train/val/test_offensive/test_hate = {counts}")


def prepare_alignment(shared: Path, out: Path, val_in_train: bool = False) -> None:
    """TweetEval stance, five targets. ``val_in_train``: the validation tweets join the training
    file (settings then chosen by cross-validation on train+val) and no ``val.jsonl`` is written,
    so ``train_all.sh`` calibrates by cross-validation instead of on rows the head has seen."""
    splits: dict[str, list[dict[str, Any]]] = {"train": [], "val": [], "test": []}
    for target in STANCE_TARGETS:
        for split in splits:
            for t, lab in tweeteval(shared, f"stance/{target}", split):
                text = re.sub(r"\s*#SemST\b", "", t).strip()
                splits[split].append({"text": text, "label": STANCE_NAMES[lab], "target": target})
    banned = {norm_key(r["text"]) for r in splits["test"]}
    splits["train"] = drop_overlap(splits["train"], banned, "alignment train")
    if val_in_train:
        splits["train"] += drop_overlap(splits.pop("val"), banned, "alignment val (into train)")
        (out / "alignment/val.jsonl").unlink(missing_ok=True)
    counts = {s: write_jsonl(out / f"alignment/{s}.jsonl", rows) for s, rows in splits.items()}
    print(f"alignment: {counts}")


def topic_split(post_id: str) -> str:
    """Deterministic split of the TweetTopic multi-label sample: 20% test, 20% val, 60% train."""
    h = int(hashlib.sha1(post_id.encode()).hexdigest(), 16) % 10
    return "test" if h in (0, 1) else "val" if h in (2, 3) else "train"


SINGLE_TOPIC_TRAIN_FILES = (
    "split_temporal/train_2020.single.json",
    "split_temporal/train_2021.single.json",
    "split_random/train_random.single.json",
)


def single_topic_rows(shared: Path) -> list[dict[str, Any]]:
    """TweetTopic single-label *train* tweets, deduplicated by normalised text: ``{id, text, coarse}``.

    Only the train files are read; their validation and test files are never touched.
    """
    folder = shared / "tweet_topic_single"
    names = {index: name for name, index in json.loads((folder / "label.single.json").read_text(encoding="utf-8")).items()}
    rows: dict[str, dict[str, Any]] = {}
    for relative in SINGLE_TOPIC_TRAIN_FILES:
        for record in read_jsonl_records(folder / relative):
            key = norm_key(record["text"])
            rows.setdefault(key, {"id": str(record["id"]), "text": record["text"], "coarse": names[int(record["label"])]})
    return list(rows.values())


def coarse_to_fine(
    single: list[dict[str, Any]], multi: list[dict[str, Any]], min_overlap: int = 15, implied: float = 0.9
) -> dict[str, tuple[list[str], list[str]]]:
    """What each coarse single-label topic says about the 19 fine topics: ``{coarse: (implied, excluded)}``.

    Learned from tweets that carry both labellings (``multi`` must be training rows only).
    A fine topic is implied when at least ``implied`` of the coarse topic's overlap tweets carry it;
    it is excluded when none do and the coarse topic has at least ``min_overlap`` overlap tweets;
    every other fine topic stays unjudged for that coarse topic.
    """
    fine_by_key = {norm_key(r["text"]): r["labels"] for r in multi}
    fine_names = sorted({label for r in multi for label in r["labels"]})
    seen: dict[str, list[list[str]]] = {}
    for row in single:
        fine = fine_by_key.get(norm_key(row["text"]))
        if fine is not None:
            seen.setdefault(row["coarse"], []).append(fine)
    mapping: dict[str, tuple[list[str], list[str]]] = {}
    for coarse, overlaps in sorted(seen.items()):
        counts = Counter(label for labels in overlaps for label in labels)
        positives = [f for f in fine_names if counts[f] >= implied * len(overlaps)]
        negatives = [f for f in fine_names if counts[f] == 0] if len(overlaps) >= min_overlap else []
        mapping[coarse] = (positives, negatives)
    return mapping


def single_topic_extra(shared: Path, multi: dict[str, list[dict[str, Any]]], weight: float) -> list[dict[str, Any]]:
    """Single-label tweets not in the multi-label sample, as partially labelled niche rows."""
    single = single_topic_rows(shared)
    mapping = coarse_to_fine(single, multi["train"])
    for coarse, (positives, negatives) in mapping.items():
        print(f"  tweet_topic_single {coarse}: implies {positives or '-'}; excludes {len(negatives)} topics")
    in_sample = {norm_key(r["text"]) for split in multi.values() for r in split}
    extra = []
    for row in single:
        positives, negatives = mapping.get(row["coarse"], ([], []))
        if norm_key(row["text"]) in in_sample or not (positives or negatives):
            continue
        extra.append(
            {
                "id": f"tweet_topic_single:{row['id']}",
                "text": row["text"],
                "labels": positives,
                "known_labels": positives + negatives,
                "weight": weight,
            }
        )
    return extra


def description_rows(weight: float) -> list[dict[str, Any]]:
    """The topic descriptions of ``training/niche_descriptions.toml`` as positive-only rows."""
    import tomllib

    topics = tomllib.loads((HERE / "niche_descriptions.toml").read_text(encoding="utf-8"))
    rows = []
    for key, lines in topics.items():
        topic = key.replace("_and_", "_&_")
        for i, text in enumerate(lines):
            rows.append({"id": f"description:{topic}:{i}", "text": text, "labels": [topic], "known_labels": [topic], "weight": weight})
    return rows


def prepare_niche(
    shared: Path,
    out: Path,
    niche_extra_weight: float = 0.0,
    niche_extra_cap: int = 0,
    niche_single_weight: float = 0.0,
    niche_description_weight: float = 0.0,
) -> None:
    extra_weight, extra_cap = niche_extra_weight, niche_extra_cap
    rows: dict[str, list[dict[str, Any]]] = {"train": [], "val": [], "test": []}
    for record in read_jsonl_records(shared / "tweet_topic_multi_sample" / "tweet_topic_multi_sample.jsonl"):
        rows[topic_split(record["id"])].append({"id": record["id"], "text": record["text"], "labels": record["labels"], "weight": 1.0})
    held_ids = {r["id"] for r in rows["test"] + rows["val"]}
    banned = {norm_key(r["text"]) for r in rows["test"] + rows["val"]}
    extra: list[dict[str, Any]] = []
    if extra_weight > 0:
        for name, keep in (
            ("reddit_top_2013", lambda _record: True),
            ("youtube_trending_2017", lambda r: r.get("country") in ("US", "GB")),
            ("instagram_influencer_posts", lambda r: r.get("lang") == "en"),
        ):
            path = shared / "niche_extra" / name / f"{name}.jsonl"
            taken = Counter()
            for record in read_jsonl_records(path):
                if not record["labels"] or not keep(record):  # [] = unknown, never a negative
                    continue
                key = record["labels"][0]
                if taken[key] >= extra_cap:
                    continue
                taken[key] += 1
                extra.append({"id": f"{name}:{record['id']}", "text": record["text"], "labels": record["labels"], "weight": extra_weight})
    single = single_topic_extra(shared, rows, niche_single_weight) if niche_single_weight > 0 else []
    described = description_rows(niche_description_weight) if niche_description_weight > 0 else []
    unknown = {r["labels"][0] for r in described} - {t for r in rows["train"] for t in r["labels"]}
    if unknown:
        raise SystemExit(f"niche_descriptions.toml: topics not in the training data: {sorted(unknown)}")
    train = drop_overlap(rows["train"] + extra + single + described, banned, "niche train")
    train = [r for r in train if r["id"] not in held_ids]
    counts = (write_jsonl(out / "niche/train.jsonl", train), write_jsonl(out / "niche/val.jsonl", rows["val"]), write_jsonl(out / "niche/test.jsonl", rows["test"]))
    print(f"niche: train/val/test = {counts} (extra weakly-labelled rows: {len(extra)}; single-label tweets: {len(single)}; topic descriptions: {len(described)})")


def prepare_settings(head: str, overrides: list[str] = ()) -> dict[str, Any]:
    """The ``[data.prepare]`` table of ``training/configs/<head>.toml``, with ``HEAD.key=JSON``
    overrides for this head applied (for experiments that vary the data, never the config file)."""
    import json
    import tomllib

    config = tomllib.loads((HERE / "configs" / f"{head}.toml").read_text(encoding="utf-8"))
    settings = dict(config.get("data", {}).get("prepare", {}))
    for item in overrides:
        key, _, value = item.partition("=")
        name, _, option = key.partition(".")
        if name != head:
            continue
        try:
            settings[option] = json.loads(value)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"--set {item!r}: expected HEAD.KEY=JSON, e.g. {head}.x=0.3 ({exc})") from exc
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=HERE / "build")
    parser.add_argument("--heads", nargs="*", default=["sentiment", "safety", "alignment", "niche"])
    parser.add_argument(
        "--set", action="append", default=[], metavar="HEAD.KEY=JSON",
        help="override a [data.prepare] setting, e.g. safety.davidson_weight=0.3",
    )
    args = parser.parse_args()
    if not args.shared.is_dir():
        raise SystemExit(f"{args.shared}: shared data folder not found (pass --shared)")
    if "sentiment" in args.heads:
        prepare_sentiment(args.shared, args.out, **prepare_settings("sentiment", args.set))
    if "safety" in args.heads:
        prepare_safety(args.shared, args.out, **prepare_settings("safety", args.set))
    if "alignment" in args.heads:
        prepare_alignment(args.shared, args.out, **prepare_settings("alignment", args.set))
    if "niche" in args.heads:
        prepare_niche(args.shared, args.out, **prepare_settings("niche", args.set))


if __name__ == "__main__":
    main()
