"""``brandfit serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from brandfit.cli._common import ModelsOption, console, friendly_errors, models_dir


@friendly_errors
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    models: ModelsOption = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve /v1/predict, /v1/score, /v1/rank, /v1/models, /livez, /readyz, /metrics and /docs."""
    import uvicorn

    from brandfit.api.app import create_app
    from brandfit.settings import get_settings

    settings = get_settings().model_copy(update={"models_dir": models_dir(models)})
    app = create_app(settings)
    console.print(
        f"brandfit API on http://{host}:{port} (models: {settings.models_dir}); docs at /docs",
        highlight=False,
    )
    # our JSON access log replaces uvicorn's
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
