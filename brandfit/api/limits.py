"""Request size limits from settings, answered as 422 with the field path.

Limits live in settings (so operators can change them), not in the schema; each
check raises FastAPI's ``RequestValidationError`` shaped like pydantic's own errors.
A value at the limit passes; one over it fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError

from brandfit.scoring.profile import InfluencerIn
from brandfit.settings import Settings

Loc = tuple[str | int, ...]


def _too_many(loc: Loc, n: int, limit: int, what: str) -> dict[str, Any]:
    return {"loc": loc, "msg": f"at most {limit} {what} per request, got {n}", "type": "too_long"}


def _texts(errors: list[dict[str, Any]], posts: Sequence[Any], loc: Loc, max_chars: int) -> None:
    for i, post in enumerate(posts):
        if len(post.text) > max_chars:
            errors.append(
                {
                    "loc": (*loc, i, "text"),
                    "msg": f"text has {len(post.text)} characters; the limit is {max_chars}",
                    "type": "string_too_long",
                }
            )


def _raise(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise RequestValidationError(errors[:20])


def check_posts(posts: Sequence[Any], settings: Settings) -> None:
    """``/v1/predict``: number of posts and length of each text."""
    errors: list[dict[str, Any]] = []
    if len(posts) > settings.max_posts_per_request:
        errors.append(
            _too_many(("body", "posts"), len(posts), settings.max_posts_per_request, "posts")
        )
    else:
        _texts(errors, posts, ("body", "posts"), settings.max_text_chars)
    _raise(errors)


def _influencer(
    errors: list[dict[str, Any]], influencer: InfluencerIn, loc: Loc, settings: Settings
) -> None:
    if len(influencer.posts) > settings.max_posts_per_influencer:
        errors.append(
            _too_many(
                (*loc, "posts"),
                len(influencer.posts),
                settings.max_posts_per_influencer,
                "posts per influencer",
            )
        )
    else:
        _texts(errors, influencer.posts, (*loc, "posts"), settings.max_text_chars)


def check_influencer(influencer: InfluencerIn, settings: Settings) -> None:
    """``/v1/score``: posts of the influencer and their texts."""
    errors: list[dict[str, Any]] = []
    _influencer(errors, influencer, ("body", "influencer"), settings)
    _raise(errors)


def check_influencers(influencers: Sequence[InfluencerIn], settings: Settings) -> None:
    """``/v1/rank``: number of influencers, their posts and texts."""
    errors: list[dict[str, Any]] = []
    if len(influencers) > settings.max_influencers_per_rank:
        errors.append(
            _too_many(
                ("body", "influencers"),
                len(influencers),
                settings.max_influencers_per_rank,
                "influencers",
            )
        )
    else:
        for i, influencer in enumerate(influencers):
            _influencer(errors, influencer, ("body", "influencers", i), settings)
    _raise(errors)
