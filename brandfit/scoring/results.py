"""Typed results of scoring: evidence, components, coverage, score cards, rankings.

Plain frozen dataclasses; ``to_dict()`` gives the JSON shape served by the API and
written by ``brandfit score --out x.jsonl``; ``Ranking.to_frame()`` gives one flat
row per creator for notebooks, CSV and Parquet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

#: Evidence items kept per component (the posts that drove it most).
EVIDENCE_K = 3
SNIPPET_CHARS = 80


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """Return the first ``limit`` characters of ``text`` on one line, with an ellipsis if cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Evidence:
    """A post that drove a component, and why."""

    post_id: str | int
    snippet: str
    terms: list[str]
    label: str
    weight: float


@dataclass(frozen=True)
class Component:
    """One score component: a value in [0, 1] (``None`` when there is no evidence)."""

    value: float | None
    status: str
    evidence: list[Evidence] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Coverage:
    """How much of the input the score rests on."""

    posts: int
    posts_scored: int
    weak_signal_posts: int
    weak_signal_flags: dict[str, int]
    posts_with_metrics: int
    brand_mentions: int
    competitor_mentions: int


@dataclass(frozen=True)
class PostDisclosure:
    """Sponsorship disclosure check of one post."""

    post_id: str | int
    status: str
    disclosures: list[str]
    signals: list[str]
    snippet: str


@dataclass(frozen=True)
class ScoreCard:
    """Everything brandfit says about one creator for one brand."""

    handle: str
    platform: str
    followers: int
    score: float | None  # None when not scorable (see ``scorable``), never a fake 0.0
    components: dict[str, Component]
    weights: dict[str, float]
    combine: str
    disclosure: dict[str, Any]
    coverage: Coverage
    engagement_settings: dict[str, Any]
    model_versions: dict[str, str]
    brand: str
    rank: int | None = None
    #: False when no post can be scored (all empty, without words or not English)
    scorable: bool = True
    #: why the creator is not scorable ("not scorable: ..."), None when scorable
    not_scorable: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready nested dict (the API and JSONL shape)."""
        return asdict(self)

    def row(self) -> dict[str, Any]:
        """One flat row: identity, score, each component value, the figures that matter."""
        engagement = self.components["engagement"].detail
        out: dict[str, Any] = {
            "rank": self.rank,
            "handle": self.handle,
            "platform": self.platform,
            "followers": self.followers,
            "tier": engagement.get("tier"),
            "engagement_rate": engagement.get("rate"),
            "score": self.score,
            "scorable": self.scorable,
        }
        for name, component in self.components.items():
            out[name] = component.value
        out["posts"] = self.coverage.posts
        out["weak_signal_posts"] = self.coverage.weak_signal_posts
        out["brand_mentions"] = self.coverage.brand_mentions
        out["flagged_posts"] = len(self.components["safety"].detail.get("flagged", []))
        counts = self.disclosure.get("counts", {})
        out["likely_undisclosed"] = counts.get("likely_undisclosed", 0)
        out["buried_or_ambiguous"] = counts.get("buried", 0) + counts.get("ambiguous", 0)
        out["model_versions"] = ",".join(f"{k}={v}" for k, v in sorted(self.model_versions.items()))
        return out


@dataclass(frozen=True)
class Ranking:
    """Score cards, best first, each with its 1-based ``rank``."""

    cards: list[ScoreCard]

    def __len__(self) -> int:
        return len(self.cards)

    def __iter__(self) -> Any:
        return iter(self.cards)

    def __getitem__(self, index: int) -> ScoreCard:
        return self.cards[index]

    def to_frame(self) -> pd.DataFrame:
        """One row per creator (see :meth:`ScoreCard.row`), best first."""
        rows = [card.row() for card in self.cards]
        return pd.DataFrame(rows, columns=None if rows else ["rank", "handle", "score"])

    def to_dicts(self) -> list[dict[str, Any]]:
        """Return the score cards as JSON-ready dicts."""
        return [card.to_dict() for card in self.cards]
