"""Request and response schemas of the HTTP API.

Requests are strict (``extra="forbid"``); the brand and influencer shapes are the
library's own :class:`~brandfit.scoring.profile.BrandProfile` and
:class:`~brandfit.scoring.profile.InfluencerIn`. Size limits depend on settings, so
they are checked by :mod:`brandfit.api.limits` (422 with the field path) rather
than frozen into the schema.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from brandfit.scoring.profile import BrandProfile, InfluencerIn

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
PostId = Annotated[str, Field(min_length=1, max_length=200)] | int


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PostText(_Request):
    """A post to classify."""

    id: PostId | None = Field(
        None, description="Echoed back; defaults to the post's position.", examples=["p1"]
    )
    text: str = Field(
        description="Post text (at most BRANDFIT_MAX_TEXT_CHARS characters).",
        examples=["Leg day done 💪 #fitness"],
    )


class PredictRequest(_Request):
    """Posts to classify, optionally for a brand and/or explicit alignment values."""

    posts: list[PostText] = Field(description="At most BRANDFIT_MAX_POSTS_PER_REQUEST posts.")
    brand: BrandProfile | None = Field(
        None, description="If given, its known values are added to `targets` (names are checked)."
    )
    targets: list[Annotated[str, Field(min_length=1, max_length=300)]] | None = Field(
        None,
        max_length=20,
        description="Alignment values to score (default: every value the head knows, or the brand's).",
        examples=[["climate"]],
    )


class ScoreRequest(_Request):
    """One creator against one brand."""

    brand: BrandProfile
    influencer: InfluencerIn


class RankRequest(_Request):
    """Creators to rank against one brand."""

    brand: BrandProfile
    influencers: list[InfluencerIn] = Field(
        description="At most BRANDFIT_MAX_INFLUENCERS_PER_RANK creators, unique handles."
    )


# -- responses ---------------------------------------------------------------------


class HeadOutput(BaseModel):
    """Decided labels and the probability of every label."""

    labels: list[str]
    scores: dict[str, Probability]


class Prediction(BaseModel):
    """One post's prediction: the shape ``brandfit predict`` prints."""

    id: PostId
    niche: HeadOutput | None = None
    safety: HeadOutput | None = None
    sentiment: HeadOutput | None = None
    alignment: dict[str, HeadOutput] | None = None
    flags: list[str] = Field(
        description="Weak-signal flags: empty_text, no_signal, non_english, low_coverage."
    )
    weak_signal: bool = Field(
        False,
        description="True for empty_text, no_signal or non_english: no head gives labels; "
        "the scores are shown but are not a decision.",
    )
    model_versions: dict[str, str]


class PredictResponse(BaseModel):
    """Predictions in input order and the versions that made them."""

    predictions: list[Prediction]
    model_versions: dict[str, str]


class EvidenceOut(BaseModel):
    """A post that drove a component."""

    post_id: PostId
    snippet: str
    terms: list[str]
    label: str
    weight: float


class ComponentOut(BaseModel):
    """A component value in [0, 1] (null when there is no evidence) with its evidence."""

    value: Probability | None
    status: str = Field(
        description="ok, not_requested, no_posts, no_mentions, no_metrics, no_audience, no_common_dimensions or no_model."
    )
    evidence: list[EvidenceOut]
    detail: dict[str, Any]


class CoverageOut(BaseModel):
    """How much of the input the score rests on."""

    posts: int
    posts_scored: int
    weak_signal_posts: int
    weak_signal_flags: dict[str, int]
    posts_with_metrics: int
    brand_mentions: int
    competitor_mentions: int


class PostDisclosureOut(BaseModel):
    """Disclosure verdict of one post."""

    post_id: PostId
    status: str = Field(description="clear, buried, ambiguous, likely_undisclosed or none.")
    disclosures: list[str]
    signals: list[str]
    snippet: str


class DisclosureOut(BaseModel):
    """Disclosure check over a creator's posts."""

    fold_chars: int
    sponsored_posts: int
    counts: dict[str, int]
    posts: list[PostDisclosureOut]


class ScoreCardOut(BaseModel):
    """Score card: overall score (0–100), components with evidence, disclosure, coverage, versions."""

    handle: str
    platform: str
    followers: int
    score: Annotated[float, Field(ge=0, le=100)] | None = Field(
        description="0–100; null when the creator is not scorable (see not_scorable)."
    )
    components: dict[str, ComponentOut]
    weights: dict[str, float]
    combine: str
    disclosure: DisclosureOut
    coverage: CoverageOut
    engagement_settings: dict[str, Any]
    model_versions: dict[str, str]
    brand: str
    rank: int | None
    scorable: bool = Field(
        True, description="False when no post can be scored (all empty_text/no_signal/non_english)."
    )
    not_scorable: str | None = Field(
        None, description='Why not: "not scorable: none of the 3 posts can be scored (...)".'
    )


class RankResponse(BaseModel):
    """Score cards, best first, each with its rank."""

    ranking: list[ScoreCardOut]


class ModelsResponse(BaseModel):
    """The loaded heads: each head's manifest (versions, labels, metrics, config) as on disk."""

    model_versions: dict[str, str]
    heads: dict[str, dict[str, Any]]


class Liveness(BaseModel):
    """The process is up."""

    status: str


class Readiness(BaseModel):
    """Whether verified models are loaded and warm."""

    status: str
    model_versions: dict[str, str] | None = None
    reason: str | None = None


class ReloadResponse(BaseModel):
    """Outcome of a reload: the versions now serving (old ones if it failed) and why it failed."""

    reloaded: bool
    model_versions: dict[str, str]
    previous_versions: dict[str, str] | None = None
    error: str | None = None


class ErrorItem(BaseModel):
    """One problem with a request."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorResponse(BaseModel):
    """422: every problem with its field path."""

    detail: list[ErrorItem]


class ErrorResponse(BaseModel):
    """4xx/5xx other than 422."""

    detail: str
