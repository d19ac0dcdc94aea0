"""Exception handlers: library errors become 4xx/503 JSON, never a 500 with a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from brandfit.errors import InvalidInputError, ModelLoadError, UnknownHeadError

logger = logging.getLogger("brandfit.api")


def _clean(error: dict[str, Any]) -> dict[str, Any]:
    """Keep loc/msg/type only: echoing ``input`` could copy post text or a huge value."""
    return {
        "loc": list(error.get("loc", ())),
        "msg": str(error.get("msg", "")),
        "type": str(error.get("type", "value_error")),
    }


def _rejected(request: Request, reason: str) -> None:
    request.app.state.metrics.rejected.labels(reason).inc()


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 with every problem and its field path."""
    assert isinstance(exc, RequestValidationError)
    errors = [_clean(e) for e in exc.errors()]
    reason = (
        "limit"
        if any(e["type"] in ("too_long", "string_too_long") for e in errors)
        else "validation"
    )
    _rejected(request, reason)
    return JSONResponse({"detail": errors}, status_code=422)


async def invalid_input(request: Request, exc: Exception) -> JSONResponse:
    """422 naming the unknown niche/value/flag (with its path when known)."""
    loc = getattr(exc, "loc", None)
    _rejected(request, "unknown_name" if loc else "invalid_input")
    return JSONResponse(
        {
            "detail": [
                {
                    "loc": ["body", *loc] if loc else ["body"],
                    "msg": str(exc),
                    "type": "invalid_input",
                }
            ]
        },
        status_code=422,
    )


async def http_error(request: Request, exc: Exception) -> Response:
    """HTTP errors as usual, except an undecodable body (FastAPI says 400) is a 422 like bad JSON."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        _rejected(request, "validation")
        return JSONResponse(
            {
                "detail": [
                    {
                        "loc": ["body"],
                        "msg": f"request body is not valid UTF-8 JSON ({exc.__cause__.__class__.__name__})",
                        "type": "json_invalid",
                    }
                ]
            },
            status_code=422,
        )
    return await http_exception_handler(request, exc)


async def unknown_head(_request: Request, exc: Exception) -> JSONResponse:
    """404 for a head that is not loaded."""
    return JSONResponse({"detail": str(exc)}, status_code=404)


async def model_load(_request: Request, exc: Exception) -> JSONResponse:
    """503 while models cannot be used."""
    return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "5"})


async def unexpected(request: Request, _exc: Exception) -> JSONResponse:
    """Log a bug with the request id (no body) and answer a plain 500."""
    request_id = request.scope.get("state", {}).get("request_id")
    logger.exception("unhandled error (request_id=%s)", request_id)
    return JSONResponse({"detail": f"internal error (request id {request_id})"}, status_code=500)


def install(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(InvalidInputError, invalid_input)
    app.add_exception_handler(UnknownHeadError, unknown_head)
    app.add_exception_handler(ModelLoadError, model_load)
    app.add_exception_handler(Exception, unexpected)
