"""``brandfit serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import os
import sys
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
    """Serve /v1/predict, /v1/score, /v1/rank, /v1/models, /livez, /readyz, /metrics and /docs.

    The CLI has loaded pandas and pyarrow already, so the server runs as a fresh uvicorn
    process in this one's place (same pid), built by :func:`brandfit.serving.create_server_app`.
    """
    directory = models_dir(models)
    console.print(
        f"brandfit API on http://{host}:{port} (models: {directory}); page at /, docs at /docs",
        highlight=False,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os.environ["BRANDFIT_MODELS_DIR"] = str(directory)
    command = [
        sys.executable, "-m", "uvicorn", "brandfit.serving:create_server_app", "--factory",
        "--host", host, "--port", str(port), "--log-level", log_level,
        "--no-access-log",  # our JSON access log replaces uvicorn's
    ]  # fmt: skip
    os.execv(sys.executable, command)
