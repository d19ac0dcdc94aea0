from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from brandfit.api.app import create_app
from brandfit.persistence.registry import ModelRegistry
from tests.api.conftest import make_settings

USER, ADMIN = "user-secret-123", "admin-secret-456"


@pytest.fixture
def keyed(registry: ModelRegistry) -> TestClient:
    with TestClient(create_app(make_settings(api_key=USER, admin_key=ADMIN), registry)) as client:
        yield client


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": "wrong"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic " + USER},
    ],
)
def test_security_missing_or_wrong_key_is_401(keyed: TestClient, headers: dict[str, str]) -> None:
    response = keyed.post("/v1/predict", json={"posts": [{"text": "hi"}]}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert keyed.get("/v1/models", headers=headers).status_code == 401


@pytest.mark.parametrize(
    "headers", [{"X-API-Key": USER}, {"Authorization": f"Bearer {USER}"}, {"X-API-Key": ADMIN}]
)
def test_security_user_or_admin_key_opens_v1(keyed: TestClient, headers: dict[str, str]) -> None:
    assert (
        keyed.post("/v1/predict", json={"posts": [{"text": "hi"}]}, headers=headers).status_code
        == 200
    )


def test_security_user_key_on_admin_route_is_403(keyed: TestClient) -> None:
    assert keyed.post("/v1/admin/reload", headers={"X-API-Key": USER}).status_code == 403
    assert keyed.post("/v1/admin/reload").status_code == 401
    # the admin key gets through auth (this registry has no directory, so the reload itself is refused)
    assert keyed.post("/v1/admin/reload", headers={"X-API-Key": ADMIN}).status_code == 409


def test_security_health_routes_need_no_key(keyed: TestClient) -> None:
    assert keyed.get("/livez").status_code == 200
    assert keyed.get("/readyz").status_code == 200
    assert keyed.get("/metrics").status_code == 200


def test_security_keys_never_reach_the_logs(
    keyed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        keyed.post("/v1/predict", json={"posts": [{"text": "hi"}]}, headers={"X-API-Key": USER})
        keyed.post(
            "/v1/predict",
            json={"posts": [{"text": "hi"}]},
            headers={"Authorization": f"Bearer {ADMIN}x"},
        )
        keyed.post("/v1/admin/reload", headers={"X-API-Key": USER})
    assert caplog.records
    assert USER not in caplog.text and ADMIN not in caplog.text


def test_security_user_key_alone_closes_admin(registry: ModelRegistry) -> None:
    """With a user key but no admin key, nobody reloads: the user key is not an admin key."""
    with TestClient(create_app(make_settings(api_key=USER), registry)) as client:
        for headers in ({}, {"X-API-Key": USER}, {"Authorization": f"Bearer {USER}"}):
            response = client.post("/v1/admin/reload", headers=headers)
            assert response.status_code == 403
            assert "BRANDFIT_ADMIN_KEY" in response.json()["detail"]
        assert client.post("/v1/predict", json={"posts": [{"text": "hi"}]}).status_code == 401
        assert (
            client.post(
                "/v1/predict", json={"posts": [{"text": "hi"}]}, headers={"X-API-Key": USER}
            ).status_code
            == 200
        )


def test_security_cors_closed_unless_configured(registry: ModelRegistry) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    with TestClient(create_app(make_settings(), registry)) as closed:
        response = closed.options("/v1/predict", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
        assert (
            "access-control-allow-origin"
            not in closed.get("/livez", headers={"Origin": "https://app.example"}).headers
        )
    with TestClient(
        create_app(make_settings(cors_origins=["https://app.example"]), registry)
    ) as open_:
        response = open_.options("/v1/predict", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        other = open_.options(
            "/v1/predict", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers
