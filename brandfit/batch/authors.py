"""Per-creator aggregates of classified posts (``OUT/authors.parquet``), streamed part by part.

Everything is a sum per author, so parts can be added in any order and memory grows
with the number of authors, not posts. Shares are over the author's scored posts:

- ``posts``, ``weak_signal_posts`` (posts carrying any weak-signal flag);
- ``niche__<label>``: share of posts with that niche label; ``top_niche``;
- ``alignment__<value>__supports`` / ``__opposes``: share of posts taking that stance,
  ``alignment__<value>__net`` = supports - opposes (in [-1, 1]);
- ``safety__<label>``: share of posts flagged; ``sentiment__<label>``: share of posts;
- ``likes``, ``comments``, ``shares``, ``views`` (sums), ``followers`` (largest seen),
  ``engagement_rate``: mean over posts with followers > 0 of
  (likes + comments + shares) / followers, ``engagement_posts``: how many such posts.

Posts without an author are not in the table; the summary counts them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from brandfit.batch.frame import SEP

SUM_METRICS = ("likes", "comments", "shares", "views")
_COMPACT_EVERY = 32


def _label_columns(columns: Iterable[str]) -> list[tuple[str, list[str]]]:
    """``(labels column, labels)`` for every head/value, from the score column names."""
    columns = list(columns)
    out = []
    for name in columns:
        if name.endswith(f"{SEP}labels"):
            prefix = name[: -len("labels")]
            labels = [
                c[len(prefix) :]
                for c in columns
                if c.startswith(prefix) and c != name and SEP not in c[len(prefix) :]
            ]
            out.append((name, labels))
    return out


def part_sums(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-author sums of one classified part (authors with no name are dropped)."""
    frame = frame[frame["author"].notna()]
    sums = pd.DataFrame({"author": frame["author"].astype(str).to_numpy()})
    sums["posts"] = 1
    sums["weak_signal_posts"] = [int(len(flags) > 0) for flags in frame["flags"]]
    for column, labels in _label_columns(frame.columns):
        prefix = column[: -len("labels")]
        decided = frame[column].tolist()
        for label in labels:
            sums[f"{prefix}{label}"] = [int(label in row) for row in decided]
    numbers = {
        m: pd.to_numeric(frame[m], errors="coerce").to_numpy(dtype="float64")
        for m in (*SUM_METRICS, "followers")
    }
    for metric in SUM_METRICS:
        sums[metric] = np.nan_to_num(numbers[metric])
    followers = numbers["followers"]
    interactions = (
        np.nan_to_num(numbers["likes"])
        + np.nan_to_num(numbers["comments"])
        + np.nan_to_num(numbers["shares"])
    )
    has_rate = (followers > 0) & ~(
        np.isnan(numbers["likes"]) & np.isnan(numbers["comments"]) & np.isnan(numbers["shares"])
    )
    sums["engagement_posts"] = has_rate.astype(int)
    sums["engagement_sum"] = np.where(
        has_rate, interactions / np.where(followers > 0, followers, 1), 0.0
    )
    sums["followers"] = np.nan_to_num(followers, nan=-1.0)
    return _group(sums)


def _group(sums: pd.DataFrame) -> pd.DataFrame:
    aggregations = {
        c: ("max" if c == "followers" else "sum") for c in sums.columns if c != "author"
    }
    return sums.groupby("author", sort=True).agg(aggregations)


class AuthorAggregator:
    """Adds classified parts one at a time; :meth:`result` gives the authors table."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []
        self.posts_without_author = 0

    def add(self, frame: pd.DataFrame) -> None:
        """Fold one classified part in."""
        self.posts_without_author += int(frame["author"].isna().sum())
        self._parts.append(part_sums(frame))
        if len(self._parts) >= _COMPACT_EVERY:
            self._compact()

    def _compact(self) -> None:
        if len(self._parts) > 1:
            self._parts = [_group(pd.concat(self._parts).reset_index())]

    def result(self) -> pd.DataFrame:
        """One row per author, sorted by author."""
        self._compact()
        if not self._parts:
            return pd.DataFrame(
                {"author": pd.Series([], dtype=object), "posts": pd.Series([], dtype="int64")}
            )
        sums = self._parts[0]
        posts = sums["posts"].astype("float64")
        out = pd.DataFrame(index=sums.index)
        out["posts"] = sums["posts"].astype("int64")
        out["weak_signal_posts"] = sums["weak_signal_posts"].astype("int64")
        label_cols = [c for c in sums.columns if SEP in c]
        for column in label_cols:
            out[column] = (sums[column] / posts).round(4)
        niche = [c for c in label_cols if c.startswith(f"niche{SEP}")]
        if niche:
            counts = sums[niche].to_numpy()
            best = counts.argmax(axis=1)
            names = [c[len(f"niche{SEP}") :] for c in niche]
            out["top_niche"] = pd.Series(
                [names[b] if counts[i, b] > 0 else None for i, b in enumerate(best)],
                index=sums.index,
                dtype=object,
            )
        for column in [
            c for c in label_cols if c.startswith("alignment") and c.endswith(f"{SEP}supports")
        ]:
            value = column[: -len("supports")]
            out[f"{value}net"] = ((sums[column] - sums.get(f"{value}opposes", 0)) / posts).round(4)
        for metric in SUM_METRICS:
            out[metric] = sums[metric].astype("int64")
        out["followers"] = sums["followers"].astype("int64").where(sums["followers"] >= 0)
        out["followers"] = out["followers"].astype("Int64")
        out["engagement_posts"] = sums["engagement_posts"].astype("int64")
        rate = sums["engagement_sum"] / sums["engagement_posts"].where(sums["engagement_posts"] > 0)
        out["engagement_rate"] = rate.round(6)
        return out.reset_index()
