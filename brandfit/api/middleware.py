"""Pure ASGI middleware: body-size limit (413), overload shedding (503) and access log + metrics.

The access log writes one JSON line per request to the ``brandfit.access`` logger:
request id, method, route, status, latency, model versions and item count. It never
writes bodies, post text, query strings or headers (so API keys never reach it).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from brandfit.api.metrics import Metrics

ACCESS_LOGGER = "brandfit.access"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}\Z")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _send_json(
    send: Send,
    status: int,
    payload: dict[str, Any],
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """Answer 413 to bodies over ``max_bytes``: at once by Content-Length, else while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int, metrics: Metrics) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.metrics = metrics

    def _too_large(self) -> str:
        self.metrics.rejected.labels("body_too_large").inc()
        return f"request body is larger than {self.max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reject oversized bodies, then pass the request on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                self.metrics.rejected.labels("bad_content_length").inc()
                await _send_json(
                    send, 400, {"detail": "Content-Length must be a non-negative integer"}
                )
                return
            if int(declared) > self.max_bytes:
                await _send_json(send, 413, {"detail": self._too_large()})
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, limited, send)


class InflightLimitMiddleware:
    """Answer 503 with ``Retry-After`` at once when too many model requests are in flight.

    Past saturation a server that queues without bound answers everything late and
    clients time out; shedding the excess keeps the admitted requests' latency bounded
    and tells the rest when to come back. Counts ``POST /v1/...`` requests (not the admin
    routes); health, metrics and docs are never shed.
    """

    def __init__(self, app: ASGIApp, max_inflight: int, metrics: Metrics) -> None:
        self.app = app
        self.max_inflight = max_inflight
        self.metrics = metrics
        self.inflight = 0  # touched only from the event loop thread

    @staticmethod
    def _counted(scope: Scope) -> bool:
        path = str(scope.get("path", ""))
        return (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and path.startswith("/v1/")
            and not path.startswith("/v1/admin/")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or shed it if the server is already full."""
        if not self._counted(scope):
            await self.app(scope, receive, send)
            return
        if self.inflight >= self.max_inflight:
            self.metrics.rejected.labels("overloaded").inc()
            await _send_json(
                send,
                503,
                {
                    "detail": f"server busy: {self.inflight} model requests in flight "
                    f"(limit BRANDFIT_MAX_INFLIGHT={self.max_inflight}); retry after 1 s"
                },
                [(b"retry-after", b"1")],
            )
            return
        self.inflight += 1
        self.metrics.inflight.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1
            self.metrics.inflight.dec()


class AccessLogMiddleware:
    """Request id, latency, status and item count: into metrics and one JSON log line."""

    def __init__(self, app: ASGIApp, metrics: Metrics, enabled: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.enabled = enabled
        self.logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Tag the request with an id, time it, count it, log it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(elapsed)
            if self.enabled:
                record = {
                    "event": "access",
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "latency_ms": round(elapsed * 1000, 3),
                    "items": state.get("items"),
                    "model_versions": state.get("model_versions"),
                }
                self.logger.info(json.dumps(record, separators=(",", ":")))
