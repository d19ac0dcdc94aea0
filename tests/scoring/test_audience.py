from __future__ import annotations

import pytest

from brandfit.scoring.audience import audience_component, engagement_component, follower_tier
from brandfit.scoring.profile import EngagementSettings, InfluencerIn


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (0, "nano"),
        (9_999, "nano"),
        (10_000, "micro"),
        (49_999, "micro"),
        (50_000, "mid"),
        (499_999, "mid"),
        (500_000, "macro"),
        (999_999, "macro"),
        (1_000_000, "mega"),
    ],
)
def test_audience_follower_tiers_match_the_documented_cutoffs(followers: int, tier: str) -> None:
    assert follower_tier(followers, EngagementSettings()) == tier


def test_audience_engagement_rate_is_interactions_per_follower_by_default() -> None:
    influencer = InfluencerIn(
        handle="a",
        followers=1000,
        posts=[
            {"id": 1, "text": "x", "likes": 40, "comments": 15, "shares": 5},
            {"id": 2, "text": "y", "likes": 20},
            {"id": 3, "text": "z"},
        ],
    )
    component, with_metrics = engagement_component(influencer, EngagementSettings())
    assert with_metrics == 2
    assert component.detail["rate"] == pytest.approx((0.06 + 0.02) / 2)
    assert component.value == pytest.approx(0.04 / (0.04 + 0.03), abs=1e-4)
    assert component.detail["tier"] == "nano"


def test_audience_engagement_per_view_and_no_metrics() -> None:
    influencer = InfluencerIn(
        handle="a", followers=1000, posts=[{"id": 1, "text": "x", "likes": 10, "views": 100}]
    )
    component, _ = engagement_component(influencer, EngagementSettings(formula="per_view"))
    assert component.detail["rate"] == pytest.approx(0.1)
    bare = InfluencerIn(handle="a", followers=0, posts=[{"id": 1, "text": "x", "likes": 10}])
    component, n = engagement_component(bare, EngagementSettings())
    assert component.value is None and component.status == "no_metrics" and n == 0


def test_audience_overlap_is_share_of_target_covered() -> None:
    target = {"country": {"US": 0.6, "GB": 0.4}, "age": {"18-24": 1.0}}
    audience = {"country": {"US": 0.3, "GB": 0.5}, "gender": {"f": 0.7}}
    component = audience_component(target, audience)
    assert component.value == pytest.approx(0.7)
    assert component.detail["per_dimension"] == {"country": 0.7}


def test_audience_overlap_needs_both_sides() -> None:
    assert audience_component({"country": {"US": 1.0}}, None).status == "no_audience"
    assert (
        audience_component({"country": {"US": 1.0}}, {"age": {"18-24": 1.0}}).status
        == "no_common_dimensions"
    )
