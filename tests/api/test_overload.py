"""Overload shedding: past BRANDFIT_MAX_INFLIGHT model requests, 503 + Retry-After at once."""

from __future__ import annotations

import threading
from typing import Any

import anyio
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from brandfit.api.app import create_app
from brandfit.api.metrics import Metrics
from brandfit.api.middleware import InflightLimitMiddleware
from brandfit.persistence.registry import ModelRegistry
from brandfit.predict import Predictor
from tests.api.conftest import make_settings


def _scope(method: str, path: str) -> Scope:
    return {"type": "http", "method": method, "path": path, "headers": []}


def test_inflight_limit_sheds_the_excess_and_admits_again_when_there_is_room() -> None:
    gate = anyio.Event()
    entered = anyio.Event()

    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        entered.set()
        await gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def fast_app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    metrics = Metrics()
    limiter = InflightLimitMiddleware(slow_app, max_inflight=1, metrics=metrics)

    async def call(app: Any, method: str, path: str) -> list[Message]:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        await app(_scope(method, path), receive, send)
        return sent

    async def main() -> None:
        results: dict[str, list[Message]] = {}

        async def first() -> None:
            results["first"] = await call(limiter, "POST", "/v1/predict")

        async with anyio.create_task_group() as group:
            group.start_soon(first)
            await entered.wait()
            shed = await call(limiter, "POST", "/v1/score")
            assert shed[0]["status"] == 503
            assert (b"retry-after", b"1") in shed[0]["headers"]
            assert b"BRANDFIT_MAX_INFLIGHT=1" in shed[1]["body"]
            limiter.app = fast_app  # routes that are never counted pass even when full
            for method, path in (("GET", "/livez"), ("POST", "/v1/admin/reload")):
                assert (await call(limiter, method, path))[0]["status"] == 200
            limiter.app = slow_app
            gate.set()
        assert results["first"][0]["status"] == 200
        assert limiter.inflight == 0
        limiter.app = fast_app
        assert (await call(limiter, "POST", "/v1/rank"))[0]["status"] == 200

    anyio.run(main)
    sample = metrics.registry.get_sample_value
    assert sample("brandfit_rejected_inputs_total", {"reason": "overloaded"}) == 1
    assert sample("brandfit_inflight_requests") == 0


def test_server_answers_503_with_retry_after_past_its_inflight_limit(
    registry: ModelRegistry, monkeypatch: Any
) -> None:
    release = threading.Event()
    started = threading.Event()
    real_predict = Predictor.predict

    def blocking_predict(self: Predictor, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name != "MainThread" and not release.is_set():
            started.set()
            release.wait(30)
        return real_predict(self, *args, **kwargs)

    settings = make_settings(max_inflight=1, predict_batch_posts=0)
    with TestClient(create_app(settings, registry)) as client:
        monkeypatch.setattr(Predictor, "predict", blocking_predict)
        answers: list[int] = []
        held = threading.Thread(
            target=lambda: answers.append(
                client.post("/v1/predict", json={"posts": [{"text": "leg day"}]}).status_code
            )
        )
        held.start()
        assert started.wait(30)
        shed = client.post("/v1/predict", json={"posts": [{"text": "leg day"}]})
        assert shed.status_code == 503
        assert shed.headers["retry-after"] == "1"
        assert "in flight" in shed.json()["detail"]
        assert client.get("/livez").status_code == 200
        release.set()
        held.join(30)
        assert answers == [200]
        assert client.post("/v1/predict", json={"posts": [{"text": "leg day"}]}).status_code == 200
        assert (
            'brandfit_rejected_inputs_total{reason="overloaded"} 1.0' in client.get("/metrics").text
        )
