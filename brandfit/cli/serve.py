"""``brandfit serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import ipaddress
import os
import sys
from typing import Annotated

import typer

from brandfit.cli._common import ModelsOption, console, friendly_errors, models_dir
from brandfit.settings import Settings, get_settings


def is_loopback(host: str) -> bool:
    """True if ``host`` (an interface to bind) is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: may resolve to anything


def open_bind_warning(host: str, settings: Settings) -> str | None:
    """A warning when binding ``host`` beyond loopback with no API key, else None."""
    if is_loopback(host) or settings.api_key is not None or settings.admin_key is not None:
        return None
    return (
        f"listening on {host} with no API keys: anyone who can reach this port can score "
        "posts and reload models; set BRANDFIT_API_KEY and BRANDFIT_ADMIN_KEY"
    )


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
    warning = open_bind_warning(host, get_settings())
    if warning:
        console.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
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
