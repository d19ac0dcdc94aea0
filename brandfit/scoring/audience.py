"""Number components: engagement rate with follower tier, and audience overlap.

Defaults (recorded in every score card under ``engagement_settings``):

* engagement rate of a post = (likes + comments + shares) / followers
  (``formula="per_view"``: divided by the post's views instead); the creator's rate
  is the mean over posts that report any of those counts;
* value = rate / (rate + benchmark_rate), so the benchmark (default 0.03) scores 0.5;
* tiers: nano < 10k, micro < 50k, mid < 500k, macro < 1M, mega >= 1M followers.

Audience overlap per dimension is the share of the brand's target covered by the
creator's audience, sum_k min(target_k, audience_k) / sum_k target_k, averaged over
the dimensions both sides give.
"""

from __future__ import annotations

from collections.abc import Sequence

from brandfit.scoring.profile import Audience, EngagementSettings, InfluencerIn, PostIn
from brandfit.scoring.results import Component


def follower_tier(followers: int, settings: EngagementSettings) -> str:
    """Return the tier whose (exclusive) upper bound is the first above ``followers``; else ``mega``."""
    for tier, bound in settings.tiers.items():
        if followers < bound:
            return tier
    return "mega"


def post_rate(post: PostIn, followers: int, settings: EngagementSettings) -> float | None:
    """Engagement rate of one post, or ``None`` when it reports no counts (or no denominator)."""
    counts = [c for c in (post.likes, post.comments, post.shares) if c is not None]
    if not counts:
        return None
    denominator = post.views if settings.formula == "per_view" else followers
    if not denominator:
        return None
    return sum(counts) / denominator


def engagement_component(
    influencer: InfluencerIn, settings: EngagementSettings
) -> tuple[Component, int]:
    """Engagement component and the number of posts with metrics."""
    tier = follower_tier(influencer.followers, settings)
    rates = [
        r
        for r in (post_rate(p, influencer.followers, settings) for p in influencer.posts)
        if r is not None
    ]
    detail = {
        "tier": tier,
        "followers": influencer.followers,
        "rate": None,
        "posts_with_metrics": len(rates),
        "formula": settings.formula,
    }
    if not rates:
        return Component(None, "no_metrics", [], detail), 0
    rate = sum(rates) / len(rates)
    detail["rate"] = round(rate, 6)
    return Component(round(rate / (rate + settings.benchmark_rate), 4), "ok", [], detail), len(
        rates
    )


def _overlap(target: dict[str, float], audience: dict[str, float]) -> float:
    total = sum(target.values())
    if total <= 0:
        return 0.0
    return sum(min(share, audience.get(key, 0.0)) for key, share in target.items()) / total


def audience_component(target: Audience | None, audience: Audience | None) -> Component:
    """Mean overlap over the dimensions both the brand and the creator give."""
    if not target or not audience:
        return Component(
            None,
            "no_audience",
            [],
            {"given": {"brand": bool(target), "influencer": bool(audience)}},
        )
    dimensions: Sequence[str] = [d for d in target if d in audience]
    if not dimensions:
        return Component(
            None,
            "no_common_dimensions",
            [],
            {"brand": sorted(target), "influencer": sorted(audience)},
        )
    per = {d: round(_overlap(target[d], audience[d]), 4) for d in dimensions}
    return Component(round(sum(per.values()) / len(per), 4), "ok", [], {"per_dimension": per})
