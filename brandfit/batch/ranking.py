"""``--brand``: rank every creator of the archive with the scoring package's score cards.

Batch does no scoring of its own. Scoring needs each creator's post texts (it runs
the heads with the brand's values as targets and matches brand and competitor
aliases), so at the end of a job the valid posts are streamed once more from the
inputs and spilled into hash buckets by author under ``OUT/_ranking/``; each bucket
is then loaded alone (memory ~ archive / buckets), its creators are scored with
:func:`brandfit.scoring.rank_influencers`, and the flat rows are ranked globally.

A creator is ``handle`` = author, ``followers`` = the largest follower count seen on
their posts (0 if none), ``platform`` = ``"unknown"``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from brandfit.batch.sources import METRICS, ColumnMap, iter_chunks
from brandfit.errors import InvalidInputError
from brandfit.predict import Predictor

ROWS_PER_BUCKET = 100_000
_POST_METRICS = ("likes", "comments", "shares", "views")


def check_brand(path: Path, predictor: Predictor | None = None) -> Any:
    """Load the brand profile at ``path`` and validate it (against the models too, when given)."""
    from brandfit.scoring import load_brand
    from brandfit.scoring.resolve import resolve_brand

    brand = load_brand(path)
    if predictor is not None:
        resolve_brand(brand, predictor.models)  # unknown niches, values, flags -> clear error now
    return brand


def _bucket_count(rows: int) -> int:
    return max(1, min(4096, rows // ROWS_PER_BUCKET + 1))


def _spill(
    files: Sequence[Path],
    columns: ColumnMap,
    chunk_size: int,
    max_chars: int,
    folder: Path,
    buckets: int,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    handles = [
        (folder / f"bucket-{i:04d}.jsonl").open("w", encoding="utf-8") for i in range(buckets)
    ]
    try:
        for chunk in iter_chunks(files, columns, chunk_size, max_chars):
            frame = chunk.frame[chunk.frame["author"].notna()]
            if frame.empty:
                continue
            keys = pd.util.hash_array(frame["author"].astype(str).to_numpy(dtype=object)) % buckets
            for key, row in zip(keys, frame.itertuples(index=False), strict=True):
                record = {"author": row.author, "id": row.id, "text": row.text}
                for metric in METRICS:
                    value = getattr(row, metric)
                    record[metric] = None if pd.isna(value) else int(value)
                handles[int(key)].write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        for handle in handles:
            handle.close()


def _influencers(path: Path) -> list[dict[str, Any]]:
    creators: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            post = json.loads(line)
            creator = creators.setdefault(
                post["author"],
                {"handle": post["author"], "platform": "unknown", "followers": 0, "posts": []},
            )
            if post.get("followers") is not None:
                creator["followers"] = max(creator["followers"], post["followers"])
            item = {"id": post["id"], "text": post["text"]}
            item.update({m: post[m] for m in _POST_METRICS if post.get(m) is not None})
            creator["posts"].append(item)
    return [creators[name] for name in sorted(creators)]


def _score(
    influencers: list[dict[str, Any]],
    brand: Any,
    predictor: Predictor,
    errors: list[dict[str, str]],
) -> list[dict[str, Any]]:
    from brandfit.scoring import rank_influencers

    try:
        cards = list(rank_influencers(influencers, brand, models=predictor))
    except InvalidInputError:  # find the creators that fail, keep the rest
        cards = []
        for influencer in influencers:
            try:
                cards += list(rank_influencers([influencer], brand, models=predictor))
            except InvalidInputError as exc:
                errors.append({"author": influencer["handle"], "error": str(exc)})
    rows = []
    for card in cards:
        row = card.row()
        row["card"] = json.dumps(card.to_dict(), ensure_ascii=False, default=str)
        rows.append(row)
    return rows


def rank_authors(
    brand_path: Path,
    files: Sequence[Path],
    columns: ColumnMap,
    chunk_size: int,
    max_chars: int,
    scored: int,
    workdir: Path,
    predictor: Predictor,
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Every creator's score card row, best first with ``rank``; plus creators that could not be scored."""
    brand = check_brand(brand_path)
    buckets = _bucket_count(scored)
    shutil.rmtree(workdir, ignore_errors=True)
    errors: list[dict[str, str]] = []
    rows: list[dict[str, Any]] = []
    try:
        _spill(files, columns, chunk_size, max_chars, workdir, buckets)
        for i in range(buckets):
            influencers = _influencers(workdir / f"bucket-{i:04d}.jsonl")
            if influencers:
                rows += _score(influencers, brand, predictor, errors)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(
            {
                "rank": pd.Series([], dtype="int64"),
                "handle": pd.Series([], dtype=object),
                "score": pd.Series([], dtype="float64"),
            }
        ), errors
    frame = frame.sort_values(
        ["score", "handle"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    frame["rank"] = range(1, len(frame) + 1)
    return frame, errors
