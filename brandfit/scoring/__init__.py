"""Influencer scoring against a brand profile: components with evidence, score, ranking."""

from __future__ import annotations

from brandfit.scoring.profile import (
    BrandProfile,
    InfluencerIn,
    PostIn,
    load_brand,
    parse_brand,
    parse_influencer,
)
from brandfit.scoring.rank import rank_influencers, score_influencer
from brandfit.scoring.results import Component, Coverage, Evidence, Ranking, ScoreCard

__all__ = [
    "BrandProfile",
    "Component",
    "Coverage",
    "Evidence",
    "InfluencerIn",
    "PostIn",
    "Ranking",
    "ScoreCard",
    "load_brand",
    "parse_brand",
    "parse_influencer",
    "rank_influencers",
    "score_influencer",
]
