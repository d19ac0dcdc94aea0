"""Rows for the value-stance (alignment) model: (post, value, label, groups) from ../shared/data.

Read by ``training/value_stance.py``. Labels are brandfit's ``supports`` / ``neutral`` /
``opposes``. Every row carries a ``group``: the target (entity) it is about, so that a
leave-target-out fold can hold out one target everywhere it occurs (Trump is in P-Stance
and Multi-Target, Hillary in TweetEval and Multi-Target). ``source`` names the data set.

* TweetEval stance train+val (5 targets; test kept for the one final report)
* P-Stance train+val (3 targets; binary; capped per target so it does not swamp the rest)
* VAST dev (NYT comments, ~500 topic phrases; grouped into ``vast_folds`` topic folds)
* Multi-Target stance (4 targets, 2016 election)
* VaccineLies (69 claims, COVID-19 / HPV; grouped into ``claim_folds`` claim folds)
* TweetEval sentiment train/val tweets (off-topic posts for ``neutral`` pairs / the off-topic rate)
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from brandfit.features.value_pairs import TWEETEVAL_VALUE_TEXTS

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parent.parent / "shared" / "data"

LABELS = {"favor": "supports", "against": "opposes", "none": "neutral"}
TWEETEVAL_TARGETS = tuple(TWEETEVAL_VALUE_TEXTS)
#: entity group of each named target (so one target is held out in every data set)
ENTITY = {
    "Donald Trump": "trump",
    "Joe Biden": "biden",
    "Bernie Sanders": "sanders",
    "Hilary Clinton": "hillary",
    "Ted Cruz": "cruz",
}
#: brand values for the off-topic rate (never in any training data)
BRAND_VALUES = (
    "animal welfare",
    "body positivity",
    "clean energy",
    "LGBTQ+ inclusion",
    "responsible drinking",
    "sustainable fashion",
    "electric vehicles",
    "pet adoption",
    "veganism",
    "mental health awareness",
)


@dataclass(frozen=True)
class Row:
    """One labelled (post, value) pair."""

    text: str
    value: str
    label: str
    group: str
    source: str


def norm_key(text: str) -> str:
    """Overlap key: lower case, URLs dropped, @mentions -> @user, #SemST and punctuation dropped."""
    text = text.lower()
    text = re.sub(r"https?://\S+|www\.\S+", " ", text)
    text = re.sub(r"@\w+", "@user", text)
    text = text.replace("#semst", " ")
    text = re.sub(r"[^\w@ ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _clean_tweeteval(text: str) -> str:
    return re.sub(r"#SemST\b", "", text).strip()


def tweeteval_stance(shared: Path, splits: tuple[str, ...]) -> list[Row]:
    """TweetEval stance rows of ``splits``; value = the target's full wording."""
    rows = []
    for target in TWEETEVAL_TARGETS:
        for split in splits:
            for rec in _jsonl(
                shared / "tweeteval" / "jsonl" / "stance" / target / f"{split}.jsonl"
            ):
                text = _clean_tweeteval(str(rec["text"]))
                if text:
                    label = LABELS[str(rec["label_name"])]
                    rows.append(Row(text, target, label, target, "tweeteval"))
    return rows


def _digest_bucket(key: str, k: int) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % k


def pstance(shared: Path, cap_per_target: int) -> list[Row]:
    """P-Stance train+val, at most ``cap_per_target`` rows per target (a fixed hash sample)."""
    by_target: dict[str, list[Row]] = {}
    for split in ("train", "val"):
        for rec in _csv(shared / "stance_multi" / "pstance" / f"{split}.csv"):
            target = rec["target"]
            row = Row(rec["text"].strip(), target, LABELS[rec["label"]], ENTITY[target], "pstance")
            by_target.setdefault(target, []).append(row)
    rows = []
    for target_rows in by_target.values():
        ranked = sorted(target_rows, key=lambda r: hashlib.sha1(r.text.encode()).hexdigest())
        rows += ranked[:cap_per_target]
    return rows


def vast(shared: Path, folds: int) -> list[Row]:
    """VAST dev rows; topics hashed into ``folds`` groups (``vast0`` ...)."""
    return [
        Row(
            rec["text"].strip(),
            rec["target"].strip(),
            LABELS[rec["label"]],
            f"vast{_digest_bucket(rec['target'].strip().lower(), folds)}",
            "vast",
        )
        for rec in _csv(shared / "stance_multi" / "vast" / "dev.csv")
    ]


def multitarget(shared: Path) -> list[Row]:
    """Multi-Target stance rows (one per tweet and target)."""
    return [
        Row(
            rec["text"].strip(),
            rec["target"],
            LABELS[rec["label"]],
            ENTITY[rec["target"]],
            "multitarget",
        )
        for rec in _csv(shared / "stance_multi" / "multitarget_stance" / "all.csv")
    ]


def vaccinelies(shared: Path, folds: int) -> list[Row]:
    """VaccineLies rows; claims hashed into ``folds`` groups (``claims0`` ...)."""
    return [
        Row(
            rec["text"].strip(),
            rec["target"].strip(),
            LABELS[rec["label"]],
            f"claims{_digest_bucket(rec['target'].strip(), folds)}",
            "vaccinelies",
        )
        for rec in _csv(shared / "stance_multi" / "vaccinelies" / "all.csv")
    ]


def sentiment_tweets(shared: Path, split: str) -> list[str]:
    """TweetEval sentiment tweets of ``split`` (posts about nothing in particular, mostly)."""
    path = shared / "tweeteval" / "jsonl" / "sentiment" / f"{split}.jsonl"
    return [str(rec["text"]).strip() for rec in _jsonl(path) if str(rec["text"]).strip()]


def stance_rows(
    shared: Path, pstance_cap: int = 1500, vast_folds: int = 5, claim_folds: int = 4
) -> list[Row]:
    """Every on-topic training row (train/val splits only), test-overlapping texts dropped."""
    rows = (
        tweeteval_stance(shared, ("train", "val"))
        + pstance(shared, pstance_cap)
        + vast(shared, vast_folds)
        + multitarget(shared)
        + vaccinelies(shared, claim_folds)
    )
    banned = {norm_key(r.text) for r in tweeteval_stance(shared, ("test",))}
    kept = [r for r in rows if r.text and norm_key(r.text) not in banned]
    dropped = len(rows) - len(kept)
    if dropped:
        print(f"  dropped {dropped} training row(s) whose text is in TweetEval stance test")
    return kept
