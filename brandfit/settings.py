"""Runtime settings from the environment (prefix ``BRANDFIT_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from brandfit.errors import InvalidInputError

#: The models shipped in this repository (``models/`` next to the package).
DEFAULT_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
#: The sentence encoder's folder inside a models directory (not a head; the registry skips it).
ENCODER_DIRNAME = "encoder"


class Settings(BaseSettings):
    """Where models live and how the server behaves; override with ``BRANDFIT_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="BRANDFIT_", extra="ignore")

    models_dir: Path = DEFAULT_MODELS_DIR
    #: onnxruntime intra-op threads of the sentence encoder in this process (None: one per
    #: physical core). ``brandfit classify`` with N processes on a host gives each cores // N.
    encoder_threads: int | None = Field(None, ge=1)

    # -- HTTP server (brandfit serve / uvicorn serve:app) --------------------------------
    #: Bearer/X-API-Key needed on /v1/* when set (compared in constant time, never logged).
    api_key: SecretStr | None = None
    #: Key for POST /v1/admin/reload when set (the user key then gets 403 there).
    admin_key: SecretStr | None = None
    #: Origins allowed by CORS; empty = CORS closed (no CORS headers at all).
    cors_origins: list[str] = Field(default_factory=list)
    #: Request bodies larger than this get 413 (with or without Content-Length).
    max_body_bytes: int = Field(2_000_000, ge=1024)
    #: Longest post text accepted (characters); longer -> 422 naming the field.
    max_text_chars: int = Field(5_000, ge=1)
    #: Most posts in one POST /v1/predict.
    max_posts_per_request: int = Field(1_000, ge=1)
    #: Most posts per influencer in /v1/score and /v1/rank.
    max_posts_per_influencer: int = Field(200, ge=1)
    #: Most influencers in one POST /v1/rank.
    max_influencers_per_rank: int = Field(50, ge=1)
    #: Threads running model endpoints. /v1/predict requests mostly wait for the shared
    #: scoring thread, so this also bounds how many concurrent requests can share a batch.
    worker_threads: int = Field(16, ge=1, le=64)
    #: Concurrent /v1/predict requests are scored together, up to this many posts per
    #: model call (requests this large or larger are scored on their own); 0 = no batching.
    predict_batch_posts: int = Field(256, ge=0)
    #: Model requests (POST /v1/..., not admin) admitted at once; more get 503 + Retry-After
    #: at once instead of queueing without bound. 0 = no limit.
    max_inflight: int = Field(64, ge=0)
    #: Seconds between SIGTERM and uvicorn's shutdown, with /readyz already 503, so load
    #: balancers stop sending traffic while the listener is still open (0 = no drain).
    shutdown_grace_s: float = Field(3.0, ge=0, le=300)
    #: One JSON access-log line per request on the ``brandfit.access`` logger (no post text).
    access_log: bool = True


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests override with ``dependency_overrides``).

    A malformed ``BRANDFIT_*`` value is refused with one line naming the variable.
    """
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"BRANDFIT_{'_'.join(str(p) for p in error['loc']).upper()}="
            f"{error.get('input')!r}: {error['msg']}"
            for error in exc.errors()
        )
        raise InvalidInputError(f"bad setting: {problems}") from None
