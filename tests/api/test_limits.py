from __future__ import annotations

from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from tests.api.conftest import LIMITS, influencer

MAX_TEXT = LIMITS["max_text_chars"]


def posts(n: int, text: str = "leg day") -> list[dict[str, Any]]:
    return [{"id": i, "text": text} for i in range(n)]


def test_limits_posts_per_request_pass_at_limit_fail_above(client: TestClient) -> None:
    n = LIMITS["max_posts_per_request"]
    assert client.post("/v1/predict", json={"posts": posts(n)}).status_code == 200
    over = client.post("/v1/predict", json={"posts": posts(n + 1)})
    assert over.status_code == 422
    assert over.json()["detail"][0]["loc"] == ["body", "posts"]


def test_limits_text_length_pass_at_limit_fail_above(client: TestClient) -> None:
    assert client.post("/v1/predict", json={"posts": posts(1, "x" * MAX_TEXT)}).status_code == 200
    over = client.post(
        "/v1/predict", json={"posts": [{"text": "ok"}, {"text": "x" * (MAX_TEXT + 1)}]}
    )
    assert over.status_code == 422
    assert over.json()["detail"] == [
        {
            "loc": ["body", "posts", 1, "text"],
            "msg": f"text has {MAX_TEXT + 1} characters; the limit is {MAX_TEXT}",
            "type": "string_too_long",
        }
    ]


def test_limits_influencer_posts_and_texts(client: TestClient, brand: dict[str, Any]) -> None:
    n = LIMITS["max_posts_per_influencer"]
    ok = client.post(
        "/v1/score", json={"brand": brand, "influencer": influencer("@a", ["leg day"] * n)}
    )
    assert ok.status_code == 200
    over = client.post(
        "/v1/score", json={"brand": brand, "influencer": influencer("@a", ["leg day"] * (n + 1))}
    )
    assert over.status_code == 422 and over.json()["detail"][0]["loc"] == [
        "body",
        "influencer",
        "posts",
    ]
    long = client.post(
        "/v1/score", json={"brand": brand, "influencer": influencer("@a", ["x" * (MAX_TEXT + 1)])}
    )
    assert long.json()["detail"][0]["loc"] == ["body", "influencer", "posts", 0, "text"]


def test_limits_influencers_per_rank(client: TestClient, brand: dict[str, Any]) -> None:
    n = LIMITS["max_influencers_per_rank"]
    ok = client.post(
        "/v1/rank",
        json={"brand": brand, "influencers": [influencer(f"@{i}", ["leg day"]) for i in range(n)]},
    )
    assert ok.status_code == 200 and len(ok.json()["ranking"]) == n
    over = client.post(
        "/v1/rank",
        json={
            "brand": brand,
            "influencers": [influencer(f"@{i}", ["leg day"]) for i in range(n + 1)],
        },
    )
    assert over.status_code == 422 and over.json()["detail"][0]["loc"] == ["body", "influencers"]
    long = client.post(
        "/v1/rank",
        json={
            "brand": brand,
            "influencers": [
                influencer("@a", ["ok"]),
                influencer("@b", ["ok", "x" * (MAX_TEXT + 1)]),
            ],
        },
    )
    assert long.json()["detail"][0]["loc"] == ["body", "influencers", 1, "posts", 1, "text"]


def test_limits_body_size_413_with_content_length(client: TestClient) -> None:
    body = b'{"posts": [{"text": "' + b"x" * LIMITS["max_body_bytes"] + b'"}]}'
    response = client.post(
        "/v1/predict", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_limits_body_size_413_when_streamed_without_content_length(client: TestClient) -> None:
    def chunks() -> Any:
        yield b'{"posts": [{"text": "'
        for _ in range(10):
            yield b"x" * (LIMITS["max_body_bytes"] // 5)
        yield b'"}]}'

    response = client.post(
        "/v1/predict", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


@pytest.mark.parametrize("value", ["abc", "-5"])
def test_limits_bad_content_length_is_400(client: TestClient, value: str) -> None:
    # httpx refuses to send a wrong Content-Length, so talk ASGI directly
    app = client.app
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/predict",
        "raw_path": b"/v1/predict",
        "query_string": b"",
        "headers": [(b"content-length", value.encode()), (b"content-type", b"application/json")],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("t", 80),
        "client": ("c", 1),
        "root_path": "",
    }
    anyio.run(app, scope, receive, send)  # type: ignore[arg-type]
    assert sent[0]["status"] == 400
