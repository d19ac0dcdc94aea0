"""``score_influencer`` and ``rank_influencers``: creators -> evidence-backed score cards.

Each creator's posts are scored once by every loaded head (the brand's known values
as alignment targets) and matched once against the brand's lexicon (brand and
competitor aliases, custom value terms, disclosure terms); the components in
:mod:`brandfit.scoring.components` and :mod:`brandfit.scoring.audience` read those
results, and :func:`brandfit.scoring.aggregate.combine` makes the score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from brandfit.errors import InvalidInputError
from brandfit.persistence.registry import LoadedModels, ModelRegistry
from brandfit.predict import Predictor, is_weak_signal
from brandfit.scoring import disclosure
from brandfit.scoring.aggregate import combine
from brandfit.scoring.audience import audience_component, engagement_component
from brandfit.scoring.components import (
    WEAK_SIGNAL_WEIGHT,
    niche_component,
    safety_component,
    sentiment_component,
    values_component,
)
from brandfit.scoring.profile import BrandProfile, InfluencerIn, parse_brand, parse_influencer
from brandfit.scoring.resolve import ResolvedBrand, resolve_brand
from brandfit.scoring.results import Component, Coverage, Ranking, ScoreCard
from brandfit.settings import get_settings
from brandfit.text.lexicons import PhraseHit

#: Posts scored per step of ``rank_influencers`` (bounds memory; one progress tick each).
POSTS_PER_STEP = 2000

ModelsArg = Predictor | LoadedModels | ModelRegistry | str | Path | None


@lru_cache(maxsize=2)
def _load(models_dir: str) -> Predictor:
    return Predictor.from_dir(models_dir)


def as_predictor(models: ModelsArg = None) -> Predictor:
    """Return a predictor from whatever the caller has; ``None`` loads (once) the configured models dir."""
    if isinstance(models, Predictor):
        return models
    if isinstance(models, LoadedModels):
        return Predictor(models)
    if isinstance(models, ModelRegistry):
        return Predictor(models.models)
    return _load(str(Path(models) if models is not None else get_settings().models_dir))


def _card(
    influencer: InfluencerIn,
    brand: ResolvedBrand,
    preds: list[dict[str, Any]],
    hits: list[list[PhraseHit]],
    predictor: Predictor,
) -> ScoreCard:
    models = predictor.models
    posts = influencer.posts
    flags = [p.get("flags", []) for p in preds]
    w = [WEAK_SIGNAL_WEIGHT if f else 1.0 for f in flags]
    profile = brand.profile
    engagement, with_metrics = engagement_component(influencer, profile.engagement)
    components: dict[str, Component] = {
        "niche": niche_component(brand, posts, preds, w, models),
        "values": values_component(brand, posts, preds, hits, w, models),
        "safety": safety_component(brand, posts, preds, w, models),
        "brand_sentiment": sentiment_component("brand", posts, preds, hits, w, models),
        "competitor_sentiment": sentiment_component("competitor", posts, preds, hits, w, models),
        "engagement": engagement,
        "audience": audience_component(profile.target_audience, influencer.audience),
    }
    score: float | None
    score, used = combine(components, profile.weights)
    reason = _not_scorable(flags)
    if reason is not None:
        score = None
    negative = ["negative" in p.get("sentiment", {}).get("labels", []) for p in preds]
    checks = [
        disclosure.check_post(p.id, p.text, h, neg)
        for p, h, neg in zip(posts, hits, negative, strict=True)
    ]
    flag_counts = Counter(f for fs in flags for f in fs)
    coverage = Coverage(
        posts=len(posts),
        posts_scored=len(preds),
        weak_signal_posts=sum(bool(f) for f in flags),
        weak_signal_flags=dict(sorted(flag_counts.items())),
        posts_with_metrics=with_metrics,
        brand_mentions=int(components["brand_sentiment"].detail.get("mentions", 0)),
        competitor_mentions=int(components["competitor_sentiment"].detail.get("mentions", 0)),
    )
    settings = profile.engagement.model_dump()
    return ScoreCard(
        handle=influencer.handle,
        platform=influencer.platform,
        followers=influencer.followers,
        score=score,
        components=components,
        weights=used,
        combine=profile.weights.combine,
        disclosure=disclosure.summarize(checks),
        coverage=coverage,
        engagement_settings=settings,
        model_versions=dict(predictor.versions),
        brand=profile.name,
        scorable=reason is None,
        not_scorable=reason,
    )


def _groups(
    influencers: Sequence[InfluencerIn], posts_per_group: int
) -> Iterable[Sequence[InfluencerIn]]:
    """Consecutive creators holding about ``posts_per_group`` posts (at least one creator)."""
    group: list[InfluencerIn] = []
    posts = 0
    for influencer in influencers:
        group.append(influencer)
        posts += len(influencer.posts)
        if posts >= posts_per_group:
            yield group
            group, posts = [], 0
    if group:
        yield group


def _not_scorable(flags: list[list[str]]) -> str | None:
    """Why none of a creator's posts can be scored, or None if one can (or none was given).

    A creator sent without posts is scored on numbers only (documented); one whose every
    post is empty, wordless or not English gets no score rather than a misleading one.
    """
    if not flags or any(not is_weak_signal(f) for f in flags):
        return None
    counts = Counter(f for fs in flags for f in fs if is_weak_signal([f]))
    detail = ", ".join(f"{flag} {n}" for flag, n in sorted(counts.items()))
    return f"not scorable: none of the {len(flags)} posts can be scored ({detail})"


def _score_all(
    influencers: Sequence[InfluencerIn],
    brand: BrandProfile,
    predictor: Predictor,
    on_progress: Callable[[int], None] | None = None,
) -> list[ScoreCard]:
    resolved = resolve_brand(brand, predictor.models)
    cards = []
    for group in _groups(influencers, POSTS_PER_STEP):
        texts = [post.text for inf in group for post in inf.posts]
        ids = [post.id for inf in group for post in inf.posts]
        preds = predictor.predict(texts, ids=ids, targets=resolved.known_values) if texts else []
        hits = resolved.lexicon.match(texts)
        start = 0
        for influencer in group:
            end = start + len(influencer.posts)
            cards.append(_card(influencer, resolved, preds[start:end], hits[start:end], predictor))
            start = end
        if on_progress is not None:
            on_progress(len(texts))
    return cards


def score_influencer(
    influencer: InfluencerIn | dict[str, Any],
    brand: BrandProfile | dict[str, Any],
    models: ModelsArg = None,
) -> ScoreCard:
    """Score one creator against a brand.

    Parameters
    ----------
    influencer, brand
        Validated models or plain dicts (validated here; bad input raises ``InvalidInputError``).
    models
        A ``Predictor``, ``LoadedModels``, ``ModelRegistry`` or models directory;
        ``None`` uses ``BRANDFIT_MODELS_DIR`` / the shipped ``models/``.
    """
    predictor = as_predictor(models)
    return _score_all([parse_influencer(influencer)], parse_brand(brand), predictor)[0]


def rank_influencers(
    influencers: Iterable[InfluencerIn | dict[str, Any]],
    brand: BrandProfile | dict[str, Any],
    models: ModelsArg = None,
    top: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Ranking:
    """Score every creator and rank them, best first (ties broken by handle).

    Returns a :class:`Ranking`; ``.to_frame()`` gives one row per creator.
    ``on_progress(n)`` is called as each group of about :data:`POSTS_PER_STEP` posts is scored.
    """
    predictor = as_predictor(models)
    parsed = [parse_influencer(item, f"influencers[{i}]") for i, item in enumerate(influencers)]
    handles = Counter(inf.handle for inf in parsed)
    duplicates = sorted(h for h, n in handles.items() if n > 1)
    if duplicates:
        raise InvalidInputError(f"duplicate influencer handle(s): {', '.join(duplicates)}")
    cards = _score_all(parsed, parse_brand(brand), predictor, on_progress)
    cards.sort(key=lambda c: (c.score is None, -(c.score or 0.0), c.handle))  # unscorable last
    if top is not None:
        cards = cards[:top]
    return Ranking([_with_rank(card, i + 1) for i, card in enumerate(cards)])


def _with_rank(card: ScoreCard, rank: int) -> ScoreCard:
    return replace(card, rank=rank)
