"""Start-up of the HTTP server process: keep it lean, then build the app.

scikit-learn imports pandas, and pandas imports pyarrow whenever it is installed: about
60 MB of shared libraries in every server process (measured: 302 -> 238 MB RSS after the
imports alone). The API reads and writes JSON only, so the server entry points
(``uvicorn serve:app`` and ``brandfit serve``) mark pyarrow as unavailable before anything
imports pandas, which then works as it does without pyarrow. Batch jobs and the CLI keep
pyarrow (Parquet). ``BRANDFIT_SERVER_PYARROW=1`` loads it in the server too.

This module must stay importable without importing pandas (so: nothing from brandfit.api
at module level).
"""

from __future__ import annotations

import argparse
import importlib.abc
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

KEEP_PYARROW_ENV = "BRANDFIT_SERVER_PYARROW"


class _RefusePyarrow(importlib.abc.MetaPathFinder):
    """An import finder that answers ``import pyarrow`` with ModuleNotFoundError.

    (A ``None`` entry in ``sys.modules`` would do the same for imports, but libraries that
    look pyarrow up in ``sys.modules`` would then find ``None`` instead of no entry.)
    """

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname == "pyarrow" or fullname.startswith("pyarrow."):
            raise ModuleNotFoundError(
                f"pyarrow is not loaded in the brandfit server process ({KEEP_PYARROW_ENV}=1 loads it)",
                name=fullname,
            )


def skip_pyarrow() -> bool:
    """Make ``import pyarrow`` fail in this process unless it is loaded already; True if done."""
    if os.environ.get(KEEP_PYARROW_ENV) == "1" or "pyarrow" in sys.modules:
        return False
    if not any(isinstance(finder, _RefusePyarrow) for finder in sys.meta_path):
        sys.meta_path.insert(0, _RefusePyarrow())
    return True


def create_server_app() -> FastAPI:
    """The app for a server process (settings from ``BRANDFIT_*``), without pyarrow."""
    skip_pyarrow()
    from brandfit.api.app import create_app

    return create_app()


def run_server(app: FastAPI, argv: list[str] | None = None) -> None:
    """Serve ``app`` with uvicorn: ``python serve.py [--host H] [--port P] [--log-level L]``."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="serve.py", description="Run the brandfit HTTP API.")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: loopback)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000)")
    parser.add_argument("--log-level", default="info", help="uvicorn log level")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port must be in 1..65535, not {args.port}")
    print(f"brandfit API on http://{args.host}:{args.port}; page at /, docs at /docs", flush=True)  # noqa: T201
    # our JSON access log replaces uvicorn's
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
