"""``POST /v1/predict``: posts -> one prediction per post (the ``brandfit predict`` shape)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from brandfit.api import examples
from brandfit.api.deps import ModelsDep, SettingsDep
from brandfit.api.limits import check_posts
from brandfit.api.schemas import (
    ErrorResponse,
    PredictRequest,
    PredictResponse,
    ValidationErrorResponse,
)
from brandfit.errors import UnknownLabelError
from brandfit.predict import Predictor
from brandfit.scoring.resolve import UnknownNameError, resolve_brand

router = APIRouter(tags=["posts"])


def _targets(body: PredictRequest, predictor: Predictor) -> list[str] | None:
    """Explicit targets plus the brand's known values; ``None`` = every value the head knows."""
    names: list[str] = []
    for i, name in enumerate(body.targets or []):
        try:
            names.extend(predictor.resolve_targets([name]))
        except UnknownLabelError as exc:
            raise UnknownNameError(str(exc), ("targets", i)) from None
    if body.brand is not None:
        names.extend(resolve_brand(body.brand, predictor.models).known_values)
    if body.targets is None and body.brand is None:
        return None
    return list(dict.fromkeys(names))


@router.post(
    "/v1/predict",
    response_model=PredictResponse,
    summary="Classify posts",
    responses={
        413: {"model": ErrorResponse},
        422: {"model": ValidationErrorResponse},
        503: {"model": ErrorResponse},
    },
)
def predict(
    body: Annotated[PredictRequest, Body(openapi_examples=examples.PREDICT)],
    models: ModelsDep,
    settings: SettingsDep,
    request: Request,
) -> JSONResponse:
    """Niche, safety, sentiment and value alignment for each post, with weak-signal flags and model versions."""
    check_posts(body.posts, settings)
    predictor = Predictor(models)
    targets = _targets(body, predictor)
    start = time.perf_counter()
    ids = [post.id if post.id is not None else i for i, post in enumerate(body.posts)]
    texts = [p.text for p in body.posts]
    batcher = request.app.state.batcher
    if batcher is None:
        predictions = predictor.predict(texts, ids=ids, targets=targets)
    else:
        predictions = batcher.predict(predictor, texts, ids, targets)
    metrics = request.app.state.metrics
    metrics.inference.labels("predict").observe(time.perf_counter() - start)
    metrics.items.labels("predict", "posts").inc(len(body.posts))
    request.state.items = len(body.posts)
    request.state.model_versions = predictor.versions
    return JSONResponse({"predictions": predictions, "model_versions": predictor.versions})
