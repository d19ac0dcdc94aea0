"""``POST /v1/score`` and ``POST /v1/rank``: creators against a brand, with evidence."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from brandfit.api import examples
from brandfit.api.deps import ModelsDep, SettingsDep
from brandfit.api.limits import check_influencer, check_influencers
from brandfit.api.schemas import (
    ErrorResponse,
    RankRequest,
    RankResponse,
    ScoreCardOut,
    ScoreRequest,
    ValidationErrorResponse,
)
from brandfit.predict import Predictor
from brandfit.scoring.rank import rank_influencers, score_influencer

router = APIRouter(tags=["influencers"])
_ERRORS: dict[int | str, dict[str, object]] = {
    413: {"model": ErrorResponse},
    422: {"model": ValidationErrorResponse},
    503: {"model": ErrorResponse},
}


def _record(
    request: Request,
    endpoint: str,
    started: float,
    influencers: int,
    posts: int,
    versions: dict[str, str],
) -> None:
    metrics = request.app.state.metrics
    metrics.inference.labels(endpoint).observe(time.perf_counter() - started)
    metrics.items.labels(endpoint, "influencers").inc(influencers)
    metrics.items.labels(endpoint, "posts").inc(posts)
    request.state.items = influencers
    request.state.model_versions = versions


@router.post(
    "/v1/score",
    response_model=ScoreCardOut,
    summary="Score one creator for a brand",
    responses=_ERRORS,
)
def score(
    body: Annotated[ScoreRequest, Body(openapi_examples=examples.SCORE)],
    models: ModelsDep,
    settings: SettingsDep,
    request: Request,
) -> JSONResponse:
    """Score card: `score` (0–100), `components` (niche, values, safety, brand and competitor sentiment, engagement, audience) with evidence, disclosure check, coverage, model versions."""
    check_influencer(body.influencer, settings)
    predictor = Predictor(models)
    started = time.perf_counter()
    card = score_influencer(body.influencer, body.brand, predictor)
    _record(request, "score", started, 1, len(body.influencer.posts), predictor.versions)
    return JSONResponse(card.to_dict())


@router.post(
    "/v1/rank", response_model=RankResponse, summary="Rank creators for a brand", responses=_ERRORS
)
def rank(
    body: Annotated[RankRequest, Body(openapi_examples=examples.RANK)],
    models: ModelsDep,
    settings: SettingsDep,
    request: Request,
) -> JSONResponse:
    """Score cards, best first, each with `handle`, `score` and `rank` (ties broken by handle)."""
    check_influencers(body.influencers, settings)
    predictor = Predictor(models)
    started = time.perf_counter()
    ranking = rank_influencers(body.influencers, body.brand, predictor)
    _record(
        request,
        "rank",
        started,
        len(body.influencers),
        sum(len(i.posts) for i in body.influencers),
        predictor.versions,
    )
    return JSONResponse({"ranking": ranking.to_dicts()})
