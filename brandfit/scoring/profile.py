"""What a brand asks for (``BrandProfile``) and what a creator brings (``InfluencerIn``).

Both are strict pydantic models (unknown fields are errors) shared by the library,
the CLI and the HTTP API. Names that depend on the loaded models (niche labels,
alignment values, safety flags) are checked later, against those models, by
:func:`brandfit.scoring.resolve.resolve_brand`.
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from brandfit.errors import InvalidInputError

Sensitivity = Literal["floor", "high", "medium", "low"]
EngagementFormula = Literal["per_follower", "per_view"]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
#: Audience shares per dimension, e.g. ``{"country": {"US": 0.6}, "age": {"18-24": 0.4}}``.
Audience = dict[
    Annotated[str, Field(min_length=1, max_length=50)],
    dict[Annotated[str, Field(min_length=1, max_length=50)], Share],
]

COMPONENTS: tuple[str, ...] = (
    "niche",
    "values",
    "safety",
    "brand_sentiment",
    "competitor_sentiment",
    "engagement",
    "audience",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_audience(audience: Audience | None) -> Audience | None:
    for dimension, shares in (audience or {}).items():
        if sum(shares.values()) > 1.0 + 1e-6:
            raise ValueError(f"audience shares of {dimension!r} add up to more than 1")
    return audience


class CustomValue(_Strict):
    """A value described in words: judged by the alignment head, terms as extra evidence."""

    name: Name = Field(
        description="Value name, shown in the score card.", examples=["sustainability"]
    )
    description: Annotated[str, Field(min_length=1, max_length=300)] | None = Field(
        None,
        description="One line saying what the value means (embedded with the name).",
        examples=["buying less, secondhand and recycled"],
    )
    examples: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list,
        max_length=20,
        description="A few posts that support the value (move its meaning toward them).",
    )
    terms: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list,
        max_length=200,
        description="Words or phrases that signal support (matched case-insensitively; extra evidence).",
        examples=[["recycled", "zero waste", "thrifted"]],
    )


class AvoidFlag(_Strict):
    """A safety flag the brand will not tolerate, and from which risk level on."""

    flag: Name = Field(description="A label of the loaded safety head.", examples=["hate"])
    sensitivity: Sensitivity = Field(
        "medium",
        description="Lowest risk level the brand avoids: 'floor' avoids only floor-level posts, 'low' avoids every flagged post.",
    )


class EngagementSettings(_Strict):
    """How engagement is measured; recorded in every score card."""

    formula: EngagementFormula = Field(
        "per_follower",
        description="'per_follower': (likes+comments+shares)/followers; 'per_view': (likes+comments+shares)/views.",
    )
    tiers: dict[str, Annotated[int, Field(ge=1)]] = Field(
        default_factory=lambda: {
            "nano": 10_000,
            "micro": 50_000,
            "mid": 500_000,
            "macro": 1_000_000,
        },
        description="Upper follower bound (exclusive) of each tier, ascending; above the last one is 'mega'.",
    )
    benchmark_rate: float = Field(
        0.03,
        gt=0,
        le=1,
        description="Engagement rate that scores 0.5 (value = rate / (rate + benchmark)).",
    )

    @field_validator("tiers")
    @classmethod
    def _ascending(cls, tiers: dict[str, int]) -> dict[str, int]:
        bounds = list(tiers.values())
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValueError("tier bounds must be strictly ascending")
        if "mega" in tiers:
            raise ValueError("'mega' is the open-ended top tier; do not give it a bound")
        return tiers


class Weights(_Strict):
    """Relative weight of each component in the overall score (normalised to sum to 1)."""

    niche: float = Field(3.0, ge=0, le=100)
    values: float = Field(2.0, ge=0, le=100)
    safety: float = Field(3.0, ge=0, le=100)
    brand_sentiment: float = Field(2.0, ge=0, le=100)
    competitor_sentiment: float = Field(1.0, ge=0, le=100)
    engagement: float = Field(2.0, ge=0, le=100)
    audience: float = Field(1.0, ge=0, le=100)
    combine: Literal["geometric", "arithmetic"] = Field(
        "geometric",
        description="'geometric' (default): one very poor component pulls the score down; 'arithmetic': plain weighted mean.",
    )

    @model_validator(mode="after")
    def _not_all_zero(self) -> Weights:
        if not any(getattr(self, c) > 0 for c in COMPONENTS):
            raise ValueError("at least one component weight must be positive")
        return self

    def of(self, component: str) -> float:
        """Return the weight of ``component``."""
        return float(getattr(self, component))


class BrandProfile(_Strict):
    """A brand's brief: who it is, which niches and values it wants, what it avoids."""

    name: Name = Field(description="Brand name.", examples=["Loop Athletics"])
    aliases: list[Name] = Field(
        default_factory=list,
        max_length=50,
        description="Names, @handles and #hashtags that mean the brand.",
        examples=[["Loop", "@loopathletics", "#loopfit"]],
    )
    competitors: dict[Name, list[Name]] | list[Name] = Field(
        default_factory=list,
        description="Competitor names (a list) or {competitor: [aliases]}.",
        examples=[["Strive", "@strivewear"]],
    )
    niches: list[Name] = Field(
        default_factory=list,
        max_length=30,
        description="Labels of the niche head the brand wants.",
        examples=[["fitness_&_health"]],
    )
    values: list[Name | CustomValue] = Field(
        default_factory=list,
        max_length=30,
        description="Known alignment values (strings) or custom values defined by terms.",
        examples=[["climate", {"name": "sustainability", "terms": ["recycled", "zero waste"]}]],
    )
    avoid: list[Name | AvoidFlag] | None = Field(
        None,
        max_length=20,
        description="Safety flags to avoid (default: every flag of the safety head at 'medium').",
        examples=[["hate", {"flag": "offensive", "sensitivity": "high"}]],
    )
    target_audience: Audience | None = Field(
        None,
        description="Target audience shares per dimension.",
        examples=[{"country": {"US": 0.7, "GB": 0.3}}],
    )
    weights: Weights = Field(default_factory=Weights)
    engagement: EngagementSettings = Field(default_factory=EngagementSettings)

    @field_validator("target_audience")
    @classmethod
    def _audience_sums(cls, audience: Audience | None) -> Audience | None:
        return _check_audience(audience)

    def competitor_aliases(self) -> dict[str, list[str]]:
        """``{competitor: [aliases]}`` whichever form was given (a name is its own alias)."""
        if isinstance(self.competitors, list):
            return {name: [name] for name in self.competitors}
        return {name: [name, *aliases] for name, aliases in self.competitors.items()}

    def brand_aliases(self) -> list[str]:
        """Return the brand name plus its aliases."""
        return [self.name, *self.aliases]


class PostIn(_Strict):
    """One post of a creator."""

    id: Annotated[str, Field(min_length=1, max_length=200)] | int = Field(
        description="Post id (echoed in evidence).", examples=["p1"]
    )
    text: str = Field(description="Post text or caption.", examples=["Leg day done 💪 #fitness"])
    created_at: datetime | None = Field(None, description="When it was posted (ISO 8601).")
    likes: int | None = Field(None, ge=0)
    comments: int | None = Field(None, ge=0)
    shares: int | None = Field(None, ge=0)
    views: int | None = Field(None, ge=0)


class InfluencerIn(_Strict):
    """A creator to score: profile, optional audience, and recent posts."""

    handle: Name = Field(description="Creator handle.", examples=["@mia.moves"])
    platform: Name = Field("unknown", description="Platform name.", examples=["instagram"])
    followers: int = Field(ge=0, description="Follower count.", examples=[42_000])
    audience: Audience | None = Field(
        None,
        description="Audience shares per dimension.",
        examples=[{"country": {"US": 0.6, "CA": 0.2}}],
    )
    posts: list[PostIn] = Field(default_factory=list, description="Recent posts.")

    @field_validator("audience")
    @classmethod
    def _audience_sums(cls, audience: Audience | None) -> Audience | None:
        return _check_audience(audience)

    @field_validator("posts")
    @classmethod
    def _unique_ids(cls, posts: list[PostIn]) -> list[PostIn]:
        seen: set[str] = set()
        for post in posts:
            key = str(post.id)
            if key in seen:
                raise ValueError(f"duplicate post id {post.id!r}")
            seen.add(key)
        return posts


def _describe(exc: ValidationError, source: str) -> str:
    problems = [
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]
    ]
    more = f" (+{exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
    return f"{source}: " + "; ".join(problems) + more


def parse_brand(data: Any, source: str = "brand") -> BrandProfile:
    """Validate a brand profile given as a dict (or pass a ``BrandProfile`` through)."""
    if isinstance(data, BrandProfile):
        return data
    try:
        return BrandProfile.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(_describe(exc, source)) from None


def parse_influencer(data: Any, source: str = "influencer") -> InfluencerIn:
    """Validate one influencer given as a dict (or pass an ``InfluencerIn`` through)."""
    if isinstance(data, InfluencerIn):
        return data
    try:
        return InfluencerIn.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(_describe(exc, source)) from None


def load_brand(path: str | Path) -> BrandProfile:
    """Read a brand profile from a ``.json`` or ``.toml`` file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read brand profile ({exc.strerror})") from None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(raw)
        elif path.suffix.lower() == ".json":
            data = json.loads(raw)
        else:
            raise InvalidInputError(f"{path}: brand profile must be .json or .toml")
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInputError(f"{path}: not valid {path.suffix[1:].upper()} ({exc})") from None
    return parse_brand(data, str(path))
