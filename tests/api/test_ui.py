"""The analyst page and the offline docs, without a browser (see test_browser.py for one)."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from brandfit.api.app import create_app
from brandfit.api.docs import docs_assets_dir
from brandfit.api.ui import STATIC_DIR
from brandfit.persistence.registry import ModelRegistry
from brandfit.settings import Settings
from tests.api.conftest import EXAMPLES, make_settings

REPO = Path(__file__).resolve().parents[2]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def test_ui_page_is_served_with_a_self_only_content_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert '<textarea id="candidates"' in response.text
    assert not EXTERNAL.search(response.text)
    for asset in ("/static/ui/app.js", "/static/ui/style.css"):
        assert client.get(asset).status_code == 200


def test_ui_static_files_reference_nothing_outside(client: TestClient) -> None:
    for path in STATIC_DIR.glob("*.*"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), f"{path.name} names an outside URL"


def test_ui_example_copies_equal_the_examples_folder(client: TestClient) -> None:
    for name in ("brand.json", "candidates.jsonl"):
        served = client.get(f"/static/ui/examples/{name}")
        assert served.status_code == 200
        assert served.content == (EXAMPLES / name).read_bytes(), f"update static/examples/{name}"


def test_ui_static_files_are_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["brandfit.api"]
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            relative = path.relative_to(STATIC_DIR.parent).as_posix()
            assert any(fnmatch(relative, p) for p in patterns), f"{relative} is not package data"


@pytest.mark.parametrize("url", ["/docs", "/redoc"])
def test_ui_docs_pages_load_only_local_files(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert not re.search(r"https?://", response.text), response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    scripts = re.findall(r"""(?:src|href)=["']([^"']+)["']""", response.text)
    assert scripts
    for asset in scripts:
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset


def test_ui_swagger_validator_badge_is_off(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text


def test_ui_docs_assets_come_from_the_installed_package() -> None:
    assert (docs_assets_dir() / "swagger-ui-bundle.js").is_file()
    assert (docs_assets_dir() / "redoc.standalone.js").is_file()


def test_ui_page_needs_no_key_but_the_api_does(registry: ModelRegistry) -> None:
    settings: Settings = make_settings(api_key="k" * 24)
    with TestClient(create_app(settings, registry)) as keyed:
        assert keyed.get("/").status_code == 200
        assert keyed.get("/docs").status_code == 200
        assert keyed.post("/v1/rank", json={}).status_code == 401
