"""Concurrent /v1/predict requests share model calls and still get exactly their own rows."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from brandfit.api.app import create_app
from brandfit.api.batching import PredictBatcher
from brandfit.persistence.registry import LoadedModels, ModelRegistry
from brandfit.predict import Predictor
from tests.api.conftest import make_settings


class SlowRecordingPredictor:
    """Stands in for Predictor: slow enough for requests to pile up, records each call."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.models = object()
        self.calls: list[int] = []
        self.fail_on = fail_on
        self.lock = threading.Lock()

    def predict(
        self, texts: list[Any], ids: list[Any], targets: Any = None
    ) -> list[dict[str, Any]]:
        with self.lock:
            self.calls.append(len(texts))
        time.sleep(0.05)
        if self.fail_on is not None and self.fail_on in texts:
            raise ValueError(f"cannot score {self.fail_on!r}")
        return [{"id": i, "text": t, "targets": targets} for i, t in zip(ids, texts, strict=True)]


def _submit_many(batcher: PredictBatcher, predictor: Any, n: int) -> list[Any]:
    def one(k: int) -> Any:
        try:
            return batcher.predict(predictor, [f"post {k}", f"post {k}b"], [k, f"{k}b"], None)
        except ValueError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_concurrent_requests_share_calls_and_get_their_own_rows() -> None:
    predictor = SlowRecordingPredictor()
    results = _submit_many(PredictBatcher(max_posts=256), predictor, 12)
    for k, rows in enumerate(results):
        assert [r["id"] for r in rows] == [k, f"{k}b"]
        assert [r["text"] for r in rows] == [f"post {k}", f"post {k}b"]
    assert sum(predictor.calls) == 24  # every post scored exactly once
    assert len(predictor.calls) < 12  # and some requests shared a call


def test_requests_with_different_targets_are_not_mixed() -> None:
    predictor = SlowRecordingPredictor()
    batcher = PredictBatcher()

    def one(k: int) -> list[dict[str, Any]]:
        targets = ["climate"] if k % 2 else None
        return batcher.predict(predictor, [f"p{k}"], [k], targets)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(8)))
    for k, rows in enumerate(results):
        assert rows[0]["targets"] == (("climate",) if k % 2 else None)


def test_one_failing_request_does_not_fail_the_others() -> None:
    predictor = SlowRecordingPredictor(fail_on="post 3")
    results = _submit_many(PredictBatcher(), predictor, 8)
    assert isinstance(results[3], ValueError)
    for k, rows in enumerate(results):
        if k != 3:
            assert [r["id"] for r in rows] == [k, f"{k}b"]


def test_big_requests_are_scored_on_their_own_thread() -> None:
    predictor = SlowRecordingPredictor()
    batcher = PredictBatcher(max_posts=2)
    rows = batcher.predict(predictor, ["a", "b", "c"], [1, 2, 3], None)
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert batcher._thread is None


@pytest.mark.parametrize("batch_posts", [0, 256])
def test_api_predictions_are_the_same_with_and_without_batching(
    tiny_loaded: LoadedModels, batch_posts: int
) -> None:
    settings = make_settings(predict_batch_posts=batch_posts, max_posts_per_request=5)
    texts = [
        "Leg day at the gym 💪",
        "",
        "I hate this",
        "Climate action now #climate",
        "pasta night",
    ]
    expected = Predictor(tiny_loaded).predict(texts)
    with TestClient(create_app(settings, ModelRegistry(models=tiny_loaded))) as client:

        def one(k: int) -> dict[str, Any]:
            response = client.post("/v1/predict", json={"posts": [{"id": k, "text": texts[k]}]})
            assert response.status_code == 200, response.text
            return response.json()["predictions"][0]

        with ThreadPoolExecutor(max_workers=5) as pool:
            got = list(pool.map(one, range(5)))
    for k, prediction in enumerate(got):
        want = dict(expected[k], id=k)
        assert prediction == want
