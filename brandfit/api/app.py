"""``create_app(settings=None, registry=None)``: the FastAPI app factory.

The lifespan loads the registry in a background thread unless a ready one was
injected, so ``/livez`` answers at once and ``/readyz`` says 503 until verified
models are loaded and warm. Tests inject a registry over tiny models.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from brandfit import __version__
from brandfit.api import errors
from brandfit.api.batching import PredictBatcher
from brandfit.api.docs import install_docs
from brandfit.api.metrics import Metrics
from brandfit.api.middleware import (
    ACCESS_LOGGER,
    AccessLogMiddleware,
    BodySizeLimitMiddleware,
    InflightLimitMiddleware,
)
from brandfit.api.routes import admin, health, influencers, models, posts
from brandfit.api.security import require_user
from brandfit.api.shutdown import install_drain, mark_shutting_down
from brandfit.api.ui import install_ui
from brandfit.api.warmup import warm_up
from brandfit.errors import ModelLoadError
from brandfit.heap import limit_malloc_arenas
from brandfit.persistence.registry import ModelRegistry
from brandfit.settings import Settings, get_settings

logger = logging.getLogger("brandfit.api")

DESCRIPTION = """Brand-fit classification for influencer marketing.

* `POST /v1/predict`: niche, safety, sentiment and value alignment per post;
* `POST /v1/score`, `POST /v1/rank`: creators against a brand profile, with evidence;
* `GET /v1/models`: loaded heads and their manifests; `POST /v1/admin/reload`: hot reload;
* `GET /`: a page for analysts that ranks creators with this API.

Send `Authorization: Bearer <key>` (or `X-API-Key`) when the server has API keys configured.
"""


def _configure_access_log() -> None:
    log = logging.getLogger(ACCESS_LOGGER)
    log.setLevel(logging.INFO)
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)


def _load(app: FastAPI) -> None:
    """Load (if needed) and warm the registry; failures stay in ``registry.last_error``."""
    registry: ModelRegistry = app.state.registry
    try:
        if not registry.ready:
            registry.load()
        warm_up(registry.models)
    except ModelLoadError as exc:
        logger.error("models not loaded: %s", exc)
        return
    app.state.warm = True
    app.state.metrics.ready.set(1)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start loading models, serve, then mark the app as shutting down."""
    app.state.shutting_down = False
    settings: Settings = app.state.settings
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
    registry: ModelRegistry = app.state.registry
    if registry.ready:
        _load(app)  # injected models: warm them before serving
        task = None
    else:
        task = asyncio.get_running_loop().run_in_executor(None, _load, app)
    install_drain(app, settings.shutdown_grace_s)  # /readyz 503 from SIGTERM on
    try:
        yield
    finally:
        mark_shutting_down(app)
        if task is not None:
            await asyncio.wait([task], timeout=30)


def create_app(settings: Settings | None = None, registry: ModelRegistry | None = None) -> FastAPI:
    """Build the API over ``registry`` (default: a registry over ``settings.models_dir``)."""
    settings = settings or get_settings()
    limit_malloc_arenas()  # before the loader and request threads allocate
    app = FastAPI(
        title="brandfit",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc come from install_docs, with local files
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.registry = (
        registry
        if registry is not None
        else ModelRegistry(models_dir=settings.models_dir, layered=True)
    )
    app.state.metrics = Metrics()
    app.state.warm = False
    app.state.shutting_down = False
    app.state.reload_gate = threading.Lock()  # one POST /v1/admin/reload at a time
    app.state.batcher = (
        PredictBatcher(settings.predict_batch_posts) if settings.predict_batch_posts else None
    )
    errors.install(app)
    app.include_router(health.router)
    protected = [Depends(require_user)]
    app.include_router(models.router, dependencies=protected)
    app.include_router(posts.router, dependencies=protected)
    app.include_router(influencers.router, dependencies=protected)
    app.include_router(admin.router)
    install_docs(app)
    install_ui(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
        )
    if settings.max_inflight:
        app.add_middleware(
            InflightLimitMiddleware,
            max_inflight=settings.max_inflight,
            metrics=app.state.metrics,
        )
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes, metrics=app.state.metrics
    )
    app.add_middleware(AccessLogMiddleware, metrics=app.state.metrics, enabled=settings.access_log)
    if settings.access_log:
        _configure_access_log()
    return app
